// mkdir -p for cordon's own state directories.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "util/result.h"

namespace cordon {

// Creates each missing component of the absolute `path` with `mode`; existing ones are left as
// they are (their owner and mode are the caller's to check).
Result<void> make_dirs(std::string_view step, const std::string& path, mode_t mode);

}  // namespace cordon
