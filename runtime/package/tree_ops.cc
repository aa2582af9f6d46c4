#include "package/tree_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>
#include <vector>

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

// The names in an open folder, without . and .. (read through a duplicate, so `dir` stays usable).
Result<std::vector<std::string>> list(int dir, const std::string& shown) {
  const int copy = ::fcntl(dir, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return sys_fail("package", "open " + shown);
  DIR* d = ::fdopendir(copy);
  if (!d) {
    ::close(copy);
    return sys_fail("package", "list " + shown);
  }
  ::rewinddir(d);
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) {
    errno = err;
    return sys_fail("package", "list " + shown);
  }
  return names;
}

// Owner, mode and times of `st` onto the new entry `name` in `dir`. Owners only as root: a user's
// copy is theirs anyway.
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
    const off_t hole = ::lseek(from, data, SEEK_HOLE);
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

struct Copier {
  dev_t device = 0;
  CopyStats stats;

  Result<void> entry(int from_dir, int to_dir, const std::string& name, const std::string& shown, int depth) {
    struct stat st {};
    if (::fstatat(from_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return sys_fail("package", "stat " + shown);
    if (S_ISDIR(st.st_mode)) return folder(from_dir, to_dir, name, name, st, shown, depth + 1);
    if (S_ISREG(st.st_mode)) return file(from_dir, to_dir, name, st, shown);
    if (S_ISLNK(st.st_mode)) return link(from_dir, to_dir, name, st, shown);
    if (S_ISFIFO(st.st_mode)) {
      if (::mkfifoat(to_dir, name.c_str(), 0600) != 0) return sys_fail("package", "mkfifo " + shown);
      return copy_metadata(to_dir, name, st, false, shown);
    }
    ++stats.skipped;
    return {};
  }

  // `from_name` in `from_dir` to `to_name` in `to_dir` (the same name below the top).
  Result<void> folder(int from_dir, int to_dir, const std::string& from_name, const std::string& to_name,
                      const struct stat& st, const std::string& shown, int depth) {
    if (depth > kMaxDepth) return fail("package", "copy " + shown + ": more than 256 folders deep");
    if (st.st_dev != device) return fail("package", "copy " + shown + ": another filesystem is mounted there");
    UniqueFd from(open_dir_at(from_dir, from_name.c_str()));
    if (!from.valid()) return sys_fail("package", "open " + shown);
    if (::mkdirat(to_dir, to_name.c_str(), 0700) != 0) return sys_fail("package", "mkdir " + shown);
    UniqueFd to(open_dir_at(to_dir, to_name.c_str()));
    if (!to.valid()) return sys_fail("package", "open " + shown);
    CORDON_TRY(children(from.get(), to.get(), shown, depth));
    return copy_metadata(to_dir, to_name, st, false, shown);
  }

  Result<void> children(int from, int to, const std::string& shown, int depth) {
    auto names = list(from, shown);
    if (!names) return names.error();
    for (const std::string& child : *names) CORDON_TRY(entry(from, to, child, shown + "/" + child, depth));
    return {};
  }

  Result<void> file(int from_dir, int to_dir, const std::string& name, const struct stat& st, const std::string& shown) {
    UniqueFd from(::openat(from_dir, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!from.valid()) return sys_fail("package", "open " + shown);
    UniqueFd to(::openat(to_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!to.valid()) return sys_fail("package", "create " + shown);
    auto copied = copy_file_content(from.get(), to.get(), static_cast<std::uint64_t>(st.st_size), shown);
    if (!copied) return copied.error();
    ++stats.files;
    stats.bytes += *copied;
    return copy_metadata(to_dir, name, st, false, shown);
  }

  Result<void> link(int from_dir, int to_dir, const std::string& name, const struct stat& st, const std::string& shown) {
    std::string target(4096, '\0');
    const ssize_t n = ::readlinkat(from_dir, name.c_str(), target.data(), target.size());
    if (n < 0 || static_cast<std::size_t>(n) >= target.size()) return sys_fail("package", "readlink " + shown);
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

// Deletes everything inside `dir`; a read-only folder of ours is made writable first.
Result<void> empty_folder(int dir, const std::string& shown, int depth) {
  if (depth > kMaxDepth * 4) return fail("package", "remove " + shown + ": too deep");
  auto names = list(dir, shown);
  if (!names) return names.error();
  for (const std::string& name : *names) {
    const std::string child = shown + "/" + name;
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return sys_fail("package", "stat " + child);
    }
    if (S_ISDIR(st.st_mode)) {
      if ((st.st_mode & S_IWUSR) == 0) ::fchmodat(dir, name.c_str(), (st.st_mode & 07777) | S_IRWXU, 0);
      UniqueFd sub(open_dir_at(dir, name.c_str()));
      if (!sub.valid()) return sys_fail("package", "open " + child);
      CORDON_TRY(empty_folder(sub.get(), child, depth + 1));
      if (::unlinkat(dir, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) return sys_fail("package", "rmdir " + child);
    } else if (::unlinkat(dir, name.c_str(), 0) != 0 && errno != ENOENT) {
      return sys_fail("package", "rm " + child);
    }
  }
  return {};
}

Result<void> delete_now(const std::string& path) {
  const std::string parent = parent_of(path), name = base_of(path);
  UniqueFd parent_fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!parent_fd.valid()) return sys_fail("package", "open " + parent);
  struct stat st {};
  if (::fstatat(parent_fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? Result<void>{} : sys_fail("package", "stat " + path);
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent_fd.get(), name.c_str(), 0) != 0) return sys_fail("package", "rm " + path);
    return {};
  }
  if ((st.st_mode & S_IWUSR) == 0) ::fchmodat(parent_fd.get(), name.c_str(), (st.st_mode & 07777) | S_IRWXU, 0);
  UniqueFd dir(open_dir_at(parent_fd.get(), name.c_str()));
  if (!dir.valid()) return sys_fail("package", "open " + path);
  CORDON_TRY(empty_folder(dir.get(), path, 0));
  if (::unlinkat(parent_fd.get(), name.c_str(), AT_REMOVEDIR) != 0) return sys_fail("package", "rmdir " + path);
  return {};
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
  CORDON_TRY(copier.folder(from_parent.get(), to_parent.get(), base_of(from), base_of(to), st, to, 0));
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
  const std::string trash = parent_of(path) + "/" + hidden_name("trash", base_of(path));
  CORDON_TRY(rename_synced(path, trash));
  return delete_now(trash);
}

Result<void> remove_leftovers(const std::string& dir, const std::string& base) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return errno == ENOENT ? Result<void>{} : sys_fail("package", "open " + dir);
  auto names = list(fd.get(), dir);
  if (!names) return names.error();
  for (const std::string& name : *names) {
    const bool any = base == "*" && (name.rfind(".trash-", 0) == 0 || name.rfind(".new-", 0) == 0);
    if (any || name.rfind(".trash-" + base + ".", 0) == 0 || name.rfind(".new-" + base + ".", 0) == 0)
      CORDON_TRY(delete_now(dir + "/" + name));
  }
  return {};
}

}  // namespace cordon::package
