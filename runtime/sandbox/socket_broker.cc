#include "sandbox/socket_broker.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>

#include "sandbox/socket_request.h"

namespace cordon::sandbox {

namespace {

void answer_errno(int listener, std::uint64_t id, int error) {
  seccomp_notif_resp resp{};
  resp.id = id;
  resp.error = -error;
  (void)::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);  // ENOENT: nobody waits any more
}

}  // namespace

SocketBroker::SocketBroker(std::vector<std::uint64_t> families, AppCredentials app, bool tcp_only)
    : families_(std::move(families)), maker_(app), tcp_only_(tcp_only) {}

bool SocketBroker::handles(const seccomp_notif& n) const {
  if (n.data.arch != ::seccomp_arch_native() || n.data.nr != SYS_socket) return false;
  const std::uint64_t family = n.data.args[0] & 0xffffffffu;  // the filter compares the low 32 bits too
  return std::find(families_.begin(), families_.end(), family) != families_.end();
}

void SocketBroker::answer(int listener, const seccomp_notif& n) {
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
