// `cordon interfaces`: every interface the search path offers, with its summary and attributes.
#include <iostream>

#include <nlohmann/json.hpp>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "launcher/host.h"
#include "launcher/interfaces_markdown.h"
#include "policy/bundle.h"

namespace cordon::launcher {

namespace {

using json = nlohmann::ordered_json;

json attribute_json(const policy::AttributeSpec& a) {
  json j{{"name", a.name}, {"type", policy::to_string(a.type)}, {"summary", a.summary}, {"values", a.values}};
  if (a.default_value) j["default"] = *a.default_value;
  j["manual_values"] = a.manual_values;
  j["required"] = a.required;
  j["reserved"] = a.reserved;
  return j;
}

std::string attribute_text(const policy::AttributeSpec& a) {
  std::string values;
  for (const std::string& v : a.values) values += (values.empty() ? "" : "|") + v;
  std::string out = "      " + a.name + ": " + (values.empty() ? policy::to_string(a.type) : values);
  if (a.default_value) out += " (default " + *a.default_value + ")";
  if (a.required) out += " (required)";
  if (a.reserved) out += " (reserved: not enforced yet)";
  if (!a.manual_values.empty()) {
    std::string manual;
    for (const std::string& v : a.manual_values) manual += (manual.empty() ? "" : ", ") + v;
    out += " [" + manual + " needs connect]";
  }
  return out + (a.summary.empty() ? "" : " - " + a.summary) + "\n";
}

}  // namespace

int interfaces(const InterfacesArgs& args) {
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  json list = json::array();
  std::string text;
  std::vector<policy::Interface> loaded;
  for (const std::string& name : policy::list_interfaces(paths)) {
    auto iface = policy::load_interface(name, paths, diags, sources);
    if (!iface) continue;
    loaded.push_back(*iface);
    const char* connection = iface->connection == policy::Connection::auto_connect ? "auto" : "manual";
    json attrs = json::array();
    for (const policy::AttributeSpec& a : iface->attributes) attrs.push_back(attribute_json(a));
    list.push_back({{"name", name}, {"summary", iface->summary}, {"connection", connection}, {"attributes", attrs}});
    text += "  " + name + std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') + "[" + connection + "] " +
            iface->summary + "\n";
    for (const policy::AttributeSpec& a : iface->attributes) text += attribute_text(a);
  }
  if (args.markdown) {
    auto base = policy::load_interface("base", paths, diags, sources);
    std::cerr << policy::render_text(diags, sources, colour_on_stderr());
    if (diags.has_errors()) return kExitInvalid;
    std::cout << interfaces_markdown(base ? &*base : nullptr, loaded);
    return kExitOk;
  }
  std::cerr << policy::render_text(diags, sources, colour_on_stderr());
  if (args.json) std::cout << json{{"version", 1}, {"interfaces", list}}.dump(2) << "\n";
  else std::cout << "interfaces (plug them by name in an app policy):\n" << text;
  return diags.has_errors() ? kExitInvalid : kExitOk;
}

}  // namespace cordon::launcher
