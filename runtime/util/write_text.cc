#include "util/write_text.h"

#include <fcntl.h>
#include <unistd.h>

#include "util/unique_fd.h"

namespace cordon {

Result<void> write_text(std::string_view step, const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid() || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return sys_fail(step, "echo '" + text + "' > " + path);
  return {};
}

}  // namespace cordon
