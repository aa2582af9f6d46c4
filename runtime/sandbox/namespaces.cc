#include "sandbox/namespaces.h"

#include <sched.h>

#include <array>
#include <utility>

namespace cordon::sandbox {

namespace {

// Always a network namespace of its own, with the network plug too: the abstract Unix socket
// namespace goes with it, so the app can neither reach nor impersonate the host's abstract
// sockets. The plug's IP sockets come from the host's namespace through the supervisor.
constexpr std::array<std::pair<const char*, unsigned long>, 7> kNamespaces = {{
    {"cgroup", CLONE_NEWCGROUP},
    {"ipc", CLONE_NEWIPC},
    {"mount", CLONE_NEWNS},
    {"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID},
    {"user", CLONE_NEWUSER},
    {"uts", CLONE_NEWUTS},
}};

}  // namespace

Result<unsigned long> clone_flags(const std::vector<std::string>& namespaces) {
  unsigned long flags = 0;
  for (const std::string& name : namespaces) {
    unsigned long flag = 0;
    for (const auto& [known, value] : kNamespaces)
      if (name == known) flag = value;
    if (flag == 0) return fail("namespaces", "enter namespace '" + name + "': cordon knows no such namespace");
    flags |= flag;
  }
  for (const auto& [known, value] : kNamespaces)
    if ((flags & value) == 0)
      return fail("namespaces", std::string("run without a new ") + known + " namespace: every launch has all seven");
  return flags;
}

}  // namespace cordon::sandbox
