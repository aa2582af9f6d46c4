// The child's tie to the launcher: should the launcher die (killed, even with SIGKILL), the kernel
// kills the child wherever it is, so no half-built sandbox outlives `cordon run`.
#pragma once

#include "util/result.h"

namespace cordon::sandbox::lifeline {

// Arms the parent-death signal (SIGKILL) and checks `lifeline`, a pipe whose write end only the
// launcher holds: readable means the launcher died before the signal was armed. getppid() cannot
// tell, as it says 0 inside a pid namespace. A change of uid or gid clears the signal
// (commit_creds), so every step that changes them calls this again.
Result<void> watch(int lifeline);

}  // namespace cordon::sandbox::lifeline
