// The human form of a Plan: sections in launch order, each line ending with where it came from.
#pragma once

#include <string>

#include "plan/plan.h"

namespace cordon::launcher {

std::string explain_text(const plan::Plan& plan, const std::string& app_arg);

}  // namespace cordon::launcher
