// plan::resolve's seccomp part: syscall sets expanded (include cycles named), allows and denies
// merged with deny winning, argument rules carried with their reasons, socket() limited to the
// granted address families.
#include <map>
#include <set>

#include "plan/resolve_parts.h"
#include "policy/suggest.h"
#include "syscalls/init_syscalls.h"

namespace cordon::plan::detail {

namespace {

using policy::Diagnostics;
using policy::Where;

// ---- seccomp -----------------------------------------------------------------------------

class SeccompResolver {
 public:
  SeccompResolver(const policy::SyscallCatalog& cat, Diagnostics& diags) : cat_(cat), diags_(diags) {}

  void use_set(const policy::Located<std::string>& name, const Source& from) { use_set_named(name.value, from, name.where, {}); }

  // The bundle checks refused allows of syscalls the catalogue denies outright.
  void allow(const policy::Located<std::string>& name, const Source& from) { add_named(allowed_, name.value, from); }
  void deny(const policy::Located<std::string>& name, const Source& from) {
    add_named(denied_, name.value, from);
    deny_where_.emplace(name.value, name.where);
  }
  void family(const policy::Located<std::string>& name, const Source& from) { add_named(families_, name.value, from); }
  // An interface's own argument rule (W^X, say): it only ever narrows what the sets allow.
  void add_rule(const policy::ArgRule& rule, const Source& from) {
    Rule r = rule_of(rule, "");
    r.from = {from};
    rules_.push_back(std::move(r));
  }

  // `where` is reported when the catalogue's sets, not a deny, leave out a call init needs.
  void finish(Plan& plan, const policy::Where& where) {
    std::set<std::string> denied_names;
    for (const Named& d : denied_) denied_names.insert(d.name);
    for (Named& a : allowed_)
      if (!denied_names.count(a.name)) plan.syscalls.push_back(a);
    plan.denied = denied_;
    plan.syscall_sets = sets_;
    plan.socket_families = families_;
    for (Rule& r : rules_)
      if (!denied_names.count(r.syscall)) plan.rules.push_back(r);
    // Always present: no family granted means socket() may create none, not any. socketpair()
    // creates its two sockets through the same kernel path as socket() (protocol lookup, module
    // loading) before it finds that only AF_UNIX makes pairs, so it gets AF_UNIX at most.
    for (const char* call : {"socket", "socketpair"})
      if (!denied_names.count(call)) plan.rules.push_back(socket_rule(call));
    for (const policy::DeniedSyscall& d : cat_.denied) plan.denied_to_all.push_back(d.syscall.value);
    std::sort(plan.denied_to_all.begin(), plan.denied_to_all.end());
    auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
    std::sort(plan.syscalls.begin(), plan.syscalls.end(), by_name);
    std::sort(plan.denied.begin(), plan.denied.end(), by_name);
    std::sort(plan.syscall_sets.begin(), plan.syscall_sets.end(), by_name);
    std::sort(plan.socket_families.begin(), plan.socket_families.end(), by_name);
    std::stable_sort(plan.rules.begin(), plan.rules.end(),
                     [](const Rule& a, const Rule& b) { return a.syscall < b.syscall; });
    refuse_without_init_syscalls(plan, where);
  }

 private:
  static void add_named(std::vector<Named>& list, const std::string& name, const Source& from) {
    auto it = std::find_if(list.begin(), list.end(), [&](const Named& n) { return n.name == name; });
    if (it == list.end()) list.push_back(Named{name, {from}});
    else add_source(it->from, from);
  }

  // `chain` holds the sets being expanded, to name an include cycle instead of looping.
  void use_set_named(const std::string& name, const Source& from, const Where& where, std::vector<std::string> chain) {
    if (std::find(chain.begin(), chain.end(), name) != chain.end()) {
      chain.push_back(name);
      diags_.error(where, "syscall sets include each other in a cycle: " + policy::join(chain, " -> "));
      return;
    }
    const policy::SyscallSet* set = cat_.find(name);
    if (!set) return;  // reported by the bundle checks
    auto used = std::find_if(sets_.begin(), sets_.end(), [&](const SetUse& s) { return s.name == name; });
    if (used != sets_.end()) {
      add_source(used->from, from);
      return;
    }
    SetUse use{name, set->summary, {from}, {}};
    const Source member_from{Origin::set, name, basename_of(cat_.file), 0};
    for (const auto& sc : set->syscalls) {
      use.syscalls.push_back(sc.value);
      add_named(allowed_, sc.value, Source{member_from.origin, member_from.name, member_from.file, sc.where.line});
    }
    std::sort(use.syscalls.begin(), use.syscalls.end());
    sets_.push_back(std::move(use));
    for (const policy::ArgRule& r : set->rules) rules_.push_back(rule_of(r, name));
    chain.push_back(name);
    for (const auto& inc : set->include)
      use_set_named(inc.value, source(set_origin(name), inc.where), inc.where, chain);
  }

