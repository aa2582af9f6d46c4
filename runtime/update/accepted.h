// What a device remembers of each source: the highest index serial it accepted and that index's
// hash. This record is what refuses a replayed older index, so it is written whole or not at all
// (write-new, fsync, rename) in the store's own folder: /var/lib/cordon/sources/NAME.json, or the
// user's $XDG_DATA_HOME/cordon/sources/NAME.json.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "update/index.h"
#include "util/result.h"

namespace cordon::update {

struct Accepted {
  std::uint64_t serial = 0;  // 0: no index accepted yet from this source
  std::string sha256;        // of that index file
  std::string repository;    // that index's repository id: every later index must have it too
  std::string expires;       // its expiry, for people
  std::string when;          // when it was accepted, UTC
};

// The record of `source` in `state_dir` (none yet: serial 0). A record that cannot be read or
// parsed is an error, not a fresh start: starting over would accept any older index again.
Result<Accepted> read_accepted(const std::string& state_dir, const std::string& source);

// Records `index` as accepted from `source` (creating `state_dir`, mode 0700, when missing).
Result<void> record_accepted(const std::string& state_dir, const std::string& source, const VerifiedIndex& index,
                             std::time_t now);

}  // namespace cordon::update
