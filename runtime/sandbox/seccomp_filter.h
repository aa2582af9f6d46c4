// Loads the app's compiled seccomp programs into the calling process: the last confinement step
// before the sandbox's init runs (DESIGN.md order: ... limits -> seccomp -> execve), so init and
// the app both run under them. Needs no_new_privs (set earlier): the process has no
// CAP_SYS_ADMIN left.
#pragma once

#include "seccomp/compile.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

// Returns the listener of the allowlist when `with_listener` (seccomp::needs_listener: denials go
// to cordon, or the filter brokers the network plug's sockets); an invalid fd otherwise. An Error
// with errno EBUSY means a listener is already installed above cordon (the kernel allows one per
// filter chain) and nothing was loaded: the caller decides whether it can do without one.
Result<UniqueFd> install_seccomp(const seccomp::Filters& filters, bool with_listener);

}  // namespace cordon::sandbox
