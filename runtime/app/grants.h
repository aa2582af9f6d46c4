// Which plug would grant what the seccomp filter denied: the words of `cordon run`'s denial
// diagnostics ("the network plug would allow it") and of `--suggest`. Built by resolving, for
// every interface on the search path, a Plan of an app that plugs only it (manual interfaces as if
// connected) and comparing it with the base Plan. That parses YAML, so it is built only when a
// first denial arrives, never on a launch that has none. The same Plans say which plug would grant
// a file or device the app used in learn mode (`--complain --suggest`).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "policy/model.h"
#include "policy/search.h"

namespace cordon::app {

class GrantIndex {
 public:
  static GrantIndex build(const policy::SearchPaths& paths);

  // Interfaces whose plug adds `syscall` (or the socket family `family`) to the base allowlist,
  // sorted by name; empty when none does.
  std::vector<std::string> plugs_for_syscall(const std::string& syscall) const;
  std::vector<std::string> plugs_for_family(const std::string& family) const;
  // The catalogue's reason when `syscall` is denied to every app (syscall-sets.yaml `denied:`).
  std::optional<std::string> denied_to_all(const std::string& syscall) const;
  // Whether `syscall` sits in some set of the catalogue (so `seccomp.allow` can name it).
  bool in_some_set(const std::string& syscall) const { return in_sets_.count(syscall) > 0; }
  // Manual interfaces: their plug needs `cordon connect` too.
  bool manual(const std::string& plug) const { return manual_.count(plug) > 0; }
  // A value of an attribute that needs `cordon connect` (home's access=read-write).
  bool manual_value(const std::string& plug, const std::string& attribute, const std::string& value) const {
    return manual_values_.count(plug + " " + attribute + "=" + value) > 0;
  }

  // A plug that would show the host's `path` (absolute, links resolved) to the app, writable when
  // `write`: the deepest grant covering it wins, read-only preferred when it is only read; a
  // hide of the same plug covering it deeper rules that plug out. `home` stands for $HOME.
  // Device paths are matched against the interfaces' device templates too (/dev/i2c-@{bus} takes
  // /dev/i2c-1 with bus 1). nullopt when no interface grants it.
  struct PathPlug {
    std::string plug;
    std::vector<std::pair<std::string, std::string>> attributes;  // only those the plug must be given
  };
  std::optional<PathPlug> plug_for_path(const std::string& path, bool write, const std::string& home) const;

 private:
  struct PathGrant {
    PathPlug plug;
    std::string path;  // may start with $HOME
    plan::MountKind kind = plan::MountKind::bind_ro;
  };
  struct DeviceTemplate {
    std::string plug;
    std::string regex;                               // the template with each @{NAME} a group
    std::vector<std::pair<std::string, int>> groups;  // each attribute's group number
  };
  void add_path_grants(const PathPlug& plug, const plan::Plan& with, const plan::Plan& base);
  void add_device_templates(const policy::Interface& iface);
  std::optional<PathPlug> device_template_match(const std::string& path) const;
  std::vector<PathGrant> path_grants_;
  std::vector<DeviceTemplate> device_templates_;
  std::map<std::string, std::set<std::string>> syscall_plugs_, family_plugs_;
  std::map<std::string, std::string> denied_;
  std::set<std::string> in_sets_, manual_;
  std::set<std::string> manual_values_;  // "PLUG ATTRIBUTE=VALUE"
};

}  // namespace cordon::app
