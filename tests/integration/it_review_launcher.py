"""Findings of the outside review of the launcher (docs/security.md): a stale Plan
cache, cordon's options after the app's arguments, terminal escapes, inherited descriptors held by
the sandbox's init. Each with its positive control."""
import os
import pty
import select
import signal
import time

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, Skip, ...)


# ---- item 8: the Plan cache sees an in-place edit that keeps size and mtime -------------------

@test
def plan_cache_sees_an_edit_that_keeps_size_and_mtime(env):
    """A policy narrowed in place (same inode and size, mtime put back) is not served from the
    cache with its old, wider Plan: ctime, which nobody can set back, is part of the identity."""
    wide_plugs = "plugs: [async-io]\n"
    path = env.policy("it-stale", f"[{env.probe('probe_seccomp')}]", wide_plugs)
    with open(path) as f:
        wide = f.read()
    narrow = wide.replace(wide_plugs, "#" + " " * (len(wide_plugs) - 2) + "\n")
    expect(len(narrow) == len(wide) and narrow != wide, "the narrowed policy must keep the size")
    before = os.stat(path)
    time.sleep(0.1)  # older than a clock tick: the cache trusts this file's identity
    rc, out, err = env.cordon_run(path)
    # control: the plug was in force (io_setup works)
    expect(rc == 0 and facts(out).get("aio") == "ok", f"control: with the plug: {facts(out).get('aio')}: {err}")
    with open(path, "r+") as f:  # in place: same inode
        f.write(narrow)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    expect((after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns),
           "the edit must keep inode, size and mtime")
    rc, out, err = env.cordon_run(path)
    expect(rc == 0 and facts(out).get("aio") == "EPERM",
           f"the removed async-io plug is still in force: aio={facts(out).get('aio')} (exit {rc}: {err})")


# ---- item 9: everything after APP belongs to the app --------------------------------------------

def argv_app(env, name):
    """An app that prints its arguments, then tries io_setup, which only complain mode lets
    through without the async-io plug."""
    return env.policy(name, f"[/bin/sh, -c, 'echo \"args=$*\"; exec {env.probe('probe_seccomp')}', sh]")


@test
def options_after_the_app_are_the_apps_arguments(env):
    """`cordon run APP a --complain --suggest FILE b` hands all four words to the app: complain mode
    stays off and FILE is not written. `--` right after APP is dropped once."""
    policy = argv_app(env, "it-argv")
    suggest = os.path.join(env.pw.pw_dir, "it-argv.suggest.yaml")
    if os.path.lexists(suggest):
        os.unlink(suggest)
    rc, out, err = env.run([env.cordon, "run", policy, "a", "--complain", "--suggest", suggest, "b"])
    f = facts(out)
    expect(rc == 0 and f.get("args") == f"a --complain --suggest {suggest} b", f"exit {rc}: args={f.get('args')}: {err}")
    expect(f.get("aio") == "EPERM", f"complain mode was turned on from the app's arguments: aio={f.get('aio')}")
    expect(not os.path.lexists(suggest), "--suggest after APP wrote a file")
    rc, out, err = env.run([env.cordon, "run", policy, "--", "x", "--json"])
    expect(rc == 0 and facts(out).get("args") == "x --json", f"-- after APP: {facts(out).get('args')}: {err}")
    rc, out, err = env.run([env.cordon, "run", policy, "--", "--", "y"])
    expect(rc == 0 and facts(out).get("args") == "-- y", f"a second --: {facts(out).get('args')}: {err}")
    # control: before APP, --complain is cordon's and lets the call through
    rc, out, err = env.run([env.cordon, "run", "--complain", "--quiet", policy, "a"])
    f = facts(out)
    expect(rc == 0 and f.get("aio") == "ok" and f.get("args") == "a", f"control: exit {rc}: {out} {err}")


@test
def suggest_never_overwrites_nor_follows_a_link(env):
    """--suggest FILE creates FILE: an existing file, a symlink to a file the invoker may write, or a
    dangling symlink are refused before the app runs, and left as they were."""
    policy = argv_app(env, "it-suggest")
    base = os.path.join(env.pw.pw_dir, "it-suggest")
    existing, target, link, dangling, fresh = (base + s for s in (".existing", ".target", ".link", ".dangling", ".fresh"))
    for p in (existing, target, link, dangling, fresh, base + ".nowhere"):
        if os.path.lexists(p):
            os.unlink(p)
    for p, text in ((existing, "keep me\n"), (target, "target\n")):
        with open(p, "w") as fh:
            fh.write(text)
        os.chown(p, env.pw.pw_uid, env.pw.pw_gid)
    os.symlink(target, link)
    os.symlink(base + ".nowhere", dangling)
    try:
        for path, what in ((existing, "an existing file"), (link, "a symlink"), (dangling, "a dangling symlink")):
            rc, out, err = env.run([env.cordon, "run", "--complain", "--suggest", path, policy])
            expect(rc == 125 and "File exists" in err and "args=" not in out,
                   f"--suggest onto {what}: exit {rc}: {out} {err}")
        with open(existing) as fh:
            expect(fh.read() == "keep me\n", "the existing file was changed")
        with open(target) as fh:
            expect(fh.read() == "target\n", "the symlink's target was changed")
        expect(os.path.islink(link) and not os.path.lexists(base + ".nowhere"), "a link was followed")
        # control: a fresh path is created and written
        rc, out, err = env.run([env.cordon, "run", "--complain", "--quiet", "--suggest", fresh, policy])
        expect(rc == 0 and os.path.isfile(fresh), f"control: exit {rc}: {err}")
        with open(fresh) as fh:
            expect("plugs: [async-io]" in fh.read(), "control: the suggestions were written")
        expect(os.stat(fresh).st_uid == env.pw.pw_uid, "the file belongs to the invoker")
    finally:
        for p in (existing, target, link, dangling, fresh):
            if os.path.lexists(p):
                os.unlink(p)


