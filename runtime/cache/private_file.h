// Files only their owner could have written: how cordon's caches (Plans, compiled filters) are
// trusted. A checksum could not do it — a writer can recompute one — so trust comes from where a
// file lives: owned by the invoking uid, mode 0600, in a directory chain that nobody but that uid
// or root can write. Anything else is ignored (and rebuilt by the caller).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace cordon::cache {

// Every directory from `dir` up to "/" is owned by `uid` or root and not group- or world-writable.
bool trusted_chain(const std::string& dir, uid_t uid);

// The file's bytes if it is a regular file (not a link) owned by `uid`, mode 0600 or stricter,
// and at most 1 MiB; nullopt otherwise.
std::optional<std::string> read_private(const std::string& path, uid_t uid);

// The same checks, but reads only the front of the file that its own header asks for: `head`
// bytes, then up to `wanted(those bytes)` in all. nullopt when `wanted` asks for less than the
// head or more than the file holds. A launch that needs the front of a cache file does not copy
// the rest.
std::optional<std::string> read_private_front(const std::string& path, uid_t uid, std::size_t head,
                                              std::size_t (*wanted)(const std::string& head));

// Writes `bytes` to `path` (mode 0600) through a temporary file and rename: a reader sees the old
// file or the new one, never half of one. Best effort: false if it could not.
bool write_private(const std::string& path, const std::string& bytes);

// A short file name for a cache key: FNV-1a, 64 bits, in hex. Not a security boundary: the full
// key is stored inside the file and compared, so a collision only costs a miss. A launch must not
// pay for initialising a crypto library to name a file.
std::string hashed_name(const std::string& key);

}  // namespace cordon::cache
