// Where app policies, interface files and the syscall sets are found (docs/search-paths.md).
// Pure of the process environment: the caller passes what it read, so tests can pick any layout.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cordon::policy {

struct HostContext {
  unsigned uid = 0;
  std::string home;                 // $HOME of the invoker ("" if unset)
  std::string xdg_config_home;      // $XDG_CONFIG_HOME ("" if unset); ignored for root
  std::string policy_path;          // $CORDON_POLICY_PATH, colon-separated ("" if unset)
  std::string interface_path;       // $CORDON_INTERFACE_PATH, colon-separated ("" if unset)
  std::string data_dir;             // the shipped data: interfaces/, syscall-sets.yaml, apps/
};

struct SearchPaths {
  std::vector<std::string> app_dirs;        // searched in order for NAME.yaml
  std::vector<std::string> system_app_dirs; // those of app_dirs that hold the system's apps (root's to connect)
  std::vector<std::string> interface_dirs;  // searched in order for NAME.yaml; the first found wins
  std::string syscall_sets;                 // the syscall-set catalogue
};

SearchPaths search_paths(const HostContext& host);

// An argument naming a file (it contains '/' or ends in .yaml) is used as it is; a bare name is
// looked up as NAME.yaml in app_dirs. Returns the path, or nullopt when nothing matches.
std::optional<std::string> find_app(const SearchPaths& paths, const std::string& name_or_file);
std::optional<std::string> find_interface(const SearchPaths& paths, const std::string& name);
// DESIGN.md "Trust": an app's name picks its data, so an ad-hoc policy file may not take the name
// of an app installed elsewhere in the search path (a file that calls itself `bank` never gets
// bank's data). Returns the installed file it would impersonate, or nullopt when the name is free
// or `file` is that very file.
std::optional<std::string> name_taken(const SearchPaths& paths, const std::string& file, const std::string& name);

// Every interface name any directory offers, sorted, base excluded.
std::vector<std::string> list_interfaces(const SearchPaths& paths);

}  // namespace cordon::policy
