// Learn mode (`cordon run --complain`): the path a notified call names, as the app sees it,
// read from the app's memory by the supervisor. What it is for is a suggestion, never a decision:
// the app may change the memory after it is read, and the call goes through whatever it says.
#pragma once

#include <linux/seccomp.h>

#include <optional>
#include <string>

#include "seccomp/learn_calls.h"

namespace cordon::sandbox {

struct PathUse {
  std::string syscall;
  std::string path;    // absolute, with no "." or ".." left (links are not resolved: the app's view)
  bool write = false;  // opened for writing, created or truncated
  bool looks = false;  // only looked at (stat, access, readlink), not opened, run or entered
};

// nullopt when the path cannot be read (the caller died, an address that is not mapped), is empty
// (a call on a descriptor, AT_EMPTY_PATH) or is relative to a descriptor that is not a directory
// the app sees by path.
std::optional<PathUse> path_use_of(int listener, const seccomp_notif& n, const seccomp::PathCall& call);

// "/a/./b/../c" -> "/a/c"; ".." at the root stays at the root.
std::string normal_path(const std::string& absolute);

}  // namespace cordon::sandbox
