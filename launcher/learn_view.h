// Learn mode's view (`cordon run --complain`, docs/seccomp.md "Learn mode"): besides its Plan the
// app sees the host read-only, so that it gets as far as it would with the grants it lacks and
// `--suggest` can name them all in one run. Not shown even then: the secrets and cordon state the
// Plan and the home interface hide, other people's homes, /boot, and the host's devices (an open
// of one is noted, and fails). The launch itself stays confined as ever: namespaces, no
// capabilities, the seccomp filter (which lets grantable calls through), Landlock's write wall.
#pragma once

#include "plan/plan.h"
#include "policy/search.h"

namespace cordon::launcher {

// `plan` with the learn view's read-only binds (optional: a missing one is skipped) added where
// the Plan has nothing of its own.
plan::Plan with_learn_view(const plan::Plan& plan, const policy::SearchPaths& paths);

}  // namespace cordon::launcher
