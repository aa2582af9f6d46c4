#include "sandbox/mounts.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>

#include "sandbox/hosts_file.h"
#include "sandbox/resolv_conf.h"
#include "util/openat2.h"
#include "sandbox/mount_ops.h"
#include "util/openat2.h"
#include "util/unique_fd.h"
#include "util/test_seams.h"

namespace cordon::sandbox::mounts {

namespace {

// Test builds only (CORDON_FAULT_INJECTION): CORDON_TEST_WRITABLE_BIND=PATH binds that read-only
// grant writable, as a mistake in the mount plan would, so that a test can show the Landlock wall
// (landlock.h) still refusing the write, and the write going through with the wall off.
bool made_writable_by_test(const Step& s) {
  const char* path = test_seams::variable("CORDON_TEST_WRITABLE_BIND");
  return path != nullptr && s.path == path;
}

// A slot the launcher opened, checked and cloned already (slots.h): attached as it is, and its
// descriptor closed, so that nothing of it is left for init or the app.
Result<void> attach_prepared(const Roots& roots, const Step& s) {
  UniqueFd tree(s.prepared_tree);
  struct stat st {};
  if (::fstat(tree.get(), &st) != 0) return sys_fail("mounts", "stat " + s.path + " (" + s.origin + ")");
  auto target = mount_point(roots.app, s.path, S_ISDIR(st.st_mode), s.origin);
  if (!target) return target.error();
  return attach(tree.get(), target->get(), "attach " + s.path + " (" + s.origin + ")");
}

Result<void> bind(const Roots& roots, const Step& s) {
  if (s.prepared_tree >= 0) return attach_prepared(roots, s);
  UniqueFd source(open_host(roots.host, s.source.empty() ? s.path : s.source));
  if (!source.valid()) {
    if (errno == ENOENT && s.optional) return {};
    if (errno == ELOOP)
      return fail("mounts", "bind " + s.path + " (" + s.origin + "): a directory on the way is a symbolic link; "
                            "name the real path");
    return sys_fail("mounts", "bind " + s.path + " (" + s.origin + ")");
  }
  struct stat st {};
  if (::fstat(source.get(), &st) != 0) return sys_fail("mounts", "stat " + s.path + " (" + s.origin + ")");
  CORDON_TRY(check_expected_kind(s, st.st_mode));
  const int root = roots.app;
  if (S_ISLNK(st.st_mode)) {  // reproduce the host's layout (/bin -> usr/bin) instead of following it
    char target[4096];
    const ssize_t n = ::readlinkat(source.get(), "", target, sizeof target - 1);
    if (n < 0) return sys_fail("mounts", "readlink " + s.path + " (" + s.origin + ")");
    target[n] = '\0';
    const std::string rel = s.path.substr(1);
    const std::size_t slash = rel.rfind('/');
    auto dir = ensure_dir(root, slash == std::string::npos ? "" : rel.substr(0, slash), s.origin);
    if (!dir) return dir.error();
    const std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
    if (::symlinkat(target, dir->get(), name.c_str()) != 0 && errno != EEXIST)
      return sys_fail("mounts", "ln -s " + std::string(target) + " " + s.path + " (" + s.origin + ")");
    return {};
  }
  // Device nodes are read-only binds too: reading and writing a device still work, but chmod,
  // chown and utimes on the host's inode (root inside owns it) fail with EROFS.
  const bool ro = (s.kind == plan::MountKind::bind_ro && !made_writable_by_test(s)) || s.device;
  const std::string what = std::string("mount --bind") + (ro ? " -o ro " : " ") + (s.source.empty() ? s.path : s.source) +
                           " " + s.path + " (" + s.origin + ")";
  auto tree = clone_tree(source.get(), ro, s.device, what);
  if (!tree) return tree.error();
  auto target = mount_point(root, s.path, S_ISDIR(st.st_mode), s.origin);
  if (!target) return target.error();
  return attach(tree->get(), target->get(), what);
}

// The one tmpfs every writable tmpfs mount is a part of, nosuid and nodev (its parts keep both),
// mounted in the staging area: a clone must come from a mount in our namespace (kernels before
// 6.15 refuse detached ones).
Result<UniqueFd> make_writable_tree(const std::string& at, const TmpfsBudget& budget) {
  const std::string size = std::to_string(budget.bytes), inodes = std::to_string(budget.inodes);
  const std::string what = "mount -t tmpfs -o size=" + size + ",nr_inodes=" + inodes + " cordon-writable " + at;
  auto mnt = new_fs("tmpfs", {{"mode", "0755"}, {"size", size.c_str()}, {"nr_inodes", inodes.c_str()}},
                    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, what);
  if (!mnt) return mnt.error();
  if (::mkdir(at.c_str(), 0700) != 0 || ::move_mount(mnt->get(), "", AT_FDCWD, at.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return sys_fail("mounts", what);
  UniqueFd tree(::open(at.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!tree.valid()) return sys_fail("mounts", "open " + at);
  return tree;
}

// One small tmpfs, traverse-only (0111), holding one empty mode-0000 file, sealed read-only, and
// mounted in the staging area: every hide is a clone of it (or of its file), so hiding costs no
// new filesystem per path. Clones keep its read-only, nosuid, nodev and noexec flags.
Result<UniqueFd> make_hidden_tree(const std::string& at) {
  auto mnt = new_fs("tmpfs", {{"mode", "0111"}, {"size", "4k"}}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                    "mount -t tmpfs (hidden)");
  if (!mnt) return mnt.error();
  UniqueFd file(::openat(mnt->get(), "f", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0));
  if (!file.valid()) return sys_fail("mounts", "create the hidden tree's file");
  file.reset();  // a file open for writing would keep the mount from turning read-only
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (::mount_setattr(mnt->get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
    return sys_fail("mounts", "seal the hidden tree");
  // A clone must come from a mount in our namespace (kernels before 6.15 refuse detached ones).
  if (::mkdir(at.c_str(), 0700) != 0 || ::move_mount(mnt->get(), "", AT_FDCWD, at.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return sys_fail("mounts", "mount the hidden tree at " + at);
  UniqueFd tree(::open(at.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!tree.valid()) return sys_fail("mounts", "open " + at);
  return tree;
}

bool has_mounts_beneath(const Roots& roots, const std::string& path) {
  for (const std::string& p : roots.parents_of_mounts)
    if (p == path) return true;
  return false;
}

// A hidden directory becomes an empty, traverse-only, read-only directory; a hidden file an empty
// mode-0000 file nobody in the sandbox can open. Both are clones of the hidden tree — except a
// directory something else is mounted beneath (the app's own $APP_DATA lives under its hidden
// parent ~/.local/share/cordon): that one gets a tmpfs of its own, where the mount point is
// created, sealed read-only once every mount is in place. Anything else — a symbolic link, a
// socket, a FIFO, a device node — is covered by the empty file too: a hidden socket takes no
// connect(), a hidden FIFO carries no bytes. (What a hidden link points at is hidden by a step
// of its own: personal_paths.h.)
Result<void> hide(const Roots& roots, const Step& s, std::vector<std::string>& to_seal) {
  struct stat host_st {};
  if (::fstatat(roots.host, s.path.substr(1).c_str(), &host_st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT && s.optional) return {};
    return sys_fail("mounts", "hide " + s.path + " (" + s.origin + ")");
  }
  UniqueFd target(open_beneath(roots.app, s.path.substr(1), O_PATH | O_NOFOLLOW));
  if (!target.valid() && errno == ELOOP) target = open_following_links(roots.app, s.path.substr(1));
  if (!target.valid()) {
    if (errno == ENOENT) return {};  // not bound into the new root, so nothing to hide
    return sys_fail("mounts", "hide " + s.path + " (" + s.origin + ")");
  }
  // What is hidden is what the app would see at that path: decide by the target, not the host.
  struct stat st {};
  if (::fstat(target.get(), &st) != 0) return sys_fail("mounts", "stat " + s.path + " (" + s.origin + ")");
  const std::string what = "hide " + s.path + " (" + s.origin + ")";
  if (S_ISDIR(st.st_mode) && has_mounts_beneath(roots, s.path)) {
    auto mnt = new_fs("tmpfs", {{"mode", "0111"}, {"size", "4k"}},
                      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, what);
    if (!mnt) return mnt.error();
    to_seal.push_back(s.path);
    return attach(mnt->get(), target.get(), what);
  }
  UniqueFd clone = clone_hidden(roots, S_ISDIR(st.st_mode));
  if (!clone.valid()) return sys_fail("mounts", what);
  return attach(clone.get(), target.get(), what);
}

// The hidden directories and /dev become read-only once nothing more is mounted under them.
Result<void> seal(int root, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    UniqueFd fd(open_beneath(root, path.substr(1), O_PATH));
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (!fd.valid() || ::mount_setattr(fd.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
      return sys_fail("mounts", "mount -o remount,ro " + path + " (hidden)");
  }
  return {};
}

// `index` names the step's part of the writable tmpfs, if it gets one.
Result<void> apply(const Roots& roots, const Step& s, std::size_t index, std::vector<std::string>& to_seal) {
  switch (s.kind) {
    case plan::MountKind::root_tmpfs: return {};  // the new root itself
    case plan::MountKind::proc: return proc(roots, s);
    case plan::MountKind::dev: return dev(roots, s, to_seal);
    case plan::MountKind::bind_ro:
    case plan::MountKind::bind_rw: return bind(roots, s);
    case plan::MountKind::tmpfs: return writable_part(roots, s, std::to_string(index));
    case plan::MountKind::hide: return hide(roots, s, to_seal);
  }
  return {};
}

// The host root moves to /oldroot of a private tmpfs, so bind sources stay reachable while the
// new root is built beside it at /newroot.
Result<void> enter_staging() {
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
    return sys_fail("mounts", "mount --make-rslave /");  // nothing we mount can propagate to the host
  if (::mount("cordon", kStaging, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") != 0)
    return sys_fail("mounts", "mount -t tmpfs cordon /tmp");
  const std::string old_root = std::string(kStaging) + kOldRoot, new_root = std::string(kStaging) + kNewRoot;
  if (::mkdir(old_root.c_str(), 0700) != 0 || ::mkdir(new_root.c_str(), 0755) != 0)
    return sys_fail("mounts", "mkdir " + old_root + " " + new_root);
  if (::syscall(SYS_pivot_root, kStaging, old_root.c_str()) != 0)
    return sys_fail("mounts", "pivot_root /tmp /tmp/oldroot");
  if (::chdir("/") != 0) return sys_fail("mounts", "cd /");
  if (::mount("cordon-root", kNewRoot, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
    return sys_fail("mounts", "mount -t tmpfs cordon-root /newroot");
  return {};
}

// pivot_root(".", ".") stacks the old root under the new one; detaching it leaves no way back.
Result<void> leave_staging() {
  if (::chdir(kNewRoot) != 0) return sys_fail("mounts", "cd /newroot");
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return sys_fail("mounts", "pivot_root /newroot");
  if (::umount2(".", MNT_DETACH) != 0) return sys_fail("mounts", "umount -l the host root");
  if (::chdir("/") != 0) return sys_fail("mounts", "cd /");
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_RDONLY;  // the root tmpfs only: /tmp, $APP_DATA and rw binds stay writable
  if (::mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr) != 0) return sys_fail("mounts", "mount -o remount,ro /");
  return {};
}

// A file of the new root's /etc as the app reads it, changed: a copy in the staging tmpfs, bound
// over the very file that was read (its descriptor, not a second lookup of the path). Only a plain
// file anyone may read is copied (this process may be host root; the app may not read more), and
// O_NONBLOCK keeps a FIFO there from holding the launch. `follow`: a symbolic link is followed
// inside the new root (resolv.conf -> /run/systemd/resolve/stub-resolv.conf); else none is.
// `change` returns the new text, or nothing to leave the file as it is.
template <class Change>
Result<void> replace_etc_file(const Roots& roots, const std::string& name, bool follow, Change change) {
  constexpr std::size_t kMaxSize = 1 << 20;
  const std::string rel = "etc/" + name;
  UniqueFd in(follow ? open_resolved(roots.app, rel.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC,
                                     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
                     : open_beneath(roots.app, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
  struct stat st {};
  if (!in.valid() || ::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & S_IROTH) == 0 ||
      st.st_size > static_cast<off_t>(kMaxSize))
    return {};
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  if (::pread(in.get(), text.data(), text.size(), 0) != st.st_size) return sys_fail("mounts", "read /" + rel);
  const std::optional<std::string> changed = change(text);
  if (!changed) return {};
  const std::string copy_path = "/" + name;
  UniqueFd copy(::open(copy_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!copy.valid() || ::write(copy.get(), changed->data(), changed->size()) != static_cast<ssize_t>(changed->size()))
    return sys_fail("mounts", "write the app's /" + rel);
  auto tree = clone_tree(copy.get(), true, false, "bind the app's /" + rel);
  if (!tree) return tree.error();
  return attach(tree->get(), in.get(), "bind the app's /" + rel);
}

bool hidden_in(const std::vector<Step>& steps, const std::string& path) {
  return std::any_of(steps.begin(), steps.end(), [&](const Step& s) { return s.path == path && s.kind == plan::MountKind::hide; });
}

// The new root's /etc/hosts with the app's hostname (sandbox/hosts_file.h). Only over a plain file
// the Plan binds from the host as part of a tree (/etc): a hidden or explicitly bound /etc/hosts is
// the Plan's and stays as it is.
Result<void> add_own_hostname(const Roots& roots, const std::vector<Step>& steps, const std::string& hostname) {
  for (const Step& s : steps)
    if (s.path == "/etc/hosts") return {};
  return replace_etc_file(roots, "hosts", false, [&](const std::string& hosts) { return hosts_with_name(hosts, hostname); });
}

// The resolver asks over TCP when the network is TCP ports only (sandbox/resolv_conf.h). The
// network plug binds /etc/resolv.conf (and systemd-resolved's folder) itself; a hidden one stays so.
Result<void> resolve_names_over_tcp(const Roots& roots, const std::vector<Step>& steps) {
  if (hidden_in(steps, "/etc/resolv.conf")) return {};
  return replace_etc_file(roots, "resolv.conf", true,
                          [](const std::string& conf) { return std::optional<std::string>(resolv_conf_over_tcp(conf)); });
}

// The hides that another step mounts something beneath.
std::vector<std::string> parents_of_mounts(const std::vector<Step>& steps) {
  std::vector<std::string> out;
  for (const Step& h : steps) {
    if (h.kind != plan::MountKind::hide) continue;
    for (const Step& s : steps)
      if (s.path.size() > h.path.size() && s.path.compare(0, h.path.size(), h.path) == 0 && s.path[h.path.size()] == '/') {
        out.push_back(h.path);
        break;
      }
  }
  return out;
}

}  // namespace

Result<void> build_root(const std::vector<Step>& steps, const TmpfsBudget& budget, bool app_is_root,
                        const std::string& hostname, bool dns_over_tcp) {
  CORDON_TRY(enter_staging());
  UniqueFd root(::open(kNewRoot, O_PATH | O_DIRECTORY | O_CLOEXEC));
  UniqueFd host(::open(kOldRoot, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid() || !host.valid()) return sys_fail("mounts", "open /newroot and /oldroot");
  auto hidden = make_hidden_tree(kHidden);
  if (!hidden) return hidden.error();
  auto writable = make_writable_tree(kWritable, budget);
  if (!writable) return writable.error();
  const Roots roots{host.get(), root.get(), writable->get(), hidden->get(), parents_of_mounts(steps), app_is_root};
  std::vector<std::string> to_seal;
  for (std::size_t i = 0; i < steps.size(); ++i) CORDON_TRY(apply(roots, steps[i], i, to_seal));
  CORDON_TRY(add_own_hostname(roots, steps, hostname));
  if (dns_over_tcp) CORDON_TRY(resolve_names_over_tcp(roots, steps));
  CORDON_TRY(seal(root.get(), to_seal));
  return leave_staging();
}

}  // namespace cordon::sandbox::mounts
