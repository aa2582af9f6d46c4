// plan::resolve: provenance, conflicts, deny wins, manual plugs, determinism.
#include <doctest/doctest.h>

#include <algorithm>

#include "plan/plan_json.h"
#include "support.h"

using cordon::plan::MountKind;
using cordon::test::resolve_text;
using V = std::vector<std::string>;

namespace {

const std::string kApp = "schema: 1\nname: demo\ncommand: [/usr/bin/true]\n";

const cordon::plan::Mount* mount_at(const cordon::plan::Plan& p, const std::string& path) {
  for (const auto& m : p.mounts)
    if (m.path == path) return &m;
  return nullptr;
}

bool allowed(const cordon::plan::Plan& p, const std::string& name) {
  return std::any_of(p.syscalls.begin(), p.syscalls.end(), [&](const auto& s) { return s.name == name; });
}

}  // namespace

TEST_CASE("every mount carries its provenance") {
  auto r = resolve_text(kApp + "filesystem: {read-only: [/srv/data]}\n");
  REQUIRE(r.plan);
  for (const auto& m : r.plan->mounts) {
    CAPTURE(m.path);
    CHECK_FALSE(m.from.empty());
  }
  const auto* srv = mount_at(*r.plan, "/srv/data");
  REQUIRE(srv);
  CHECK(srv->from.at(0).origin == cordon::plan::Origin::app);
  CHECK(srv->from.at(0).file == "app.yaml");
  CHECK(srv->from.at(0).line == 4);
  CHECK(mount_at(*r.plan, "/")->kind == MountKind::root_tmpfs);
  CHECK(mount_at(*r.plan, "/usr")->from.at(0).origin == cordon::plan::Origin::base);
}

TEST_CASE("mounts are ordered parents first") {
  auto r = resolve_text(kApp + "filesystem: {read-only: [/srv/data/deep], read-write: [/srv/data-2]}\n");
  REQUIRE(r.plan);
  std::vector<std::string> paths;
  for (const auto& m : r.plan->mounts) paths.push_back(m.path);
  auto pos = [&](const std::string& p) { return std::find(paths.begin(), paths.end(), p) - paths.begin(); };
  CHECK(pos("/") == 0);
  CHECK(pos("/etc") < pos("/etc/shadow"));
  CHECK(pos("/srv/data/deep") < pos("/srv/data-2"));  // '/' sorts before '-'
  CHECK(paths.back() == "$APP_DATA");
}

TEST_CASE("the same path read-only and read-write: the stricter read-only wins, with a warning") {
  auto r = resolve_text(kApp + "filesystem: {read-write: [/etc]}\n");
  REQUIRE(r.plan);
  CHECK(mount_at(*r.plan, "/etc")->kind == MountKind::bind_ro);
  CHECK(mount_at(*r.plan, "/etc")->from.at(0).origin == cordon::plan::Origin::base);
  const V lines = cordon::test::lines(r.diags);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "4:27: warning: '/etc' is both read-only and read-write; the stricter read-only wins over read-write");
  CHECK(lines[1].find(": note: made read-only here") != std::string::npos);
}

TEST_CASE("hide beats read-only; a tmpfs on a bound path is an error") {
  auto r = resolve_text(kApp + "filesystem: {read-only: [/etc/shadow]}\n");
  REQUIRE(r.plan);
  CHECK(mount_at(*r.plan, "/etc/shadow")->kind == MountKind::hide);
  auto bad = resolve_text(kApp + "filesystem: {tmpfs: [/usr]}\n");
  CHECK_FALSE(bad.plan);
  CHECK(cordon::test::errors(bad.diags) ==
        V{"4:22: '/usr' is both read-only and tmpfs; a tmpfs cannot share its path with another grant"});
}

TEST_CASE("paths cordon sets up itself cannot be granted") {
  auto r = resolve_text(kApp + "filesystem: {read-write: [/proc/sys]}\n");
  CHECK_FALSE(r.plan);
  CHECK(cordon::test::errors(r.diags).size() == 1);
}

