#include "sandbox/launch.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

#include "sandbox/app_data.h"
#include "sandbox/caps.h"
#include "sandbox/error_channel.h"
#include "sandbox/expand.h"
#include "sandbox/limits.h"
#include "sandbox/mounts.h"
#include "sandbox/network.h"
#include "sandbox/pid1.h"
#include "util/step_timer.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

namespace {

struct Pipe {
  UniqueFd read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_fail("launch", "pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Parent-death signal, armed after every uid change (which clears it). getppid() says 0 inside a
// pid namespace, so a lifeline pipe whose write end only the launcher holds tells whether it died
// before the signal was armed.
Result<void> arm_parent_death(int lifeline) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return sys_fail("launch", "prctl PR_SET_PDEATHSIG");
  struct pollfd p{lifeline, POLLIN, 0};
  if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLIN))) return fail("launch", "continue: cordon exited");
  return {};
}

// The child side, in DESIGN.md's order. A failure goes back over the error pipe; nothing prints.
Result<void> confine(const plan::Plan& plan, const Expanded& e, StepTimer& timer) {
  CORDON_TRY(mounts::build_root(e.mounts));                     // needs CAP_SYS_ADMIN in the new user namespace
  timer.mark("build the root");
  if (::sethostname(plan.hostname.c_str(), plan.hostname.size()) != 0)
    return sys_fail("uts", "hostname " + plan.hostname);
  if (plan.network != "host") CORDON_TRY(network::bring_up_loopback());
  timer.mark("hostname, loopback");
  if (::setsid() < 0) return sys_fail("launch", "setsid");    // no controlling terminal: TIOCSTI reaches nothing
  CORDON_TRY(caps::lock_bounding_and_securebits());            // needs CAP_SETPCAP, so before the drop
  CORDON_TRY(caps::drop_all());
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return sys_fail("launch", "prctl PR_SET_NO_NEW_PRIVS");
  CORDON_TRY(limits::apply(plan.limits));                      // late: a low RLIMIT_NOFILE must not starve setup
  ::umask(022);
  timer.mark("caps, no_new_privs, limits");
  return {};
}

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const std::string& e : env)
    if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
  return {};
}

[[noreturn]] void child(const plan::Plan& plan, const Expanded& e, Pipe& sync, Pipe& errors, Pipe& lifeline,
                        const sigset_t& original_mask, bool timing) {
  StepTimer timer(timing, "child ");
  ::sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  sync.write.reset();
  errors.read.reset();
  lifeline.write.reset();
  char go = 0;
  if (::read(sync.read.get(), &go, 1) != 1) ::_exit(125);  // the launcher died or failed to map ids
  timer.mark("wait for the id maps");
  auto fail_with = [&](const Error& err) {
    error_channel::send(errors.write.get(), err);
    ::_exit(125);
  };
  if (auto r = confine(plan, e, timer); !r) fail_with(r.error());
  if (auto r = arm_parent_death(lifeline.read.get()); !r) fail_with(r.error());
  const std::string home = env_value(e.env, "HOME");
  if (home.empty() || ::chdir(home.c_str()) != 0) (void)::chdir("/");
  // Only stdin, stdout and stderr reach the app; the error pipe closes at execve.
  ::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
  pid1::run(e.argv, e.env, errors.write.release());
}

Result<void> write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) return sys_fail("ids", "echo '" + text + "' > " + path);
  return {};
}

// The app keeps the invoker's uid and gid inside its user namespace; nothing else is mapped.
Result<void> map_ids(pid_t pid, const LaunchContext& ctx) {
  const std::string base = "/proc/" + std::to_string(pid);
  CORDON_TRY(write_file(base + "/setgroups", "deny"));
  CORDON_TRY(write_file(base + "/uid_map", std::to_string(ctx.uid) + " " + std::to_string(ctx.uid) + " 1\n"));
  CORDON_TRY(write_file(base + "/gid_map", std::to_string(ctx.gid) + " " + std::to_string(ctx.gid) + " 1\n"));
  return {};
}

int status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 125;
}

// Forwards the signals cordon receives to the sandbox's init until it exits.
int supervise(pid_t pid, const sigset_t& waited) {
  for (;;) {
    siginfo_t info{};
    if (::sigwaitinfo(&waited, &info) < 0) continue;
    if (info.si_signo == SIGCHLD) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) return status_of(status);
      continue;
    }
    ::kill(pid, info.si_signo);
  }
}

Result<void> refuse_unenforceable(const plan::Plan& plan) {
  for (const plan::Notice& n : plan.notices)
    if (n.kind == "unenforced") return fail("launch", "run " + plan.app + ": " + n.message);
  return {};
}

}  // namespace

Result<int> launch(const plan::Plan& plan, const LaunchContext& ctx) {
  StepTimer timer(ctx.timing, "parent");
  CORDON_TRY(refuse_unenforceable(plan));
  auto app_data = prepare_app_data(ctx, plan.app);
  if (!app_data) return app_data.error();
  auto expanded = expand(plan, ctx, *app_data);
  if (!expanded) return expanded.error();
  timer.mark("app data, expand");
  auto sync = make_pipe(), errors = make_pipe(), lifeline = make_pipe();
  if (!sync || !errors || !lifeline) return sys_fail("launch", "pipe");

  sigset_t waited, original;
  sigemptyset(&waited);
  sigaddset(&waited, SIGCHLD);
  for (int sig : pid1::forwarded_signals()) sigaddset(&waited, sig);
  ::sigprocmask(SIG_BLOCK, &waited, &original);  // queued from now on, forwarded by supervise()

  unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
  if (plan.network != "host") flags |= CLONE_NEWNET;
  const long pid = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) return sys_fail("namespaces", "clone into new namespaces");
  if (pid == 0) child(plan, *expanded, *sync, *errors, *lifeline, original, ctx.timing);
  timer.mark("clone");

  sync->read.reset();
  errors->write.reset();
  lifeline->read.reset();
  if (auto r = map_ids(static_cast<pid_t>(pid), ctx); !r) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return r.error();
  }
  const char go = 1;
  if (::write(sync->write.get(), &go, 1) != 1) return sys_fail("launch", "start the child");
  timer.mark("map ids");
  if (auto err = error_channel::receive(errors->read.get())) {
    ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return *err;
  }
  timer.mark("child set up and exec'd");
  const int status = supervise(static_cast<pid_t>(pid), waited);
  timer.mark("app ran and exited");
  ::sigprocmask(SIG_SETMASK, &original, nullptr);
  return status;
}

}  // namespace cordon::sandbox
