// unpack (unpack.h): entries in manifest order (every parent before its children), then the
// folders read-only in reverse order (every child before its parent, so each chmod comes after
// the last write beneath it, and our own search permission lasts as long as we need it).
#include "package/unpack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "package/digest.h"
#include "package/io.h"
#include "util/openat2.h"

namespace cordon::package {

namespace {

constexpr std::string_view kStep = "package";
constexpr std::size_t kChunk = std::size_t{256} * 1024;
// A path inside the tree resolves only inside it and only through real folders: a symlink the
// package itself made (or anything racing us in the folder) can never redirect a write.
constexpr std::uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

struct Place {
  UniqueFd owned;  // the parent folder, unless it is the destination itself
  int parent = -1;
  std::string leaf;
  std::string shown;  // DEST/path, for errors
};

Result<Place> place_of(int dest, const std::string& dest_display, const std::string& path) {
  Place p;
  p.shown = dest_display + "/" + path;
  const std::size_t slash = path.rfind('/');
  p.leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  p.parent = dest;
  if (slash == std::string::npos) return p;
  const std::string dir = path.substr(0, slash);
  p.owned.reset(open_resolved(dest, dir.c_str(), O_PATH | O_DIRECTORY, kBeneath));
  if (!p.owned.valid()) return sys_fail(kStep, "open " + dest_display + "/" + dir + " (beneath " + dest_display + ")");
  p.parent = p.owned.get();
  return p;
}

// Dropping every write bit is what keeps an installed app from being changed through its own files.
mode_t read_only_mode(std::uint32_t mode) { return (mode & 0111) != 0 ? 0555 : 0444; }

Result<void> write_file(const OpenedPackage& pkg, const Entry& e, const Place& at) {
  UniqueFd out(::openat(at.parent, at.leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out.valid()) return sys_fail(kStep, "create " + at.shown);
  Sha256 hash;
  std::string buf(static_cast<std::size_t>(std::min<std::uint64_t>(e.size, kChunk)), '\0');
  for (std::uint64_t done = 0; done < e.size;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(e.size - done, buf.size()));
    CORDON_TRY(pread_exact(pkg.copy.get(), buf.data(), n, pkg.payload_offset + e.offset + done,
                           "the private copy of " + pkg.display));
    const std::string_view chunk(buf.data(), n);
    hash.update(chunk);
    CORDON_TRY(write_all(out.get(), chunk, at.shown));
    done += n;
  }
  if (to_hex(hash.finish()) != e.sha256)
    return fail(kStep, pkg.display + ": " + e.path + ": its content does not match its sha256 in the manifest "
                                     "(the package was built wrong)");
  if (::fchmod(out.get(), read_only_mode(e.mode)) != 0) return sys_fail(kStep, "chmod a-w " + at.shown);
  if (::fsync(out.get()) != 0) return sys_fail(kStep, "fsync " + at.shown);
  return {};
}

Result<void> create_entry(const OpenedPackage& pkg, const Entry& e, int dest, const std::string& dest_display) {
  auto at = place_of(dest, dest_display, e.path);
  if (!at) return at.error();
  switch (e.type) {
    case EntryType::file: return write_file(pkg, e, *at);
    case EntryType::dir:  // writable by us until the final pass; nobody else's meanwhile
      if (::mkdirat(at->parent, at->leaf.c_str(), 0700) != 0) return sys_fail(kStep, "mkdir " + at->shown);
      return {};
    case EntryType::symlink:
      if (::symlinkat(e.target.c_str(), at->parent, at->leaf.c_str()) != 0)
        return sys_fail(kStep, "ln -s " + e.target + " " + at->shown);
      return {};
  }
  return {};
}

// Read-only and on disk: a folder's chmod and fsync after everything in it is written.
Result<void> seal_dir(int dest, const std::string& path, const std::string& shown) {
  UniqueFd fd(open_resolved(dest, path.c_str(), O_RDONLY | O_DIRECTORY, kBeneath));
  if (!fd.valid()) return sys_fail(kStep, "open " + shown);
  if (!path.empty() && path != "." && ::fchmod(fd.get(), 0555) != 0) return sys_fail(kStep, "chmod 555 " + shown);
  if (::fsync(fd.get()) != 0) return sys_fail(kStep, "fsync " + shown);
  return {};
}

}  // namespace

Result<void> unpack(const OpenedPackage& pkg, int dest_dir_fd, const std::string& dest_display) {
  const auto& entries = pkg.manifest.entries;
  for (const Entry& e : entries) CORDON_TRY(create_entry(pkg, e, dest_dir_fd, dest_display));
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->type == EntryType::dir) CORDON_TRY(seal_dir(dest_dir_fd, it->path, dest_display + "/" + it->path));
  return seal_dir(dest_dir_fd, ".", dest_display);  // its new names on disk; its mode is the caller's
}

}  // namespace cordon::package
