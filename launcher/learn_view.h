// Learn mode's view (`cordon run --complain`, docs/seccomp.md "Learn mode"): besides its Plan the
// app sees the host read-only, so that it gets as far as it would with the grants it lacks and
// `--suggest` can name them all in one run. Not shown even then: the secrets and cordon state the
// Plan and the home interface hide, other people's homes, /boot, and the host's devices (an open
// of one is noted, and fails). The launch itself stays confined as ever: namespaces, no
// capabilities, the seccomp filter (which lets grantable calls through), Landlock's write wall.
// `cordon run --complain --no-host-view` leaves the view out: the app sees its Plan only.
#pragma once

#include "plan/plan.h"
#include "policy/search.h"

namespace cordon::launcher {

// `plan` with the learn view's read-only binds (optional: a missing one is skipped) added where
// the Plan has nothing of its own, and socket() refused for AF_UNIX: a read-only bind does not
// stop connect() to a socket, and the host's folders hold the sockets of its services (a
// database's, LXD's) that no Plan shows. socketpair() stays: its pairs reach nothing.
plan::Plan with_learn_view(const plan::Plan& plan, const policy::SearchPaths& paths);

// Whether `plan` is a learn view's (its Unix sockets refused): for the words of that denial.
bool refuses_unix_sockets_for_the_view(const plan::Plan& plan);

}  // namespace cordon::launcher
