#include "plan/plan.h"

namespace cordon::plan {

// The spellings below are docs/plan.md's JSON: an interface, so they never change with the enums.

const char* to_string(MountKind k) {
  switch (k) {
    case MountKind::root_tmpfs: return "root-tmpfs";
    case MountKind::proc: return "proc";
    case MountKind::dev: return "dev";
    case MountKind::bind_ro: return "read-only";
    case MountKind::bind_rw: return "read-write";
    case MountKind::tmpfs: return "tmpfs";
    case MountKind::hide: return "hide";
  }
  return "read-only";
}

const char* to_string(LimitKind k) {
  switch (k) {
    case LimitKind::cpu_time: return "cpu-time";
    case LimitKind::memory: return "memory";
    case LimitKind::open_files: return "open-files";
    case LimitKind::processes: return "processes";
  }
  return "memory";
}

const char* unit_of(LimitKind k) {
  switch (k) {
    case LimitKind::cpu_time: return "ms";
    case LimitKind::memory: return "bytes";
    case LimitKind::open_files:
    case LimitKind::processes: return "count";
  }
  return "count";
}

const char* to_string(RuleAction a) {
  switch (a) {
    case RuleAction::fail_with_errno: return "errno";
    case RuleAction::deny: return "deny";
    case RuleAction::deny_bits: return "deny-bits";
    case RuleAction::deny_all_bits: return "deny-all-bits";
    case RuleAction::allow_only: return "allow-only";
  }
  return "deny";
}

const char* to_string(NoticeKind k) {
  switch (k) {
    case NoticeKind::unenforced: return "unenforced";
    case NoticeKind::unconnected: return "unconnected";
    case NoticeKind::info: return "info";
  }
  return "info";
}

const char* to_string(NetworkMode m) { return m == NetworkMode::host ? "host" : "none"; }

std::string origin_label(const Source& s) {
  switch (s.origin) {
    case Origin::cordon: return s.name.empty() ? "cordon" : "cordon:" + s.name;  // cordon:dns
    case Origin::base: return "base";
    case Origin::app: return "app";
    case Origin::plug: return "plug:" + s.name;
    case Origin::set: return "set:" + s.name;
  }
  return "cordon";
}

}  // namespace cordon::plan
