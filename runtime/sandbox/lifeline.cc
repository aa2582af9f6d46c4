#include "sandbox/lifeline.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>

namespace cordon::sandbox::lifeline {

Result<void> watch(int lifeline) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return sys_fail("launch", "prctl PR_SET_PDEATHSIG");
  struct pollfd p{lifeline, POLLIN, 0};
  if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLIN))) return fail("launch", "continue: cordon exited");
  return {};
}

}  // namespace cordon::sandbox::lifeline
