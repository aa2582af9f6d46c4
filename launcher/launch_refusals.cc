#include "launcher/launch_refusals.h"

#include <algorithm>

#include "launcher/installed.h"
#include "package/store.h"

namespace cordon::launcher {

void report_plan_notices(const plan::Plan& plan, const std::string& file, policy::Diagnostics& diags) {
  for (const plan::Notice& n : plan.notices) {
    // Notices name their file by its base name; the app's own are the checked file's.
    const policy::Where where{n.from.origin == plan::Origin::app ? file : n.from.file, n.from.line, 1};
    if (n.kind == plan::NoticeKind::unenforced) diags.error(where, n.message + "; `cordon run` refuses it");
    else if (n.kind == plan::NoticeKind::unconnected) diags.warning(where, notice_message(n, plan, file));
  }
}

std::string notice_message(const plan::Notice& n, const plan::Plan& plan, const std::string& app_arg) {
  if (n.kind != plan::NoticeKind::unconnected) return n.message;
  const auto plug = std::find_if(plan.plugs.begin(), plan.plugs.end(),
                                 [&](const plan::Plug& p) { return !p.connected && p.from == n.from; });
  const std::size_t until = n.message.find(" until `cordon connect");
  if (plug == plan.plugs.end() || until == std::string::npos) return n.message;
  return n.message.substr(0, until) + " until it is connected; " + connect_hint(*plug, app_arg);
}

std::string plug_attributes_text(const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::string out;
  for (const auto& [name, value] : attributes) {
    if (name == "enforcement" && value == "strict") continue;  // every plug's default: noise
    out += (out.empty() ? "" : ",") + name + "=" + value;
  }
  return out;
}

std::string connect_hint(const plan::Plug& plug, const std::string& app_arg) {
  std::string spec = plug.name;
  const std::string attrs = plug_attributes_text(plug.attributes);
  // A slot (PROVIDER:SLOT) is named alone: its attributes are the provider's, not the owner's choice.
  if (spec.find(':') == std::string::npos && !attrs.empty()) spec += ":" + attrs;
  return "to grant it, run `cordon connect " + app_arg + " " + spec + "`";
}

std::optional<std::string> adhoc_name_refusal(const policy::SearchPaths& paths, const std::string& file,
                                              const std::string& app) {
  if (auto state = package::read_state(invoker_store(), app); state && *state && (*state)->current != 0)
    return "the name '" + app + "' belongs to the installed package of that name (run it as `cordon run " + app +
           "`); an ad-hoc policy cannot take an installed app's name (and data)";
  if (auto owner = policy::name_taken(paths, file, app))
    return "the name '" + app + "' belongs to " + *owner + "; an ad-hoc policy cannot take another app's name (and data)";
  return std::nullopt;
}

}  // namespace cordon::launcher
