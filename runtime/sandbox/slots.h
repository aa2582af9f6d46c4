// Other apps' slots (docs/slots.md), prepared by the launcher when root launches. Root's apps run as
// host ids of their own (private_ids.h), and the provider's $APP_DATA (0700, its ids) is beyond what
// the consumer's user namespace may open. So the launcher, still host root in the host's mount
// namespace, opens the slot with openat2 beneath the provider's data (no link followed, no '..'),
// checks that it is the socket or directory the slot says, and clones it into a detached mount,
// read-only unless the slot is writable, nosuid, nodev; the child attaches that mount at
// /run/slots/PROVIDER/SLOT. An unprivileged launch needs none of this: the child, the same user as
// the provider's data, opens it itself the same way (mounts.cc bind).
#pragma once

#include <vector>

#include "sandbox/context.h"
#include "sandbox/expand.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

// For each slot step of `mounts` (and the dbus proxy's socket: every step that expects a socket or
// a directory), a detached mount in `trees` and its descriptor in the step.
Result<void> prepare_slot_mounts(std::vector<Step>& mounts, const LaunchContext& ctx, std::vector<UniqueFd>& trees);

}  // namespace cordon::sandbox