TEST_CASE("deny wins over every allow, and drops the rules of what it denies") {
  auto r = resolve_text(kApp + "seccomp: {deny: [ioctl, getppid]}\n");
  REQUIRE(r.plan);
  CHECK_FALSE(allowed(*r.plan, "ioctl"));
  CHECK_FALSE(allowed(*r.plan, "getppid"));
  CHECK(allowed(*r.plan, "read"));
  CHECK(std::none_of(r.plan->rules.begin(), r.plan->rules.end(), [](const auto& x) { return x.syscall == "ioctl"; }));
  REQUIRE(r.plan->denied.size() == 2);
  CHECK(r.plan->denied[0].from.at(0).origin == cordon::plan::Origin::app);
}

TEST_CASE("the calls the sandbox's init needs under the filter cannot be denied") {
  auto r = resolve_text(kApp + "seccomp: {deny: [kill, wait4, getppid]}\n");
  CHECK_FALSE(r.plan);
  CHECK(cordon::test::errors(r.diags) ==
        V{"4:18: 'kill' cannot be denied: the sandbox's init needs it under the same filter (docs/seccomp.md)",
          "4:24: 'wait4' cannot be denied: the sandbox's init needs it under the same filter (docs/seccomp.md)"});
}

TEST_CASE("a syscall the catalogue denies outright cannot be allowed") {
  auto r = resolve_text(kApp + "seccomp: {allow: [kexec_load]}\n");
  CHECK_FALSE(r.plan);
  REQUIRE(cordon::test::errors(r.diags).size() == 1);
  CHECK(cordon::test::errors(r.diags)[0].rfind("4:19: syscall 'kexec_load' is never allowed: ", 0) == 0);
}

TEST_CASE("each allowed syscall says which set or file allowed it") {
  auto r = resolve_text(kApp + "seccomp: {allow: [ptrace]}\n");
  REQUIRE(r.plan);
  for (const auto& s : r.plan->syscalls) {
    CAPTURE(s.name);
    REQUIRE_FALSE(s.from.empty());
    CHECK(s.from[0].line > 0);
  }
  auto ptrace = std::find_if(r.plan->syscalls.begin(), r.plan->syscalls.end(), [](const auto& s) { return s.name == "ptrace"; });
  REQUIRE(ptrace != r.plan->syscalls.end());
  CHECK(ptrace->from.at(0).origin == cordon::plan::Origin::app);
}

TEST_CASE("network: none by default, host only through a plug; a network namespace of its own either way") {
  auto none = resolve_text(kApp);
  REQUIRE(none.plan);
  CHECK(none.plan->network == cordon::plan::NetworkMode::none);
  CHECK(std::count(none.plan->namespaces.begin(), none.plan->namespaces.end(), "net") == 1);
  REQUIRE(none.plan->socket_families.size() == 4);  // AF_UNIX, and IP and route netlink in its own namespace
  CHECK(none.plan->socket_families[0].name == "AF_INET");
  auto net = resolve_text(kApp + "plugs: [network]\n");
  REQUIRE(net.plan);
  CHECK(net.plan->network == cordon::plan::NetworkMode::host);
  CHECK(net.plan->network_from.at(0).origin == cordon::plan::Origin::plug);
  CHECK(net.plan->network_from.at(0).name == "network");
  // host: IP sockets from the host's namespace, through the supervisor; the abstract sockets stay private
  CHECK(std::count(net.plan->namespaces.begin(), net.plan->namespaces.end(), "net") == 1);
  CHECK(net.plan->socket_families.size() == 4);
}

TEST_CASE("attributes select conditional grants; a manual value grants nothing until connected") {
  auto ro = resolve_text(kApp + "plugs: [home]\n");
  REQUIRE(ro.plan);
  CHECK(mount_at(*ro.plan, "$HOME")->kind == MountKind::bind_ro);
  CHECK(ro.plan->plugs.at(0).connected);

  auto rw = resolve_text(kApp + "plugs: [{home: {access: read-write}}]\n");
  REQUIRE(rw.plan);
  CHECK_FALSE(rw.plan->plugs.at(0).connected);
  CHECK(mount_at(*rw.plan, "$HOME") == nullptr);
  CHECK(rw.plan->notices.size() == 1);

  cordon::plan::ResolveOptions connected;
  connected.connected = {{"home", {{"access", "read-write"}, {"enforcement", "strict"}}}};
  auto rw2 = resolve_text(kApp + "plugs: [{home: {access: read-write}}]\n", {}, connected);
  REQUIRE(rw2.plan);
  CHECK(rw2.plan->plugs.at(0).connected);
  CHECK(mount_at(*rw2.plan, "$HOME")->kind == MountKind::bind_rw);
  CHECK(rw2.plan->notices.empty());
}

