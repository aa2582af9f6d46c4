// What a launch knows that the Plan does not: who runs it and where that user's things are.
// The launcher fills it from the process; the sandbox expands the Plan's variables with it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace cordon::seccomp {
struct Filters;  // seccomp/compile.h
}

namespace cordon::sandbox {

class DenialSink;  // sandbox/denials.h

// Told of the launch's progress, for a caller that reports it (`cordon run --status-fd`).
class LaunchEvents {
 public:
  virtual ~LaunchEvents() = default;
  // The sandbox exists: `init` is its pid 1 as the host numbers it, its namespaces made and its ids
  // mapped; the app has not run yet.
  virtual void sandbox_started(pid_t init) = 0;
};

// Where every sandbox of an installed package shows its payload, read-only ($APP_ROOT): the same
// path for every revision, as Flatpak's /app.
inline constexpr const char* kAppRootInside = "/app";

struct LaunchContext {
  uid_t uid = 0;                  // the user the app runs as: the invoker, or the one root named
  gid_t gid = 0;
  // Root naming another user (`--user`): that user's supplementary groups, as runuser and
  // systemd's User= give them (a serial port reached through `dialout`). Never 0, never `gid`.
  std::vector<gid_t> groups;
  bool invoked_by_root = false;   // root's layout (/var/lib/cordon) even when the app runs as another user
  // Root's app running as uid 0: the first of the host ids its sandbox's ids 0..65535 are
  // (private_ids.h); 0 when the app's ids are its own host ids.
  uid_t host_id_base = 0;
  std::string home;               // the app user's real home ($HOME)
  std::string policy_file;        // the app's policy, resolved: kept read-only inside the app's writable grants
  std::vector<std::string> policy_links;  // symbolic links on the way to it as it was named (state_guard.h)
  // What cordon reads to make a launch (policy and interface folders, the syscall catalogue, its
  // data and its executable's folder): never the app's to write.
  std::vector<std::string> search_dirs;
  std::string origin;             // who owns the app's name and data (app_origin.h); "" is not checked
  // An installed package: its current revision's folder on the host, bound read-only at
  // kAppRootInside. "" for an app that is a policy file (it has no $APP_ROOT).
  std::string app_root;
  bool health_check = false;      // run the Plan's health check instead of its command
  std::string xdg_runtime_dir;    // "" when the invoker has none
  std::string xdg_data_home;      // "" means $HOME/.local/share; ignored for root
  std::string term;               // $TERM, passed through when set
  // systemd's service protocol (docs/sandbox.md "Under systemd"): the notify socket's path (bound
  // into the sandbox at the same path, NOTIFY_SOCKET set), and the sockets systemd handed cordon as
  // fds 3..3+listen_fds-1 (socket activation), handed on to the app with LISTEN_FDS, LISTEN_FDNAMES
  // and LISTEN_PID. Empty and 0 when systemd gave none.
  std::string notify_socket;
  int listen_fds = 0;
  std::string listen_fdnames;
  std::string dbus_session_address;  // $DBUS_SESSION_BUS_ADDRESS, for the dbus plug's proxy ("" when unset)
  std::vector<std::string> state_dirs;  // this user's cordon state (XDG data, cache, config): hidden in every sandbox
  std::vector<std::string> args;  // appended to the Plan's command (`cordon run APP -- ARGS`)
  bool timing = false;            // `--timing`: print each step's duration to stderr
  // false: launch() returns as soon as every process of the app is gone, while the kernel still
  // tears its namespaces down (~0.35 ms); the sandbox's init is then left for the caller's reaper.
  // For a caller that exits right away (`cordon run`). A launch with a cgroup always waits.
  bool wait_for_teardown = true;
  LaunchEvents* events = nullptr;  // may be null
  // Told of every call the filter hands to cordon (seccomp::Denials::notify, complain); may be null.
  DenialSink* denial_sink = nullptr;
  // The errno-only programs of the same Plan, for a launch under a filter that may already hold
  // the one listener a chain may have (seccomp_filter.h): the launcher takes them from the filter
  // cache. Null: launch() compiles them itself, before the clone, when it runs under a filter.
  const seccomp::Filters* errno_only_fallback = nullptr;
};

}  // namespace cordon::sandbox
