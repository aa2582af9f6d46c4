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

// A manual plug the machine's owner connected (`cordon connect`), with the attributes it had then
// (every declared one, sorted by name, as policy::ResolvedPlug has them).
struct ConnectedPlug {
  std::string plug;
  std::vector<std::pair<std::string, std::string>> attributes;
  bool operator==(const ConnectedPlug&) const = default;
};

struct ResolveOptions {
  // A manual plug grants only when one of these has its name and exactly its attributes.
  std::vector<ConnectedPlug> connected;
  // Every manual plug as if connected: what a plug would grant (app/grants.h), never a launch's Plan.
  bool connect_all = false;
};

// Conflicts are reported in `diags` (errors refuse the Plan; warnings say which grant lost).
std::optional<Plan> resolve(const policy::Bundle& bundle, const ResolveOptions& options, policy::Diagnostics& diags);

}  // namespace cordon::plan
