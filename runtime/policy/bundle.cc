#include "policy/bundle.h"

#include <algorithm>
#include <map>
#include <memory>
#include <regex>

#include "policy/fields.h"
#include "policy/load.h"
#include "policy/suggest.h"
#include "util/strings.h"

namespace cordon::policy {

namespace {

std::optional<Interface> load_interface_file(const std::string& path, const std::string& expected_name,
                                             Diagnostics& diags, SourceTexts& sources) {
  auto text = read_policy_file(path, diags);
  if (!text) return std::nullopt;
  sources[path] = *text;
  auto iface = parse_interface(path, *text, diags);
  if (iface && iface->name.value != expected_name) {
    diags.error(iface->name.where, "interface '" + iface->name.value + "' is in a file named '" +
                                       basename_of(path) + "'; the file must be named " + iface->name.value + ".yaml");
    return std::nullopt;
  }
  return iface;
}

void check_attribute(const AttributeSpec& spec, const AttributeValue& value, const Interface& iface,
                     Diagnostics& diags) {
  // Only ports and names may be lists: a list is one value ("connect to 80 and 443").
  if (value.is_list && spec.type != AttributeType::ports && spec.type != AttributeType::names) {
    diags.error(value.where, "attribute '" + spec.name + "' of '" + iface.name.value + "' takes one " +
                                 to_string(spec.type) + ", not a list");
    return;
  }
  for (std::size_t i = 0; i < value.items.size(); ++i) {
    const std::string& v = value.items[i];
    const Where& at = i < value.item_where.size() ? value.item_where[i] : value.where;
    if (!value_has_type(v, spec.type)) {
      std::string why = spec.type == AttributeType::path ? "; " + path_problem(v).value_or("") : "";
      diags.error(at, "attribute '" + spec.name + "' of '" + iface.name.value + "' must be of type " +
                          to_string(spec.type) + ", found " + quoted(v) + why);
    } else if (!spec.values.empty() && std::find(spec.values.begin(), spec.values.end(),
                                                 canonical_value(v, spec.type)) == spec.values.end()) {
      diags.error(at, "'" + v + "' is not accepted for attribute '" + spec.name + "' of '" + iface.name.value +
                          "'; accepted: " + join(spec.values));
    } else if (!spec.pattern.empty() && !std::regex_match(canonical_value(v, spec.type), std::regex(spec.pattern))) {
      diags.error(at, "'" + v + "' is not accepted for attribute '" + spec.name + "' of '" + iface.name.value +
                          "': it must match " + spec.pattern + (spec.summary.empty() ? "" : " (" + spec.summary + ")"));
    }
  }
}

// Every plug may say how a missing kernel feature is treated (DESIGN.md reserved attributes):
// strict (refuse to run) is what cordon does today; best-effort is accepted and noted.
const AttributeSpec& enforcement_attribute() {
  static const AttributeSpec spec{"enforcement", "strict: refuse to run without a needed kernel feature",
                                  AttributeType::string, {"best-effort", "strict"}, std::string("strict"), {}, "",
                                  false, false, Where{}};
  return spec;
}

std::vector<std::string> attribute_names(const Interface& iface) {
  std::vector<std::string> names;
  for (const AttributeSpec& a : iface.attributes) names.push_back(a.name);
  return names;
}

ResolvedPlug check_plug(const Plug& plug, const Interface& iface, Diagnostics& diags) {
  ResolvedPlug rp{&plug, &iface, {}, iface.connection == Connection::manual};
  for (const auto& [name, value] : plug.attributes) {
    const AttributeSpec* spec = name == "enforcement" ? &enforcement_attribute() : iface.attribute(name);
    if (!spec) {
      const std::vector<std::string> names = attribute_names(iface);
      Diagnostic& d = diags.error(value.where, "attribute '" + name + "' is not accepted by interface '" +
                                                   iface.name.value + "'" + did_you_mean(name, names));
      d.notes.push_back(note(iface.name.where, names.empty()
                                                   ? "'" + iface.name.value + "' declares no attributes"
                                                   : "'" + iface.name.value + "' declares its attributes here: " +
                                                         join(names)));
      continue;
    }
    check_attribute(*spec, value, iface, diags);
  }
  std::vector<const AttributeSpec*> specs{&enforcement_attribute()};
  for (const AttributeSpec& spec : iface.attributes) specs.push_back(&spec);
  for (const AttributeSpec* spec : specs) {
    auto given = std::find_if(plug.attributes.begin(), plug.attributes.end(),
                              [&](const auto& a) { return a.first == spec->name; });
    AttributeValue value;
    if (given != plug.attributes.end()) value = given->second;
    else if (spec->default_value) value.items = {*spec->default_value};
    else if (!spec->required) continue;  // unset: the interface's grants without it
    else {
      diags.error(plug.where, "plug '" + plug.interface + "' needs attribute '" + spec->name + "'" +
                                  (spec->summary.empty() ? "" : " (" + spec->summary + ")"));
      continue;
    }
    // Compared item by item in canonical form: [22] and 0022 are the port 22 a manual value names.
    for (std::string& item : value.items) {
      item = canonical_value(item, spec->type);
      if (std::find(spec->manual_values.begin(), spec->manual_values.end(), item) != spec->manual_values.end())
        rp.needs_connect = true;
    }
    rp.attributes.emplace_back(spec->name, value.text());
  }
  std::sort(rp.attributes.begin(), rp.attributes.end());
  return rp;
}

void check_never_allowed(const std::vector<Located<std::string>>& allow, const SyscallCatalog& cat,
                         Diagnostics& diags) {
  for (const Located<std::string>& name : allow)
    for (const DeniedSyscall& d : cat.denied)
      if (d.syscall.value == name.value)
        diags.error(name.where, "syscall '" + name.value + "' is never allowed: " + d.why)
            .notes.push_back(note(d.syscall.where, "denied here"));
}

// Follows includes depth-first from `set`; reports a cycle once, at the include that closes it.
bool report_cycle(const SyscallCatalog& cat, const SyscallSet& set, std::vector<std::string> chain, Diagnostics& diags) {
  chain.push_back(set.name.value);
  for (const Located<std::string>& inc : set.include) {
    if (inc.value == chain.front()) {
      // Every member of a cycle would find it; only the one whose name sorts first reports it.
      if (*std::min_element(chain.begin(), chain.end()) != chain.front()) return true;
      chain.push_back(inc.value);
      diags.error(inc.where, "syscall sets include each other in a cycle: " + join(chain, " -> "));
      return true;
    }
    if (std::find(chain.begin(), chain.end(), inc.value) != chain.end()) continue;  // reported from its own start
    if (const SyscallSet* next = cat.find(inc.value))
      if (report_cycle(cat, *next, chain, diags)) return true;
  }
  return false;
}

// Every set an interface names must exist in the catalogue.
void check_set_references(const Interface& iface, const SyscallCatalog& cat, Diagnostics& diags) {
  std::vector<std::string> names;
  for (const SyscallSet& s : cat.sets) names.push_back(s.name.value);
  auto check = [&](const std::vector<Located<std::string>>& sets) {
    for (const Located<std::string>& s : sets)
      if (!cat.find(s.value))
        diags.error(s.where, "unknown syscall set '" + s.value + "'" + did_you_mean(s.value, names));
  };
  check(iface.grants.seccomp.sets);
  check_never_allowed(iface.grants.seccomp.allow, cat, diags);
  for (const Conditional& c : iface.when) {
    check(c.grants.seccomp.sets);
    check_never_allowed(c.grants.seccomp.allow, cat, diags);
  }
}

// Includes name existing sets without a cycle; each syscall sits in at most one set and is not
// also denied (the coverage test checks "at least one" against libseccomp's list).
void check_catalog(const SyscallCatalog& cat, Diagnostics& diags) {
  std::vector<std::string> names;
  for (const SyscallSet& s : cat.sets) names.push_back(s.name.value);
  std::map<std::string, Where> placed;
  for (const DeniedSyscall& d : cat.denied) placed.emplace(d.syscall.value, d.syscall.where);
  for (const SyscallSet& set : cat.sets) {
    for (const Located<std::string>& inc : set.include)
      if (!cat.find(inc.value))
        diags.error(inc.where, "set '" + set.name.value + "' includes unknown set '" + inc.value + "'" +
                                   did_you_mean(inc.value, names));
    for (const Located<std::string>& sc : set.syscalls) {
      auto [it, fresh] = placed.emplace(sc.value, sc.where);
      if (!fresh)
        diags.error(sc.where, "syscall '" + sc.value + "' is placed twice; each syscall sits in one set or under denied")
            .notes.push_back(note(it->second, "first placed here"));
    }
  }
  for (const SyscallSet& set : cat.sets) report_cycle(cat, set, {}, diags);
}

bool is_slot_plug(const Plug& plug) { return plug.interface.find(':') != std::string::npos; }

// The slot a PROVIDER:SLOT plug names, from the provider's policy in the app search path (which the
// Plan cache then watches like any other input). Errors at the plug.
std::optional<Slot> find_offered_slot(const Plug& plug, const std::string& consumer, const SearchPaths& paths,
                                      Diagnostics& diags, SourceTexts& sources) {
  const std::string provider = plug.interface.substr(0, plug.interface.find(':'));
  const std::string name = plug.interface.substr(plug.interface.find(':') + 1);
  if (provider == consumer) {
    diags.error(plug.where, "'" + plug.interface + "' is this app's own slot; its data is its own already");
    return std::nullopt;
  }
  const auto file = find_app(paths, provider);
  if (!file) {
    diags.error(plug.where, "no app named '" + provider + "' to offer slot '" + name + "'; searched " + join(paths.app_dirs));
    return std::nullopt;
  }
  Diagnostics theirs;  // the provider's own mistakes are its own; here only whether it offers the slot
  auto text = read_policy_file(*file, theirs);
  auto policy = text ? parse_app_partial(*file, *text, theirs) : std::nullopt;
  if (text) sources[*file] = *text;
  if (!policy) {
    diags.error(plug.where, "'" + provider + "' (" + *file + ") is not a valid policy, so it offers no slot; `cordon check " +
                                *file + "` says why");
    return std::nullopt;
  }
  for (const Slot& s : policy->slots)
    if (s.name == name) return s;
  std::vector<std::string> names;
  for (const Slot& s : policy->slots) names.push_back(s.name);
  diags.error(plug.where, "'" + provider + "' offers no slot '" + name + "'" + did_you_mean(name, names) +
                              (names.empty() ? "; it offers none" : "; it offers: " + join(names)));
  return std::nullopt;
}

}  // namespace

void check_syscall_catalog(const SyscallCatalog& cat, Diagnostics& diags) { check_catalog(cat, diags); }

void check_interface(const Interface& iface, const SyscallCatalog& syscalls, Diagnostics& diags) {
  check_set_references(iface, syscalls, diags);
}

std::vector<ResolvedPlug> check_plugs(const AppPolicy& app, const std::vector<Interface>& interfaces,
                                      Diagnostics& diags) {
  std::vector<ResolvedPlug> out;
  for (const Plug& plug : app.plugs) {
    auto iface = std::find_if(interfaces.begin(), interfaces.end(),
                              [&](const Interface& i) { return i.name.value == plug.interface; });
    if (iface != interfaces.end()) out.push_back(check_plug(plug, *iface, diags));
  }
  return out;
}

std::optional<Interface> load_interface(const std::string& name, const SearchPaths& paths, Diagnostics& diags,
                                        SourceTexts& sources) {
  auto path = find_interface(paths, name);
  if (!path) return std::nullopt;
  return load_interface_file(*path, name, diags, sources);
}

std::optional<SyscallCatalog> load_syscall_sets(const SearchPaths& paths, Diagnostics& diags, SourceTexts& sources) {
  auto text = read_policy_file(paths.syscall_sets, diags);
  if (!text) return std::nullopt;
  sources[paths.syscall_sets] = *text;
  auto cat = parse_syscall_sets(paths.syscall_sets, *text, diags);
  if (cat) check_catalog(*cat, diags);
  return cat;
}

std::unique_ptr<Bundle> assemble_bundle(AppPolicy app, Interface base, std::vector<Interface> interfaces,
                                        SyscallCatalog syscalls, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  auto bundle = assemble_bundle_partial(std::move(app), std::move(base), std::move(interfaces), std::move(syscalls), diags);
  if (diags.error_count() != errors_before) return nullptr;
  return bundle;
}

std::unique_ptr<Bundle> assemble_bundle_partial(AppPolicy app, Interface base, std::vector<Interface> interfaces,
                                                SyscallCatalog syscalls, Diagnostics& diags) {
  auto bundle = std::make_unique<Bundle>();
  bundle->app = std::move(app);
  bundle->base = std::move(base);
  bundle->interfaces = std::move(interfaces);
  bundle->syscalls = std::move(syscalls);
  check_interface(bundle->base, bundle->syscalls, diags);
  for (const Interface& i : bundle->interfaces) check_interface(i, bundle->syscalls, diags);
  check_never_allowed(bundle->app.seccomp.allow, bundle->syscalls, diags);
  bundle->plugs = check_plugs(bundle->app, bundle->interfaces, diags);
  return bundle;
}

std::unique_ptr<Bundle> load_bundle(const std::string& app_file, const SearchPaths& paths, Diagnostics& diags,
                                    SourceTexts& sources) {
  const std::size_t errors_before = diags.error_count();
  auto bundle = load_bundle_partial(app_file, paths, diags, sources);
  if (diags.error_count() != errors_before) return nullptr;
  return bundle;
}

std::unique_ptr<Bundle> load_bundle_partial(const std::string& app_file, const SearchPaths& paths, Diagnostics& diags,
                                            SourceTexts& sources) {
  auto text = read_policy_file(app_file, diags);
  if (!text) return nullptr;
  sources[app_file] = *text;
  auto app = parse_app_partial(app_file, *text, diags);
  if (!app) return nullptr;

  auto base = load_interface("base", paths, diags, sources);
  if (!base && !find_interface(paths, "base"))
    diags.error(Where{app_file, 0, 0}, "cannot find base.yaml in the interface directories");
  auto syscalls = load_syscall_sets(paths, diags, sources);

  const std::vector<std::string> known = list_interfaces(paths);
  std::vector<Interface> interfaces;
  std::vector<std::pair<std::string, Slot>> offered;
  for (const Plug& plug : app->plugs) {
    if (is_slot_plug(plug)) {
      if (auto slot = find_offered_slot(plug, app->name.value, paths, diags, sources)) offered.emplace_back(plug.interface, *slot);
      continue;
    }
    if (plug.interface == "base") {
      diags.error(plug.where, "'base' is not an interface to plug; every app gets it");
      continue;
    }
    if (!find_interface(paths, plug.interface)) {
      diags.error(plug.where, "unknown interface '" + plug.interface + "'" + did_you_mean(plug.interface, known) +
                                  " (`cordon interfaces` lists them all)");
      continue;
    }
    if (auto iface = load_interface(plug.interface, paths, diags, sources)) interfaces.push_back(std::move(*iface));
  }
  if (!base || !syscalls) {
    check_plugs(*app, interfaces, diags);  // attribute errors too, in the same pass
    return nullptr;
  }
  auto bundle = assemble_bundle_partial(std::move(*app), std::move(*base), std::move(interfaces), std::move(*syscalls), diags);
  attach_slot_plugs(*bundle, offered);
  return bundle;
}

void attach_slot_plugs(Bundle& bundle, const std::vector<std::pair<std::string, Slot>>& offered) {
  for (const Plug& plug : bundle.app.plugs) {
    auto it = std::find_if(offered.begin(), offered.end(), [&](const auto& o) { return o.first == plug.interface; });
    if (it == offered.end()) continue;
    const Slot& slot = it->second;
    SlotPlug sp{&plug, plug.interface.substr(0, plug.interface.find(':')), slot, {}};
    sp.attributes = {{"access", slot.writable ? "read-write" : "read-only"}, {"kind", to_string(slot.kind)}, {"path", slot.path}};
    bundle.slot_plugs.push_back(std::move(sp));
  }
}

}  // namespace cordon::policy
