#include "cache/plan_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "cache/codec.h"
#include "cache/plan_codec.h"
#include "cache/private_file.h"
#include "util/build_identity.h"
#include "util/dirs.h"
#include "util/unique_fd.h"

#ifndef CORDON_VERSION
#error "CORDON_VERSION must be defined by the build"
#endif

namespace cordon::cache {

namespace {

// A file starts with the magic, the format and the key. The format is the layout of this file and
// of plan/plan_fields.h: bump it when either changes (a field added, reordered, an enumerator
// added), so an older file is refused and rebuilt rather than misread.
constexpr std::uint32_t kMagic = 0x434f5250;  // "CORP"
constexpr std::uint64_t kFormat = 10;         // 10: the launch section's end in the header
// magic, format, and where the launch section ends: what a launch reads first.
constexpr std::size_t kHead = 3 * sizeof(std::uint64_t);

// How many bytes a launch reads: up to the end of the launch section, which the header gives.
// 0 (refused) for a file of another magic or format.
std::size_t launch_bytes(const std::string& head) {
  Reader r(head);
  if (r.u64() != kMagic || r.u64() != kFormat) return 0;
  return static_cast<std::size_t>(r.u64());
}

// ---- what a Plan depends on --------------------------------------------------------------------

std::uint64_t nanoseconds(const timespec& t) {
  return static_cast<std::uint64_t>(t.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(t.tv_nsec);
}

// ctime is part of the identity because no unprivileged user can set it: an in-place edit that
// keeps the size and puts the mtime back (touch -d, utimensat) still moves ctime.
struct Input {
  std::string path;
  bool present = false;
  std::uint64_t dev = 0, ino = 0, size = 0, mtime_ns = 0, ctime_ns = 0;
};

Input identity(const std::string& path) {
  Input in{path};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return in;  // absent (or unreadable: then it must stay so)
  in.present = true;
  in.dev = st.st_dev;
  in.ino = st.st_ino;
  in.size = static_cast<std::uint64_t>(st.st_size);
  in.mtime_ns = nanoseconds(st.st_mtim);
  in.ctime_ns = nanoseconds(st.st_ctim);
  return in;
}

bool same(const Input& a, const Input& b) {
  return a.present == b.present && a.dev == b.dev && a.ino == b.ino && a.size == b.size &&
         a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns;
}

// The kernel stamps ctime from a clock that advances once per tick (CLOCK_REALTIME_COARSE): two
// changes within one tick carry the same ctime. Two ticks of margin cover the coarse clock lagging.
std::uint64_t racy_margin_ns() {
  timespec res{};
  if (::clock_getres(CLOCK_REALTIME_COARSE, &res) != 0) return 20'000'000;  // two ticks at HZ=100
  return 2 * nanoseconds(res);
}

// Changed so shortly before its reading began that the Plan may come from other bytes than the
// identity describes, or a later change could still carry the same ctime ("racy", as git says).
bool racy(const Input& in, std::uint64_t read_at_ns, std::uint64_t margin_ns) {
  return in.present && in.ctime_ns + margin_ns > read_at_ns;
}

void write_input(Writer& w, const Input& in) {
  w.str(in.path);
  w.u64(in.present);
  w.u64(in.dev);
  w.u64(in.ino);
  w.u64(in.size);
  w.u64(in.mtime_ns);
  w.u64(in.ctime_ns);
}

Input read_input(Reader& r) {
  Input in;
  in.path = r.str();
  in.present = r.u64() != 0;
  in.dev = r.u64();
  in.ino = r.u64();
  in.size = r.u64();
  in.mtime_ns = r.u64();
  in.ctime_ns = r.u64();
  return in;
}

// Every candidate a lookup passes before its hit: if one of them appears, the lookup would change.
void lookups(const std::vector<std::string>& dirs, const std::string& file, std::vector<std::string>& out) {
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/" + file;
    out.push_back(candidate);
    struct stat st {};
    if (::lstat(candidate.c_str(), &st) == 0) return;
  }
}

std::vector<std::string> watched_paths(const std::string& app, const policy::SearchPaths& paths,
                                       const plan::Plan& plan, const policy::SourceTexts& sources) {
  std::vector<std::string> out;
  for (const auto& [file, text] : sources) out.push_back(file);
  if (app.find('/') == std::string::npos && app.size() > 0) lookups(paths.app_dirs, app + ".yaml", out);
  lookups(paths.interface_dirs, "base.yaml", out);
  for (const plan::Plug& p : plan.plugs) lookups(paths.interface_dirs, p.name + ".yaml", out);
  return out;
}

// Everything that decides which files a lookup reads. Stored whole in the file and compared on
// load, so a collision of the short file name below can only cost a miss, never a wrong Plan.
std::string cache_key(const std::string& app, const policy::SearchPaths& paths) {
  std::string key = std::string(CORDON_VERSION) + "\n" + executable_identity() + "\n" + app + "\n" + paths.syscall_sets;
  for (const std::string& d : paths.app_dirs) key += "\napp:" + d;
  for (const std::string& d : paths.interface_dirs) key += "\niface:" + d;
  char cwd[4096] = "";
  if (app.find('/') != std::string::npos && app[0] != '/' && ::getcwd(cwd, sizeof cwd)) key += std::string("\ncwd:") + cwd;
  return key;
}

std::string file_name(const std::string& key) { return hashed_name(key) + ".plan"; }

}  // namespace

Location location(uid_t uid, const std::string& home, const std::string& xdg_cache_home) {
  if (uid == 0) return {"/var/cache/cordon/plans", uid};
  const std::string base = !xdg_cache_home.empty() && xdg_cache_home[0] == '/' ? xdg_cache_home : home + "/.cache";
  return {base + "/cordon/plans", uid};
}

std::string filters_dir(const Location& plans) {
  const std::size_t slash = plans.dir.rfind('/');
  return slash == std::string::npos ? "" : plans.dir.substr(0, slash) + "/filters";
}

std::optional<plan::Plan> load(const Location& where, const std::string& app, const policy::SearchPaths& paths,
                               PlanPart part) {
  if (where.dir.empty() || where.dir[0] != '/' || !trusted_chain(where.dir, where.uid)) return std::nullopt;
  const std::string key = cache_key(app, paths);
  const std::string path = where.dir + "/" + file_name(key);
  // A launch reads the file up to its launch section: the explain section is most of the bytes.
  auto bytes = part == PlanPart::launch ? read_private_front(path, where.uid, kHead, launch_bytes)
                                        : read_private(path, where.uid);
  if (!bytes) return std::nullopt;
  Reader r(*bytes);
  if (r.u64() != kMagic || r.u64() != kFormat) return std::nullopt;
  r.u64();  // the launch section's end: read_private_front used it
  if (r.str() != key) return std::nullopt;
  const std::uint64_t read_at_ns = r.u64();
  const std::uint64_t margin_ns = racy_margin_ns();
  const std::size_t inputs = r.count();
  for (std::size_t i = 0; i < inputs && r.ok(); ++i) {
    const Input recorded = read_input(r);
    if (!r.ok() || racy(recorded, read_at_ns, margin_ns) || !same(recorded, identity(recorded.path))) return std::nullopt;
  }
  return decode_plan(r, part);
}

std::uint64_t input_clock() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);  // the clock the kernel stamps ctime from, at full resolution
  return nanoseconds(t);
}

void store(const Location& where, const std::string& app, const policy::SearchPaths& paths, const plan::Plan& plan,
           const policy::SourceTexts& sources, std::uint64_t read_at_ns) {
  if (where.dir.empty() || where.dir[0] != '/' || !make_dirs("cache", where.dir, 0700) || !trusted_chain(where.dir, where.uid))
    return;
  const std::string key = cache_key(app, paths);
  Writer body;
  body.str(key);
  body.u64(read_at_ns);  // an input changed after it is either seen by its identity or makes the entry racy
  const std::vector<std::string> watched = watched_paths(app, paths, plan, sources);
  body.u64(watched.size());
  for (const std::string& path : watched) write_input(body, identity(path));
  encode_launch_section(body, plan);
  Writer file;
  file.u64(kMagic);
  file.u64(kFormat);
  file.u64(kHead + body.bytes().size());
  file.raw(body.bytes());
  file.str(explain_section(plan));
  write_private(where.dir + "/" + file_name(key), file.bytes());
}

}  // namespace cordon::cache
