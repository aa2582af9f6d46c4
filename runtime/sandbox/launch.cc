#include "sandbox/launch.h"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <optional>

#include "sandbox/app_data.h"
#include "sandbox/app_origin.h"
#include "sandbox/caps.h"
#include "sandbox/cgroup.h"
#include "sandbox/error_channel.h"
#include "sandbox/denials.h"
#include "sandbox/expand.h"
#include "sandbox/fd_channel.h"
#include "sandbox/fds.h"
#include "sandbox/ids.h"
#include "sandbox/landlock_scope.h"
#include "sandbox/limits.h"
#include "sandbox/mounts.h"
#include "sandbox/network.h"
#include "sandbox/personal_paths.h"
#include "sandbox/pid1.h"
#include "sandbox/private_ids.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/socket_broker.h"
#include "sandbox/state_guard.h"
#include "sandbox/terminal.h"
#include "sandbox/terminal_filter.h"
#include "sandbox/userns_limits.h"
#include "util/release_pages.h"
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

// What the app's writable tmpfs mounts may hold together: its memory limit, and never more than a
// quarter of the host's RAM (the kernel's default is half of it per tmpfs, and a launch has four):
// tmpfs pages cannot be reclaimed without swap, so this much is what one app can pin. One inode
// per 16 KiB, at least 4096: each costs kernel memory beside the budget (docs/sandbox.md).
mounts::TmpfsBudget tmpfs_budget(const plan::Plan& plan) {
  struct sysinfo info {};
  const std::uint64_t ram = ::sysinfo(&info) == 0 ? std::uint64_t{info.totalram} * info.mem_unit : 0;
  std::uint64_t bytes = ram / 4;
  for (const plan::Limit& l : plan.limits)
    if (l.kind == plan::LimitKind::memory && (bytes == 0 || l.value < bytes)) bytes = l.value;
  if (bytes == 0) bytes = std::uint64_t{1} << 30;  // sysinfo cannot fail here; a bound all the same
  return {bytes, std::max<std::uint64_t>(bytes / (16 * 1024), 4096)};
}

// Loads the filter and hands its listener to the launcher over `descriptors`: tag 'L' with the
// listener, or 'N' when the denials stay plain errno answers. Under something that already holds
// a listener (EBUSY) the errno-only programs are compiled here and loaded instead (rare: it costs
// a compile); the launcher says so once. An app whose IP sockets come from the supervisor cannot do
// without one: it fails closed rather than run without the network it was granted, or with the
// host's namespace.
Result<void> load_filter(const plan::Plan& plan, const seccomp::Filters& filters, int descriptors) {
  const bool brokers = !seccomp::brokered_families(plan).empty();
  auto listener = install_seccomp(filters, seccomp::needs_listener(plan, filters.denials));
  if (!listener && listener.error().sys_errno == EBUSY && brokers) {
    errno = EBUSY;
    return sys_fail("seccomp", "install the seccomp listener that hands the network plug's sockets to the app "
                               "(another listener is already installed above cordon)");
  }
  if (!listener && listener.error().sys_errno == EBUSY && filters.denials != seccomp::Denials::errno_only) {
    auto plain = seccomp::compile(plan, seccomp::Denials::errno_only);
    if (!plain) return plain.error();
    listener = install_seccomp(*plain, false);
  }
  if (!listener) return listener.error();
  return fd_channel::send(descriptors, listener->valid() ? 'L' : 'N', listener->get());
}

