"""Landlock as the second wall (docs/sandbox.md "Landlock"): a ruleset mirroring the mount plan,
so that a mount that were writable by mistake still refuses writes; and the writable places of
every app stay writable under it (no false denial). The mistake is made by this test build's
CORDON_TEST_WRITABLE_BIND, which binds one read-only grant writable; CORDON_LANDLOCK_ABI=0 turns
the wall off for the control."""
import json
import os
import shutil

from harness import *  # noqa: F401,F403

WRITE = r'''
import errno, sys
try:
    with open(sys.argv[1], "w") as f:
        f.write("written from the app\n")
    print("write=ok")
except OSError as e:
    print("write=" + errno.errorcode.get(e.errno, str(e)))
'''

WRITABLE = r'''
import errno, mmap, os, shutil, subprocess, sys
def step(key, fn):
    try:
        fn()
        print(key + "=ok", flush=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(key + "=" + (errno.errorcode.get(e.errno, str(e)) if isinstance(e, OSError) else str(e)), flush=True)
def write(path):
    with open(path, "w") as f:
        f.write("x")
def script_runs(d):
    path = os.path.join(d, "s.sh")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(path, 0o755)
    subprocess.run([path], check=True)
def move_across(d):
    os.makedirs(os.path.join(d, "a"), exist_ok=True)
    os.makedirs(os.path.join(d, "b"), exist_ok=True)
    write(os.path.join(d, "a", "f"))
    os.rename(os.path.join(d, "a", "f"), os.path.join(d, "b", "f"))
def truncate(d):
    write(os.path.join(d, "t"))
    os.truncate(os.path.join(d, "t"), 0)
def memfd_exec():
    fd = os.memfd_create("x")
    with open("/bin/true", "rb") as f:
        os.write(fd, f.read())
    subprocess.run(["/proc/self/fd/%d" % fd], check=True, pass_fds=(fd,))
for d in (os.environ["HOME"], "/tmp", "/var/tmp", "/run", "/dev/shm"):
    step("write:" + d, lambda: write(os.path.join(d, "probe")))
    step("mkdir:" + d, lambda: os.makedirs(os.path.join(d, "dir/sub"), exist_ok=True))
    step("fifo:" + d, lambda: os.mkfifo(os.path.join(d, "fifo")))
    step("symlink:" + d, lambda: os.symlink("probe", os.path.join(d, "link")))
    step("rename:" + d, lambda: move_across(d))
    step("truncate:" + d, lambda: truncate(d))
    step("remove:" + d, lambda: shutil.rmtree(os.path.join(d, "dir")))
step("exec:/tmp", lambda: script_runs("/tmp"))
step("exec:memfd", memfd_exec)
step("devnull", lambda: write("/dev/null"))
step("proc-self", lambda: write("/proc/self/comm"))
'''


def with_vars(env, variables, policy, *args):
    pairs = [f"{k}={v}" for k, v in variables.items()]
    return env.run(["env", *pairs, env.cordon, "run", policy, "--", *args])


@test
def the_wall_refuses_a_write_a_wrong_mount_would_allow(env):
    """A directory granted read-only, bound writable by the test seam (a mistake in the mount plan):
    the app's write is refused by Landlock (EACCES). Controls: with the wall off the same write lands
    on the host (so the seam did make it writable), and without the seam the mount refuses (EROFS)."""
    # Not below /tmp, where the test's files are: /tmp is a writable mount, and Landlock's rights
    # pass down the tree (docs/sandbox.md "Landlock": a read-only grant inside a writable mount has
    # its mount alone as a wall).
    shared = f"/var/lib/cordon-it-landlock-{env.name}"
    shutil.rmtree(shared, ignore_errors=True)
    os.makedirs(shared)
    os.chmod(shared, 0o777)
    target = os.path.join(shared, "x")
    script = env.script_app("it-landlock-wall-script", WRITE).replace(".yaml", ".py")
    policy = env.write_policy("it-landlock-wall", "schema: 1\nname: it-landlock-wall\n"
                              f"command: [/usr/bin/python3, {script}]\n"
                              f"filesystem:\n  read-only: [{env.policies}, {shared}]\n")
    rc, out, err = with_vars(env, {"CORDON_TEST_WRITABLE_BIND": shared, "CORDON_LANDLOCK_ABI": "0"}, policy, target)
    if facts(out).get("write") == "EROFS":
        raise Skip("this build has no CORDON_TEST_WRITABLE_BIND seam (a test build has it)")
    expect(facts(out).get("write") == "ok" and os.path.exists(target), f"control, the wall off: {out} {err}")
    os.unlink(target)
    rc, out, err = with_vars(env, {"CORDON_TEST_WRITABLE_BIND": shared}, policy, target)
    expect(facts(out).get("write") == "EACCES" and not os.path.exists(target), f"the wall: exit {rc}: {out} {err}")
    rc, out, err = env.cordon_run(policy, target)
    shutil.rmtree(shared, ignore_errors=True)
    expect(facts(out).get("write") == "EROFS", f"control, the mount: {out} {err}")


@test
def writable_places_stay_writable_under_the_wall(env):
    """$APP_DATA (HOME), /tmp, /var/tmp, /run and /dev/shm take files, directories, FIFOs, links,
    renames across directories, truncation and removal; a script in /tmp and a memfd execute;
    /dev/null and /proc/self are written. Each must say ok: a refusal here is a false denial."""
    rc, out, err = env.cordon_run(env.script_app("it-landlock-writable", WRITABLE))
    f = facts(out)
    bad = {k: v for k, v in f.items() if v != "ok"}
    expect(rc == 0 and len(f) == 39 and not bad, f"exit {rc}: refused {bad}; {err}")


