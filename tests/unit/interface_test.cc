// Interface files and the syscall-set catalogue: shapes, attributes, conditions, rules.
#include <doctest/doctest.h>

#include "support.h"

using cordon::test::interface_errors;
using V = std::vector<std::string>;

namespace {

std::string iface(const std::string& extra) { return "schema: 1\ninterface: demo\nsummary: a test\n" + extra; }

std::vector<std::string> sets_errors(const std::string& yaml) {
  cordon::policy::Diagnostics diags;
  cordon::policy::parse_syscall_sets("sets.yaml", yaml, diags);
  return cordon::test::errors(diags);
}

}  // namespace

TEST_CASE("a complete interface file is accepted") {
  CHECK(interface_errors(iface("connection: auto\n"
                               "attributes:\n"
                               "  access: {type: string, values: [ro, rw], default: ro, manual-values: [rw]}\n"
                               "  port: {type: ports, reserved: true}\n"
                               "network: host\n"
                               "devices: [/dev/ttyUSB0]\n"
                               "seccomp: {sets: [default], socket-families: [AF_INET]}\n"
                               "when:\n"
                               "  - if: {access: rw}\n"
                               "    filesystem: {read-write: [$HOME]}\n"))
            .empty());
}

TEST_CASE("interface errors") {
  CHECK(interface_errors(iface("network: internet\n")) == V{"4:10: network must be 'none' or 'host', found 'internet'"});
  CHECK(interface_errors(iface("connection: sometimes\n")) ==
        V{"4:13: connection must be 'auto' or 'manual', found 'sometimes'"});
  CHECK(interface_errors(iface("devices: [/etc/passwd]\n")) == V{"4:11: device '/etc/passwd' must name a device node under /dev/"});
  CHECK(interface_errors(iface("seccomp: {socket-families: [AF_FOO]}\n")) ==
        V{"4:29: unknown socket family 'AF_FOO'; known: AF_ALG, AF_BLUETOOTH, AF_CAN, AF_INET, AF_INET6, AF_NETLINK, "
          "AF_PACKET, AF_UNIX, AF_VSOCK"});
  CHECK(interface_errors(iface("attributes: {access: {type: text}}\n")) ==
        V{"4:29: unknown attribute type 'text'; known: boolean, integer, names, path, ports, string"});
  CHECK(interface_errors(iface("attributes: {access: {values: [a, b], default: c}}\n")) ==
        V{"4:48: default 'c' is not one of the values of attribute 'access': a, b"});
  CHECK(interface_errors(iface("attributes: {access: {required: true, default: c}}\n")) ==
        V{"4:48: attribute 'access' is required and so cannot have a default"});
  CHECK(interface_errors(iface("attributes: {a: {values: [x]}}\nwhen:\n  - if: {b: x}\n")) ==
        V{"6:10: condition on unknown attribute 'b'; did you mean 'a'?"});
  CHECK(interface_errors(iface("attributes: {a: {values: [x]}}\nwhen:\n  - if: {a: y}\n")) ==
        V{"6:13: 'y' is not a value of attribute 'a': x"});
  CHECK(interface_errors(iface("command: [/bin/sh]\n")).size() == 1);
}

TEST_CASE("syscall sets: rules and names") {
  CHECK(sets_errors("schema: 1\nsets:\n  a:\n    summary: s\n    syscalls: [read]\n"
                    "    rules:\n      - {syscall: ioctl, arg: 1, compare: low32, deny: [TIOCSTI], why: w}\n"
                    "      - {syscall: clone3, errno: ENOSYS, why: w}\n")
            .empty());
  CHECK(sets_errors("schema: 1\nsets:\n  a:\n    summary: s\n    syscalls: [reed]\n") ==
        V{"5:16: unknown syscall 'reed' in set 'a' syscalls"});
  CHECK(sets_errors("schema: 1\nsets:\n  a:\n    summary: s\n    rules:\n      - {syscall: ioctl, arg: 1, deny: [TIOCFOO], why: w}\n") ==
        V{"6:41: unknown constant 'TIOCFOO' in deny; known: TIOCLINUX, TIOCSTI, TIOCSETD"});
  CHECK(sets_errors("schema: 1\nsets:\n  a:\n    summary: s\n    rules:\n      - {syscall: clone3, errno: EFOO, why: w}\n") ==
        V{"6:34: unknown errno 'EFOO'; known: EACCES, EAFNOSUPPORT, EINVAL, ENOSYS, EOPNOTSUPP, EPERM"});
  CHECK(sets_errors("schema: 1\nsets:\n  a:\n    summary: s\n    rules:\n      - {syscall: ioctl, why: w}\n") ==
        V{"6:9: a rule needs errno, or arg with deny, deny-bits, deny-all-bits or allow-only"});
  CHECK(sets_errors("schema: 1\nsets:\n  a:\n    summary: s\n    rules:\n"
                    "      - {syscall: personality, arg: 0, allow-only: [PER_LINUX, PER_QUERY], why: w}\n").empty());
  CHECK(sets_errors("schema: 1\nsets:\n  a:\n    summary: s\n    rules:\n"
                    "      - {syscall: personality, arg: 0, deny: [UNAME26], allow-only: [PER_LINUX], why: w}\n") ==
        V{"6:9: a rule has one of deny, deny-bits, deny-all-bits and allow-only; write two rules"});
  CHECK(sets_errors("schema: 1\nsets:\n  a:\n    syscalls: [read]\n") == V{"4:5: missing required key 'summary' in set 'a'"});
}

