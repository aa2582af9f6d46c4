#include "sandbox/address_use.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "util/unique_fd.h"

namespace cordon::sandbox {

namespace {

std::optional<sockaddr_storage> read_address(pid_t pid, std::uint64_t address, std::uint64_t length) {
  if (address == 0 || length < sizeof(sa_family_t)) return std::nullopt;
  sockaddr_storage out{};
  const std::size_t n = std::min<std::uint64_t>(length, sizeof out);
  iovec local{&out, n};
  iovec remote{reinterpret_cast<void*>(address), n};
  if (::process_vm_readv(pid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(n)) return std::nullopt;
  return out;
}

// The socket's type, from a copy of the app's descriptor; a stream when it cannot be told.
bool is_stream(pid_t pid, int fd) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) return true;
  UniqueFd sock(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
  int type = SOCK_STREAM;
  socklen_t size = sizeof type;
  if (sock.valid()) (void)::getsockopt(sock.get(), SOL_SOCKET, SO_TYPE, &type, &size);
  return type == SOCK_STREAM;
}

}  // namespace

std::optional<AddressUse> address_use_of(int listener, const seccomp_notif& n, const seccomp::AddressCall& call) {
  const pid_t pid = static_cast<pid_t>(n.pid);
  auto addr = read_address(pid, n.data.args[call.address_arg], n.data.args[call.length_arg]);
  if (!addr) return std::nullopt;
  AddressUse use{std::string(call.name)};
  if (addr->ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &*addr, sizeof in);
    const std::uint32_t a = ntohl(in.sin_addr.s_addr);
    use.port = ntohs(in.sin_port);
    use.loopback = (a >> 24) == 127;
    use.any = a == INADDR_ANY;
  } else if (addr->ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &*addr, sizeof in6);
    use.port = ntohs(in6.sin6_port);
    const in6_addr& a = in6.sin6_addr;
    use.loopback = IN6_IS_ADDR_LOOPBACK(&a) || (IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127);
    use.any = IN6_IS_ADDR_UNSPECIFIED(&a);
  } else {
    return std::nullopt;
  }
  use.stream = is_stream(pid, static_cast<int>(n.data.args[call.fd_arg]));
  // The id still pending means `pid` was still the caller while its memory was read.
  std::uint64_t id = n.id;
  if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) return std::nullopt;
  return use;
}

}  // namespace cordon::sandbox
