// $APP_DATA: the app's private, persistent directory (DESIGN.md "Per-app state"). Created on first
// run, 0700, owned by the uid the app runs as. Runs in the launcher, before any namespace.
#pragma once

#include <string>

#include "sandbox/context.h"
#include "util/result.h"

namespace cordon::sandbox {

// /var/lib/cordon/data when root launches (also for `--user`), $XDG_DATA_HOME/cordon/data (default
// ~/.local/share/...) for a user.
std::string app_data_root(const LaunchContext& ctx);

// Creates ROOT/NAME if missing and checks what is there: a real directory (never a symlink),
// owned by the invoker, not reachable by others. Returns its path.
Result<std::string> prepare_app_data(const LaunchContext& ctx, const std::string& app_name);

}  // namespace cordon::sandbox
