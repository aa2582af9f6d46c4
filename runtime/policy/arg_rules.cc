// Argument rules and errno overrides, in syscall-sets.yaml and interface files.
#include "policy/arg_rules.h"

#include "syscalls/constants.h"

namespace cordon::policy {

using syscalls::ConstantKind;

namespace {

std::vector<Located<std::string>> read_constants(const Reader& r, const YamlNode& n, std::string_view what,
                                                 ConstantKind kind) {
  std::vector<Located<std::string>> out;
  for (Located<std::string>& c : r.string_list(n, what)) {
    if (!syscalls::constant_value(kind, c.value)) {
      r.diags.error(c.where, "unknown constant '" + c.value + "' in " + std::string(what) +
                                 "; known: " + syscalls::constant_names(kind));
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace


// `if-arg: N, if-equals: NAME`: a deny or allow-only that holds only while argument N equals NAME
// (setsockopt's option numbers mean different things at each level: SO_REUSEPORT is 15 at
// SOL_SOCKET only; socket's protocol numbers are netlink's under AF_NETLINK).
void read_condition(const Reader& r, const YamlNode& n, ArgRule& rule) {
  const YamlNode* arg = n.find("if-arg");
  const YamlNode* equals = n.find("if-equals");
  if (!arg && !equals) return;
  if (!arg || !equals || (rule.deny.empty() && rule.allow_only.empty())) {
    r.error(n, "if-arg and if-equals go together, with deny or allow-only");
    return;
  }
  if (auto a = r.integer(*arg, "if-arg", 0, 5)) rule.if_arg = static_cast<int>(*a);
  if (rule.if_arg == rule.arg) r.error(*arg, "if-arg must name another argument than arg");
  auto s = r.string(*equals, "if-equals");
  const ConstantKind kind = syscalls::argument_kind(rule.syscall.value, rule.if_arg);
  if (s && !syscalls::constant_value(kind, *s))
    r.error(*equals, "unknown constant '" + *s + "'; known: " + syscalls::constant_names(kind));
  else if (s)
    rule.if_equals = Located<std::string>{*s, r.at(*equals)};
}

std::optional<ArgRule> read_arg_rule(const Reader& r, const YamlNode& n) {
  if (!r.mapping(n, "each rule",
                 {"allow-only", "arg", "compare", "deny", "deny-all-bits", "deny-bits", "errno", "if-arg", "if-equals", "syscall",
                  "why"}))
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
  const YamlNode* all = n.find("deny-all-bits");
  if (err) {
    auto s = r.string(*err, "errno");
    if (s && !syscalls::constant_value(ConstantKind::errno_value, *s))
      r.error(*err, "unknown errno '" + *s + "'; known: " + syscalls::constant_names(ConstantKind::errno_value));
    else if (s)
      rule.errno_name = Located<std::string>{*s, r.at(*err)};
    if (arg || deny || bits || only || all)
      r.error(n, "a rule has either errno or arg with deny, deny-bits, deny-all-bits or allow-only, not both");
    return rule;
  }
  if (!arg || (!deny && !bits && !only && !all)) {
    r.error(n, "a rule needs errno, or arg with deny, deny-bits, deny-all-bits or allow-only");
    return std::nullopt;
  }
  if ((deny != nullptr) + (bits != nullptr) + (only != nullptr) + (all != nullptr) > 1)
    r.error(n, "a rule has one of deny, deny-bits, deny-all-bits and allow-only; write two rules");
  if (auto a = r.integer(*arg, "arg", 0, 5)) rule.arg = static_cast<int>(*a);
  if (const YamlNode* cmp = n.find("compare")) {
    auto s = r.string(*cmp, "compare");
    if (s && *s != "low32" && *s != "full") r.error(*cmp, "compare must be 'low32' or 'full', found '" + *s + "'");
    rule.low32 = s && *s == "low32";
  }
  const ConstantKind kind = syscalls::argument_kind(rule.syscall.value, rule.arg);
  if (deny) rule.deny = read_constants(r, *deny, "deny", kind);
  if (bits) rule.deny_bits = read_constants(r, *bits, "deny-bits", kind);
  if (only) rule.allow_only = read_constants(r, *only, "allow-only", kind);
  if (all) rule.deny_all_bits = read_constants(r, *all, "deny-all-bits", kind);
  read_condition(r, n, rule);
  return rule;
}


}  // namespace cordon::policy
