// Which socket() calls the supervisor makes for an app with the network plug (socket_broker.h),
// and how: pure, no syscalls, so the rules are unit-tested. Only what an unprivileged process may
// create anyway, and only the protocols apps use: TCP and UDP over IPv4 and IPv6, and ICMP echo
// ("ping") sockets, which the kernel itself gates on net.ipv4.ping_group_range against the
// creator's groups (the supervisor creates them with the app's). Never raw or packet sockets
// (CAP_NET_RAW), nor SCTP, DCCP, MPTCP or UDP-Lite: kernel code no app of ours needs, some of it
// in modules a socket() call would load.
#pragma once

#include <cstdint>

namespace cordon::sandbox {

struct SocketRequest {  // socket()'s arguments as the kernel reads them: ints (the low 32 bits)
  int domain = 0;
  int type = 0;
  int protocol = 0;
};
SocketRequest socket_request_from(std::uint64_t domain, std::uint64_t type, std::uint64_t protocol);

struct SocketVerdict {
  int error = 0;         // non-zero: answer the call with -error and create nothing
  int type = 0;          // what to create: SOCK_STREAM or SOCK_DGRAM, | SOCK_NONBLOCK when asked
  bool cloexec = false;  // SOCK_CLOEXEC asked: the app's descriptor gets O_CLOEXEC (a descriptor
                         // flag, so it is set where the descriptor is installed, not on the socket)
};

// EINVAL for flag bits socket() does not know (as the kernel answers), EAFNOSUPPORT for a family
// other than AF_INET and AF_INET6 (the filter hands over no other), EPERM for a type or protocol
// cordon does not make. `tcp_only`: the Plan filters ports (plan.h PortFilter), which Landlock
// does for TCP alone, so UDP and ping sockets are EPERM too.
SocketVerdict check_socket_request(const SocketRequest& r, bool tcp_only = false);

}  // namespace cordon::sandbox
