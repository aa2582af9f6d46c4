#include "sandbox/path_use.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <vector>

namespace cordon::sandbox {

namespace {

// A NUL-terminated string of at most PATH_MAX bytes at `address` in `pid`, read a page at a time:
// one read across the end of a mapping would fail as a whole.
std::optional<std::string> read_string(pid_t pid, std::uint64_t address) {
  const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  std::string out;
  char buf[4096];
  while (out.size() < PATH_MAX) {
    const std::uint64_t room = std::min<std::uint64_t>(page - address % page, sizeof buf);
    iovec local{buf, room};
    iovec remote{reinterpret_cast<void*>(address), room};
    const ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) return std::nullopt;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\0') return out;
      out += buf[i];
    }
    address += static_cast<std::uint64_t>(n);
  }
  return std::nullopt;  // longer than any path the kernel would take
}

std::optional<std::uint64_t> read_u64(pid_t pid, std::uint64_t address) {
  std::uint64_t value = 0;
  iovec local{&value, sizeof value};
  iovec remote{reinterpret_cast<void*>(address), sizeof value};
  if (::process_vm_readv(pid, &local, 1, &remote, 1, 0) != sizeof value) return std::nullopt;
  return value;
}

// The app's working directory or one of its descriptors, as a path in its own mount namespace:
// the kernel writes a path the reader cannot reach from its own root relative to the namespace's.
std::optional<std::string> link_of(pid_t pid, const std::string& what) {
  char buf[PATH_MAX];
  const std::string link = "/proc/" + std::to_string(pid) + "/" + what;
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  if (n <= 0 || buf[0] != '/') return std::nullopt;  // "pipe:[...]", "anon_inode:..."
  return std::string(buf, static_cast<std::size_t>(n));
}

bool opens_for_writing(std::uint64_t flags) {
  return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0;
}

}  // namespace

std::string normal_path(const std::string& absolute) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= absolute.size()) {
    std::size_t end = absolute.find('/', start);
    if (end == std::string::npos) end = absolute.size();
    const std::string part = absolute.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::optional<PathUse> path_use_of(int listener, const seccomp_notif& n, const seccomp::PathCall& call) {
  const pid_t pid = static_cast<pid_t>(n.pid);
  auto path = read_string(pid, n.data.args[call.path_arg]);
  if (!path || path->empty()) return std::nullopt;
  PathUse use{std::string(call.name), "", call.writes, call.looks};
  if (call.flags_arg >= 0) {
    std::optional<std::uint64_t> flags = n.data.args[call.flags_arg];
    if (call.flags_in_how) flags = read_u64(pid, *flags);
    if (flags && opens_for_writing(*flags)) use.write = true;
  }
  std::string absolute = *path;
  if (absolute[0] != '/') {
    const int dirfd = call.dirfd_arg >= 0 ? static_cast<int>(n.data.args[call.dirfd_arg]) : AT_FDCWD;
    auto base = link_of(pid, dirfd == AT_FDCWD ? "cwd" : "fd/" + std::to_string(dirfd));
    if (!base) return std::nullopt;
    absolute = *base + "/" + absolute;
  }
  // The id still pending means `pid` was still the caller while its memory was read.
  std::uint64_t id = n.id;
  if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) return std::nullopt;
  use.path = normal_path(absolute);
  return use;
}

}  // namespace cordon::sandbox
