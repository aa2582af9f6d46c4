// Variables in command and health-check words: which are cordon's, that resolution refuses an
// unknown one at its line, and that the launch expands them to the app's environment first.
#include <doctest/doctest.h>

#include "plan/arguments.h"
#include "sandbox/expand.h"
#include "support.h"

using cordon::test::resolve_text;
using V = std::vector<std::string>;

namespace {

V names_in(const std::string& word) {
  V out;
  for (const auto& v : cordon::plan::argument_variables(word)) out.push_back(v.text);
  return out;
}

cordon::sandbox::LaunchContext context() {
  cordon::sandbox::LaunchContext ctx;
  ctx.home = "/home/u";
  ctx.uid = 1000;
  ctx.xdg_runtime_dir = "/run/user/1000";
  return ctx;
}

}  // namespace

TEST_CASE("cordon's variables are upper-case names; the shell's forms are left as written") {
  CHECK(names_in("$APP_DATA/notes.db") == V{"APP_DATA"});
  CHECK(names_in("--data=${APP_DATA}/x:$HOME") == V{"APP_DATA", "HOME"});
  CHECK(names_in("n=$(cat $n); echo $1 $@ $? ${x:-y} ${HOME:-/} $") == V{});
  CHECK(names_in("$HOMEdir $Path $$HOME") == V{});  // one longer name each; $$ is a literal '$'
  const auto parts = cordon::plan::split_argument("a$$B${UID}c");
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].text == "a$B");
  CHECK((parts[1].variable && parts[1].text == "UID" && parts[1].offset == 4));
  // A shell's process id stays whole: kill -TERM $$, /tmp/x.$$, $$-1, $$x.
  CHECK(cordon::plan::split_argument("kill $$; f=/tmp/x.$$ $$-1 $$x").at(0).text == "kill $$; f=/tmp/x.$$ $$-1 $$x");
  CHECK(parts[2].text == "c");
}

TEST_CASE("an unknown variable in a command or health check is refused at its line") {
  const std::string head = "schema: 1\nname: demo\n";
  auto ok = resolve_text(head + "command: [/usr/bin/sqlite3, $APP_DATA/notes.db, '${HOME}', $UID, $LANG]\n");
  CHECK(ok.plan);
  auto bad = resolve_text(head + "command: [/usr/bin/sqlite3, $APP_DTA/notes.db]\n");
  CHECK_FALSE(bad.plan);
  REQUIRE(bad.diags.items().size() == 1);
  CHECK(bad.diags.items()[0].where.line == 3);
  CHECK(bad.diags.items()[0].message.find("unknown variable '$APP_DTA'") != std::string::npos);
  CHECK(bad.diags.items()[0].message.find("$$APP_DTA") != std::string::npos);
  auto check = resolve_text(head + "command: [/usr/bin/true]\nhealth-check: [/usr/bin/test, -f, $NOPE]\n");
  CHECK_FALSE(check.plan);
  // A variable the app's own environment sets is known: the program would read the same.
  CHECK(resolve_text(head + "command: [/usr/bin/env, $GREETING]\nenvironment: {GREETING: hi}\n").plan);
  CHECK(resolve_text(head + "command: [/bin/sh, -c, 'echo $$NOPE; n=$(date); echo $n']\n").plan);
}

TEST_CASE("arguments expand to the app's environment first, then the Plan variables; caller args stay literal") {
  cordon::plan::Plan p;
  p.app = "demo";
  p.command = {"/usr/bin/tool", "$APP_DATA/db", "--home=${HOME}", "$UID:$XDG_RUNTIME_DIR", "$$HOME", "$1", "$$"};
  p.environment = {{"HOME", "$APP_DATA", {}}};  // base's: HOME is the app's data unless it plugs home
  auto ctx = context();
  ctx.args = {"$APP_DATA"};
  auto e = cordon::sandbox::expand(p, ctx, "/data/demo");
  REQUIRE(e.ok());
  CHECK(e->argv == V{"/usr/bin/tool", "/data/demo/db", "--home=/data/demo", "1000:/run/user/1000", "$HOME", "$1",
                     "$$", "$APP_DATA"});
  p.command.push_back("$APP_ROOT/share");  // a policy file has no payload
  auto unset = cordon::sandbox::expand(p, ctx, "/data/demo");
  REQUIRE_FALSE(unset.ok());
  CHECK(unset.error().to_string().find("$APP_ROOT has no value") != std::string::npos);
}
