#include "launcher/interfaces_markdown.h"

namespace cordon::launcher {

namespace {

std::string code(const std::string& s) { return "`" + s + "`"; }

std::string paths(const std::vector<policy::PathEntry>& list) {
  std::string out;
  for (const policy::PathEntry& e : list)
    out += (out.empty() ? "" : ", ") + code(e.path) + (e.optional ? " (if present)" : "");
  return out;
}

std::string names(const std::vector<policy::Located<std::string>>& list) {
  std::string out;
  for (const auto& n : list) out += (out.empty() ? "" : ", ") + code(n.value);
  return out;
}

// One bullet per kind of grant, in the order a launch applies them.
std::string grant_lines(const policy::Grants& g, const std::string& indent) {
  std::string out;
  auto line = [&](const std::string& what, const std::string& items) {
    if (!items.empty()) out += indent + "- " + what + ": " + items + "\n";
  };
  line("read-only", paths(g.filesystem.read_only));
  line("read-write", paths(g.filesystem.read_write));
  line("private tmpfs", paths(g.filesystem.tmpfs));
  line("hidden", paths(g.filesystem.hide));
  line("devices (read and write, with their ioctls)", paths(g.devices));
  if (g.network) line("network", g.network->value == "host" ? "the host's (IP sockets made in its namespace)" : "none");
  std::string env;
  for (const policy::EnvVar& v : g.environment) env += (env.empty() ? "" : ", ") + code(v.name + "=" + v.value);
  line("environment", env);
  line("syscall sets", names(g.seccomp.sets));
  line("syscalls", names(g.seccomp.allow));
  line("socket families", names(g.seccomp.socket_families));
  std::string rules;
  for (const policy::ArgRule& r : g.seccomp.rules) rules += (rules.empty() ? "" : "; ") + r.syscall.value + ": " + r.why;
  line("argument rules", rules);
  return out;
}

std::string attribute_line(const policy::AttributeSpec& a) {
  std::string facts = policy::to_string(a.type);
  if (!a.values.empty()) {
    std::string values;
    for (const std::string& v : a.values) values += (values.empty() ? "" : " | ") + v;
    facts += ": " + values;
  }
  if (a.default_value) facts += ", default " + code(*a.default_value);
  if (a.required) facts += ", required";
  if (!a.pattern.empty()) facts += ", must match " + code(a.pattern);
  if (!a.manual_values.empty()) {
    std::string manual;
    for (const std::string& v : a.manual_values) manual += (manual.empty() ? "" : ", ") + code(v);
    facts += "; " + manual + " needs `cordon connect`";
  }
  if (a.reserved) facts += "; reserved: not enforced yet, so `cordon run` refuses a plug that sets it";
  return "- " + code(a.name) + " (" + facts + "): " + a.summary + "\n";
}

std::string connection_text(const policy::Interface& iface) {
  if (iface.connection == policy::Connection::manual) return "manual";
  for (const policy::AttributeSpec& a : iface.attributes)
    if (!a.manual_values.empty()) return "auto; some values need connect";
  return "auto";
}

std::string section(const policy::Interface& iface, bool is_base) {
  std::string out = "## " + iface.name.value + (is_base ? " (every app)" : " (" + connection_text(iface) + ")") + "\n\n";
  out += iface.summary + ".\n\n";
  if (!iface.description.empty()) out += iface.description + (iface.description.back() == '\n' ? "" : "\n") + "\n";
  if (!iface.attributes.empty()) {
    out += "Attributes:\n\n";
    for (const policy::AttributeSpec& a : iface.attributes) out += attribute_line(a);
    out += "\n";
  }
  const std::string grants = grant_lines(iface.grants, "");
  std::string when;
  for (const policy::Conditional& c : iface.when) {
    std::string cond;
    for (const auto& [attr, value] : c.conditions) cond += (cond.empty() ? "" : ", ") + attr + "=" + value.value;
    when += "- when " + cond + ":\n" + grant_lines(c.grants, "  ");
  }
  if (!grants.empty() || !when.empty()) out += "Grants (from " + code("policies/interfaces/" + iface.name.value + ".yaml") + "):\n\n" + grants + when + "\n";
  if (!iface.risk.empty()) out += "**Risk.** " + iface.risk + (iface.risk.back() == '\n' ? "" : "\n") + "\n";
  if (!iface.example.empty())
    out += "Example:\n\n```yaml\n" + iface.example + (iface.example.back() == '\n' ? "" : "\n") + "```\n\n";
  return out;
}

}  // namespace

std::string interfaces_markdown(const policy::Interface* base, const std::vector<policy::Interface>& interfaces) {
  std::string out =
      "<!-- Made by `cordon interfaces --markdown` from policies/interfaces/*.yaml: edit those files, not this\n"
      "     one (the ctest interfaces_doc_current fails when the two differ). -->\n"
      "# Interface catalogue\n\n"
      "An app plugs interfaces by name in its policy (`plugs: [network, {serial-port: {path: /dev/ttyUSB0}}]`);\n"
      "each grants what its section below says, and nothing else. `cordon interfaces` lists what this\n"
      "machine has; `cordon explain APP` shows every grant of an app with the line it came from.\n"
      "**auto** interfaces are granted when plugged; **manual** ones (and manual attribute values) only\n"
      "once the machine's owner runs `cordon connect APP PLUG` (docs/connections.md).\n"
      "Every plug also takes `enforcement: strict | best-effort`: what happens where the kernel lacks\n"
      "a feature the plug needs (today: TCP port rules).\n\n"
      "| interface | grant | summary |\n|---|---|---|\n";
  for (const policy::Interface& i : interfaces)
    out += "| [" + i.name.value + "](#" + i.name.value + ") | " + connection_text(i) + " | " + i.summary + " |\n";
  out += "\n";
  if (base) out += section(*base, true);
  for (const policy::Interface& i : interfaces) out += section(i, false);
  return out;
}

}  // namespace cordon::launcher
