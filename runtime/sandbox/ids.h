// Who the app is: its uid and gid, mapped into its user namespace (launcher side) and, when root
// names another user, taken on by the child before it drops its capabilities.
#pragma once

#include <sys/types.h>

#include "sandbox/context.h"
#include "util/result.h"

namespace cordon::sandbox::ids {

// Writes setgroups, uid_map and gid_map of the child `pid`.
Result<void> map(pid_t pid, const LaunchContext& ctx);
// setresgid + setresuid. Expects securebits NO_SETUID_FIXUP locked, so capabilities survive it.
Result<void> apply(uid_t uid, gid_t gid);

}  // namespace cordon::sandbox::ids
