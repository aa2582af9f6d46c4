// Root's apps do not run as host root. An app root launches (and that runs as uid 0) gets a range
// of 65536 host ids of its own: the sandbox's uid and gid 0..65535 are host ids BASE..BASE+65535,
// so a uid-0 app reads nothing that only host root may read (0600 root files, root-only /proc
// files), whatever the mode tables say, and chown inside its $APP_DATA works (the ids exist).
// Ranges are allocated once per app name and kept in /var/lib/cordon/ids/NAME (root's state,
// hidden from every app), from 0x70000000 up: above systemd's container range (which ends at
// 0x6FFFFFFF) and below 2^31, which some tools read as a signed number.
// docs/security.md item 7.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/result.h"

namespace cordon::sandbox {

constexpr uid_t kPrivateIdsFirst = 0x70000000;
constexpr uid_t kPrivateIdsCount = 65536;   // ids per app
constexpr uid_t kPrivateIdsSlots = 4094;    // 0x70000000 + 4094 * 65536 < 0x7FFF0000

// The first host id of `app`'s range, allocated on first use. `dir` is /var/lib/cordon/ids.
Result<uid_t> private_ids_for(const std::string& dir, const std::string& app);

}  // namespace cordon::sandbox
