// The Plan: pure data saying exactly what a launch sets up, every item with where it came from.
// plan::resolve makes it from a policy::Bundle without touching the system; the sandbox executes
// it; `cordon explain` prints it. Paths keep their $VARIABLES until launch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::plan {

// Who granted a Plan item. What the sandbox and the explain text switch on, so an enum: nothing
// parses "plug:NAME" back out of a string.
enum class Origin {
  cordon,  // built in: the fixed frame of every launch
  base,    // base.yaml, the template every app gets
  plug,    // an interface the app plugs; Source::name is the plug
  app,     // the app's own policy
  set,     // a syscall set of the catalogue; Source::name is the set
};

// Where a Plan item came from.
struct Source {
  Origin origin = Origin::cordon;
  std::string name;  // the plug's or the set's name; "" for the other origins
  std::string file;  // basename of the file that says it; "" for cordon's built-ins
  int line = 0;
  bool operator==(const Source&) const = default;
};
// "cordon", "base", "app", "plug:NAME", "set:NAME": the spelling of docs/plan.md's JSON.
std::string origin_label(const Source& s);

enum class MountKind {
  root_tmpfs,  // the empty root everything else is built in
  proc,        // a new procfs for the pid namespace, its kernel knobs read-only
  dev,         // a minimal /dev: null zero full random urandom tty, devpts, shm
  bind_ro,
  bind_rw,
  tmpfs,       // empty, private, writable
  hide,        // made inaccessible if it exists
};
const char* to_string(MountKind k);

struct Mount {
  MountKind kind = MountKind::bind_ro;
  std::string path;
  bool optional = false;  // a missing source is skipped rather than an error
  std::vector<Source> from;
  bool operator==(const Mount&) const = default;
};

struct Device {
  std::string path;
  bool optional = false;
  std::vector<Source> from;
  bool operator==(const Device&) const = default;
};

struct EnvEntry {
  std::string name;
  std::string value;  // may hold $VARIABLES, expanded at launch
  Source from;
  bool operator==(const EnvEntry&) const = default;
};

// The limits a policy may set; each has one unit.
enum class LimitKind { cpu_time, memory, open_files, processes };
const char* to_string(LimitKind k);  // cpu-time, memory, open-files, processes
const char* unit_of(LimitKind k);    // ms, bytes, count, count

struct Limit {
  LimitKind kind = LimitKind::memory;
  std::uint64_t value = 0;  // in unit_of(kind)
  std::string enforced_by;  // the kernel mechanism: RLIMIT_DATA, RLIMIT_NPROC, ...
  Source from;
  bool operator==(const Limit&) const = default;
};

struct Plug {
  std::string name;
  std::string connection;  // auto | manual
  bool connected = false;  // a manual plug grants nothing until `cordon connect`
  std::vector<std::pair<std::string, std::string>> attributes;
  Source from;
  bool operator==(const Plug&) const = default;
};

struct SetUse {
  std::string name;
  std::string summary;
  std::vector<Source> from;           // the base, plug or set that brought it in
  std::vector<std::string> syscalls;  // its own members, sorted
  bool operator==(const SetUse&) const = default;
};

// A name granted by one or more sources: a syscall, an address family.
struct Named {
  std::string name;
  std::vector<Source> from;
  bool operator==(const Named&) const = default;
};

inline bool has_name(const std::vector<Named>& list, std::string_view name) {
  for (const Named& n : list)
    if (n.name == name) return true;
  return false;
}

// What an argument rule does; the compiler and the explain text switch on it.
enum class RuleAction {
  fail_with_errno,  // the call fails with errno_name, whatever its arguments
  deny,             // argument `arg` equal to one of `values` is refused
  deny_bits,        // argument `arg` with any of the bits in `values` is refused
  deny_all_bits,    // argument `arg` with all of the bits in `values` together is refused
  allow_only,       // argument `arg` must be one of `values`
};
const char* to_string(RuleAction a);  // errno, deny, deny-bits, deny-all-bits, allow-only

struct Rule {
  std::string syscall;
  RuleAction action = RuleAction::deny;
  int arg = -1;
  bool low32 = false;
  std::vector<std::string> values;  // constant names (all actions but fail_with_errno)
  int if_arg = -1;                  // deny only while argument if_arg ...
  std::string if_equals;            // ... equals this constant (low 32 bits, as `low32`)
  std::string errno_name;           // for fail_with_errno
  std::string why;
  std::vector<Source> from;
  bool operator==(const Rule&) const = default;
};