TEST_CASE("the shipped catalogue loads, and every interface names existing sets") {
  cordon::policy::Diagnostics diags;
  cordon::policy::SourceTexts sources;
  const auto paths = cordon::test::shipped_paths();
  auto cat = cordon::policy::load_syscall_sets(paths, diags, sources);
  REQUIRE(cat);
  CHECK(cat->find("default"));
  for (const std::string& name : cordon::policy::list_interfaces(paths)) {
    CAPTURE(name);
    CHECK(cordon::policy::load_interface(name, paths, diags, sources));
  }
  CHECK(cordon::test::errors(diags).empty());
}

TEST_CASE("attribute declarations cannot fail open") {
  CHECK(interface_errors(iface("attributes: {a: {values: []}}\n")) ==
        V{"4:26: attribute 'a' values must list at least one value; leave 'values' out to accept any string"});
  CHECK(interface_errors(iface("attributes: {a: {type: boolean, values: [yes]}}\n")) ==
        V{"4:42: value 'yes' of attribute 'a' is not of type boolean"});
  CHECK(interface_errors(iface("attributes: {a: {type: integer, default: many}}\n")) ==
        V{"4:42: default 'many' of attribute 'a' is not of type integer"});
  CHECK(interface_errors(iface("attributes: {a: {values: [x]}}\nwhen:\n  - if: {}\n")) ==
        V{"6:9: if must name at least one attribute; put unconditional grants at the top level"});
}

TEST_CASE("base.yaml takes no attributes, conditions or connection; only base sets limits") {
  CHECK(interface_errors("schema: 1\ninterface: base\nconnection: auto\n") ==
        V{"3:13: 'connection' does not apply to base.yaml, which every app gets"});
  CHECK(interface_errors(iface("limits: {processes: 5}\n")) ==
        V{"4:9: limits are only accepted in base.yaml (defaults) and in app policies"});
  CHECK(interface_errors("schema: 1\ninterface: base\nlimits: {processes: 5}\n").empty());
}

TEST_CASE("every shipped interface has an example policy that plugs it and resolves") {
  cordon::policy::Diagnostics diags;
  cordon::policy::SourceTexts sources;
  const auto paths = cordon::test::shipped_paths();
  auto cat = cordon::policy::load_syscall_sets(paths, diags, sources);
  auto base = cordon::policy::load_interface("base", paths, diags, sources);
  REQUIRE(cat);
  REQUIRE(base);
  for (const std::string& name : cordon::policy::list_interfaces(paths)) {
    if (name == "base") continue;
    CAPTURE(name);
    auto iface = cordon::policy::load_interface(name, paths, diags, sources);
    REQUIRE(iface);
    REQUIRE_FALSE(iface->example.empty());
    cordon::policy::Diagnostics example_diags;
    auto app = cordon::policy::parse_app(name + "-example.yaml", iface->example, example_diags);
    CAPTURE(cordon::test::errors(example_diags));
    REQUIRE(app);
    std::vector<cordon::policy::Interface> plugged;
    bool plugs_it = false;
    for (const cordon::policy::Plug& p : app->plugs) {
      plugs_it = plugs_it || p.interface == name;
      auto other = cordon::policy::load_interface(p.interface, paths, example_diags, sources);
      REQUIRE(other);
      plugged.push_back(*other);
    }
    CHECK(plugs_it);
    auto bundle = cordon::policy::assemble_bundle(*app, *base, std::move(plugged), *cat, example_diags);
    REQUIRE(bundle);
    cordon::plan::ResolveOptions options;
    options.connect_all = true;  // a manual plug's example as its owner would connect it
    CHECK(cordon::plan::resolve(*bundle, options, example_diags));
    CHECK(cordon::test::errors(example_diags).empty());
  }
}
