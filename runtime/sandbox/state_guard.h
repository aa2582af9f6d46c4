// Keeps cordon's own state (its Plan and filter caches, its configuration, the apps' data) out of
// every app's reach even where the app may write around it. A hide covers a path, not the
// directories above it: an app with a read-write grant on an ancestor could rename that ancestor
// away and build a fresh `cordon/` tree in its place — a planted policy or an allow-all filter,
// owned by the user and so trusted by the next launch. So:
//  - the state directories exist before every launch (a hide of a missing one would be skipped,
//    and the app could create it);
//  - every directory between a read-write bind and a state directory inside it is bound onto
//    itself: a mount point cannot be renamed or removed (EBUSY);
//  - a read-write bind of a state directory itself, or of anything inside one (other than the
//    app's own $APP_DATA), is refused.
// docs/sandbox.md "cordon's own state".
#pragma once

#include <string>
#include <vector>

#include "sandbox/context.h"
#include "sandbox/expand.h"
#include "util/result.h"

namespace cordon::sandbox {

// The state directories of this launch: the invoker's XDG ones, or root's system ones.
std::vector<std::string> state_dirs(const LaunchContext& ctx);

// Creates any that is missing (0700 for a user's, 0755 for root's /etc/cordon).
Result<void> create_state_dirs(const std::vector<std::string>& dirs);

// Adds the self-binds to `mounts` (then re-sorted by the caller) and refuses a read-write bind
// into a state directory. Pure.
Result<void> guard_state_dirs(std::vector<Step>& mounts, const std::vector<std::string>& dirs,
                              const std::string& app_data);

}  // namespace cordon::sandbox
