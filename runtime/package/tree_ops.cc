#include "package/tree_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "package/io.h"
#include "util/unique_fd.h"

namespace cordon::package {

namespace {

constexpr int kMaxDepth = 256;

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

UniqueFd open_dir_at(int at, const char* name) {
  return UniqueFd(::openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
}

// Owner, mode and times of `st` onto the new entry `name` in `dir` (a folder of the copy, which
// only cordon writes: no app can swap its entries). Owners only as root: a user's copy is theirs.
Result<void> copy_metadata(int dir, const std::string& name, const struct stat& st, bool is_link, const std::string& shown) {
  const int flags = AT_SYMLINK_NOFOLLOW;
  if (::geteuid() == 0 && ::fchownat(dir, name.c_str(), st.st_uid, st.st_gid, flags) != 0)
    return sys_fail("package", "chown " + shown);
  if (!is_link && ::fchmodat(dir, name.c_str(), st.st_mode & 07777, 0) != 0) return sys_fail("package", "chmod " + shown);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(dir, name.c_str(), times, flags) != 0) return sys_fail("package", "touch " + shown);
  return {};
}

// Only the file's data segments are copied, its holes stay holes: an app's sparse file of a
// terabyte that uses no disk must not fill the disk when root snapshots it.
Result<std::uint64_t> copy_file_content(int from, int to, std::uint64_t size, const std::string& shown) {
  if (::ioctl(to, FICLONE, from) == 0) return size;
  std::uint64_t done = 0;
  off_t at = 0;
  const off_t end = static_cast<off_t>(size);
  while (at < end) {
    const off_t data = ::lseek(from, at, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // only a hole is left
    if (data < 0) return sys_fail("package", "seek " + shown);
    const off_t hole = std::min<off_t>(::lseek(from, data, SEEK_HOLE), end);
    if (hole < 0) return sys_fail("package", "seek " + shown);
    loff_t in = data, out = data;
    while (in < hole) {
      const ssize_t n = ::copy_file_range(from, &in, to, &out, static_cast<std::size_t>(hole - in), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_fail("package", "copy " + shown);
      if (n == 0) break;  // the file shrank meanwhile
      done += static_cast<std::uint64_t>(n);
    }
    at = hole;
  }
  if (::ftruncate(to, end) != 0) return sys_fail("package", "truncate " + shown);
  return done;
}

// The copy is the app's data as cordon can read it: what the app made unreadable, or too deep, or
// changed under the copy, is left out with a note, so that an app cannot refuse its own refresh
// (a security update) by shaping its data. Only a failure to write the copy fails it (a full disk).
struct Copier {
  dev_t device = 0;
  int to_root = -1;  // the copy's top folder, for hard links
  CopyStats stats;
  std::map<std::pair<dev_t, ino_t>, std::string> linked;  // inode of a multiply-linked file -> its first copy

  // A skipped entry is not a failure of the copy: it is counted and noted, and the copy goes on.
  Result<void> skip(const std::string& shown, const std::string& why) {
    ++stats.skipped;
    if (stats.notes.size() < 20) stats.notes.push_back(shown + ": " + why);
    return {};
  }

  Result<void> skip_errno(const std::string& shown, const std::string& op) {
    return skip(shown, op + ": " + std::strerror(errno));
  }

  Result<void> entry(int from_dir, int to_dir, const std::string& name, const std::string& rel, const std::string& shown,
                     int depth) {
    struct stat st {};
    if (::fstatat(from_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return skip_errno(shown, "stat");
    if (S_ISDIR(st.st_mode)) return folder(from_dir, to_dir, name, name, rel, st, shown, depth + 1);
    if (S_ISREG(st.st_mode)) return file(from_dir, to_dir, name, rel, st, shown);
    if (S_ISLNK(st.st_mode)) return link(from_dir, to_dir, name, st, shown);
    if (S_ISFIFO(st.st_mode)) {
      if (::mkfifoat(to_dir, name.c_str(), 0600) != 0) return sys_fail("package", "mkfifo " + shown);
      return copy_metadata(to_dir, name, st, false, shown);
    }
    (void)skip(shown, "a socket or device node: not data");
    return {};
  }

  // `from_name` in `from_dir` to `to_name` in `to_dir` (the same name below the top).
  Result<void> folder(int from_dir, int to_dir, const std::string& from_name, const std::string& to_name,
                      const std::string& rel, const struct stat& st, const std::string& shown, int depth) {
    if (depth > kMaxDepth) return skip(shown, "more than 256 folders deep");
    if (st.st_dev != device) return skip(shown, "another filesystem is mounted there");
    UniqueFd from(open_dir_at(from_dir, from_name.c_str()));
    if (!from.valid() && depth == 1) return sys_fail("package", "open " + shown);
    if (!from.valid()) return skip_errno(shown, "open");
    if (::mkdirat(to_dir, to_name.c_str(), 0700) != 0) return sys_fail("package", "mkdir " + shown);
    UniqueFd to(open_dir_at(to_dir, to_name.c_str()));
    if (!to.valid()) return sys_fail("package", "open the copy of " + shown);
    if (depth == 1) to_root = to.get();
    auto names = names_in(from.get(), shown);
    if (!names) (void)skip_errno(shown, "list");
    else
      for (const std::string& child : *names)
        CORDON_TRY(entry(from.get(), to.get(), child, rel.empty() ? child : rel + "/" + child, shown + "/" + child, depth));
    CORDON_TRY(copy_metadata(to_dir, to_name, st, false, shown));
    if (depth == 1) to_root = -1;
    return {};
  }

  Result<void> file(int from_dir, int to_dir, const std::string& name, const std::string& rel, const struct stat& seen,
                    const std::string& shown) {
    UniqueFd from(::openat(from_dir, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    if (!from.valid()) return skip_errno(shown, "open");
    struct stat st {};  // what was opened: the app may have swapped the name since it was seen
    if (::fstat(from.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_ino != seen.st_ino || st.st_dev != seen.st_dev)
      return skip(shown, "changed while it was copied");
    // A file linked many times is copied once and linked again: 65,000 links to one file must not
    // become 65,000 copies.
    const auto inode = std::make_pair(st.st_dev, st.st_ino);
    if (st.st_nlink > 1) {
      if (const auto first = linked.find(inode); first != linked.end()) {
        if (::linkat(to_root, first->second.c_str(), to_dir, name.c_str(), 0) != 0) (void)skip_errno(shown, "link");
        return {};
      }
      linked.emplace(inode, rel);
    }
    UniqueFd to(::openat(to_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!to.valid()) return sys_fail("package", "create the copy of " + shown);
    auto copied = copy_file_content(from.get(), to.get(), static_cast<std::uint64_t>(st.st_size), shown);
    if (!copied) return copied.error();
    ++stats.files;
    stats.bytes += *copied;
    return copy_metadata(to_dir, name, st, false, shown);
  }

  Result<void> link(int from_dir, int to_dir, const std::string& name, const struct stat& st, const std::string& shown) {
    std::string target(4096, '\0');
    const ssize_t n = ::readlinkat(from_dir, name.c_str(), target.data(), target.size());
    if (n < 0 || static_cast<std::size_t>(n) >= target.size()) return skip_errno(shown, "readlink");
    target.resize(static_cast<std::size_t>(n));
    if (::symlinkat(target.c_str(), to_dir, name.c_str()) != 0) return sys_fail("package", "ln -s " + shown);
    return copy_metadata(to_dir, name, st, true, shown);
  }
};

}  // namespace

std::string hidden_name(const std::string& kind, const std::string& base) {
  std::random_device rd;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%08x%08x", rd(), rd());
  return "." + kind + "-" + base + "." + suffix;  // '.' is in no app name: NAME's leftovers are told from NAME-x's
}

namespace {

Result<void> sync_path(const std::string& path) {
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid() || ::fsync(dir.get()) != 0) return sys_fail("package", "sync " + path);
  return {};
}

// Deleting a folder that an app may still be changing (its data, mounted in a sandbox that runs
// on): every step acts on what was opened, never on a name that could have become a link since:
// entries go with unlinkat (which never follows), a folder cordon cannot enter or write (a user's
// own 0500 folder) is opened with O_PATH and chmod'ed through that descriptor, and no more than
// kDeleteDepth descriptors are held: a deeper folder is moved up to the top of the trash and
// taken on a later pass. A bound on the work keeps an app that creates files as fast as they go
// from holding cordon forever; what is left stays hidden for the next cleanup.
constexpr int kDeleteDepth = 32;
constexpr std::uint64_t kDeleteBudget = 10'000'000;  // entries per call

struct Deleter {
  int root = -1;
  std::uint64_t budget = kDeleteBudget;

  // The folder `name` in `dir`, opened for reading and writing its entries, or invalid.
  UniqueFd open_writable(int dir, const std::string& name) {
    UniqueFd sub(open_dir_at(dir, name.c_str()));
    if (sub.valid() || errno != EACCES) return sub;
    // Only a folder of the caller's own gets here (root reads any): chmod what O_PATH opened.
    UniqueFd path(::openat(dir, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!path.valid()) return path;
    const std::string self = "/proc/self/fd/" + std::to_string(path.get());
    if (::chmod(self.c_str(), 0700) != 0) return UniqueFd();
    return UniqueFd(::open(self.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }

  // Makes the open folder writable by its owner when the caller is that owner and not root.
  static void allow_writes(int fd) {
    struct stat st {};
    if (::geteuid() != 0 && ::fstat(fd, &st) == 0 && (st.st_mode & S_IWUSR) == 0) ::fchmod(fd, (st.st_mode & 07777) | S_IRWXU);
  }

  // Empties the open folder `dir`; true when it is empty now.
  bool empty(int dir, int depth) {
    allow_writes(dir);
    auto names = names_in(dir, "");
    if (!names) return false;
    bool emptied = true;
    for (const std::string& name : *names) {
      if (budget == 0) return false;
      --budget;
      if (::unlinkat(dir, name.c_str(), 0) == 0) continue;  // anything but a folder
      if (errno == ENOENT) continue;
      if (errno != EISDIR && errno != EPERM) {
        emptied = false;
        continue;
      }
      if (depth >= kDeleteDepth) {  // up to the top, for a later pass: no deeper descriptors
        if (::renameat(dir, name.c_str(), root, hidden_name("deep", "d").c_str()) != 0) emptied = false;
        continue;
      }
      UniqueFd sub = open_writable(dir, name);
      if (!sub.valid() || !empty(sub.get(), depth + 1) || ::unlinkat(dir, name.c_str(), AT_REMOVEDIR) != 0)
        emptied = errno == ENOENT && emptied;
    }
    return emptied;
  }
};

// Deletes the folder (or file) at `path`, whose name is cordon's own hidden one. Best effort: see
// Deleter; false when something was left.
bool delete_now(const std::string& path) {
  UniqueFd parent(::open(parent_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!parent.valid()) return false;
  const std::string name = base_of(path);
  if (::unlinkat(parent.get(), name.c_str(), 0) == 0 || errno == ENOENT) return true;
  Deleter deleter;
  UniqueFd dir = deleter.open_writable(parent.get(), name);
  if (!dir.valid()) return false;
  deleter.root = dir.get();
  // A pass may move deeper folders up into the top: done when the top itself can go.
  for (int pass = 0; pass < 200 && deleter.budget > 0; ++pass)
    if (deleter.empty(dir.get(), 0) && ::unlinkat(parent.get(), name.c_str(), AT_REMOVEDIR) == 0) return true;
  return false;
}

}  // namespace

Result<CopyStats> copy_tree(const std::string& from, const std::string& to) {
  struct stat st {};
  if (::lstat(from.c_str(), &st) != 0) return sys_fail("package", "stat " + from);
  if (!S_ISDIR(st.st_mode)) return fail("package", "copy " + from + ": not a folder");
  UniqueFd from_parent(::open(parent_of(from).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  UniqueFd to_parent(::open(parent_of(to).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!from_parent.valid()) return sys_fail("package", "open " + parent_of(from));
  if (!to_parent.valid()) return sys_fail("package", "open " + parent_of(to));
  Copier copier;
  copier.device = st.st_dev;
  CORDON_TRY(copier.folder(from_parent.get(), to_parent.get(), base_of(from), base_of(to), "", st, from, 1));
  if (::syncfs(to_parent.get()) != 0) return sys_fail("package", "sync " + to);
  return copier.stats;
}

Result<void> exchange(const std::string& a, const std::string& b) {
  if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0)
    return sys_fail("package", "exchange " + a + " " + b);
  CORDON_TRY(sync_path(parent_of(a)));
  if (parent_of(a) != parent_of(b)) CORDON_TRY(sync_path(parent_of(b)));
  return {};
}

Result<void> rename_synced(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return sys_fail("package", "mv " + from + " " + to);
  CORDON_TRY(sync_path(parent_of(to)));
  if (parent_of(from) != parent_of(to)) CORDON_TRY(sync_path(parent_of(from)));
  return {};
}

Result<void> remove_tree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT ? Result<void>{} : sys_fail("package", "stat " + path);
  // A hidden leftover keeps its own name: renaming it again would hide it from remove_leftovers.
  const std::string base = base_of(path);
  const std::string trash = base[0] == '.' ? path : parent_of(path) + "/" + hidden_name("trash", base);
  if (trash != path) CORDON_TRY(rename_synced(path, trash));
  (void)delete_now(trash);  // what is left is hidden, and goes at the next cleanup
  return {};
}

Result<void> remove_leftovers(const std::string& dir, const std::string& base) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return errno == ENOENT ? Result<void>{} : sys_fail("package", "open " + dir);
  auto names = names_in(fd.get(), dir);
  if (!names) return names.error();
  for (const std::string& name : *names) {
    const bool any = base == "*" && (name.rfind(".trash-", 0) == 0 || name.rfind(".new-", 0) == 0);
    if (any || name.rfind(".trash-" + base + ".", 0) == 0 || name.rfind(".new-" + base + ".", 0) == 0)
      (void)delete_now(dir + "/" + name);  // best effort: a leftover that stays is hidden, and tried again
  }
  return {};
}

}  // namespace cordon::package
