#include "sandbox/app_data.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <memory>

#include "util/dirs.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

std::string app_data_root(const LaunchContext& ctx) {
  if (ctx.invoked_by_root) return "/var/lib/cordon/data";
  const std::string base = !ctx.xdg_data_home.empty() && ctx.xdg_data_home[0] == '/' ? ctx.xdg_data_home
                                                                                       : ctx.home + "/.local/share";
  return base + "/cordon/data";
}

namespace {

// Data an earlier cordon left owned by host root, given to the app's own host ids (private_ids.h):
// entries owned by uid or gid 0 change to `base`. Walked by descriptor, never following a link,
// so a link planted in the data cannot make root's files elsewhere the app's; a file with another
// hard link (which may be a root file elsewhere) and anything on another filesystem (a mount) are
// left as they are.
Result<void> adopt_root_owned(int dir, const std::string& shown, uid_t base, dev_t device) {
  UniqueFd copy(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* d = copy.valid() ? ::fdopendir(copy.get()) : nullptr;
  if (!d) return sys_fail("app-data", "read " + shown);
  copy.release();
  std::unique_ptr<DIR, int (*)(DIR*)> owner(d, ::closedir);
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return sys_fail("app-data", "stat " + shown + "/" + name);
    if (st.st_dev != device || (!S_ISDIR(st.st_mode) && st.st_nlink > 1)) continue;
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) return sys_fail("app-data", "open " + shown + "/" + name);
      CORDON_TRY(adopt_root_owned(sub.get(), shown + "/" + name, base, device));
    }
    const uid_t uid = st.st_uid == 0 ? base : static_cast<uid_t>(-1);
    const gid_t gid = st.st_gid == 0 ? base : static_cast<gid_t>(-1);
    if ((st.st_uid == 0 || st.st_gid == 0) && ::fchownat(dir, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
      return sys_fail("app-data", "chown " + std::to_string(base) + " " + shown + "/" + name);
  }
  return {};
}

}  // namespace

Result<std::string> prepare_app_data(const LaunchContext& ctx, const std::string& app_name) {
  const uid_t owner = ctx.host_id_base != 0 ? ctx.host_id_base : ctx.uid;   // the app's ids on the host
  const gid_t group = ctx.host_id_base != 0 ? ctx.host_id_base : ctx.gid;
  if (!ctx.invoked_by_root && (ctx.home.empty() || ctx.home[0] != '/'))
    return fail("app-data", "find the app's data directory: HOME is not set to an absolute path");
  const std::string root = app_data_root(ctx);
  CORDON_TRY(make_dirs("app-data", root, 0700));
  UniqueFd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return sys_fail("app-data", "open " + root);
  if (::mkdirat(root_fd.get(), app_name.c_str(), 0700) == 0) {
    // Root creating it for the user it names (`--user`): the app's user must own it.
    if (::fchownat(root_fd.get(), app_name.c_str(), owner, group, AT_SYMLINK_NOFOLLOW) != 0)
      return sys_fail("app-data", "chown " + std::to_string(owner) + " " + root + "/" + app_name);
  } else if (errno != EEXIST) {
    return sys_fail("app-data", "mkdir " + root + "/" + app_name);
  }
  struct stat st {};
  // The app could have replaced nothing here (it never sees ROOT), but another program might have:
  // a symlink or a foreign directory is refused rather than bound.
  if (::fstatat(root_fd.get(), app_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_fail("app-data", "stat " + root + "/" + app_name);
  if (!S_ISDIR(st.st_mode)) return fail("app-data", "use " + root + "/" + app_name + ": not a directory");
  if (ctx.host_id_base != 0 && st.st_uid == 0 && S_ISDIR(st.st_mode)) {  // written by root before it had ids of its own
    UniqueFd data(::openat(root_fd.get(), app_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!data.valid()) return sys_fail("app-data", "open " + root + "/" + app_name);
    CORDON_TRY(adopt_root_owned(data.get(), root + "/" + app_name, owner, st.st_dev));
    if (::fchown(data.get(), owner, group) != 0) return sys_fail("app-data", "chown " + std::to_string(owner) + " " + root + "/" + app_name);
    st.st_uid = owner;
  }
  const std::string path = root + "/" + app_name;
  if (st.st_uid != owner)
    return fail("app-data", "use " + path + ": owned by uid " + std::to_string(st.st_uid) + ", and this launch's app runs as uid " +
                                std::to_string(owner) + " (another user's data, or another `--user`): never handed over; "
                                "`chown -R " + std::to_string(owner) + ":" + std::to_string(group) + " " + path +
                                "` gives it to this one, or remove it");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return fail("app-data", "use " + path + ": open to other users (mode " + mode + "); `chmod 700 " + path +
                                "` makes it the app's alone");
  }
  return root + "/" + app_name;
}

}  // namespace cordon::sandbox
