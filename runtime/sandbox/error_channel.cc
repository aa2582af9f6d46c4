#include "sandbox/error_channel.h"

#include <unistd.h>

#include <cerrno>
#include <string>

namespace cordon::sandbox::error_channel {

// Record: "<errno>\n<step>\n<op>", written with one write (well under PIPE_BUF, so it is atomic).
void send(int fd, const Error& error) {
  std::string record = std::to_string(error.sys_errno) + "\n" + error.step + "\n" + error.op;
  if (record.size() > 4000) record.resize(4000);
  while (::write(fd, record.data(), record.size()) < 0 && errno == EINTR) {
  }
}

std::optional<Error> receive(int fd) {
  std::string buf;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  if (buf.empty()) return std::nullopt;
  const std::size_t a = buf.find('\n');
  const std::size_t b = a == std::string::npos ? std::string::npos : buf.find('\n', a + 1);
  if (b == std::string::npos) return Error{"launch", "read the child's error: " + buf, 0};
  return Error{buf.substr(a + 1, b - a - 1), buf.substr(b + 1), std::atoi(buf.substr(0, a).c_str())};
}

}  // namespace cordon::sandbox::error_channel
