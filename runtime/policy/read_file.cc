#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "policy/load.h"
#include "policy/yaml_tree.h"

namespace cordon::policy {

std::optional<std::string> read_policy_file(const std::string& path, Diagnostics& diags) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    diags.error(Where{path, 0, 0}, std::string("cannot open: ") + std::strerror(errno));
    return std::nullopt;
  }
  struct stat st {};
  std::optional<std::string> text;
  const std::size_t max_bytes = YamlLimits{}.max_bytes;
  if (::fstat(fd, &st) != 0) {
    diags.error(Where{path, 0, 0}, std::string("cannot stat: ") + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    diags.error(Where{path, 0, 0}, "not a regular file");
  } else if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    diags.error(Where{path, 0, 0}, "file is " + std::to_string(st.st_size) +
                                       " bytes; policy files are limited to " + std::to_string(max_bytes) + " bytes");
  } else {
    std::string buf;
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        diags.error(Where{path, 0, 0}, std::string("cannot read: ") + std::strerror(errno));
        break;
      }
      if (n == 0) {
        text = std::move(buf);
        break;
      }
      buf.append(chunk, static_cast<std::size_t>(n));
      if (buf.size() > max_bytes) {  // the file grew while we read it
        diags.error(Where{path, 0, 0}, "file is larger than " + std::to_string(max_bytes) + " bytes");
        break;
      }
    }
  }
  ::close(fd);
  return text;
}

}  // namespace cordon::policy
