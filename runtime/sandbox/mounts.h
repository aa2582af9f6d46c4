// Builds the app's root: a tmpfs with the Plan's binds, tmpfs, hides, its own /proc (kernel knobs
// read-only) and a minimal /dev, then pivots into it, drops the host root and makes "/" read-only.
// Runs in the child, inside its new user and mount namespaces; never touches the host's mounts.
#pragma once

#include <vector>

#include "sandbox/expand.h"
#include "util/result.h"

namespace cordon::sandbox::mounts {

Result<void> build_root(const std::vector<Step>& steps);

}  // namespace cordon::sandbox::mounts
