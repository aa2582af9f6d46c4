#include "seccomp/compile.h"
#include "seccomp/learn_calls.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "syscalls/constants.h"
#include "util/build_identity.h"
#include "util/unique_fd.h"

#ifndef CORDON_VERSION
#error "CORDON_VERSION must be defined by the build"
#endif

namespace cordon::seccomp {

using syscalls::argument_kind;
using syscalls::constant_value;
using syscalls::ConstantKind;

namespace {

constexpr std::size_t kMaxProgram = 4096;  // BPF_MAXINSNS

// Part of every filter cache key: bump it with any change to what compile() generates for the
// same Plan (rule shapes, the splice, the modes), or warm caches keep the old programs.
constexpr int kFilterLayout = 5;  // 5: complain mode hands over the path calls

// x86_64 numbers end well below this; the x32 range (0x40000000+) is killed as a foreign ABI.
constexpr int kLastSyscallNumber = 1023;

struct ContextDeleter {
  void operator()(void* ctx) const { ::seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

Error libseccomp_fail(const std::string& what, int rc) {
  errno = -rc;
  return sys_fail("seccomp", what);
}

Result<Context> new_context(std::uint32_t default_action) {
  Context ctx(::seccomp_init(default_action));
  if (!ctx) return fail("seccomp", "create a libseccomp filter context (seccomp_init)");
  struct Attr {
    scmp_filter_attr attr;
    std::uint32_t value;
  };
  const Attr attrs[] = {
      {SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS},  // i386 via int 0x80, x32: killed
      {SCMP_FLTATR_CTL_NNP, 0},                          // cordon sets no_new_privs itself, earlier
      {SCMP_FLTATR_CTL_OPTIMIZE, 2},                     // a binary tree over syscall numbers
  };
  for (const Attr& a : attrs)
    if (int rc = ::seccomp_attr_set(ctx.get(), a.attr, a.value); rc != 0) return libseccomp_fail("seccomp_attr_set", rc);
  return ctx;
}

Result<int> syscall_number(const std::string& name) {
  const int nr = ::seccomp_syscall_resolve_name(name.c_str());
  if (nr < 0) return fail("seccomp", "syscall " + name + " is unknown to libseccomp on this architecture");
  return nr;
}

Result<Program> export_program(void* ctx) {
  UniqueFd fd(::memfd_create("cordon-seccomp", MFD_CLOEXEC));
  if (!fd.valid()) return sys_fail("seccomp", "memfd_create");
  if (int rc = ::seccomp_export_bpf(ctx, fd.get()); rc != 0) return libseccomp_fail("seccomp_export_bpf", rc);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_fail("seccomp", "stat the exported filter");
  if (st.st_size % sizeof(sock_filter) != 0) return fail("seccomp", "read the exported filter: not whole instructions");
  Program p;
  p.code.resize(static_cast<std::size_t>(st.st_size) / sizeof(sock_filter));
  if (::pread(fd.get(), p.code.data(), static_cast<std::size_t>(st.st_size), 0) != st.st_size)
    return sys_fail("seccomp", "read the exported filter");
  return p;
}


Result<std::vector<std::uint64_t>> rule_values(const plan::Rule& r) {
  std::vector<std::uint64_t> out;
  for (const std::string& name : r.values) {
    auto v = constant_value(argument_kind(r.syscall, r.arg), name);
    if (!v) return fail("seccomp", r.syscall + " rule: unknown constant " + name);
    out.push_back(*v);
  }
  return out;
}


// What the allowlist answers for each syscall number libseccomp knows (numbers left out get the
// program's default: ENOSYS, or the supervisor's answer).
Result<std::map<int, std::uint32_t>> allowlist_actions(const plan::Plan& plan, Denials denials) {
  std::map<int, std::uint32_t> action;
  const std::set<std::string> never(plan.denied_to_all.begin(), plan.denied_to_all.end());
  for (int nr = 0; nr <= kLastSyscallNumber; ++nr) {
    char* name = ::seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (!name) continue;
    // Complain mode lets through only what a plug or seccomp.allow could grant.
    const bool deny_here = denials == Denials::errno_only ||
                           (denials == Denials::complain && never.count(name));
    std::free(name);
    if (deny_here) action[nr] = SCMP_ACT_ERRNO(EPERM);
  }
  for (const plan::Named& s : plan.syscalls) {
    auto nr = syscall_number(s.name);
    if (!nr) return nr.error();
    action[*nr] = SCMP_ACT_ALLOW;
  }
  for (const plan::Rule& r : plan.rules) {
    if (r.action != plan::RuleAction::fail_with_errno) continue;
    auto nr = syscall_number(r.syscall);
    auto value = constant_value(ConstantKind::errno_value, r.errno_name);
    if (!nr) return nr.error();
    if (!value) return fail("seccomp", r.syscall + " rule: unknown errno " + r.errno_name);
    action[*nr] = SCMP_ACT_ERRNO(static_cast<std::uint32_t>(*value));
  }
  // A network narrowed to TCP ports: listen() goes to the supervisor, which refuses a socket that
  // was never bound (the kernel would give it an ephemeral port that no bind rule saw:
  // sandbox/socket_broker.h). Every mode, like the brokered socket() calls.
  if (listen_is_brokered(plan)) action[SCMP_SYS(listen)] = SCMP_ACT_NOTIFY;
  // Learn mode: the path and address calls the Plan allows go to the supervisor too, which notes
  // what they name and lets the call through (learn_calls.h).
  if (denials == Denials::complain) {
    auto watch = [&](std::string_view name) {
      auto nr = syscall_number(std::string(name));
      if (nr && action.count(*nr) && action[*nr] == SCMP_ACT_ALLOW) action[*nr] = SCMP_ACT_NOTIFY;
    };
    for (const PathCall& c : path_calls()) watch(c.name);
    for (const AddressCall& c : address_calls()) watch(c.name);
  }
  return action;
}

scmp_arg_cmp compare_equal(const plan::Rule& r, std::uint64_t value) {
  const auto arg = static_cast<unsigned>(r.arg);
  return r.low32 ? SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, 0xffffffffull, value) : SCMP_CMP(arg, SCMP_CMP_EQ, value);
}

// With a listener, an allow-only rule (socket families) becomes conditional allows in the
// allowlist: a family the Plan lacks then reaches the supervisor, which can name the plug that
// would grant it. (In the argument program its EPERM would win over the notification.)
// Without a listener too when a listed value is too large to deny the others one by one
// (personality); a value outside the list then answers ENOSYS, the allowlist's own default.
bool allow_only_in_allowlist(const plan::Rule& r, Denials denials) {
  if (r.action != plan::RuleAction::allow_only || r.if_arg >= 0) return false;  // a conditional one denies in the rules
  if (denials != Denials::errno_only) return true;
  auto values = rule_values(r);
  return !values || std::any_of(values->begin(), values->end(), [](std::uint64_t v) { return v >= kAllowOnlyLimit; });
}

// socket()'s family rule is conditional in the allowlist whenever the Plan brokers a family, in
// every mode: the brokered families must reach the listener, and an unconditional allow of socket
// would absorb that (see the file comment). In errno_only mode the rule also stays in the argument
// rules, which answer EPERM for the families the Plan lacks before the allowlist is consulted.
bool routes_to_broker(const plan::Rule& r, const std::vector<std::uint64_t>& brokered) {
  return r.syscall == "socket" && r.action == plan::RuleAction::allow_only && r.arg == 0 && r.if_arg < 0 && !brokered.empty();
}

// Each listed value: ALLOW, or for a brokered socket family NOTIFY (the supervisor makes the
// socket). A NOTIFY that is the program's default already needs no rule (libseccomp refuses it).
Result<void> add_conditional_allows(void* ctx, const plan::Rule& r, const std::vector<std::uint64_t>& brokered,
                                    std::uint32_t fallback) {
  auto nr = syscall_number(r.syscall);
  if (!nr) return nr.error();
  auto values = rule_values(r);
  if (!values) return values.error();
  for (std::uint64_t v : *values) {
    const bool broker = routes_to_broker(r, brokered) && std::count(brokered.begin(), brokered.end(), v) > 0;
    const std::uint32_t act = broker ? SCMP_ACT_NOTIFY : SCMP_ACT_ALLOW;
    if (act == fallback) continue;
    const scmp_arg_cmp c = compare_equal(r, v);
    if (int rc = ::seccomp_rule_add_array(ctx, act, *nr, 1, &c); rc != 0)
      return libseccomp_fail(r.syscall + " allow-only rule", rc);
  }
  return {};
}

Result<Program> compile_allowlist(const plan::Plan& plan, Denials denials) {
  const std::uint32_t fallback = denials == Denials::errno_only ? SCMP_ACT_ERRNO(ENOSYS) : SCMP_ACT_NOTIFY;
  auto ctx = new_context(fallback);
  if (!ctx) return ctx.error();
  auto actions = allowlist_actions(plan, denials);
  if (!actions) return actions.error();
  const std::vector<std::uint64_t> brokered = brokered_families(plan);
  std::set<int> conditional;  // allowed only for the listed values, so never unconditionally
  for (const plan::Rule& r : plan.rules)
    if (allow_only_in_allowlist(r, denials) || routes_to_broker(r, brokered)) {
      auto nr = syscall_number(r.syscall);
      if (!nr) return nr.error();
      conditional.insert(*nr);
      // Only for a syscall the Plan allows: a rule narrows, it never grants.
      if (plan::has_name(plan.syscalls, r.syscall))
        CORDON_TRY(add_conditional_allows(ctx->get(), r, brokered, fallback));
    }
  for (const auto& [nr, act] : *actions) {
    if (act == fallback) continue;  // the default already (libseccomp refuses the same action)
    if (act == SCMP_ACT_ALLOW && conditional.count(nr)) continue;
    if (int rc = ::seccomp_rule_add(ctx->get(), act, nr, 0); rc != 0)
      return libseccomp_fail("allow or deny syscall " + std::to_string(nr), rc);
  }
  return export_program(ctx->get());
}

// The values [from, to) of an argument's low 32 bits as aligned power-of-two blocks, each one
// masked comparison: a range in at most ~64 comparisons, and no rule compares one argument twice.
void add_low32_blocks(std::vector<scmp_arg_cmp>& out, unsigned arg, std::uint64_t from, std::uint64_t to) {
  while (from < to) {
    std::uint64_t size = from == 0 ? (1ull << 32) : (from & (~from + 1));  // the largest block aligned at `from`
    while (from + size > to) size >>= 1;
    out.push_back(SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, 0xffffffffull & ~(size - 1), from));
    from += size;
  }
}

// The comparisons that each deny by themselves (libseccomp ORs the rules of a syscall): one per
// value or bit, each a single comparison, so no rule compares one argument twice.
Result<std::vector<scmp_arg_cmp>> denying_comparisons(const plan::Rule& r) {
  auto values = rule_values(r);
  if (!values) return values.error();
  const auto arg = static_cast<unsigned>(r.arg);
  std::vector<scmp_arg_cmp> out;
  if (r.action == plan::RuleAction::deny) {
    for (std::uint64_t v : *values) out.push_back(compare_equal(r, v));
  } else if (r.action == plan::RuleAction::deny_bits) {
    for (std::uint64_t bit : *values) out.push_back(SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, bit, bit));
  } else if (r.action == plan::RuleAction::deny_all_bits) {
    std::uint64_t mask = 0;
    for (std::uint64_t bit : *values) mask |= bit;
    out.push_back(SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, mask, mask));
  } else if (r.action == plan::RuleAction::allow_only) {
    const std::set<std::uint64_t> allowed(values->begin(), values->end());
    for (std::uint64_t v = 0; v < kAllowOnlyLimit; ++v)
      if (!allowed.count(v)) out.push_back(compare_equal(r, v));
    if (allowed.empty() || *allowed.rbegin() < kAllowOnlyLimit) {
      out.push_back(SCMP_CMP(arg, SCMP_CMP_GE, kAllowOnlyLimit));
    } else {  // a listed value above the enumerated ones: the gaps around it, as aligned blocks
      if (!r.low32) return fail("seccomp", r.syscall + " rule: allow-only values of 64 and above need compare: low32");
      std::uint64_t from = kAllowOnlyLimit;
      for (auto it = allowed.lower_bound(kAllowOnlyLimit); it != allowed.end(); from = *it + 1, ++it)
        add_low32_blocks(out, arg, from, *it);
      add_low32_blocks(out, arg, from, 1ull << 32);
    }
  } else {
    return fail("seccomp", r.syscall + " rule: unknown action " + plan::to_string(r.action));
  }
  return out;
}

