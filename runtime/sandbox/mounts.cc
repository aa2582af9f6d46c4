#include "sandbox/mounts.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/hosts_file.h"
#include "util/openat2.h"
#include "util/unique_fd.h"

namespace cordon::sandbox::mounts {

namespace {

constexpr const char* kStaging = "/tmp";  // a tmpfs goes here, in our own mount namespace only
constexpr const char* kOldRoot = "/oldroot";
constexpr const char* kNewRoot = "/newroot";
constexpr const char* kHidden = "/hidden";  // the tree hides are cloned from (in the staging area)
constexpr const char* kWritable = "/writable";  // the one tmpfs every writable tmpfs mount is a part of

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

// A bind source, resolved under the host root with no symbolic link anywhere on the way: an app
// can plant links in the trees it may write, and a later launch must never bind through one
// (DESIGN.md "a symlink an app planted never redirects a mount"). The descriptor pins what was
// resolved, so nothing can swap it before the clone. A trailing link comes back as the link itself.
int open_host(int host, const std::string& path) { return open_beneath(host, path.substr(1), O_PATH | O_NOFOLLOW); }

// A bind made read-only (or not), nosuid and nodev before it is attached, so it is never
// visible with more rights than the Plan gives; AT_RECURSIVE covers mounts below the source.
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

Result<void> bind(const Roots& roots, const Step& s) {
  UniqueFd source(open_host(roots.host, s.path));
  if (!source.valid()) {
    if (errno == ENOENT && s.optional) return {};
    if (errno == ELOOP)
      return fail("mounts", "bind " + s.path + " (" + s.origin + "): a directory on the way is a symbolic link; "
                            "name the real path");
    return sys_fail("mounts", "bind " + s.path + " (" + s.origin + ")");
  }
  struct stat st {};
  if (::fstat(source.get(), &st) != 0) return sys_fail("mounts", "stat " + s.path + " (" + s.origin + ")");
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
  const bool ro = s.kind == plan::MountKind::bind_ro || s.device;
  const std::string what = std::string("mount --bind") + (ro ? " -o ro " : " ") + s.path + " " + s.path + " (" + s.origin + ")";
  auto tree = clone_tree(source.get(), ro, s.device, what);
  if (!tree) return tree.error();
  auto target = mount_point(root, s.path, S_ISDIR(st.st_mode), s.origin);
  if (!target) return target.error();
  return attach(tree->get(), target->get(), what);
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

// A detached clone of the hidden tree: its empty directory, or its empty mode-0000 file.
UniqueFd clone_hidden(const Roots& roots, bool directory) {
  return UniqueFd(::open_tree(roots.hidden, directory ? "" : "f",
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (directory ? AT_EMPTY_PATH : 0)));
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

// One of the minimal /dev's nodes: the host's node, bound read-only (reads and writes work; chmod
// and chown of the host's inode fail with EROFS) onto a file of our own fresh tmpfs, so the
// target needs no lookup beyond that directory.
Result<void> bind_device_node(int host, int dev_dir, const std::string& dev, const char* node) {
  const std::string path = dev + "/" + node;
  const std::string what = "mount --bind -o ro " + path + " " + path + " (cordon)";
  UniqueFd source(open_host(host, path));
  if (!source.valid()) return sys_fail("mounts", what);
  auto tree = clone_tree(source.get(), true, true, what);
  if (!tree) return tree.error();
  UniqueFd file(::openat(dev_dir, node, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444));
  if (!file.valid()) return sys_fail("mounts", "create " + path + " (cordon)");
  if (::move_mount(tree->get(), "", dev_dir, node, MOVE_MOUNT_F_EMPTY_PATH) != 0) return sys_fail("mounts", what);
  return {};
}

// What procfs shows only by file mode (root-only files, read here by an app that is host uid 0):
// kernel memory and layout that helps exploits (slab, vmalloc, page flags, timers), other users'
// keys. Masked, as container runtimes do, when the app runs as uid 0.
constexpr const char* kRootOnlyProcFiles[] = {
    "kcore",      "keys",       "key-users",    "kpagecgroup", "kpagecount", "kpageflags",  "latency_stats",
    "pagetypeinfo", "sched_debug", "slabinfo",  "timer_list",  "timer_stats", "vmallocinfo"};
constexpr const char* kRootOnlyProcDirs[] = {"acpi", "scsi"};

Result<void> mask_root_only_proc(const Roots& roots, const std::string& proc_path) {
  UniqueFd dir(open_beneath(roots.app, proc_path.substr(1), O_PATH | O_DIRECTORY));
  if (!dir.valid()) return sys_fail("mounts", "open " + proc_path);
  auto mask = [&](const char* name, bool directory) -> Result<void> {
    struct stat st {};
    if (::fstatat(dir.get(), name, &st, AT_SYMLINK_NOFOLLOW) != 0) return {};  // not on this kernel
    if (S_ISDIR(st.st_mode) != directory) return {};
    UniqueFd clone = clone_hidden(roots, directory);
    if (!clone.valid() || ::move_mount(clone.get(), "", dir.get(), name, MOVE_MOUNT_F_EMPTY_PATH) != 0)
      return sys_fail("mounts", "mask " + proc_path + "/" + name);
    return {};
  };
  for (const char* f : kRootOnlyProcFiles) CORDON_TRY(mask(f, false));
  for (const char* d : kRootOnlyProcDirs) CORDON_TRY(mask(d, true));
  return {};
}

// A new procfs for the pid namespace; the knobs that reach the host kernel are made read-only
// explicitly: uid 0 mapped to host uid 0 could otherwise write root-owned ones (DESIGN.md).
Result<void> proc(const Roots& roots, const Step& s) {
  const int root = roots.app;
  const std::string what = "mount -t proc proc " + s.path;
  auto mnt = new_fs("proc", {}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, what);
  if (!mnt) return mnt.error();
  auto target = mount_point(root, s.path, true, s.origin);
  if (!target) return target.error();
  CORDON_TRY(attach(mnt->get(), target->get(), what));
  for (const char* knob : {"sys", "sysrq-trigger", "irq", "bus"}) {
    const std::string inside = std::string(kNewRoot) + s.path + "/" + knob;
    const std::string ro = "mount --bind -o ro " + s.path + "/" + knob;
    UniqueFd tree(::open_tree(AT_FDCWD, inside.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    if (!tree.valid()) {
      if (errno == ENOENT) continue;
      return sys_fail("mounts", ro);
    }
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
      return sys_fail("mounts", ro);
    if (::move_mount(tree.get(), "", AT_FDCWD, inside.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
      return sys_fail("mounts", ro);
  }
  if (roots.app_is_root) CORDON_TRY(mask_root_only_proc(roots, s.path));
  return {};
}

// A minimal /dev: the harmless character devices, a new devpts instance (the app's ptys are its
// own), shm, and the fd links. Nothing else from the host's /dev.
Result<void> dev(const Roots& roots, const Step& s, std::vector<std::string>& to_seal) {
  const int root = roots.app;
  CORDON_TRY(tmpfs(root, s, "0755", "1m"));  // device nodes and links only; read-only once complete
  to_seal.push_back(s.path);
  auto dir = ensure_dir(root, s.path.substr(1), s.origin);
  if (!dir) return dir.error();
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"})
    CORDON_TRY(bind_device_node(roots.host, dir->get(), s.path, node));
  if (::mkdirat(dir->get(), "pts", 0755) != 0 && errno != EEXIST) return sys_fail("mounts", "mkdir /dev/pts");
  // max: one app cannot take every pty the kernel has (kernel.pty.max is shared by all instances).
  auto pts = new_fs("devpts", {{"newinstance", nullptr}, {"ptmxmode", "0666"}, {"mode", "0620"}, {"max", "256"}},
                    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "mount -t devpts devpts /dev/pts");
  if (!pts) return pts.error();
  UniqueFd pts_dir(open_beneath(dir->get(), "pts", O_PATH));
  if (!pts_dir.valid()) return sys_fail("mounts", "open /dev/pts");
  CORDON_TRY(attach(pts->get(), pts_dir.get(), "mount -t devpts devpts /dev/pts"));
  CORDON_TRY(writable_part(roots, Step{plan::MountKind::tmpfs, s.path + "/shm", false, false, "cordon"}, "dev-shm"));
  const std::pair<const char*, const char*> links[] = {
      {"ptmx", "pts/ptmx"}, {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
      {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}};
  for (const auto& [name, target] : links)
    if (::symlinkat(target, dir->get(), name) != 0 && errno != EEXIST)
      return sys_fail("mounts", std::string("ln -s ") + target + " /dev/" + name);
  return {};
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

// The new root's /etc/hosts, read-only and with the app's hostname (sandbox/hosts_file.h): a copy in
// the staging tmpfs, bound over it. Only over a plain file the Plan binds from the host as part of
// a tree (/etc): a hidden or explicitly bound /etc/hosts is the Plan's and stays as it is.
Result<void> add_own_hostname(const Roots& roots, const std::vector<Step>& steps, const std::string& hostname) {
  constexpr std::size_t kMaxHosts = 1 << 20;
  for (const Step& s : steps)
    if (s.path == "/etc/hosts") return {};
  // O_NONBLOCK: a FIFO there must not hold the launch (nothing but a plain file is read). Only a
  // file anyone may read is copied: this process may be host root, the app may not read more.
  UniqueFd in(open_beneath(roots.app, "etc/hosts", O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
  struct stat st {};
  if (!in.valid() || ::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & S_IROTH) == 0 ||
      st.st_size > static_cast<off_t>(kMaxHosts))
    return {};
  std::string hosts(static_cast<std::size_t>(st.st_size), '\0');
  if (::pread(in.get(), hosts.data(), hosts.size(), 0) != st.st_size) return sys_fail("mounts", "read /etc/hosts");
  const auto with_name = hosts_with_name(hosts, hostname);
  if (!with_name) return {};
  // The copy lives in the staging tmpfs, which only this namespace sees; it is bound onto the very
  // file that was read (its descriptor), not onto a second lookup of the path.
  UniqueFd copy(::open("/hosts", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!copy.valid() || ::write(copy.get(), with_name->data(), with_name->size()) != static_cast<ssize_t>(with_name->size()))
    return sys_fail("mounts", "write the app's /etc/hosts");
  auto tree = clone_tree(copy.get(), true, false, "bind the app's /etc/hosts");
  if (!tree) return tree.error();
  return attach(tree->get(), in.get(), "bind the app's /etc/hosts");
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
                        const std::string& hostname) {
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
  CORDON_TRY(seal(root.get(), to_seal));
  return leave_staging();
}

}  // namespace cordon::sandbox::mounts
