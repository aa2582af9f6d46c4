#include "sandbox/terminal.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace cordon::sandbox::terminal {

namespace {

// One byte with room for one descriptor: the message both ends of the pty hand-over use.
struct FdMessage {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  FdMessage() {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  FdMessage(const FdMessage&) = delete;
  FdMessage& operator=(const FdMessage&) = delete;
};

}  // namespace

Result<UniqueFd> open_pty_and_send_master(int channel) {
  UniqueFd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master.valid()) return sys_fail("terminal", "open /dev/ptmx");
  int unlock = 0;
  if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0) return sys_fail("terminal", "unlock the pty");
  // TIOCGPTPEER opens the peer through the master: no path lookup a link could redirect.
  UniqueFd peer(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!peer.valid()) return sys_fail("terminal", "open the pty's peer");
  FdMessage m;
  cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  const int fd = master.get();
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  if (::sendmsg(channel, &m.msg, MSG_NOSIGNAL) != 1) return sys_fail("terminal", "pass the pty to cordon");
  return peer;
}

Result<UniqueFd> receive_master(int channel) {
  FdMessage m;
  if (::recvmsg(channel, &m.msg, MSG_CMSG_CLOEXEC) != 1) return sys_fail("terminal", "receive the app's pty");
  cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return fail("terminal", "receive the app's pty: no descriptor");
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return UniqueFd(fd);
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
