#include "sandbox/terminal.h"

#include "sandbox/fd_channel.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace cordon::sandbox::terminal {

Result<UniqueFd> open_pty_and_send_master(int channel) {
  UniqueFd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master.valid()) return sys_fail("terminal", "open /dev/ptmx");
  int unlock = 0;
  if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0) return sys_fail("terminal", "unlock the pty");
  // TIOCGPTPEER opens the peer through the master: no path lookup a link could redirect.
  UniqueFd peer(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!peer.valid()) return sys_fail("terminal", "open the pty's peer");
  CORDON_TRY(fd_channel::send(channel, 'T', master.get()));
  return peer;
}

Result<UniqueFd> receive_master(int channel) {
  auto m = fd_channel::receive(channel);
  if (!m) return m.error();
  if (m->first != 'T' || !m->second.valid()) return fail("terminal", "receive the app's pty: no descriptor");
  return std::move(m->second);
}

Result<void> attach_app(int peer, bool stdin_tty, bool stdout_tty, bool stderr_tty) {
  if (::setsid() < 0) return sys_fail("terminal", "setsid");
  if (::ioctl(peer, TIOCSCTTY, 0) != 0) return sys_fail("terminal", "make the pty the controlling terminal");
  const bool tty[3] = {stdin_tty, stdout_tty, stderr_tty};
  for (int fd = 0; fd < 3; ++fd)
    if (tty[fd] && ::dup2(peer, fd) < 0) return sys_fail("terminal", "dup2 the pty to fd " + std::to_string(fd));
  return {};
}

RawMode::RawMode(int fd) : fd_(fd) {
  termios t{};
  if (::tcgetattr(fd, &t) != 0) return;
  saved_ = t;
  ::cfmakeraw(&t);  // every byte, Ctrl-C included, goes to the app's pty, which interprets it
  ::tcsetattr(fd, TCSANOW, &t);
}

RawMode::~RawMode() {
  if (saved_) ::tcsetattr(fd_, TCSANOW, &*saved_);
}

void copy_window_size(int from, int to) {
  winsize ws{};
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

}  // namespace cordon::sandbox::terminal
