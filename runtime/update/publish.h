// The publisher's side: `cordon publish REPO PACKAGE... --key INDEX-KEY.pem` copies signed packages
// into a repository folder and writes its index, signed by the index key. The folder is then
// served as static files (any HTTP server, a CDN, a USB stick); nothing runs on the server.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "update/index.h"
#include "util/result.h"

namespace cordon::update {

struct PublishInput {
  std::string repo;                   // created (0755) when missing
  std::vector<std::string> packages;  // none: re-sign the index as it is, with a new serial and expiry
  std::string key_pem;                // the index key (Ed25519, PEM)
  std::time_t now = 0;
  std::int64_t valid_for_s = 7 * 24 * 3600;  // the new index's expiry, from now
};

struct Published {
  Index index;                      // as written
  std::vector<IndexEntry> added;    // packages that are new in this index
  std::vector<IndexEntry> already;  // packages the index already offered, byte for byte
};

// In order: reads the repository's index (it must verify with this key: one index key per
// repository), opens each package (whole and signed, by any key except the index key itself:
// the two roles stay apart), refuses a version not above what the index offers for that app,
// copies each package in as NAME_VERSION.cordon (0644, written new and linked, never over a file
// with other contents), and only then replaces index.json (0644, write-new and rename): a device
// never sees an index that names a file not yet there. Serial: the old one + 1.
Result<Published> publish(const PublishInput& input);

}  // namespace cordon::update
