// Builds the app's root: a tmpfs with the Plan's binds, tmpfs, hides, its own /proc (kernel knobs
// read-only) and a minimal /dev, then pivots into it, drops the host root and makes "/" read-only.
// Runs in the child, inside its new user and mount namespaces; never touches the host's mounts.
#pragma once

#include <vector>

#include "sandbox/expand.h"
#include "util/result.h"

namespace cordon::sandbox::mounts {

// `tmpfs_size` bounds each writable tmpfs (/tmp, /run, /dev/shm, ...): RLIMIT_DATA does not count
// tmpfs pages, so without it the memory limit would not hold. Empty: the kernel's default.
// `app_is_root`: the app runs as uid 0, which on the host is root: /proc files that only their
// mode protects are masked.
Result<void> build_root(const std::vector<Step>& steps, const std::string& tmpfs_size, bool app_is_root);

}  // namespace cordon::sandbox::mounts
