// The Plan's seccomp part -> BPF programs, with libseccomp (DESIGN.md "Layout").
//
// Two programs, both loaded; for every call the kernel applies the strictest answer of the two:
//  1. the allowlist: every syscall the Plan allows -> ALLOW; every other syscall this libseccomp
//     knows -> EPERM; errno rules (clone3, io_uring_setup -> ENOSYS); any number it does not know
//     (newer than the filter) -> ENOSYS, so libc falls back.
//  2. the argument rules: default ALLOW; a call matching a deny, a deny-bits or falling outside an
//     allow-only list -> EPERM.
// They are separate because libseccomp 2.5.4 lets an unconditional allow of a syscall silently
// absorb a conditional deny of the same syscall (ioctl would lose its TIOCSTI rule) and refuses two
// comparisons on one argument in one rule; in a program of their own, with ALLOW as the default,
// argument denies need neither. Both programs kill the process for a call from another
// architecture (i386 through int 0x80, x32 through the x32 bit). docs/seccomp.md.
#pragma once

#include <linux/filter.h>

#include <optional>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "util/result.h"

namespace cordon::seccomp {

struct Program {
  std::vector<sock_filter> code;
};

// How the allowlist answers what the Plan does not allow.
enum class Denials {
  errno_only,  // EPERM (known syscalls) or ENOSYS (unknown numbers), in the filter
  notify,      // SECCOMP_RET_USER_NOTIF: cordon's supervisor answers the same errno and says what
               // was denied and which plug would allow it (docs/seccomp.md "Denial diagnostics")
  complain,    // as notify, but the supervisor lets the call through and logs it — only a call a
               // plug or seccomp.allow could grant: the catalogue's `denied:` list (namespace
               // creation, bpf, io_uring, modules, kexec, ...) stays EPERM in the filter, argument
               // rules keep denying, numbers nobody can name are answered ENOSYS
};
const char* to_string(Denials d);

struct Filters {
  std::vector<Program> programs;     // the allowlist, then the argument rules (if any)
  Denials denials = Denials::errno_only;
};

Result<Filters> compile(const plan::Plan& plan, Denials denials = Denials::errno_only);

// The socket families whose socket() the filter hands to cordon's supervisor in every mode, even
// errno_only (--quiet): with the network plug (Plan network "host") the app keeps a network
// namespace of its own, and its AF_INET/AF_INET6 sockets are made by the supervisor in the host's
// (sandbox/socket_broker.h). Empty when the Plan's network is "none", when it grants neither
// family, or when its allowlist lacks socket. socketpair() is not brokered: the kernel has no
// AF_INET pairs anyway.
std::vector<std::uint64_t> brokered_families(const plan::Plan& plan);

// Whether listen() goes to the supervisor: a network narrowed to TCP ports (plan.h PortFilter).
bool listen_is_brokered(const plan::Plan& plan);
// Whether the filter needs a listener: its denials go to cordon, or it brokers sockets.
bool needs_listener(const plan::Plan& plan, Denials denials);

// compile() in its steps, for tests that compare the spliced program with the two it came from.
struct Parts {
  Program allowlist;
  std::optional<Program> argument_rules;
};
Result<Parts> compile_parts(const plan::Plan& plan, Denials denials);
// The argument rules first, each ALLOW of theirs a jump to the allowlist that follows.
Program splice(const Program& rules, const Program& allowlist);
// One spliced program, or the two of them when together they exceed `max_program` instructions.
Filters assemble(Parts parts, Denials denials, std::size_t max_program);

// Everything the compiled programs depend on: the Plan's allowlist and rules, how denials are
// answered, libseccomp's version, the architecture and cordon's version. The filter cache is
// keyed by it.
std::string filter_key(const plan::Plan& plan, Denials denials = Denials::errno_only);

// For an allow-only rule: values at or above this are always denied, and every value below it
// not in the list is denied one by one (socket families are below 64).
constexpr std::uint64_t kAllowOnlyLimit = 64;

}  // namespace cordon::seccomp
