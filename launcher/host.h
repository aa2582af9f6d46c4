// What the launcher reads from the process: the environment variables that steer the search
// paths, and where the shipped data (interfaces, syscall sets, example apps) is installed.
#pragma once

#include "policy/search.h"

namespace cordon::launcher {

policy::HostContext read_host_context();

}  // namespace cordon::launcher
