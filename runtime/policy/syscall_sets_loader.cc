// policies/syscall-sets.yaml: named syscall sets, their argument rules, and the syscalls no set may hold.
// Checks names and rule shapes here; include cycles and coverage are the resolver's and the tests' job.
#include <algorithm>
#include <set>

#include "policy/fields.h"
#include "policy/load.h"
#include "seccomp/constants.h"

namespace cordon::policy {

namespace {

using seccomp::ConstantKind;

std::vector<Located<std::string>> read_constants(const Reader& r, const YamlNode& n, std::string_view what,
                                                 ConstantKind kind) {
  std::vector<Located<std::string>> out;
  for (Located<std::string>& c : r.string_list(n, what)) {
    if (!seccomp::constant_value(kind, c.value)) {
      r.diags.error(c.where, "unknown constant '" + c.value + "' in " + std::string(what) +
                                 "; known: " + seccomp::constant_names(kind));
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Which table a rule's constants come from: ioctl requests, personality values, clone flags.
ConstantKind argument_kind(const std::string& syscall) {
  if (syscall == "ioctl") return ConstantKind::ioctl_request;
  if (syscall == "personality") return ConstantKind::personality_value;
  return ConstantKind::clone_flag;
}

std::optional<ArgRule> read_rule(const Reader& r, const YamlNode& n) {
  if (!r.mapping(n, "each rule", {"allow-only", "arg", "compare", "deny", "deny-bits", "errno", "syscall", "why"}))
    return std::nullopt;
  ArgRule rule;
  rule.where = r.at(n);
  const YamlNode* sc = r.required(n, "syscall", "each rule");
  const YamlNode* why = r.required(n, "why", "each rule");
  if (!sc) return std::nullopt;
  auto name = r.syscall(*sc, "rule");
  if (!name) return std::nullopt;
  rule.syscall = {*name, r.at(*sc)};
  if (why)
    if (auto s = r.string(*why, "why")) rule.why = *s;
  const YamlNode* err = n.find("errno");
  const YamlNode* arg = n.find("arg");
  const YamlNode* deny = n.find("deny");
  const YamlNode* bits = n.find("deny-bits");
  const YamlNode* only = n.find("allow-only");
  if (err) {
    auto s = r.string(*err, "errno");
    if (s && !seccomp::constant_value(ConstantKind::errno_value, *s))
      r.error(*err, "unknown errno '" + *s + "'; known: " + seccomp::constant_names(ConstantKind::errno_value));
    else if (s)
      rule.errno_name = Located<std::string>{*s, r.at(*err)};
    if (arg || deny || bits || only) r.error(n, "a rule has either errno or arg with deny, deny-bits or allow-only, not both");
    return rule;
  }
  if (!arg || (!deny && !bits && !only)) {
    r.error(n, "a rule needs errno, or arg with deny, deny-bits or allow-only");
    return std::nullopt;
  }
  if ((deny != nullptr) + (bits != nullptr) + (only != nullptr) > 1)
    r.error(n, "a rule has one of deny, deny-bits and allow-only; write two rules");
  if (auto a = r.integer(*arg, "arg", 0, 5)) rule.arg = static_cast<int>(*a);
  if (const YamlNode* cmp = n.find("compare")) {
    auto s = r.string(*cmp, "compare");
    if (s && *s != "low32" && *s != "full") r.error(*cmp, "compare must be 'low32' or 'full', found '" + *s + "'");
    rule.low32 = s && *s == "low32";
  }
  const ConstantKind kind = argument_kind(rule.syscall.value);
  if (deny) rule.deny = read_constants(r, *deny, "deny", kind);
  if (bits) rule.deny_bits = read_constants(r, *bits, "deny-bits", kind);
  if (only) rule.allow_only = read_constants(r, *only, "allow-only", kind);
  return rule;
}

std::optional<SyscallSet> read_set(const Reader& r, const YamlNode& key, const YamlNode& n) {
  auto name = r.name(key, "set name");
  if (!name) return std::nullopt;
  const std::string what = "set '" + *name + "'";
  if (!r.mapping(n, what, {"include", "rules", "summary", "syscalls"})) return std::nullopt;
  SyscallSet set;
  set.name = {*name, r.at(key)};
  if (const YamlNode* v = r.required(n, "summary", what))
    if (auto s = r.string(*v, "summary")) set.summary = *s;
  if (const YamlNode* v = n.find("syscalls")) set.syscalls = r.syscall_list(*v, what + " syscalls");
  if (const YamlNode* v = n.find("include")) set.include = r.string_list(*v, what + " include");
  if (const YamlNode* v = n.find("rules"))
    if (r.sequence(*v, what + " rules"))
      for (const YamlNode& item : v->items)
        if (auto rule = read_rule(r, item)) set.rules.push_back(std::move(*rule));
  return set;
}

std::vector<DeniedSyscall> read_denied(const Reader& r, const YamlNode& n) {
  std::vector<DeniedSyscall> out;
  if (!r.sequence(n, "denied")) return out;
  for (const YamlNode& item : n.items) {
    if (!r.mapping(item, "each entry of denied", {"syscall", "why"})) continue;
    const YamlNode* sc = r.required(item, "syscall", "each entry of denied");
    const YamlNode* why = r.required(item, "why", "each entry of denied");
    auto name = sc ? r.syscall(*sc, "denied") : std::nullopt;
    auto reason = why ? r.string(*why, "why") : std::nullopt;
    if (!name || !reason) continue;
    out.push_back(DeniedSyscall{{*name, r.at(*sc)}, *reason});
  }
  return out;
}

}  // namespace

std::optional<SyscallCatalog> parse_syscall_sets(const std::string& file, std::string_view text, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  const Reader r{file, diags};
  auto root = read_document(r, text, "syscall sets file", {"denied", "schema", "sets"});
  if (!root) return std::nullopt;
  SyscallCatalog cat;
  cat.file = file;
  if (const YamlNode* v = r.required(*root, "sets", "syscall sets file")) {
    if (v->is_mapping()) {
      for (const auto& [key, value] : v->entries)
        if (auto set = read_set(r, key, value)) cat.sets.push_back(std::move(*set));
    } else {
      r.error(*v, "sets must be a mapping of NAME: {summary, syscalls, include, rules}");
    }
  }
  if (const YamlNode* v = root->find("denied")) cat.denied = read_denied(r, *v);
  std::sort(cat.sets.begin(), cat.sets.end(),
            [](const SyscallSet& a, const SyscallSet& b) { return a.name.value < b.name.value; });
  if (diags.error_count() != errors_before) return std::nullopt;
  return cat;
}

}  // namespace cordon::policy
