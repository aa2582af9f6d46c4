// Makes sockets for the app in the supervisor's network namespace (the host's) with the app's
// credentials, never the supervisor's. What a socket's creator leaves on it: the file's f_cred
// (checked, together with the caller's own capabilities, by sk_capable-style tests), sk_uid (uid
// routing rules, the owner match of netfilter) and, at creation, the ping_group_range and
// CAP_NET_RAW checks. When root launches, the supervisor is uid 0 with every capability and the
// app has none; so sockets are then made by a helper thread that took the app's uid, gid and
// groups and emptied its capabilities. The kernel keeps credentials per thread; glibc's
// setresuid() would change every thread of the process, so the thread uses the raw syscalls (and
// for the same reason nothing in the supervisor may call glibc's set*id() once it runs: glibc
// would reset the thread's ids along with everyone's).
// When the supervisor already has exactly the app's ids and no capability (an unprivileged
// launch), sockets are made inline: a thread would add only its hand-off.
// Does not: charge the socket's memory to the app's cgroup (it is charged to the supervisor's), or
// give it the app's cgroup for cgroup-attached BPF (docs/sandbox.md "Known limits").
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

struct AppCredentials {
  uid_t uid = 0;
  gid_t gid = 0;
  bool drop_groups = false;  // root naming another user: the app has no supplementary groups
};

class SocketMaker {
 public:
  explicit SocketMaker(AppCredentials app);
  ~SocketMaker();  // stops and joins the helper thread, if it was started
  SocketMaker(const SocketMaker&) = delete;
  SocketMaker& operator=(const SocketMaker&) = delete;

  // socket(domain, type | SOCK_CLOEXEC, protocol) with the app's credentials, or its errno. The
  // helper thread is started on the first call: a launch whose app makes no IP socket pays nothing.
  Result<UniqueFd> make(int domain, int type, int protocol);

 private:
  struct Job {
    int domain = 0, type = 0, protocol = 0;
    int fd = -1, error = 0;
    bool done = false;
  };
  void serve();

  AppCredentials app_;
  bool inline_ = false;  // the supervisor's own credentials are the app's
  std::mutex mutex_;
  std::condition_variable wake_;
  Job* job_ = nullptr;   // the one request in flight (the supervisor answers one call at a time)
  bool stop_ = false;
  std::thread helper_;
};

}  // namespace cordon::sandbox