TEST_CASE("a connection holds for the attributes it was made with, not for what a policy asks later") {
  cordon::plan::ResolveOptions options;
  options.connected = {{"home", {{"access", "read-write"}, {"enforcement", "strict"}}}};
  auto changed = resolve_text(kApp + "plugs: [{home: {access: read-write, enforcement: best-effort}}]\n", {}, options);
  REQUIRE(changed.plan);
  CHECK_FALSE(changed.plan->plugs.at(0).connected);
  CHECK(mount_at(*changed.plan, "$HOME") == nullptr);
  options.connected = {{"network", {}}};  // another plug's connection grants this one nothing
  auto other = resolve_text(kApp + "plugs: [{home: {access: read-write}}]\n", {}, options);
  REQUIRE(other.plan);
  CHECK_FALSE(other.plan->plugs.at(0).connected);
}

TEST_CASE("unknown attributes name the interface's declaration") {
  auto r = resolve_text(kApp + "plugs: [{home: {acess: read-only}}]\n");
  CHECK_FALSE(r.plan);
  const V lines = cordon::test::lines(r.diags);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "4:17: error: attribute 'acess' is not accepted by interface 'home'; did you mean 'access'?");
  CHECK(lines[1].find("note: 'home' declares its attributes here: access") != std::string::npos);
  auto bad_value = resolve_text(kApp + "plugs: [{home: {access: write}}]\n");
  CHECK(cordon::test::errors(bad_value.diags) ==
        V{"4:25: 'write' is not accepted for attribute 'access' of 'home'; accepted: read-only, read-write"});
}

TEST_CASE("two plugs that set one variable differently conflict; the app overrides all") {
  const std::string a = "schema: 1\ninterface: aa\nconnection: auto\nenvironment: {X: one}\n";
  const std::string b = "schema: 1\ninterface: bb\nconnection: auto\nenvironment: {X: two}\n";
  auto r = resolve_text(kApp + "plugs: [aa, bb]\n", {a, b});
  CHECK_FALSE(r.plan);
  CHECK(cordon::test::errors(r.diags).size() == 1);
  auto ok = resolve_text(kApp + "plugs: [aa]\nenvironment: {X: mine, HOME: /nowhere}\n", {a});
  REQUIRE(ok.plan);
  for (const auto& e : ok.plan->environment)
    if (e.name == "X" || e.name == "HOME") CHECK(e.from.origin == cordon::plan::Origin::app);
}

TEST_CASE("include cycles are named") {
  // Built directly: the shipped catalogue has none.
  cordon::policy::Diagnostics diags;
  auto cat = cordon::policy::parse_syscall_sets(
      "sets.yaml",
      "schema: 1\nsets:\n  a: {summary: s, include: [b]}\n  b: {summary: s, include: [a]}\n  default: {summary: s, include: [a]}\n",
      diags);
  REQUIRE(cat);
  auto base = cordon::policy::parse_interface("base.yaml", "schema: 1\ninterface: base\nseccomp: {sets: [default]}\n", diags);
  auto app = cordon::policy::parse_app("app.yaml", kApp, diags);
  REQUIRE(base);
  REQUIRE(app);
  auto bundle = cordon::policy::assemble_bundle(std::move(*app), std::move(*base), {}, std::move(*cat), diags);
  REQUIRE(bundle);
  CHECK_FALSE(cordon::plan::resolve(*bundle, {}, diags));
  CHECK(cordon::test::errors(diags) ==
        V{"4:29: syscall sets include each other in a cycle: default -> a -> b -> a",
          "2:7: the allowlist lacks exit, exit_group, kill, rt_sigtimedwait, wait4, which the sandbox's init needs "
          "under the same filter; the base's syscall sets must include them"});
}

TEST_CASE("the same inputs give byte-identical JSON and the same hash") {
  const std::string app = kApp + "plugs: [network, home]\nfilesystem: {read-only: [/srv/b, /srv/a]}\n";
  auto first = resolve_text(app);
  auto second = resolve_text(app);
  REQUIRE(first.plan);
  REQUIRE(second.plan);
  CHECK(cordon::plan::to_json_text(*first.plan) == cordon::plan::to_json_text(*second.plan));
  CHECK(cordon::plan::plan_hash(*first.plan) == cordon::plan::plan_hash(*second.plan));
  auto other = resolve_text(kApp + "plugs: [network]\n");
  REQUIRE(other.plan);
  CHECK(cordon::plan::plan_hash(*first.plan) != cordon::plan::plan_hash(*other.plan));
}

