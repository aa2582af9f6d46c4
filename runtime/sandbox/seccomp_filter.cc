#include "sandbox/seccomp_filter.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/fd_channel.h"

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

Result<void> load_filter(const plan::Plan& plan, const seccomp::Filters& filters, const seccomp::Filters* errno_only,
                         int descriptors) {
  const bool brokers = !seccomp::brokered_families(plan).empty();
  auto listener = install_seccomp(filters, seccomp::needs_listener(plan, filters.denials));
  if (!listener && listener.error().sys_errno == EBUSY && brokers) {
    errno = EBUSY;
    return sys_fail("seccomp", "install the seccomp listener that hands the network plug's sockets to the app "
                               "(another listener is already installed above cordon)");
  }
  if (!listener && listener.error().sys_errno == EBUSY && errno_only != nullptr) listener = install_seccomp(*errno_only, false);
  if (!listener) return listener.error();
  return fd_channel::send(descriptors, listener->valid() ? 'L' : 'N', listener->get());
}

bool runs_under_a_filter() { return ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2; }

}  // namespace cordon::sandbox
