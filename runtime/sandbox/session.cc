#include "sandbox/session.h"

#include <linux/keyctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace cordon::sandbox::session {

namespace {

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const std::string& e : env)
    if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
  return {};
}

}  // namespace

Result<void> leave_host_session() {
  if (::setsid() < 0) return sys_fail("session", "setsid");
  return {};
}

Result<void> join_new_keyring() {
  if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0)
    return sys_fail("keyring", "keyctl join a new session keyring");
  return {};
}

Result<void> set_file_mode_mask() {
  ::umask(022);  // cannot fail
  return {};
}

Result<void> enter_home(const std::vector<std::string>& env) {
  const std::string home = env_value(env, "HOME");
  if (home.empty() || ::chdir(home.c_str()) != 0) (void)::chdir("/");
  return {};
}

}  // namespace cordon::sandbox::session
