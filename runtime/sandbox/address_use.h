// Learn mode (`cordon run --complain`): the IP address a notified connect, bind or sendto names,
// read from the app's memory by the supervisor, and the kind of socket it is for. A suggestion,
// never a decision: the call goes through whatever the memory says by then.
#pragma once

#include <linux/seccomp.h>

#include <cstdint>
#include <optional>
#include <string>

#include "seccomp/learn_calls.h"

namespace cordon::sandbox {

struct AddressUse {
  std::string syscall;
  std::uint16_t port = 0;
  bool loopback = false;  // 127.0.0.0/8, ::1, ::ffff:127.x
  bool any = false;       // 0.0.0.0 or ::
  bool stream = true;     // SOCK_STREAM (TCP); false: a datagram socket (UDP)
};

// nullopt for an address that is not AF_INET or AF_INET6 (a Unix socket), a call without one (send
// on a connected socket), or one that cannot be read.
std::optional<AddressUse> address_use_of(int listener, const seccomp_notif& n, const seccomp::AddressCall& call);

}  // namespace cordon::sandbox
