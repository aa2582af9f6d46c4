#include "sandbox/dbus_proxy.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace cordon::sandbox {

namespace {

using plan::kDbusSessionInside;
using plan::kDbusSystemInside;
constexpr int kReadyTimeoutMs = 10000;

std::string find_proxy() {
  for (const char* path : {"/usr/bin/xdg-dbus-proxy", "/usr/local/bin/xdg-dbus-proxy"})
    if (::access(path, X_OK) == 0) return path;
  return "";
}

// The child side of fork(): the sync socket as fd 3, nothing else inherited, the app's ids, exec.
[[noreturn]] void exec_proxy(const std::string& program, const std::vector<std::string>& argv, int sync,
                             const AppCredentials& app, bool change_ids) {
  if (::dup2(sync, 3) < 0) ::_exit(127);
  ::syscall(SYS_close_range, 4u, ~0u, 0u);
  if (change_ids) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(app.gid, app.gid, app.gid) != 0 ||
        ::setresuid(app.uid, app.uid, app.uid) != 0)
      ::_exit(126);
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char* env[] = {nullptr};
  ::execve(program.c_str(), args.data(), env);
  ::_exit(127);
}

Result<void> wait_until_ready(int sync, pid_t pid) {
  pollfd p{sync, POLLIN, 0};
  const int n = ::poll(&p, 1, kReadyTimeoutMs);
  char byte = 0;
  if (n == 1 && ::read(sync, &byte, 1) == 1) return {};
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid)
    return fail("dbus", "start xdg-dbus-proxy: it exited (" +
                            (WIFEXITED(status) ? "status " + std::to_string(WEXITSTATUS(status)) : std::string("killed")) +
                            ") before it was ready: is the bus address reachable?");
  return fail("dbus", "start xdg-dbus-proxy: not ready after " + std::to_string(kReadyTimeoutMs / 1000) + " s");
}

}  // namespace

DbusProxies::~DbusProxies() {
  for (Running& r : running) {
    r.sync.reset();  // the proxy exits when its end closes
    if (r.pid > 0) {
      ::kill(r.pid, SIGTERM);
      ::waitpid(r.pid, nullptr, 0);
    }
    if (!r.folder.empty()) {
      ::unlink((r.folder + "/bus").c_str());
      ::rmdir(r.folder.c_str());
    }
  }
}

std::vector<std::string> dbus_proxy_argv(const plan::DbusProxy& proxy, const std::string& address,
                                         const std::string& socket_path) {
  std::vector<std::string> argv{"xdg-dbus-proxy", address, socket_path, "--filter"};
  for (const std::string& n : proxy.talk) argv.push_back("--talk=" + n);
  for (const std::string& n : proxy.own) argv.push_back("--own=" + n);
  argv.push_back("--fd=3");
  return argv;
}

Result<std::string> dbus_bus_address(const plan::DbusProxy& proxy, const LaunchContext& ctx) {
  if (proxy.bus == "system") return "unix:path=" + std::string(kDbusSystemInside);  // the host's, at the same path
  const std::string& a = ctx.dbus_session_address;
  if (a.empty())
    return fail("dbus", "proxy the session bus: DBUS_SESSION_BUS_ADDRESS is not set (no session bus to give the app)");
  // One unix:path= address, no other keys: an abstract socket would be the host network
  // namespace's, and a TCP bus the network's.
  if (a.rfind("unix:path=", 0) != 0 || a.find_first_of(",;") != std::string::npos)
    return fail("dbus", "proxy the session bus: DBUS_SESSION_BUS_ADDRESS '" + a +
                            "' is not a single unix:path= address, the only kind cordon proxies");
  return a;
}

Result<void> start_dbus_proxies(const plan::Plan& plan, const LaunchContext& ctx, const AppCredentials& app,
                                Expanded& e, DbusProxies& proxies) {
  for (const plan::DbusProxy& proxy : plan.dbus) {
    // Root's uid-0 app is uid 0 inside and host ids of its own outside: a bus would hear "uid 0"
    // from a client whose peer credentials say otherwise and refuse it, or, were the proxy root,
    // take the app for root. Neither is wanted; such an app gets no bus.
    if (ctx.host_id_base != 0)
      return fail("dbus", "give the app a bus: the dbus plug is not available to an app root runs as uid 0 (it would speak to the bus as "
                          "root); run it as a user: cordon run --user NAME APP");
    auto address = dbus_bus_address(proxy, ctx);
    if (!address) return address.error();
    const std::string program = find_proxy();
    if (program.empty())
      return fail("dbus", "the dbus plug needs xdg-dbus-proxy, which is not installed (apt install xdg-dbus-proxy)");
    DbusProxies::Running run;
    char folder[] = "/tmp/cordon-dbus-XXXXXX";
    if (!::mkdtemp(folder)) return sys_fail("dbus", "mkdir /tmp/cordon-dbus-XXXXXX");
    run.folder = folder;
    const bool change_ids = ::getuid() != app.uid;
    if (change_ids && ::chown(folder, app.uid, app.gid) != 0) {
      ::rmdir(folder);
      return sys_fail("dbus", "chown " + run.folder);
    }
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      ::rmdir(folder);
      return sys_fail("dbus", "socketpair");
    }
    run.sync = UniqueFd(pair[0]);
    UniqueFd theirs(pair[1]);
    const std::vector<std::string> argv = dbus_proxy_argv(proxy, *address, run.folder + "/bus");
    run.pid = ::fork();
    if (run.pid < 0) return sys_fail("dbus", "fork for xdg-dbus-proxy");
    if (run.pid == 0) exec_proxy(program, argv, theirs.get(), app, change_ids);
    theirs.reset();
    proxies.running.push_back(std::move(run));
    DbusProxies::Running& started = proxies.running.back();
    CORDON_TRY(wait_until_ready(started.sync.get(), started.pid));
    const bool session = proxy.bus != "system";
    Step bind{plan::MountKind::bind_ro, session ? kDbusSessionInside : kDbusSystemInside, false, false, "the dbus plug's proxy"};
    bind.source = started.folder + "/bus";
    bind.expect = Step::Expect::socket;
    e.mounts.push_back(bind);  // the Plan's environment names it already (plan::resolve)
  }
  return {};
}

}  // namespace cordon::sandbox
