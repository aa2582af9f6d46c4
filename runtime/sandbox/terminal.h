// The app's own terminal: when cordon's stdin is a terminal, the app gets a pty from the sandbox's
// own devpts instance, and the launcher relays bytes and window size between the two. Job control
// and Ctrl-C then work inside, and TIOCSTI can only reach the app's own pty (DESIGN.md).
#pragma once

#include <termios.h>

#include <optional>

#include "sandbox/terminal_filter.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox::terminal {

// Child side, after the new /dev is mounted: a pty pair from /dev/ptmx. The master goes to the
// launcher over `channel` (SCM_RIGHTS); the peer (slave) is returned for the app.
Result<UniqueFd> open_pty_and_send_master(int channel);
// The app's side: a session of its own with the pty as controlling terminal on the std fds that
// were terminals in cordon.
Result<void> attach_app(int peer, bool stdin_tty, bool stdout_tty, bool stderr_tty);

// Launcher side.
Result<UniqueFd> receive_master(int channel);

// Puts the launcher's terminal in raw mode for the relay and restores it when destroyed.
class RawMode {
 public:
  explicit RawMode(int fd);
  ~RawMode();
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_;
  std::optional<termios> saved_;
};

void copy_window_size(int from, int to);

// Which of cordon's std fds are terminals: those become the app's pty, and the relay reads the
// one on stdin and writes to the first on stdout or stderr.
struct Ttys {
  bool fd[3] = {false, false, false};
  static Ttys of_this_process();
  bool any() const { return fd[0] || fd[1] || fd[2]; }
  int terminal() const { return fd[0] ? 0 : fd[1] ? 1 : 2; }  // for window size and raw mode
  int output() const { return fd[1] ? 1 : 2; }
};

// The launcher's relay. Each copies what is readable now; false at end of input (EOF, or EIO once
// the app's side of the pty is closed) or when the other side takes no more.
// The keyboard's bytes go to the app as they are.
bool relay_input(int from, int to);
// The app's output on its way to the host's terminal: only what draws passes (terminal_filter.h);
// a clipboard write, a title report or a DCS string never reaches the terminal.
bool relay_output(int from, int to, TerminalFilter& filter);
// What the app wrote last, once nothing in the sandbox holds its pty any more.
void drain_output(int master, int to, TerminalFilter& filter);

}  // namespace cordon::sandbox::terminal
