// The Plan: pure data saying exactly what a launch sets up, every item with where it came from.
// plan::resolve makes it from a policy::Bundle without touching the system; the sandbox executes
// it; `cordon explain` prints it. Paths keep their $VARIABLES until launch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::plan {

// Where a Plan item came from.
struct Source {
  std::string origin;  // "cordon" (built in), "base", "plug:NAME", "app", "set:NAME"
  std::string file;    // basename of the file that says it; "" for cordon's built-ins
  int line = 0;
  bool operator==(const Source& o) const { return origin == o.origin && file == o.file && line == o.line; }
};

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
};

struct Device {
  std::string path;
  bool optional = false;
  std::vector<Source> from;
};

struct EnvEntry {
  std::string name;
  std::string value;  // may hold $VARIABLES, expanded at launch
  Source from;
};

struct Limit {
  std::string name;   // memory, processes, open-files, cpu-time
  std::uint64_t value = 0;
  std::string unit;   // bytes, count, ms
  std::string enforced_by;  // the kernel mechanism: RLIMIT_DATA, RLIMIT_NPROC, ...
  Source from;
};

struct Plug {
  std::string name;
  std::string connection;  // auto | manual
  bool connected = false;  // a manual plug grants nothing until `cordon connect`
  std::vector<std::pair<std::string, std::string>> attributes;
  Source from;
};

struct SetUse {
  std::string name;
  std::string summary;
  std::vector<Source> from;           // the base, plug or set that brought it in
  std::vector<std::string> syscalls;  // its own members, sorted
};

// A name granted by one or more sources: a syscall, an address family.
struct Named {
  std::string name;
  std::vector<Source> from;
};

inline bool has_name(const std::vector<Named>& list, std::string_view name) {
  for (const Named& n : list)
    if (n.name == name) return true;
  return false;
}

struct Rule {
  std::string syscall;
  std::string action;               // errno | deny | deny-bits | allow-only
  int arg = -1;
  bool low32 = false;
  std::vector<std::string> values;  // constant names (deny, deny-bits, allow-only)
  int if_arg = -1;                  // deny only while argument if_arg ...
  std::string if_equals;            // ... equals this constant (low 32 bits, as `low32`)
  std::string errno_name;           // for errno
  std::string why;
  std::vector<Source> from;
};

struct Notice {
  // unenforced: the policy asks for something this cordon cannot enforce yet; `run` refuses the Plan.
  // unconnected: a manual plug that grants nothing until `cordon connect`.
  // info: nothing is weaker than asked (e.g. best-effort asked, strict given).
  std::string kind;
  std::string message;
  Source from;
};

struct Plan {
  int version = 1;
  std::string app;
  std::string summary;
  std::vector<std::string> command;
  Source app_from;
  std::string hostname;
  std::vector<Plug> plugs;
  std::vector<std::string> namespaces;  // always new, for root too, "net" included
  std::string network = "none";         // none: loopback only; host: IP sockets from the host's namespace
  std::vector<Source> network_from;
  std::vector<Mount> mounts;            // in the order they are applied
  std::vector<Device> devices;
  std::vector<EnvEntry> environment;    // sorted by name
  std::vector<Limit> limits;
  std::vector<SetUse> syscall_sets;     // sorted by name
  std::vector<Named> syscalls;        // the allowlist, sorted
  std::vector<Named> denied;          // removed by a deny (deny wins)
  std::vector<std::string> denied_to_all;  // the catalogue's `denied:` list: never granted, never let through
  std::vector<Rule> rules;
  std::vector<Named> socket_families; // address families socket() may use
  std::vector<Notice> notices;          // accepted but not enforced yet, unconnected plugs
};

}  // namespace cordon::plan
