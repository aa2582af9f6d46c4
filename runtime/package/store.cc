#include "package/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "util/dirs.h"
#include "util/replace_file.h"

namespace cordon::package {

namespace {

using json = nlohmann::ordered_json;

constexpr std::size_t kMaxStateBytes = 1 << 20;  // a record of a few revisions is a few KiB

std::string xdg_or(const std::string& value, const std::string& fallback) {
  return !value.empty() && value[0] == '/' ? value : fallback;
}

json revision_json(const Revision& r) {
  return json{{"revision", r.number}, {"version", r.version}, {"key", r.key}, {"package-sha256", r.package_sha256},
              {"installed", r.installed}};
}

// Each field is read with its type checked: a record that is not what this code wrote is refused
// (fails closed) rather than half-believed.
template <typename T>
bool take(const json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return false;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return false;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return false;
  } else {
    if (!it->is_number_integer()) return false;
  }
  out = it->get<T>();
  return true;
}

}  // namespace

StoreLayout store_layout(uid_t uid, const std::string& home, const std::string& xdg_data_home,
                         const std::string& xdg_config_home) {
  StoreLayout s;
  s.owner = uid;
  std::string root;
  if (uid == 0) {
    root = "/var/lib/cordon";
    s.key_dirs = {"/etc/cordon/keys"};
    s.source_dir = "/etc/cordon/sources";
  } else {
    root = xdg_or(xdg_data_home, home + "/.local/share") + "/cordon";
    s.key_dirs = {xdg_or(xdg_config_home, home + "/.config") + "/cordon/keys", "/etc/cordon/keys"};
    s.source_dir = xdg_or(xdg_config_home, home + "/.config") + "/cordon/sources";
  }
  s.apps = root + "/apps";
  s.data = root + "/data";
  s.snapshots = root + "/snapshots";
  s.accepted = root + "/sources";
  return s;
}

const Revision* AppState::revision(int number) const {
  for (const Revision& r : revisions)
    if (r.number == number) return &r;
  return nullptr;
}

std::string state_json(const AppState& s) {
  json j{{"format", 1}, {"name", s.name}, {"key", s.key}, {"current", s.current}, {"next-revision", s.next_revision},
         {"held", s.held}};
  json revs = json::array();
  for (const Revision& r : s.revisions) revs.push_back(revision_json(r));
  j["revisions"] = revs;
  if (s.pending) j["pending"] = json{{"op", s.pending->op}, {"from", s.pending->from}, {"to", s.pending->to}};
  if (s.last)
    j["last"] = json{{"op", s.last->op}, {"result", s.last->result}, {"from", s.last->from}, {"to", s.last->to},
                     {"reason", s.last->reason}};
  if (s.last && !s.last->version.empty()) j["last"]["version"] = s.last->version;
  if (!s.source.empty()) j["source"] = s.source;
  return j.dump(2) + "\n";
}

Result<AppState> parse_state(const std::string& text, const std::string& shown_path) {
  const json j = json::parse(text, nullptr, false);
  auto bad = [&](const std::string& what) { return fail("package", "read " + shown_path + ": " + what); };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  int format = 0;
  if (!take(j, "format", format) || format != 1) return bad("unknown format");
  AppState s;
  if (!take(j, "name", s.name) || !take(j, "key", s.key) || !take(j, "current", s.current) ||
      !take(j, "next-revision", s.next_revision) || !take(j, "held", s.held))
    return bad("a field is missing or of the wrong type");
  const auto revs = j.find("revisions");
  if (revs == j.end() || !revs->is_array()) return bad("no revisions list");
  for (const json& r : *revs) {
    Revision rev;
    if (!r.is_object() || !take(r, "revision", rev.number) || !take(r, "version", rev.version) ||
        !take(r, "key", rev.key) || !take(r, "package-sha256", rev.package_sha256) || !take(r, "installed", rev.installed))
      return bad("a revision is malformed");
    s.revisions.push_back(rev);
  }
  if (const auto p = j.find("pending"); p != j.end()) {
    Pending pending;
    if (!p->is_object() || !take(*p, "op", pending.op) || !take(*p, "from", pending.from) || !take(*p, "to", pending.to))
      return bad("the pending change is malformed");
    s.pending = pending;
  }
  if (const auto l = j.find("last"); l != j.end()) {
    LastChange last;
    if (!l->is_object() || !take(*l, "op", last.op) || !take(*l, "result", last.result) || !take(*l, "from", last.from) ||
        !take(*l, "to", last.to) || !take(*l, "reason", last.reason))
      return bad("the last change is malformed");
    if (l->contains("version") && !take(*l, "version", last.version)) return bad("the last change is malformed");
    s.last = last;
  }
  if (j.contains("source") && (!take(j, "source", s.source) || s.source.empty())) return bad("the source is malformed");
  if (s.current != 0 && !s.revision(s.current)) return bad("the current revision is not among its revisions");
  return s;
}

