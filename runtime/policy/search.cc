#include "policy/search.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "util/strings.h"

namespace cordon::policy {

namespace {

std::vector<std::string> split_colons(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(':', start), s.size());
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Anything at that name counts, whatever it is: an override the caller cannot read, a dangling
// link or a directory must stop the search and fail when opened, never fall through to the
// shipped (and possibly more permissive) file below it.
bool something_at(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 || errno != ENOENT;
}

// The user's own config dir (DESIGN.md state table); root uses /etc/cordon only.
std::string user_config_dir(const HostContext& host) {
  if (host.uid == 0) return {};
  if (!host.xdg_config_home.empty() && host.xdg_config_home[0] == '/') return host.xdg_config_home + "/cordon";
  if (!host.home.empty() && host.home[0] == '/') return host.home + "/.config/cordon";
  return {};
}

std::optional<std::string> find_in(const std::vector<std::string>& dirs, const std::string& file) {
  for (const std::string& dir : dirs)
    if (something_at(dir + "/" + file)) return dir + "/" + file;
  return std::nullopt;
}

}  // namespace

SearchPaths search_paths(const HostContext& host) {
  SearchPaths p;
  const std::string user = user_config_dir(host);
  p.app_dirs = split_colons(host.policy_path);
  p.app_dirs.push_back("/etc/cordon/apps");
  if (!user.empty()) p.app_dirs.push_back(user + "/apps");
  p.app_dirs.push_back(host.data_dir + "/apps");
  p.system_app_dirs = {"/etc/cordon/apps", host.data_dir + "/apps"};

  p.interface_dirs = split_colons(host.interface_path);
  p.interface_dirs.push_back("/etc/cordon/interfaces");
  if (!user.empty()) p.interface_dirs.push_back(user + "/interfaces");
  p.interface_dirs.push_back(host.data_dir + "/interfaces");
  p.syscall_sets = host.data_dir + "/syscall-sets.yaml";
  return p;
}

std::optional<std::string> find_app(const SearchPaths& paths, const std::string& name_or_file) {
  const bool is_file = name_or_file.find('/') != std::string::npos || ends_with(name_or_file, ".yaml");
  if (is_file) return name_or_file;
  return find_in(paths.app_dirs, name_or_file + ".yaml");
}

std::optional<std::string> find_interface(const SearchPaths& paths, const std::string& name) {
  return find_in(paths.interface_dirs, name + ".yaml");
}

std::optional<std::string> name_taken(const SearchPaths& paths, const std::string& file, const std::string& name) {
  struct stat mine {};
  if (::stat(file.c_str(), &mine) != 0) return std::nullopt;  // reported when the file is read
  for (const std::string& dir : paths.app_dirs) {
    const std::string installed = dir + "/" + name + ".yaml";
    struct stat st {};
    if (::stat(installed.c_str(), &st) != 0) continue;
    if (st.st_dev == mine.st_dev && st.st_ino == mine.st_ino) return std::nullopt;
    return installed;
  }
  return std::nullopt;
}

std::vector<std::string> list_interfaces(const SearchPaths& paths) {
  std::set<std::string> names;
  for (const std::string& dir : paths.interface_dirs) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    while (const dirent* e = ::readdir(d)) {
      const std::string f = e->d_name;
      if (f.size() > 5 && ends_with(f, ".yaml") && f != "base.yaml") names.insert(f.substr(0, f.size() - 5));
    }
    ::closedir(d);
  }
  return {names.begin(), names.end()};
}

}  // namespace cordon::policy
