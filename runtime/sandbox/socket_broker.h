// The network plug's IP sockets. Every app has a network namespace of its own, so its abstract
// Unix sockets are private on any kernel: it can neither reach nor impersonate the host's (X11's
// @/tmp/.X11-unix/X0). An app with the plug gets its AF_INET/AF_INET6 sockets from the host's
// namespace instead: the filter hands socket() for those families to the supervisor
// (seccomp::brokered_families), which lives there, checks the arguments (socket_request.h), makes
// the socket with the app's credentials (socket_maker.h) and installs it in the app as the call's
// return value, atomically (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND, Linux 5.14).
// socket() has integer arguments only, read from the notification itself: there is no pointer
// to race (seccomp_unotify(2)), and nothing is ever let through with CONTINUE.
// Once made, the socket is the app's like any other: bind, connect, listen and accept act in the
// host's namespace, and accept() yields host sockets too. With a Plan narrowed to TCP ports, the
// broker also answers listen() (answer_listen): a socket never bound would listen on a port no
// Landlock rule saw.
#pragma once

#include <linux/seccomp.h>

#include <cstdint>
#include <vector>

#include "sandbox/socket_maker.h"

namespace cordon::sandbox {

class SocketBroker {
 public:
  // `tcp_only`: the Plan filters ports, so only TCP sockets are made (socket_request.h).
  SocketBroker(std::vector<std::uint64_t> families, AppCredentials app, bool tcp_only);

  // Whether `n` is a socket() call for a brokered family: the broker answers it.
  bool handles(const seccomp_notif& n) const;
  // Answers it with a new socket, or an errno; never lets the call through. ENOENT from the
  // kernel (the caller died or was interrupted meanwhile) needs no answer.
  void answer(int listener, const seccomp_notif& n);

 private:
  void answer_listen(int listener, const seccomp_notif& n);

  std::vector<std::uint64_t> families_;
  SocketMaker maker_;
  bool tcp_only_ = false;
};

}  // namespace cordon::sandbox
