#include "launcher/status_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

namespace cordon::launcher {

namespace {

// "mnt:[4026531841]" -> 4026531841; 0 when it cannot be read.
unsigned long long namespace_id(pid_t pid, const char* kind) {
  char buf[64];
  const std::string link = "/proc/" + std::to_string(pid) + "/ns/" + kind;
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* open = std::strchr(buf, '[');
  return open ? std::strtoull(open + 1, nullptr, 10) : 0;
}

}  // namespace

Result<StatusChannel> StatusChannel::open(int fd, std::string app, int listen_fds) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (fd <= STDERR_FILENO || flags < 0)
    return fail("status-fd", "use descriptor " + std::to_string(fd) + " for --status-fd: " +
                                 (fd < 0 ? "no descriptor has a negative number"
                                  : fd <= STDERR_FILENO ? "0, 1 and 2 are the app's" : "it is not open"));
  if (fd < 3 + listen_fds)
    return fail("status-fd", "use descriptor " + std::to_string(fd) + " for --status-fd: it is one of the " +
                                 std::to_string(listen_fds) + " sockets systemd handed over (LISTEN_FDS), which go to the app; "
                                 "pick one above " + std::to_string(2 + listen_fds));
  if ((flags & O_ACCMODE) == O_RDONLY)
    return fail("status-fd", "use descriptor " + std::to_string(fd) + " for --status-fd: it is open for reading only");
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return StatusChannel(fd, std::move(app));
}

void StatusChannel::event(const std::string& json_line) {
  const std::string line = json_line + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the reader went away: the app runs on, unreported
    done += static_cast<std::size_t>(n);
  }
}

void StatusChannel::sandbox_started(pid_t init) {
  nlohmann::ordered_json namespaces = nlohmann::ordered_json::object();
  for (const char* kind : {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"})
    if (auto id = namespace_id(init, kind)) namespaces[kind] = id;
  event(nlohmann::ordered_json{{"event", "started"}, {"app", app_}, {"pid", init}, {"namespaces", namespaces}}.dump());
}

void StatusChannel::exited(int status) {
  event(nlohmann::ordered_json{{"event", "exited"}, {"app", app_}, {"status", status}}.dump());
}

void StatusChannel::failed(const std::string& why) {
  event(nlohmann::ordered_json{{"event", "failed"}, {"app", app_}, {"error", why}}.dump());
}

}  // namespace cordon::launcher
