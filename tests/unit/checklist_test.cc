// The launch's checklist: the documented order is the code's, steps run forward only, every error
// names its step, and the Plan's namespaces are the clone's.
#include <doctest/doctest.h>
#include <sched.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "sandbox/checklist.h"
#include "sandbox/namespaces.h"
#include "util/test_seams.h"

using cordon::Error;
using cordon::Result;
using cordon::sandbox::Checklist;
using cordon::sandbox::FaultPoint;
using cordon::sandbox::kStepCount;
using cordon::sandbox::LaunchStep;
using cordon::sandbox::step_name;

namespace {

// The numbered list of docs/sandbox.md's section "The steps, in the code's order": "N. `name` — ...".
std::vector<std::string> documented_steps() {
  std::ifstream in(std::string(CORDON_SOURCE_DIR) + "/docs/sandbox.md");
  const std::regex item(R"(^\d+\. `([a-z0-9-]+)` — )");
  std::vector<std::string> names;
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## The steps, in the code's order";
    std::smatch m;
    if (in_section && std::regex_search(line, m, item)) names.push_back(m[1]);
  }
  return names;
}

Result<void> ok() { return {}; }

}  // namespace

TEST_CASE("the documented steps are the code's steps, in the code's order") {
  std::vector<std::string> code;
  for (int i = 0; i < kStepCount; ++i) code.emplace_back(step_name(static_cast<LaunchStep>(i)));
  const std::vector<std::string> docs = documented_steps();
  auto joined = [](const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += s + " ";
    return out;
  };
  INFO("docs: ", joined(docs));
  INFO("code: ", joined(code));
  CHECK(docs == code);
}

TEST_CASE("checklist: steps run forward only, and a failing step is named in its error") {
  Checklist steps(FaultPoint{}, nullptr);
  CHECK(steps.run(LaunchStep::root, ok));
  CHECK(steps.run(LaunchStep::hostname, ok));
  const Result<void> again = steps.run(LaunchStep::root, ok);  // taken twice
  REQUIRE_FALSE(again);
  CHECK(again.error().step == "root");
  CHECK(again.error().op.find("after hostname") != std::string::npos);
  const Result<void> failed = steps.run(LaunchStep::limits, [] { return Result<void>(cordon::fail("rlimits", "setrlimit")); });
  REQUIRE_FALSE(failed);
  CHECK(failed.error().step == "limits");
  CHECK(failed.error().op == "setrlimit");
  Checklist other(FaultPoint{}, nullptr);
  const Result<int> value = other.run(LaunchStep::clone, [] { return Result<int>(7); });
  REQUIRE(value);
  CHECK(*value == 7);
}

TEST_CASE("checklist: a fault point fails its step; only a test build reads one from the environment") {
  FaultPoint at_keyring;
  at_keyring.step = LaunchStep::keyring;
  CHECK(Checklist(at_keyring, nullptr).run(LaunchStep::limits, ok));  // other steps run as ever
  bool called = false;
  const Result<void> r = Checklist(at_keyring, nullptr).run(LaunchStep::keyring, [&] {
    called = true;
    return ok();
  });
  REQUIRE_FALSE(r);
  CHECK_FALSE(called);
  CHECK(r.error().step == "keyring");
  ::setenv("CORDON_FAIL_AT", "root:hang", 1);
  const FaultPoint parsed = FaultPoint::from_environment();
  if (!cordon::test_seams::enabled()) {  // the build users get: no variable of theirs changes a launch
    CHECK_FALSE(parsed.step);
    ::unsetenv("CORDON_FAIL_AT");
    return;
  }
  CHECK(parsed.step == LaunchStep::root);
  CHECK(parsed.hang);
  ::setenv("CORDON_FAIL_AT", "rooot", 1);
  const FaultPoint typo = FaultPoint::from_environment();
  CHECK_FALSE(typo.step);
  const Result<void> refused = Checklist(typo, nullptr).run(LaunchStep::refuse_unenforced, ok);
  REQUIRE_FALSE(refused);  // a typo fails the launch at once, and says which names there are
  CHECK(refused.error().op.find("rooot: no step has that name") != std::string::npos);
  CHECK(refused.error().op.find("watch-launcher") != std::string::npos);
  ::unsetenv("CORDON_FAIL_AT");
  CHECK_FALSE(FaultPoint::from_environment().step);
}

TEST_CASE("namespaces: the clone's flags are the Plan's list, which must name all seven") {
  const std::vector<std::string> all{"cgroup", "ipc", "mount", "net", "pid", "user", "uts"};
  const auto flags = cordon::sandbox::clone_flags(all);
  REQUIRE(flags);
  CHECK(*flags == (CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUSER |
                   CLONE_NEWUTS));
  std::vector<std::string> without_net = all;
  without_net.erase(without_net.begin() + 3);
  const auto missing = cordon::sandbox::clone_flags(without_net);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().op.find("new net namespace") != std::string::npos);
  std::vector<std::string> unknown = all;
  unknown.emplace_back("time2");
  CHECK_FALSE(cordon::sandbox::clone_flags(unknown));
}
