// The launcher while its sandbox sets up and runs: it answers the seccomp listener's notifications
// (denials, the network plug's sockets), forwards the signals it receives to the sandbox's init,
// relays the app's pty, and reports the app's exit status (DESIGN.md "Lifecycle").
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <optional>

#include "sandbox/denials.h"
#include "sandbox/socket_broker.h"
#include "sandbox/terminal.h"
#include "seccomp/compile.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

// The seccomp listener, when the app's denials or its network plug's socket() calls come to cordon:
// every wait of the launcher also answers them, or a call in the sandbox would wait for an answer
// that never comes.
struct Notifications {
  UniqueFd listener;
  seccomp::Denials mode = seccomp::Denials::errno_only;
  DenialSink* sink = nullptr;
  SocketBroker* broker = nullptr;  // the network plug's sockets; null without the plug
  int fd() const { return listener.get(); }
  // Closing the listener on a hang-up (nothing runs under the filter any more) or an error makes
  // the kernel answer every later notified call ENOSYS itself: nothing waits for us in vain.
  void answer(short revents);
};

// The signals the launcher takes through a signalfd from before the clone: SIGCHLD, those it
// forwards to init (pid1.h), and SIGWINCH when the app has a pty. Blocked for the object's life;
// the caller's mask comes back on every way out.
class BlockedSignals {
 public:
  explicit BlockedSignals(bool with_window_size);
  ~BlockedSignals();
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;
  const sigset_t& original() const { return original_; }
  const sigset_t& waited() const { return waited_; }

 private:
  sigset_t waited_, original_;
};

UniqueFd signal_fd(const BlockedSignals& blocked);

// What wait_during_setup and supervise return when poll itself fails for good (EINVAL, ENOMEM):
// the launch ends (exit 125) rather than spin.
inline constexpr int kCannotWait = 125;

// While the child sets up: blocks until `fd` is readable (or hung up), answering notifications
// meanwhile. Returns the signal that asked cordon to stop (SIGTERM, SIGINT, SIGHUP, SIGQUIT) if
// one came first: there is no app yet to forward it to, and the launch must end; kCannotWait if
// cordon cannot wait at all. Other signals meant for the app go to `init`, which passes them on.
std::optional<int> wait_during_setup(int fd, int signals, Notifications& notes, pid_t init);

// Once the app runs: forwards the signals cordon receives to the sandbox's init and relays the
// app's pty (master, or -1) to cordon's terminal, until init reports the app's status (or dies
// without one). Window-size changes follow the terminal. Returns the app's exit status.
int supervise(pid_t init, int signals, int master, const terminal::Ttys& ttys, int status_fd, bool wait_for_init,
              Notifications& notes);

}  // namespace cordon::sandbox
