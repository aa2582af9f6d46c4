#include "sandbox/checklist.h"
#include "util/test_seams.h"

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <string>

namespace cordon::sandbox {

namespace {

// The names errors, docs/sandbox.md and CORDON_FAIL_AT use, indexed by LaunchStep.
constexpr std::array<std::string_view, kStepCount> kNames = {
    "refuse-unenforced", "private-ids", "state-dirs", "claim-name", "app-data", "expand",
    "dbus-proxy", "protect-mounts", "slots", "fallback-filter", "cgroup", "channels", "clone", "map-ids", "watch-launcher", "wait-for-id-maps",
    "inherited-fds", "kernel-budgets", "root", "hostname", "loopback", "own-ids", "session",
    "bounding-set", "user", "capabilities", "no-new-privs", "landlock", "keyring", "limits",
    "umask", "terminal", "working-directory", "close-on-exec", "seccomp", "app",
};

std::optional<LaunchStep> step_named(std::string_view name) {
  for (int i = 0; i < kStepCount; ++i)
    if (kNames[static_cast<std::size_t>(i)] == name) return static_cast<LaunchStep>(i);
  return std::nullopt;
}

// Says where it stops (a test waits for this line), then waits to be killed: by the test, by the
// launcher, or by the parent-death signal when the launcher is gone.
[[noreturn]] void hang_at(LaunchStep step) {
  const std::string line = "cordon: fault injection: hanging at " + std::string(step_name(step)) + "\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());
  for (;;) ::pause();
}

}  // namespace

std::string_view step_name(LaunchStep step) { return kNames[static_cast<std::size_t>(step)]; }

FaultPoint FaultPoint::from_environment() {
  FaultPoint point;
  const char* at = test_seams::variable("CORDON_FAIL_AT");
  if (at == nullptr) return point;
  std::string_view spec(at);
  constexpr std::string_view kHang = ":hang";
  if (spec.size() > kHang.size() && spec.substr(spec.size() - kHang.size()) == kHang) {
    point.hang = true;
    spec.remove_suffix(kHang.size());
  }
  point.step = step_named(spec);
  if (!point.step) point.unknown = std::string(spec);  // refused at the first step, with the names
  return point;
}

Result<SharedProgress> SharedProgress::create() {
  void* page = ::mmap(nullptr, 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return sys_fail("launch", "mmap a shared page for the child's progress");
  return SharedProgress(static_cast<std::uint8_t*>(page));
}

SharedProgress::~SharedProgress() {
  if (step_ != nullptr) ::munmap(step_, 1);
}

Result<void> Checklist::enter(LaunchStep step) {
  // Each side walks the list forward only: a step taken twice or early is a bug in cordon, and the
  // launch stops rather than confine in an order nobody reviewed.
  if (started_ && step <= current_)
    return fail(step_name(step), "take step " + std::string(step_name(step)) + " after " +
                                     std::string(step_name(current_)) + " (cordon's own order is broken)");
  started_ = true;
  current_ = step;
  if (progress_ != nullptr) progress_->set(step);
  if (!fault_.unknown.empty()) {
    std::string names;
    for (const std::string_view name : kNames) names += (names.empty() ? "" : ", ") + std::string(name);
    return fail(step_name(step), "use CORDON_FAIL_AT=" + fault_.unknown + ": no step has that name (the steps: " + names +
                                     "; STEP:hang blocks there)");
  }
  if (fault_.step == step && !fault_.hang) return fail(step_name(step), "continue: failure injected by CORDON_FAIL_AT");
  return {};
}

void Checklist::after(LaunchStep step) const {
  if (fault_.step == step && fault_.hang) hang_at(step);
}

Error Checklist::named(LaunchStep step, Error e) {
  if (e.step != "exec") e.step = std::string(step_name(step));
  return e;
}

}  // namespace cordon::sandbox
