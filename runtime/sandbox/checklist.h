// The steps of a launch, in the one order they run. launch.cc (the launcher's side) and confine.cc
// (the child's side) walk them through a Checklist, which refuses a step taken out of this order,
// names the step in every error, and tells the launcher how far the child got. docs/sandbox.md
// lists the same names in the same order (a unit test compares the two).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "util/result.h"

namespace cordon::sandbox {

enum class LaunchStep : std::uint8_t {
  // The launcher, before the clone.
  refuse_unenforced,
  private_ids,
  state_dirs,
  claim_name,
  app_data,
  expand,
  dbus_proxy,
  protect_mounts,
  slots,
  fallback_filter,
  cgroup,
  channels,
  clone,
  // After the clone: the launcher maps the child's ids while the child waits for them; then the
  // child confines itself, from "namespaces entered" to "seccomp loaded".
  map_ids,
  watch_launcher,
  wait_for_id_maps,
  inherited_fds,
  kernel_budgets,
  root,
  hostname,
  loopback,
  own_ids,
  session,
  bounding_set,
  user,
  capabilities,
  no_new_privs,
  landlock,
  keyring,
  limits,
  umask,
  terminal,
  working_directory,
  close_on_exec,
  seccomp,
  app,  // the sandbox's init starts the app: nothing of cordon's setup is left to fail
};

inline constexpr int kStepCount = static_cast<int>(LaunchStep::app) + 1;

std::string_view step_name(LaunchStep step);

// What a test build may make a step do (CORDON_FAIL_AT=STEP or STEP:hang; compiled in only with
// CORDON_FAULT_INJECTION): fail there as if its call had failed, or block once its call is done
// until something kills the process, so a test can kill either side of the launch at that step.
struct FaultPoint {
  std::optional<LaunchStep> step;
  bool hang = false;
  std::string unknown;  // a CORDON_FAIL_AT that names no step: the launch's first step refuses it
  static FaultPoint from_environment();
};

// How far the child got, readable by the launcher after the child is gone: a page shared across
// the clone (no CLONE_VM), written by the child at every step. One byte, no system call per step.
class SharedProgress {
 public:
  static Result<SharedProgress> create();
  SharedProgress(SharedProgress&& o) noexcept : step_(std::exchange(o.step_, nullptr)) {}
  SharedProgress& operator=(SharedProgress&&) = delete;
  SharedProgress(const SharedProgress&) = delete;
  ~SharedProgress();
  void set(LaunchStep s) { __atomic_store_n(step_, static_cast<std::uint8_t>(s), __ATOMIC_RELEASE); }
  LaunchStep get() const { return static_cast<LaunchStep>(__atomic_load_n(step_, __ATOMIC_ACQUIRE)); }

 private:
  explicit SharedProgress(std::uint8_t* step) : step_(step) {}
  std::uint8_t* step_;
};

class Checklist {
 public:
  // `progress` may be null (the launcher's side keeps its own place).
  Checklist(FaultPoint fault, SharedProgress* progress) : fault_(fault), progress_(progress) {}

  // Takes `step`: refuses it out of order, injects a fault where a test build asks for one, runs
  // `call` (which returns a Result), and names the step in its error.
  template <typename Call>
  auto run(LaunchStep step, Call&& call) -> std::invoke_result_t<Call> {
    if (Result<void> entered = enter(step); !entered) return entered.error();
    auto done = std::forward<Call>(call)();
    if (!done) return named(step, done.error());
    after(step);
    return done;
  }

  LaunchStep current() const { return current_; }

 private:
  Result<void> enter(LaunchStep step);
  void after(LaunchStep step) const;
  static Error named(LaunchStep step, Error e);

  FaultPoint fault_;
  SharedProgress* progress_;
  LaunchStep current_ = LaunchStep::refuse_unenforced;
  bool started_ = false;
};

}  // namespace cordon::sandbox
