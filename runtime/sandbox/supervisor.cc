#include "sandbox/supervisor.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/pid1.h"
#include "util/release_pages.h"

namespace cordon::sandbox {

void Notifications::answer(short revents) {
  if ((revents & POLLIN) && answer_notification(listener.get(), mode, sink, broker)) return;
  if (revents & (POLLHUP | POLLERR | POLLNVAL | POLLIN)) listener.reset();
}

BlockedSignals::BlockedSignals(bool with_window_size) {
  sigemptyset(&waited_);
  sigaddset(&waited_, SIGCHLD);
  for (int sig : pid1::forwarded_signals()) sigaddset(&waited_, sig);
  if (with_window_size) sigaddset(&waited_, SIGWINCH);
  ::sigprocmask(SIG_BLOCK, &waited_, &original_);
}

BlockedSignals::~BlockedSignals() { ::sigprocmask(SIG_SETMASK, &original_, nullptr); }

UniqueFd signal_fd(const BlockedSignals& blocked) {
  return UniqueFd(::signalfd(-1, &blocked.waited(), SFD_CLOEXEC | SFD_NONBLOCK));
}

namespace {

bool asks_to_stop(int sig) { return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT; }

std::optional<int> next_signal(int signals) {
  signalfd_siginfo info{};
  if (::read(signals, &info, sizeof info) != sizeof info) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace

std::optional<int> wait_during_setup(int fd, int signals, Notifications& notes, pid_t init) {
  for (;;) {
    pollfd p[3] = {{fd, POLLIN, 0}, {notes.fd(), POLLIN, 0}, {signals, POLLIN, 0}};
    if (::poll(p, 3, -1) < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return kCannotWait;  // retrying would spin for ever
    }
    if (p[1].revents) notes.answer(p[1].revents);
    // Setup over first: a signal pending now stays for supervise(), which forwards it like every
    // later one.
    if (p[0].revents) return std::nullopt;
    // The child's death shows on `fd` as end of input, and the window size is copied once the pty
    // is there. Any other signal (SIGUSR1...) goes to init at once: the app may already run
    // while the last descriptors are handed over, and init holds the signal blocked until it
    // can pass it on.
    if (p[2].revents) {
      const std::optional<int> sig = next_signal(signals);
      if (sig && asks_to_stop(*sig)) return sig;
      if (sig && *sig != SIGCHLD && *sig != SIGWINCH) ::kill(init, *sig);
    }
  }
}

int supervise(pid_t init, int signals, int master, const terminal::Ttys& ttys, int status_fd, bool wait_for_init,
              Notifications& notes) {
  TerminalFilter filter;  // one per launch: a sequence may be split across reads
  bool input_open = master >= 0 && ttys.fd[0], output_open = master >= 0, status_open = true;
  const int out = ttys.output();
  auto drain = [&] {
    if (output_open) terminal::drain_output(master, out, filter);
  };
  int timeout = kReleasePagesAfterMs;
  for (;;) {
    pollfd fds[5] = {{signals, POLLIN, 0},
                     {input_open ? 0 : -1, POLLIN, 0},
                     {output_open ? master : -1, POLLIN, 0},
                     {status_open ? status_fd : -1, POLLIN, 0},
                     {notes.fd(), POLLIN, 0}};
    const int ready = ::poll(fds, 5, timeout);
    if (ready < 0 && errno != EINTR && errno != EAGAIN) {
      // Nothing to wait with (e.g. a lowered RLIMIT_NOFILE): retrying would spin for ever. The app
      // goes with its sandbox rather than run unsupervised.
      ::kill(init, SIGKILL);
      ::waitpid(init, nullptr, 0);
      return kCannotWait;
    }
    if (ready == 0) {  // the app keeps running: keep only what supervising needs
      release_startup_pages();
      timeout = -1;
    }
    if (ready <= 0) continue;
    if (fds[4].revents) notes.answer(fds[4].revents);
    if (fds[2].revents) output_open = terminal::relay_output(master, out, filter);
    if (fds[1].revents) input_open = terminal::relay_input(0, master);
    if (fds[3].revents) {
      unsigned char code = 0;
      status_open = false;
      if (::read(status_fd, &code, 1) == 1) {  // every process of the app is gone
        drain();
        if (wait_for_init) ::waitpid(init, nullptr, 0);
        return code;
      }
      // No status: init is dying or dead (killed from outside). Its SIGCHLD may have come, and
      // been passed over, while the child was still setting up: ask the kernel, not the signal.
      if (int status = 0; ::waitpid(init, &status, WNOHANG) == init) {
        drain();
        return pid1::exit_status(status);
      }
    }
    if (!(fds[0].revents & POLLIN)) continue;
    const std::optional<int> sig = next_signal(signals);
    if (!sig) continue;
    if (*sig == SIGWINCH) {
      if (master >= 0) terminal::copy_window_size(ttys.terminal(), master);
    } else if (*sig != SIGCHLD) {
      ::kill(init, *sig);
    } else if (int status = 0; !status_open && ::waitpid(init, &status, WNOHANG) == init) {
      drain();  // init died without a status (killed from outside)
      return pid1::exit_status(status);
    }
  }
}

}  // namespace cordon::sandbox
