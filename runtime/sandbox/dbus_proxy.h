// The dbus plug's bus (docs/interfaces.md "dbus"): never the bus itself, but Debian's
// xdg-dbus-proxy in filtering mode, one per launch, started before the child and stopped after the
// app. The proxy runs outside the sandbox as the app's user (root's launches: the app's own host
// ids), listens on a socket in a new private folder (/tmp/cordon-dbus-XXXXXX, the app user's,
// 0700), and tells the launcher it is ready on a socketpair it also watches: when the launcher
// closes its end (or dies), the proxy exits. The socket is bound into the sandbox like any grant:
// the session bus at /run/cordon/session-bus (DBUS_SESSION_BUS_ADDRESS says so), the system bus at
// /run/dbus/system_bus_socket, where libraries look for it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "plan/plan.h"
#include "sandbox/context.h"
#include "sandbox/expand.h"
#include "sandbox/socket_maker.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

// The running proxies; stopping them (and removing their folders) is the destructor's.
class DbusProxies {
 public:
  DbusProxies() = default;
  DbusProxies(const DbusProxies&) = delete;
  DbusProxies& operator=(const DbusProxies&) = delete;
  ~DbusProxies();

  struct Running {
    pid_t pid = -1;
    UniqueFd sync;        // the launcher's end: closing it stops the proxy
    std::string folder;   // holds the proxy's socket
  };
  std::vector<Running> running;
};

// xdg-dbus-proxy's command line for `proxy`: the bus address, the socket, --filter, a --talk and
// --own per name, --fd=3 (exposed for the unit tests).
std::vector<std::string> dbus_proxy_argv(const plan::DbusProxy& proxy, const std::string& address,
                                         const std::string& socket_path);

// The bus address the proxy connects to: the system bus's, or the invoker's session bus, which must
// be a unix:path= address (an abstract or TCP address is refused with the reason).
Result<std::string> dbus_bus_address(const plan::DbusProxy& proxy, const LaunchContext& ctx);

// Starts a proxy for each of the Plan's and waits until each is ready; adds the bind of its socket
// to `e.mounts` (the Plan's environment has the bus address).
Result<void> start_dbus_proxies(const plan::Plan& plan, const LaunchContext& ctx, const AppCredentials& app,
                                Expanded& e, DbusProxies& proxies);

}  // namespace cordon::sandbox
