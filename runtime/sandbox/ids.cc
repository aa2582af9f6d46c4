#include "sandbox/ids.h"

#include <grp.h>
#include <unistd.h>

#include <string>

#include "util/write_text.h"

namespace cordon::sandbox::ids {

// The app keeps its uid and gid inside its user namespace; nothing else is mapped, except root
// itself when root launches the app as another user: the child sets up as 0, then changes to
// the app's ids (ids::apply) before dropping its capabilities.
Result<void> map(pid_t pid, const LaunchContext& ctx) {
  const std::string base = "/proc/" + std::to_string(pid);
  auto line = [](unsigned id) { return std::to_string(id) + " " + std::to_string(id) + " 1\n"; };
  const bool switching = ctx.invoked_by_root && ctx.uid != 0;
  // An unprivileged launcher must deny setgroups to map a gid at all. Root keeps it allowed when it
  // switches users, so that the child can drop root's supplementary groups (ids::apply).
  if (!switching) CORDON_TRY(write_text("ids", base + "/setgroups", "deny"));
  CORDON_TRY(write_text("ids", base + "/uid_map", switching ? line(0) + line(ctx.uid) : line(ctx.uid)));
  CORDON_TRY(write_text("ids", base + "/gid_map", switching && ctx.gid != 0 ? line(0) + line(ctx.gid) : line(ctx.gid)));
  return {};
}

// Root naming another user: become that user. The bounding set and securebits are already locked
// (NO_SETUID_FIXUP), so the change keeps the capabilities until drop_all removes them.
Result<void> apply(uid_t uid, gid_t gid) {
  if (::setgroups(0, nullptr) != 0) return sys_fail("ids", "setgroups to none");  // root's groups stay behind
  if (::setresgid(gid, gid, gid) != 0) return sys_fail("ids", "setresgid " + std::to_string(gid));
  if (::setresuid(uid, uid, uid) != 0) return sys_fail("ids", "setresuid " + std::to_string(uid));
  return {};
}

}  // namespace cordon::sandbox::ids
