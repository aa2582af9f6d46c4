// One of cordon's own state directories for a launch (state_guard.h), as expand() receives it.
#pragma once

#include <string>

namespace cordon::sandbox {

struct StateDir {
  std::string path;
  bool exists = true;  // false: not there, and cordon would not create it (another user's)
};

}  // namespace cordon::sandbox
