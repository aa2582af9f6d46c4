#include "plan/plan_json.h"

#include "util/sha256.h"

namespace cordon::plan {

namespace {

using json = nlohmann::ordered_json;

json source_json(const Source& s) {
  json j;
  j["origin"] = origin_label(s);
  if (!s.file.empty()) j["file"] = s.file;
  if (s.line > 0) j["line"] = s.line;
  return j;
}

json sources_json(const std::vector<Source>& list) {
  json j = json::array();
  for (const Source& s : list) j.push_back(source_json(s));
  return j;
}

json named_json(const std::vector<Named>& list) {
  json j = json::array();
  for (const Named& n : list) j.push_back({{"name", n.name}, {"from", sources_json(n.from)}});
  return j;
}

json mounts_json(const Plan& p) {
  json j = json::array();
  for (const Mount& m : p.mounts) {
    json e{{"kind", to_string(m.kind)}, {"path", m.path}};
    if (m.optional) e["optional"] = true;
    e["from"] = sources_json(m.from);
    j.push_back(std::move(e));
  }
  return j;
}

json devices_json(const Plan& p) {
  json j = json::array();
  for (const Device& d : p.devices) {
    json e{{"path", d.path}};
    if (d.optional) e["optional"] = true;
    e["from"] = sources_json(d.from);
    j.push_back(std::move(e));
  }
  return j;
}

json plugs_json(const Plan& p) {
  json j = json::array();
  for (const Plug& pl : p.plugs) {
    json attrs = json::object();
    for (const auto& [k, v] : pl.attributes) attrs[k] = v;
    j.push_back({{"name", pl.name},
                 {"connection", pl.connection},
                 {"connected", pl.connected},
                 {"attributes", attrs},
                 {"from", source_json(pl.from)}});
  }
  return j;
}

json seccomp_json(const Plan& p) {
  json sets = json::array();
  for (const SetUse& s : p.syscall_sets)
    sets.push_back({{"name", s.name}, {"summary", s.summary}, {"from", sources_json(s.from)}, {"syscalls", s.syscalls}});
  json rules = json::array();
  for (const Rule& r : p.rules) {
    json e{{"syscall", r.syscall}, {"action", to_string(r.action)}};
    if (r.action == RuleAction::fail_with_errno) e["errno"] = r.errno_name;
    else {
      e["arg"] = r.arg;
      e["compare"] = r.low32 ? "low32" : "full";
      e["values"] = r.values;
      if (r.if_arg >= 0) e["if"] = {{"arg", r.if_arg}, {"equals", r.if_equals}};
    }
    e["why"] = r.why;
    e["from"] = sources_json(r.from);
    rules.push_back(std::move(e));
  }
  return json{{"default_action", "errno:EPERM"},
              {"sets", std::move(sets)},
              {"allow", named_json(p.syscalls)},
              {"deny", named_json(p.denied)},
              {"rules", std::move(rules)},
              {"socket_families", named_json(p.socket_families)},
              {"denied_to_all", p.denied_to_all}};
}

}  // namespace

nlohmann::ordered_json to_json(const Plan& p) {
  json j;
  j["version"] = p.version;
  j["app"] = {{"name", p.app}, {"summary", p.summary}, {"command", p.command}, {"health-check", p.health_check}, {"from", source_json(p.app_from)}};
  j["hostname"] = p.hostname;
  j["plugs"] = plugs_json(p);
  j["namespaces"] = p.namespaces;
  j["network"] = {{"mode", to_string(p.network)}, {"from", sources_json(p.network_from)}};
  auto ranges = [](const std::vector<PortRange>& list) {
    json out = json::array();
    for (const PortRange& r : list) out.push_back({{"first", r.first}, {"last", r.last}, {"from", sources_json(r.from)}});
    return out;
  };
  // Only TCP, only these ports, when a plug names ports (PortFilter); shown either way.
  j["network"]["tcp_ports"] = {{"filtered", p.ports.active},
                               {"connect", ranges(p.ports.connect)},
                               {"bind", ranges(p.ports.bind)},
                               {"enforcement", p.ports.best_effort ? "best-effort" : "strict"}};
  j["mounts"] = mounts_json(p);
  j["devices"] = devices_json(p);
  json slots = json::array();
  for (const SlotMount& sm : p.slots)
    slots.push_back({{"provider", sm.provider}, {"slot", sm.slot}, {"kind", sm.kind}, {"path", sm.path},
                     {"access", sm.writable ? "read-write" : "read-only"}, {"at", slot_mount_point(sm)},
                     {"from", source_json(sm.from)}});
  j["slots"] = std::move(slots);
  json dbus = json::array();
  for (const DbusProxy& d : p.dbus)
    dbus.push_back({{"bus", d.bus}, {"talk", d.talk}, {"own", d.own}, {"from", source_json(d.from)}});
  j["dbus"] = std::move(dbus);
  json env = json::array();
  for (const EnvEntry& e : p.environment)
    env.push_back({{"name", e.name}, {"value", e.value}, {"from", source_json(e.from)}});
  j["environment"] = std::move(env);
  json limits = json::array();
  for (const Limit& l : p.limits)
    limits.push_back({{"name", to_string(l.kind)}, {"value", l.value}, {"unit", unit_of(l.kind)}, {"enforced_by", l.enforced_by},
                      {"from", source_json(l.from)}});
  j["limits"] = std::move(limits);
  j["seccomp"] = seccomp_json(p);
  json notices = json::array();
  for (const Notice& n : p.notices)
    notices.push_back({{"kind", to_string(n.kind)}, {"message", n.message}, {"from", source_json(n.from)}});
  j["notices"] = std::move(notices);
  return j;
}

std::string plan_hash(const Plan& plan) { return "sha256:" + sha256_hex(to_json(plan).dump()); }

std::string to_json_text(const Plan& plan) {
  json j = to_json(plan);
  j["plan_hash"] = "sha256:" + sha256_hex(j.dump());
  return j.dump(2) + "\n";
}

}  // namespace cordon::plan
