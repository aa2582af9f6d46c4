#include "cache/plan_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <cstdio>

#include "util/dirs.h"
#include "util/unique_fd.h"

#ifndef CORDON_VERSION
#error "CORDON_VERSION must be defined by the build"
#endif

namespace cordon::cache {

namespace {

constexpr std::uint32_t kMagic = 0x434f5232;  // "COR2": bump when the layout below changes
constexpr std::size_t kMaxFile = 1 << 20;

// ---- a tiny length-prefixed encoding ----------------------------------------------------------

class Writer {
 public:
  void u64(std::uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void str(const std::string& s) {
    u64(s.size());
    out_ += s;
  }
  void strs(const std::vector<std::string>& v) {
    u64(v.size());
    for (const std::string& s : v) str(s);
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  bool ok() const { return ok_; }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    if (pos_ + sizeof v > in_.size()) return fail();
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string str() {
    const std::uint64_t n = u64();
    if (!ok_ || n > in_.size() - pos_) return fail(), std::string();
    std::string s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count());
    for (std::string& s : v) s = str();
    return v;
  }
  std::size_t count() {
    const std::uint64_t n = u64();
    if (n > in_.size()) return fail(), 0;  // a count can never exceed the bytes left
    return static_cast<std::size_t>(n);
  }

 private:
  std::uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  const std::string& in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// ---- what a Plan depends on --------------------------------------------------------------------

struct Input {
  std::string path;
  bool present = false;
  std::uint64_t dev = 0, ino = 0, size = 0, mtime_ns = 0;
};

Input identity(const std::string& path) {
  Input in{path};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return in;  // absent (or unreadable: then it must stay so)
  in.present = true;
  in.dev = st.st_dev;
  in.ino = st.st_ino;
  in.size = static_cast<std::uint64_t>(st.st_size);
  in.mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  return in;
}

bool same(const Input& a, const Input& b) {
  return a.present == b.present && a.dev == b.dev && a.ino == b.ino && a.size == b.size && a.mtime_ns == b.mtime_ns;
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
  std::string key = std::string(CORDON_VERSION) + "\n" + app + "\n" + paths.syscall_sets;
  for (const std::string& d : paths.app_dirs) key += "\napp:" + d;
  for (const std::string& d : paths.interface_dirs) key += "\niface:" + d;
  char cwd[4096] = "";
  if (app.find('/') != std::string::npos && app[0] != '/' && ::getcwd(cwd, sizeof cwd)) key += std::string("\ncwd:") + cwd;
  return key;
}

// FNV-1a, 64 bits: a name, not a security boundary (the key inside the file is). A launch must
// not pay for initialising a crypto library to name a file.
std::string file_name(const std::string& key) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : key) h = (h ^ c) * 0x100000001b3ull;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.plan", static_cast<unsigned long long>(h));
  return name;
}

// ---- the Plan, as much as a launch needs --------------------------------------------------------

void encode(Writer& w, const plan::Plan& p) {
  w.str(p.app);
  w.str(p.hostname);
  w.strs(p.command);
  w.str(p.network);
  w.u64(p.mounts.size());
  for (const plan::Mount& m : p.mounts) {
    w.u64(static_cast<std::uint64_t>(m.kind));
    w.str(m.path);
    w.u64(m.optional);
    w.u64(m.from.size());
    for (const plan::Source& s : m.from) w.strs({s.origin, s.file, std::to_string(s.line)});
  }
  w.u64(p.devices.size());
  for (const plan::Device& d : p.devices) w.strs({d.path, d.optional ? "1" : "0"});
  w.u64(p.environment.size());
  for (const plan::EnvEntry& e : p.environment) w.strs({e.name, e.value});
  w.u64(p.limits.size());
  for (const plan::Limit& l : p.limits) {
    w.strs({l.name, l.unit});
    w.u64(l.value);
  }
  w.u64(p.plugs.size());
  for (const plan::Plug& pl : p.plugs) w.str(pl.name);
  w.u64(p.notices.size());
  for (const plan::Notice& n : p.notices) w.strs({n.kind, n.message});
}

std::optional<plan::Plan> decode(Reader& r) {
  plan::Plan p;
  p.app = r.str();
  p.hostname = r.str();
  p.command = r.strs();
  p.network = r.str();
  p.mounts.resize(r.count());
  for (plan::Mount& m : p.mounts) {
    const std::uint64_t kind = r.u64();
    if (kind > static_cast<std::uint64_t>(plan::MountKind::hide)) return std::nullopt;
    m.kind = static_cast<plan::MountKind>(kind);
    m.path = r.str();
    m.optional = r.u64() != 0;
    m.from.resize(r.count());
    for (plan::Source& s : m.from) {
      auto f = r.strs();
      if (f.size() != 3) return std::nullopt;
      s = plan::Source{f[0], f[1], std::atoi(f[2].c_str())};
    }
  }
  p.devices.resize(r.count());
  for (plan::Device& d : p.devices) {
    auto f = r.strs();
    if (f.size() != 2) return std::nullopt;
    d.path = f[0];
    d.optional = f[1] == "1";
  }
  p.environment.resize(r.count());
  for (plan::EnvEntry& e : p.environment) {
    auto f = r.strs();
    if (f.size() != 2) return std::nullopt;
    e.name = f[0];
    e.value = f[1];
  }
  p.limits.resize(r.count());
  for (plan::Limit& l : p.limits) {
    auto f = r.strs();
    if (f.size() != 2) return std::nullopt;
    l.name = f[0];
    l.unit = f[1];
    l.value = r.u64();
  }
  p.plugs.resize(r.count());
  for (plan::Plug& pl : p.plugs) pl.name = r.str();
  p.notices.resize(r.count());
  for (plan::Notice& n : p.notices) {
    auto f = r.strs();
    if (f.size() != 2) return std::nullopt;
    n.kind = f[0];
    n.message = f[1];
  }
  if (!r.ok()) return std::nullopt;
  return p;
}

// ---- trust ---------------------------------------------------------------------------------------

// Owned by the invoker or root and writable by nobody else, from the directory up to "/": no other
// user can have planted or replaced anything on the way.
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

std::optional<std::string> read_trusted(const std::string& path, uid_t uid) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0 ||
      static_cast<std::size_t>(st.st_size) > kMaxFile)
    return std::nullopt;
  std::string buf(static_cast<std::size_t>(st.st_size), '\0');
  if (::read(fd.get(), buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) return std::nullopt;
  return buf;
}

}  // namespace

