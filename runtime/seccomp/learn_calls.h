// What learn mode watches: the calls that name a file by path, and those that name a network
// address. In complain mode the filter hands them to cordon's supervisor (which lets each through)
// so that `--suggest` can say which files and which network the app used outside its Plan
// (docs/seccomp.md "Learn mode"). Never in an enforcing filter: there every one of them would cost
// a round trip to the supervisor.
#pragma once

#include <string_view>
#include <vector>

namespace cordon::seccomp {

struct PathCall {
  std::string_view name;
  int path_arg;        // the argument holding the path's address
  int dirfd_arg;       // -1: relative to the working directory
  int flags_arg;       // open flags (O_WRONLY ...); -1 when the call never writes by its path
  bool flags_in_how;   // openat2: the flags are the first field of the struct at flags_arg
  bool writes;         // the call changes what it names, whatever its flags (creat, truncate)
  bool looks;          // the call only looks (stat, access, readlink): a folder it looks at is not used
};

const std::vector<PathCall>& path_calls();
// nullptr when `name` is not one of them.
const PathCall* path_call(std::string_view name);

struct AddressCall {
  std::string_view name;
  int fd_arg;       // the socket
  int address_arg;  // its struct sockaddr (may be null: sendto on a connected socket)
  int length_arg;
};

// connect, bind, sendto.
const std::vector<AddressCall>& address_calls();
const AddressCall* address_call(std::string_view name);

}  // namespace cordon::seccomp