TEST_CASE("reserved keys become notices, so nothing is silently ignored") {
  auto r = resolve_text(kApp + "user: alice\nslots: [{db: {socket: $APP_DATA/db.sock}}]\n"
                        "plugs: [{network: {connect-ports: [443]}}]\n");
  REQUIRE(r.plan);
  CHECK(r.plan->notices.size() == 1);  // user; slots and connect-ports are enforced
}

TEST_CASE("a grant inside a hidden path is refused, from any source") {
  auto r = resolve_text(kApp + "filesystem: {read-only: [/etc/ssh/ssh_host_ed25519_key]}\n");
  CHECK_FALSE(r.plan);
  const V lines = cordon::test::lines(r.diags);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "4:26: error: '/etc/ssh/ssh_host_ed25519_key' is inside '/etc/ssh', which this plan hides");
  CHECK(lines[1].find("note: hidden here") != std::string::npos);
  const std::string iface = "schema: 1\ninterface: leak\nconnection: auto\nfilesystem: {read-write: ['${HOME}/.config/cordon/x']}\n";
  auto via_plug = resolve_text(kApp + "plugs: [home, leak]\n", {iface});
  CHECK_FALSE(via_plug.plan);  // ${HOME} and $HOME are one path, so the home plug's hide covers it
}

TEST_CASE("the system's cordon state is hidden in every plan") {
  auto r = resolve_text(kApp);
  REQUIRE(r.plan);
  for (const char* path : {"/etc/cordon", "/var/lib/cordon", "/var/cache/cordon"}) {
    CAPTURE(path);
    REQUIRE(mount_at(*r.plan, path));
    CHECK(mount_at(*r.plan, path)->kind == MountKind::hide);
    CHECK(mount_at(*r.plan, path)->from.at(0).origin == cordon::plan::Origin::cordon);
  }
}

TEST_CASE("manual values and conditions compare canonical values, item by item") {
  const std::string serial =
      "schema: 1\ninterface: serial\nconnection: auto\nattributes:\n"
      "  port: {type: integer, manual-values: ['0']}\n"
      "  ports: {type: ports, manual-values: ['22']}\n"
      "  level: {type: integer, default: '1'}\n"
      "when:\n  - if: {level: '01'}\n    filesystem: {hide: [/etc/passwd]}\n";
  auto connected_for = [&](const std::string& plug) {
    auto r = resolve_text(kApp + "plugs: [{serial: " + plug + "}]\n", {serial});
    REQUIRE(r.plan);
    return r.plan->plugs.at(0).connected;
  };
  CHECK_FALSE(connected_for("{port: 0}"));
  CHECK_FALSE(connected_for("{port: 00}"));
  CHECK_FALSE(connected_for("{ports: 22}"));
  CHECK_FALSE(connected_for("{ports: [443, 0022]}"));
  CHECK(connected_for("{ports: [443, 8080-8081]}"));
  auto r = resolve_text(kApp + "plugs: [serial]\n", {serial});
  REQUIRE(r.plan);
  CHECK(mount_at(*r.plan, "/etc/passwd"));  // default '1' meets the condition written '01'
}

TEST_CASE("a condition that could never hold is an error, not silently dropped grants") {
  auto r = cordon::test::interface_errors(
      "schema: 1\ninterface: x\nattributes:\n  strict: {type: boolean, default: 'true'}\n"
      "when:\n  - if: {strict: 'yes'}\n    filesystem: {hide: [/etc/passwd]}\n");
  CHECK(r == V{"6:18: condition 'yes' on 'strict' is not of type boolean, so it could never hold"});
}

