// Ed25519 public keys: reading one from a PEM file, and the trusted keys a package must be signed
// by. Does not verify signatures (signing.h) or decide which folders are trusted (the caller's).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <array>
#include <string>
#include <vector>

#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::package {

struct PublicKey {
  std::array<unsigned char, 32> raw{};
  std::string id;    // lowercase hex SHA-256 of raw
  std::string file;  // where it was read, "" if none
};

PublicKey public_key_from_raw(const std::array<unsigned char, 32>& raw, std::string file = "");

std::string short_id(const std::string& id);  // first 16 hex digits, for people

// Every *.pub file (PEM "PUBLIC KEY", Ed25519) in each dir, in order (within a dir, by name); a
// missing dir has none; a key in two places counts once. A file or dir that another user than root
// or `owner_uid` owns, or that group/others may write, is refused with an error naming it (a
// trusted-key folder anyone can write trusts anyone); so is a *.pub that is a symbolic link or not
// a regular file. Does not check the folders above each dir: choosing safe places is the caller's.
// With `skipped`, a *.pub whose content is not an Ed25519 public key is left out and described
// there (it trusts nothing); without it, that is an error too.
Result<std::vector<PublicKey>> load_trusted_keys(const std::vector<std::string>& dirs, uid_t owner_uid,
                                                 std::vector<std::string>* skipped = nullptr);

// One trusted public key file (an update source's index key): the same rules as a *.pub in a
// trusted-key folder (not a link, a regular file, root's or `owner_uid`'s, writable by them alone).
Result<PublicKey> read_trusted_key_file(const std::string& path, uid_t owner_uid);

// The ownership rule of everything cordon trusts for what it installs (key files and folders,
// update sources): owned by root or `owner_uid`, writable by nobody else. An error names `shown`.
Result<void> check_trusted_owner(const struct stat& st, const std::string& shown, uid_t owner_uid);

// `name` in the folder `dir_fd` (AT_FDCWD: a path), opened for reading if it may be trusted: not a
// link (`what` names it in that error: "a trusted key"), a regular file, check_trusted_owner.
Result<UniqueFd> open_trusted_file(int dir_fd, const std::string& name, const std::string& shown, uid_t owner_uid,
                                   const std::string& what);

// One PEM public key file (Ed25519 only), with no ownership checks.
Result<PublicKey> read_public_key(const std::string& pem_path);

}  // namespace cordon::package
