#include "policy/search.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

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

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
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
    if (is_regular_file(dir + "/" + file)) return dir + "/" + file;
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

  p.interface_dirs = split_colons(host.interface_path);
  p.interface_dirs.push_back("/etc/cordon/interfaces");
  p.interface_dirs.push_back(host.data_dir + "/interfaces");
  p.syscall_sets = host.data_dir + "/syscall-sets.yaml";
  return p;
}

std::optional<std::string> find_app(const SearchPaths& paths, const std::string& name_or_file) {
  const bool is_file = name_or_file.find('/') != std::string::npos ||
                       (name_or_file.size() > 5 && name_or_file.compare(name_or_file.size() - 5, 5, ".yaml") == 0);
  if (is_file) return name_or_file;
  return find_in(paths.app_dirs, name_or_file + ".yaml");
}

std::optional<std::string> find_interface(const SearchPaths& paths, const std::string& name) {
  return find_in(paths.interface_dirs, name + ".yaml");
}

std::vector<std::string> list_interfaces(const SearchPaths& paths) {
  std::set<std::string> names;
  for (const std::string& dir : paths.interface_dirs) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    while (const dirent* e = ::readdir(d)) {
      const std::string f = e->d_name;
      if (f.size() > 5 && f.compare(f.size() - 5, 5, ".yaml") == 0 && f != "base.yaml") names.insert(f.substr(0, f.size() - 5));
    }
    ::closedir(d);
  }
  return {names.begin(), names.end()};
}

}  // namespace cordon::policy
