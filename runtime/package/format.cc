// Header, trailer and path rules of format v1 (format.h), and the canonical manifest writer. The
// manifest reader is manifest_reader.cc.
#include "package/format.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "package/bytes.h"

namespace cordon::package {

namespace {

constexpr std::string_view kStep = "package";

bool all_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

std::string bytes_text(std::uint64_t n) { return std::to_string(n) + " bytes"; }

}  // namespace

Result<Trailer> parse_trailer(std::string_view last_128_bytes, std::uint64_t file_size) {
  if (file_size < kHeaderSize + kTrailerSize)
    return fail(kStep, "the package is truncated: " + bytes_text(file_size) +
                           " is shorter than a package's header and trailer (" +
                           bytes_text(kHeaderSize + kTrailerSize) + ")");
  if (last_128_bytes.size() != kTrailerSize)
    return fail(kStep, "the signature trailer is " + bytes_text(last_128_bytes.size()) + ", not 128");
  if (last_128_bytes.substr(0, kTrailerMagic.size()) != kTrailerMagic)
    return fail(kStep, "no signature trailer at the end of the file: the package was truncated or extended "
                       "after it was signed, or never signed");
  Trailer t;
  std::copy_n(last_128_bytes.begin() + 16, 32, t.public_key.begin());
  std::copy_n(last_128_bytes.begin() + 48, 64, t.signature.begin());
  t.body_size = get_le64(last_128_bytes, 112);
  if (!all_zero(last_128_bytes.substr(120)))
    return fail(kStep, "the signature trailer's last 8 bytes are not zero (format v1 reserves them)");
  if (t.body_size != file_size - kTrailerSize)
    return fail(kStep, "the trailer gives a body of " + bytes_text(t.body_size) + " but the file holds " +
                           bytes_text(file_size - kTrailerSize) +
                           " before its trailer: the package was truncated or extended after it was signed");
  return t;
}

Result<std::uint64_t> parse_header(std::string_view header, std::uint64_t body_size, const Limits& limits) {
  if (header.size() < kHeaderMagic.size() || header.substr(0, kHeaderMagic.size()) != kHeaderMagic)
    return fail(kStep, std::string(kNotAPackage));
  if (header.size() < kHeaderSize || body_size < kHeaderSize)
    return fail(kStep, "the package is truncated: its 24-byte header is incomplete");
  const std::uint32_t version = get_le32(header, 8);
  if (version != kFormatVersion)
    return fail(kStep, "package format version " + std::to_string(version) +
                           " is not supported; this cordon reads version " + std::to_string(kFormatVersion));
  if (get_le32(header, 12) != 0) return fail(kStep, "the header's reserved field is not zero (format v1 has none)");
  if (body_size > limits.max_package_bytes)
    return fail(kStep, "the package is " + bytes_text(body_size) + ", more than the limit of " +
                           bytes_text(limits.max_package_bytes));
  const std::uint64_t manifest_size = get_le64(header, 16);
  // Both checks before anyone allocates: the length is only a claim until the manifest is read.
  if (manifest_size > limits.max_manifest_bytes)
    return fail(kStep, "the manifest is " + bytes_text(manifest_size) + ", more than the limit of " +
                           bytes_text(limits.max_manifest_bytes));
  if (manifest_size > body_size - kHeaderSize)
    return fail(kStep, "the header gives a manifest of " + bytes_text(manifest_size) + " but only " +
                           bytes_text(body_size - kHeaderSize) + " follow the header");
  return manifest_size;
}

std::string encode_header(std::uint64_t manifest_size) {
  std::string out(kHeaderMagic);
  put_le32(out, kFormatVersion);
  put_le32(out, 0);
  put_le64(out, manifest_size);
  return out;
}

std::string encode_trailer(const Trailer& t) {
  std::string out(kTrailerMagic);
  out.append(reinterpret_cast<const char*>(t.public_key.data()), t.public_key.size());
  out.append(reinterpret_cast<const char*>(t.signature.data()), t.signature.size());
  put_le64(out, t.body_size);
  out.append(8, '\0');
  return out;
}

std::string path_problem(std::string_view path) {
  if (path.empty()) return "the path is empty";
  if (path.size() > kMaxPathBytes)
    return "the path is " + bytes_text(path.size()) + ", more than " + std::to_string(kMaxPathBytes);
  if (path.find('\0') != std::string_view::npos) return "the path contains a NUL byte";
  if (path.front() == '/') return "the path is absolute; paths in a package are relative to its root";
  if (path.back() == '/') return "the path ends with '/'";
  std::size_t depth = 0;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, slash - start);
    if (part.empty()) return "the path has an empty component ('//')";
    if (part == "." || part == "..")
      return "the path has a '" + std::string(part) + "' component; paths name entries inside the package";
    if (part.size() > kMaxComponentBytes)
      return "a path component is " + bytes_text(part.size()) + ", more than " + std::to_string(kMaxComponentBytes);
    if (++depth > kMaxDepth) return "the path is more than " + std::to_string(kMaxDepth) + " levels deep";
    start = slash + 1;
  }
  return "";
}

std::string_view type_name(EntryType type) {
  switch (type) {
    case EntryType::file: return "file";
    case EntryType::dir: return "dir";
    case EntryType::symlink: return "symlink";
  }
  return "file";
}

std::string manifest_json(const Manifest& m) {
  // nlohmann::json keeps an object's keys in a std::map: sorted, which is the canonical order
  // (and puts "count" before "files", as the reader requires).
  nlohmann::json files = nlohmann::json::array();
  for (const Entry& e : m.entries) {
    nlohmann::json j{{"path", e.path}, {"type", type_name(e.type)}};
    if (e.type != EntryType::symlink) j["mode"] = e.mode;
    if (e.type == EntryType::file) {
      j["size"] = e.size;
      j["sha256"] = e.sha256;
    }
    if (e.type == EntryType::symlink) j["target"] = e.target;
    files.push_back(std::move(j));
  }
  const nlohmann::json doc{{"format", kFormatVersion}, {"name", m.name}, {"version", m.version},
                           {"count", m.entries.size()}, {"files", std::move(files)}};
  return doc.dump();
}

}  // namespace cordon::package
