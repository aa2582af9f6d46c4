#include "sandbox/terminal.h"

#include "sandbox/fd_channel.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cordon::sandbox::terminal {

namespace {

constexpr std::size_t kRelayChunk = 16384;

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// What one read of the relay brought: bytes, nothing for now (interrupted, or not ready), or the end.
struct Chunk {
  ssize_t size;
  bool again() const { return size == 0; }
  bool end() const { return size < 0; }
};

Chunk read_chunk(int from, char* buf, std::size_t room) {
  const ssize_t n = ::read(from, buf, room);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return {0};
  return {n <= 0 ? -1 : n};
}

}  // namespace

Ttys Ttys::of_this_process() { return Ttys{{::isatty(0) == 1, ::isatty(1) == 1, ::isatty(2) == 1}}; }

bool relay_input(int from, int to) {
  char buf[kRelayChunk];
  const Chunk c = read_chunk(from, buf, sizeof buf);
  if (c.again() || c.end()) return !c.end();
  return write_all(to, buf, static_cast<std::size_t>(c.size));
}

bool relay_output(int from, int to, TerminalFilter& filter) {
  char buf[kRelayChunk];
  char out[TerminalFilter::output_room(kRelayChunk)];
  const Chunk c = read_chunk(from, buf, sizeof buf);
  if (c.again() || c.end()) return !c.end();
  return write_all(to, out, filter.filter(buf, static_cast<std::size_t>(c.size), out));
}

void drain_output(int master, int to, TerminalFilter& filter) {
  while (relay_output(master, to, filter)) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
  }
}

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