@test
def the_apps_std_files_can_be_reopened_by_name(env):
    """`cordon run app > out.txt` where the app writes `> /dev/stdout` (shell scripts do): reopening
    /proc/self/fd/1 names the host's file, beneath no rule of the wall; that one file keeps its
    rights (landlock.cc allow_std_files). Control: the same with the wall off."""
    policy = env.write_policy("it-landlock-stdout", "schema: 1\nname: it-landlock-stdout\n"
                              "command: [/bin/sh, -c, 'echo reopened > /dev/stdout']\n")
    out_dir = env.fresh_tree("landlock-stdout")
    os.chown(out_dir, env.pw.pw_uid, env.pw.pw_gid)
    for variables in ({}, {"CORDON_LANDLOCK_ABI": "0"}):
        out = os.path.join(out_dir, "out.txt")
        with open(out, "w") as f:
            os.fchown(f.fileno(), env.pw.pw_uid, env.pw.pw_gid)
            os.fchmod(f.fileno(), 0o666)  # root's app runs as host ids of its own (private_ids.h)
            rc, _, err = env.run(["env", *[f"{k}={v}" for k, v in variables.items()], env.cordon, "run", policy],
                                 stdout=f)
        with open(out) as f:
            text = f.read()
        expect(rc == 0 and text == "reopened\n", f"{variables or 'the wall'}: exit {rc}: {text!r} {err}")


@test
def a_std_file_is_reopened_only_for_what_it_was_opened_for(env):
    """`cordon run app < input.txt >> log.txt`: the app may reopen both by name, but the input only
    to read it and the log only to append: writing the input, reading the log back and emptying it
    are refused (EACCES), and neither file changes. Control: with the wall off, the same app
    overwrites the input (the probe can)."""
    script = ("cat > /dev/null; (echo PWNED > /dev/stdin) 2>/dev/null && echo wrote-input >&2; "
              "(cat </dev/stdout >&2) 2>/dev/null && echo read-log >&2; "
              "(: > /dev/stdout) 2>/dev/null && echo emptied-log >&2; echo appended")
    policy = env.write_policy("it-landlock-stdio", "schema: 1\nname: it-landlock-stdio\n"
                              f"command: [/bin/sh, -c, {json.dumps(script)}]\n")
    work = env.fresh_tree("landlock-stdio")
    os.chown(work, env.pw.pw_uid, env.pw.pw_gid)
    for variables in ({}, {"CORDON_LANDLOCK_ABI": "0"}):
        paths = {name: os.path.join(work, name) for name in ("input.txt", "log.txt")}
        for name, text in (("input.txt", "echo harmless\n"), ("log.txt", "SECRET\n")):
            with open(paths[name], "w") as f:
                f.write(text)
                os.fchown(f.fileno(), env.pw.pw_uid, env.pw.pw_gid)
                os.fchmod(f.fileno(), 0o666)  # root's app runs as host ids of its own (private_ids.h)
        with open(paths["input.txt"]) as stdin, open(paths["log.txt"], "a") as stdout:
            rc, _, err = env.run(["env", *[f"{k}={v}" for k, v in variables.items()], env.cordon, "run", policy],
                                 stdin=stdin, stdout=stdout)
        with open(paths["input.txt"]) as f:
            given = f.read()
        with open(paths["log.txt"]) as f:
            log = f.read()
        if variables:
            expect("wrote-input" in err and given == "PWNED\n", f"control, the wall off: {given!r} {err}")
            continue
        expect(rc == 0 and given == "echo harmless\n" and log == "SECRET\nappended\n"
               and not any(w in err for w in ("wrote-input", "read-log", "emptied-log")),
               f"exit {rc}: input {given!r}, log {log!r}: {err}")


@test
def a_fifo_in_a_read_only_grant_takes_no_write(env):
    """A FIFO inside a read-only grant, a host reader on it: a read-only mount does not stop a FIFO
    write (docs/security.md item 2); the wall does (EACCES). Control: with the wall off, the bytes
    reach the host reader."""
    shared = f"/var/lib/cordon-it-fifo-{env.name}"
    shutil.rmtree(shared, ignore_errors=True)
    os.makedirs(shared)
    os.chmod(shared, 0o755)
    fifo = os.path.join(shared, "pipe")
    os.mkfifo(fifo)
    os.chmod(fifo, 0o666)
    policy = env.write_policy("it-landlock-fifo", "schema: 1\nname: it-landlock-fifo\n"
                              f"command: [/bin/sh, -c, 'echo from-app > {fifo} && echo wrote=ok || echo wrote=no']\n"
                              f"filesystem:\n  read-only: [{shared}]\n")
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        rc, out, err = env.cordon_run(policy)
        expect(facts(out).get("wrote") == "no" and "Permission denied" in err, f"the wall: {out} {err}")
        rc, out, err = env.run(["env", "CORDON_LANDLOCK_ABI=0", env.cordon, "run", policy])
        data = os.read(reader, 64)
        expect(facts(out).get("wrote") == "ok" and data == b"from-app\n", f"control, the wall off: {out} {err} {data!r}")
    finally:
        os.close(reader)
        shutil.rmtree(shared, ignore_errors=True)
