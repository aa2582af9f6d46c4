// open_package and read_entry (open.h). The order is the point: copy (so the bytes checked are the
// bytes used), trailer, signer, signature, and only then the manifest.
#include "package/open.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <limits>

#include "package/bytes.h"
#include "package/digest.h"
#include "package/io.h"
#include "package/signing.h"
#include "util/sha256.h"

namespace cordon::package {

namespace {

constexpr std::string_view kStep = "package";
constexpr std::size_t kChunk = std::size_t{256} * 1024;

// Everything copy_in learns while the bytes go by.
struct Copied {
  std::uint64_t size = 0;
  Digest whole{};     // of the file, for records
  Digest body{};      // of all but the last 128 bytes: what the signature covers
  std::string tail;   // the last 128 bytes (fewer if the file is shorter): the trailer
};

// Hashes the whole stream and, 128 bytes behind it, the body: where the body ends is known only
// when the stream does, so the last 128 bytes seen are held back until more arrive.
class StreamHashes {
 public:
  void add(std::string_view chunk) {
    whole_.update(chunk);
    const std::size_t total = tail_.size() + chunk.size();
    if (total <= kTrailerSize) {
      tail_.append(chunk);
      return;
    }
    std::size_t to_body = total - kTrailerSize;
    const std::size_t from_tail = std::min(to_body, tail_.size());
    body_.update(std::string_view(tail_).substr(0, from_tail));
    to_body -= from_tail;
    body_.update(chunk.substr(0, to_body));
    tail_.erase(0, from_tail);
    tail_.append(chunk.substr(to_body));
  }
  void finish(Copied& out) {
    out.whole = whole_.finish();
    out.body = body_.finish();
    out.tail = std::move(tail_);
  }

 private:
  Sha256 whole_, body_;
  std::string tail_;
};

// The first bytes decide early whether this is a package at all, so that a wrong file (an ISO
// image passed by mistake) is refused after one read, not after being copied whole.
bool starts_like_a_package(std::string_view first_bytes) {
  const std::size_t n = std::min(first_bytes.size(), kHeaderMagic.size());
  return first_bytes.substr(0, n) == kHeaderMagic.substr(0, n);
}

Result<Copied> copy_in(int in, int copy, const std::string& shown, const Limits& limits) {
  const std::uint64_t max_file = limits.max_package_bytes > std::numeric_limits<std::uint64_t>::max() - kTrailerSize
                                     ? std::numeric_limits<std::uint64_t>::max()
                                     : limits.max_package_bytes + kTrailerSize;
  const std::string copy_shown = "the private copy of " + shown;
  StreamHashes hashes;
  Copied out;
  std::string buf(kChunk, '\0');
  for (;;) {
    auto got = read_some(in, buf.data(), buf.size(), shown);
    if (!got) return got.error();
    if (*got == 0) break;
    const std::string_view chunk(buf.data(), *got);
    if (out.size < kHeaderMagic.size() && !starts_like_a_package(chunk.substr(0, kHeaderMagic.size() - out.size)))
      return fail(kStep, shown + ": " + std::string(kNotAPackage));
    out.size += *got;
    if (out.size > max_file)
      return fail(kStep, shown + ": larger than the limit of " + std::to_string(max_file) +
                             " bytes for a package; the rest was not read");
    hashes.add(chunk);
    CORDON_TRY(write_all(copy, chunk, copy_shown));
  }
  hashes.finish(out);
  return out;
}

// `trusted` null: whoever signed it (open_package_any_signer).
Result<PublicKey> find_signer(const Trailer& t, const std::vector<PublicKey>* trusted, const std::string& shown) {
  if (!trusted) return public_key_from_raw(t.public_key);
  for (const PublicKey& k : *trusted)
    if (k.raw == t.public_key) return k;
  const PublicKey signer = public_key_from_raw(t.public_key);
  return fail(kStep, shown + ": signed by key " + short_id(signer.id) + " (full id " + signer.id +
                         "), which is not among the trusted keys");
}

// The manifest and where the payload starts (right after it).
Result<std::pair<Manifest, std::uint64_t>> read_manifest(int copy, std::uint64_t body_size, const Limits& limits,
                                                         const std::string& shown) {
  const std::string copy_shown = "the private copy of " + shown;
  std::string bytes(kHeaderSize, '\0');
  CORDON_TRY(pread_exact(copy, bytes.data(), kHeaderSize, 0, copy_shown));
  auto manifest_size = parse_header(bytes, body_size, limits);
  if (!manifest_size) return about(shown, manifest_size.error());
  bytes.resize(kHeaderSize + *manifest_size);  // bounded by limits.max_manifest_bytes just above
  CORDON_TRY(pread_exact(copy, bytes.data() + kHeaderSize, *manifest_size, kHeaderSize, copy_shown));
  auto manifest = parse_manifest(bytes, body_size, limits);
  if (!manifest) return about(shown, manifest.error());
  return std::make_pair(std::move(*manifest), kHeaderSize + *manifest_size);
}


Result<OpenedPackage> open_checked(const std::string& path, const std::vector<PublicKey>* trusted,
                                   const std::string& scratch_dir, const Limits& limits, const std::string& shown) {
  OpenedPackage p;
  p.display = !shown.empty() ? shown : path == "-" ? "standard input" : path;
  UniqueFd file;
  if (path != "-") {
    file.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!file.valid()) return sys_fail(kStep, "open " + path);
  }
  // O_EXCL: the copy can never be given a name (linkat), so it stays ours alone until we close it.
  p.copy.reset(::open(scratch_dir.c_str(), O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600));
  if (!p.copy.valid()) return sys_fail(kStep, "open " + scratch_dir + " O_TMPFILE (a private copy of " + p.display + ")");