enum class NoticeKind {
  unenforced,   // the policy asks for something this cordon cannot enforce yet; `run` refuses the Plan
  unconnected,  // a manual plug that grants nothing until `cordon connect`
  info,         // nothing is weaker than asked (e.g. best-effort asked, strict given)
};
const char* to_string(NoticeKind k);

struct Notice {
  NoticeKind kind = NoticeKind::info;
  std::string message;
  Source from;
  bool operator==(const Notice&) const = default;
};

// none: a network namespace with loopback only; host: IP sockets made in the host's namespace.
enum class NetworkMode { none, host };
const char* to_string(NetworkMode m);

// Another app's slot the app plugs and the owner connected (docs/slots.md): the provider's socket
// or directory, found at launch below the provider's $APP_DATA and bound at /run/slots/PROVIDER/SLOT.
struct SlotMount {
  std::string provider;
  std::string slot;
  std::string kind;  // socket | directory
  std::string path;  // below the provider's $APP_DATA
  bool writable = false;
  Source from;
  bool operator==(const SlotMount&) const = default;
};

// Where a slot is shown inside the consumer's sandbox.
inline std::string slot_mount_point(const SlotMount& s) { return "/run/slots/" + s.provider + "/" + s.slot; }

// Where the dbus plug's proxy socket is inside (sandbox/dbus_proxy.h binds it there).
inline constexpr const char* kDbusSessionInside = "/run/cordon/session-bus";
inline constexpr const char* kDbusSystemInside = "/run/dbus/system_bus_socket";

// A filtering D-Bus proxy for the app (the dbus interface, docs/interfaces.md "dbus"): started
// per launch outside the sandbox, its socket the only bus the app sees.
struct DbusProxy {
  std::string bus;                // session | system
  std::vector<std::string> talk;  // names the app may see and call
  std::vector<std::string> own;   // names the app may own
  Source from;
  bool operator==(const DbusProxy&) const = default;
};

// TCP ports first..last (one port: first == last), and who asked for them: a plug's connect-ports
// or bind-ports, or cordon's "dns" (port 53 for name resolution over TCP).
struct PortRange {
  int first = 0;
  int last = 0;
  std::vector<Source> from;
  bool operator==(const PortRange&) const = default;
};

// The host network narrowed to TCP ports (docs/interfaces.md "network"): when every plug that
// grants the host network names its ports. Then only TCP sockets are made (Landlock filters TCP
// only), connect() reaches `connect` and bind() takes `bind`, enforced by Landlock's network rules
// (ABI 4). A direction with no port allows none.
struct PortFilter {
  bool active = false;
  std::vector<PortRange> connect;  // sorted, merged where they touch
  std::vector<PortRange> bind;
  bool best_effort = false;  // every plug that named ports said enforcement: best-effort
  bool operator==(const PortFilter&) const = default;
};

// How a Plan spells a payload-relative first word of the command or health check (resolve.cc),
// which the launch turns into the path it has inside (sandbox/expand.cc).
inline constexpr std::string_view kAppRootPrefix = "$APP_ROOT/";

struct Plan {
  int version = 1;
  std::string app;
  std::string summary;
  std::vector<std::string> command;
  // An installed package's check that a refresh worked (docs/packaging.md); empty when none.
  // A relative first word of either names a file of the payload: "$APP_ROOT/bin/x".
  std::vector<std::string> health_check;
  Source app_from;
  std::string hostname;
  std::vector<Plug> plugs;
  std::vector<std::string> namespaces;  // always new, for root too, "net" included
  NetworkMode network = NetworkMode::none;
  std::vector<Source> network_from;
  PortFilter ports;                     // active only with NetworkMode::host
  std::vector<Mount> mounts;            // in the order they are applied
  std::vector<Device> devices;
  std::vector<SlotMount> slots;         // other apps' slots, connected, in plug order
  std::vector<DbusProxy> dbus;          // at most one: the dbus plug's, when connected
  std::vector<EnvEntry> environment;    // sorted by name
  std::vector<Limit> limits;
  std::vector<SetUse> syscall_sets;     // sorted by name
  std::vector<Named> syscalls;        // the allowlist, sorted
  std::vector<Named> denied;          // removed by a deny (deny wins)
  std::vector<std::string> denied_to_all;  // the catalogue's `denied:` list: never granted, never let through
  std::vector<Rule> rules;
  std::vector<Named> socket_families; // address families socket() may use
  std::vector<Notice> notices;          // accepted but not enforced yet, unconnected plugs
  bool operator==(const Plan&) const = default;
};

}  // namespace cordon::plan
