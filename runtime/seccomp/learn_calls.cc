#include "seccomp/learn_calls.h"

#include <algorithm>

namespace cordon::seccomp {

// Opening, executing, looking at and changing the directory: what an app does to a file it needs.
// Calls that create or remove names (mkdir, unlink, rename) are left out: they act in a directory
// the app must already see, which an open or a stat of it shows first.
const std::vector<PathCall>& path_calls() {
  static const std::vector<PathCall> calls = {
      {"open", 0, -1, 1, false, false, false},        {"openat", 1, 0, 2, false, false, false},
      {"openat2", 1, 0, 2, true, false, false},       {"creat", 0, -1, -1, false, true, false},
      {"truncate", 0, -1, -1, false, true, false},    {"execve", 0, -1, -1, false, false, false},
      {"execveat", 1, 0, -1, false, false, false},    {"chdir", 0, -1, -1, false, false, false},
      {"stat", 0, -1, -1, false, false, true},        {"lstat", 0, -1, -1, false, false, true},
      {"newfstatat", 1, 0, -1, false, false, true},   {"statx", 1, 0, -1, false, false, true},
      {"access", 0, -1, -1, false, false, true},      {"faccessat", 1, 0, -1, false, false, true},
      {"faccessat2", 1, 0, -1, false, false, true},   {"readlink", 0, -1, -1, false, false, true},
      {"readlinkat", 1, 0, -1, false, false, true},
  };
  return calls;
}

const PathCall* path_call(std::string_view name) {
  const auto& calls = path_calls();
  auto it = std::find_if(calls.begin(), calls.end(), [&](const PathCall& c) { return c.name == name; });
  return it == calls.end() ? nullptr : &*it;
}

const std::vector<AddressCall>& address_calls() {
  static const std::vector<AddressCall> calls = {{"connect", 0, 1, 2}, {"bind", 0, 1, 2}, {"sendto", 0, 4, 5}};
  return calls;
}

const AddressCall* address_call(std::string_view name) {
  const auto& calls = address_calls();
  auto it = std::find_if(calls.begin(), calls.end(), [&](const AddressCall& c) { return c.name == name; });
  return it == calls.end() ? nullptr : &*it;
}

}  // namespace cordon::seccomp
