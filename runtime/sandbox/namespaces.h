// The namespaces the child is cloned into, from the Plan's list (plan.namespaces): the one place
// that turns names into clone flags.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace cordon::sandbox {

// Refuses a Plan that names an unknown namespace or leaves out one every launch must have (all
// seven: a Plan from a cache or a library caller cannot run with fewer).
Result<unsigned long> clone_flags(const std::vector<std::string>& namespaces);

}  // namespace cordon::sandbox
