// The network plugs' TCP ports (plan.h PortFilter, docs/interfaces.md "network"). A plug that
// grants the host network and names no ports grants all of it; one that names connect-ports or
// bind-ports grants those and nothing else of the network (a direction it names no port for gets
// none). The filter is active only when no plug grants the whole network: the app then gets TCP
// sockets only, to and on the ports named, plus port 53 to resolve names over TCP.
#include <algorithm>

#include "plan/resolve_parts.h"

namespace cordon::plan::detail {

namespace {

// Landlock takes one rule per port: a range costs a syscall per port at every launch.
constexpr int kMaxPortsPerDirection = 4096;

bool grants_host_network(const policy::Grants& g) { return g.network && g.network->value == "host"; }

bool plug_grants_host_network(const policy::ResolvedPlug& rp) {
  if (grants_host_network(rp.interface->grants)) return true;
  return std::any_of(rp.interface->when.begin(), rp.interface->when.end(),
                     [](const policy::Conditional& c) { return grants_host_network(c.grants); });
}

const std::string* attribute(const policy::ResolvedPlug& rp, const std::string& name) {
  for (const auto& [n, v] : rp.attributes)
    if (n == name) return &v;
  return nullptr;
}

// The items of a list attribute's canonical text: "443" or "[80, 8000-8080]" (checked by the loader).
std::vector<std::string> list_items(const std::string& text) {
  std::vector<std::string> out;
  std::string body = text;
  if (!body.empty() && body.front() == '[') body = body.substr(1, body.size() - 2);
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find(',', pos);
    if (end == std::string::npos) end = body.size();
    std::string item = body.substr(pos, end - pos);
    item.erase(0, item.find_first_not_of(' '));
    if (!item.empty()) out.push_back(item);
    pos = end + 1;
  }
  return out;
}

std::vector<PortRange> parse_ports(const std::string& text, const Source& from) {
  std::vector<PortRange> out;
  for (const std::string& item : list_items(text)) {
    const std::size_t dash = item.find('-');
    const int first = std::stoi(item.substr(0, dash));
    const int last = dash == std::string::npos ? first : std::stoi(item.substr(dash + 1));
    out.push_back(PortRange{first, last, {from}});
  }
  return out;
}

// Sorted, and ranges that overlap or touch made one (their sources joined).
std::vector<PortRange> merged(std::vector<PortRange> list) {
  std::sort(list.begin(), list.end(), [](const PortRange& a, const PortRange& b) {
    return a.first != b.first ? a.first < b.first : a.last < b.last;
  });
  std::vector<PortRange> out;
  for (PortRange& r : list) {
    if (!out.empty() && r.first <= out.back().last + 1) {
      out.back().last = std::max(out.back().last, r.last);
      for (const Source& s : r.from) add_source(out.back().from, s);
    } else {
      out.push_back(std::move(r));
    }
  }
  return out;
}

int port_count(const std::vector<PortRange>& list) {
  int n = 0;
  for (const PortRange& r : list) n += r.last - r.first + 1;
  return n;
}

}  // namespace

