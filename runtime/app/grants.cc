#include "app/grants.h"

#include "plan/resolve.h"
#include "policy/bundle.h"
#include "policy/load.h"

namespace cordon::app {

namespace {

// An app that plugs `plug` (or nothing) and has nothing else: built as a model, not as YAML
// text to parse again.
policy::AppPolicy probe_app(const std::string& plug) {
  policy::AppPolicy app;
  app.file = "cordon-grants.yaml";
  const policy::Where here{app.file, 1, 1};
  app.name = {"cordon-grants", here};
  app.command = {{"/bin/true", here}};
  if (!plug.empty()) app.plugs.push_back(policy::Plug{plug, {}, here});
  return app;
}

// The Plan of an app that plugs `plug` (or nothing), or nullopt when that cannot resolve (an
// interface with a required attribute, say).
std::optional<plan::Plan> plan_with(const std::string& plug, const policy::Interface& base,
                                    const std::optional<policy::Interface>& iface, const policy::SyscallCatalog& catalog) {
  policy::Diagnostics diags;
  std::vector<policy::Interface> plugged;
  if (iface) plugged.push_back(*iface);
  auto bundle = policy::assemble_bundle(probe_app(plug), base, std::move(plugged), catalog, diags);
  if (!bundle) return std::nullopt;
  plan::ResolveOptions options;
  options.connect_all = true;
  auto resolved = plan::resolve(*bundle, options, diags);
  if (diags.has_errors()) return std::nullopt;
  return resolved;
}

std::set<std::string> names(const std::vector<plan::Named>& v) {
  std::set<std::string> out;
  for (const plan::Named& n : v) out.insert(n.name);
  return out;
}

std::vector<std::string> sorted(const std::map<std::string, std::set<std::string>>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::vector<std::string>{} : std::vector<std::string>(it->second.begin(), it->second.end());
}

}  // namespace

GrantIndex GrantIndex::build(const policy::SearchPaths& paths) {
  GrantIndex index;
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  auto catalog = policy::load_syscall_sets(paths, diags, sources);
  auto base = policy::load_interface("base", paths, diags, sources);
  if (!catalog || !base) return index;
  for (const policy::DeniedSyscall& d : catalog->denied) index.denied_[d.syscall.value] = d.why;
  for (const policy::SyscallSet& set : catalog->sets)
    for (const auto& s : set.syscalls) index.in_sets_.insert(s.value);
  auto base_plan = plan_with("", *base, std::nullopt, *catalog);
  if (!base_plan) return index;
  const std::set<std::string> base_syscalls = names(base_plan->syscalls), base_families = names(base_plan->socket_families);
  for (const std::string& name : policy::list_interfaces(paths)) {
    if (name == "base") continue;
    auto iface = policy::load_interface(name, paths, diags, sources);
    if (!iface) continue;
    if (iface->connection == policy::Connection::manual) index.manual_.insert(name);
    auto with_plug = plan_with(name, *base, iface, *catalog);
    if (!with_plug) continue;
    for (const plan::Named& s : with_plug->syscalls)
      if (!base_syscalls.count(s.name)) index.syscall_plugs_[s.name].insert(name);
    for (const plan::Named& f : with_plug->socket_families)
      if (!base_families.count(f.name)) index.family_plugs_[f.name].insert(name);
  }
  return index;
}

std::vector<std::string> GrantIndex::plugs_for_syscall(const std::string& syscall) const {
  return sorted(syscall_plugs_, syscall);
}

std::vector<std::string> GrantIndex::plugs_for_family(const std::string& family) const {
  return sorted(family_plugs_, family);
}

std::optional<std::string> GrantIndex::denied_to_all(const std::string& syscall) const {
  auto it = denied_.find(syscall);
  if (it == denied_.end()) return std::nullopt;
  return it->second;
}

}  // namespace cordon::app
