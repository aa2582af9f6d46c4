#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/mount_ops.h"

namespace cordon::sandbox::mounts {

namespace {

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

}  // namespace

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

}  // namespace cordon::sandbox::mounts