void resolve_ports(const policy::Bundle& bundle, const std::vector<bool>& connected, Plan& plan,
                   policy::Diagnostics& diags) {
  bool whole_network = false, any_filtered = false, all_best_effort = true;
  std::vector<PortRange> connect, bind;
  for (std::size_t i = 0; i < bundle.plugs.size(); ++i) {
    const policy::ResolvedPlug& rp = bundle.plugs[i];
    if (!connected[i] || !plug_grants_host_network(rp)) continue;
    const std::string* c = attribute(rp, "connect-ports");
    const std::string* b = attribute(rp, "bind-ports");
    if (!c && !b) {
      whole_network = true;
      continue;
    }
    any_filtered = true;
    const Source from = source(plug_origin(rp.interface->name.value), rp.plug->where);
    if (c) for (PortRange& r : parse_ports(*c, from)) connect.push_back(std::move(r));
    if (b) for (PortRange& r : parse_ports(*b, from)) bind.push_back(std::move(r));
    const std::string* e = attribute(rp, "enforcement");
    if (!e || *e != "best-effort") all_best_effort = false;
  }
  if (whole_network || !any_filtered) return;
  // Names are resolved over TCP (the resolver is told use-vc), to the servers resolv.conf names.
  if (!connect.empty()) connect.push_back(PortRange{53, 53, {Source{Origin::cordon, "dns", "", 0}}});
  plan.ports.active = true;
  plan.ports.connect = merged(std::move(connect));
  plan.ports.bind = merged(std::move(bind));
  plan.ports.best_effort = all_best_effort;
  for (const auto* list : {&plan.ports.connect, &plan.ports.bind})
    if (port_count(*list) > kMaxPortsPerDirection)
      diags.error(bundle.app.name.where, "the network plugs name " + std::to_string(port_count(*list)) +
                                             " ports in one direction; at most " + std::to_string(kMaxPortsPerDirection) +
                                             " (Landlock takes one rule per port, at every launch)");
}

namespace {

std::vector<std::string> name_list(const std::string* text) { return text ? list_items(*text) : std::vector<std::string>{}; }

bool grants_dbus_proxy(const policy::Interface& iface) {
  return iface.grants.dbus_proxy ||
         std::any_of(iface.when.begin(), iface.when.end(), [](const policy::Conditional& c) { return c.grants.dbus_proxy; });
}

}  // namespace

void resolve_dbus(const policy::Bundle& bundle, const std::vector<bool>& connected, Plan& plan) {
  for (std::size_t i = 0; i < bundle.plugs.size(); ++i) {
    const policy::ResolvedPlug& rp = bundle.plugs[i];
    if (!connected[i] || !grants_dbus_proxy(*rp.interface)) continue;
    const std::string* bus = attribute(rp, "bus");
    const Source from = source(plug_origin(rp.interface->name.value), rp.plug->where);
    plan.dbus.push_back(DbusProxy{bus ? *bus : "session", name_list(attribute(rp, "talk")), name_list(attribute(rp, "own")), from});
    const bool session = plan.dbus.back().bus == "session";
    const std::string name = session ? "DBUS_SESSION_BUS_ADDRESS" : "DBUS_SYSTEM_BUS_ADDRESS";
    const std::string value = std::string("unix:path=") + (session ? kDbusSessionInside : kDbusSystemInside);
    auto it = std::find_if(plan.environment.begin(), plan.environment.end(), [&](const EnvEntry& e) { return e.name == name; });
    if (it != plan.environment.end()) *it = EnvEntry{name, value, from};  // the proxy is the only bus there is
    else plan.environment.push_back(EnvEntry{name, value, from});
  }
  std::sort(plan.environment.begin(), plan.environment.end(), [](const EnvEntry& a, const EnvEntry& b) { return a.name < b.name; });
}

void add_port_filter_rules(Plan& plan) {
  if (!plan.ports.active) return;
  // sendto(MSG_FASTOPEN) connects inside the kernel without connect(), so Landlock's connect rule
  // never sees it (TCP Fast Open is on by default for clients). An integer argument: no race.
  const Source from{Origin::cordon, "tcp-ports", "", 0};
  for (const auto& [call, arg] : {std::pair<const char*, int>{"sendto", 3}, {"sendmsg", 2}, {"sendmmsg", 3}}) {
    if (!has_name(plan.syscalls, call)) continue;
    Rule r;
    r.syscall = call;
    r.action = RuleAction::deny_bits;
    r.arg = arg;
    r.low32 = true;
    r.values = {"MSG_FASTOPEN"};
    r.why = "TCP Fast Open connects without connect(), past the port rules of a network narrowed to TCP ports";
    r.from = {from};
    plan.rules.push_back(std::move(r));
  }
  std::stable_sort(plan.rules.begin(), plan.rules.end(), [](const Rule& a, const Rule& b) { return a.syscall < b.syscall; });
}

}  // namespace cordon::plan::detail
