// cordon run: executes a Plan. launch() is the launcher's side of the checklist (checklist.h):
// its steps before the clone, the clone, the id maps; confine.cc is the child's side; the
// launcher then stays outside as the supervisor (supervisor.h). Each step lives in its own module.
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
