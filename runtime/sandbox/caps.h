// Capabilities: every set empty (bounding and ambient included) and securebits locked, so that
// neither execve of a setuid or file-capability binary nor uid 0 can bring one back.
#pragma once

#include "util/result.h"

namespace cordon::sandbox::caps {

// Needs CAP_SETPCAP (held in the new user namespace): call before giving up the others.
Result<void> lock_bounding_and_securebits();
// Empties effective, permitted, inheritable and ambient.
Result<void> drop_all();

// no_new_privs: no execve can ever grant a privilege again (setuid bits, file capabilities), and
// the seccomp filter can be loaded without CAP_SYS_ADMIN.
Result<void> forbid_new_privileges();

}  // namespace cordon::sandbox::caps
