#include "launcher/host.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <string>
#include <string_view>

#include "util/strings.h"

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

// CORDON_DATA_DIR (an absolute path) first: a program linked with libcordon is not in the prefix's
// bin/ (docs/library.md). Then BIN/../share/cordon beside the executable, over the configured
// prefix, so a build tree and a relocated install both find their own data.
std::string data_dir() {
  if (const std::string chosen = env_or_empty("CORDON_DATA_DIR"); !chosen.empty() && chosen[0] == '/') return chosen;
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

namespace {

// A user's groups from the group database, without its primary group and root's group (whose id
// the user namespace maps to root already), at most kMaxGroups of them.
std::vector<gid_t> supplementary_groups(const char* name, gid_t primary) {
  constexpr int kMaxGroups = 64;  // a gid_map takes 340 lines; a person has a handful of groups
  std::vector<gid_t> all(256);
  int n = static_cast<int>(all.size());
  if (::getgrouplist(name, primary, all.data(), &n) < 0) n = std::min<int>(n, static_cast<int>(all.size()));
  std::vector<gid_t> out;
  for (int i = 0; i < n && static_cast<int>(out.size()) < kMaxGroups; ++i)
    if (all[i] != primary && all[i] != 0 && std::find(out.begin(), out.end(), all[i]) == out.end()) out.push_back(all[i]);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int listen_fd_count() {
  const std::string pid = env_or_empty("LISTEN_PID"), fds = env_or_empty("LISTEN_FDS");
  if (!all_digits(pid) || !all_digits(fds) || pid.size() > 10 || fds.size() > 2) return 0;
  if (std::stoul(pid) != static_cast<unsigned long>(::getpid())) return 0;
  const int n = std::stoi(fds);
  if (n < 1 || n > 64) return 0;
  for (int fd = 3; fd < 3 + n; ++fd)
    if (::fcntl(fd, F_GETFD) < 0) return 0;
  return n;
}

namespace {

// What a descriptor handed on for socket activation may be: what systemd passes (sockets, FIFOs,
// special files, and memfds or files from its descriptor store). Not a directory or an O_PATH
// descriptor, through which the app could open or connect to what its mounts do not show.
Result<void> check_listen_fd(int fd) {
  struct stat st {};
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fstat(fd, &st) != 0) return sys_fail("ids", "look at LISTEN_FDS descriptor " + std::to_string(fd));
  const bool path_only = (flags & O_PATH) != 0;
  if (path_only || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISLNK(st.st_mode))
    return fail("service", "hand descriptor " + std::to_string(fd) + " to the app for socket activation: it is " +
                               (path_only ? "an O_PATH descriptor" : S_ISDIR(st.st_mode) ? "a directory" : "a block device") +
                               ", not a socket, FIFO or file; refused (fix the unit's Listen*= lines)");
  return {};
}

// systemd's service protocol, only when systemd gave it to this process: a notify socket by path
// (an abstract one is in the host's network namespace, out of the app's reach), and sockets for
// socket activation when LISTEN_PID names cordon itself and each of the fds is open.
Result<void> systemd_service_inputs(sandbox::LaunchContext& ctx) {
  const std::string notify = env_or_empty("NOTIFY_SOCKET");
  if (!notify.empty() && notify[0] == '/') ctx.notify_socket = notify;
  const int n = listen_fd_count();
  for (int fd = 3; fd < 3 + n; ++fd)
    if (auto ok = check_listen_fd(fd); !ok) return ok.error();
  ctx.listen_fds = n;
  if (n > 0) ctx.listen_fdnames = env_or_empty("LISTEN_FDNAMES");
  return {};
}

}  // namespace

// Who the app runs as: the invoker, or for root the user `--user` names (its uid, gid and home
// come from the user database, not from root's environment).
Result<sandbox::LaunchContext> launch_context(const std::string& user) {
  sandbox::LaunchContext ctx;
  ctx.uid = ::getuid();
  ctx.gid = ::getgid();
  ctx.invoked_by_root = ctx.uid == 0;
  ctx.home = env_or_empty("HOME");
  if (!user.empty()) {
    if (ctx.uid != 0) return fail("ids", "run as " + user + ": only root may choose the user");
    const passwd* pw = all_digits(user) ? ::getpwuid(static_cast<uid_t>(std::stoul(user)))
                                        : ::getpwnam(user.c_str());
    if (!pw) return fail("ids", "run as " + user + ": no such user");
    ctx.uid = pw->pw_uid;
    ctx.gid = pw->pw_gid;
    ctx.home = pw->pw_dir;
    if (ctx.uid != 0) ctx.groups = supplementary_groups(pw->pw_name, pw->pw_gid);
  }
  ctx.xdg_runtime_dir = env_or_empty("XDG_RUNTIME_DIR");
  ctx.xdg_data_home = ctx.uid == 0 ? "" : env_or_empty("XDG_DATA_HOME");  // root ignores XDG (DESIGN.md)
  ctx.term = env_or_empty("TERM");
  if (auto service = systemd_service_inputs(ctx); !service) return service.error();
  ctx.dbus_session_address = env_or_empty("DBUS_SESSION_BUS_ADDRESS");
  if (!ctx.invoked_by_root) {  // root's state is in /etc, /var/lib and /var/cache: the Plan's frame hides it
    auto xdg = [&](const char* var, const char* fallback) {
      const std::string v = env_or_empty(var);
      return (!v.empty() && v[0] == '/' ? v : ctx.home + fallback) + "/cordon";
    };
    ctx.state_dirs = {xdg("XDG_DATA_HOME", "/.local/share"), xdg("XDG_CACHE_HOME", "/.cache"),
                      xdg("XDG_CONFIG_HOME", "/.config")};
  }
  return ctx;
}


app::ConnectionStores invoker_connection_stores() {
  return app::connection_stores(::getuid(), env_or_empty("HOME"), env_or_empty("XDG_CONFIG_HOME"));
}

bool colour_on_stderr() {
  const char* no_colour = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if (no_colour && *no_colour) return false;
  if (!term || std::string_view(term) == "dumb") return false;
  return ::isatty(STDERR_FILENO) == 1;
}

}  // namespace cordon::launcher
