#include "sandbox/slots.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/mount_ops.h"
#include "util/openat2.h"

namespace cordon::sandbox {

namespace {

// `s.source` is absolute and has no '.' or '..' (a slot's path passed the loader's path checks):
// resolved from the root with no link followed anywhere, it stays beneath the folder it names.
Result<UniqueFd> clone_slot(const Step& s, int root) {
  UniqueFd source(open_resolved(root, s.source.c_str() + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC,
                                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS));
  if (!source.valid()) return sys_fail("slots", "open " + s.path + " (" + s.origin + ")");
  struct stat st {};
  if (::fstat(source.get(), &st) != 0) return sys_fail("slots", "stat " + s.path + " (" + s.origin + ")");
  CORDON_TRY(mounts::check_expected_kind(s, st.st_mode));
  // The same clone, with the same restrictions, as the child makes of an unprivileged launch's slot.
  return mounts::clone_tree(source.get(), s.kind == plan::MountKind::bind_ro, false,
                            "clone " + s.path + " (" + s.origin + ")");
}

}  // namespace

Result<void> prepare_slot_mounts(std::vector<Step>& mounts, const LaunchContext& ctx, std::vector<UniqueFd>& trees) {
  if (!ctx.invoked_by_root) return {};
  UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return sys_fail("slots", "open /");
  for (Step& s : mounts) {
    if (s.expect == Step::Expect::anything || s.source.empty() || s.source[0] != '/') continue;
    auto tree = clone_slot(s, root.get());
    if (!tree) return tree.error();
    s.prepared_tree = tree->get();
    trees.push_back(std::move(*tree));
  }
  return {};
}

}  // namespace cordon::sandbox