// The child side, in DESIGN.md's order up to the filter. A failure goes back over the error pipe;
// nothing prints.
Result<void> confine(const plan::Plan& plan, const Expanded& e, const LaunchContext& ctx, StepTimer& timer) {
  // First: it needs CAP_SYS_RESOURCE in the new user namespace and a writable /proc/sys (the new
  // root's is read-only); the host's /proc still shows this namespace's /proc/sys/user.
  CORDON_TRY(userns_limits::apply(ctx.host_id_base != 0));
  CORDON_TRY(mounts::build_root(e.mounts, tmpfs_budget(plan), ctx.uid == 0, plan.hostname));  // needs CAP_SYS_ADMIN in the new user namespace
  timer.mark("build the root");
  if (::sethostname(plan.hostname.c_str(), plan.hostname.size()) != 0)
    return sys_fail("uts", "hostname " + plan.hostname);
  CORDON_TRY(network::bring_up_loopback());  // every app's own namespace; IP sockets of the plug come from the host's
  timer.mark("hostname, loopback");
  // Root's uid-0 app: from here on host root's files are another user's (the root is built; the
  // namespaces above need no more changes).
  if (ctx.host_id_base != 0) CORDON_TRY(ids::enter_private_ids());
  if (::setsid() < 0) return sys_fail("launch", "setsid");    // no controlling terminal: TIOCSTI reaches nothing
  CORDON_TRY(caps::lock_bounding_and_securebits());            // needs CAP_SETPCAP, so before the uid change
  if (::getuid() != ctx.uid) CORDON_TRY(ids::apply(ctx.uid, ctx.gid));  // root's --user
  CORDON_TRY(caps::drop_all());
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return sys_fail("launch", "prctl PR_SET_NO_NEW_PRIVS");
  if (auto scoped = scope_to_sandbox(); !scoped) return scoped.error();  // abstract sockets, signals (landlock_scope.h)
  // A new anonymous session keyring: the invoker's keys (tokens, Kerberos tickets) stay outside.
  if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0)
    return sys_fail("launch", "keyctl join a new session keyring");
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

// The pipes between launcher and sandbox: `sync` starts the child once its ids are mapped;
// `errors` carries a failed step (EOF at the app's execve means it runs); `lifeline` tells the
// child the launcher died; `status` carries the app's exit status from the sandbox's init.
struct Channels {
  Pipe sync, errors, lifeline, status;
  void close_parent_ends() {
    sync.read.reset();
    errors.write.reset();
    lifeline.read.reset();
    status.write.reset();
  }
  void close_child_ends() {
    sync.write.reset();
    errors.read.reset();
    lifeline.write.reset();
    status.read.reset();
  }
};

Result<Channels> make_channels() {
  auto sync = make_pipe(), errors = make_pipe(), lifeline = make_pipe(), status = make_pipe();
  if (!sync || !errors || !lifeline || !status) return sys_fail("launch", "pipe");
  return Channels{std::move(*sync), std::move(*errors), std::move(*lifeline), std::move(*status)};
}

