#include "sandbox/app_origin.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>

#include "sandbox/app_data.h"
#include "util/dirs.h"
#include "util/replace_file.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

namespace {

std::string describe(const std::string& origin) {
  if (origin.rfind("file:", 0) == 0) return "the policy file " + origin.substr(5);
  if (origin.rfind("package:", 0) == 0) return "the package signed by key " + origin.substr(8, 16);
  return "the app of that name found by name in an apps folder (/etc/cordon/apps, the shipped apps or "
         "$CORDON_POLICY_PATH)";
}

}  // namespace

std::string origins_dir(const LaunchContext& ctx) {
  const std::string data = app_data_root(ctx);  // .../cordon/data
  return data.substr(0, data.rfind('/')) + "/origins";
}

std::vector<std::pair<std::string, std::string>> recorded_origins(const LaunchContext& ctx) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string dir_path = origins_dir(ctx);
  UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid()) return out;
  DIR* listing = ::fdopendir(::dup(dir.get()));
  if (!listing) return out;
  while (const dirent* e = ::readdir(listing)) {
    const std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;  // ., .., and replace_file's temporary names
    if (auto origin = read_record_at(dir.get(), name)) out.emplace_back(name, *origin);
  }
  ::closedir(listing);
  std::sort(out.begin(), out.end());
  return out;
}

Result<void> forget_origin(const LaunchContext& ctx, const std::string& app) {
  const std::string path = origins_dir(ctx) + "/" + app;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sys_fail("forget", "remove " + path);
  return {};
}

std::string origin_of(bool installed, const std::string& policy_file) {
  return installed ? "installed" : "file:" + policy_file;
}

std::string package_origin(const std::string& key_id) { return "package:" + key_id; }

Result<void> claim_app_name(const LaunchContext& ctx, const std::string& app) {
  if (ctx.origin.empty()) return {};
  const std::string dir_path = origins_dir(ctx);
  CORDON_TRY(make_dirs("app-data", dir_path, 0700));
  UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid()) return sys_fail("app-data", "open " + dir_path);
  auto recorded = read_record_at(dir.get(), app);
  if (!recorded) {
    // Two first launches at once: the first record wins, the second reads it below.
    CORDON_TRY(replace_file_at("app-data", dir.get(), dir_path, app, ctx.origin + "\n", true));
    recorded = read_record_at(dir.get(), app);
    if (!recorded) return fail("app-data", "read " + dir_path + "/" + app);
  }
  if (*recorded == ctx.origin) return {};
  // An installed package gives its name up with its removal; anything else by its record.
  const bool package = recorded->rfind("package:", 0) == 0;
  const std::string hand_over = package ? "`cordon remove --purge " + app + "`"
                                        : "`rm " + dir_path + "/" + app + "`, or delete the data and free the name with `cordon forget " +
                                              app + "`";
  return fail("app-data", "use the name '" + app + "': it and its data belong to " + describe(*recorded) +
                              ", not to " + describe(ctx.origin) + "; rename this app (its `name:`), or hand the data over with " +
                              hand_over);
}

}  // namespace cordon::sandbox
