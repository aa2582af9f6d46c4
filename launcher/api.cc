// The library API (include/cordon/cordon.h, docs/library.md) over the launcher's commands: check,
// resolve and run are the command line's own code; launch() runs that code in a supervisor process
// of its own, so that a sandbox outlives the thread that started it.
#include "cordon/cordon.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <utility>
#include <vector>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "plan/plan_json.h"
#include "sandbox/fds.h"

namespace cordon::api {
inline namespace v1 {

const char* version() { return CORDON_VERSION; }

namespace {

void flatten(const policy::Diagnostic& d, std::vector<Diagnostic>& out) {
  out.push_back({policy::to_string(d.severity), d.where.file, d.where.line, d.where.column, d.message});
  for (const policy::Diagnostic& note : d.notes) flatten(note, out);
}

Report report_of(const policy::Diagnostics& diags, const policy::SourceTexts& sources, bool colour) {
  Report report;
  report.ok = !diags.has_errors();
  for (const policy::Diagnostic& d : diags.items()) flatten(d, report.diagnostics);
  report.text = policy::render_text(diags, sources, colour);
  report.json = policy::render_json(diags).dump(2);
  return report;
}

// The status wait() reports for a supervisor that ended: its exit code, or 128+N for a signal, as
// a shell says it (the supervisor exits with the app's status itself).
int status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return launcher::kExitCordon;
}

// Closes every descriptor but `keep` (-1 entries ignored), stdin, stdout and stderr included: the
// sandbox's fds::close_all_except above them.
void close_all_but(std::vector<int> keep) {
  (void)sandbox::fds::close_all_except(keep);
  for (int fd = 0; fd < 3; ++fd)
    if (std::find(keep.begin(), keep.end(), fd) == keep.end()) ::close(fd);
}

// In the supervisor: a watcher that kills it when the caller's process is gone; the sandbox's own
// parent-death signal then ends the sandbox. Two signs, whichever comes first: the caller's pidfd
// turns readable when its last thread exits, and `lifeline`, whose write end only the caller holds,
// closes then too (a child the caller forked without exec keeps a copy of that end, never the
// pidfd's verdict). A process, not a thread: the launch clones its children with the raw system
// call, which bypasses glibc's fork handlers and is safe only in a single-threaded process (a
// thread here once left a cloned child waiting forever on a lock). Forked twice, so that the
// supervisor has no child of its own to wait for but the sandbox; it holds only the three
// descriptors (not the caller's stdout, whose reader waits for its end), and exits with the
// supervisor, which its pidfd says.
Result<void> start_watcher(int lifeline, int caller_pidfd) {
  const pid_t supervisor = ::getpid();
  const int self = static_cast<int>(::syscall(SYS_pidfd_open, supervisor, 0));  // -1 before Linux 5.3
  const pid_t middle = ::fork();
  if (middle < 0) return sys_fail("launch", "fork the caller's watcher");
  if (middle == 0) {
    if (::fork() != 0) ::_exit(0);
    close_all_but({lifeline, caller_pidfd, self});
    pollfd p[3] = {{lifeline, POLLIN, 0}, {caller_pidfd, POLLIN, 0}, {self, POLLIN, 0}};
    while (::poll(p, 3, -1) < 0 && errno == EINTR) {
    }
    if (p[2].revents != 0) ::_exit(0);  // the supervisor ended first: nothing to do
    if (self >= 0) ::syscall(SYS_pidfd_send_signal, self, SIGKILL, nullptr, 0);
    else ::kill(supervisor, SIGKILL);
    ::_exit(0);
  }
  int ws = 0;
  while (::waitpid(middle, &ws, 0) < 0 && errno == EINTR) {
  }
  if (self >= 0) ::close(self);
  return {};
}

// The caller, as a pidfd the supervisor opens first thing. nullopt when the caller is already gone
// (its pid may be another process's by then, which getppid() tells: we would have been reparented);
// -1 on a kernel without pidfd_open (before 5.3), where the pipe alone has to tell.
std::optional<int> open_caller(pid_t caller) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, caller, 0));
  if (fd < 0 && errno == ENOSYS) return ::getppid() == caller ? std::optional<int>(-1) : std::nullopt;
  if (fd < 0) return std::nullopt;
  if (::getppid() != caller) {
    ::close(fd);
    return std::nullopt;
  }
  return fd;
}

}  // namespace

Report check(const std::vector<std::string>& files, bool colour) {
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  launcher::check_files(files, diags, sources);
  return report_of(diags, sources, colour);
}

Resolved resolve(const std::string& app, bool colour) {
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  launcher::ExplainSubject subject = launcher::explain_subject(app, diags, sources);
  Resolved resolved;
  resolved.error = std::move(subject.error);
  resolved.report = report_of(diags, sources, colour);
  if (subject.plan) resolved.plan = Plan{subject.plan->app, subject.plan->command, plan::to_json_text(*subject.plan)};
  return resolved;
}

int run(const LaunchOptions& options) { return launcher::run(options); }

struct Launcher {
  static Launched start(const LaunchOptions& options) {
    int lifeline[2];
    if (::pipe2(lifeline, O_CLOEXEC) != 0) return {std::nullopt, std::string("pipe: ") + std::strerror(errno)};
    std::cout.flush();  // what the caller wrote is not written twice
    std::cerr.flush();
    const pid_t caller = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int e = errno;
      ::close(lifeline[0]);
      ::close(lifeline[1]);
      return {std::nullopt, std::string("fork: ") + std::strerror(e)};
    }
    if (pid == 0) {
      ::close(lifeline[1]);
      const std::optional<int> caller_pidfd = open_caller(caller);
      if (!caller_pidfd) ::_exit(launcher::kExitCordon);  // the caller is gone: start nothing
      if (!start_watcher(lifeline[0], *caller_pidfd)) ::_exit(launcher::kExitCordon);  // (poll skips a pidfd of -1)
      ::close(lifeline[0]);
      if (*caller_pidfd >= 0) ::close(*caller_pidfd);
      const int status = launcher::run(options);
      std::cout.flush();
      std::cerr.flush();
      ::_exit(status);  // the caller's atexit handlers and static objects are the caller's
    }
    ::close(lifeline[0]);
    return {Sandbox(pid, lifeline[1]), ""};
  }
};

Launched launch(const LaunchOptions& options) { return Launcher::start(options); }

Sandbox::Sandbox(Sandbox&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), lifeline_(std::exchange(other.lifeline_, -1)), status_(other.status_) {}

Sandbox& Sandbox::operator=(Sandbox&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    lifeline_ = std::exchange(other.lifeline_, -1);
    status_ = other.status_;
  }
  return *this;
}

Sandbox::~Sandbox() { release(); }

void Sandbox::release() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    (void)wait();
  }
  if (lifeline_ >= 0) ::close(lifeline_);
  pid_ = -1;
  lifeline_ = -1;
}

int Sandbox::wait() {
  if (status_) return *status_;
  int ws = 0;
  pid_t r;
  while ((r = ::waitpid(pid_, &ws, 0)) < 0 && errno == EINTR) {
  }
  status_ = r == pid_ ? status_of(ws) : launcher::kExitCordon;
  return *status_;
}

std::optional<int> Sandbox::poll() {
  if (status_) return status_;
  int ws = 0;
  const pid_t r = ::waitpid(pid_, &ws, WNOHANG);
  if (r == pid_) status_ = status_of(ws);
  else if (r < 0 && errno != EINTR) status_ = launcher::kExitCordon;
  return status_;
}

}  // namespace v1
}  // namespace cordon::api
