#include "sandbox/private_ids.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <set>

#include "util/dirs.h"
#include "util/replace_file.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

namespace {

// A file's whole content, at most a line: "1879113728\n".
std::optional<uid_t> read_base(int dir, const char* name) {
  const auto line = read_record_at(dir, name, 32);
  if (!line || line->empty() || line->find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const unsigned long v = std::strtoul(line->c_str(), nullptr, 10);
  if (v < kPrivateIdsFirst || (v - kPrivateIdsFirst) % kPrivateIdsCount != 0 ||
      (v - kPrivateIdsFirst) / kPrivateIdsCount >= kPrivateIdsSlots)
    return std::nullopt;
  return static_cast<uid_t>(v);
}

std::set<uid_t> bases_in_use(int dir) {
  std::set<uid_t> used;
  UniqueFd copy(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* d = copy.valid() ? ::fdopendir(copy.get()) : nullptr;
  if (!d) return used;
  copy.release();  // the DIR owns it now
  while (const dirent* e = ::readdir(d))
    if (e->d_name[0] != '.')
      if (auto base = read_base(dir, e->d_name)) used.insert(*base);
  ::closedir(d);
  return used;
}

}  // namespace

Result<uid_t> private_ids_for(const std::string& dir_path, const std::string& app) {
  CORDON_TRY(make_dirs("ids", dir_path, 0700));
  UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid()) return sys_fail("ids", "open " + dir_path);
  if (auto base = read_base(dir.get(), app.c_str())) return *base;  // the common case: no lock
  // Two first launches of different apps must not pick the same range.
  if (::flock(dir.get(), LOCK_EX) != 0) return sys_fail("ids", "flock " + dir_path);
  if (auto base = read_base(dir.get(), app.c_str())) return *base;
  const std::set<uid_t> used = bases_in_use(dir.get());
  for (uid_t slot = 0; slot < kPrivateIdsSlots; ++slot) {
    const uid_t base = kPrivateIdsFirst + slot * kPrivateIdsCount;
    if (used.count(base)) continue;
    CORDON_TRY(replace_file_at("ids", dir.get(), dir_path, app, std::to_string(base) + "\n"));
    return base;
  }
  return fail("ids", "allocate host ids for " + app + ": all " + std::to_string(kPrivateIdsSlots) +
                         " ranges in " + dir_path + " are taken");
}

}  // namespace cordon::sandbox
