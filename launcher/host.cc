#include "launcher/host.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <string>

#ifndef CORDON_DATADIR
#error "CORDON_DATADIR must name the installed data directory"
#endif

namespace cordon::launcher {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// BIN/../share/cordon beside the executable wins over the configured prefix, so a build tree and
// a relocated install both find their own data.
std::string data_dir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    std::string exe(buf, static_cast<std::size_t>(n));
    const std::size_t slash = exe.rfind('/');
    if (slash != std::string::npos) {
      const std::string candidate = exe.substr(0, slash) + "/../share/cordon";
      char resolved[4096];
      if (is_dir(candidate + "/interfaces") && ::realpath(candidate.c_str(), resolved)) return resolved;
    }
  }
  return CORDON_DATADIR;
}

}  // namespace

policy::HostContext read_host_context() {
  policy::HostContext h;
  h.uid = ::getuid();
  h.home = env_or_empty("HOME");
  h.xdg_config_home = env_or_empty("XDG_CONFIG_HOME");
  h.policy_path = env_or_empty("CORDON_POLICY_PATH");
  h.interface_path = env_or_empty("CORDON_INTERFACE_PATH");
  h.data_dir = data_dir();
  return h;
}

}  // namespace cordon::launcher
