#include "sandbox/socket_maker.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace cordon::sandbox {

namespace {

// Any capability in the calling thread's effective or permitted set.
bool holds_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return true;  // unknown: assume it does
  return (data[0].effective | data[0].permitted | data[1].effective | data[1].permitted) != 0;
}

bool same_ids(const AppCredentials& app) {
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  if (::getresuid(&ruid, &euid, &suid) != 0 || ::getresgid(&rgid, &egid, &sgid) != 0) return false;
  return ruid == app.uid && euid == app.uid && suid == app.uid && rgid == app.gid && egid == app.gid &&
         sgid == app.gid;
}

// The calling thread only: raw syscalls, not glibc's wrappers, which would change every thread.
// Only the effective (and with it the filesystem) ids become the app's: a socket's owner is the
// fsuid that made it. The real and saved ids stay the supervisor's, so the app's user cannot
// signal or prlimit this thread of a root process (the kernel checks those against the target's
// real and saved ids: an escape probe stopped and starved root's supervisor that way).
// Groups and gid first, while CAP_SETGID is still held; the euid change clears the effective
// capabilities, and capset empties the permitted ones. Returns 0 or the errno of the step that failed.
int become_app(const AppCredentials& app) {
  if (app.drop_groups && ::syscall(SYS_setgroups, 0, nullptr) != 0) return errno;
  if (::syscall(SYS_setresgid, -1, app.gid, -1) != 0) return errno;
  if (::syscall(SYS_setresuid, -1, app.uid, -1) != 0) return errno;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return errno;
  return holds_capabilities() ? EPERM : 0;  // fail closed if anything is left
}

Result<UniqueFd> make_socket(int domain, int type, int protocol) {
  UniqueFd fd(::socket(domain, type | SOCK_CLOEXEC, protocol));
  if (!fd.valid()) return sys_fail("network", "socket");
  return fd;
}

}  // namespace

SocketMaker::SocketMaker(AppCredentials app)
    : app_(app), inline_(!app.drop_groups && same_ids(app) && !holds_capabilities()) {}

SocketMaker::~SocketMaker() {
  if (!helper_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  helper_.join();
}

Result<UniqueFd> SocketMaker::make(int domain, int type, int protocol) {
  if (inline_) return make_socket(domain, type, protocol);
  if (!helper_.joinable()) {
    try {
      helper_ = std::thread([this] { serve(); });
    } catch (const std::system_error& e) {  // no thread, no socket: never one made with our credentials
      errno = e.code().value();
      return sys_fail("network", "start the thread that makes sockets as the app's user");
    }
  }
  Job job{domain, type, protocol};
  std::unique_lock<std::mutex> lock(mutex_);
  job_ = &job;
  wake_.notify_all();
  wake_.wait(lock, [&] { return job.done; });
  job_ = nullptr;
  if (job.fd < 0) {
    errno = job.error;
    return sys_fail("network", "socket (as the app's user)");
  }
  return UniqueFd(job.fd);
}

// The helper thread: takes the app's credentials once, then makes one socket per job. If it could
// not take them, every job fails with that errno: never a socket with the supervisor's.
void SocketMaker::serve() {
  // The thread shares the supervisor's memory: no process of the app's user may ptrace or read it.
  // (The kernel also clears dumpable at the uid change; this says it regardless of the kernel.)
  const int setup = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ? errno : become_app(app_);
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || (job_ && !job_->done); });
    if (stop_) return;
    Job& job = *job_;
    job.fd = setup ? -1 : ::socket(job.domain, job.type | SOCK_CLOEXEC, job.protocol);
    job.error = setup ? setup : (job.fd < 0 ? errno : 0);
    job.done = true;
    wake_.notify_all();
  }
}

}  // namespace cordon::sandbox