  auto copied = copy_in(file.valid() ? file.get() : STDIN_FILENO, p.copy.get(), p.display, limits);
  if (!copied) return copied.error();
  file.reset();
  auto trailer = parse_trailer(copied->tail, copied->size);
  if (!trailer) return about(p.display, trailer.error());
  auto signer = find_signer(*trailer, trusted, p.display);
  if (!signer) return signer.error();
  if (!verify_signature(trailer->public_key, signed_message(trailer->body_size, copied->body), trailer->signature))
    return fail(kStep, p.display + ": the signature does not match the contents: the package was changed after it was signed");

  p.body_size = trailer->body_size;
  p.key = std::move(*signer);
  p.sha256 = to_hex(copied->whole);
  auto manifest = read_manifest(p.copy.get(), p.body_size, limits, p.display);
  if (!manifest) return manifest.error();
  p.manifest = std::move(manifest->first);
  p.payload_offset = manifest->second;
  return p;
}

}  // namespace

Result<OpenedPackage> open_package(const std::string& path, const std::vector<PublicKey>& trusted,
                                   const std::string& scratch_dir, const Limits& limits, const std::string& shown) {
  return open_checked(path, &trusted, scratch_dir, limits, shown);
}

Result<OpenedPackage> open_package_any_signer(const std::string& path, const std::string& scratch_dir,
                                              const Limits& limits) {
  return open_checked(path, nullptr, scratch_dir, limits, "");
}

Result<std::string> read_entry(const OpenedPackage& p, const std::string& path, std::size_t max_bytes) {
  const auto& entries = p.manifest.entries;
  const auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.path == path; });
  if (it == entries.end()) return fail(kStep, p.display + ": has no entry \"" + path + "\"");
  if (it->type != EntryType::file)
    return fail(kStep, p.display + ": \"" + path + "\" is a " + std::string(type_name(it->type)) + ", not a file");
  if (it->size > max_bytes)
    return fail(kStep, p.display + ": \"" + path + "\" is " + std::to_string(it->size) + " bytes, more than the " +
                           std::to_string(max_bytes) + " allowed here");
  std::string content(static_cast<std::size_t>(it->size), '\0');
  CORDON_TRY(pread_exact(p.copy.get(), content.data(), content.size(), p.payload_offset + it->offset,
                         "the private copy of " + p.display));
  if (sha256_hex(content) != it->sha256)
    return fail(kStep, p.display + ": \"" + path + "\": its content does not match its sha256 in the manifest "
                                   "(the package was built wrong)");
  return content;
}

}  // namespace cordon::package