// A rule with `if-arg` denies only while that other argument equals `if-equals`: each denying
// comparison becomes a rule of two, which libseccomp ANDs.
Result<void> add_argument_rule(void* ctx, const plan::Rule& r) {
  auto nr = syscall_number(r.syscall);
  if (!nr) return nr.error();
  auto denials = denying_comparisons(r);
  if (!denials) return denials.error();
  const std::uint32_t deny = SCMP_ACT_ERRNO(EPERM);
  std::optional<scmp_arg_cmp> condition;
  if (r.if_arg >= 0) {
    auto level = constant_value(argument_kind(r.syscall, r.if_arg), r.if_equals);
    if (!level) return fail("seccomp", r.syscall + " rule: unknown constant " + r.if_equals);
    const auto other = static_cast<unsigned>(r.if_arg);
    condition = r.low32 ? SCMP_CMP(other, SCMP_CMP_MASKED_EQ, 0xffffffffull, *level) : SCMP_CMP(other, SCMP_CMP_EQ, *level);
  }
  for (const scmp_arg_cmp& c : *denials) {
    const scmp_arg_cmp both[2] = {condition.value_or(c), c};
    if (int rc = ::seccomp_rule_add_array(ctx, deny, *nr, condition ? 2 : 1, condition ? both : &c); rc != 0)
      return libseccomp_fail(r.syscall + " argument rule", rc);
  }
  return {};
}

