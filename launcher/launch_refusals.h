// What `cordon run` refuses in a policy that is valid on its own, in one place so that `cordon
// check` reports it too (never "check passes, run refuses"): a Plan notice that a feature is not
// enforced, and an ad-hoc policy file that takes the name of an installed app.
#pragma once

#include <optional>
#include <string>

#include "plan/plan.h"
#include "policy/diagnostics.h"
#include "policy/search.h"

namespace cordon::launcher {

// Errors for what the launch refuses (unenforced notices), warnings for what it only says (a
// manual plug not connected, with the command that connects it for the app named as `file`), each
// at the line of `file` that asks for it.
void report_plan_notices(const plan::Plan& plan, const std::string& file, policy::Diagnostics& diags);

// A notice's words for the app named on the command line as `app_arg`: an unconnected plug's
// names the exact `cordon connect` command (a policy file is connected by its path, as run says).
std::string notice_message(const plan::Notice& n, const plan::Plan& plan, const std::string& app_arg);

// "name=value,name=value" of a plug's attributes, without every plug's default enforcement=strict.
std::string plug_attributes_text(const std::vector<std::pair<std::string, std::string>>& attributes);

// How the owner connects `plug` of the app run as `app_arg`: "connect it with `cordon connect
// APP PLUG:ATTR=VALUE`", naming the attributes they approve (and root, for a system app's).
std::string connect_hint(const plan::Plug& plug, const std::string& app_arg);

// Why the ad-hoc policy `file` may not run under the name `app`: the name belongs to an installed
// package or to a policy installed in the app search path. nullopt when the name is free or `file`
// is that installed policy itself.
std::optional<std::string> adhoc_name_refusal(const policy::SearchPaths& paths, const std::string& file,
                                              const std::string& app);

}  // namespace cordon::launcher
