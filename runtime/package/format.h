// The cordon package file, format v1: its layout, its limits, and the pure parsers of its header,
// manifest and trailer. Reading a file, checking a signature and unpacking are open.h's and
// unpack.h's; this file only says what the bytes mean and refuses what breaks the rules.
//
//   package  = body || trailer
//   body     = header || manifest || payload
//   header   = 24 bytes: "CORDONPK" | u32 LE format version (1) | u32 LE 0 | u64 LE manifest length
//   manifest = UTF-8 JSON, canonical as manifest_json() writes it (keys sorted, no spaces):
//              {"count":N,"files":[{"mode":493,"path":"bin","type":"dir"},
//                {"mode":493,"path":"bin/hello","sha256":"<64 hex>","size":123,"type":"file"},
//                {"path":"lib/libx.so","target":"libx.so.1","type":"symlink"}],
//               "format":1,"name":"hello","version":"1.2"}
//   payload  = the contents of every "file" entry, in manifest order, concatenated
//   trailer  = 128 bytes: "CORDONSIG1" padded with NULs to 16 | Ed25519 public key (32)
//              | signature (64) | u64 LE body length | 8 zero bytes
//   signed message = "cordon-package-v1" NUL | u64 LE body length | SHA-256(body) (32 raw bytes)
//
// The signature covers the body's length and hash, so a reader verifies it (streaming the body
// once) before it parses a single byte of the manifest: everything below parses signed input, but
// still refuses anything out of bounds, since a trusted key can sign a hostile or broken package.
//
// Manifest rules (each refusal says which): "count" comes before "files" (so the bound on it is
// checked before the array is read), is <= Limits::max_files and equals the array's length; paths
// are relative, NUL-free UTF-8, with no empty, "." or ".." component, no leading or trailing '/',
// components <= 255 bytes, the whole <= 1024 bytes, depth <= 64; unique; a path's parent appears
// earlier as a "dir" entry; modes are permission bits only (0777: no setuid, setgid or sticky);
// symlink targets are non-empty, <= 1024 bytes, NUL-free; the file sizes add up to the payload's
// length exactly; a top-level regular file "policy.yaml" exists; "name" and "version" are
// non-empty strings of at most 64 bytes (what they may contain is the caller's rule). Unknown keys
// are refused: a signed field that this reader would skip could mean something to another.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace cordon::package {

inline constexpr std::string_view kHeaderMagic = "CORDONPK";
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kHeaderSize = 24;
inline constexpr std::string_view kTrailerMagic{"CORDONSIG1\0\0\0\0\0\0", 16};
inline constexpr std::size_t kTrailerSize = 128;
inline constexpr std::size_t kMaxPathBytes = 1024;
inline constexpr std::size_t kMaxComponentBytes = 255;
inline constexpr std::size_t kMaxDepth = 64;
inline constexpr std::size_t kMaxTargetBytes = 1024;
inline constexpr std::size_t kMaxLabelBytes = 64;  // name and version
inline constexpr std::string_view kPolicyFile = "policy.yaml";
inline constexpr std::string_view kNotAPackage = "not a cordon package (it does not start with \"CORDONPK\")";

struct Limits {
  std::uint64_t max_package_bytes = 4ull << 30;  // the body; the file may be a trailer larger
  std::uint64_t max_manifest_bytes = 16u << 20;
  std::uint32_t max_files = 100000;
};

enum class EntryType { file, dir, symlink };

struct Entry {
  std::string path;
  EntryType type = EntryType::file;
  std::uint32_t mode = 0;    // permission bits (files, dirs); 0 for symlinks
  std::uint64_t size = 0;    // files
  std::string sha256;        // lowercase hex of the content, files
  std::string target;        // symlinks
  std::uint64_t offset = 0;  // of the content within the payload, files
};

struct Manifest {
  std::string name, version;
  std::vector<Entry> entries;  // in the package's order: every parent before its children
};

struct Trailer {
  std::array<unsigned char, 32> public_key{};
  std::array<unsigned char, 64> signature{};
  std::uint64_t body_size = 0;
};

// The trailer from the file's last 128 bytes: its magic, zero padding, and a body size equal to
// `file_size - 128` (a file cut short or extended fails here, before any hashing is trusted).
Result<Trailer> parse_trailer(std::string_view last_128_bytes, std::uint64_t file_size);

// The manifest's length from the header (the first 24 bytes of a body of `body_size` bytes),
// checked against the limit and the body before anyone allocates room for the manifest.
Result<std::uint64_t> parse_header(std::string_view header, std::uint64_t body_size, const Limits& limits);

// The header and manifest of a verified body (exactly 24 + the header's manifest length bytes);
// `body_size` is the whole body's size (for the payload length check). Pure: fuzzed.
Result<Manifest> parse_manifest(std::string_view header_and_manifest, std::uint64_t body_size, const Limits&);

// What pack writes (canonical: keys sorted, no spaces). Paths, targets, name and version must be
// valid UTF-8 (check_path and pack see to it); offsets are not written, readers recompute them.
std::string manifest_json(const Manifest&);

// The 24-byte header and the 128-byte trailer, as pack writes them.
std::string encode_header(std::uint64_t manifest_size);
std::string encode_trailer(const Trailer&);

// Why `path` may not name an entry ("" when it may): the path rules above, without uniqueness and
// parents, which need the whole list. Pack checks a tree with it so it never writes what open refuses.
std::string path_problem(std::string_view path);

std::string_view type_name(EntryType type);  // "file", "dir", "symlink"

}  // namespace cordon::package
