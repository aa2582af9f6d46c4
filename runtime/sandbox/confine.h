// The child's side of a launch: from "namespaces entered" to "seccomp loaded", one checklist
// (confine.cc), then the sandbox's init (pid1.h). Runs in the clone's child and never returns:
// a failed step goes to the launcher over the error channel and the child exits 125.
#pragma once

#include <signal.h>

#include "plan/plan.h"
#include "sandbox/channels.h"
#include "sandbox/checklist.h"
#include "sandbox/context.h"
#include "sandbox/expand.h"
#include "sandbox/mounts.h"
#include "seccomp/compile.h"

namespace cordon::sandbox {

// Everything the child needs, prepared by the launcher before the clone (nothing is compiled or
// resolved after it).
struct ChildSetup {
  const plan::Plan& plan;
  const seccomp::Filters& filters;
  const seccomp::Filters* errno_only;  // the fallback under a foreign listener (seccomp_filter.h), or null
  const Expanded& expanded;
  const LaunchContext& ctx;
  mounts::TmpfsBudget tmpfs_budget;
  bool use_pty;
  sigset_t original_mask;  // the caller's signal mask, the app's too
  FaultPoint fault;
  SharedProgress& progress;
};

[[noreturn]] void run_child(const ChildSetup& setup, Channels& channels);

}  // namespace cordon::sandbox
