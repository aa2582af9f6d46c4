// Keeps cordon's own state (its Plan and filter caches, its configuration, the apps' data) out of
// every app's reach even where the app may write around it. A hide covers a path, not the
// directories above it: an app with a read-write grant on an ancestor could rename that ancestor
// away and build a fresh `cordon/` tree in its place — a planted policy or an allow-all filter,
// owned by the user and so trusted by the next launch. So:
//  - the invoker's state directories exist before every launch (a hide of a missing one would be
//    skipped, and the app could create it); one that is a symbolic link is hidden at its target
//    too, and a dangling one is refused;
//  - every directory between a read-write grant and a state directory inside it is bound onto
//    itself: a mount point cannot be renamed or removed (EBUSY);
//  - a grant of a state directory itself, or of anything inside one (other than the app's own
//    $APP_DATA), is refused, read-only as well (it would show another app's data); so is a
//    read-write grant that contains a state directory cordon could not create (root running an
//    app as another user does not create that user's).
// docs/sandbox.md "cordon's own state".
#pragma once

#include <string>
#include <vector>

#include "sandbox/context.h"
#include "sandbox/expand.h"
#include "sandbox/state_dir.h"
#include "util/result.h"

namespace cordon::sandbox {

// Creates the invoker's state directories where missing and returns every path to guard: root's
// system ones (and, with --user, that user's, as they are), a user's XDG ones, those an earlier
// launch's XDG variables put elsewhere (listed in ~/.local/share/cordon/elsewhere, which this
// launch adds its own to), and the targets of those that are symbolic links.
Result<std::vector<StateDir>> prepare_state_dirs(const LaunchContext& ctx);

// Adds the hides to `mounts` and refuses the grants above. Pure. The caller pins every protection
// afterwards (pin_protections) and re-sorts.
Result<void> guard_state_dirs(std::vector<Step>& mounts, const std::vector<StateDir>& dirs, const std::string& app_data);

// What cordon reads to make the next launch's Plan is never the app's to write:
//  - its own policy file, when it lies inside one of the app's read-write grants (`cordon run
//    ./app.yaml` in a project folder the policy grants), is bound read-only onto itself;
//  - a symbolic link on the way to it as it was named, inside such a grant, could be pointed at
//    another policy: refused (run the policy by its real path);
//  - a folder where policies or interfaces are looked up (CORDON_POLICY_PATH,
//    CORDON_INTERFACE_PATH, ...) inside a read-write grant, or holding one: refused. Pure.
Result<void> keep_inputs_read_only(std::vector<Step>& mounts, const LaunchContext& ctx);

// The same for the Plan's own protections: a hide, a read-only bind or a tmpfs below a read-write
// grant is a mount point, which cannot be renamed, but the directories above it could be, taking
// the mount along and leaving the path free for the app to rebuild (a hidden secret found under
// the new name; a read-only .git/hooks replaced by a writable one). Every directory between the
// grant and the protection is bound onto itself, so none of them can move.
void pin_protections(std::vector<Step>& mounts);

}  // namespace cordon::sandbox