[[noreturn]] void child(const plan::Plan& plan, const seccomp::Filters& filters, const Expanded& e,
                        const LaunchContext& ctx, Channels& ch, UniqueFd descriptors, bool use_pty,
                        const sigset_t& original_mask) {
  StepTimer timer(ctx.timing, "child ");
  pid1::Terminal terminal;
  ::sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  ch.close_child_ends();
  Pipe& sync = ch.sync;
  Pipe& errors = ch.errors;
  Pipe& lifeline = ch.lifeline;
  // First, before any step touches a namespace or the filesystem: the invoker's descriptors stay
  // with the supervisor outside (fds.h). A failure is reported once the launcher listens.
  int channels[] = {sync.read.get(), errors.write.get(), lifeline.read.get(), ch.status.write.get(), descriptors.get()};
  const Result<void> closed = fds::close_all_except(channels);
  char go = 0;
  if (::read(sync.read.get(), &go, 1) != 1) ::_exit(125);  // the launcher died or failed to map ids
  timer.mark("wait for the id maps");
  auto fail_with = [&](const Error& err) {
    error_channel::send(errors.write.get(), err);
    ::_exit(125);
  };
  if (!closed) fail_with(closed.error());
  if (auto r = confine(plan, e, ctx, timer); !r) fail_with(r.error());
  if (use_pty) {  // after the mounts: the pty must come from the sandbox's own devpts
    auto peer = terminal::open_pty_and_send_master(descriptors.get());
    if (!peer) fail_with(peer.error());
    terminal.peer = peer->release();
    for (int fd = 0; fd < 3; ++fd) terminal.tty[fd] = ::isatty(fd) == 1;
  }
  if (auto r = arm_parent_death(lifeline.read.get()); !r) fail_with(r.error());
  const std::string home = env_value(e.env, "HOME");
  if (home.empty() || ::chdir(home.c_str()) != 0) (void)::chdir("/");
  // Only stdin, stdout and stderr reach the app; the pipes to the launcher close at its execve.
  // Before the filter: a policy's seccomp.deny must not be able to keep a descriptor open.
  if (auto r = fds::close_on_exec_above_stderr(); !r) fail_with(r.error());
  // Last: after it, only init's own calls run (pid1.h lists them; the Plan may not deny them).
  if (auto r = load_filter(plan, filters, descriptors.get()); !r) fail_with(r.error());
  timer.mark("seccomp");
  descriptors.reset();
  pid1::run(e.argv, e.env, errors.write.release(), ch.status.write.release(), terminal);
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

constexpr std::size_t kRelayChunk = 16384;

// Copies what is readable on `from` to `to`; false at end of input (EOF, or EIO once the app's
// side of the pty is closed). The keyboard's bytes go to the app as they are.
bool relay(int from, int to) {
  char buf[kRelayChunk];
  const ssize_t n = ::read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  return write_all(to, buf, static_cast<std::size_t>(n));
}

// The app's output on its way to the host's terminal: only what draws passes (terminal_filter.h);
// a clipboard write, a title report or a DCS string never reaches the terminal.
bool relay_filtered(int from, int to, TerminalFilter& filter) {
  char buf[kRelayChunk];
  char out[TerminalFilter::output_room(kRelayChunk)];
  const ssize_t n = ::read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  return write_all(to, out, filter.filter(buf, static_cast<std::size_t>(n), out));
}

// Which of cordon's std fds are terminals: those become the app's pty, and the relay reads the
// one on stdin and writes to the first on stdout or stderr.
struct Ttys {
  bool fd[3] = {::isatty(0) == 1, ::isatty(1) == 1, ::isatty(2) == 1};
  bool any() const { return fd[0] || fd[1] || fd[2]; }
  int terminal() const { return fd[0] ? 0 : fd[1] ? 1 : 2; }  // for window size and raw mode
  int output() const { return fd[1] ? 1 : 2; }
};

// The seccomp listener, when the app's denials or its network plug's socket() calls come to cordon:
// every wait of the launcher also answers them, or a call in the sandbox would wait for an answer
// that never comes.
struct Notifications {
  UniqueFd listener;
  seccomp::Denials mode = seccomp::Denials::errno_only;
  DenialSink* sink = nullptr;
  SocketBroker* broker = nullptr;  // the network plug's sockets; null without the plug
  int fd() const { return listener.get(); }
  // Closing the listener on a hang-up (nothing runs under the filter any more) or an error makes
  // the kernel answer every later notified call ENOSYS itself: nothing waits for us in vain.
  void answer(short revents) {
    if ((revents & POLLIN) && answer_notification(listener.get(), mode, sink, broker)) return;
    if (revents & (POLLHUP | POLLERR | POLLNVAL | POLLIN)) listener.reset();
  }
};

// Blocks until `fd` is readable (or hung up), answering notifications meanwhile.
void wait_readable(int fd, Notifications& notes) {
  for (;;) {
    pollfd p[2] = {{fd, POLLIN, 0}, {notes.fd(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) continue;
    if (p[1].revents) notes.answer(p[1].revents);
    if (p[0].revents) return;
  }
}

// What the app wrote last, once nothing in the sandbox holds its pty any more.
void drain(int master, int out, bool output_open, TerminalFilter& filter) {
  while (output_open && relay_filtered(master, out, filter)) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
  }
}

// Forwards the signals cordon receives to the sandbox's init, and relays the app's pty (if it has
// one) to cordon's terminal, until init reports the app's status (or dies without one). Window-size
// changes follow the terminal.
int supervise(pid_t pid, const sigset_t& waited, int master, const Ttys& ttys, int status_fd, bool wait_for_init,
              Notifications& notes) {
  UniqueFd signals(::signalfd(-1, &waited, SFD_CLOEXEC));
  TerminalFilter filter;  // one per launch: a sequence may be split across reads
  bool input_open = master >= 0 && ttys.fd[0], output_open = master >= 0, status_open = true;
  const int out = ttys.output();
  int timeout = kReleasePagesAfterMs;
  for (;;) {
    pollfd fds[5] = {{signals.get(), POLLIN, 0},
                     {input_open ? 0 : -1, POLLIN, 0},
                     {output_open ? master : -1, POLLIN, 0},
                     {status_open ? status_fd : -1, POLLIN, 0},
                     {notes.fd(), POLLIN, 0}};
    const int ready = ::poll(fds, 5, timeout);
    if (ready == 0) {  // the app keeps running: keep only what supervising needs
      release_startup_pages();
      timeout = -1;
    }
    if (ready <= 0) continue;
    if (fds[4].revents) notes.answer(fds[4].revents);
    if (fds[2].revents) output_open = relay_filtered(master, out, filter);
    if (fds[1].revents) input_open = relay(0, master);
    if (fds[3].revents) {
      unsigned char code = 0;
      status_open = false;
      if (::read(status_fd, &code, 1) == 1) {  // every process of the app is gone
        drain(master, out, output_open, filter);
        if (wait_for_init) ::waitpid(pid, nullptr, 0);
        return code;
      }
    }
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo info{};
    if (::read(signals.get(), &info, sizeof info) != sizeof info) continue;
    if (info.ssi_signo == SIGWINCH) {
      if (master >= 0) terminal::copy_window_size(ttys.terminal(), master);
    } else if (info.ssi_signo != SIGCHLD) {
      ::kill(pid, static_cast<int>(info.ssi_signo));
    } else if (int status = 0; !status_open && ::waitpid(pid, &status, WNOHANG) == pid) {
      drain(master, out, output_open, filter);  // init died without a status (killed from outside)
      return pid1::exit_status(status);
    }
  }
}

// Blocks the signals the supervisor waits for, and restores the caller's mask on every way out.
struct BlockedSignals {
  sigset_t original;
  explicit BlockedSignals(const sigset_t& set) { ::sigprocmask(SIG_BLOCK, &set, &original); }
  ~BlockedSignals() { ::sigprocmask(SIG_SETMASK, &original, nullptr); }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;
};

Result<void> refuse_unenforceable(const plan::Plan& plan) {
  for (const plan::Notice& n : plan.notices)
    if (n.kind == plan::NoticeKind::unenforced) return fail("launch", "run " + plan.app + ": " + n.message);
  return {};
}

// Who the app is on the host, for the sockets the supervisor makes for it: the invoker, the user
// root names, or root's uid-0 app's own range (private_ids.h) — never the supervisor's root.
AppCredentials app_credentials(const LaunchContext& ctx) {
  if (ctx.host_id_base != 0) return AppCredentials{ctx.host_id_base, ctx.host_id_base, true};
  return AppCredentials{ctx.uid, ctx.gid, ctx.invoked_by_root && ctx.uid != 0};
}

// Root's app that would run as uid 0 runs as host ids of its own instead (private_ids.h).
Result<LaunchContext> with_private_ids(const LaunchContext& given, const std::string& app) {
  LaunchContext ctx = given;
  if (!ctx.invoked_by_root || ctx.uid != 0) return ctx;
  auto base = private_ids_for("/var/lib/cordon/ids", app);
  if (!base) return base.error();
  ctx.host_id_base = *base;
  return ctx;
}

}  // namespace

Result<int> launch(const plan::Plan& plan, const seccomp::Filters& filters, const LaunchContext& given) {
  StepTimer timer(given.timing, "parent");
  CORDON_TRY(refuse_unenforceable(plan));
  auto with_ids = with_private_ids(given, plan.app);
  if (!with_ids) return with_ids.error();
  const LaunchContext& ctx = *with_ids;
  auto state = prepare_state_dirs(ctx);  // so that every hide of them applies (state_guard.h)
  if (!state) return state.error();
  CORDON_TRY(claim_app_name(ctx, plan.app));  // before its data is made or used
  auto app_data = prepare_app_data(ctx, plan.app);
  if (!app_data) return app_data.error();
  auto expanded = expand(plan, ctx, *app_data);
  if (!expanded) return expanded.error();
  auto facts = gather_personal_facts(expanded->mounts, ctx, *state, *app_data);
  if (!facts) return facts.error();
  CORDON_TRY(protect_mounts(expanded->mounts, *state, *facts, ctx));
  timer.mark("app data, expand");
  // Root: rlimits do not bind host uid 0 (RLIMIT_NPROC exempts it), so a cgroup below the
  // invoker's enforces the process and memory limits, and a launch that cannot have one is refused.
  std::optional<AppCgroup> cgroup;
  if (ctx.invoked_by_root) {
    auto created = AppCgroup::create(plan.app, plan.limits);
    if (!created) return created.error();
    cgroup.emplace(std::move(*created));
  }
  auto channels = make_channels();
  if (!channels) return channels.error();
  Pipe& sync = channels->sync;
  Pipe& errors = channels->errors;
  // Descriptors the child hands over: the seccomp listener, then the master of the app's pty when
  // a std fd is a terminal (the app never gets the host's terminal, where TIOCSETD or TCSETS
  // would reach the host).
  const Ttys ttys;
  const bool use_pty = ttys.any();
  UniqueFd descriptors_parent, descriptors_child;
  {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return sys_fail("launch", "socketpair");
    descriptors_parent.reset(sv[0]);
    descriptors_child.reset(sv[1]);
  }

  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGCHLD);
  for (int sig : pid1::forwarded_signals()) sigaddset(&waited, sig);
  if (use_pty) sigaddset(&waited, SIGWINCH);
  const BlockedSignals blocked(waited);  // queued from now on, forwarded by supervise()

  // Always a network namespace of its own, with the network plug too: the abstract Unix socket
  // namespace goes with it, so the app can neither reach nor impersonate the host's abstract
  // sockets. The plug's IP sockets come from the host's namespace through the supervisor.
  const unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                              CLONE_NEWCGROUP | CLONE_NEWNET;
  const long pid = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) return sys_fail("namespaces", "clone into new namespaces");
  if (pid == 0) child(plan, filters, *expanded, ctx, *channels, std::move(descriptors_child), use_pty, blocked.original);
  descriptors_child.reset();
  timer.mark("clone");

  channels->close_parent_ends();
  auto setup = ids::map(static_cast<pid_t>(pid), ctx);
  if (setup && cgroup) setup = cgroup->add(static_cast<pid_t>(pid));  // before the child runs anything
  if (auto& r = setup; !r) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return r.error();
  }
  const char go = 1;
  if (::write(sync.write.get(), &go, 1) != 1) return sys_fail("launch", "start the child");
  timer.mark("map ids");
  // The child hands over the pty (before its filter is loaded), then the filter's listener (right
  // after, before it can make a call the filter hands to us). End of input means it failed
  // earlier; its error explains why.
  UniqueFd master;
  if (use_pty) {
    auto received = terminal::receive_master(descriptors_parent.get());
    if (received) master = std::move(*received);
  }
  // Made here, in the host's network namespace, before the first call can reach it.
  std::optional<SocketBroker> broker;
  if (auto families = seccomp::brokered_families(plan); !families.empty())
    broker.emplace(std::move(families), app_credentials(ctx));
  Notifications notes{UniqueFd(), filters.denials, ctx.denial_sink, broker ? &*broker : nullptr};
  if (auto handed = fd_channel::receive(descriptors_parent.get())) {
    if (handed->first == 'L') notes.listener = std::move(handed->second);
    else if (filters.denials != seccomp::Denials::errno_only && ctx.denial_sink) ctx.denial_sink->no_listener();
  }
  std::optional<terminal::RawMode> raw;
  if (master.valid()) {
    terminal::copy_window_size(ttys.terminal(), master.get());
    if (ttys.fd[0]) raw.emplace(0);  // only a terminal cordon reads from needs raw mode
  }
  wait_readable(errors.read.get(), notes);
  if (auto err = error_channel::receive(errors.read.get())) {
    ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return *err;
  }
  timer.mark("child set up and exec'd");
  const bool wait_for_init = ctx.wait_for_teardown || cgroup.has_value();  // a cgroup goes once init is gone
  const int status = supervise(static_cast<pid_t>(pid), waited, master.get(), ttys,
                               channels->status.read.get(), wait_for_init, notes);
  timer.mark("app ran and exited");
  return status;
}

}  // namespace cordon::sandbox
