// The Plan as JSON: what `cordon explain --json` prints and what tools read (docs/plan.md).
// Field order is fixed by this code, so the bytes are the same for the same Plan.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace cordon::plan {

// Without "plan_hash".
nlohmann::ordered_json to_json(const Plan& plan);
// "sha256:<hex>" of the compact JSON above: the Plan's identity (keys the compiled-filter cache).
std::string plan_hash(const Plan& plan);
// to_json plus "plan_hash", pretty-printed with a trailing newline.
std::string to_json_text(const Plan& plan);

}  // namespace cordon::plan
