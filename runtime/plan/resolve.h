// plan::resolve: Bundle -> Plan. Pure: no syscalls, no filesystem access, no environment.
// The same inputs give the same Plan, so its JSON and hash are stable (docs/plan.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "policy/bundle.h"
#include "policy/diagnostics.h"

namespace cordon::plan {

struct ResolveOptions {
  std::vector<std::string> connected;  // manual plugs the owner connected (`cordon connect`)
};

// Conflicts are reported in `diags` (errors refuse the Plan; warnings say which grant lost).
std::optional<Plan> resolve(const policy::Bundle& bundle, const ResolveOptions& options, policy::Diagnostics& diags);

}  // namespace cordon::plan
