// `cordon apps`: every app this user's cordon knows of, and where it comes from; `cordon forget`:
// an app's data and the record of who owns its name, deleted on confirmation (docs/sandbox.md
// "Per-app data").
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "launcher/host.h"
#include "launcher/outcome.h"
#include "launcher/installed.h"
#include "launcher/lifecycle_io.h"
#include "package/store.h"
#include "package/tree_ops.h"
#include "policy/search.h"
#include "sandbox/app_data.h"
#include "sandbox/app_origin.h"

namespace cordon::launcher {

namespace {

struct KnownApp {
  // package, policy (found by name in the app search path), ad-hoc (a policy file), unknown (data
  // only: no record says whose)
  std::string origin;
  std::string policy;  // the policy file, when there is one
};

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// NAME.yaml in each folder of the app search path, the first folder's winning as `run NAME` finds it.
void policies_in_search_path(const policy::SearchPaths& paths, std::map<std::string, KnownApp>& apps) {
  for (const std::string& dir : paths.app_dirs) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    while (const dirent* e = ::readdir(d)) {
      const std::string file = e->d_name;
      if (file.size() <= 5 || file[0] == '.' || file.compare(file.size() - 5, 5, ".yaml") != 0) continue;
      apps.try_emplace(file.substr(0, file.size() - 5), KnownApp{"policy", dir + "/" + file});
    }
    ::closedir(d);
  }
}

std::map<std::string, KnownApp> known_apps(const sandbox::LaunchContext& ctx, const policy::SearchPaths& paths) {
  std::map<std::string, KnownApp> apps;
  for (const std::string& name : package::installed_names(invoker_store())) apps[name] = {"package", ""};
  for (const auto& [name, origin] : sandbox::recorded_origins(ctx)) {
    if (origin.rfind("file:", 0) == 0) apps.try_emplace(name, KnownApp{"ad-hoc", origin.substr(5)});
    else if (origin.rfind("package:", 0) == 0) apps.try_emplace(name, KnownApp{"package", ""});
  }
  policies_in_search_path(paths, apps);
  // Data left by a cordon that kept no records yet, or whose record was removed by hand.
  if (DIR* d = ::opendir(sandbox::app_data_root(ctx).c_str())) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.' && package::valid_app_name(e->d_name)) apps.try_emplace(e->d_name, KnownApp{"unknown", ""});
    ::closedir(d);
  }
  return apps;
}

// On a terminal, asks; elsewhere only --yes deletes.
bool confirmed(const std::string& question) {
  if (!::isatty(STDIN_FILENO) || !::isatty(STDERR_FILENO)) return false;
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace

int apps(const AppsArgs& args) {
  auto ctx = launch_context("");
  if (!ctx) return cordon_failed("apps", ctx.error());
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  const std::string data_root = sandbox::app_data_root(*ctx);
  nlohmann::ordered_json out{{"format", 1}, {"apps", nlohmann::ordered_json::array()}};
  std::vector<std::vector<std::string>> rows{{"NAME", "ORIGIN", "POLICY", "DATA"}};
  for (const auto& [name, app] : known_apps(*ctx, paths)) {
    const std::string data = data_root + "/" + name;
    const bool has_data = is_dir(data);
    if (args.json)
      out["apps"].push_back({{"name", name}, {"origin", app.origin}, {"policy", app.policy},
                             {"data", has_data ? data : ""}});
    else
      rows.push_back({name, app.origin, app.policy.empty() ? "-" : app.policy, has_data ? data : "-"});
  }
  if (args.json) std::cout << out.dump(2) << "\n";
  else print_columns(rows);
  return kExitOk;
}

int forget(const ForgetArgs& args) {
  if (!package::valid_app_name(args.app)) {
    std::cerr << "cordon: forget: '" << args.app << "' is not an app name\n";
    return kExitInvalid;
  }
  auto ctx = launch_context("");
  if (!ctx) return cordon_failed("forget", ctx.error());
  if (auto state = package::read_state(invoker_store(), args.app); state && *state && (*state)->current != 0) {
    std::cerr << "cordon: forget: " << args.app << " is an installed package: `cordon remove --purge " << args.app
              << "` removes it with its data\n";
    return kExitInvalid;
  }
  const std::string data = sandbox::app_data_root(*ctx) + "/" + args.app;
  const bool has_data = is_dir(data);
  bool recorded = false;
  for (const auto& [name, origin] : sandbox::recorded_origins(*ctx)) recorded = recorded || name == args.app;
  if (!has_data && !recorded) {
    say_outcome(args.json, "cordon: " + args.app + ": nothing to forget (no data, no record)",
                {{"app", args.app}, {"outcome", "nothing"}, {"deleted", nullptr}});
    return kExitOk;
  }
  const std::string what = has_data ? args.app + "'s data (" + data + ")" : "the record of who owns the name " + args.app;
  if (!args.yes && !confirmed("Delete " + what + "? Its name goes to whichever policy runs it next.")) {
    std::cerr << "cordon: forget: nothing deleted; `cordon forget --yes " << args.app << "` deletes " << what << "\n";
    return kExitInvalid;
  }
  if (has_data)
    if (auto removed = package::remove_tree(data); !removed) return cordon_failed("forget", removed.error());
  if (auto gone = sandbox::forget_origin(*ctx, args.app); !gone) return cordon_failed("forget", gone.error());
  say_outcome(args.json, "forgot " + args.app + (has_data ? ": deleted " + data : ""),
              {{"app", args.app}, {"outcome", "forgot"}, {"deleted", has_data ? nlohmann::ordered_json(data) : nullptr}});
  return kExitOk;
}

}  // namespace cordon::launcher
