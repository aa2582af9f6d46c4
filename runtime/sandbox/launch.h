// cordon run: executes a Plan. This file owns only the order of the steps (DESIGN.md "Data flow");
// each step lives in its own file. The launcher process stays outside as the supervisor.
#pragma once

#include "plan/plan.h"
#include "sandbox/context.h"
#include "seccomp/compile.h"
#include "util/result.h"

namespace cordon::sandbox {

// Runs the app confined, under `filters` (compiled from the same Plan), and waits for it. Returns
// its exit status (128+N for signal N), or the Error of the step that failed; step "exec" means
// the command itself could not be executed.
Result<int> launch(const plan::Plan& plan, const seccomp::Filters& filters, const LaunchContext& ctx);

}  // namespace cordon::sandbox
