#include "sandbox/pid1.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/error_channel.h"
#include "sandbox/terminal.h"
#include "util/release_pages.h"

namespace cordon::sandbox::pid1 {

namespace {

// pid 1 of a namespace drops signals whose action is SIG_DFL, even from the parent namespace: a
// real (empty) handler makes them deliverable; they are then taken with sigwaitinfo.
void ignore_but_deliver(int) {}

// What the app's side needs, all prepared before the spawn: it runs on init's memory.
struct AppStart {
  std::vector<char*> args, envp;
  int error_fd;
  sigset_t old_mask;
  const Terminal* terminal;
  int listen_fds = 0;
  char listen_pid[32] = "LISTEN_PID=";  // the app's pid is written in by the app's side, in place
};

// "LISTEN_PID=" + the caller's pid, into `a.listen_pid`: no heap on the way to execve.
void write_listen_pid(AppStart& a) {
  char digits[16];
  int n = 0;
  for (pid_t pid = ::getpid(); pid > 0 && n < 15; pid /= 10) digits[n++] = static_cast<char>('0' + pid % 10);
  char* out = a.listen_pid + sizeof("LISTEN_PID=") - 1;
  while (n > 0) *out++ = digits[--n];
  *out = '\0';
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Runs on a vfork-style child that shares init's memory while init waits: nothing here may touch
// the heap on the way to execve (only a failure reports, and then the child exits).
int exec_app(void* arg) {
  const AppStart& a = *static_cast<AppStart*>(arg);
  if (a.terminal->peer >= 0) {
    const Terminal& t = *a.terminal;
    if (auto r = terminal::attach_app(t.peer, t.tty[0], t.tty[1], t.tty[2]); !r) {
      error_channel::send(a.error_fd, r.error());
      ::_exit(125);
    }
  }
  // The handler table is the child's own copy (no CLONE_SIGHAND): init keeps its handlers.
  for (int sig : forwarded_signals()) ::signal(sig, SIG_DFL);
  ::signal(SIGCHLD, SIG_DFL);
  ::sigprocmask(SIG_SETMASK, &a.old_mask, nullptr);
  if (a.listen_fds > 0) {  // systemd's sockets stay open across the execve, and name their owner
    write_listen_pid(*static_cast<AppStart*>(arg));
    for (int fd = 3; fd < 3 + a.listen_fds; ++fd) ::fcntl(fd, F_SETFD, 0);
  }
  ::execve(a.args[0], a.args.data(), a.envp.data());
  const int err = errno;
  error_channel::send(a.error_fd, sys_fail("exec", a.args[0]));
  ::_exit(err == ENOENT ? 127 : 126);
}

// Like posix_spawn: the app's process shares init's memory until its execve, so init's address
// space (the whole launcher) is never copied for a process that replaces it at once.
// The child's stack lives on init's own stack, not the heap: the app's memory limit is already in
// force, and a sanitizer's allocator would need fresh mappings for a block this size.
pid_t spawn_app(AppStart& start) {
  alignas(16) char stack[64 * 1024];
  return ::clone(exec_app, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
}

// The app is gone: everything else in the namespace dies and is reaped before the launcher hears
// the status, so nothing the app left behind outlives `cordon run`. The launcher may then return
// at once, while the kernel tears the namespaces down behind it.
[[noreturn]] void finish(int status, int status_fd) {
  // Every process pid 1 may signal: all of them, since none can change uid. Should that fail,
  // exit without a report: the kernel kills the rest as init exits, and the launcher, hearing no
  // status, waits for init's own exit, which comes only after that.
  if (::kill(-1, SIGKILL) != 0 && errno != ESRCH) ::_exit(status);
  while (::waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
  }
  const unsigned char code = static_cast<unsigned char>(status);
  (void)!::write(status_fd, &code, 1);
  ::_exit(status);
}

}  // namespace

int exit_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 125;
}

const std::vector<int>& forwarded_signals() {
  static const std::vector<int> signals{SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT, SIGINT};
  return signals;
}

void run(const std::vector<std::string>& argv, const std::vector<std::string>& env, int error_fd, int status_fd,
         const Terminal& terminal, int listen_fds) {
  sigset_t mask, old_mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  for (int sig : forwarded_signals()) sigaddset(&mask, sig);
  ::sigprocmask(SIG_BLOCK, &mask, &old_mask);
  struct sigaction sa {};
  sa.sa_handler = ignore_but_deliver;
  for (int sig : forwarded_signals()) ::sigaction(sig, &sa, nullptr);
  ::sigaction(SIGCHLD, &sa, nullptr);
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {  // nothing in the sandbox may ptrace or read init's memory
    error_channel::send(error_fd, sys_fail("pid1", "prctl PR_SET_DUMPABLE 0"));
    ::_exit(125);
  }

  AppStart start{c_strings(argv), c_strings(env), error_fd, old_mask, &terminal};
  start.listen_fds = listen_fds;
  if (listen_fds > 0) start.envp.insert(start.envp.end() - 1, start.listen_pid);  // before the terminating null
  const pid_t app = spawn_app(start);
  if (app < 0) {
    error_channel::send(error_fd, sys_fail("pid1", "start the app"));
    ::_exit(125);
  }
  ::close(error_fd);  // the app's copy closes at execve: EOF tells the launcher it runs
  if (terminal.peer >= 0) ::close(terminal.peer);  // when the app's side closes, the relay sees EIO

  timespec release_after{kReleasePagesAfterMs / 1000, (kReleasePagesAfterMs % 1000) * 1000000L};
  bool released = false;
  for (;;) {
    siginfo_t info{};
    if (!released && ::sigtimedwait(&mask, &info, &release_after) < 0) {
      if (errno == EAGAIN) {  // the app keeps running: init needs next to nothing of the launcher
        release_startup_pages();
        released = true;
      }
      continue;
    }
    if (released && ::sigwaitinfo(&mask, &info) < 0) continue;
    if (info.si_signo != SIGCHLD) {
      ::kill(app, info.si_signo);
      continue;
    }
    int status = 0;
    for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;)
      if (pid == app) finish(exit_status(status), status_fd);
  }
}

}  // namespace cordon::sandbox::pid1
