// Builds the app's root: a tmpfs with the Plan's binds, tmpfs, hides, its own /proc (kernel knobs
// read-only) and a minimal /dev, then pivots into it, drops the host root and makes "/" read-only.
// Runs in the child, inside its new user and mount namespaces; never touches the host's mounts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sandbox/expand.h"
#include "util/result.h"

namespace cordon::sandbox::mounts {

// How much the app's writable tmpfs mounts (/tmp, /run, /var/tmp, /dev/shm and the Plan's tmpfs
// entries) may hold, all of them together: they are parts of one tmpfs. RLIMIT_DATA does not count
// tmpfs pages, and a user's launch has no cgroup, so this is what bounds them there.
struct TmpfsBudget {
  std::uint64_t bytes = 0;
  std::uint64_t inodes = 0;  // each inode is kernel memory that size= does not count
};

// `app_is_root`: the app runs as uid 0, which on the host is root: /proc files that only their
// mode protects are masked. `hostname` is added to the app's /etc/hosts (sandbox/hosts_file.h).
// `dns_over_tcp`: the app's resolv.conf says use-vc (sandbox/resolv_conf.h).
Result<void> build_root(const std::vector<Step>& steps, const TmpfsBudget& budget, bool app_is_root,
                        const std::string& hostname, bool dns_over_tcp);

}  // namespace cordon::sandbox::mounts
