#include "cache/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "util/unique_fd.h"

namespace cordon::cache {

namespace {
constexpr std::size_t kMaxFile = 1 << 20;
}

bool trusted_chain(const std::string& dir, uid_t uid) {
  std::string path = dir;
  while (!path.empty()) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    if (st.st_uid != uid && st.st_uid != 0) return false;
    if ((st.st_mode & 022) != 0) return false;
    const std::size_t slash = path.rfind('/');
    path = slash == 0 ? (path == "/" ? "" : "/") : path.substr(0, slash);
  }
  return true;
}

namespace {

// The open file and its size, if it is one read_private may trust.
std::optional<std::pair<UniqueFd, std::size_t>> open_private(const std::string& path, uid_t uid) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0 ||
      static_cast<std::size_t>(st.st_size) > kMaxFile)
    return std::nullopt;
  return std::make_pair(std::move(fd), static_cast<std::size_t>(st.st_size));
}

bool read_at(int fd, std::string& buf, std::size_t offset) {
  return ::pread(fd, buf.data() + offset, buf.size() - offset, static_cast<off_t>(offset)) ==
         static_cast<ssize_t>(buf.size() - offset);
}

}  // namespace

std::optional<std::string> read_private(const std::string& path, uid_t uid) {
  auto file = open_private(path, uid);
  if (!file) return std::nullopt;
  std::string buf(file->second, '\0');
  if (!read_at(file->first.get(), buf, 0)) return std::nullopt;
  return buf;
}

std::optional<std::string> read_private_front(const std::string& path, uid_t uid, std::size_t head,
                                              std::size_t (*wanted)(const std::string& head)) {
  auto file = open_private(path, uid);
  if (!file || head > file->second) return std::nullopt;
  std::string buf(head, '\0');
  if (!read_at(file->first.get(), buf, 0)) return std::nullopt;
  const std::size_t total = wanted(buf);
  if (total < head || total > file->second) return std::nullopt;
  buf.resize(total);
  if (!read_at(file->first.get(), buf, head)) return std::nullopt;
  return buf;
}

bool write_private(const std::string& path, const std::string& bytes) {
  std::string temp = path + ".XXXXXX";
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd.valid()) return false;
  const bool written = ::write(fd.get(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                       ::fchmod(fd.get(), 0600) == 0;
  fd.reset();
  if (written && ::rename(temp.c_str(), path.c_str()) == 0) return true;
  ::unlink(temp.c_str());
  return false;
}

std::string hashed_name(const std::string& key) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : key) h = (h ^ c) * 0x100000001b3ull;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(h));
  return name;
}

}  // namespace cordon::cache
