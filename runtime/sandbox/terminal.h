// The app's own terminal: when cordon's stdin is a terminal, the app gets a pty from the sandbox's
// own devpts instance, and the launcher relays bytes and window size between the two. Job control
// and Ctrl-C then work inside, and TIOCSTI can only reach the app's own pty (DESIGN.md).
#pragma once

#include <termios.h>

#include <optional>

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

}  // namespace cordon::sandbox::terminal
