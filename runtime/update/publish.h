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

struct SignerChange {
  IndexEntry entry;     // as now offered
  std::string old_key;  // the key the index had for the app: devices bound to it refuse the new one
};

struct Published {
  Index index;                      // as written
  std::vector<IndexEntry> added;    // packages that are new in this index
  std::vector<IndexEntry> already;  // packages given that the index already offered, byte for byte
  std::vector<SignerChange> new_signers;
};

// In order: reads the repository's index (it must verify with this key: one index key per
// repository); opens and judges every package before copying any (whole and signed, by any key
// except the index key itself: the two roles stay apart; one version per app; a version above
// what the index offers, or the very file it offers, which is then left as it is; no file of
// that name with other contents); copies each new package in as NAME_VERSION.cordon (0644,
// written new and linked, never over a file); and only then replaces index.json (0644,
// write-new and rename): a device never sees an index that names a file not yet there. Serial:
// the old one + 1. Refusals have the step kRefused (update/fetch.h); other errors are failures.
Result<Published> publish(const PublishInput& input);

}  // namespace cordon::update