  Rule rule_of(const policy::ArgRule& r, const std::string& set) const {
    Rule out;
    out.syscall = r.syscall.value;
    out.arg = r.arg;
    out.low32 = r.low32;
    out.why = r.why;
    out.if_arg = r.if_arg;
    if (r.if_equals) out.if_equals = r.if_equals->value;
    out.from = {source(set_origin(set), r.where)};
    if (r.errno_name) {
      out.action = RuleAction::fail_with_errno;
      out.errno_name = r.errno_name->value;
    } else if (!r.deny.empty()) {
      out.action = RuleAction::deny;
      for (const auto& v : r.deny) out.values.push_back(v.value);
    } else if (!r.allow_only.empty()) {
      out.action = RuleAction::allow_only;
      for (const auto& v : r.allow_only) out.values.push_back(v.value);
    } else if (!r.deny_all_bits.empty()) {
      out.action = RuleAction::deny_all_bits;
      for (const auto& v : r.deny_all_bits) out.values.push_back(v.value);
    } else {
      out.action = RuleAction::deny_bits;
      for (const auto& v : r.deny_bits) out.values.push_back(v.value);
    }
    return out;
  }

  // socket() may only create the address families some grant named (base: AF_UNIX, and AF_INET,
  // AF_INET6 and route netlink in the app's own network namespace).
  Rule socket_rule(std::string_view call) const {
    const bool pairs = call == "socketpair";
    Rule r;
    r.syscall = std::string(call);
    r.action = RuleAction::allow_only;
    r.arg = 0;
    r.low32 = true;
    r.why = pairs ? "only AF_UNIX makes pairs; with any other family the kernel would create the sockets (and load "
                    "protocol modules) before it refuses"
          : families_.empty() ? "no interface grants an address family, so socket() creates none"
                              : "address families are granted by interfaces; base.yaml's IP sockets reach only the app's own loopback, the network plug's the host's network";
    for (const Named& f : families_) {
      if (pairs && f.name != "AF_UNIX") continue;
      r.values.push_back(f.name);
      for (const Source& s : f.from) add_source(r.from, s);
    }
    return r;
  }

  void refuse_without_init_syscalls(const Plan& plan, const policy::Where& where) {
    std::vector<std::string> lacking;
    for (std::string_view needed : syscalls::kInitSyscalls) {
      const std::string name(needed);
      if (has_name(plan.syscalls, name)) continue;
      auto denied = deny_where_.find(name);
      if (denied != deny_where_.end())
        diags_.error(denied->second, "'" + name + "' cannot be denied: the sandbox's init needs it under the same "
                                     "filter (docs/seccomp.md)");
      else
        lacking.push_back(name);
    }
    if (!lacking.empty())
      diags_.error(where, "the allowlist lacks " + policy::join(lacking) +
                              ", which the sandbox's init needs under the same filter; the base's syscall sets must "
                              "include them");
  }

  const policy::SyscallCatalog& cat_;
  Diagnostics& diags_;
  std::map<std::string, policy::Where> deny_where_;
  std::vector<Named> allowed_;
  std::vector<Named> denied_;
  std::vector<Named> families_;
  std::vector<SetUse> sets_;
  std::vector<Rule> rules_;
};

}  // namespace

void resolve_seccomp(const std::vector<GrantFrom>& grants, const policy::AppPolicy& app,
                     const policy::SyscallCatalog& cat, Plan& plan, Diagnostics& diags) {
  SeccompResolver r(cat, diags);
  for (const GrantFrom& g : grants) {
    const policy::SeccompSection& s = g.grants->seccomp;
    for (const auto& name : s.sets) r.use_set(name, source(g.who, name.where));
    for (const auto& name : s.allow) r.allow(name, source(g.who, name.where));
    for (const auto& name : s.deny) r.deny(name, source(g.who, name.where));
    for (const auto& name : s.socket_families) r.family(name, source(g.who, name.where));
    for (const policy::ArgRule& rule : s.rules) r.add_rule(rule, source(g.who, rule.where));
  }
  for (const auto& name : app.seccomp.allow) r.allow(name, source(kApp, name.where));
  for (const auto& name : app.seccomp.deny) r.deny(name, source(kApp, name.where));
  r.finish(plan, app.name.where);
}

}  // namespace cordon::plan::detail
