#include "sandbox/seccomp_filter.h"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace cordon::sandbox {

Result<void> install_seccomp(const seccomp::Filters& filters) {
  if (filters.programs.empty()) return fail("seccomp", "no filter to load: refusing to run the app without one");
  for (const seccomp::Program& p : filters.programs) {
    sock_fprog prog{static_cast<unsigned short>(p.code.size()), const_cast<sock_filter*>(p.code.data())};
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return sys_fail("seccomp", "load the filter");
  }
  return {};
}

}  // namespace cordon::sandbox
