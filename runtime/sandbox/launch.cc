#include "sandbox/launch.h"

#include <sched.h>
#include <string.h>  // sigabbrev_np
#include <signal.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "sandbox/app_data.h"
#include "sandbox/app_origin.h"
#include "sandbox/cgroup.h"
#include "sandbox/channels.h"
#include "sandbox/checklist.h"
#include "sandbox/confine.h"
#include "sandbox/dbus_proxy.h"
#include "sandbox/error_channel.h"
#include "sandbox/expand.h"
#include "sandbox/fd_channel.h"
#include "sandbox/ids.h"
#include "sandbox/landlock.h"
#include "sandbox/namespaces.h"
#include "sandbox/personal_paths.h"
#include "sandbox/pid1.h"
#include "sandbox/private_ids.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/slots.h"
#include "sandbox/state_guard.h"
#include "sandbox/supervisor.h"
#include "sandbox/terminal.h"
#include "util/step_timer.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

namespace {

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

Result<void> refuse_unenforceable(const plan::Plan& plan) {
  for (const plan::Notice& n : plan.notices)
    if (n.kind == plan::NoticeKind::unenforced) return fail("launch", "run " + plan.app + ": " + n.message);
  if (auto refused = landlock_refusal(plan, landlock_abi())) return fail("launch", "run " + plan.app + ": " + *refused);
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

// The Plan's mounts with the protections no grant may lift: the user's personal paths as they
// are on this host, cordon's state, the app's own policy (personal_paths.h, state_guard.h).
Result<void> protect(Expanded& expanded, const LaunchContext& ctx, const std::vector<StateDir>& state,
                     const std::string& app_data) {
  auto facts = gather_personal_facts(expanded.mounts, ctx, state, app_data);
  if (!facts) return facts.error();
  return protect_mounts(expanded.mounts, state, *facts, ctx);
}

// The errno-only programs, compiled before the clone when cordon itself runs under a filter whose
// listener would make ours EBUSY (seccomp_filter.h); nothing when there is none or nothing to drop.
Result<std::optional<seccomp::Filters>> fallback_filter(const plan::Plan& plan, const seccomp::Filters& filters,
                                                       const LaunchContext& ctx) {
  if (filters.denials == seccomp::Denials::errno_only || !runs_under_a_filter())
    return std::optional<seccomp::Filters>();
  if (ctx.errno_only_fallback != nullptr) return std::optional<seccomp::Filters>(*ctx.errno_only_fallback);
  auto plain = seccomp::compile(plan, seccomp::Denials::errno_only);
  if (!plain) return plain.error();
  return std::optional<seccomp::Filters>(std::move(*plain));
}

// Root: rlimits do not bind host uid 0 (RLIMIT_NPROC exempts it), so a cgroup below the invoker's
// enforces the process and memory limits, and a launch that cannot have one is refused.
Result<std::optional<AppCgroup>> cgroup_for(const plan::Plan& plan, const LaunchContext& ctx) {
  if (!ctx.invoked_by_root) return std::optional<AppCgroup>();
  auto created = AppCgroup::create(plan.app, plan.limits);
  if (!created) return created.error();
  return std::optional<AppCgroup>(std::move(*created));
}

struct ChildLines {
  Channels channels;
  SharedProgress progress;
};

Result<ChildLines> make_child_lines() {
  auto channels = make_channels();
  if (!channels) return channels.error();
  auto progress = SharedProgress::create();
  if (!progress) return progress.error();
  return ChildLines{std::move(*channels), std::move(*progress)};
}

Result<pid_t> clone_child(const ChildSetup& setup, ChildLines& lines) {
  auto flags = clone_flags(setup.plan.namespaces);
  if (!flags) return flags.error();
  const long pid = ::syscall(SYS_clone, *flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) return sys_fail("namespaces", "clone into new namespaces");
  if (pid == 0) run_child(setup, lines.channels);
  lines.channels.close_parent_ends();
  return static_cast<pid_t>(pid);
}

// The launcher's part once the child exists: its ids mapped and, for root, its cgroup joined
// before it runs anything; then the byte that starts it.
Result<void> map_child(pid_t pid, const LaunchContext& ctx, const std::optional<AppCgroup>& cgroup,
                       const Channels& channels) {
  CORDON_TRY(ids::map(pid, ctx));
  if (cgroup) CORDON_TRY(cgroup->add(pid));
  return start_child(channels);
}

// The child is gone or must go, and its app never started. Its own account of the failed step
// comes first; without one, how far it got (the shared progress) names the step.
Error end_setup(pid_t pid, const ChildLines& lines, std::optional<Error> launcher_side, int stop_signal) {
  if (launcher_side || stop_signal != 0) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (auto reported = error_channel::receive(lines.channels.errors.read.get())) return *reported;
  if (launcher_side) return *launcher_side;
  const std::string step(step_name(lines.progress.get()));
  if (stop_signal == kCannotWait) return fail(step, "finish setting up: cordon cannot wait for it (poll failed)");
  if (stop_signal != 0)
    return fail(step, std::string("finish setting up: cordon was asked to stop (") + ::sigabbrev_np(stop_signal) + ")");
  if (WIFSIGNALED(status))
    return fail(step, std::string("finish setting up: the sandbox was killed (SIG") + ::sigabbrev_np(WTERMSIG(status)) + ")");
  return fail(step, "finish setting up: the sandbox exited with status " + std::to_string(pid1::exit_status(status)));
}

// Receives what the child hands over while it sets up (the pty's master, then the seccomp
// listener) and waits for its setup to end: an error record, or end of input at the app's execve.
// nullopt when the app runs; otherwise why it never will.
std::optional<Error> watch_setup(pid_t pid, const ChildLines& lines, int signals, Notifications& notes,
                                 const seccomp::Filters& filters, const LaunchContext& ctx, bool wants_pty,
                                 UniqueFd& master) {
  const int descriptors = lines.channels.descriptors_parent.get();
  if (wants_pty) {
    if (auto sig = wait_during_setup(descriptors, signals, notes, pid)) return end_setup(pid, lines, std::nullopt, *sig);
    if (auto received = terminal::receive_master(descriptors)) master = std::move(*received);
  }
  if (auto sig = wait_during_setup(descriptors, signals, notes, pid)) return end_setup(pid, lines, std::nullopt, *sig);
  if (auto handed = fd_channel::receive(descriptors)) {
    if (handed->first == 'L') notes.listener = std::move(handed->second);
    else if (filters.denials != seccomp::Denials::errno_only && ctx.denial_sink) ctx.denial_sink->no_listener();
  }
  const int errors = lines.channels.errors.read.get();
  if (auto sig = wait_during_setup(errors, signals, notes, pid)) return end_setup(pid, lines, std::nullopt, *sig);
  if (lines.progress.get() != LaunchStep::app) return end_setup(pid, lines, std::nullopt, 0);
  if (auto err = error_channel::receive(errors)) {  // the app's own command could not be executed
    ::waitpid(pid, nullptr, 0);
    return err;
  }
  return std::nullopt;
}

}  // namespace

Result<int> launch(const plan::Plan& plan, const seccomp::Filters& filters, const LaunchContext& given) {
  StepTimer timer(given.timing, "parent");
  const FaultPoint fault = FaultPoint::from_environment();
  Checklist steps(fault, nullptr);
  CORDON_TRY(steps.run(LaunchStep::refuse_unenforced, [&] { return refuse_unenforceable(plan); }));
  const auto with_ids = steps.run(LaunchStep::private_ids, [&] { return with_private_ids(given, plan.app); });
  if (!with_ids) return with_ids.error();
  const LaunchContext& ctx = *with_ids;
  // So that every hide of them applies (state_guard.h).
  const auto state = steps.run(LaunchStep::state_dirs, [&] { return prepare_state_dirs(ctx); });
  if (!state) return state.error();
  // Before its data is made or used.
  CORDON_TRY(steps.run(LaunchStep::claim_name, [&] { return claim_app_name(ctx, plan.app); }));
  const auto app_data = steps.run(LaunchStep::app_data, [&] { return prepare_app_data(ctx, plan.app); });
  if (!app_data) return app_data.error();
  auto expanded = steps.run(LaunchStep::expand, [&] { return expand(plan, ctx, *app_data); });
  if (!expanded) return expanded.error();
  // Before the mounts are protected and sorted: the proxy's socket is one of them (dbus_proxy.h).
  DbusProxies dbus;  // stopped when this launch returns, after the app
  CORDON_TRY(steps.run(LaunchStep::dbus_proxy, [&] { return start_dbus_proxies(plan, ctx, app_credentials(ctx), *expanded, dbus); }));
  CORDON_TRY(steps.run(LaunchStep::protect_mounts, [&] { return protect(*expanded, ctx, *state, *app_data); }));
  std::vector<UniqueFd> slot_trees;  // root's launch: other apps' slots, cloned here for the child (slots.h)
  CORDON_TRY(steps.run(LaunchStep::slots, [&] { return prepare_slot_mounts(expanded->mounts, ctx, slot_trees); }));
  timer.mark("app data, expand");
  const auto errno_only = steps.run(LaunchStep::fallback_filter, [&] { return fallback_filter(plan, filters, ctx); });
  if (!errno_only) return errno_only.error();
  const auto cgroup = steps.run(LaunchStep::cgroup, [&] { return cgroup_for(plan, ctx); });
  if (!cgroup) return cgroup.error();
  auto lines = steps.run(LaunchStep::channels, make_child_lines);
  if (!lines) return lines.error();

  // The app gets a pty of its own when one of cordon's std fds is a terminal (never the host's,
  // where TIOCSETD or TCSETS would reach the host).
  const terminal::Ttys ttys = terminal::Ttys::of_this_process();
  const BlockedSignals blocked(ttys.any());  // queued from now on: the setup's wait and supervise() take them
  const UniqueFd signals = signal_fd(blocked);
  if (!signals.valid()) return sys_fail("launch", "signalfd");
  const ChildSetup setup{plan,         filters,          errno_only->has_value() ? &**errno_only : nullptr,
                         *expanded,    ctx,              tmpfs_budget(plan),
                         ttys.any(),   blocked.original(), fault,
                         lines->progress};
  const auto pid = steps.run(LaunchStep::clone, [&] { return clone_child(setup, *lines); });
  if (!pid) return pid.error();
  timer.mark("clone");
  if (auto mapped = steps.run(LaunchStep::map_ids, [&] { return map_child(*pid, ctx, *cgroup, lines->channels); }); !mapped)
    return end_setup(*pid, *lines, mapped.error(), 0);
  timer.mark("map ids");
  // Its namespaces exist from the clone on; said before the app can be denied anything.
  if (ctx.events) ctx.events->sandbox_started(*pid);

  // Made here, in the host's network namespace, before the first call can reach it.
  std::optional<SocketBroker> broker;
  if (auto families = seccomp::brokered_families(plan); !families.empty())
    broker.emplace(std::move(families), app_credentials(ctx), plan.ports.active);
  Notifications notes{UniqueFd(), filters.denials, ctx.denial_sink, broker ? &*broker : nullptr};
  UniqueFd master;
  if (auto failed = watch_setup(*pid, *lines, signals.get(), notes, filters, ctx, ttys.any(), master)) return *failed;
  std::optional<terminal::RawMode> raw;
  if (master.valid()) {
    terminal::copy_window_size(ttys.terminal(), master.get());
    if (ttys.fd[0]) raw.emplace(0);  // only a terminal cordon reads from needs raw mode
  }
  timer.mark("child set up and exec'd");
  const bool wait_for_init = ctx.wait_for_teardown || cgroup->has_value();  // a cgroup goes once init is gone
  const int status =
      supervise(*pid, signals.get(), master.get(), ttys, lines->channels.status.read.get(), wait_for_init, notes);
  timer.mark("app ran and exited");
  return status;
}

}  // namespace cordon::sandbox
