#include "sandbox/denials.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstdlib>

#include "sandbox/socket_broker.h"

namespace cordon::sandbox {

namespace {

Denial describe(const seccomp_notif& n) {
  Denial d;
  if (char* name = ::seccomp_syscall_resolve_num_arch(n.data.arch, n.data.nr)) {
    d.syscall = name;
    d.known = true;
    std::free(name);
  } else {
    d.syscall = "syscall " + std::to_string(n.data.nr);
  }
  for (int i = 0; i < 6; ++i) d.args[i] = n.data.args[i];
  return d;
}

}  // namespace

bool answer_notification(int listener, seccomp::Denials mode, DenialSink* sink, SocketBroker* broker) {
  seccomp_notif req{};  // the kernel insists on a zeroed request
  if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return errno == EINTR || errno == ENOENT;
  if (broker && broker->handles(req)) {
    broker->answer(listener, req);
    return true;
  }
  Denial d = describe(req);
  const seccomp::PathCall* path_call = seccomp::path_call(d.syscall);
  const seccomp::AddressCall* address_call = seccomp::address_call(d.syscall);
  if (mode == seccomp::Denials::complain && sink && d.known && (path_call || address_call) &&
      sink->plan_allows(d.syscall)) {
    // Read before the call goes on and the memory may change.
    std::optional<PathUse> path;
    std::optional<AddressUse> address;
    if (path_call) path = path_use_of(listener, req, *path_call);
    else address = address_use_of(listener, req, *address_call);
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    (void)::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    if (path) sink->path_used(*path);
    if (address) sink->address_used(*address);
    return true;
  }
  // Complain mode lets through only what could be granted; an unknown number stays ENOSYS.
  d.let_through = mode == seccomp::Denials::complain && d.known && sink && sink->may_let_through(d);
  seccomp_notif_resp resp{};
  resp.id = req.id;
  if (d.let_through) resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  else resp.error = d.known ? -EPERM : -ENOSYS;
  // ENOENT: the caller died (or was interrupted) meanwhile; nothing to answer.
  (void)::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  if (sink) sink->denied(d);
  return true;
}

}  // namespace cordon::sandbox
