// The update index, format 1: what a repository offers (each app's current version, its package
// file, size and SHA-256), signed by the repository's index key. A device verifies the signature
// before it parses a byte of the index, then refuses an index that has expired or is older than
// one it already accepted (docs/updates.md, the threat table).
//
//   index.json = PREFIX || body || "}\n"
//   PREFIX     = {"signature":"ed25519:<64 hex: key id>:<128 hex: signature>","index":
//   body       = one JSON object, as index_body_json() writes it:
//                {"format":1,"repository":"<32 hex>","serial":7,"published":"2026-12-02T21:00:00Z",
//                 "expires":"2026-12-09T21:00:00Z",
//                 "apps":[{"name":"hello","version":"1.1","file":"hello_1.1.cordon","size":12345,
//                          "sha256":"<64 hex>","key":"<64 hex: the package signer's key id>"}]}
//   signed message = "cordon-index-v1" NUL | u64 LE body length | SHA-256(body) (32 raw bytes)
//
// The whole file is JSON (`jq .index index.json` reads it), yet the signature sits at a fixed place
// and covers the body's exact bytes, so no canonical re-encoding is needed and nothing is parsed
// before the signature holds. The purpose string keeps a package signature from ever verifying as
// an index signature and the other way round.
//
// Body rules (each refusal says which): the keys above, no others, none twice in one object; the
// body starts with '{'; format 1; a repository id of 32 lowercase hex digits; 1 <= serial <= 2^53; times as YYYY-MM-DDTHH:MM:SSZ with
// published <= expires <= published + 366 days; at most 10,000 apps, sorted by name,
// unique; a name is an app name (lowercase letters, digits, '-'); a version of 1..64 printable
// ASCII bytes; a file name of 1..255 bytes of [A-Za-z0-9._+-], not starting with '.'; a size of
// 1..(4 GiB + 128); sha256 and key 64 lowercase hex digits.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "package/keys.h"
#include "package/signing.h"
#include "util/result.h"

namespace cordon::update {

inline constexpr std::string_view kIndexFile = "index.json";
inline constexpr std::size_t kMaxIndexBytes = std::size_t{8} << 20;  // 10,000 apps take about 3 MiB
inline constexpr std::size_t kMaxApps = 10000;
inline constexpr std::uint64_t kMaxSerial = std::uint64_t{1} << 53;  // exact in every JSON reader
inline constexpr std::time_t kMaxValiditySeconds = 366 * 86400;  // expires - published
inline constexpr std::time_t kClockSkewSeconds = 86400;         // how far in the future `published` may be
inline constexpr std::size_t kRepositoryIdHex = 32;              // 128 random bits, chosen by the first publish

struct IndexEntry {
  std::string name;
  std::string version;
  std::string file;    // in the repository's folder, next to index.json
  std::uint64_t size = 0;
  std::string sha256;  // of the package file
  std::string key;     // the id of the key that signed the package (the vendor's, not the index key)
};

struct Index {
  // Which repository this is: random, written by the first publish into a folder and kept by every
  // later one. Signed with the rest, so that an index of another repository signed by the same key
  // (a beta channel beside the stable one) cannot be replayed in its place (same_repository).
  std::string repository;
  std::uint64_t serial = 0;
  std::time_t published = 0;
  std::time_t expires = 0;
  std::vector<IndexEntry> apps;  // sorted by name

  const IndexEntry* find(const std::string& name) const;
};

// A verified index and the facts about its file a device records.
struct VerifiedIndex {
  Index index;
  std::string sha256;  // of the whole index file
  std::string key_id;  // the index key that signed it
};

// The body's canonical text (the bytes signed). Entries must already satisfy the rules above.
std::string index_body_json(const Index& index);

// The whole index file, signed with `key`.
Result<std::string> signed_index_file(const Index& index, const package::PrivateKey& key);

// Checks the signature of `file` against `index_key`, then parses the body. `shown` names the index
// in errors ("stable (http://.../index.json)"). Does not judge expiry or serial: index_is_current.
Result<VerifiedIndex> verify_index(std::string_view file, const package::PublicKey& index_key, const std::string& shown);

// The body's rules alone, on any bytes (what verify_index runs once the signature holds). Pure: fuzzed.
Result<Index> parse_index_body(std::string_view body, const std::string& shown);

// Why an index this device must not act on is refused, or nothing: published more than a day
// after `now` (a clock is wrong: expiry means nothing then), or it expired before `now` (a
// freeze attack, or a publisher that stopped re-signing), or its serial is below
// `highest_accepted` (a replayed older index), or equal to it with other contents (two different
// indexes under one serial: the index key signed both, which only a compromise or a broken
// publisher does). `accepted_sha256`: the file hash recorded with that serial ("" for none).
// `record`: where that serial is recorded, named in the refusal of an older serial (the way out
// for a publisher that really started over, or a fast-forward attack).
Result<void> index_is_current(const VerifiedIndex& index, std::time_t now, std::uint64_t highest_accepted,
                              const std::string& accepted_sha256, const std::string& shown,
                              const std::string& record = "");

// Refuses an index of another repository than the one this source is pinned to (`pinned`: the
// source file's `repository:`, "" for none) or, unpinned, than the one it served before
// (`accepted`: recorded with the accepted serial, "" before the first). `record` as above.
Result<void> same_repository(const VerifiedIndex& index, const std::string& pinned, const std::string& accepted,
                             const std::string& shown, const std::string& record);

// "2026-12-02T21:00:00Z" and back; nullopt-like failure as an error naming `what`.
std::string utc_text(std::time_t t);
Result<std::time_t> parse_utc(std::string_view text, const std::string& what);

// A package file name an index may hold (the rules above), and the name publish gives a package.
bool valid_file_name(std::string_view name);
std::string package_file_name(const std::string& app, const std::string& version);

}  // namespace cordon::update
