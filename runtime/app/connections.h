// Manual connections (DESIGN.md "Trust"): a manual plug grants nothing until the machine's owner
// runs `cordon connect APP PLUG`. What was connected is the owner's configuration, one small JSON
// file per app: root's in /etc/cordon/connections/APP.json (for every system app, and everything
// root runs; readable by the users who run system apps), a user's in
// $XDG_CONFIG_HOME/cordon/connections/APP.json (for the apps that are the user's own). Neither
// folder is visible in any sandbox (cordon's state is hidden), so an app cannot connect itself. A connection records the plug's attributes as they were when it was connected: a policy
// that later asks for something else (another serial device, read-write instead of read-only) is
// not connected until the owner connects that.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "plan/resolve.h"
#include "policy/search.h"
#include "util/result.h"

namespace cordon::app {

// Where connections are kept, for the invoker.
struct ConnectionStores {
  std::string system_dir;  // root's: /etc/cordon/connections ("" in tests: none)
  std::string user_dir;    // the invoking user's ("" for root)
  uid_t user = 0;
};

ConnectionStores connection_stores(uid_t uid, const std::string& home, const std::string& xdg_config_home);

// One store, as decided for one app.
struct ConnectionStore {
  std::string dir;
  uid_t owner = 0;  // a file not owned by this uid (or writable by others) is not trusted
};

// The store whose connections an app gets: root's for a system app (its policy in /etc/cordon/apps
// or the shipped apps) and for everything root runs; the user's for the user's own apps (their
// config folder, their packages, a policy file). nullopt when `stores` names none.
std::optional<ConnectionStore> store_for(const ConnectionStores& stores, const policy::SearchPaths& paths,
                                         const std::string& policy_file);

// The JSON file of `app` in `store`.
std::string connections_file(const ConnectionStore& store, const std::string& app);

// The connections of `app`. A missing file is none; an untrusted or unreadable one too (a manual
// plug then grants nothing, which fails closed), with the reason in `problem`.
std::vector<plan::ConnectedPlug> read_connections(const ConnectionStore& store, const std::string& app,
                                                  std::string* problem = nullptr);

// Replaces the connections of `app` (atomically; the folder is made if missing). An empty list
// removes the file.
Result<void> write_connections(const ConnectionStore& store, const std::string& app,
                               const std::vector<plan::ConnectedPlug>& plugs);

}  // namespace cordon::app
