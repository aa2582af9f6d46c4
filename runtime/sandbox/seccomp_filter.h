// Loads the app's compiled seccomp programs into the calling process: the last confinement step
// before the sandbox's init runs (DESIGN.md order: ... limits -> seccomp -> execve), so init and
// the app both run under them. Needs no_new_privs (set earlier): the process has no
// CAP_SYS_ADMIN left.
#pragma once

#include "seccomp/compile.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

// Returns the listener of the allowlist when its denials go to cordon (Denials::notify, complain);
// an invalid fd otherwise. An Error with errno EBUSY means a listener is already installed above
// cordon (the kernel allows one per filter chain) and nothing was loaded: compile with
// Denials::errno_only and call again.
Result<UniqueFd> install_seccomp(const seccomp::Filters& filters);

}  // namespace cordon::sandbox
