// cordon's own state stays out of reach where an app may write around it (sandbox/state_guard.h).
#include <doctest/doctest.h>

#include <algorithm>

#include "sandbox/state_guard.h"

namespace {

using cordon::plan::MountKind;
using cordon::sandbox::Step;

std::vector<std::string> describe(const std::vector<Step>& steps) {
  std::vector<std::string> out;
  for (const Step& s : steps) {
    const char* kind = s.kind == MountKind::hide ? "hide" : s.kind == MountKind::bind_rw ? "rw" : "other";
    out.push_back(std::string(kind) + " " + s.path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The state guard, then the pins the launch adds after every guard (expand.h protect_mounts).
cordon::Result<void> guard(std::vector<Step>& mounts, const std::vector<cordon::sandbox::StateDir>& dirs,
                           const std::string& app_data) {
  auto r = cordon::sandbox::guard_state_dirs(mounts, dirs, app_data);
  if (r) cordon::sandbox::pin_protections(mounts);
  return r;
}

}  // namespace

TEST_CASE("state guard: directories between a writable grant and the state become mount points") {
  std::vector<Step> mounts{{MountKind::bind_rw, "/srv/shared", false, false, "app.yaml:5"}};
  REQUIRE(guard(mounts, {{"/srv/shared/cache/cordon"}, {"/home/u/.config/cordon"}}, ""));
  CHECK(describe(mounts) == std::vector<std::string>{"hide /home/u/.config/cordon", "hide /srv/shared/cache/cordon",
                                                     "rw /srv/shared", "rw /srv/shared/cache"});
}

TEST_CASE("state guard: a read-only grant needs no more than the hide") {
  std::vector<Step> mounts{{MountKind::bind_ro, "/home/u", false, false, "home.yaml:25"}};
  REQUIRE(guard(mounts, {{"/home/u/.local/share/cordon"}}, ""));
  CHECK(describe(mounts) == std::vector<std::string>{"hide /home/u/.local/share/cordon", "other /home/u"});
}

TEST_CASE("state guard: a writable grant of the state itself is refused; the app's own data is not") {
  std::vector<Step> into{{MountKind::bind_rw, "/home/u/.cache/cordon/filters", false, false, "app.yaml:7"}};
  auto r = guard(into, {{"/home/u/.cache/cordon"}}, "");
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string().find("cordon's own state (/home/u/.cache/cordon), which no app may see") != std::string::npos);
  std::vector<Step> own{{MountKind::bind_rw, "/home/u/.local/share/cordon/data/x", false, false, "cordon"}};
  CHECK(guard(own, {{"/home/u/.local/share/cordon"}}, "/home/u/.local/share/cordon/data/x"));
  std::vector<Step> root{{MountKind::bind_rw, "/", false, false, "app.yaml:3"}};
  REQUIRE(guard(root, {{"/var/cache/cordon"}}, ""));
  CHECK(describe(root) == std::vector<std::string>{"hide /var/cache/cordon", "rw /", "rw /var", "rw /var/cache"});
}

TEST_CASE("state guard: a writable grant over another user's state that does not exist yet is refused") {
  std::vector<Step> mounts{{MountKind::bind_rw, "/home/x", false, false, "home.yaml:25"}};
  auto r = guard(mounts, {{"/home/x/.cache/cordon", false}}, "");
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string().find("would let the app create /home/x/.cache/cordon") != std::string::npos);
  std::vector<Step> read_only{{MountKind::bind_ro, "/home/x", false, false, "home.yaml:25"}};
  CHECK(guard(read_only, {{"/home/x/.cache/cordon", false}}, ""));
}
