// `--suggest`'s whole policy: the original text with the sections that gain something rewritten.
#include <doctest/doctest.h>

#include "policy/amend.h"
#include "policy/load.h"

namespace {

using cordon::policy::Amendment;

std::string amended(const std::string& text, const Amendment& add) {
  cordon::policy::Diagnostics diags;
  auto app = cordon::policy::parse_app("app.yaml", text, diags);
  REQUIRE(app);
  return cordon::policy::amended_policy(text, *app, add);
}

std::string body(const std::string& out) {  // without the two header comments
  std::size_t at = 0;
  while (out.compare(at, 2, "# ") == 0) at = out.find('\n', at) + 1;
  return out.substr(at);
}

}  // namespace

TEST_CASE("an amendment keeps the policy's lines and merges into the sections it extends") {
  const std::string text =
      "schema: 1\nname: a\n# the command\ncommand: [/bin/true]\nplugs: [network]  # why\n"
      "filesystem:\n  read-only:\n    - {path: /opt/x, optional: true}\nlimits:\n  memory: 64MiB\n";
  Amendment add;
  add.plugs.push_back({"home", {{"access", "read-write"}}, "wrote /home/u/a"});
  add.read_only.push_back("/srv/data");
  add.allow.push_back("ptrace");
  CHECK(body(amended(text, add)) ==
        "schema: 1\nname: a\n# the command\ncommand: [/bin/true]\n"
        "plugs:\n  - network\n  - home: {access: read-write}  # wrote /home/u/a\n"
        "filesystem:\n  read-only:\n    - {path: /opt/x, optional: true}\n    - /srv/data\n"
        "limits:\n  memory: 64MiB\n"
        "seccomp:\n  allow:\n    - ptrace\n");
}

TEST_CASE("an amendment's list attribute is a flow list") {
  Amendment add;
  add.plugs.push_back({"network", {{"connect-ports", cordon::policy::AddedValue({"443", "8080"}, true)}}, ""});
  CHECK(body(amended("schema: 1\nname: a\ncommand: [/bin/true]\n", add)) ==
        "schema: 1\nname: a\ncommand: [/bin/true]\nplugs:\n  - network: {connect-ports: [443, 8080]}\n");
}

TEST_CASE("an amendment's plug of an interface the app plugs replaces its attributes") {
  Amendment add;
  add.plugs.push_back({"home", {{"access", "read-write"}}, ""});
  CHECK(body(amended("schema: 1\nname: a\ncommand: [/bin/true]\nplugs:\n  - home\n  - network\n", add)) ==
        "schema: 1\nname: a\ncommand: [/bin/true]\nplugs:\n  - home: {access: read-write}\n  - network\n");
}

TEST_CASE("what the app named cannot write policy: paths are quoted, comments stay one line") {
  Amendment add;
  add.read_only.push_back("/srv/x\nplugs: [dbus]");
  add.read_write.push_back("/srv/a: [b] #c");
  add.plugs.push_back({"home", {}, "read /home/u/a\nseccomp: {allow: [bpf]}"});
  add.notes.push_back("not suggested: /x\nname: evil");
  const std::string out = amended("schema: 1\nname: a\ncommand: [/bin/true]\n", add);
  CHECK(out.find("\nplugs: [dbus]") == std::string::npos);
  CHECK(out.find("\nseccomp:") == std::string::npos);
  CHECK(out.find("\nname: evil") == std::string::npos);
  CHECK(out.find("    - \"/srv/x\\nplugs: [dbus]\"\n") != std::string::npos);
  CHECK(out.find("    - \"/srv/a: [b] #c\"\n") != std::string::npos);
}

TEST_CASE("yaml_scalar writes plain only what YAML reads back as the same string") {
  using cordon::policy::yaml_scalar;
  CHECK(yaml_scalar("/dev/ttyUSB0") == "/dev/ttyUSB0");
  CHECK(yaml_scalar("read-write") == "read-write");
  CHECK(yaml_scalar("yes") == "\"yes\"");
  CHECK(yaml_scalar("a: b") == "\"a: b\"");
  CHECK(yaml_scalar("#x") == "\"#x\"");
  CHECK(yaml_scalar("") == "\"\"");
  CHECK(yaml_scalar("say \"hi\"") == "\"say \\\"hi\\\"\"");
}

TEST_CASE("a policy suggested again gets this run's header, not both") {
  Amendment add;
  add.plugs.push_back({"home", {}, ""});
  const std::string once = amended("schema: 1\nname: a\ncommand: [/bin/true]\n", add);
  const std::string twice = cordon::policy::amended_policy(once, [&] {
    cordon::policy::Diagnostics diags;
    return *cordon::policy::parse_app("a.yaml", once, diags);
  }(), Amendment{});
  CHECK(twice.find("# a's policy with what") == 0);
  CHECK(twice.find("# a's policy with what", 1) == std::string::npos);
  CHECK(body(twice) == body(once));
}
