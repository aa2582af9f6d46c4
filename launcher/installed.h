// What the launcher adds to the package layer: the invoker's store, the hooks a lifecycle command
// needs (policy check, confined health check, the test builds' kill points), and the lookup that
// makes `cordon run NAME` run an installed app's current revision.
#pragma once

#include <optional>
#include <string>

#include "package/lifecycle.h"
#include "package/store.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::launcher {

// The invoker's store: root's (/var/lib/cordon) or the user's (XDG data folder).
package::StoreLayout invoker_store();

// The checks `cordon check` makes, on a package's policy, plus what a package needs: a version, and
// its relative command and health check present and executable in its folder. Diagnostics name
// the policy as `shown` (hello.cordon/policy.yaml:3:5). For install (unpacked) and pack (the folder).
Result<package::PolicyFacts> check_package_policy(const std::string& path, const std::string& shown);

// Hooks for a lifecycle command. `health_timeout_s`: how long a health check may run.
package::Hooks lifecycle_hooks(double health_timeout_s);

// Test builds: a CORDON_KILL_AT that names no lifecycle step, as an error (else nullopt).
std::optional<std::string> unknown_kill_point();

// An installed app about to run: its policy file, payload folder, key, and the shared lock that
// keeps its revision on disk until the run ends.
struct InstalledLaunch {
  std::string policy_file;  // real path of REV/policy.yaml
  std::string app_root;     // real path of REV
  std::string key;          // the signer's key id
  int revision = 0;
  std::string version;
  UniqueFd hold;
};

// nullopt: `app` is a file or no installed app has that name (the policy path is searched then).
Result<std::optional<InstalledLaunch>> find_installed_launch(const std::string& app);

}  // namespace cordon::launcher
