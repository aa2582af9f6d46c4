#include "sandbox/channels.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace cordon::sandbox {

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_fail("launch", "pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void Channels::close_parent_ends() {
  sync.read.reset();
  errors.write.reset();
  lifeline.read.reset();
  status.write.reset();
  descriptors_child.reset();
}

void Channels::close_child_ends() {
  sync.write.reset();
  errors.read.reset();
  lifeline.write.reset();
  status.read.reset();
  descriptors_parent.reset();
}

Result<Channels> make_channels() {
  auto sync = make_pipe(), errors = make_pipe(), lifeline = make_pipe(), status = make_pipe();
  if (!sync || !errors || !lifeline || !status) return sys_fail("launch", "pipe");
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return sys_fail("launch", "socketpair");
  return Channels{std::move(*sync), std::move(*errors), std::move(*lifeline), std::move(*status),
                  UniqueFd(sv[0]), UniqueFd(sv[1])};
}

Result<void> start_child(const Channels& channels) {
  sigset_t pipe_signal, old;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  ::sigprocmask(SIG_BLOCK, &pipe_signal, &old);
  const char go = 1;
  const bool sent = ::write(channels.sync.write.get(), &go, 1) == 1;
  const int err = errno;
  if (!sent && err == EPIPE && !sigismember(&old, SIGPIPE)) {
    const timespec now{0, 0};
    ::sigtimedwait(&pipe_signal, nullptr, &now);  // the SIGPIPE this write raised, taken before it can land
  }
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  errno = err;
  if (!sent) return sys_fail("launch", "start the child");
  return {};
}

}  // namespace cordon::sandbox
