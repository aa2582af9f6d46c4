#include "sandbox/slots.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/app_data.h"
#include "util/openat2.h"

namespace cordon::sandbox {

namespace {

Result<UniqueFd> clone_slot(const Step& s, int data_root) {
  UniqueFd source(open_resolved(data_root, s.source.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC,
                                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS));
  if (!source.valid()) return sys_fail("slots", "open " + s.path + " (" + s.origin + ")");
  struct stat st {};
  if (::fstat(source.get(), &st) != 0) return sys_fail("slots", "stat " + s.path + " (" + s.origin + ")");
  const bool socket = s.expect == Step::Expect::socket;
  if (socket ? !S_ISSOCK(st.st_mode) : !S_ISDIR(st.st_mode))
    return fail("slots", "bind " + s.path + " (" + s.origin + "): it is not a " + (socket ? "socket" : "directory") +
                             " there now; refused");
  UniqueFd tree(static_cast<int>(::syscall(SYS_open_tree, source.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH)));
  if (!tree.valid()) return sys_fail("slots", "clone " + s.path + " (" + s.origin + ")");
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (s.kind == plan::MountKind::bind_ro ? MOUNT_ATTR_RDONLY : 0);
  if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
    return sys_fail("slots", "make " + s.path + " read-only, nosuid, nodev (" + s.origin + ")");
  return tree;
}

}  // namespace

Result<void> prepare_slot_mounts(std::vector<Step>& mounts, const LaunchContext& ctx, std::vector<UniqueFd>& trees) {
  if (!ctx.invoked_by_root) return {};
  const std::string root = app_data_root(ctx);
  UniqueFd data_root;
  for (Step& s : mounts) {
    if (s.expect == Step::Expect::anything) continue;
    if (!data_root.valid()) {
      data_root = UniqueFd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!data_root.valid()) return sys_fail("slots", "open " + root);
    }
    const std::string rel = s.source.substr(root.size() + 1);  // PROVIDER/PATH, below the data root
    Step relative = s;
    relative.source = rel;
    auto tree = clone_slot(relative, data_root.get());
    if (!tree) return tree.error();
    s.prepared_tree = tree->get();
    trees.push_back(std::move(*tree));
  }
  return {};
}

}  // namespace cordon::sandbox
