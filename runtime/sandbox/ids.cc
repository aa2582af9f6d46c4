#include "sandbox/ids.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <string>

#include "sandbox/private_ids.h"
#include "util/write_text.h"

namespace cordon::sandbox::ids {

// The app keeps its uid and gid inside its user namespace; nothing else is mapped, except root
// itself when root launches the app as another user: the child sets up as 0, then changes to
// the app's ids (ids::apply) before dropping its capabilities.
Result<void> map(pid_t pid, const LaunchContext& ctx) {
  const std::string base = "/proc/" + std::to_string(pid);
  auto line = [](unsigned id) { return std::to_string(id) + " " + std::to_string(id) + " 1\n"; };
  if (ctx.host_id_base != 0) {  // setgroups stays allowed: the nested namespace inherits it
    const std::string range = "1 " + std::to_string(ctx.host_id_base) + " " + std::to_string(kPrivateIdsCount) + "\n";
    CORDON_TRY(write_text("ids", base + "/uid_map", line(0) + range));
    return write_text("ids", base + "/gid_map", line(0) + range);
  }
  const bool switching = ctx.invoked_by_root && ctx.uid != 0;
  // An unprivileged launcher must deny setgroups to map a gid at all. Root keeps it allowed when it
  // switches users, so that the child can drop root's supplementary groups (ids::apply).
  if (!switching) CORDON_TRY(write_text("ids", base + "/setgroups", "deny"));
  CORDON_TRY(write_text("ids", base + "/uid_map", switching ? line(0) + line(ctx.uid) : line(ctx.uid)));
  std::string gids = switching && ctx.gid != 0 ? line(0) + line(ctx.gid) : line(ctx.gid);
  if (switching)
    for (gid_t g : ctx.groups) gids += line(g);  // apply() takes them on
  CORDON_TRY(write_text("ids", base + "/gid_map", gids));
  return {};
}

// Root naming another user: become that user. The bounding set and securebits are already locked
// (NO_SETUID_FIXUP), so the change keeps the capabilities until drop_all removes them.
Result<void> apply(uid_t uid, gid_t gid, const std::vector<gid_t>& groups) {
  // Root's groups stay behind; the user's own (mapped by map()) come along.
  if (::setgroups(groups.size(), groups.data()) != 0) return sys_fail("ids", "setgroups to the user's groups");
  if (::setresgid(gid, gid, gid) != 0) return sys_fail("ids", "setresgid " + std::to_string(gid));
  if (::setresuid(uid, uid, uid) != 0) return sys_fail("ids", "setresuid " + std::to_string(uid));
  return {};
}

namespace {

// The helper's side: waits until the caller has unshared, then maps the caller's new namespace.
// Exits with the errno of a failed step (0: mapped).
[[noreturn]] void map_nested(pid_t target, int wait_fd) {
  char byte = 0;
  if (::read(wait_fd, &byte, 1) != 1) ::_exit(ECHILD);
  const std::string proc = "/proc/" + std::to_string(target);
  const std::string range = "0 1 " + std::to_string(kPrivateIdsCount) + "\n";  // ids of the first namespace
  if (!write_text("ids", proc + "/uid_map", range) || !write_text("ids", proc + "/gid_map", range)) ::_exit(errno ? errno : EIO);
  ::_exit(0);
}

}  // namespace

Result<void> enter_private_ids() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return sys_fail("ids", "pipe");
  const pid_t self = ::getpid();
  const pid_t helper = ::fork();
  if (helper < 0) return sys_fail("ids", "fork the id-mapping helper");
  if (helper == 0) {
    ::close(p[1]);
    map_nested(self, p[0]);
  }
  ::close(p[0]);
  const bool unshared = ::unshare(CLONE_NEWUSER) == 0;
  const int unshare_errno = errno;
  const char byte = 1;
  if (unshared) (void)::write(p[1], &byte, 1);
  ::close(p[1]);  // without the byte, the helper exits unmapped
  int status = 0;
  ::waitpid(helper, &status, 0);
  if (!unshared) {
    errno = unshare_errno;
    return sys_fail("ids", "unshare --user (the app's own ids)");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    errno = WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
    return sys_fail("ids", "map the app's own ids: echo '0 1 65536' > /proc/" + std::to_string(self) + "/uid_map");
  }
  if (::setgroups(0, nullptr) != 0) return sys_fail("ids", "setgroups to none");  // host root's groups
  if (::setresgid(0, 0, 0) != 0) return sys_fail("ids", "setresgid 0 (the app's own)");
  if (::setresuid(0, 0, 0) != 0) return sys_fail("ids", "setresuid 0 (the app's own)");
  return {};
}

}  // namespace cordon::sandbox::ids
