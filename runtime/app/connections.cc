#include "app/connections.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cerrno>

#include <nlohmann/json.hpp>

#include "util/replace_file.h"
#include "util/unique_fd.h"

namespace cordon::app {

namespace {

constexpr const char* kSystemDir = "/etc/cordon/connections";
constexpr std::size_t kMaxFile = 256 * 1024;  // a few hundred plugs; more is not a connections file

std::string real_path(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) ? std::string(resolved) : std::string();
}

// Policy files here are the system's: root connects their plugs for everyone who runs them.
// Decided on resolved folders, however the file was named (./x.yaml from inside /etc/cordon/apps).
bool is_system_policy(const policy::SearchPaths& paths, const std::string& policy_file) {
  const std::string real = real_path(policy_file);
  if (real.empty()) return false;
  const std::string dir = real.substr(0, real.rfind('/'));
  return std::any_of(paths.system_app_dirs.begin(), paths.system_app_dirs.end(),
                     [&](const std::string& d) { return !d.empty() && real_path(d) == dir; });
}

// Makes `dir` and its missing parents for the store's owner (0755: a connection is no secret, and
// a user running a system app reads root's), refusing a link on the way.
Result<UniqueFd> open_store_dir(const std::string& dir) {
  std::string prefix;
  UniqueFd at(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  std::size_t pos = 1;
  while (pos <= dir.size()) {
    const std::size_t end = std::min(dir.find('/', pos), dir.size());
    const std::string part = dir.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty()) continue;
    prefix += "/" + part;
    if (::mkdirat(at.get(), part.c_str(), 0755) != 0 && errno != EEXIST) return sys_fail("connect", "mkdir " + prefix);
    UniqueFd next(::openat(at.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return sys_fail("connect", "open " + prefix + " (a symbolic link is never followed here)");
    at = std::move(next);
  }
  return at;
}

nlohmann::json to_json(const std::string& app, const std::vector<plan::ConnectedPlug>& plugs) {
  nlohmann::json j{{"format", 1}, {"app", app}, {"plugs", nlohmann::json::array()}};
  for (const plan::ConnectedPlug& p : plugs) {
    nlohmann::json attrs = nlohmann::json::object();
    for (const auto& [name, value] : p.attributes) attrs[name] = value;
    j["plugs"].push_back({{"plug", p.plug}, {"attributes", attrs}});
  }
  return j;
}

std::optional<std::vector<plan::ConnectedPlug>> from_json(const std::string& text, const std::string& app) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("format", 0) != 1 || !j.contains("app") || j["app"] != app ||
      !j.contains("plugs") || !j["plugs"].is_array())
    return std::nullopt;
  std::vector<plan::ConnectedPlug> out;
  for (const nlohmann::json& p : j["plugs"]) {
    if (!p.is_object() || !p.contains("plug") || !p["plug"].is_string() || !p.contains("attributes") ||
        !p["attributes"].is_object())
      return std::nullopt;
    plan::ConnectedPlug c{p["plug"].get<std::string>(), {}};
    for (const auto& [name, value] : p["attributes"].items()) {
      if (!value.is_string()) return std::nullopt;
      c.attributes.emplace_back(name, value.get<std::string>());
    }
    std::sort(c.attributes.begin(), c.attributes.end());
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

ConnectionStores connection_stores(uid_t uid, const std::string& home, const std::string& xdg_config_home) {
  ConnectionStores s;
  s.system_dir = kSystemDir;
  s.user = uid;
  if (uid != 0) {  // root ignores XDG (DESIGN.md)
    const std::string base = !xdg_config_home.empty() && xdg_config_home[0] == '/' ? xdg_config_home : home + "/.config";
    if (!base.empty() && base[0] == '/') s.user_dir = base + "/cordon/connections";
  }
  return s;
}

std::optional<ConnectionStore> store_for(const ConnectionStores& stores, const policy::SearchPaths& paths,
                                         const std::string& policy_file) {
  if (stores.user == 0 || is_system_policy(paths, policy_file)) {
    if (stores.system_dir.empty()) return std::nullopt;
    return ConnectionStore{stores.system_dir, 0};
  }
  if (stores.user_dir.empty()) return std::nullopt;
  return ConnectionStore{stores.user_dir, stores.user};
}

std::string connections_file(const ConnectionStore& store, const std::string& app) {
  return store.dir + "/" + app + ".json";
}

std::vector<plan::ConnectedPlug> read_connections(const ConnectionStore& store, const std::string& app,
                                                  std::string* problem) {
  auto said = [&](const std::string& why) {
    if (problem) *problem = connections_file(store, app) + ": " + why;
    return std::vector<plan::ConnectedPlug>{};
  };
  UniqueFd fd(::open(connections_file(store, app).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return errno == ENOENT ? std::vector<plan::ConnectedPlug>{} : said("cannot be read; no plug is connected");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return said("not a regular file; ignored");
  // Only its owner may have written it: anything else could connect plugs behind the owner's back.
  if (st.st_uid != store.owner || (st.st_mode & 022) != 0)
    return said("owned by uid " + std::to_string(st.st_uid) + " or writable by others; ignored");
  if (st.st_size > static_cast<off_t>(kMaxFile)) return said("larger than any connections file; ignored");
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  if (::pread(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    return said("cannot be read; no plug is connected");
  auto plugs = from_json(text, app);
  if (!plugs) return said("not a connections file of " + app + "; ignored");
  return *plugs;
}

Result<void> write_connections(const ConnectionStore& store, const std::string& app,
                               const std::vector<plan::ConnectedPlug>& plugs) {
  auto dir = open_store_dir(store.dir);
  if (!dir) return dir.error();
  const std::string name = app + ".json";
  if (plugs.empty()) {
    if (::unlinkat(dir->get(), name.c_str(), 0) != 0 && errno != ENOENT)
      return sys_fail("connect", "remove " + connections_file(store, app));
    return {};
  }
  return replace_file_at("connect", dir->get(), store.dir, name, to_json(app, plugs).dump(2) + "\n", false, 0644);
}

}  // namespace cordon::app
