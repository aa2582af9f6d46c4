#include "plan/resolve.h"

#include <algorithm>
#include <deque>
#include <map>

#include "plan/arguments.h"
#include "plan/resolve_parts.h"
#include "policy/suggest.h"
#include "policy/values.h"

namespace cordon::plan {

namespace {

using policy::Diagnostics;
using policy::Where;
using namespace detail;  // this folder's own parts of resolve (resolve_parts.h)

bool conditions_hold(const policy::Conditional& c, const policy::ResolvedPlug& plug) {
  for (const auto& [attr, value] : c.conditions) {
    auto it = std::find_if(plug.attributes.begin(), plug.attributes.end(),
                           [&name = attr](const auto& a) { return a.first == name; });
    if (it == plug.attributes.end() || it->second != value.value) return false;
  }
  return true;
}

// "/dev/i2c-@{bus}" with the plug's bus 7 -> "/dev/i2c-7"; nullopt when an attribute it names is
// unset (the entry then grants nothing). The loader checked what each @{} may name.
std::optional<std::string> with_attributes(const std::string& path, const policy::ResolvedPlug& plug) {
  return policy::replace_attribute_references(path, [&](const std::string& name, std::string&) -> std::optional<std::string> {
    auto it = std::find_if(plug.attributes.begin(), plug.attributes.end(), [&](const auto& a) { return a.first == name; });
    if (it == plug.attributes.end()) return std::nullopt;
    return it->second;
  });
}

bool has_reference(const std::string& text) { return text.find("@{") != std::string::npos; }

bool references_attributes(const policy::Grants& g) {
  const policy::Filesystem& fs = g.filesystem;
  for (const auto* list : {&g.devices, &fs.read_only, &fs.read_write, &fs.tmpfs, &fs.hide})
    for (const policy::PathEntry& e : *list)
      if (has_reference(e.path)) return true;
  return std::any_of(g.environment.begin(), g.environment.end(),
                     [](const policy::EnvVar& v) { return has_reference(v.value); });
}

// A path list with the plug's values put in; an entry whose attribute is unset is left out.
std::vector<policy::PathEntry> paths_for_plug(const std::vector<policy::PathEntry>& list, const policy::ResolvedPlug& plug) {
  std::vector<policy::PathEntry> out;
  for (const policy::PathEntry& e : list)
    if (auto path = with_attributes(e.path, plug)) out.push_back(policy::PathEntry{*path, e.optional, e.where});
  return out;
}

// A grant section as this plug gets it: @{ATTRIBUTE} references replaced by its values. Kept in
// `owned` (a deque: the addresses handed out stay valid) when anything had to change.
const policy::Grants* for_plug(const policy::Grants& g, const policy::ResolvedPlug& plug,
                               std::deque<policy::Grants>& owned) {
  if (!references_attributes(g)) return &g;
  policy::Grants copy = g;
  copy.devices = paths_for_plug(g.devices, plug);
  copy.filesystem.read_only = paths_for_plug(g.filesystem.read_only, plug);
  copy.filesystem.read_write = paths_for_plug(g.filesystem.read_write, plug);
  copy.filesystem.tmpfs = paths_for_plug(g.filesystem.tmpfs, plug);
  copy.filesystem.hide = paths_for_plug(g.filesystem.hide, plug);
  copy.environment.clear();
  for (const policy::EnvVar& v : g.environment)
    if (auto value = with_attributes(v.value, plug)) copy.environment.push_back(policy::EnvVar{v.name, *value, v.where});
  owned.push_back(std::move(copy));
  return &owned.back();
}

void add_interface_grants(const policy::Interface& iface, const policy::ResolvedPlug& plug, const Source& who,
                          std::vector<GrantFrom>& out, std::deque<policy::Grants>& owned) {
  out.push_back({for_plug(iface.grants, plug, owned), who});
  for (const policy::Conditional& c : iface.when)
    if (conditions_hold(c, plug)) out.push_back({for_plug(c.grants, plug, owned), who});
}

// ---- environment and limits ----------------------------------------------------------------

std::vector<EnvEntry> resolve_environment(const std::vector<GrantFrom>& grants, const policy::AppPolicy& app,
                                          Diagnostics& diags) {
  std::map<std::string, std::pair<EnvEntry, Where>> env;
  for (const GrantFrom& g : grants)
    for (const policy::EnvVar& v : g.grants->environment) {
      auto it = env.find(v.name);
      // Base is the template and plugs refine it; two plugs that disagree are a conflict.
      if (it != env.end() && it->second.first.from.origin != Origin::base && it->second.first.value != v.value) {
        diags.error(v.where, "environment variable " + v.name + " is '" + v.value + "' here and '" +
                                 it->second.first.value + "' in " + origin_label(it->second.first.from))
            .notes.push_back(policy::note(it->second.second, "set here"));
        continue;
      }
      env[v.name] = {EnvEntry{v.name, v.value, source(g.who, v.where)}, v.where};
    }
  for (const policy::EnvVar& v : app.environment) env[v.name] = {EnvEntry{v.name, v.value, source(kApp, v.where)}, v.where};
  std::vector<EnvEntry> out;
  for (auto& [name, entry] : env) out.push_back(entry.first);
  return out;
}

// How each limit is enforced, so that explain can say it. Root's launches add a cgroup (pids,
// memory): rlimits do not bind host uid 0. A user's delegated cgroup is not used yet (TODO(#4)).
std::vector<Limit> resolve_limits(const policy::Limits& base, const policy::Limits& app) {
  std::vector<Limit> out;
  auto pick = [&](LimitKind kind, const char* mechanism, const auto& b, const auto& a) {
    if (a) out.push_back(Limit{kind, a->value, mechanism, source(kApp, a->where)});
    else if (b) out.push_back(Limit{kind, b->value, mechanism, source(kBase, b->where)});
  };
  pick(LimitKind::cpu_time, "RLIMIT_CPU", base.cpu_time_ms, app.cpu_time_ms);
  pick(LimitKind::memory, "RLIMIT_DATA, tmpfs size; cgroup memory when root launches", base.memory_bytes,
       app.memory_bytes);
  pick(LimitKind::open_files, "RLIMIT_NOFILE", base.open_files, app.open_files);
  pick(LimitKind::processes, "RLIMIT_NPROC; cgroup pids.max when root launches", base.processes, app.processes);
  return out;
}

// ---- plugs, network, notices ----------------------------------------------------------------

void resolve_network(const std::vector<GrantFrom>& grants, Plan& plan) {
  for (const GrantFrom& g : grants) {
    if (!g.grants->network || g.grants->network->value != "host") continue;
    plan.network = NetworkMode::host;
    add_source(plan.network_from, source(g.who, g.grants->network->where));
  }
  if (plan.network_from.empty()) plan.network_from.push_back(kCordon);
  // A user namespace for root too: the app's capabilities, even before they are dropped, then
  // only ever apply to what the sandbox owns (docs/sandbox.md). A network namespace with the
  // network plug too: "host" means the app's IP sockets come from the host's namespace (made by
  // cordon's supervisor), while its abstract Unix sockets stay private (sandbox/socket_broker.h).
  plan.namespaces = {"cgroup", "ipc", "mount", "net", "pid", "user", "uts"};
}

// A command whose first word is a relative path (bin/hello) names a file of an installed package's
// payload, which every sandbox of the app shows at $APP_ROOT; an absolute path is used as it is.
std::vector<std::string> payload_command(const std::vector<policy::Located<std::string>>& words) {
  std::vector<std::string> out;
  for (const auto& w : words) out.push_back(w.value);
  if (!out.empty() && !out[0].empty() && out[0][0] != '/')
    out[0] = std::string(kAppRootPrefix) + (out[0].rfind("./", 0) == 0 ? out[0].substr(2) : out[0]);
  return out;
}

void reserved_notices(const policy::AppPolicy& app, Plan& plan) {
  auto add = [&](const char* key, const Where& where) {
    plan.notices.push_back(Notice{NoticeKind::unenforced, std::string("'") + key + "' is accepted but not enforced by this version of cordon",
                                  source(kApp, where)});
  };
  if (app.user) add("user", app.user->where);
}

// Every cordon variable in a command word must have a value at launch: the app's environment or a
// Plan variable (plan/arguments.h). Anything else would reach the program as a literal "$NAME".
// The variables any plug of the app would set, connected or not: a command may name them (a shell
// reading $DBUS_SESSION_BUS_ADDRESS) before the owner connects the plug; they expand to "" until then.
std::vector<std::string> plug_variables(const policy::Bundle& bundle) {
  std::vector<std::string> out;
  auto add = [&](const policy::Grants& g) {
    for (const policy::EnvVar& v : g.environment) out.push_back(v.name);
    if (g.dbus_proxy) out.insert(out.end(), {"DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS"});
  };
  for (const policy::ResolvedPlug& rp : bundle.plugs) {
    add(rp.interface->grants);
    for (const policy::Conditional& c : rp.interface->when) add(c.grants);
  }
  return out;
}

void check_argument_variables(const std::vector<policy::Located<std::string>>& words, const char* what,
                              const std::vector<EnvEntry>& environment, const std::vector<std::string>& plugs_set,
                              Diagnostics& diags) {
  std::vector<std::string> known = plugs_set;
  for (const EnvEntry& e : environment) known.push_back(e.name);
  for (const std::string& v : argument_plan_variables()) known.push_back(v);
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  for (const policy::Located<std::string>& word : words)
    for (const ArgumentPart& v : argument_variables(word.value)) {
      if (std::binary_search(known.begin(), known.end(), v.text)) continue;
      const auto guess = policy::closest(v.text, known);
      diags.error(word.where, std::string(what) + ": unknown variable '$" + v.text + "' in " + policy::quoted(word.value) +
                                  (guess ? " (did you mean $" + *guess + "?)" : "") + "; arguments may use $" +
                                  policy::join(known, ", $") + " (the app's environment and the Plan "
                                  "variables); write $$" + v.text + " to pass a literal '$" + v.text + "' to the program");
    }
}

}  // namespace

std::optional<Plan> resolve(const policy::Bundle& bundle, const ResolveOptions& options, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  const policy::AppPolicy& app = bundle.app;
  Plan plan;
  plan.app = app.name.value;
  plan.summary = app.summary;
  plan.command = payload_command(app.command);
  plan.health_check = payload_command(app.health_check);
  plan.app_from = source(kApp, app.command.empty() ? app.name.where : app.command.front().where);
  plan.hostname = app.name.value;

  std::vector<GrantFrom> grants{{&bundle.base.grants, kBase}};
  std::deque<policy::Grants> substituted;  // grant sections with a plug's attribute values put in
  std::vector<bool> plug_connected;
  for (const policy::ResolvedPlug& rp : bundle.plugs) {
    const std::string& name = rp.interface->name.value;
    const bool connected = !rp.needs_connect || options.connect_all || std::find(options.connected.begin(), options.connected.end(),
                                                          ConnectedPlug{name, rp.attributes}) != options.connected.end();
    plan.plugs.push_back(Plug{name, rp.needs_connect ? "manual" : "auto", connected, rp.attributes,
                              source(kApp, rp.plug->where)});
    plug_connected.push_back(connected);
    for (const auto& [attr, value] : rp.attributes) {
      const policy::AttributeSpec* spec = rp.interface->attribute(attr);
      if (spec && spec->reserved)
        plan.notices.push_back(Notice{NoticeKind::unenforced, "attribute '" + attr + "' of plug '" + name +
                                          "' is accepted but not enforced by this version of cordon",
                                      source(kApp, rp.plug->where)});
    }
    if (connected) add_interface_grants(*rp.interface, rp, plug_origin(name), grants, substituted);
    else
      plan.notices.push_back(Notice{NoticeKind::unconnected, "plug '" + name + "' is manual and grants nothing until `cordon connect " +
                                        app.name.value + " " + name + "`",
                                    source(kApp, rp.plug->where)});
  }

  for (const policy::SlotPlug& sp : bundle.slot_plugs) {
    const std::string& name = sp.plug->interface;
    const bool connected = options.connect_all || std::find(options.connected.begin(), options.connected.end(),
                                                            ConnectedPlug{name, sp.attributes}) != options.connected.end();
    plan.plugs.push_back(Plug{name, "manual", connected, sp.attributes, source(kApp, sp.plug->where)});
    if (connected)
      plan.slots.push_back(SlotMount{sp.provider, sp.slot.name, policy::to_string(sp.slot.kind), sp.slot.path,
                                     sp.slot.writable, source(kApp, sp.plug->where)});
    else
      plan.notices.push_back(Notice{NoticeKind::unconnected, "plug '" + name + "' is another app's slot and grants nothing until `cordon connect " +
                                        app.name.value + " " + name + "`",
                                    source(kApp, sp.plug->where)});
  }
  plan.mounts = resolve_mounts(grants, app, diags);
  plan.devices = resolve_devices(grants);
  resolve_network(grants, plan);
  resolve_ports(bundle, plug_connected, plan, diags);
  plan.environment = resolve_environment(grants, app, diags);
  resolve_dbus(bundle, plug_connected, plan);  // its bus address joins the environment
  const std::vector<std::string> plugs_set = plug_variables(bundle);
  check_argument_variables(app.command, "command", plan.environment, plugs_set, diags);
  check_argument_variables(app.health_check, "health-check", plan.environment, plugs_set, diags);
  plan.limits = resolve_limits(bundle.base.limits, app.limits);
  resolve_seccomp(grants, app, bundle.syscalls, plan, diags);
  add_port_filter_rules(plan);
  reserved_notices(app, plan);
  if (diags.error_count() != errors_before) return std::nullopt;
  return plan;
}

}  // namespace cordon::plan
