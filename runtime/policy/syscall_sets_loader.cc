// policies/syscall-sets.yaml: named syscall sets, their argument rules, and the syscalls no set may hold.
// Checks names and rule shapes here; include cycles and coverage are the resolver's and the tests' job.
#include <algorithm>
#include <set>

#include "policy/fields.h"
#include "policy/arg_rules.h"
#include "policy/load.h"
#include "syscalls/constants.h"

namespace cordon::policy {

namespace {

using syscalls::ConstantKind;

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
        if (auto rule = read_arg_rule(r, item)) set.rules.push_back(std::move(*rule));
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
