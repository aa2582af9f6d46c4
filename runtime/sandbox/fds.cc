#include "sandbox/fds.h"

#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <string>

namespace cordon::sandbox::fds {

namespace {

// close_range through syscall(2): glibc 2.36 has no wrapper. Fails closed: a descriptor that
// cannot be closed must not be carried into the sandbox.
Result<void> close_between(unsigned first, unsigned last, unsigned flags, const char* what) {
  if (first > last) return {};
  if (::syscall(SYS_close_range, first, last, flags) != 0)
    return sys_fail("launch", std::string("close_range: ") + what);
  return {};
}

}  // namespace

Result<void> close_all_except(std::span<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned next = 3;  // the first descriptor not yet known to be kept or closed
  for (const int fd : keep) {
    if (fd < static_cast<int>(next)) continue;  // 0-2, a duplicate, or -1 for a channel not in use
    CORDON_TRY(close_between(next, static_cast<unsigned>(fd) - 1, 0, "close what cordon inherited"));
    next = static_cast<unsigned>(fd) + 1;
  }
  return close_between(next, UINT_MAX, 0, "close what cordon inherited");
}

Result<void> close_on_exec_above_stderr() {
  return close_between(3, UINT_MAX, CLOSE_RANGE_CLOEXEC, "mark every descriptor above 2 close-on-exec");
}

}  // namespace cordon::sandbox::fds
