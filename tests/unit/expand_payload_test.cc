// $APP_ROOT at expansion: an installed app's payload is bound read-only at /app and its relative
// command runs from there; a policy file has no payload and says so; nothing may be granted at or
// below /app, whatever the spelling.
#include <doctest/doctest.h>

#include "sandbox/expand.h"

namespace {

namespace plan = cordon::plan;
namespace sandbox = cordon::sandbox;

plan::Plan plan_with(std::vector<std::string> command, std::vector<std::string> mounts = {}) {
  plan::Plan p;
  p.app = "hello";
  p.command = std::move(command);
  p.health_check = {"$APP_ROOT/bin/check", "--quick"};
  for (const std::string& m : mounts) p.mounts.push_back(plan::Mount{plan::MountKind::bind_ro, m, false, {}});
  return p;
}

sandbox::LaunchContext installed() {
  sandbox::LaunchContext ctx;
  ctx.home = "/home/u";
  ctx.app_root = "/var/lib/cordon/apps/hello/3";
  return ctx;
}

}  // namespace

TEST_CASE("an installed app's payload is bound read-only at /app, its relative command run from there") {
  auto ctx = installed();
  ctx.args = {"a"};
  auto e = sandbox::expand(plan_with({"$APP_ROOT/bin/hello", "x"}), ctx, "/data/hello");
  REQUIRE(e.ok());
  CHECK(e->argv == std::vector<std::string>{"/app/bin/hello", "x", "a"});
  bool bound = false;
  for (const sandbox::Step& s : e->mounts)
    if (s.path == "/app") bound = s.kind == plan::MountKind::bind_ro && s.source == ctx.app_root;
  CHECK(bound);
  ctx.health_check = true;  // `cordon run --health-check`
  auto check = sandbox::expand(plan_with({"$APP_ROOT/bin/hello"}), ctx, "/data/hello");
  REQUIRE(check.ok());
  CHECK(check->argv == std::vector<std::string>{"/app/bin/check", "--quick", "a"});
}

TEST_CASE("a policy file has no payload: a relative command is refused with the reason, nothing is bound") {
  sandbox::LaunchContext ctx;
  ctx.home = "/home/u";
  auto e = sandbox::expand(plan_with({"$APP_ROOT/bin/hello"}), ctx, "/data/hello");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().op.find("only in an installed package") != std::string::npos);
  auto plain = sandbox::expand(plan_with({"/bin/true"}), ctx, "/data/hello");
  REQUIRE(plain.ok());
  for (const sandbox::Step& s : plain->mounts) CHECK(s.path != "/app");
  // its health check, when it has none
  ctx.health_check = true;
  auto none = plan_with({"/bin/true"});
  none.health_check.clear();
  CHECK_FALSE(sandbox::expand(none, ctx, "/data/hello").ok());
}

TEST_CASE("nothing may be granted at or below the payload, by variable or by its path") {
  for (const char* grant : {"$APP_ROOT", "$APP_ROOT/lib", "/app", "/app/bin"}) {
    auto e = sandbox::expand(plan_with({"/bin/true"}, {grant}), installed(), "/data/hello");
    CHECK_FALSE(e.ok());
    if (!e) CHECK(e.error().op.find("already shown") != std::string::npos);
  }
  // control: /apple is not below /app, and a policy file may grant a host's /app
  CHECK(sandbox::expand(plan_with({"/bin/true"}, {"/apple"}), installed(), "/data/hello").ok());
  sandbox::LaunchContext plain;
  plain.home = "/home/u";
  CHECK(sandbox::expand(plan_with({"/bin/true"}, {"/app"}), plain, "/data/hello").ok());
}
