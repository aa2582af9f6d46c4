#include "sandbox/socket_broker.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>

#include "sandbox/socket_request.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

namespace {

void answer_errno(int listener, std::uint64_t id, int error) {
  seccomp_notif_resp resp{};
  resp.id = id;
  resp.error = -error;
  (void)::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);  // ENOENT: nobody waits any more
}

void answer_value(int listener, std::uint64_t id, std::int64_t value) {
  seccomp_notif_resp resp{};
  resp.id = id;
  resp.val = value;
  (void)::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

// Whether an IP socket has a local port yet: one that bind() gave it (and Landlock checked), or
// none, which listen() would fill with an ephemeral port no rule sees.
bool unbound_ip_socket(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return false;
  if (addr.ss_family == AF_INET) return reinterpret_cast<sockaddr_in*>(&addr)->sin_port == 0;
  if (addr.ss_family == AF_INET6) return reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port == 0;
  return false;
}

}  // namespace

// listen() of a Plan narrowed to TCP ports: the supervisor takes a copy of the app's descriptor
// (pidfd_getfd: the same open socket, so no swap of descriptor numbers after the check matters),
// refuses an IP socket that was never bound (EACCES, as Landlock answers a port not named), and
// otherwise listens on it itself and returns the result. Never CONTINUE: the app's descriptor
// table could change between the check and the kernel's own lookup.
void SocketBroker::answer_listen(int listener, const seccomp_notif& n) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, n.pid, 0)));
  if (!pidfd.valid()) return answer_errno(listener, n.id, ESRCH);
  UniqueFd sock(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), static_cast<int>(n.data.args[0]), 0)));
  // The pid is the notification's only while the notification is still pending.
  if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) != 0) return;
  if (!sock.valid()) return answer_errno(listener, n.id, errno == EBADF ? EBADF : ENOTSOCK);
  if (unbound_ip_socket(sock.get())) return answer_errno(listener, n.id, EACCES);
  if (::listen(sock.get(), static_cast<int>(n.data.args[1])) != 0) return answer_errno(listener, n.id, errno);
  answer_value(listener, n.id, 0);
}

SocketBroker::SocketBroker(std::vector<std::uint64_t> families, AppCredentials app, bool tcp_only)
    : families_(std::move(families)), maker_(app), tcp_only_(tcp_only) {}

bool SocketBroker::handles(const seccomp_notif& n) const {
  if (n.data.arch != ::seccomp_arch_native()) return false;
  if (n.data.nr == SYS_listen) return tcp_only_;  // the filter sends it only for a port-filtered Plan
  if (n.data.nr != SYS_socket) return false;
  const std::uint64_t family = n.data.args[0] & 0xffffffffu;  // the filter compares the low 32 bits too
  return std::find(families_.begin(), families_.end(), family) != families_.end();
}

void SocketBroker::answer(int listener, const seccomp_notif& n) {
  if (n.data.nr == SYS_listen) return answer_listen(listener, n);
  const SocketRequest request = socket_request_from(n.data.args[0], n.data.args[1], n.data.args[2]);
  const SocketVerdict verdict = check_socket_request(request, tcp_only_);
  if (verdict.error) return answer_errno(listener, n.id, verdict.error);
  auto sock = maker_.make(request.domain, verdict.type, request.protocol);
  if (!sock) return answer_errno(listener, n.id, sock.error().sys_errno ? sock.error().sys_errno : EPERM);
  seccomp_notif_addfd add{};
  add.id = n.id;
  add.flags = SECCOMP_ADDFD_FLAG_SEND;  // installed and returned in one step: never a stray descriptor
  add.srcfd = static_cast<std::uint32_t>(sock->get());
  add.newfd_flags = verdict.cloexec ? O_CLOEXEC : 0;
  if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0 || errno == ENOENT) return;
  // The app could not take it (EMFILE: its RLIMIT_NOFILE applies) or the kernel lacks the flag:
  // the call still waits, and gets that errno.
  answer_errno(listener, n.id, errno);
}

}  // namespace cordon::sandbox
