"""Fault injection: at every step of a launch (docs/sandbox.md "The steps, in the code's order"), a
launch that fails there, or whose sandbox or launcher is killed there, leaves no process, no mount
and no directory behind, and says which step it was. Needs a test build of cordon (the ci and asan
presets compile in CORDON_FAIL_AT: runtime/sandbox/checklist.h); the default preset's is a skip.

The matrix (step x outcome):
  fail         CORDON_FAIL_AT=STEP: exit 125, "(step STEP)" on stderr.             every step
  child-kill   STEP:hang, SIGKILL to the sandbox's child: exit 125 naming STEP.     child's steps
               (at `app` the sandbox counts as started: 137, as for an app killed by SIGKILL)
  parent-kill  STEP:hang, SIGKILL to cordon itself: the child dies with it.         every step
  parent-term  STEP:hang, SIGTERM to cordon: it ends the child, exit 125 naming STEP. child's steps
The control: the same policy without CORDON_FAIL_AT runs (exit 0), and its launch is seen hanging at
each step before the kill (so each kill happens where the row says).
"""
import os
import re
import select
import shutil
import signal
import time

from harness import Skip, comm, descendants, expect, own_cgroup, test

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "sandbox.md")
APP = "it-fault"


def documented_steps():
    """The launcher's steps (before and right after the clone) and the child's, in order."""
    launcher, child, section, part = [], [], False, None
    with open(DOCS) as f:
        for line in f:
            if line.startswith("## "):
                section = line.strip() == "## The steps, in the code's order"
            if not section:
                continue
            if line.startswith("The launcher") or line.startswith("After the clone"):
                part = launcher
            elif line.startswith("The child"):
                part = child
            m = re.match(r"^\d+\. `([a-z0-9-]+)` — ", line)
            if m and part is not None:
                part.append(m.group(1))
    return launcher, child


def fault_env(env, spec):
    return ["env", f"CORDON_FAIL_AT={spec}", env.cordon, "run", env.policy(APP, "[/bin/true]")]


def cordon_pids_for(policy):
    """Every process whose command line names `policy`: the launcher and the child it cloned
    (which never execs before the app)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                if policy.encode() in f.read():
                    pids.append(int(d))
        except OSError:
            pass
    return pids


def wait_for_hang(proc, step, timeout=20):
    """Reads cordon's stderr until the step says it hangs; returns what was read."""
    seen, deadline = "", time.time() + timeout
    fd = proc.stderr.fileno()
    while f"hanging at {step}" not in seen:
        left = deadline - time.time()
        if left <= 0 or proc.poll() is not None:
            raise AssertionError(f"{step}: never reached (exit {proc.poll()}): {seen}")
        if select.select([fd], [], [], left)[0]:
            chunk = os.read(fd, 4096).decode(errors="replace")
            if not chunk:
                raise AssertionError(f"{step}: stderr closed before the hang: {seen}")
            seen += chunk
    return seen


def launcher_and_child(proc, policy):
    """cordon's own pid (runuser's child in user mode) and its cloned child, if one exists yet."""
    mine = {p for p in cordon_pids_for(policy) if comm(p) == "cordon"}  # not runuser, whose argv names it too
    launcher = next(p for p in [proc.pid] + descendants(proc.pid) if p in mine and
                    not any(p in descendants(q) for q in mine if q != p))
    kids = [p for p in descendants(launcher) if p in mine]
    return launcher, (kids[0] if kids else None)


def no_process_left(policy, what):
    deadline = time.time() + 10
    while cordon_pids_for(policy) and time.time() < deadline:
        time.sleep(0.02)
    left = cordon_pids_for(policy)
    expect(not left, f"{what}: processes left behind: {left}")


def mounts_now():
    with open("/proc/self/mountinfo") as f:
        return sorted(line.split(" ", 4)[4] for line in f)


def cgroups_of_app():
    """Root's app cgroups (cgroup.cc: cordon-APP-PID leaves below the invoker's cgroup, which is
    this harness's) in every hierarchy that could hold one."""
    found = []
    for controller in ("pids", "memory"):
        own = own_cgroup(controller)
        if own:
            point, path, _ = own
            here = os.path.join(point, path.lstrip("/"))
            found += [os.path.join(here, d) for d in os.listdir(here) if d.startswith(f"cordon-{APP}-")]
    return sorted(set(found))


def nothing_left(env, policy, mounts_before, what):
    no_process_left(policy, what)
    expect(mounts_now() == mounts_before, f"{what}: the host's mount table changed")
    if env.is_root:
        stale = cgroups_of_app()
        if stale and "parent-kill" in what:
            # A SIGKILLed launcher cannot remove its app's cgroup: the next launch does (cgroup.cc).
            env.cordon_run(policy)
            stale = cgroups_of_app()
        expect(not stale, f"{what}: cgroups left behind: {stale}")


def check_fail(env, step, before):
    policy = env.policy(APP, "[/bin/true]")
    rc, _, err = env.run(fault_env(env, step))
    expect(rc == 125 and f"(step {step})" in err and "CORDON_FAIL_AT" in err, f"fail at {step}: exit {rc}: {err}")
    nothing_left(env, policy, before, f"fail at {step}")


def check_kill(env, step, before, who, sig):
    policy = env.policy(APP, "[/bin/true]")
    proc = env.popen(fault_env(env, step + ":hang"))
    try:
        wait_for_hang(proc, step)
        launcher, child = launcher_and_child(proc, policy)
        target = launcher if who == "parent" else child
        expect(target is not None, f"{step}: no {who} process found")
        os.kill(target, sig)
        proc.wait(timeout=20)
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    label = f"{who}-{'kill' if sig == signal.SIGKILL else 'term'} at {step}"
    if who == "child" and step == "app":
        # The sandbox counts as started once init takes the app's step: its end is the app's (128+9).
        expect(proc.returncode == 137, f"{label}: exit {proc.returncode}: {err}")
    elif who == "child" or sig == signal.SIGTERM:
        reason = "killed (SIGKILL)" if sig == signal.SIGKILL else "asked to stop (TERM)"
        expect(proc.returncode == 125 and f"(step {step})" in err and reason in err,
               f"{label}: exit {proc.returncode}: {err}")
    nothing_left(env, policy, before, label)


@test
def every_launch_step_fails_or_dies_cleanly(env):
    """The fault-injection matrix above, for every documented step, in this mode."""
    policy = env.policy(APP, "[/bin/true]")
    rc, _, err = env.run(["env", "CORDON_FAIL_AT=refuse-unenforced", env.cordon, "run", policy])
    if rc == 0:
        raise Skip("this cordon was built without CORDON_FAULT_INJECTION (use the ci or asan preset)")
    launcher_steps, child_steps = documented_steps()
    expect(len(launcher_steps) > 5 and len(child_steps) > 15 and "seccomp" in child_steps,
           f"docs/sandbox.md's step list was not found: {launcher_steps} {child_steps}")
    rc, _, err = env.cordon_run(policy)  # control: the launch itself works (and makes $APP_DATA once)
    expect(rc == 0, f"control: exit {rc}: {err}")
    before = mounts_now()
    try:
        for step in launcher_steps + child_steps:
            check_fail(env, step, before)
            check_kill(env, step, before, "parent", signal.SIGKILL)
        for step in child_steps:
            check_kill(env, step, before, "child", signal.SIGKILL)
            check_kill(env, step, before, "parent", signal.SIGTERM)
    finally:
        shutil.rmtree(env.data_dir(APP), ignore_errors=True)
        env.forget_origin(APP)
