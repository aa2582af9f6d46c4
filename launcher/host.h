// What the launcher reads from the process: the environment variables that steer the search
// paths, and where the shipped data (interfaces, syscall sets, example apps) is installed.
#pragma once

#include <string>

#include "policy/search.h"

namespace cordon::launcher {

policy::HostContext read_host_context();

// The variable's value, or "" when it is unset.
std::string env_or_empty(const char* name);

}  // namespace cordon::launcher
