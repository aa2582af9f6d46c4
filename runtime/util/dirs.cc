#include "util/dirs.h"

#include <sys/stat.h>

#include <cerrno>

namespace cordon {

Result<void> make_dirs(std::string_view step, const std::string& path, mode_t mode) {
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) return sys_fail(step, "mkdir " + prefix);
  }
  return {};
}

}  // namespace cordon