// Whether another rule of the same syscall already refuses every call where r's condition holds:
// it denies argument r.if_arg's value r.if_equals outright (the network plug refuses AF_NETLINK,
// under which base's netlink protocol rule holds). Such a rule adds nothing, and libseccomp 2.5.4
// leaks the nodes of a rule that a broader one subsumes.
bool condition_refused_outright(const plan::Plan& plan, const plan::Rule& r, Denials denials) {
  if (r.if_arg < 0) return false;
  for (const plan::Rule& o : plan.rules) {
    if (o.syscall != r.syscall || o.if_arg >= 0 || o.arg != r.if_arg || o.low32 != r.low32) continue;
    const bool listed = std::count(o.values.begin(), o.values.end(), r.if_equals) > 0;
    if (o.action == plan::RuleAction::deny && listed) return true;
    if (o.action == plan::RuleAction::allow_only && !listed && !allow_only_in_allowlist(o, denials)) return true;
  }
  return false;
}

Result<std::optional<Program>> compile_argument_rules(const plan::Plan& plan, Denials denials) {
  auto ctx = new_context(SCMP_ACT_ALLOW);
  if (!ctx) return ctx.error();
  bool any = false;
  for (const plan::Rule& r : plan.rules) {
    if (r.action == plan::RuleAction::fail_with_errno || allow_only_in_allowlist(r, denials)) continue;  // in the allowlist
    if (condition_refused_outright(plan, r, denials)) continue;
    CORDON_TRY(add_argument_rule(ctx->get(), r));
    any = true;
  }
  if (!any) return std::optional<Program>();
  auto p = export_program(ctx->get());
  if (!p) return p.error();
  return std::optional<Program>(std::move(*p));
}

}  // namespace