std::string app_dir(const StoreLayout& store, const std::string& name) { return store.apps + "/" + name; }

std::string revision_dir(const StoreLayout& store, const std::string& name, int revision) {
  return app_dir(store, name) + "/" + std::to_string(revision);
}

std::string snapshot_dir(const StoreLayout& store, const std::string& name, int revision) {
  return store.snapshots + "/" + name + "/" + std::to_string(revision);
}

Result<std::optional<AppState>> read_state(const StoreLayout& store, const std::string& name) {
  if (!valid_app_name(name)) return fail("package", "find " + name + ": not an app name");
  const std::string dir_path = app_dir(store, name);
  UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid()) {
    if (errno == ENOENT) return std::optional<AppState>{};
    return sys_fail("package", "open " + dir_path);
  }
  UniqueFd fd(::openat(dir.get(), "state.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<AppState>{};
    return sys_fail("package", "open " + dir_path + "/state.json");
  }
  // Sized by fstat, not by the bound: a launch reads this file, and zeroing 1 MiB costs milliseconds.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_fail("package", "stat " + dir_path + "/state.json");
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) > kMaxStateBytes)
    return fail("package", "read " + dir_path + "/state.json: larger than 1 MiB");
  std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');  // +1: a file that grew is refused below
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_fail("package", "read " + dir_path + "/state.json");
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > static_cast<std::size_t>(st.st_size)) return fail("package", "read " + dir_path + "/state.json: it changed while read");
  text.resize(got);
  auto state = parse_state(text, dir_path + "/state.json");
  if (!state) return state.error();
  if (state->name != name) return fail("package", "read " + dir_path + "/state.json: it names another app");
  return std::optional<AppState>{std::move(*state)};
}

Result<void> write_state(const StoreLayout& store, const AppState& state) {
  const std::string dir_path = app_dir(store, state.name);
  UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid()) return sys_fail("package", "open " + dir_path);
  CORDON_TRY(replace_file_at("package", dir.get(), dir_path, "state.json", state_json(state)));
  if (::fsync(dir.get()) != 0) return sys_fail("package", "sync " + dir_path);
  return {};
}

std::vector<std::string> installed_names(const StoreLayout& store) {
  std::vector<std::string> names;
  DIR* d = ::opendir(store.apps.c_str());
  if (!d) return names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (!valid_app_name(name)) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), (name + "/state.json").c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
      names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::optional<UniqueFd>> lock_app(const StoreLayout& store, const std::string& name, bool wait, bool create) {
  if (!valid_app_name(name)) return fail("package", "find " + name + ": not an app name");
  const std::string dir_path = app_dir(store, name);
  if (create) CORDON_TRY(make_dirs("package", dir_path, 0755));
  else if (struct stat st {}; ::lstat(dir_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail("package", "find " + name + ": no app of that name is installed (`cordon list` shows those that are)");
  const std::string path = dir_path + "/lock";
  for (;;) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) return sys_fail("package", "open " + path);
    if (::flock(fd.get(), LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
      if (errno == EWOULDBLOCK && !wait) return std::optional<UniqueFd>{};
      if (errno == EINTR) continue;
      return sys_fail("package", "lock " + path);
    }
    // A purge may have unlinked the file between our open and our lock: lock the one on disk.
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && st.st_nlink > 0) return std::optional<UniqueFd>{std::move(fd)};
  }
}

Result<UniqueFd> hold_revision(const std::string& revision_path) {
  UniqueFd fd(::open(revision_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return sys_fail("package", "open " + revision_path);
  while (::flock(fd.get(), LOCK_SH) != 0)
    if (errno != EINTR) return sys_fail("package", "lock " + revision_path);
  return fd;
}

bool revision_in_use(const std::string& revision_path) {
  UniqueFd fd(::open(revision_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return false;
  return ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0;  // released when fd closes
}

bool valid_app_name(const std::string& name) {
  if (name.empty() || name.size() > 40 || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

}  // namespace cordon::package
