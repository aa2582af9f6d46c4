// Every field of the Plan, listed once: Fields<T>::each(value, f) calls f(field) for each field of
// T, in declaration order. The Plan cache's encoder and decoder (cache/plan_codec.h) are walks of
// this list, so a field added to a struct and here is stored and restored with no other change;
// the unit test "the plan cache round-trips every field" compares a decoded Plan with the resolved
// one by operator== (defaulted: every member), so a field left out here fails it.
// Does not decide the JSON's shape: docs/plan.md's is an interface and keeps its own names.
//
// Fields only `cordon explain` reads are wrapped in explain_only(): the provenance of the seccomp
// part (a few hundred syscalls, each with its set and line), the set catalogue and the rules'
// reasons. The cache stores them in a section of their own that a launch skips: decoding them
// costs more than the whole rest of the Plan (docs/performance.md "Plan cache encoding").
#pragma once

#include "plan/plan.h"

namespace cordon::plan {

template <class T>
struct ExplainOnly {
  T& field;
};
template <class T>
ExplainOnly<T> explain_only(T& field) {
  return {field};
}

template <class T>
struct Fields;  // no default: a struct without its list does not compile into an encoder

// The last value of each enum, so a decoder can refuse a number no enumerator has.
template <class E>
inline constexpr E kLastOf = E{};
template <> inline constexpr Origin kLastOf<Origin> = Origin::set;
template <> inline constexpr MountKind kLastOf<MountKind> = MountKind::hide;
template <> inline constexpr LimitKind kLastOf<LimitKind> = LimitKind::processes;
template <> inline constexpr RuleAction kLastOf<RuleAction> = RuleAction::allow_only;
template <> inline constexpr NoticeKind kLastOf<NoticeKind> = NoticeKind::info;
template <> inline constexpr NetworkMode kLastOf<NetworkMode> = NetworkMode::host;

// `S` is T or const T: one list serves the encoder (const) and the decoder.
template <>
struct Fields<Source> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.origin), f(s.name), f(s.file), f(s.line);
  }
};

template <>
struct Fields<Mount> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.kind), f(s.path), f(s.optional), f(s.from);
  }
};

template <>
struct Fields<Device> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.path), f(s.optional), f(s.from);
  }
};

template <>
struct Fields<EnvEntry> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.name), f(s.value), f(s.from);
  }
};

template <>
struct Fields<Limit> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.kind), f(s.value), f(s.enforced_by), f(s.from);
  }
};

template <>
struct Fields<Plug> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.name), f(s.connection), f(s.connected), f(s.attributes), f(s.from);
  }
};

template <>
struct Fields<SetUse> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.name), f(s.summary), f(s.from), f(s.syscalls);  // all of it explain-only: Plan lists it so
  }
};

template <>
struct Fields<Named> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.name), f(explain_only(s.from));
  }
};

template <>
struct Fields<Rule> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.syscall), f(s.action), f(s.arg), f(s.low32), f(s.values), f(s.if_arg), f(s.if_equals), f(s.errno_name),
        f(explain_only(s.why)), f(explain_only(s.from));
  }
};

template <>
struct Fields<Notice> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.kind), f(s.message), f(s.from);
  }
};

template <>
struct Fields<SlotMount> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.provider), f(s.slot), f(s.kind), f(s.path), f(s.writable), f(s.from);
  }
};

template <>
struct Fields<DbusProxy> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.bus), f(s.talk), f(s.own), f(s.from);
  }
};

template <>
struct Fields<PortRange> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.first), f(s.last), f(s.from);
  }
};

template <>
struct Fields<PortFilter> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.active), f(s.connect), f(s.bind), f(s.best_effort);
  }
};

template <>
struct Fields<Plan> {
  template <class S, class F>
  static void each(S& s, F&& f) {
    f(s.version), f(s.app), f(s.summary), f(s.command), f(s.health_check), f(s.app_from), f(s.hostname), f(s.plugs), f(s.namespaces),
        f(s.network), f(s.network_from), f(s.ports), f(s.mounts), f(s.devices), f(s.slots), f(s.dbus), f(s.environment), f(s.limits),
        f(explain_only(s.syscall_sets)), f(s.syscalls), f(s.denied), f(s.denied_to_all), f(s.rules), f(s.socket_families),
        f(s.notices);
  }
};

}  // namespace cordon::plan