Location location(uid_t uid, const std::string& home, const std::string& xdg_cache_home) {
  if (uid == 0) return {"/var/cache/cordon/plans", uid};
  const std::string base = !xdg_cache_home.empty() && xdg_cache_home[0] == '/' ? xdg_cache_home : home + "/.cache";
  return {base + "/cordon/plans", uid};
}

std::optional<plan::Plan> load(const Location& where, const std::string& app, const policy::SearchPaths& paths) {
  if (where.dir.empty() || where.dir[0] != '/' || !trusted_chain(where.dir, where.uid)) return std::nullopt;
  const std::string key = cache_key(app, paths);
  auto bytes = read_trusted(where.dir + "/" + file_name(key), where.uid);
  if (!bytes) return std::nullopt;
  Reader r(*bytes);
  if (r.u64() != kMagic || r.str() != key) return std::nullopt;
  const std::size_t inputs = r.count();
  for (std::size_t i = 0; i < inputs && r.ok(); ++i) {
    Input recorded;
    recorded.path = r.str();
    recorded.present = r.u64() != 0;
    recorded.dev = r.u64();
    recorded.ino = r.u64();
    recorded.size = r.u64();
    recorded.mtime_ns = r.u64();
    if (!r.ok() || !same(recorded, identity(recorded.path))) return std::nullopt;
  }
  return decode(r);
}

void store(const Location& where, const std::string& app, const policy::SearchPaths& paths, const plan::Plan& plan,
           const policy::SourceTexts& sources) {
  if (where.dir.empty() || where.dir[0] != '/' || !make_dirs("cache", where.dir, 0700) || !trusted_chain(where.dir, where.uid))
    return;
  const std::string key = cache_key(app, paths);
  Writer w;
  w.u64(kMagic);
  w.str(key);
  const std::vector<std::string> watched = watched_paths(app, paths, plan, sources);
  w.u64(watched.size());
  for (const std::string& path : watched) {
    const Input in = identity(path);
    w.str(in.path);
    w.u64(in.present);
    w.u64(in.dev);
    w.u64(in.ino);
    w.u64(in.size);
    w.u64(in.mtime_ns);
  }
  encode(w, plan);
  // temp + rename: a reader sees the old file or the new one, never half of one.
  const std::string final_path = where.dir + "/" + file_name(key);
  std::string temp = final_path + ".XXXXXX";
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd.valid()) return;
  const std::string& bytes = w.bytes();
  const bool written = ::write(fd.get(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                       ::fchmod(fd.get(), 0600) == 0;
  fd.reset();
  if (!written || ::rename(temp.c_str(), final_path.c_str()) != 0) ::unlink(temp.c_str());
}

}  // namespace cordon::cache
