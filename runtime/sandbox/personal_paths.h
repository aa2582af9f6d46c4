// What on this host belongs to a person or to cordon, decided on resolved paths and inode
// identities, never on how a policy spells a path: an app policy's own filesystem section may not
// reach any user's home, the session's runtime directory, or cordon's state and other apps' data
// (DESIGN.md "Trust"). Those come only through the interfaces that grant them (home, ...).
//  - A grant at or below such a path (by its resolved path, or by a directory on its way that is
//    the same inode, as a bind-mounted alias is) is refused.
//  - A grant that contains one (granting /srv where a home is /srv/alice) gets it hidden inside,
//    unless an interface grants that path itself.
// The mount table tells where else a protected directory shows: a grant of a bind mount of `/`
// (or of a btrfs top-level subvolume) shows every home, and a mount below the grant may show one.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/context.h"
#include "sandbox/expand.h"
#include "sandbox/state_dir.h"
#include "util/result.h"

namespace cordon::sandbox {

struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileId& o) const { return dev == o.dev && ino == o.ino; }
};

struct PersonalPath {
  std::string path;           // resolved (realpath) when it exists, else as given
  std::string what;           // "the home of alice", "cordon's own state", ...
  std::optional<FileId> id;   // when it exists
};

// A path as the host resolves it: the real path and the identity of it and of every directory
// above it (an alias of a protected directory shows up as one of these identities).
struct ResolvedGrant {
  std::string path;
  std::vector<FileId> chain;
  // Through mounts (mount_table.h): a protected directory this grant lies in by another path
  // (a bind of / or of a subvolume), and the places inside it where a protected directory shows.
  std::optional<std::string> within_alias;
  std::vector<std::pair<std::string, std::string>> shows;  // path inside the grant, what it is
};

struct PersonalFacts {
  std::vector<PersonalPath> protected_paths;
  std::map<std::string, ResolvedGrant> grants;  // the app's own grants, by their spelled path
  std::map<std::string, std::string> link_targets;  // hides that are symbolic links -> resolved target
  std::string app_data;                          // the app's own data: exempt, it is granted by cordon
};

// Reads the host: every home in /etc/passwd of a uid from 1000 (and root's), the app user's and
// the invoker's home, /home, /root, /run/user, $XDG_RUNTIME_DIR, cordon's state directories; the
// app's own grants resolved; the targets of hides that are symbolic links.
Result<PersonalFacts> gather_personal_facts(const std::vector<Step>& mounts, const LaunchContext& ctx,
                                            const std::vector<StateDir>& state, const std::string& app_data);

// Why `resolved` may not be granted by an app's own policy, or nothing.
std::optional<std::string> personal_problem(const ResolvedGrant& resolved, const PersonalFacts& facts);

// Refuses the app's grants that reach a protected path, hides protected paths inside the app's
// grants, and hides the targets of hidden symbolic links. Pure.
Result<void> guard_personal_paths(std::vector<Step>& mounts, const PersonalFacts& facts);

// A grant below a hidden path would uncover it: refused, except cordon's own $APP_DATA (which the
// app's hidden state directory holds). Pure.
Result<void> refuse_grants_below_hides(const std::vector<Step>& mounts, const std::string& app_data);

// Resolves `path` on the host: realpath of its longest existing part, the rest appended.
ResolvedGrant resolve_on_host(const std::string& path);

// Every protected path of this host for `ctx` (used by `cordon check` as well as by launches).
std::vector<PersonalPath> personal_paths(const LaunchContext& ctx, const std::vector<StateDir>& state);

}  // namespace cordon::sandbox
