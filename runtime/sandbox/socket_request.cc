#include "sandbox/socket_request.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

namespace cordon::sandbox {

namespace {

constexpr int kTypeMask = 0xf;  // the kernel's SOCK_TYPE_MASK: the rest of `type` is flags

bool protocol_allowed(int domain, int type, int protocol) {
  if (protocol == 0) return true;  // the family's default for the type: TCP or UDP
  if (type == SOCK_STREAM) return protocol == IPPROTO_TCP;
  return protocol == IPPROTO_UDP || (domain == AF_INET && protocol == IPPROTO_ICMP) ||
         (domain == AF_INET6 && protocol == IPPROTO_ICMPV6);
}

}  // namespace

SocketRequest socket_request_from(std::uint64_t domain, std::uint64_t type, std::uint64_t protocol) {
  return SocketRequest{static_cast<int>(domain), static_cast<int>(type), static_cast<int>(protocol)};
}

SocketVerdict check_socket_request(const SocketRequest& r, bool tcp_only) {
  SocketVerdict v;
  const int flags = r.type & ~kTypeMask;
  const int type = r.type & kTypeMask;
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) v.error = EINVAL;
  else if (r.domain != AF_INET && r.domain != AF_INET6) v.error = EAFNOSUPPORT;
  else if (type != SOCK_STREAM && type != SOCK_DGRAM) v.error = EPERM;  // raw, packet, seqpacket (SCTP), DCCP
  else if (!protocol_allowed(r.domain, type, r.protocol)) v.error = EPERM;
  else if (tcp_only && type != SOCK_STREAM) v.error = EPERM;  // UDP's ports no rule would bound
  if (v.error) return v;
  v.type = type | (flags & SOCK_NONBLOCK);  // O_NONBLOCK is the file's status: shared with the app's copy
  v.cloexec = (flags & SOCK_CLOEXEC) != 0;
  return v;
}

}  // namespace cordon::sandbox
