// The mount primitives build_root's steps share (mounts.cc: binds, tmpfs, hides; mount_kernel_fs.cc:
// /proc and /dev). Internal to the sandbox: every lookup refuses symbolic links and ".." escapes,
// every mount is made and restricted detached, then attached by descriptor.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sandbox/expand.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox::mounts {

inline constexpr const char* kStaging = "/tmp";  // a tmpfs goes here, in our own mount namespace only
inline constexpr const char* kOldRoot = "/oldroot";
inline constexpr const char* kNewRoot = "/newroot";
inline constexpr const char* kHidden = "/hidden";      // the tree hides are cloned from (in the staging area)
inline constexpr const char* kWritable = "/writable";  // the one tmpfs every writable tmpfs mount is a part of

// The two trees every step works in (the host's old root and the app's new root), and the
// trees mounts are cloned from.
struct Roots {
  int host;
  int app;
  int writable;                                // the one budgeted tmpfs: /tmp, /run, /dev/shm... are its parts
  int hidden;                                  // the shared sealed tree hides are cloned from
  std::vector<std::string> parents_of_mounts;  // hides something is mounted beneath
  bool app_is_root;                            // the app runs as uid 0: mask root-only /proc files
};

// `rel` under `dir`, never through a symbolic link or out of it.
int open_beneath(int dir, const std::string& rel, int flags);
// `rel` under `root`, following links as the app would, but never out of `root`.
UniqueFd open_following_links(int root, const std::string& rel);
// Makes (mkdir -p) and opens `rel` under `root`; `origin` names the Plan item in errors.
Result<UniqueFd> ensure_dir(int root, const std::string& rel, const std::string& origin);
// The mount point for `path` inside the new root, created like its source (directory or file).
Result<UniqueFd> mount_point(int root, const std::string& path, bool directory, const std::string& origin);
Result<void> attach(int mount_fd, int target_fd, const std::string& what);
// A bind source under the host root, pinned by descriptor; no symbolic link on the way.
int open_host(int host, const std::string& path);
// A detached clone of `source`, restricted (ro unless `read_only` is false, nosuid, nodev unless
// `device`) before anyone can see it.
Result<UniqueFd> clone_tree(int source, bool read_only, bool device, const std::string& what);
// A step that expects a socket or a directory (a slot, the dbus proxy's socket) refuses anything
// else found at its source (`mode` from fstat of the descriptor it binds).
Result<void> check_expected_kind(const Step& s, mode_t mode);
// A new detached filesystem of `type` with `options` (a null value sets a flag) and mount `attrs`.
Result<UniqueFd> new_fs(const char* type, const std::vector<std::pair<const char*, const char*>>& options,
                        unsigned attrs, const std::string& what);
// A private tmpfs of its own at s.path.
Result<void> tmpfs(int root, const Step& s, const char* mode, const std::string& size);
// An empty sticky part `part` of the one budgeted writable tmpfs, bound at s.path.
Result<void> writable_part(const Roots& roots, const Step& s, const std::string& part);
// A detached clone of the hidden tree: its empty directory, or its empty mode-0000 file.
UniqueFd clone_hidden(const Roots& roots, bool directory);

// mount_kernel_fs.cc: the app's own /proc (host knobs read-only) and its minimal /dev.
Result<void> proc(const Roots& roots, const Step& s);
Result<void> dev(const Roots& roots, const Step& s, std::vector<std::string>& to_seal);

}  // namespace cordon::sandbox::mounts
