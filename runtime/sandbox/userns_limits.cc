#include "sandbox/userns_limits.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "util/unique_fd.h"

namespace cordon::sandbox::userns_limits {

namespace {

struct Cap {
  const char* knob;  // under /proc/sys/user/
  const char* value;
  const char* why;
};

// A new user namespace starts with every count unlimited (INT_MAX); only its ancestors bound it.
constexpr Cap kCaps[] = {
    // Debian's per-user default is 128 for the whole host; an app that needs more than 32 is rare
    // (a file manager or IDE uses one per watcher library), and 96 stay for the user's other work.
    {"max_inotify_instances", "32", "inotify instances"},
    // The old kernel default per user; each watch pins ~1 KiB of unswappable kernel memory.
    {"max_inotify_watches", "8192", "inotify watches"},
    // fanotify_init and fanotify_mark are denied by the default syscall sets: a second wall.
    {"max_fanotify_groups", "0", "fanotify groups"},
    {"max_fanotify_marks", "0", "fanotify marks"},
    // Apps may create no namespaces (clone flags, unshare and setns are denied): a second wall,
    // and it keeps the app from spending the user's namespace counts. Not mount namespaces:
    // open_tree(OPEN_TREE_CLONE) and fsmount, with which cordon builds the root right after this,
    // each make an anonymous one.
    {"max_user_namespaces", "0", "user namespaces"},
    {"max_pid_namespaces", "0", "pid namespaces"},
    {"max_net_namespaces", "0", "network namespaces"},
    {"max_ipc_namespaces", "0", "ipc namespaces"},
    {"max_uts_namespaces", "0", "uts namespaces"},
    {"max_cgroup_namespaces", "0", "cgroup namespaces"},
    {"max_time_namespaces", "0", "time namespaces"},
};

}  // namespace

Result<void> apply(bool one_user_namespace) {
  for (const Cap& c : kCaps) {
    const std::string path = std::string("/proc/sys/user/") + c.knob;
    // Root's uid-0 app runs in one nested user namespace (ids::enter_private_ids); counts are
    // charged up the chain, so with 1 here the app still can make none of its own.
    const char* value = one_user_namespace && std::string(c.knob) == "max_user_namespaces" ? "1" : c.value;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid() && errno == ENOENT) continue;  // not on this kernel (fanotify: 5.13+, time ns: 5.6+)
    const std::string text = std::string(value) + "\n";
    if (!fd.valid() || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      return sys_fail("userns-limits", "echo " + std::string(value) + " > " + path + " (" + c.why + ")");
  }
  return {};
}

}  // namespace cordon::sandbox::userns_limits
