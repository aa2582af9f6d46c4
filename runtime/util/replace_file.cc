#include "util/replace_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>

#include "util/unique_fd.h"

namespace cordon {

Result<void> replace_file_at(std::string_view step, int dir, const std::string& shown_dir, const std::string& name,
                             const std::string& text, bool keep_existing, mode_t mode) {
  const std::string tmp = "." + name + "." + std::to_string(::getpid()) + ".new";
  UniqueFd fd(::openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return sys_fail(step, "create " + shown_dir + "/" + tmp);
  if (mode != 0600 && ::fchmod(fd.get(), mode) != 0) {
    const Error e = sys_fail(step, "chmod " + shown_dir + "/" + tmp);
    ::unlinkat(dir, tmp.c_str(), 0);
    return e;
  }
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd.get()) != 0) {
    const Error e = sys_fail(step, "write " + shown_dir + "/" + tmp);
    ::unlinkat(dir, tmp.c_str(), 0);
    return e;
  }
  const int rc = keep_existing ? ::renameat2(dir, tmp.c_str(), dir, name.c_str(), RENAME_NOREPLACE)
                               : ::renameat(dir, tmp.c_str(), dir, name.c_str());
  if (rc == 0) return {};
  const Error e = sys_fail(step, "mv " + shown_dir + "/" + tmp + " " + shown_dir + "/" + name);
  ::unlinkat(dir, tmp.c_str(), 0);
  if (keep_existing && e.sys_errno == EEXIST) return {};
  return e;
}

std::optional<std::string> read_record_at(int dir, const std::string& name, std::size_t limit) {
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return std::nullopt;
  std::string text(limit, '\0');
  const ssize_t n = ::read(fd.get(), text.data(), text.size());
  if (n <= 0) return std::nullopt;
  text.resize(static_cast<std::size_t>(n));
  if (text.back() == '\n') text.pop_back();
  return text;
}

Result<void> replace_file(std::string_view step, const std::string& path, const std::string& text) {
  const std::size_t slash = path.rfind('/');
  const std::string dir_path = slash == 0 ? "/" : path.substr(0, slash);
  UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid()) return sys_fail(step, "open " + dir_path);
  return replace_file_at(step, dir.get(), dir_path, path.substr(slash + 1), text);
}

}  // namespace cordon
