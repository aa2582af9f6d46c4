// pack (pack.h): walk, manifest, then the body streamed into an unnamed file while it is hashed,
// the trailer, and a name only for a complete package.
#include "package/pack.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "package/digest.h"
#include "package/io.h"
#include "package/signing.h"
#include "util/openat2.h"
#include "util/strings.h"
#include "util/unique_fd.h"

namespace cordon::package {

namespace {

constexpr std::string_view kStep = "package";
constexpr std::size_t kChunk = std::size_t{256} * 1024;

// What the walk gathers, and the bounds it keeps while it does.
struct Walk {
  const PackInput& in;
  std::string root;  // `dir` without trailing slashes, for messages
  std::vector<Entry> entries;
  std::uint64_t payload = 0;
};

std::string kind_of(mode_t mode) {
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a file, folder or symbolic link";
}

Result<void> check_label(const std::string& what, const std::string& value) {
  if (value.empty()) return fail(kStep, "the package " + what + " is empty");
  if (value.size() > kMaxLabelBytes)
    return fail(kStep, "the package " + what + " \"" + value + "\" is longer than " + std::to_string(kMaxLabelBytes) + " bytes");
  if (valid_utf8(value) != value) return fail(kStep, "the package " + what + " is not valid UTF-8");
  return {};
}

// The size and SHA-256 of what `fd` holds from its current position on; at most `max` bytes.
Result<std::pair<std::uint64_t, std::string>> hash_file(int fd, const std::string& shown, std::uint64_t max) {
  Sha256 hash;
  std::uint64_t size = 0;
  std::string buf(kChunk, '\0');
  for (;;) {
    auto got = read_some(fd, buf.data(), buf.size(), shown);
    if (!got) return got.error();
    if (*got == 0) break;
    size += *got;
    if (size > max) return fail(kStep, shown + ": the package would be larger than its limit of " + std::to_string(max) + " bytes");
    hash.update(std::string_view(buf.data(), *got));
  }
  return std::make_pair(size, to_hex(hash.finish()));
}

Result<void> add_file(Walk& w, int dir_fd, const std::string& name, Entry& e, const std::string& shown) {
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return sys_fail(kStep, "open " + shown);
  auto sized = hash_file(fd.get(), shown, w.in.limits.max_package_bytes - std::min(w.payload, w.in.limits.max_package_bytes));
  if (!sized) return sized.error();
  e.size = sized->first;
  e.sha256 = std::move(sized->second);
  w.payload += e.size;
  return {};
}

Result<void> add_symlink(int dir_fd, const std::string& name, Entry& e, const std::string& shown) {
  std::string target(kMaxTargetBytes + 1, '\0');
  const ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
  if (n < 0) return sys_fail(kStep, "readlink " + shown);
  if (static_cast<std::size_t>(n) > kMaxTargetBytes)
    return fail(kStep, shown + ": the symbolic link's target is longer than " + std::to_string(kMaxTargetBytes) + " bytes");
  target.resize(static_cast<std::size_t>(n));
  if (target.empty()) return fail(kStep, shown + ": the symbolic link's target is empty");
  if (valid_utf8(target) != target) return fail(kStep, shown + ": the symbolic link's target is not valid UTF-8");
  e.target = std::move(target);
  return {};
}

Result<void> walk_dir(Walk& w, int dir_fd, const std::string& prefix);

Result<void> add_entry(Walk& w, int dir_fd, const std::string& name, const std::string& rel) {
  const std::string shown = w.root + "/" + rel;
  if (std::string why = path_problem(rel); !why.empty()) return fail(kStep, shown + ": " + why);
  if (valid_utf8(rel) != rel) return fail(kStep, shown + ": the name is not valid UTF-8, which a manifest needs");
  if (w.entries.size() >= w.in.limits.max_files)
    return fail(kStep, w.root + ": more than " + std::to_string(w.in.limits.max_files) + " entries, the limit of a package");
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return sys_fail(kStep, "stat " + shown);
  Entry e;
  e.path = rel;
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
    return fail(kStep, shown + ": " + kind_of(st.st_mode) + "; a package holds only files, folders and symbolic links");
  if (!S_ISLNK(st.st_mode) && (st.st_mode & 07000) != 0)
    return fail(kStep, shown + ": has the setuid, setgid or sticky bit; a package carries permission bits (0777) only");
  if (S_ISLNK(st.st_mode)) {
    e.type = EntryType::symlink;
    CORDON_TRY(add_symlink(dir_fd, name, e, shown));
  } else {
    e.type = S_ISDIR(st.st_mode) ? EntryType::dir : EntryType::file;
    e.mode = static_cast<std::uint32_t>(st.st_mode & 0777);
    if (e.type == EntryType::file) CORDON_TRY(add_file(w, dir_fd, name, e, shown));
  }
  w.entries.push_back(e);
  if (e.type != EntryType::dir) return {};
  UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!sub.valid()) return sys_fail(kStep, "open " + shown);
  return walk_dir(w, sub.get(), rel);
}

Result<void> walk_dir(Walk& w, int dir_fd, const std::string& prefix) {
  auto names = names_in(dir_fd, prefix.empty() ? w.root : w.root + "/" + prefix);
  if (!names) return names.error();
  for (const std::string& name : *names)
    CORDON_TRY(add_entry(w, dir_fd, name, prefix.empty() ? name : prefix + "/" + name));
  return {};
}

// The content of each file entry, read again beneath the root without following a link, and
// checked against what the manifest already says: a file changed meanwhile fails the package.
Result<void> write_payload(const Walk& w, int root_fd, int out, Sha256& body, const std::string& out_shown) {
  std::string buf(kChunk, '\0');
  std::uint64_t written = 0;
  for (const Entry& e : w.entries) {
    if (e.type != EntryType::file) continue;
    const std::string shown = w.root + "/" + e.path;
    UniqueFd fd(open_resolved(root_fd, e.path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
                              RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS));
    if (!fd.valid()) return sys_fail(kStep, "open " + shown);
    Sha256 hash;
    std::uint64_t size = 0;
    for (;;) {
      auto got = read_some(fd.get(), buf.data(), buf.size(), shown);
      if (!got) return got.error();
      if (*got == 0 || size + *got > e.size) {
        size += *got;
        break;
      }
      const std::string_view chunk(buf.data(), *got);
      hash.update(chunk);
      body.update(chunk);
      CORDON_TRY(write_all(out, chunk, out_shown));
      size += *got;
      written += *got;
      if (w.in.progress) w.in.progress(written, w.payload);
    }
    if (size != e.size || to_hex(hash.finish()) != e.sha256)
      return fail(kStep, shown + ": changed while it was being packed; pack again");
  }
  return {};
}

Result<void> link_into_place(int fd, const std::string& out_path) {
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  // linkat never replaces a name, so a file that appeared meanwhile is refused, not overwritten.
  int rc = ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, out_path.c_str(), AT_SYMLINK_FOLLOW);
  if (rc != 0 && errno == ENOENT && ::access("/proc/self/fd", F_OK) != 0)
    rc = ::linkat(fd, "", AT_FDCWD, out_path.c_str(), AT_EMPTY_PATH);  // no /proc: needs CAP_DAC_READ_SEARCH
  if (rc != 0 && errno == EEXIST) return fail(kStep, out_path + ": exists; remove it or choose another -o");
  if (rc != 0) return sys_fail(kStep, "ln " + proc + " " + out_path);
  return {};
}

