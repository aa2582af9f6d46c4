// The app's cgroup when root launches: rlimits do not bind host uid 0 (RLIMIT_NPROC exempts it),
// so the app gets a cgroup of its own in the pids and memory hierarchies, with pids.max and the
// memory limit, created before the child runs and removed after it exits. It is created *below
// the invoker's own cgroup* in each hierarchy (read from /proc/self/cgroup), never at the root:
// an app started from a service or a container stays under that service's limits, which bind it
// on top of the policy's (DESIGN.md "cordon never widens what encloses it").
//
// cgroup v1: one leaf per hierarchy, below the invoker's cgroup in that hierarchy. cgroup v2: one
// leaf below the invoker's cgroup; the policy's limits are written there only for controllers the
// invoker's cgroup already hands down (its cgroup.subtree_control; at the root of the hierarchy
// cordon enables them). A non-root v2 cgroup that holds processes (the invoker's, as a rule) can
// hand down no controller ("no internal processes"), so there the app is bound by the invoker's
// limits only, plus its rlimits; docs/sandbox.md says so. Unprivileged launches make no cgroup:
// the app stays in the invoker's, which binds it.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "plan/plan.h"
#include "util/result.h"

namespace cordon::sandbox {

class AppCgroup {
 public:
  // Creates the leaf cgroup(s) for `app` below the invoker's and writes the Plan's limits. Even
  // without limits the app gets a leaf (the invoker's limits bind it there, and it can be told
  // apart). Fails when a limit cannot be written where the controller is available.
  static Result<AppCgroup> create(const std::string& app, const std::vector<plan::Limit>& limits);
  AppCgroup(AppCgroup&& o) noexcept : dirs_(std::move(o.dirs_)) { o.dirs_.clear(); }
  AppCgroup& operator=(AppCgroup&& o) noexcept {
    std::swap(dirs_, o.dirs_);
    return *this;
  }
  AppCgroup(const AppCgroup&) = delete;
  AppCgroup& operator=(const AppCgroup&) = delete;
  ~AppCgroup();  // removes the directories; the kernel refuses while a process is still in one

  Result<void> add(pid_t pid) const;
  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  AppCgroup() = default;
  std::vector<std::string> dirs_;
};

}  // namespace cordon::sandbox
