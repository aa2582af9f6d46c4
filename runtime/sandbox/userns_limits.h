// Per-sandbox caps on kernel objects whose budget is shared by a whole user (or the whole host):
// inotify instances and watches, fanotify groups and marks, and namespaces. The kernel keeps
// these counts per user namespace and charges each object to every namespace up the chain, so a
// cap written in the sandbox's own user namespace bounds what the app can take from its user's
// budget on the host — one sandbox, not all of them together (docs/sandbox.md "Kernel budgets").
// Does not cover fs.aio-max-nr (one host-wide budget with no per-namespace count): io_setup is
// kept out of the default syscalls instead (the async-io interface).
#pragma once

#include "util/result.h"

namespace cordon::sandbox::userns_limits {

// Writes the caps into /proc/sys/user/* of the calling process's user namespace. Needs
// CAP_SYS_RESOURCE there, so it runs in the child before its capabilities are dropped, and before
// the root is built (the new /proc/sys is read-only). A knob this kernel lacks is skipped.
// `one_user_namespace`: leave room for the nested namespace of root's uid-0 app (private_ids.h).
Result<void> apply(bool one_user_namespace);

}  // namespace cordon::sandbox::userns_limits
