// Which build of cordon is running, for the keys of its caches: a cached Plan or filter is only
// ever reused by the very executable that made it. The version string alone is shared by every
// build of a release, and a layout number bumped by hand misses changes (an escape probe's note:
// an upgraded cordon could load an older build's filter for an unchanged Plan).
#pragma once

#include <string>

namespace cordon {

// The running executable's device, inode, size, modification and change times (one stat of
// /proc/self/exe): any rebuild or reinstall changes them. "" when it cannot be read, which makes
// the caches miss rather than trust.
const std::string& executable_identity();

}  // namespace cordon
