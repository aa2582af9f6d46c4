// Who the app is: its uid and gid, mapped into its user namespace (launcher side) and, when root
// names another user, taken on by the child before it drops its capabilities.
#pragma once

#include <sys/types.h>

#include <vector>

#include "sandbox/context.h"
#include "util/result.h"

namespace cordon::sandbox::ids {

// Writes setgroups, uid_map and gid_map of the child `pid`. With ctx.host_id_base the child stays
// host root in this first namespace (it builds the root from host files) and the app's range is
// mapped too, for the nested namespace the app runs in (enter_private_ids).
Result<void> map(pid_t pid, const LaunchContext& ctx);

// Root's uid-0 app, once its root is built: unshares a nested user namespace whose ids 0..65535
// are ids 1..65536 of the first one (host ids BASE..: map() put them there), and becomes its uid
// and gid 0 with no supplementary groups. Its capabilities then count in the nested namespace
// only: host root's files are just another user's files. Only a process in the first namespace
// may write the nested one's maps, so a short-lived helper forked before the unshare does it.
Result<void> enter_private_ids();
// setgroups (the user's supplementary `groups`, root's dropped) + setresgid + setresuid. Expects
// securebits NO_SETUID_FIXUP locked, so capabilities survive it.
Result<void> apply(uid_t uid, gid_t gid, const std::vector<gid_t>& groups);

}  // namespace cordon::sandbox::ids