std::vector<std::uint64_t> brokered_families(const plan::Plan& plan) {
  std::vector<std::uint64_t> out;
  if (plan.network != plan::NetworkMode::host || !plan::has_name(plan.syscalls, "socket")) return out;
  for (const plan::Rule& r : plan.rules) {
    if (r.syscall != "socket" || r.action != plan::RuleAction::allow_only || r.arg != 0 || r.if_arg >= 0) continue;
    for (const std::string& name : r.values)
      if (name == "AF_INET" || name == "AF_INET6")  // the families the network plug grants
        if (auto v = constant_value(argument_kind(r.syscall, r.arg), name)) out.push_back(*v);
  }
  return out;
}

bool listen_is_brokered(const plan::Plan& plan) {
  return plan.ports.active && plan.network == plan::NetworkMode::host && plan::has_name(plan.syscalls, "listen");
}

bool needs_listener(const plan::Plan& plan, Denials denials) {
  return denials != Denials::errno_only || !brokered_families(plan).empty() || listen_is_brokered(plan);
}

// One program from the two: the argument rules first, each of their ALLOW answers turned into a
// jump to the allowlist. Its answer is then the argument rules' denial or else the allowlist's —
// the strictest of the two, as if both were loaded — but the kernel runs one filter instead of two
// for a call with argument rules, and the whole chain has one place for a listener.
Program splice(const Program& rules, const Program& allowlist) {
  Program out;
  out.code = rules.code;
  for (std::size_t pc = 0; pc < out.code.size(); ++pc) {
    sock_filter& in = out.code[pc];
    if (in.code == (BPF_RET | BPF_K) && in.k == SCMP_ACT_ALLOW)
      in = sock_filter{static_cast<std::uint16_t>(BPF_JMP | BPF_JA), 0, 0, static_cast<std::uint32_t>(out.code.size() - pc - 1)};
  }
  out.code.insert(out.code.end(), allowlist.code.begin(), allowlist.code.end());
  return out;
}

