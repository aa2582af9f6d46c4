// Descriptors in the sandbox: the child keeps only its channels to the launcher, and only stdin,
// stdout and stderr reach the app. What each channel carries is launch.cc's business.
#pragma once

#include <span>

#include "util/result.h"

namespace cordon::sandbox::fds {

// Closes every descriptor above 2 except `keep` (sorted here), so that whatever the invoker handed
// cordon (a pipe, a file, a socket) stays with the supervisor outside and is never held by the
// child while it sets up, nor by the sandbox's init, which never execs and so keeps what it holds.
// Does not touch 0, 1 and 2.
Result<void> close_all_except(std::span<int> keep);

// Marks every descriptor above 2 close-on-exec: the channels init still needs close at the app's
// execve. Done before the filter, so a policy's seccomp.deny cannot keep one open.
Result<void> close_on_exec_above_stderr();

}  // namespace cordon::sandbox::fds
