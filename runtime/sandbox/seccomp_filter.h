// Loads the app's compiled seccomp programs into the calling process: the last confinement step
// before the sandbox's init runs (DESIGN.md order: ... limits -> seccomp -> execve), so init and
// the app both run under it. Needs no_new_privs (set earlier) since the process has no
// CAP_SYS_ADMIN left.
#pragma once

#include "seccomp/compile.h"
#include "util/result.h"

namespace cordon::sandbox {

Result<void> install_seccomp(const seccomp::Filters& filters);

}  // namespace cordon::sandbox