Result<Parts> compile_parts(const plan::Plan& plan, Denials denials) {
  auto allowlist = compile_allowlist(plan, denials);
  if (!allowlist) return allowlist.error();
  auto rules = compile_argument_rules(plan, denials);
  if (!rules) return rules.error();
  return Parts{std::move(*allowlist), std::move(*rules)};
}

Result<Filters> compile(const plan::Plan& plan, Denials denials) {
  auto parts = compile_parts(plan, denials);
  if (!parts) return parts.error();
  return assemble(std::move(*parts), denials, kMaxProgram);
}

Filters assemble(Parts parts, Denials denials, std::size_t max_program) {
  Filters f;
  f.denials = denials;
  const auto& rules = parts.argument_rules;
  if (rules && rules->code.size() + parts.allowlist.code.size() <= max_program) {
    f.programs.push_back(splice(*rules, parts.allowlist));
  } else {  // too long for one program: load both (the kernel still applies the strictest answer)
    f.programs.push_back(std::move(parts.allowlist));
    if (rules) f.programs.push_back(std::move(*parts.argument_rules));
  }
  return f;
}

const char* to_string(Denials d) {
  switch (d) {
    case Denials::errno_only: return "errno";
    case Denials::notify: return "notify";
    case Denials::complain: return "complain";
  }
  return "?";
}




std::string filter_key(const plan::Plan& plan, Denials denials) {
  const scmp_version* v = ::seccomp_version();
  std::string key = std::string("cordon " CORDON_VERSION "\nbuild ") + executable_identity() + "\nlayout " +
                    std::to_string(kFilterLayout) + "\ndenials " +
                    to_string(denials) + "\nlibseccomp " + std::to_string(v->major) + "." + std::to_string(v->minor) +
                    "." + std::to_string(v->micro) + "\narch " + std::to_string(::seccomp_arch_native()) +
                    "\nnetwork " + plan::to_string(plan.network) + "\nallow";
  for (const plan::Named& s : plan.syscalls) key += " " + s.name;
  key += "\nnever";
  for (const std::string& s : plan.denied_to_all) key += " " + s;
  for (const plan::Rule& r : plan.rules) {
    key += "\nrule " + r.syscall + " " + plan::to_string(r.action) + " " + std::to_string(r.arg) + (r.low32 ? " low32 " : " full ") + r.errno_name;
    if (r.if_arg >= 0) key += " if " + std::to_string(r.if_arg) + "=" + r.if_equals;
    for (const std::string& value : r.values) key += " " + value;
  }
  return key;
}

}  // namespace cordon::seccomp
