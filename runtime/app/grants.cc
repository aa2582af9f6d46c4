#include "app/grants.h"

#include <algorithm>
#include <map>
#include <regex>

#include "plan/resolve.h"
#include "policy/bundle.h"
#include "policy/load.h"
#include "util/path_within.h"

namespace cordon::app {

namespace {

// An app that plugs `plug` (or nothing) and has nothing else: built as a model, not as YAML
// text to parse again.
policy::AppPolicy probe_app(const std::string& plug, const std::vector<std::pair<std::string, std::string>>& attributes) {
  policy::AppPolicy app;
  app.file = "cordon-grants.yaml";
  const policy::Where here{app.file, 1, 1};
  app.name = {"cordon-grants", here};
  app.command = {{"/bin/true", here}};
  if (plug.empty()) return app;
  policy::Plug p{plug, {}, here};
  for (const auto& [name, value] : attributes)
    p.attributes.emplace_back(name, policy::AttributeValue{{value}, {here}, false, here});
  app.plugs.push_back(std::move(p));
  return app;
}

// The Plan of an app that plugs `plug` (or nothing), or nullopt when that cannot resolve (an
// interface with a required attribute, say).
std::optional<plan::Plan> plan_with(const std::string& plug, const policy::Interface& base,
                                    const std::optional<policy::Interface>& iface, const policy::SyscallCatalog& catalog,
                                    const std::vector<std::pair<std::string, std::string>>& attributes = {}) {
  policy::Diagnostics diags;
  std::vector<policy::Interface> plugged;
  if (iface) plugged.push_back(*iface);
  auto bundle = policy::assemble_bundle(probe_app(plug, attributes), base, std::move(plugged), catalog, diags);
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

// The values of an `access` attribute (home, removable-media) other than its default, each a
// variant of the plug worth its own Plan: the read-write one grants what the default does not.
std::vector<std::string> other_access_values(const policy::Interface& iface) {
  const policy::AttributeSpec* access = iface.attribute("access");
  std::vector<std::string> out;
  if (!access) return out;
  for (const std::string& v : access->values)
    if (v != access->default_value.value_or("")) out.push_back(v);
  return out;
}

// Capturing groups a pattern opens: "(" not escaped and not "(?".
int groups_in(const std::string& pattern) {
  int n = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') ++i;
    else if (pattern[i] == '(' && (i + 1 >= pattern.size() || pattern[i + 1] != '?')) ++n;
  }
  return n;
}

std::string regex_escaped(const std::string& text) {
  static const std::string special = "\\^$.|?*+()[]{}";
  std::string out;
  for (char c : text) {
    if (special.find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

void GrantIndex::add_path_grants(const PathPlug& plug, const plan::Plan& with, const plan::Plan& base) {
  for (const plan::Mount& m : with.mounts)
    if (std::none_of(base.mounts.begin(), base.mounts.end(),
                     [&](const plan::Mount& b) { return b.path == m.path && b.kind == m.kind; }))
      path_grants_.push_back({plug, m.path, m.kind});
  for (const plan::Device& d : with.devices)
    if (std::none_of(base.devices.begin(), base.devices.end(), [&](const plan::Device& b) { return b.path == d.path; }))
      path_grants_.push_back({plug, d.path, plan::MountKind::bind_rw});
}

std::optional<GrantIndex::PathPlug> GrantIndex::device_template_match(const std::string& path) const {
  for (const DeviceTemplate& t : device_templates_) {
    std::smatch m;
    if (!std::regex_match(path, m, std::regex(t.regex))) continue;
    PathPlug found{t.plug, {}};
    for (const auto& [name, group] : t.groups) found.attributes.emplace_back(name, m[group].str());
    return found;
  }
  return std::nullopt;
}

// "/dev/i2c-@{bus}" -> ^/dev/i2c-([0-9]+)$ with bus as group 1; a path attribute's own pattern
// ("/dev/tty(S|USB)[0-9]+") takes its groups along.
void GrantIndex::add_device_templates(const policy::Interface& iface) {
  for (const policy::PathEntry& e : iface.grants.devices) {
    if (e.path.find("@{") == std::string::npos) continue;
    DeviceTemplate t{iface.name.value, "", {}};
    int next_group = 1;
    std::size_t at = 0;
    bool usable = true;
    while (usable && at < e.path.size()) {
      const std::size_t ref = e.path.find("@{", at);
      const std::size_t end = ref == std::string::npos ? std::string::npos : e.path.find('}', ref);
      if (ref == std::string::npos || end == std::string::npos) {
        t.regex += regex_escaped(e.path.substr(at));
        break;
      }
      t.regex += regex_escaped(e.path.substr(at, ref - at));
      const std::string name = e.path.substr(ref + 2, end - ref - 2);
      const policy::AttributeSpec* spec = iface.attribute(name);
      if (!spec) usable = false;
      else if (spec->type == policy::AttributeType::integer) t.regex += "([0-9]{1,9})";
      else if (!spec->pattern.empty()) t.regex += "(" + spec->pattern + ")";
      else usable = false;  // a free-form value could be any path: nothing to learn from it
      if (usable) {
        t.groups.emplace_back(name, next_group);
        next_group += 1 + (spec->pattern.empty() ? 0 : groups_in(spec->pattern));
      }
      at = end + 1;
    }
    if (usable) device_templates_.push_back(std::move(t));
  }
}

std::optional<GrantIndex::PathPlug> GrantIndex::plug_for_path(const std::string& path, bool write,
                                                              const std::string& home) const {
  struct Best {
    const PathGrant* grant = nullptr;
    std::size_t depth = 0;
  };
  // Per plug variant, the deepest of its grants that covers the path decides what it gives.
  std::map<std::string, Best> per_variant;
  for (const PathGrant& g : path_grants_) {
    std::string where = g.path;
    if (where.rfind("$HOME", 0) == 0) {
      if (home.empty()) continue;
      where = home + where.substr(5);
    }
    if (where.empty() || where[0] != '/' || !path_within(path, where)) continue;
    std::string key = g.plug.plug;
    for (const auto& [n, v] : g.plug.attributes) key += " " + n + "=" + v;
    Best& b = per_variant[key];
    if (!b.grant || where.size() > b.depth) b = {&g, where.size()};
  }
  const PathGrant* chosen = nullptr;
  std::size_t chosen_depth = 0;
  for (const auto& [key, b] : per_variant) {
    const plan::MountKind k = b.grant->kind;
    if (k != plan::MountKind::bind_rw && !(k == plan::MountKind::bind_ro && !write)) continue;
    // Deeper is more exact; at one depth, read-only is the smaller grant.
    const bool better = !chosen || b.depth > chosen_depth ||
                        (b.depth == chosen_depth && k == plan::MountKind::bind_ro && chosen->kind != k);
    if (better) {
      chosen = b.grant;
      chosen_depth = b.depth;
    }
  }
  if (chosen) return chosen->plug;
  return device_template_match(path);
}

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
    for (const policy::AttributeSpec& a : iface->attributes)
      for (const std::string& v : a.manual_values) index.manual_values_.insert(name + " " + a.name + "=" + v);
    index.add_device_templates(*iface);
    for (const std::string& access : other_access_values(*iface))
      if (auto variant = plan_with(name, *base, iface, *catalog, {{"access", access}}))
        index.add_path_grants({name, {{"access", access}}}, *variant, *base_plan);
    auto with_plug = plan_with(name, *base, iface, *catalog);
    if (!with_plug) continue;
    index.add_path_grants({name, {}}, *with_plug, *base_plan);
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
