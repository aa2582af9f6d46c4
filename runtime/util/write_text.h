// Writes a short text into a kernel control file (/proc/PID/uid_map, cgroup knobs): one open,
// one write, so the kernel sees the value whole; the error names the step and the command.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace cordon {

Result<void> write_text(std::string_view step, const std::string& path, const std::string& text);

}  // namespace cordon
