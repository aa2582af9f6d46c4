#include "package/io.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "util/unique_fd.h"

namespace cordon::package {

namespace {
constexpr std::string_view kStep = "package";
}

Result<std::size_t> read_some(int fd, char* buf, std::size_t size, const std::string& shown) {
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, buf + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_fail(kStep, "read " + shown);
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

Result<std::string> read_bounded(int fd, const std::string& shown, std::size_t max) {
  std::string out(max + 1, '\0');  // one more, to tell "exactly max" from "longer"
  auto got = read_some(fd, out.data(), out.size(), shown);
  if (!got) return got.error();
  if (*got > max) return fail(kStep, shown + ": larger than " + std::to_string(max) + " bytes");
  out.resize(*got);
  return out;
}

Result<void> pread_exact(int fd, char* buf, std::size_t size, std::uint64_t offset, const std::string& shown) {
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd, buf + got, size - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_fail(kStep, "read " + shown);
    if (n == 0) return fail(kStep, shown + ": ends early, at byte " + std::to_string(offset + got));
    got += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> write_all(int fd, std::string_view data, const std::string& shown) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_fail(kStep, "write " + shown);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::vector<std::string>> names_in(int dir_fd, const std::string& shown) {
  UniqueFd copy(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
  DIR* d = copy.valid() ? ::fdopendir(copy.get()) : nullptr;
  if (d == nullptr) return sys_fail(kStep, "ls " + shown);
  copy.release();  // the DIR owns it now
  ::rewinddir(d);  // the duplicate shares its position with `dir_fd`
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) {
    errno = err;  // closedir may have changed it
    return sys_fail(kStep, "ls " + shown);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace cordon::package
