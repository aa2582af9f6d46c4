// Loads the app's compiled seccomp programs into the calling process: the last confinement step
// before the sandbox's init runs (DESIGN.md order: ... limits -> seccomp -> execve), so init and
// the app both run under them. Needs no_new_privs (set earlier): the process has no
// CAP_SYS_ADMIN left.
#pragma once

#include "plan/plan.h"
#include "seccomp/compile.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

// Returns the listener of the allowlist when `with_listener` (seccomp::needs_listener: denials go
// to cordon, or the filter brokers the network plug's sockets); an invalid fd otherwise. An Error
// with errno EBUSY means a listener is already installed above cordon (the kernel allows one per
// filter chain) and nothing was loaded: the caller decides whether it can do without one.
Result<UniqueFd> install_seccomp(const seccomp::Filters& filters, bool with_listener);

// The last confinement step: loads the filter and hands its listener to the launcher over
// `descriptors` (tag 'L' with the listener, or 'N' when the denials stay plain errno answers).
// Under something that already holds a listener (EBUSY), `errno_only` (compiled before the clone,
// see runs_under_a_filter) is loaded instead; the launcher says so once. An app whose IP sockets
// come from the supervisor cannot do without one: it fails closed rather than run without the
// network it was granted, or with the host's namespace.
Result<void> load_filter(const plan::Plan& plan, const seccomp::Filters& filters, const seccomp::Filters* errno_only,
                         int descriptors);

// Whether cordon itself runs under a seccomp filter (a container runtime's, a service manager's):
// only then can the listener be taken already, and the errno-only fallback is compiled before the
// clone, so nothing is compiled in the child. One prctl, no file read.
bool runs_under_a_filter();

}  // namespace cordon::sandbox
