// Path containment on absolute, normalised paths (no "//", ".", ".." or trailing "/").
#pragma once

#include <string>

namespace cordon {

// `inner` is `outer` or lies below it ("/srv/a" is within "/srv", "/srvx" is not).
inline bool path_within(const std::string& inner, const std::string& outer) {
  if (outer == "/") return !inner.empty() && inner[0] == '/';
  return inner.compare(0, outer.size(), outer) == 0 && (inner.size() == outer.size() || inner[outer.size()] == '/');
}

}  // namespace cordon
