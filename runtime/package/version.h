// The one order of app versions, used by install (a refresh must be newer), publish (an index only
// moves forward) and refresh (which offer is newest): Debian's (dpkg) order of upstream versions.
// Digit runs compare as numbers (1.10 > 1.9), the rest character by character with letters before
// other characters, and '~' before anything, even the end: 1.0~rc1 < 1.0 < 1.0a < 1.0+b1 < 1.0.1.
// A pre-release is therefore written with '~'; one written with '-' (1.2-rc1) would sort after 1.2,
// so policies refuse that spelling (launcher/installed.cc) rather than let a device go "up" to it.
#pragma once

#include <string_view>

namespace cordon::package {

// < 0, 0 or > 0 as `a` is below, equal to or above `b`.
int compare_versions(std::string_view a, std::string_view b);

inline bool version_newer(std::string_view a, std::string_view b) { return compare_versions(a, b) > 0; }

}  // namespace cordon::package
