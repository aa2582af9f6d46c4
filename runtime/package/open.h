// Opening a package: a private copy, the signature checked against the trusted keys, and only
// then the manifest parsed. Does not unpack (unpack.h) or decide where packages live (the store).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "package/format.h"
#include "package/keys.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::package {

struct OpenedPackage {
  UniqueFd copy;              // a private, unnamed copy of the whole package (O_TMPFILE in scratch_dir), nobody else can change it
  std::uint64_t body_size = 0;
  PublicKey key;              // the trusted key that signed it
  std::string sha256;         // hex SHA-256 of the whole package file (for records)
  Manifest manifest;          // parsed only after the signature held
  std::uint64_t payload_offset = 0;  // within copy
  std::string display;        // how errors name the package: its path, or "standard input"
};

// `path`: a file, or "-" for standard input. Streams the input into a private O_TMPFILE copy in
// `scratch_dir` (must exist; same filesystem as the store, so nothing is left behind when the
// process dies), hashing as it goes, refusing beyond limits.max_package_bytes (plus the trailer)
// without reading further, and stopping at once if the first bytes are not a package's. Then reads
// the trailer, finds the signer among `trusted`, verifies the Ed25519 signature over
// signed_message(...), and only then parses the manifest from the copy.
//
// Errors name the package ("hello.cordon: ..."): not a cordon package, truncated (shorter than
// header + trailer, or a body size that is not the file's), altered ("the signature does not match
// the contents: the package was changed after it was signed"), untrusted ("signed by key <short
// id> (full id <id>), which is not among the trusted keys" — the message ends there so the caller
// can add " (the folders it read)"), too large, and every manifest refusal of format.h.
// `shown`: how errors name it, when not by `path` (a download: "hello_1.1.cordon from stable").
Result<OpenedPackage> open_package(const std::string& path, const std::vector<PublicKey>& trusted,
                                   const std::string& scratch_dir, const Limits& = {}, const std::string& shown = "");

// The same checks, but the signer is whoever's key the trailer holds: the signature must still
// match, so the package is whole and was signed by that key, without saying whether anyone trusts
// it. For the publisher (cordon publish), which records the signer; devices decide on trust.
Result<OpenedPackage> open_package_any_signer(const std::string& path, const std::string& scratch_dir,
                                              const Limits& = {});

// The content of one "file" entry (e.g. "policy.yaml", to validate the policy before installing),
// read from the copy and checked against its sha256. Bounded by `max_bytes`: a larger entry is
// refused before anything is allocated.
Result<std::string> read_entry(const OpenedPackage&, const std::string& path, std::size_t max_bytes);

}  // namespace cordon::package
