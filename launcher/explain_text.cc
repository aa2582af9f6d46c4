#include "launcher/explain_text.h"

#include <algorithm>

#include "launcher/launch_refusals.h"
#include "plan/plan_json.h"

namespace cordon::launcher {

namespace {

// "base.yaml:12", "home plug (home.yaml:7)", "set file-read (syscall-sets.yaml:40)", "cordon".
std::string where(const plan::Source& s) {
  std::string loc = s.file.empty() ? "" : s.file + (s.line > 0 ? ":" + std::to_string(s.line) : "");
  switch (s.origin) {
    case plan::Origin::cordon: return s.name.empty() ? "cordon" : "cordon (" + s.name + ")";
    case plan::Origin::app:
    case plan::Origin::base: return loc;
    case plan::Origin::plug: return s.name + " plug (" + loc + ")";
    case plan::Origin::set: return "set " + s.name + " (" + loc + ")";
  }
  return plan::origin_label(s) + " (" + loc + ")";
}

std::string where(const std::vector<plan::Source>& list) {
  std::string out;
  for (const plan::Source& s : list) out += (out.empty() ? "" : ", ") + where(s);
  return out;
}

std::string padded(std::string s, std::size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s + "  ";
}

void line(std::string& out, const std::string& text, const std::string& from) {
  out += "  " + padded(text, 46) + from + "\n";
}

std::string human_limit(const plan::Limit& l) {
  const std::string name = plan::to_string(l.kind);
  if (l.kind == plan::LimitKind::memory) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    std::uint64_t v = l.value;
    int u = 0;
    while (u < 4 && v % 1024 == 0 && v >= 1024) {
      v /= 1024;
      ++u;
    }
    return name + " " + std::to_string(v) + units[u];
  }
  if (l.kind == plan::LimitKind::cpu_time) return name + " " + (l.value % 1000 == 0 ? std::to_string(l.value / 1000) + "s" : std::to_string(l.value) + "ms");
  return name + " " + std::to_string(l.value);
}

// The syscalls each set brought, then what was allowed or denied by name.
void syscalls_section(std::string& out, const plan::Plan& p) {
  out += "\nsyscalls: " + std::to_string(p.syscalls.size()) + " allowed; anything else fails with EPERM\n";
  for (const plan::SetUse& s : p.syscall_sets) {
    line(out, "set " + s.name + " (" + std::to_string(s.syscalls.size()) + ")", "via " + where(s.from));
    std::string names;
    for (const std::string& n : s.syscalls) {
      if (names.size() + n.size() > 92) {
        out += "      " + names + "\n";
        names.clear();
      }
      names += (names.empty() ? "" : " ") + n;
    }
    if (!names.empty()) out += "      " + names + "\n";
  }
  for (const plan::Named& n : p.syscalls) {
    const bool from_set_only = std::all_of(n.from.begin(), n.from.end(),
                                           [](const plan::Source& s) { return s.origin == plan::Origin::set; });
    if (!from_set_only) line(out, "allow " + n.name, where(n.from));
  }
  for (const plan::Named& n : p.denied) line(out, "deny " + n.name, where(n.from));
  if (!p.rules.empty()) out += "\nargument rules\n";
  for (const plan::Rule& r : p.rules) {
    std::string text = r.syscall + ": ";
    if (r.action == plan::RuleAction::fail_with_errno) text += "fails with " + r.errno_name;
    else {
      std::string values;
      for (const std::string& v : r.values) values += (values.empty() ? "" : "|") + v;
      text += std::string(plan::to_string(r.action)) + " arg" + std::to_string(r.arg) + " " + values + (r.low32 ? " (low 32 bits)" : "");
      if (r.if_arg >= 0) text += " if arg" + std::to_string(r.if_arg) + " = " + r.if_equals;
    }
    line(out, text, where(r.from));
    out += "      why: " + r.why + "\n";
  }
}

}  // namespace

std::string explain_text(const plan::Plan& p, const std::string& app_arg) {
  std::string out;
  out += "app " + p.app + (p.summary.empty() ? "" : ": " + p.summary) + "\n";
  std::string cmd;
  for (const std::string& a : p.command) cmd += (cmd.empty() ? "" : " ") + a;
  line(out, "command " + cmd, where(p.app_from));
  line(out, "hostname " + p.hostname, "cordon");
  std::string ns;
  for (const std::string& n : p.namespaces) ns += (ns.empty() ? "" : " ") + n;
  line(out, "namespaces " + ns, "cordon");
  line(out, "network " + std::string(p.network == plan::NetworkMode::host ? "host (IP sockets in the host's network namespace, made by cordon)" : "none (loopback only)"),
       where(p.network_from));
  if (p.ports.active) {
    line(out, "  TCP only (no UDP, no ping), enforcement " + std::string(p.ports.best_effort ? "best-effort" : "strict"),
         "network plugs");
    auto ranges = [&](const char* what, const std::vector<plan::PortRange>& list) {
      if (list.empty()) line(out, std::string("  ") + what + " no port", "network plugs");
      for (const plan::PortRange& r : list)
        line(out, std::string("  ") + what + " port " + std::to_string(r.first) +
                      (r.last != r.first ? "-" + std::to_string(r.last) : ""),
             where(r.from));
    };
    ranges("connect to", p.ports.connect);
    ranges("bind", p.ports.bind);
  }

  out += "\nplugs\n";
  if (p.plugs.empty()) out += "  (none)\n";
  for (const plan::Plug& pl : p.plugs) {
    std::string attrs;
    for (const auto& [k, v] : pl.attributes) attrs += (attrs.empty() ? " " : ", ") + k + "=" + v;
    line(out, pl.name + attrs + " [" + pl.connection + (pl.connected ? ", connected]" : ", NOT connected]"),
         where(pl.from));
  }

  out += "\nfilesystem, in mount order (the root is remounted read-only at the end)\n";
  for (const plan::Mount& m : p.mounts)
    line(out, padded(plan::to_string(m.kind), 10) + m.path + (m.optional ? " (if present)" : ""), where(m.from));
  if (!p.slots.empty()) {
    out += "\nslots of other apps (docs/slots.md)\n";
    for (const plan::SlotMount& sm : p.slots)
      line(out, plan::slot_mount_point(sm) + " <- " + sm.kind + " $APP_DATA/" + sm.path + " of " + sm.provider +
                    (sm.writable ? " (read-write)" : " (read-only)"),
           where(sm.from));
  }
  out += "\ndevices\n";
  if (p.devices.empty()) out += "  (only the minimal /dev)\n";
  for (const plan::Device& d : p.devices) line(out, d.path + (d.optional ? " (if present)" : ""), where(d.from));

  out += "\nenvironment (nothing else passes from the host)\n";
  for (const plan::EnvEntry& e : p.environment) line(out, e.name + "=" + e.value, where(e.from));
  out += "\nlimits\n";
  if (p.limits.empty()) out += "  (none)\n";
  for (const plan::Limit& l : p.limits) line(out, human_limit(l) + " (" + l.enforced_by + ")", where(l.from));
  if (!p.socket_families.empty()) {
    out += "\nsocket families\n";
    for (const plan::Named& f : p.socket_families) line(out, f.name, where(f.from));
  }
  syscalls_section(out, p);
  if (!p.notices.empty()) out += "\nnotices\n";
  for (const plan::Notice& n : p.notices)
    line(out, std::string(plan::to_string(n.kind)) + ": " + notice_message(n, p, app_arg), where(n.from));
  out += "\nplan " + plan::plan_hash(p) + "\n";
  return out;
}

}  // namespace cordon::launcher
