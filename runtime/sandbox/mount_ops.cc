#include "sandbox/mount_ops.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "util/openat2.h"

namespace cordon::sandbox::mounts {

// Every lookup under the new root refuses symlinks and ".." escapes: a link in a bound tree must
// never redirect where a mount lands.
int open_beneath(int dir, const std::string& rel, int flags) {
  return open_resolved(dir, rel.c_str(), flags, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

// A directory on the way to a hidden path is a symbolic link inside the new root (/bin -> usr/bin):
// what the app would reach there is what to hide, so the links are followed, inside the new root.
UniqueFd open_following_links(int root, const std::string& rel) {
  return UniqueFd(open_resolved(root, rel.c_str(), O_PATH | O_NOFOLLOW, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS));
}

Result<UniqueFd> ensure_dir(int root, const std::string& rel, const std::string& origin) {
  UniqueFd dir(::fcntl(root, F_DUPFD_CLOEXEC, 0));
  std::size_t pos = 0;
  while (pos < rel.size()) {
    const std::size_t end = std::min(rel.find('/', pos), rel.size());
    const std::string part = rel.substr(pos, end - pos);
    if (::mkdirat(dir.get(), part.c_str(), 0755) != 0 && errno != EEXIST)
      return sys_fail("mounts", "mkdir /" + rel.substr(0, end) + " (" + origin + ")");
    UniqueFd next(open_beneath(dir.get(), part, O_PATH | O_DIRECTORY));
    if (!next.valid()) return sys_fail("mounts", "open /" + rel.substr(0, end) + " (" + origin + ")");
    dir = std::move(next);
    pos = end + 1;
  }
  return dir;
}

// The mount point for `path` inside the new root, created like its source (directory or file).
Result<UniqueFd> mount_point(int root, const std::string& path, bool directory, const std::string& origin) {
  const std::string rel = path.substr(1);
  const std::size_t slash = rel.rfind('/');
  const std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
  const std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  auto dir = ensure_dir(root, parent, origin);
  if (!dir) return dir.error();
  if (directory) {
    if (::mkdirat(dir->get(), name.c_str(), 0755) != 0 && errno != EEXIST)
      return sys_fail("mounts", "mkdir " + path + " (" + origin + ")");
  } else {
    const int fd = ::openat(dir->get(), name.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
    if (fd < 0 && errno != EEXIST && errno != EROFS && errno != EACCES)
      return sys_fail("mounts", "create " + path + " (" + origin + ")");
    if (fd >= 0) ::close(fd);
  }
  UniqueFd target(open_beneath(dir->get(), name, O_PATH));
  if (!target.valid()) return sys_fail("mounts", "open " + path + " (" + origin + ")");
  return target;
}

Result<void> attach(int mount_fd, int target_fd, const std::string& what) {
  if (::move_mount(mount_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return sys_fail("mounts", what);
  return {};
}


// A bind source, resolved under the host root with no symbolic link anywhere on the way: an app
// can plant links in the trees it may write, and a later launch must never bind through one
// (DESIGN.md "a symlink an app planted never redirects a mount"). The descriptor pins what was
// resolved, so nothing can swap it before the clone. A trailing link comes back as the link itself.
int open_host(int host, const std::string& path) { return open_beneath(host, path.substr(1), O_PATH | O_NOFOLLOW); }

// A bind made read-only (or not), nosuid and nodev before it is attached, so it is never
// visible with more rights than the Plan gives; AT_RECURSIVE covers mounts below the source.
Result<void> check_expected_kind(const Step& s, mode_t mode) {
  if ((s.expect == Step::Expect::socket && !S_ISSOCK(mode)) || (s.expect == Step::Expect::directory && !S_ISDIR(mode)))
    return fail("mounts", "bind " + s.path + " (" + s.origin + "): it is not a " +
                              (s.expect == Step::Expect::socket ? "socket" : "directory") + " there now; refused");
  return {};
}

Result<UniqueFd> clone_tree(int source, bool read_only, bool device, const std::string& what) {
  UniqueFd tree(::open_tree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH));
  if (!tree.valid()) return sys_fail("mounts", what);
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_NOSUID | (device ? 0 : MOUNT_ATTR_NODEV) | (read_only ? MOUNT_ATTR_RDONLY : 0);
  if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
    return sys_fail("mounts", what);
  return tree;
}

Result<UniqueFd> new_fs(const char* type, const std::vector<std::pair<const char*, const char*>>& options,
                        unsigned attrs, const std::string& what) {
  UniqueFd fs(::fsopen(type, FSOPEN_CLOEXEC));
  if (!fs.valid()) return sys_fail("mounts", what);
  for (const auto& [key, value] : options) {
    const int r = value ? ::fsconfig(fs.get(), FSCONFIG_SET_STRING, key, value, 0)
                        : ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, key, nullptr, 0);
    if (r != 0) return sys_fail("mounts", what);
  }
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) return sys_fail("mounts", what);
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, attrs));
  if (!mnt.valid()) return sys_fail("mounts", what);
  return mnt;
}

Result<void> tmpfs(int root, const Step& s, const char* mode, const std::string& size) {
  const std::string what = "mount -t tmpfs tmpfs " + s.path + " (" + s.origin + ")";
  std::vector<std::pair<const char*, const char*>> options{{"mode", mode}};
  if (!size.empty()) options.emplace_back("size", size.c_str());
  auto mnt = new_fs("tmpfs", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, what);
  if (!mnt) return mnt.error();
  auto target = mount_point(root, s.path, true, s.origin);
  if (!target) return target.error();
  return attach(mnt->get(), target->get(), what);
}

// A writable tmpfs the app sees (/tmp, /run, /var/tmp, /dev/shm, the Plan's tmpfs entries): an
// empty sticky directory `part` of the one budgeted tmpfs, bound at s.path. Separate tmpfs mounts
// would each get the whole budget (four of them, four times the memory limit); as parts of one,
// a single size= and nr_inodes= bound them together, with one superblock instead of four.
Result<void> writable_part(const Roots& roots, const Step& s, const std::string& part) {
  const std::string what = "mount --bind " + std::string(kWritable) + "/" + part + " " + s.path + " (" + s.origin + ")";
  if (::mkdirat(roots.writable, part.c_str(), 0700) != 0 || ::fchmodat(roots.writable, part.c_str(), 01777, 0) != 0)
    return sys_fail("mounts", "mkdir -m 1777 " + std::string(kWritable) + "/" + part + " (" + s.origin + ")");
  UniqueFd tree(::open_tree(roots.writable, part.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  if (!tree.valid()) return sys_fail("mounts", what);
  auto target = mount_point(roots.app, s.path, true, s.origin);
  if (!target) return target.error();
  return attach(tree.get(), target->get(), what);
}

// A detached clone of the hidden tree: its empty directory, or its empty mode-0000 file.
UniqueFd clone_hidden(const Roots& roots, bool directory) {
  return UniqueFd(::open_tree(roots.hidden, directory ? "" : "f",
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (directory ? AT_EMPTY_PATH : 0)));
}

}  // namespace cordon::sandbox::mounts
