// Which plug would grant what the seccomp filter denied: the words of `cordon run`'s denial
// diagnostics ("the network plug would allow it") and of `--suggest`. Built by resolving, for
// every interface on the search path, a Plan of an app that plugs only it (manual interfaces as if
// connected) and comparing it with the base Plan. That parses YAML, so it is built only when a
// first denial arrives, never on a launch that has none.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

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

 private:
  std::map<std::string, std::set<std::string>> syscall_plugs_, family_plugs_;
  std::map<std::string, std::string> denied_;
  std::set<std::string> in_sets_, manual_;
};

}  // namespace cordon::app