# ---- item 10: the app's pty cannot reach the host's terminal beyond drawing -------------------

def run_in_pty(env, argv, timeout=20):
    """Runs argv with a pty as its stdin, stdout and stderr; returns (exit code, every byte written)."""
    direct = env.user is None or env.pw.pw_uid == 0 or os.getuid() != 0
    environ = dict(env.environ(), TERM="xterm") if direct else dict(os.environ, TERM="xterm")
    command = env.command(argv)
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvpe(command[0], command, environ)
        finally:
            os._exit(127)
    out = b""
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
            if not ready:
                break
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: every writer is gone
                break
            if not data:
                break
            out += data
    finally:
        os.close(fd)
        if time.time() >= deadline:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out


@test
def app_escapes_cannot_act_on_the_host_terminal(env):
    """Under a terminal, OSC 52 (clipboard write), a title report request and a DCS string from the
    app never reach cordon's terminal; text, colours and a title do."""
    script = os.path.join(env.policies, "escapes.sh")
    with open(script, "w") as fh:
        fh.write("printf 'before\\033]52;c;ZXZpbA==\\007\\033[31mred\\033[0m\\033[21t\\033P$qm\\033\\\\"
                 "\\033]0;title\\007after\\n'\n")
    os.chmod(script, 0o644)
    policy = env.write_policy("it-escapes", f"schema: 1\nname: it-escapes\ncommand: [/bin/sh, {script}]\n"
                                            f"filesystem:\n  read-only: [{env.policies}]\n")
    rc, out = run_in_pty(env, [env.cordon, "run", policy])
    expect(rc == 0 and b"before" in out and b"after" in out, f"exit {rc}: {out!r}")
    expect(b"\x1b[31mred\x1b[0m" in out and b"\x1b]0;title\x07" in out, f"colours and the title must pass: {out!r}")
    for seq in (b"\x1b]52", b"\x1b[21t", b"\x1bP"):
        expect(seq not in out, f"{seq!r} reached the terminal: {out!r}")
    # control: the same script outside writes every sequence to the terminal
    rc, out = run_in_pty(env, ["/bin/sh", script])
    expect(rc == 0 and b"\x1b]52;c;ZXZpbA==" in out and b"\x1b[21t" in out and b"\x1bP$qm" in out,
           f"control: outside, the sequences reach the terminal: {out!r}")


# ---- item 11: the invoker's descriptors stay outside the sandbox ------------------------------

def holds(pid, path):
    """Whether process `pid` holds a descriptor open on `path` (read from the host)."""
    d = f"/proc/{pid}/fd"
    for fd in os.listdir(d):
        try:
            if os.readlink(os.path.join(d, fd)) == path:
                return True
        except OSError:
            continue
    return False


@test
def inherited_descriptors_stay_outside_the_sandbox(env):
    """A file cordon's caller left open: the supervisor outside holds it (the control), but neither
    the sandbox's init nor the app does, seen from the host in /proc/PID/fd."""
    path = os.path.join(env.root, f"inherited-{env.name}")
    with open(path, "w") as fh:
        fh.write("the caller's\n")
    fd = os.open(path, os.O_RDONLY)
    policy = env.policy("it-inherited", "[/bin/sleep, '30']")
    p = env.popen([env.cordon, "run", policy], pass_fds=(fd,))
    os.close(fd)
    try:
        deadline, supervisor, sandbox = time.time() + 10, None, []
        while time.time() < deadline:
            if supervisor is None:
                supervisor = p.pid if comm(p.pid) == "cordon" else next(
                    (c for c in children(p.pid) if comm(c) == "cordon"), None)
            if supervisor is not None:
                sandbox = descendants(supervisor)
                if any(comm(c) == "sleep" for c in sandbox):
                    break
            time.sleep(0.05)
        expect(any(comm(c) == "sleep" for c in sandbox), f"the app did not start: {sandbox}")
        expect(holds(supervisor, path), "control: cordon itself (outside) holds the caller's descriptor")
        leaked = [(c, comm(c)) for c in sandbox if holds(c, path)]
        expect(not leaked, f"processes of the sandbox hold the caller's descriptor: {leaked}")
    finally:
        if supervisor is not None:
            os.kill(supervisor, signal.SIGTERM)  # forwarded to the app
        try:
            p.communicate(timeout=10)
        except Exception:
            p.kill()
            p.communicate()
        os.unlink(path)
