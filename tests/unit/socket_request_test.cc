// Which socket() calls the supervisor makes for the network plug (sandbox/socket_request.h): TCP,
// UDP and ping sockets over IPv4 and IPv6, with the flags carried over; never raw, packet or the
// protocols no app needs, whoever launches.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <initializer_list>

#include "sandbox/socket_request.h"

using cordon::sandbox::check_socket_request;
using cordon::sandbox::socket_request_from;
using cordon::sandbox::SocketRequest;

TEST_CASE("TCP and UDP over IPv4 and IPv6 are made, with protocol 0 or named") {
  for (int domain : {AF_INET, AF_INET6}) {
    CAPTURE(domain);
    for (const SocketRequest r : {SocketRequest{domain, SOCK_STREAM, 0}, SocketRequest{domain, SOCK_STREAM, IPPROTO_TCP},
                                  SocketRequest{domain, SOCK_DGRAM, 0}, SocketRequest{domain, SOCK_DGRAM, IPPROTO_UDP}}) {
      const auto v = check_socket_request(r);
      CHECK(v.error == 0);
      CHECK(v.type == r.type);
      CHECK_FALSE(v.cloexec);
    }
  }
}

TEST_CASE("ping sockets: ICMP over IPv4, ICMPv6 over IPv6, datagram only (the kernel checks ping_group_range)") {
  CHECK(check_socket_request({AF_INET, SOCK_DGRAM, IPPROTO_ICMP}).error == 0);
  CHECK(check_socket_request({AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6}).error == 0);
  CHECK(check_socket_request({AF_INET6, SOCK_DGRAM, IPPROTO_ICMP}).error == EPERM);
  CHECK(check_socket_request({AF_INET, SOCK_DGRAM, IPPROTO_ICMPV6}).error == EPERM);
  CHECK(check_socket_request({AF_INET, SOCK_STREAM, IPPROTO_ICMP}).error == EPERM);
}

TEST_CASE("raw and packet sockets are refused, as are SCTP, DCCP, MPTCP and UDP-Lite") {
  for (int domain : {AF_INET, AF_INET6}) {
    CAPTURE(domain);
    for (int protocol : {0, int{IPPROTO_ICMP}, int{IPPROTO_RAW}, int{IPPROTO_TCP}, int{IPPROTO_UDP}})
      CHECK(check_socket_request({domain, SOCK_RAW, protocol}).error == EPERM);
    CHECK(check_socket_request({domain, SOCK_PACKET, 0}).error == EPERM);
    CHECK(check_socket_request({domain, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP}).error == EPERM);
    CHECK(check_socket_request({domain, SOCK_SEQPACKET, IPPROTO_SCTP}).error == EPERM);
    CHECK(check_socket_request({domain, SOCK_STREAM, IPPROTO_SCTP}).error == EPERM);
    CHECK(check_socket_request({domain, SOCK_DCCP, 0}).error == EPERM);
    CHECK(check_socket_request({domain, SOCK_RDM, 0}).error == EPERM);
    CHECK(check_socket_request({domain, SOCK_STREAM, 262}).error == EPERM);  // IPPROTO_MPTCP
    CHECK(check_socket_request({domain, SOCK_DGRAM, IPPROTO_UDPLITE}).error == EPERM);
    CHECK(check_socket_request({domain, SOCK_DGRAM, IPPROTO_TCP}).error == EPERM);
    CHECK(check_socket_request({domain, SOCK_STREAM, IPPROTO_UDP}).error == EPERM);
    CHECK(check_socket_request({domain, 0, 0}).error == EPERM);
  }
}

TEST_CASE("SOCK_NONBLOCK stays on the socket, SOCK_CLOEXEC becomes the descriptor's flag, unknown flags are EINVAL") {
  const auto both = check_socket_request({AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0});
  CHECK(both.error == 0);
  CHECK(both.type == (SOCK_STREAM | SOCK_NONBLOCK));
  CHECK(both.cloexec);
  const auto cloexec = check_socket_request({AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0});
  CHECK(cloexec.type == SOCK_DGRAM);
  CHECK(cloexec.cloexec);
  CHECK(check_socket_request({AF_INET, SOCK_STREAM | 0x10, 0}).error == EINVAL);  // as the kernel answers
  CHECK(check_socket_request({AF_INET, SOCK_STREAM | 0x40000000, 0}).error == EINVAL);
}

TEST_CASE("only AF_INET and AF_INET6; arguments are read as the kernel reads them, as ints") {
  CHECK(check_socket_request({AF_UNIX, SOCK_STREAM, 0}).error == EAFNOSUPPORT);
  CHECK(check_socket_request({AF_PACKET, SOCK_RAW, 0}).error == EAFNOSUPPORT);
  CHECK(check_socket_request({AF_NETLINK, SOCK_DGRAM, 0}).error == EAFNOSUPPORT);
  const SocketRequest r = socket_request_from(AF_INET | 0xffffffff00000000ull, SOCK_STREAM | 0x700000000ull, 0x100000000ull);
  CHECK(r.domain == AF_INET);
  CHECK(r.type == SOCK_STREAM);
  CHECK(r.protocol == 0);
  CHECK(check_socket_request(socket_request_from(AF_INET, SOCK_RAW | 0x100000000ull, 0)).error == EPERM);
}
