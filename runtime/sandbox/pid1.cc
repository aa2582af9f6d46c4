#include "sandbox/pid1.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/error_channel.h"
#include "sandbox/terminal.h"

namespace cordon::sandbox::pid1 {

namespace {

// pid 1 of a namespace drops signals whose action is SIG_DFL, even from the parent namespace: a
// real (empty) handler makes them deliverable; they are then taken with sigwaitinfo.
void ignore_but_deliver(int) {}

[[noreturn]] void exec_app(const std::vector<std::string>& argv, const std::vector<std::string>& env, int error_fd,
                           const sigset_t& old_mask, const Terminal& terminal) {
  if (terminal.peer >= 0) {
    if (auto r = terminal::attach_app(terminal.peer, terminal.tty[0], terminal.tty[1], terminal.tty[2]); !r) {
      error_channel::send(error_fd, r.error());
      ::_exit(125);
    }
  }
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  for (int sig : forwarded_signals()) ::signal(sig, SIG_DFL);
  ::signal(SIGCHLD, SIG_DFL);
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  args.push_back(nullptr);
  envp.push_back(nullptr);
  ::execve(args[0], args.data(), envp.data());
  error_channel::send(error_fd, sys_fail("exec", argv[0]));
  ::_exit(errno == ENOENT ? 127 : 126);
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

void run(const std::vector<std::string>& argv, const std::vector<std::string>& env, int error_fd,
         const Terminal& terminal) {
  sigset_t mask, old_mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  for (int sig : forwarded_signals()) sigaddset(&mask, sig);
  ::sigprocmask(SIG_BLOCK, &mask, &old_mask);
  struct sigaction sa {};
  sa.sa_handler = ignore_but_deliver;
  for (int sig : forwarded_signals()) ::sigaction(sig, &sa, nullptr);
  ::sigaction(SIGCHLD, &sa, nullptr);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // nothing in the sandbox may ptrace or read init's memory

  const pid_t app = ::fork();
  if (app < 0) {
    error_channel::send(error_fd, sys_fail("pid1", "fork the app"));
    ::_exit(125);
  }
  if (app == 0) exec_app(argv, env, error_fd, old_mask, terminal);
  ::close(error_fd);  // the app's copy closes at execve: EOF tells the launcher it runs
  if (terminal.peer >= 0) ::close(terminal.peer);  // when the app's side closes, the relay sees EIO

  for (;;) {
    siginfo_t info{};
    if (::sigwaitinfo(&mask, &info) < 0) continue;
    if (info.si_signo != SIGCHLD) {
      ::kill(app, info.si_signo);
      continue;
    }
    int status = 0;
    for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;)
      if (pid == app) ::_exit(exit_status(status));  // the kernel then kills the rest of the namespace
  }
}

}  // namespace cordon::sandbox::pid1
