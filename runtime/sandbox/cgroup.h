// Limits the kernel does not enforce with rlimits for root: RLIMIT_NPROC exempts host uid 0 even
// in a user namespace, and RLIMIT_DATA misses shared memory. When root launches, the app gets a
// cgroup of its own with pids.max and the memory limit (cgroup v2, or the v1 pids and memory
// hierarchies), created before the child runs and removed after it exits. Unprivileged launches
// rely on rlimits (RLIMIT_NPROC holds there); a delegated cgroup for them is TODO(#4).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plan/plan.h"
#include "util/result.h"

namespace cordon::sandbox {

class AppCgroup {
 public:
  // Creates the cgroup(s) for `app` and writes the Plan's limits. Nothing to do without limits.
  static Result<std::optional<AppCgroup>> create(const std::string& app, const std::vector<plan::Limit>& limits);
  AppCgroup(AppCgroup&& o) noexcept : dirs_(std::move(o.dirs_)) { o.dirs_.clear(); }
  AppCgroup& operator=(AppCgroup&& o) noexcept {
    std::swap(dirs_, o.dirs_);
    return *this;
  }
  AppCgroup(const AppCgroup&) = delete;
  AppCgroup& operator=(const AppCgroup&) = delete;
  ~AppCgroup();  // removes the directories; the kernel refuses while a process is still in one

  Result<void> add(pid_t pid) const;

 private:
  AppCgroup() = default;
  std::vector<std::string> dirs_;
};

}  // namespace cordon::sandbox
