// An app's name, and with it its $APP_DATA, belongs to the origin that first used it (DESIGN.md
// "Trust"): installed apps (found by name in the app search path) on one side, and each ad-hoc
// policy file on its own. Without this, any policy file that says `name: bank` got bank's data.
// The record is one small file per name in cordon's state (/var/lib/cordon/origins/NAME, or
// $XDG_DATA_HOME/cordon/origins/NAME), which no app sees. A name used before records existed is
// recorded for whoever launches it next.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sandbox/context.h"
#include "util/result.h"

namespace cordon::sandbox {

// "installed" (a policy found by name in the policy path), or "file:" and the ad-hoc policy's
// resolved path.
std::string origin_of(bool installed, const std::string& policy_file);
// An installed package's: "package:" and its key's id.
std::string package_origin(const std::string& key_id);

// Records `ctx.origin` for `app` on first use; refuses a launch from another origin, saying which
// origin owns the name and how to hand it over. An empty ctx.origin (a library caller that does
// not say) is not checked.
Result<void> claim_app_name(const LaunchContext& ctx, const std::string& app);

// Where the records are for this launcher: /var/lib/cordon/origins, or the user's own.
std::string origins_dir(const LaunchContext& ctx);
// Every recorded name with its origin ("installed", "file:PATH", "package:KEY"), sorted by name.
std::vector<std::pair<std::string, std::string>> recorded_origins(const LaunchContext& ctx);
// Deletes `app`'s record, so that its name (and data) go to whoever launches it next. A missing
// record is no error.
Result<void> forget_origin(const LaunchContext& ctx, const std::string& app);

}  // namespace cordon::sandbox
