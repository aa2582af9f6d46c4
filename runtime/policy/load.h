// Loading schema-1 files: app policies, interface files and the syscall-set catalogue.
// Each loader reports every problem it finds to `diags` and returns nullopt if there was any error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/diagnostics.h"
#include "policy/model.h"

namespace cordon::policy {

// Reads a whole file, refusing anything over the 1 MiB policy limit before reading it.
// Errors are reported against `path` with line 0.
std::optional<std::string> read_policy_file(const std::string& path, Diagnostics& diags);

std::optional<AppPolicy> parse_app(const std::string& file, std::string_view text, Diagnostics& diags);
// What could be read even when there were errors (bad values left out), so that later checks
// (unknown interfaces, attributes) still report in the same pass. nullopt when nothing could be read.
std::optional<AppPolicy> parse_app_partial(const std::string& file, std::string_view text, Diagnostics& diags);
std::optional<Interface> parse_interface(const std::string& file, std::string_view text, Diagnostics& diags);
std::optional<SyscallCatalog> parse_syscall_sets(const std::string& file, std::string_view text, Diagnostics& diags);

}  // namespace cordon::policy
