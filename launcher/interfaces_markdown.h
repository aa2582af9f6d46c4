// docs/interfaces.md, made from the interface files themselves (`cordon interfaces --markdown`), so
// the catalogue's documentation cannot drift from what the files grant: a ctest compares the two.
#pragma once

#include <string>
#include <vector>

#include "policy/model.h"

namespace cordon::launcher {

// `base` first if given, then the others in the order given (sorted by name).
std::string interfaces_markdown(const policy::Interface* base, const std::vector<policy::Interface>& interfaces);

}  // namespace cordon::launcher
