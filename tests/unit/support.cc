#include "support.h"

#include <algorithm>

namespace cordon::test {

namespace {

std::string position(const policy::Diagnostic& d) {
  return std::to_string(d.where.line) + ":" + std::to_string(d.where.column);
}

}  // namespace

std::vector<std::string> lines(const policy::Diagnostics& diags) {
  std::vector<std::string> out;
  for (const policy::Diagnostic& d : diags.in_file_order()) {
    out.push_back(position(d) + ": " + policy::to_string(d.severity) + ": " + d.message);
    for (const policy::Diagnostic& n : d.notes) out.push_back(position(n) + ": note: " + n.message);
  }
  return out;
}

std::vector<std::string> errors(const policy::Diagnostics& diags) {
  std::vector<std::string> out;
  for (const policy::Diagnostic& d : diags.in_file_order())
    if (d.severity == policy::Severity::error) out.push_back(position(d) + ": " + d.message);
  return out;
}

std::vector<std::string> app_errors(const std::string& yaml) {
  policy::Diagnostics diags;
  policy::parse_app("app.yaml", yaml, diags);
  return errors(diags);
}

std::vector<std::string> interface_errors(const std::string& yaml) {
  policy::Diagnostics diags;
  policy::parse_interface("iface.yaml", yaml, diags);
  return errors(diags);
}

std::string source_dir() { return CORDON_SOURCE_DIR; }

policy::SearchPaths shipped_paths() {
  policy::SearchPaths p;
  p.interface_dirs = {source_dir() + "/policies/interfaces"};
  p.syscall_sets = source_dir() + "/policies/syscall-sets.yaml";
  p.app_dirs = {source_dir() + "/examples"};
  return p;
}

Resolved resolve_text(const std::string& app_yaml, const std::vector<std::string>& extra_interfaces,
                      const plan::ResolveOptions& options) {
  Resolved r;
  const policy::SearchPaths paths = shipped_paths();
  policy::SourceTexts sources;
  auto app = policy::parse_app("app.yaml", app_yaml, r.diags);
  auto syscalls = policy::load_syscall_sets(paths, r.diags, sources);
  auto base = policy::load_interface("base", paths, r.diags, sources);
  std::vector<policy::Interface> extras;
  for (std::size_t i = 0; i < extra_interfaces.size(); ++i)
    if (auto iface = policy::parse_interface("extra" + std::to_string(i) + ".yaml", extra_interfaces[i], r.diags))
      extras.push_back(std::move(*iface));
  if (!app || !syscalls || !base) return r;
  std::vector<policy::Interface> plugged;
  for (const policy::Plug& plug : app->plugs) {
    auto extra = std::find_if(extras.begin(), extras.end(),
                              [&](const policy::Interface& i) { return i.name.value == plug.interface; });
    if (extra != extras.end()) plugged.push_back(*extra);
    else if (auto iface = policy::load_interface(plug.interface, paths, r.diags, sources)) plugged.push_back(*iface);
  }
  auto bundle = policy::assemble_bundle(std::move(*app), std::move(*base), std::move(plugged), std::move(*syscalls),
                                        r.diags);
  if (bundle) r.plan = plan::resolve(*bundle, options, r.diags);
  return r;
}

}  // namespace cordon::test
