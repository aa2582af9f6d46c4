// Typed, validated models of schema-1 files: app policies, interface files, syscall sets.
// Every value keeps where it was written, so that the Plan can say where each grant came from.
// Paths keep their $VARIABLES: they are expanded at launch, never here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/diagnostics.h"

namespace cordon::policy {

template <typename T>
struct Located {
  T value{};
  Where where;
};

struct PathEntry {
  std::string path;
  bool optional = false;
  Where where;
};

struct Filesystem {
  std::vector<PathEntry> read_only;
  std::vector<PathEntry> read_write;
  std::vector<PathEntry> tmpfs;
  std::vector<PathEntry> hide;
};

struct EnvVar {
  std::string name;
  std::string value;
  Where where;
};

struct Limits {
  std::optional<Located<std::uint64_t>> memory_bytes;
  std::optional<Located<std::uint64_t>> processes;
  std::optional<Located<std::uint64_t>> open_files;
  std::optional<Located<std::uint64_t>> cpu_time_ms;
};

struct ArgRule {
  Located<std::string> syscall;
  std::optional<Located<std::string>> errno_name;  // answer this errno instead of running the call
  int arg = -1;                                    // argument index for deny / deny-bits
  bool low32 = false;                              // compare only the low 32 bits, as the kernel reads an int
  std::vector<Located<std::string>> deny;          // refused when the argument equals one of these
  std::vector<Located<std::string>> deny_bits;     // refused when the argument has any of these bits
  std::vector<Located<std::string>> allow_only;    // refused unless the argument equals one of these
  std::vector<Located<std::string>> deny_all_bits;  // refused when the argument has all of these bits
  int if_arg = -1;                                 // deny only while this other argument ...
  std::optional<Located<std::string>> if_equals;   // ... equals this (setsockopt: the level)
  std::string why;
  Where where;
};

struct SeccompSection {
  std::vector<Located<std::string>> sets;             // interface files only
  std::vector<Located<std::string>> allow;
  std::vector<Located<std::string>> deny;
  std::vector<Located<std::string>> socket_families;  // interface files only
  std::vector<ArgRule> rules;                          // interface files only: argument rules it adds
};

// A plug attribute as written: a scalar, or a list of scalars. The bundle checks rewrite items
// into their canonical form (canonical_value) before anything compares them.
struct AttributeValue {
  std::vector<std::string> items;
  std::vector<Where> item_where;  // where each item was written
  bool is_list = false;
  Where where;                    // the attribute's key
  std::string text() const;  // "x" or "[x, y]"
};

struct Plug {
  std::string interface;
  std::vector<std::pair<std::string, AttributeValue>> attributes;  // in file order
  Where where;
};

// What an app offers other apps (docs/slots.md): a Unix socket or a directory in its $APP_DATA,
// under a name. Another app plugs it as PROVIDER:NAME, a manual plug the owner connects; that app
// then sees exactly this socket or directory, read-only unless `writable`.
enum class SlotKind { socket, directory };
const char* to_string(SlotKind k);  // socket, directory

struct Slot {
  std::string name;
  SlotKind kind = SlotKind::socket;
  std::string path;  // below $APP_DATA, as written after "$APP_DATA/" (run/db.sock)
  bool writable = false;
  Where where;
};

struct AppPolicy {
  std::string file;  // as given on the command line, for diagnostics
  Located<std::string> name;
  std::string summary;
  std::optional<Located<std::string>> version;                        // reserved
  std::vector<Located<std::string>> command;
  std::vector<Located<std::string>> health_check;                     // reserved
  std::optional<Located<std::string>> user;                           // reserved
  std::vector<Plug> plugs;
  std::vector<Slot> slots;
  Filesystem filesystem;
  std::vector<EnvVar> environment;
  Limits limits;
  SeccompSection seccomp;
};

// ports: a list of ports or ranges (80, 8000-8010); names: a list of D-Bus names (org.example.App,
// org.example.*). Only these two may be lists.
enum class AttributeType { string, integer, boolean, path, ports, names };
const char* to_string(AttributeType t);

struct AttributeSpec {
  std::string name;
  std::string summary;
  AttributeType type = AttributeType::string;
  std::vector<std::string> values;         // empty: any value of the type
  std::optional<std::string> default_value;
  std::vector<std::string> manual_values;  // these values need `cordon connect`
  std::string pattern;                     // ECMAScript regex the whole value must match ("": any)
  bool required = false;                   // a plug must set it (no default, no "unset")
  bool reserved = false;                   // accepted now, enforced by a later version: a Plan notice
  Where where;
};

// What an interface grants, in total or under a `when` condition.
struct Grants {
  Filesystem filesystem;
  // Device nodes. In an interface a path may hold @{ATTRIBUTE}: the plug's value of that integer
  // or path attribute (/dev/i2c-@{bus}, @{path}), put in at resolution; unset, the entry is dropped.
  std::vector<PathEntry> devices;
  std::optional<Located<std::string>> network;  // "none" | "host"
  // The plug's D-Bus traffic goes through a filtering proxy (xdg-dbus-proxy) made per launch, with
  // the plug's `bus`, `talk` and `own` attributes (plan.h DbusProxy).
  bool dbus_proxy = false;
  std::vector<EnvVar> environment;
  SeccompSection seccomp;
};

struct Conditional {
  std::vector<std::pair<std::string, Located<std::string>>> conditions;  // attribute == value, all must hold
  Grants grants;
  Where where;
};

enum class Connection { auto_connect, manual };

struct Interface {
  std::string file;
  Located<std::string> name;
  std::string summary;
  std::string description;  // what it grants, in words (docs/interfaces.md is made from these)
  std::string risk;         // what a compromised app could do with it
  std::string example;      // a whole app policy that plugs it, as YAML text (checked by a unit test)
  Connection connection = Connection::manual;
  std::vector<AttributeSpec> attributes;
  Grants grants;
  std::vector<Conditional> when;
  Limits limits;  // base.yaml only: defaults an app can override
  const AttributeSpec* attribute(const std::string& n) const;
};


struct SyscallSet {
  Located<std::string> name;
  std::string summary;
  std::vector<Located<std::string>> syscalls;
  std::vector<Located<std::string>> include;
  std::vector<ArgRule> rules;
};

struct DeniedSyscall {
  Located<std::string> syscall;
  std::string why;
};

struct SyscallCatalog {
  std::string file;
  std::vector<SyscallSet> sets;  // sorted by name
  std::vector<DeniedSyscall> denied;
  const SyscallSet* find(const std::string& name) const;
};

}  // namespace cordon::policy