std::string folder_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Result<Walk> walk(const PackInput& in, int root_fd) {
  Walk w{in, in.dir, {}, 0};
  while (w.root.size() > 1 && w.root.back() == '/') w.root.pop_back();
  CORDON_TRY(walk_dir(w, root_fd, ""));
  // std::string compares bytes as unsigned char: bytewise order, and a prefix (a parent) first.
  std::sort(w.entries.begin(), w.entries.end(), [](const Entry& a, const Entry& b) { return a.path < b.path; });
  const bool has_policy = std::any_of(w.entries.begin(), w.entries.end(), [](const Entry& e) {
    return e.path == kPolicyFile && e.type == EntryType::file;
  });
  if (!has_policy) return fail(kStep, w.root + ": has no regular file policy.yaml; every package has one");
  std::uint64_t offset = 0;
  for (Entry& e : w.entries)
    if (e.type == EntryType::file) e.offset = std::exchange(offset, offset + e.size);
  return w;
}

}  // namespace

Result<PackResult> pack(const PackInput& in) {
  CORDON_TRY(check_label("name", in.name));
  CORDON_TRY(check_label("version", in.version));
  struct stat st {};
  if (::lstat(in.out_path.c_str(), &st) == 0) return fail(kStep, in.out_path + ": exists; remove it or choose another -o");
  auto key = PrivateKey::load(in.key_pem);
  if (!key) return key.error();
  UniqueFd root(::open(in.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return sys_fail(kStep, "open " + in.dir);
  auto w = walk(in, root.get());
  if (!w) return w.error();

  const std::string manifest = manifest_json(Manifest{in.name, in.version, w->entries});
  if (manifest.size() > in.limits.max_manifest_bytes)
    return fail(kStep, w->root + ": the manifest would be " + std::to_string(manifest.size()) + " bytes, more than the limit of " +
                           std::to_string(in.limits.max_manifest_bytes));
  const std::uint64_t body_size = kHeaderSize + manifest.size() + w->payload;
  if (body_size > in.limits.max_package_bytes)
    return fail(kStep, w->root + ": the package would be " + std::to_string(body_size) + " bytes, more than the limit of " +
                           std::to_string(in.limits.max_package_bytes));

  const std::string folder = folder_of(in.out_path);
  UniqueFd out(::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644));
  if (!out.valid()) return sys_fail(kStep, "open " + folder + " O_TMPFILE (the package before it is complete)");
  const std::string out_shown = in.out_path + " (being written)";
  Sha256 body;
  const std::string head = encode_header(manifest.size()) + manifest;
  body.update(head);
  CORDON_TRY(write_all(out.get(), head, out_shown));
  CORDON_TRY(write_payload(*w, root.get(), out.get(), body, out_shown));
  auto sig = key->sign(signed_message(body_size, body.finish()));
  if (!sig) return sig.error();
  const PublicKey pub = key->public_key();
  CORDON_TRY(write_all(out.get(), encode_trailer(Trailer{pub.raw, *sig, body_size}), out_shown));
  if (::fsync(out.get()) != 0) return sys_fail(kStep, "fsync " + out_shown);
  CORDON_TRY(link_into_place(out.get(), in.out_path));
  UniqueFd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || ::fsync(dir.get()) != 0) return sys_fail(kStep, "fsync " + folder);  // the new name on disk
  return PackResult{pub.id, w->entries.size(), body_size + kTrailerSize};
}

}  // namespace cordon::package