TEST_CASE("every plug takes enforcement; best-effort matters where the kernel may lack a feature") {
  auto r = resolve_text(kApp + "plugs: [{network: {enforcement: best-effort}}]\n");
  REQUIRE(r.plan);
  CHECK(r.plan->notices.empty());
  CHECK_FALSE(r.plan->ports.active);  // the whole network: nothing the kernel must filter
  auto ports = resolve_text(kApp + "plugs: [{network: {connect-ports: [443], enforcement: best-effort}}]\n");
  REQUIRE(ports.plan);
  CHECK(ports.plan->ports.best_effort);
  auto bad = resolve_text(kApp + "plugs: [{network: {enforcement: lax}}]\n");
  CHECK(cordon::test::errors(bad.diags) ==
        V{"4:33: 'lax' is not accepted for attribute 'enforcement' of 'network'; accepted: best-effort, strict"});
}

namespace {

std::vector<std::pair<int, int>> ranges(const std::vector<cordon::plan::PortRange>& list) {
  std::vector<std::pair<int, int>> out;
  for (const auto& r : list) out.emplace_back(r.first, r.last);
  return out;
}

}  // namespace

TEST_CASE("named ports filter the network: TCP only, those ports, 53 for DNS; a whole-network plug lifts it") {
  using P = std::vector<std::pair<int, int>>;
  auto c = resolve_text(kApp + "plugs: [{network: {connect-ports: [443, 80, 444, 8000-8010, 8005]}}]\n");
  REQUIRE(c.plan);
  CHECK(c.plan->network == cordon::plan::NetworkMode::host);
  CHECK(c.plan->ports.active);
  CHECK(ranges(c.plan->ports.connect) == P{{53, 53}, {80, 80}, {443, 444}, {8000, 8010}});
  CHECK(c.plan->ports.connect.at(0).from.at(0).name == "dns");
  CHECK(c.plan->ports.bind.empty());  // a direction with no port named gets none
  CHECK_FALSE(c.plan->ports.best_effort);
  auto b = resolve_text(kApp + "plugs: [{network-bind: {bind-ports: 8080}}]\n");
  REQUIRE(b.plan);
  CHECK(ranges(b.plan->ports.bind) == P{{8080, 8080}});
  CHECK(b.plan->ports.connect.empty());  // a server only: not even DNS
  auto both = resolve_text(kApp + "plugs: [{network: {connect-ports: [443]}}, {network-bind: {bind-ports: [8080]}}]\n");
  REQUIRE(both.plan);
  CHECK(ranges(both.plan->ports.connect) == P{{53, 53}, {443, 443}});
  CHECK(ranges(both.plan->ports.bind) == P{{8080, 8080}});
  auto whole = resolve_text(kApp + "plugs: [network, {network-bind: {bind-ports: [8080]}}]\n");
  REQUIRE(whole.plan);
  CHECK_FALSE(whole.plan->ports.active);
  auto missing = resolve_text(kApp + "plugs: [network-bind]\n");
  CHECK_FALSE(missing.plan);  // bind-ports is required
  auto many = resolve_text(kApp + "plugs: [{network: {connect-ports: [1024-65535]}}]\n");
  CHECK_FALSE(many.plan);
  CHECK(cordon::test::errors(many.diags).at(0).find("at most 4096") != std::string::npos);
}

TEST_CASE("a connected dbus plug gives a proxy with its names and the bus address in the environment") {
  cordon::plan::ResolveOptions options;
  options.connect_all = true;
  auto r = resolve_text(kApp + "plugs: [{dbus: {talk: [org.example.A, 'org.example.B.*'], own: org.example.Mine}}]\n", {}, options);
  REQUIRE(r.plan);
  REQUIRE(r.plan->dbus.size() == 1);
  CHECK(r.plan->dbus[0].bus == "session");
  CHECK(r.plan->dbus[0].talk == V{"org.example.A", "org.example.B.*"});
  CHECK(r.plan->dbus[0].own == V{"org.example.Mine"});
  bool address = false;
  for (const auto& e : r.plan->environment)
    if (e.name == "DBUS_SESSION_BUS_ADDRESS") address = e.value == "unix:path=/run/cordon/session-bus";
  CHECK(address);
  auto unconnected = resolve_text(kApp + "plugs: [{dbus: {talk: org.example.A}}]\n");
  REQUIRE(unconnected.plan);
  CHECK(unconnected.plan->dbus.empty());  // manual: nothing until connected
  for (const char* bad : {"':1.42'", "org", "'org.example.*.x'", "'org..x'"}) {
    CAPTURE(bad);
    CHECK_FALSE(resolve_text(kApp + "plugs: [{dbus: {talk: " + std::string(bad) + "}}]\n").plan);
  }
}
