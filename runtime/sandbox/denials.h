// Calls the seccomp filter hands to cordon's supervisor (SECCOMP_RET_USER_NOTIF) instead of
// answering them itself: the supervisor gives the answer the filter would have given (EPERM for a
// known syscall, ENOSYS for an unknown number) — or in complain mode lets the call through — and
// tells a DenialSink, which turns it into words (the launcher: which plug would allow it).
// Allowed calls never reach the supervisor and pay nothing. The same listener carries the network
// plug's socket() calls, which are not denials (socket_broker.h).
#pragma once

#include <cstdint>
#include <string>

#include "sandbox/address_use.h"
#include "sandbox/path_use.h"
#include "seccomp/compile.h"

namespace cordon::sandbox {

struct Denial {
  std::string syscall;              // libseccomp's name; "syscall N" for a number it cannot name
  bool known = false;               // a known syscall answers EPERM, an unknown number ENOSYS
  std::uint64_t args[6] = {0, 0, 0, 0, 0, 0};
  bool let_through = false;         // complain mode
};

class DenialSink {
 public:
  virtual ~DenialSink() = default;
  virtual void denied(const Denial& d) = 0;
  // Complain mode: whether a plug or the app's own seccomp.allow could grant this call, so that it
  // may go through. Calls nothing could grant (an argument rule's denial, a family no interface
  // grants, the policy's own deny) stay denied even then.
  virtual bool may_let_through(const Denial& d) = 0;
  // Complain mode hands over the path calls the Plan allows too (seccomp/learn_calls.h): whether
  // the Plan allows `syscall`, so that the notification is a use to note and not a denial.
  virtual bool plan_allows(const std::string& syscall) = 0;
  // A path or an IP address such a call named; the call has been let through.
  virtual void path_used(const PathUse& use) = 0;
  virtual void address_used(const AddressUse& use) = 0;
  // Once, when no listener could be installed (cordon runs under something that already holds
  // one): denials are then plain errno answers that nobody hears of.
  virtual void no_listener() = 0;
};

class SocketBroker;  // sandbox/socket_broker.h

// Answers the one pending notification on `listener`: a socket() call `broker` (may be null)
// handles gets its socket from the broker, anything else is a denial, reported to `sink` (may be
// null). Returns false when the listener is gone (every process under the filter has exited).
bool answer_notification(int listener, seccomp::Denials mode, DenialSink* sink, SocketBroker* broker);

}  // namespace cordon::sandbox
