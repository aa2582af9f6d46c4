#include "sandbox/app_data.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "util/dirs.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

std::string app_data_root(const LaunchContext& ctx) {
  if (ctx.invoked_by_root) return "/var/lib/cordon/data";
  const std::string base = !ctx.xdg_data_home.empty() && ctx.xdg_data_home[0] == '/' ? ctx.xdg_data_home
                                                                                       : ctx.home + "/.local/share";
  return base + "/cordon/data";
}

Result<std::string> prepare_app_data(const LaunchContext& ctx, const std::string& app_name) {
  if (!ctx.invoked_by_root && (ctx.home.empty() || ctx.home[0] != '/'))
    return fail("app-data", "find the app's data directory: HOME is not set to an absolute path");
  const std::string root = app_data_root(ctx);
  CORDON_TRY(make_dirs("app-data", root, 0700));
  UniqueFd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return sys_fail("app-data", "open " + root);
  if (::mkdirat(root_fd.get(), app_name.c_str(), 0700) == 0) {
    // Root creating it for the user it names (`--user`): the app's user must own it.
    if (::fchownat(root_fd.get(), app_name.c_str(), ctx.uid, ctx.gid, AT_SYMLINK_NOFOLLOW) != 0)
      return sys_fail("app-data", "chown " + std::to_string(ctx.uid) + " " + root + "/" + app_name);
  } else if (errno != EEXIST) {
    return sys_fail("app-data", "mkdir " + root + "/" + app_name);
  }
  struct stat st {};
  // The app could have replaced nothing here (it never sees ROOT), but another program might have:
  // a symlink or a foreign directory is refused rather than bound.
  if (::fstatat(root_fd.get(), app_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_fail("app-data", "stat " + root + "/" + app_name);
  if (!S_ISDIR(st.st_mode)) return fail("app-data", "use " + root + "/" + app_name + ": not a directory");
  if (st.st_uid != ctx.uid) return fail("app-data", "use " + root + "/" + app_name + ": owned by another user");
  if ((st.st_mode & 077) != 0) return fail("app-data", "use " + root + "/" + app_name + ": open to other users");
  return root + "/" + app_name;
}

}  // namespace cordon::sandbox
