#include "sandbox/confine.h"

#include <unistd.h>

#include "sandbox/caps.h"
#include "sandbox/error_channel.h"
#include "sandbox/fds.h"
#include "sandbox/ids.h"
#include "sandbox/landlock.h"
#include "sandbox/lifeline.h"
#include "sandbox/limits.h"
#include "sandbox/network.h"
#include "sandbox/pid1.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/session.h"
#include "sandbox/terminal.h"
#include "sandbox/userns_limits.h"
#include "util/step_timer.h"

namespace cordon::sandbox {

namespace {

Result<void> wait_for_id_maps(int sync) {
  char go = 0;
  if (::read(sync, &go, 1) != 1) ::_exit(125);  // the launcher died or failed to map ids: it says why
  return {};
}

// A change of uid or gid clears the parent-death signal: armed again before anything can block.
Result<void> then_watch_again(Result<void> changed, int lifeline) {
  if (!changed) return changed;
  return lifeline::watch(lifeline);
}

Result<void> enter_own_ids(const LaunchContext& ctx, int lifeline) {
  if (ctx.host_id_base == 0) return {};
  return then_watch_again(ids::enter_private_ids(), lifeline);
}

Result<void> become_user(const LaunchContext& ctx, int lifeline) {
  if (::getuid() == ctx.uid) return {};
  return then_watch_again(ids::apply(ctx.uid, ctx.gid, ctx.groups), lifeline);
}

Result<void> apply_second_wall(const ChildSetup& s) {
  auto applied = apply_landlock(landlock_rules_for(s.expanded.mounts, s.plan.ports));
  if (!applied) return applied.error();
  return {};
}

Result<void> open_terminal(const ChildSetup& s, int descriptors, pid1::Terminal& terminal) {
  if (!s.use_pty) return {};
  auto peer = terminal::open_pty_and_send_master(descriptors);
  if (!peer) return peer.error();
  terminal.peer = peer->release();
  for (int fd = 0; fd < 3; ++fd) terminal.tty[fd] = ::isatty(fd) == 1;
  return {};
}

// The order of confinement, one step per line, each in the module of its concern. The reasons for
// the order are beside the calls; docs/sandbox.md lists the same steps (a unit test compares).
Result<void> confine(const ChildSetup& s, Channels& ch, Checklist& steps, pid1::Terminal& terminal,
                     StepTimer& timer) {
  const plan::Plan& plan = s.plan;
  const LaunchContext& ctx = s.ctx;
  const int lifeline = ch.lifeline.read.get(), descriptors = ch.descriptors_child.get();
  // First: from here on, a launcher that dies (even by SIGKILL) takes this child with it. Mapping
  // our ids changes none of our credentials, so the signal stays armed through it.
  CORDON_TRY(steps.run(LaunchStep::watch_launcher, [&] { return lifeline::watch(lifeline); }));
  // Nothing is touched before the launcher has mapped our ids.
  CORDON_TRY(steps.run(LaunchStep::wait_for_id_maps, [&] { return wait_for_id_maps(ch.sync.read.get()); }));
  timer.mark("wait for the id maps");
  // Before any step touches a namespace or the filesystem: the invoker's descriptors stay with
  // the supervisor outside (fds.h).
  std::vector<int> keep{ch.sync.read.get(), ch.errors.write.get(), lifeline, ch.status.write.get(), descriptors};
  for (const Step& m : s.expanded.mounts)  // root's launch: slots the launcher cloned (slots.h)
    if (m.prepared_tree >= 0) keep.push_back(m.prepared_tree);
  for (int fd = 3; fd < 3 + ctx.listen_fds; ++fd) keep.push_back(fd);  // systemd's sockets, for the app
  CORDON_TRY(steps.run(LaunchStep::inherited_fds, [&] { return fds::close_all_except(keep); }));
  // Needs CAP_SYS_RESOURCE in the new user namespace and a writable /proc/sys: before the root.
  CORDON_TRY(steps.run(LaunchStep::kernel_budgets, [&] { return userns_limits::apply(ctx.host_id_base != 0); }));
  // Needs CAP_SYS_ADMIN in the new user namespace.
  CORDON_TRY(steps.run(LaunchStep::root, [&] {
    return mounts::build_root(s.expanded.mounts, s.tmpfs_budget, ctx.uid == 0, plan.hostname,
                              plan.ports.active && !plan.ports.connect.empty());
  }));
  timer.mark("build the root");
  CORDON_TRY(steps.run(LaunchStep::hostname, [&] { return network::set_hostname(plan.hostname); }));
  // Every app's own network namespace; the network plug's IP sockets come from the host's.
  CORDON_TRY(steps.run(LaunchStep::loopback, [&] { return network::bring_up_loopback(); }));
  timer.mark("hostname, loopback");
  // Root's uid-0 app: from here on host root's files are another user's (the namespaces above
  // need no more changes).
  CORDON_TRY(steps.run(LaunchStep::own_ids, [&] { return enter_own_ids(ctx, lifeline); }));
  // No controlling terminal: TIOCSTI reaches nothing.
  CORDON_TRY(steps.run(LaunchStep::session, [&] { return session::leave_host_session(); }));
  // Needs CAP_SETPCAP, so before the uid change and the drop.
  CORDON_TRY(steps.run(LaunchStep::bounding_set, [&] { return caps::lock_bounding_and_securebits(); }));
  // Root's --user.
  CORDON_TRY(steps.run(LaunchStep::user, [&] { return become_user(ctx, lifeline); }));
  CORDON_TRY(steps.run(LaunchStep::capabilities, [&] { return caps::drop_all(); }));
  CORDON_TRY(steps.run(LaunchStep::no_new_privs, [&] { return caps::forbid_new_privileges(); }));
  // Files written only where a writable mount is, TCP only to the ports named, abstract sockets
  // and signals ending at the sandbox (landlock.h). After the mounts, whose paths its rules open.
  CORDON_TRY(steps.run(LaunchStep::landlock, [&] { return apply_second_wall(s); }));
  CORDON_TRY(steps.run(LaunchStep::keyring, [&] { return session::join_new_keyring(); }));
  // Late: a low RLIMIT_NOFILE or RLIMIT_NPROC must not starve setup.
  CORDON_TRY(steps.run(LaunchStep::limits, [&] { return limits::apply(plan.limits); }));
  CORDON_TRY(steps.run(LaunchStep::umask, [&] { return session::set_file_mode_mask(); }));
  timer.mark("caps, no_new_privs, limits");
  // After the mounts: the pty comes from the sandbox's own devpts.
  CORDON_TRY(steps.run(LaunchStep::terminal, [&] { return open_terminal(s, descriptors, terminal); }));
  CORDON_TRY(steps.run(LaunchStep::working_directory, [&] { return session::enter_home(s.expanded.env); }));
  // Only stdin, stdout and stderr reach the app; the channels close at its execve. Before the
  // filter, so a policy's seccomp.deny cannot keep a descriptor open.
  CORDON_TRY(steps.run(LaunchStep::close_on_exec, [&] { return fds::close_on_exec_above_stderr(); }));
  // Last: after it only init's own calls run (pid1.h lists them; the Plan may not deny them).
  CORDON_TRY(steps.run(LaunchStep::seccomp, [&] { return load_filter(plan, s.filters, s.errno_only, descriptors); }));
  timer.mark("seccomp");
  return steps.run(LaunchStep::app, [] { return Result<void>{}; });
}

}  // namespace

void run_child(const ChildSetup& s, Channels& ch) {
  StepTimer timer(s.ctx.timing, "child ");
  ::sigprocmask(SIG_SETMASK, &s.original_mask, nullptr);
  ch.close_child_ends();
  Checklist steps(s.fault, &s.progress);
  pid1::Terminal terminal;
  if (auto r = confine(s, ch, steps, terminal, timer); !r) {
    error_channel::send(ch.errors.write.get(), r.error());
    ::_exit(125);
  }
  ch.descriptors_child.reset();
  pid1::run(s.expanded.argv, s.expanded.env, ch.errors.write.release(), ch.status.write.release(), terminal,
            s.ctx.listen_fds);
}

}  // namespace cordon::sandbox
