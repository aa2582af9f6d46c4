#include "sandbox/seccomp_filter.h"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace cordon::sandbox {

namespace {

long load(const seccomp::Program& p, unsigned flags) {
  sock_fprog prog{static_cast<unsigned short>(p.code.size()), const_cast<sock_filter*>(p.code.data())};
  return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

}  // namespace

Result<UniqueFd> install_seccomp(const seccomp::Filters& filters, bool with_listener) {
  if (filters.programs.empty()) return fail("seccomp", "no filter to load: refusing to run the app without one");
  // The allowlist first: if its listener cannot be had, nothing is loaded yet and the caller can
  // load the errno-only programs instead.
  UniqueFd listener;
  const bool notify = with_listener;
  const long first = load(filters.programs.front(), notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
  if (first < 0) return sys_fail("seccomp", "load the filter");
  if (notify) listener.reset(static_cast<int>(first));
  for (std::size_t i = 1; i < filters.programs.size(); ++i)
    if (load(filters.programs[i], 0) != 0) return sys_fail("seccomp", "load the filter");
  return listener;
}

}  // namespace cordon::sandbox
