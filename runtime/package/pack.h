// Making a signed package from a folder. Does not read the policy (the caller has, for the name
// and version) or install anything.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "package/format.h"
#include "util/result.h"

namespace cordon::package {

struct PackInput {
  std::string dir;
  std::string name;
  std::string version;
  std::string key_pem;
  std::string out_path;
  Limits limits;
  // Called as the payload is written: bytes written so far and in all (a progress line's; may be empty).
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct PackResult {
  std::string key_id;     // of the key it was signed with
  std::size_t files = 0;  // entries of every type: files, folders, symbolic links
  std::uint64_t bytes = 0;  // the package file's size
};

// Walks `dir` (never following symlinks: they are packed as symlinks; a socket, FIFO or device in
// the tree is refused naming it; entries sorted by path bytewise, which puts parents first),
// writes the package to a private O_TMPFILE in out_path's folder and links it to out_path only
// when complete (linkat; an existing out_path is never overwritten: "exists; remove it or choose
// another -o"). Modes keep the 0777 bits; a setuid, setgid or sticky bit is refused naming the
// file. `dir` must contain a regular file policy.yaml (the caller has already read name and
// version from it). Everything open_package would refuse (paths, limits, labels) is refused here
// first, naming the file. A file that changes between the two reads pack makes of it (one for its
// manifest hash, one for the payload) is refused too. The key must be an unencrypted Ed25519 PEM.
Result<PackResult> pack(const PackInput&);

}  // namespace cordon::package
