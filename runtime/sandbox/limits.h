// Resource limits from the Plan, with setrlimit. `memory` is RLIMIT_DATA here; cgroup memory.max
// when a cgroup is delegated is TODO(#4). Runs late: a low RLIMIT_NOFILE must not starve setup.
#pragma once

#include <vector>

#include "plan/plan.h"
#include "util/result.h"

namespace cordon::sandbox::limits {

Result<void> apply(const std::vector<plan::Limit>& limits);

}  // namespace cordon::sandbox::limits
