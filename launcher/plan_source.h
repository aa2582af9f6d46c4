// Where `run` and `compile` get a Plan: the warm cache (no YAML parsed) or, on a miss, the policy
// files, resolved and cached for next time (DESIGN.md "Performance notes").
#pragma once

#include <optional>
#include <string>

#include "cache/plan_cache.h"
#include "plan/plan.h"
#include "policy/search.h"

namespace cordon::launcher {

// The invoker's cache (root: /var/cache/cordon; a user: $XDG_CACHE_HOME/cordon).
cache::Location cache_location();

// Diagnostics of a cold resolve go to stderr; nullopt when the policy is invalid.
std::optional<plan::Plan> cached_or_resolved_plan(const std::string& app, const policy::SearchPaths& paths,
                                                  const cache::Location& where);

}  // namespace cordon::launcher
