// openat2(2) with its resolve flags, close-on-exec always: the one way cordon opens a path whose
// lookup must not follow links or leave a tree (glibc 2.36 has no wrapper).
#pragma once

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace cordon {

inline int open_resolved(int dir, const char* path, int flags, std::uint64_t resolve) {
  struct open_how how {};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = resolve;
  return static_cast<int>(::syscall(SYS_openat2, dir, path, &how, sizeof how));
}

}  // namespace cordon
