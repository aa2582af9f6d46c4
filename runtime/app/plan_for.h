// The whole front half of DESIGN.md's data flow in one call: app name or file -> Plan.
// The library entry point for `explain` and `run`.
#pragma once

#include <optional>
#include <string>

#include "app/connections.h"
#include "plan/resolve.h"
#include "policy/search.h"

namespace cordon::app {

// `app` is a file path, or a name looked up in the app search path. Its manual plugs are
// connected as the store `stores` picks for it says (connections.h). Everything that went wrong
// is in `diags`; every file read is in `sources`, the connections file too (with "" when there is
// none: it is watched for appearing like any other input).
std::optional<plan::Plan> plan_for(const std::string& app, const policy::SearchPaths& paths,
                                   const ConnectionStores& stores, policy::Diagnostics& diags,
                                   policy::SourceTexts& sources);

}  // namespace cordon::app
