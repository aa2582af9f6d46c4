#include "util/result.h"

#include <cerrno>
#include <cstring>

namespace cordon {

std::string Error::to_string() const {
  if (sys_errno == 0) return op;
  return op + ": " + std::strerror(sys_errno);
}

Error sys_fail(std::string_view step, std::string op) {
  const int saved = errno;
  return Error{std::string(step), std::move(op), saved};
}

Error fail(std::string_view step, std::string op) { return Error{std::string(step), std::move(op), 0}; }

}  // namespace cordon
