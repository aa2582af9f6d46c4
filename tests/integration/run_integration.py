#!/usr/bin/env python3
"""Integration tests: real `cordon run` launches of probe programs, as root and as an unprivileged
user, one test per invariant of DESIGN.md, each with a positive control. This file holds the core
invariants and the driver; tests/integration/it_*.py hold further concerns (each imports harness).
"""
import argparse
import glob
import importlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, run_probe, ...)
from harness import TESTS, results


# ---- the invariants ---------------------------------------------------------------------------

@test
def identity_caps_nnp_hostname_fds(env):
    """Empty capability sets, no_new_privs, the invoker's uid, hostname = app name, no fd beyond 2."""
    r, w = os.pipe()  # an extra descriptor cordon is started with: it must not reach the app
    try:
        rc, out, err = env.cordon_run(env.policy("it-identity", f"[{env.probe('probe_identity')}]"), pass_fds=(w,))
        outside = facts(env.run([env.probe("probe_identity")], pass_fds=(w,))[1])
    finally:
        os.close(r)
        os.close(w)
    expect(rc == 0, f"exit {rc}: {err}")
    f = facts(out)
    for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        expect(f.get(cap) == ZERO_CAPS, f"{cap}={f.get(cap)}")
    expect(f.get("NoNewPrivs") == "1", f"NoNewPrivs={f.get('NoNewPrivs')}")
    expect(f.get("uid") == str(env.pw.pw_uid), f"uid={f.get('uid')}")
    expect(f.get("hostname") == "it-identity", f"hostname={f.get('hostname')}")
    expect(f.get("extra_fds") == "0", f"extra_fds={f.get('extra_fds')}")
    # positive control: outside, the same probe sees the fd, the host's name, and (root) capabilities
    expect(outside.get("extra_fds") != "0", "control: the extra fd should be visible outside")
    expect(outside.get("hostname") != "it-identity", "control: host name differs")
    expect(outside.get("NoNewPrivs") == "0", "control: no_new_privs is off outside")
    if env.is_root:
        expect(outside.get("CapEff") != ZERO_CAPS, "control: root has capabilities outside")


@test
def a_policy_cannot_keep_descriptors_open(env):
    """Descriptors are marked close-on-exec before the filter is loaded: a policy that denies
    close_range cannot make cordon leak them into the app; one that denies what init
    needs under the filter (kill, wait4) is refused."""
    r, w = os.pipe()
    try:
        policy = env.policy("it-fds", f"[{env.probe('probe_identity')}]", "seccomp: {deny: [close_range]}\n")
        rc, out, err = env.cordon_run(policy, pass_fds=(w,))
    finally:
        os.close(r)
        os.close(w)
    expect(rc == 0 and facts(out).get("extra_fds") == "0", f"exit {rc}, extra_fds={facts(out).get('extra_fds')}: {err}")
    rc, out, err = env.cordon_run(env.policy("it-nokill", "[/bin/true]", "seccomp: {deny: [kill]}\n"))
    expect(rc == 125 and "'kill' cannot be denied" in err, f"exit {rc}: {err}")


@test
def host_processes_invisible(env):
    inside = run_probe(env, "it-procs", "probe_procs")
    outside = run_outside(env, "probe_procs")
    expect(int(inside["visible_pids"]) <= 3, f"inside sees {inside['visible_pids']} pids")
    expect(int(outside["visible_pids"]) > 10, f"control: outside sees {outside['visible_pids']} pids")


@test
def root_and_binds_read_only(env):
    # A directory the invoker owns, granted read-only: writable outside (the control), EROFS inside.
    mine = os.path.join(env.root, "mine-" + env.name)
    os.makedirs(mine, exist_ok=True)
    os.chown(mine, *env.app_ids("it-ro"))
    paths = ["/", mine] + (["/usr", "/etc", "/usr/bin"] if env.is_root else [])
    inside = run_probe(env, "it-ro", "probe_access", *paths, "/tmp", env.data_dir("it-ro"))
    for p in paths:
        # root's app is not host root (private_ids.h): host root's directories refuse it by their
        # mode before the read-only mount is asked; its own directory shows the read-only mount
        refusals = ("EROFS", "EACCES") if env.is_root and p != mine else ("EROFS",)
        expect(inside[f"write {p}"] in refusals, f"write {p}: {inside[f'write {p}']}")
    expect(inside["write /tmp"] == "ok", f"/tmp must be writable: {inside['write /tmp']}")
    expect(inside[f"write {env.data_dir('it-ro')}"] == "ok", "$APP_DATA must be writable")
    outside = run_outside(env, "probe_access", *paths[1:])
    for p in paths[1:]:
        expect(outside[f"write {p}"] == "ok", f"control: {p} is writable outside: {outside[f'write {p}']}")


@test
def host_files_outside_binds_invisible(env):
    secret_dir = "/opt/cordon-it-secret"
    os.makedirs(secret_dir, exist_ok=True)
    os.chmod(secret_dir, 0o755)
    inside = run_probe(env, "it-hidden", "probe_access", secret_dir, "/root", "/boot", "/etc/shadow")
    for p in (secret_dir, "/root", "/boot"):
        expect(inside[f"exists {p}"] == "ENOENT", f"{p} visible inside: {inside[f'exists {p}']}")
    expect(inside["read /etc/shadow"] == "EACCES", f"hidden /etc/shadow opens: {inside['read /etc/shadow']}")
    outside = run_outside(env, "probe_access", secret_dir)
    expect(outside[f"exists {secret_dir}"] == "ok", "control: the directory exists on the host")


@test
def no_remount_no_new_mounts(env):
    inside = run_probe(env, "it-mount", "probe_mount")
    expect(inside["remount_rw"] == "EPERM", f"remount: {inside['remount_rw']}")
    expect(inside["mount_tmpfs"] == "EPERM", f"mount: {inside['mount_tmpfs']}")
    # control: in a user+mount namespace that keeps its capabilities, the same probe can mount
    rc, out, err = env.run(["unshare", "--user", "--map-root-user", "--mount", env.probe("probe_mount")])
    if rc != 0:
        raise Skip(f"control needs unprivileged user namespaces via unshare(1): {err.strip()}")
    expect(facts(out)["mount_tmpfs"] == "ok", f"control: mount with capabilities: {out}")


@test
def network_only_with_plug(env):
    """Every app has a network namespace of its own, with the network plug too (its IP sockets then
    come from the host's, it_review_network.py): /proc/net shows only the app's loopback. Control:
    outside, the host's interfaces."""
    inside = run_probe(env, "it-net", "probe_net")
    expect(inside["interfaces"] == "lo", f"without the network plug: {inside['interfaces']}")
    with_plug = run_probe(env, "it-net-plug", "probe_net", extra="plugs: [network]\n")
    expect(with_plug["interfaces"] == "lo", f"with the network plug: {with_plug['interfaces']}")
    outside = run_outside(env, "probe_net")
    if outside["interfaces"] == "lo":
        raise Skip("control needs a host with a network interface besides lo")
    expect("lo" in outside["interfaces"].split(","), outside["interfaces"])


@test
def kernel_knobs_read_only_for_root(env):
    if not env.is_root:
        raise Skip("only root could write /proc/sys outside; the invariant is about root")
    knob = "/proc/sys/kernel/core_pattern"
    inside = run_probe(env, "it-knobs", "probe_access", knob, "/proc/sysrq-trigger")
    # read-only, and root's app is not host root (private_ids.h): either refusal holds
    expect(inside[f"write {knob}"] in ("EROFS", "EACCES"), f"core_pattern inside: {inside[f'write {knob}']}")
    # a procfs mounted from a user namespace may not offer sysrq-trigger at all; absent is fine too
    expect(inside["write /proc/sysrq-trigger"] in ("EROFS", "ENOENT"), inside["write /proc/sysrq-trigger"])
    outside = run_outside(env, "probe_access", knob)
    expect(outside[f"write {knob}"] == "ok", "control: root can write core_pattern outside")


@test
def root_only_proc_files_masked_for_root(env):
    """An app running as uid 0 (host root) cannot read /proc files only their mode protects."""
    if not env.is_root:
        raise Skip("the files are root-only: an unprivileged app cannot read them anyway")
    script = "cat /proc/slabinfo >/dev/null 2>&1 && echo slab=read || echo slab=refused"
    rc, out, err = env.cordon_run(env.policy("it-procmask", f"[/bin/sh, -c, '{script}']"))
    expect(rc == 0 and facts(out).get("slab") == "refused", f"exit {rc}: {out} {err}")
    rc, out, err = env.run(["/bin/sh", "-c", script])
    expect(facts(out).get("slab") == "read", f"control: root reads it outside: {out}")


@test
def no_setuid_files_in_a_writable_grant(env):
    """An app (root's especially: it is host uid 0) cannot leave a setuid or setgid file on the host."""
    shared = env.fresh_tree("suid")
    env.give(shared, "it-suid")
    script = (f"cp /bin/true {shared}/t && chmod 4755 {shared}/t 2>/dev/null && echo suid=set || echo suid=refused; "
              f"chmod 2755 {shared}/t 2>/dev/null && echo sgid=set || echo sgid=refused; "
              f"chmod 0700 {shared}/t && echo plain=set")
    policy = env.write_policy("it-suid", f"schema: 1\nname: it-suid\ncommand: [/bin/sh, -c, '{script}']\n"
                                         f"filesystem:\n  read-write: [{shared}]\n")
    rc, out, err = env.cordon_run(policy)
    f = facts(out)
    expect(rc == 0 and f.get("plain") == "set", f"control: an ordinary chmod works: exit {rc}: {out} {err}")
    expect(f.get("suid") == "refused" and f.get("sgid") == "refused", f"a set-id bit was set: {out}")
    expect(not os.stat(os.path.join(shared, "t")).st_mode & 0o6000, "the file on the host has a set-id bit")
    rc, out, err = env.run(["/bin/sh", "-c", script])
    expect(facts(out).get("suid") == "set", f"control: outside it can be set: {out} {err}")
    shutil.rmtree(shared, ignore_errors=True)


@test
def host_abstract_sockets_unreachable_with_the_network_plug(env):
    """The host's abstract Unix sockets (X11's) are out of reach of an app with the network plug:
    it has a network namespace of its own, and with it its own abstract socket namespace, on any
    kernel: /proc/net/unix inside does not even list the host's name (Landlock's scope, where the
    kernel has it, would refuse the connect too, but not hide the name)."""
    import socket as sock
    name = f"cordon-it-abstract-{env.name}"
    listener = sock.socket(sock.AF_UNIX)
    listener.bind("\0" + name)
    listener.listen(4)
    try:
        code = ("import socket; s = socket.socket(socket.AF_UNIX)\n"
                "try:\n s.connect(chr(0) + '" + name + "'); print('host=connected')\n"
                "except OSError as e: print('host=refused')\n"
                "print('listed=' + str('@" + name + "' in open('/proc/net/unix').read()))\n"
                "a = socket.socket(socket.AF_UNIX); a.bind(chr(0) + 'inside'); a.listen(1)\n"
                "b = socket.socket(socket.AF_UNIX); b.connect(chr(0) + 'inside'); print('own=connected')\n")
        policy = env.script_app("it-abstract", code, "plugs: [network]\n")
        rc, out, err = env.cordon_run(policy)
        f = facts(out)
        expect(rc == 0 and f.get("own") == "connected", f"the app's own abstract socket must work: exit {rc}: {out} {err}")
        expect(f.get("host") == "refused", f"a host abstract socket was reachable: {out}")
        expect(f.get("listed") == "False", f"the host's abstract name is visible inside: {out}")
        rc, out, err = env.run(["/usr/bin/python3", os.path.join(env.policies, "it-abstract.py")])
        expect(facts(out).get("host") == "connected", f"control: outside it connects: {out} {err}")
        expect(facts(out).get("listed") == "True", f"control: outside the name is listed: {out} {err}")
    finally:
        listener.close()


@test
def other_apps_data_unreachable(env):
    a_data = env.data_dir("it-owner")
    rc, _, err = env.cordon_run(env.policy("it-owner", "[/bin/sh, -c, 'echo s3cret > \"$HOME/secret\"']"))
    expect(rc == 0, f"owner app: {rc} {err}")
    inside = run_probe(env, "it-intruder", "probe_access", a_data, a_data + "/secret")
    expect(inside[f"exists {a_data}"] == "ENOENT", f"another app's data visible: {inside[f'exists {a_data}']}")
    outside = run_outside(env, "probe_access", a_data + "/secret")
    expect(outside[f"exists {a_data}/secret"] == "ok", "control: the file exists on the host")


@test
def home_plug_keeps_cordon_state_hidden(env):
    """With the home plug the app sees the home, but not cordon's state in it; its own data still works."""
    state = os.path.dirname(os.path.dirname(env.data_dir("x")))  # .../cordon
    env.cordon_run(env.policy("it-neighbour", "[/bin/sh, -c, 'echo n > \"$HOME/n\"']"))
    neighbour = env.data_dir("it-neighbour")
    f = run_probe(env, "it-homeplug", "probe_access", env.pw.pw_dir, state, neighbour, env.data_dir("it-homeplug"),
                  extra="plugs: [home]\n")
    expect(f[f"exists {env.pw.pw_dir}"] == "ok", "the home plug shows the home")
    refusals = ("EROFS", "EACCES") if env.is_root else ("EROFS",)  # /root is host root's, not the app's
    expect(f[f"write {env.pw.pw_dir}"] in refusals, f"home is read-only: {f[f'write {env.pw.pw_dir}']}")
    if not env.is_root:  # root's state (/var/lib/cordon) is outside the home: not bound at all
        expect(f[f"read {state}"] == "EACCES", f"cordon's state can be listed: {f[f'read {state}']}")
    expect(f[f"exists {neighbour}"] == "ENOENT", f"another app's data: {f[f'exists {neighbour}']}")
    expect(f[f"write {env.data_dir('it-homeplug')}"] == "ok", "own $APP_DATA must stay writable")
    outside = run_outside(env, "probe_access", neighbour)
    expect(outside[f"exists {neighbour}"] == "ok", "control: the neighbour's data exists on the host")


@test
def app_data_persists(env):
    shutil.rmtree(env.data_dir("it-counter"), ignore_errors=True)
    policy = env.policy("it-counter", "[/bin/sh, -c, 'n=$(cat \"$HOME/n\" 2>/dev/null || echo 0); echo $((n+1)) > \"$HOME/n\"; echo run=$((n+1))']")
    first = facts(env.cordon_run(policy)[1]).get("run")
    second = facts(env.cordon_run(policy)[1]).get("run")
    expect((first, second) == ("1", "2"), f"runs: {first}, {second}")
    st = os.stat(env.data_dir("it-counter"))
    expect(st.st_uid == env.app_ids("it-counter")[0] and (st.st_mode & 0o777) == 0o700,
           f"owner {st.st_uid} mode {oct(st.st_mode)}")


@test
def symlinked_app_data_refused(env):
    data = env.data_dir("it-link")
    shutil.rmtree(data, ignore_errors=True)
    if os.path.islink(data):
        os.unlink(data)
    os.makedirs(os.path.dirname(data), exist_ok=True)
    os.symlink("/etc", data)
    try:
        rc, _, err = env.cordon_run(env.policy("it-link", "[/bin/true]"))
    finally:
        os.unlink(data)
    expect(rc == 125 and "not a directory" in err, f"exit {rc}: {err}")


@test
def exit_codes(env):
    cases = [("[/bin/sh, -c, 'exit 3']", 3), ("[/bin/sh, -c, 'kill -TERM $$']", 128 + 15),
             ("[/nonexistent/program]", 127), ("[/etc/passwd]", 126)]
    for i, (cmd, want) in enumerate(cases):
        rc, _, err = env.cordon_run(env.policy(f"it-exit{i}", cmd))
        expect(rc == want, f"{cmd}: exit {rc}, expected {want}: {err}")
    bad = os.path.join(env.policies, "it-bad.yaml")
    with open(bad, "w") as f:
        f.write("schema: 1\nname: Bad\ncommand: [/bin/true]\n")
    os.chmod(bad, 0o644)
    rc, _, err = env.cordon_run(bad)
    expect(rc == 125 and "error:" in err, f"invalid policy: exit {rc}")


@test
def signals_forwarded(env):
    script = "trap 'echo got=TERM; exit 7' TERM; trap 'echo got=USR1' USR1; echo ready=1; while :; do sleep 0.05; done"
    p = env.popen([env.cordon, "run", env.policy("it-signals", f"[/bin/sh, -c, \"{script}\"]")])
    try:
        expect(p.stdout.readline().strip() == "ready=1", "the app did not start")
        pid = p.pid if not (env.user and os.getuid() == 0 and env.pw.pw_uid != 0) else find_cordon_child(p.pid)
        os.kill(pid, signal.SIGUSR1)
        expect(p.stdout.readline().strip() == "got=USR1", "USR1 not forwarded")
        os.kill(pid, signal.SIGTERM)
        out, _ = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
    expect("got=TERM" in out and p.returncode == 7, f"exit {p.returncode}, out {out!r}")


def find_cordon_child(runuser_pid):
    """runuser forks cordon; signals go to cordon itself."""
    for _ in range(50):
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().split()
                    with open(f"/proc/{entry}/comm") as f:
                        comm = f.read().strip()
                except OSError:
                    continue
                if comm == "cordon" and is_descendant(int(entry), runuser_pid):
                    return int(entry)
        time.sleep(0.05)
    raise AssertionError("cordon process not found")


def is_descendant(pid, ancestor):
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
    return False


@test
def no_orphan_after_exit(env):
    rc, out, err = env.cordon_run(env.policy("it-daemon", f"[{env.probe('probe_daemon')}]"))
    expect(rc == 0 and "daemon=started" in out, f"exit {rc}: {err}")
    time.sleep(0.2)
    left = subprocess.run(["pgrep", "-f", "probe_daemon --sleeping"], capture_output=True, text=True).stdout.split()
    # control: the same probe outside leaves its daemon running (then we stop it)
    env.run([env.probe("probe_daemon")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.2)
    control = subprocess.run(["pgrep", "-f", "probe_daemon --sleeping"], capture_output=True, text=True).stdout.split()
    for pid in control:
        os.kill(int(pid), signal.SIGKILL)
    expect(not left, f"daemon survived the sandbox: {left}")
    expect(control, "control: outside, the daemon keeps running")


@test
def no_mount_left_on_host(env):
    before = host_mounts()
    run_probe(env, "it-leak", "probe_identity")
    expect(host_mounts() == before, "the host's mount table changed")


@test
def twenty_concurrent_launches(env):
    policy = env.policy("it-many", f"[{env.probe('probe_identity')}]")
    procs = [env.popen([env.cordon, "run", policy]) for _ in range(20)]
    outs = [p.communicate(timeout=60) for p in procs]
    bad = [(p.returncode, e) for p, (o, e) in zip(procs, outs) if p.returncode != 0 or facts(o).get("uid") != str(env.pw.pw_uid)]
    expect(not bad, f"{len(bad)} of 20 failed: {bad[:2]}")


@test
def environment_is_the_plans(env):
    rc, out, err = env.cordon_run(env.policy("it-env", "[/usr/bin/env]"))
    expect(rc == 0, err)
    names = sorted(l.split("=", 1)[0] for l in out.splitlines() if "=" in l)
    expect("SECRET_FROM_HOST" not in names, f"host variable leaked: {names}")
    expect(names == ["HOME", "LANG", "PATH"], f"environment: {names}")
    rc, out, _ = env.run(["/usr/bin/env"])
    expect("SECRET_FROM_HOST=leak" in out, "control: the variable is set outside")


@test
def terminal_gets_its_own_pty(env):
    """With a terminal on stdin the app gets a pty from its own devpts; without one, no terminal."""
    policy = env.policy("it-tty", "[/bin/sh, -c, 'echo tty=$(tty); echo pts=$(ls /dev/pts | tr \"\\\\n\" ,)']")
    rc, out, err = env.run(["script", "-qec", f"{env.cordon} run {policy}", "/dev/null"], stdin=subprocess.DEVNULL)
    # script(1) forwards its own stdin's end as a control byte, which the app's pty echoes as "^@"
    f = facts(out.replace("\r", "").replace("^@", ""))
    expect(rc == 0 and f.get("tty") == "/dev/pts/0", f"exit {rc}, tty={f.get('tty')}: {err}")
    expect(f.get("pts") == "0,ptmx,", f"the sandbox's devpts holds only its own pty: {f.get('pts')}")
    # control: the same app without a terminal has none
    f = facts(env.cordon_run(policy, stdin=subprocess.DEVNULL)[1])
    expect(f.get("tty") == "not a tty", f"without a terminal: tty={f.get('tty')}")


@test
def limits_applied(env):
    script = "echo data=$(ulimit -d) files=$(ulimit -n) procs=$(ulimit -p) cpu=$(ulimit -t)"
    rc, out, err = env.cordon_run(env.policy("it-limits", f"[/bin/sh, -c, '{script}']",
                                             "limits: {memory: 64MiB, open-files: 100, processes: 50, cpu-time: 1500ms}\n"))
    expect(rc == 0, err)
    f = facts(out.replace(" ", "\n"))
    expect((f["data"], f["files"], f["procs"], f["cpu"]) == ("65536", "100", "50", "2"), f"limits: {f}")
    outside = facts(env.run(["/bin/sh", "-c", script])[1].replace(" ", "\n"))
    expect(outside["data"] != "65536" and outside["files"] != "100", f"control: the host's limits differ: {outside}")


@test
def root_runs_app_as_named_user(env):
    user = os.environ.get("CORDON_TEST_USER", "cordon-test")
    policy = env.policy("it-as-user", f"[{env.probe('probe_identity')}]")
    if not env.is_root:
        rc, _, err = env.cordon_run_opts(["--user", "root"], policy)
        expect(rc == 125 and "only root may choose the user" in err, f"exit {rc}: {err}")
        return
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        raise Skip(f"no user {user}")
    shutil.rmtree("/var/lib/cordon/data/it-as-user", ignore_errors=True)
    rc, out, err = env.cordon_run_opts(["--user", user], policy)
    f = facts(out)
    expect(rc == 0, f"exit {rc}: {err}")
    expect((f.get("uid"), f.get("gid")) == (str(pw.pw_uid), str(pw.pw_gid)), f"ids: {f.get('uid')}:{f.get('gid')}")
    for cap in ("CapPrm", "CapEff", "CapBnd"):
        expect(f.get(cap) == ZERO_CAPS, f"{cap}={f.get(cap)}")
    st = os.stat("/var/lib/cordon/data/it-as-user")
    expect(st.st_uid == pw.pw_uid, "the app user owns its data")
    # control: without --user the same app runs as root
    control = env.policy("it-as-root", f"[{env.probe('probe_identity')}]")
    expect(facts(env.cordon_run(control)[1]).get("uid") == "0", "control: root by default")


@test
def failed_launch_leaves_nothing(env):
    """A step that fails names the step and the Plan item, exits 125, and leaves no process or mount."""
    before = host_mounts()
    policy = env.policy("it-fail", f"[{env.probe('probe_daemon')}]", "  hide: [/srv/cordon-it-missing]\n")
    rc, _, err = env.cordon_run(policy)
    expect(rc == 125, f"exit {rc}")
    expect("cordon: it-fail: cannot hide /srv/cordon-it-missing (it-fail.yaml:" in err and
           "No such file or directory" in err, f"message: {err.strip()}")
    time.sleep(0.1)
    expect(host_mounts() == before, "the host's mount table changed")
    # cordon's child is a clone without exec: it would still carry cordon's command line
    left = subprocess.run(["pgrep", "-f", "it-fail.yaml"], capture_output=True, text=True).stdout.split()
    expect(not left, f"processes left behind: {left}")


@test
def planted_symlink_never_redirects_a_bind(env):
    """An app plants a link in a tree it may write; a later launch that binds through it must fail,
    not bind wherever the link points (here: cordon's own state)."""
    share = os.path.join(env.root, "share-" + env.name)
    os.makedirs(share, exist_ok=True)
    os.chown(share, *env.app_ids("it-planter"))
    state = os.path.dirname(os.path.dirname(env.data_dir("x")))
    planter = env.policy("it-planter", f"[/bin/ln, -sfn, /oldroot{state}, {share}/x]", f"  read-write: [{share}]\n")
    rc, _, err = env.cordon_run(planter)
    expect(rc == 0 and os.path.islink(os.path.join(share, "x")), f"planting: exit {rc}: {err}")
    victim = env.policy("it-through-link", f"[{env.probe('probe_access')}, {share}/x/data]", f"  read-write: [{share}/x/data]\n")
    rc, out, err = env.cordon_run(victim)
    expect(rc == 125 and "symbolic link" in err, f"bound through a planted link: exit {rc}: {out} {err}")
    # control: with a real directory there, the same policy binds and runs
    os.unlink(os.path.join(share, "x"))
    os.makedirs(os.path.join(share, "x", "data"))
    os.chown(os.path.join(share, "x"), *env.app_ids("it-through-link"))
    os.chown(os.path.join(share, "x", "data"), *env.app_ids("it-through-link"))
    rc, out, err = env.cordon_run(victim)
    expect(rc == 0 and facts(out).get(f"write {share}/x/data") == "ok", f"control: exit {rc}: {err}")


@test
def device_nodes_cannot_be_changed(env):
    before = os.stat("/dev/full")
    rc, out, err = env.cordon_run(env.policy("it-dev", "[/bin/sh, -c, 'chmod 0600 /dev/full; touch /dev/full; echo x > /dev/null && echo wrote=1']"))
    after = os.stat("/dev/full")
    expect((before.st_mode, before.st_mtime) == (after.st_mode, after.st_mtime), "the host's /dev/full changed")
    expect("wrote=1" in out, f"/dev/null must stay writable: {out} {err}")


@test
def dev_itself_is_read_only(env):
    """Nothing can be added to the sandbox's /dev (root inside owns it); /dev/shm stays writable."""
    script = ("mkfifo /dev/evil 2>/dev/null && echo dev=written || echo dev=refused; "
              "echo x > /dev/shm/ok && echo shm=written || echo shm=refused")
    rc, out, err = env.cordon_run(env.policy("it-devro", f"[/bin/sh, -c, '{script}']"))
    f = facts(out)
    expect(rc == 0 and f.get("dev") == "refused", f"/dev took a new node: exit {rc}: {out} {err}")
    expect(f.get("shm") == "written", f"control: /dev/shm must stay writable: {out} {err}")


@test
def seccomp_stops_forbidden_calls(env):
    """The filter stops what it must; outside the sandbox the same calls get through (the control)."""
    probe = env.probe("probe_seccomp")
    rc, out, err = env.run([probe])
    outside = facts(out)
    rc, out, err = env.cordon_run(env.policy("it-seccomp", f"[{probe}]"))
    inside = facts(out)
    expect(rc == 0, f"exit {rc}: {err}")
    expected = {
        "tiocsti": "EPERM",          # ioctl(TIOCSTI) denied by its argument rule ...
        "tiocsti_high": "EPERM",     # ... also with bits above 32 set (CVE-2019-7303)
        "fionread": "EBADF",         # while ioctl itself stays allowed
        "clone3": "ENOSYS",          # so that glibc falls back to clone ...
        "thread": "ok",              # ... and threads still work
        "clone_newuser": "EPERM",    # no namespace creation through clone flags
        "unshare_user": "EPERM",     # nor through unshare
        "x32": "killed:SYS",         # and so does the x32 one
        "netlink_route": "ok",       # socket families: AF_UNIX, and in the app's own network
        "inet": "ok",                # namespace IP and route netlink ...
        "inet6": "ok",
        "unix": "ok",
        "netlink_audit": "EPERM",    # ... but no other netlink protocol
        "packet": "EPERM",           # nor any other family
        "inet_packet": "EPERM",      # nor AF_PACKET spelled (AF_INET, SOCK_PACKET)
        "inet_proto2": "EPERM",      # IP: TCP, UDP and ping only (other numbers load modules)
        "socketpair_inet": "EPERM",  # only AF_UNIX makes pairs (EOPNOTSUPP unfiltered)
        "socketpair_packet": "EPERM",  # the family rule covers socketpair too
        "aio": "EPERM",              # io_setup: only the async-io plug grants it
        "userfaultfd": "EPERM",
        "io_uring": "ENOSYS",
        "personality_exec": "EPERM",  # READ_IMPLIES_EXEC is not a safe execution domain
        "pid1_seccomp": "2",         # the sandbox's init runs under the filter too
    }
    for key, want in expected.items():
        expect(inside.get(key) == want, f"inside: {key}={inside.get(key)}, want {want}: {out} {err}")
    # the control: each forbidden call behaves differently without the filter
    for key in ("tiocsti", "tiocsti_high", "clone3", "clone_newuser", "unshare_user", "x32",
                "netlink_audit", "aio", "personality_exec", "userfaultfd", "inet_proto2", "socketpair_inet"):
        expect(outside.get(key) != expected[key], f"control: outside {key}={outside.get(key)} too")
    if env.is_root:  # without CAP_NET_RAW the kernel refuses packet sockets outside as well
        for key in ("packet", "socketpair_packet", "inet_packet"):
            expect(outside.get(key) != expected[key], f"control: root outside {key}={outside.get(key)} too")


@test
def i386_abi_kills_the_process(env):
    """int 0x80 (the i386 ABI) kills the process, in enforcing and in complain mode. A kernel built
    without IA32 emulation (or booted with ia32_emulation=0) has no such entry at all: there the
    probe dies of SIGSEGV outside the sandbox too, and the test is a visible skip."""
    probe = env.probe("probe_seccomp")
    outside = facts(env.run([probe])[1]).get("int80")
    if outside == "killed:SEGV":
        raise Skip("this kernel has no i386 syscall entry (int 0x80 is SIGSEGV outside the sandbox too)")
    expect(outside == "ok", f"control: outside int80={outside}")
    policy = env.policy("it-i386", f"[{probe}]")
    for options in ([], ["--complain"]):
        rc, out, err = env.cordon_run_opts(options, policy)
        got = facts(out).get("int80")
        expect(rc == 0 and got == "killed:SYS", f"cordon run {' '.join(options)}: int80={got}: exit {rc}: {err}")


@test
def real_programs_pass_under_the_default_filter(env):
    """python3 (threads, subprocess), git, sqlite3, gcc and tar work under base.yaml's allowlist."""
    script = "; ".join([
        "cd /tmp",
        "/usr/bin/python3 -c 'import threading, subprocess; t = threading.Thread(target=print); t.start(); t.join();"
        " subprocess.run([\"/bin/true\"], check=True)' && echo python=ok",
        "printf \"int main(void){return 0;}\" > t.c && gcc -o t t.c && ./t && echo gcc=ok",
        "mkdir d && echo x > d/f && tar cf d.tar d && rm -r d && tar xf d.tar && test -f d/f && echo tar=ok",
        "sqlite3 db 'create table t(x); insert into t values(1);' && test $(sqlite3 db 'select count(*) from t') = 1"
        " && echo sqlite=ok",
        "git init -q r && cd r && echo x > f && git add f && git -c user.name=t -c user.email=t@t commit -qm m && echo git=ok",
    ])
    policy = env.policy("it-real", "[/bin/sh, -c, '" + script.replace("'", "''") + "']")
    rc, out, err = env.cordon_run(policy)
    f = facts(out)
    for tool in ("python", "gcc", "tar", "sqlite", "git"):
        expect(f.get(tool) == "ok", f"{tool} failed under the filter: exit {rc}: {out} {err[-2000:]}")


@test
def seccomp_denial_names_the_plug(env):
    """A denied call is reported with the plug that would allow it; --quiet silences it."""
    probe = env.probe("probe_seccomp")
    rc, out, err = env.cordon_run(env.policy("it-deny", f"[{probe}]"))
    expect(facts(out).get("aio") == "EPERM", f"aio={facts(out).get('aio')}")
    expect("denied io_setup(…) — the async-io plug would allow it" in err, f"no diagnostic: {err}")
    expect("denied unshare(…) — denied to every app" in err, f"unshare not explained: {err}")
    expect("denied socket(AF_PACKET, …) — no interface grants AF_PACKET" in err, f"AF_PACKET not explained: {err}")
    rc, out, err = env.cordon_run_opts(["--json"], env.policy("it-deny", f"[{probe}]"))
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    expect(any(e.get("syscall") == "io_setup" and e.get("plugs") == ["async-io"] for e in events), f"json: {err}")
    expect(any(e.get("family") == "AF_PACKET" and e.get("plugs") == [] for e in events), f"json: {err}")
    rc, out, err = env.cordon_run_opts(["--quiet"], env.policy("it-deny", f"[{probe}]"))
    expect(facts(out).get("aio") == "EPERM" and "denied" not in err, f"--quiet: {err}")
    # control: with the plug, nothing is denied and the call works
    rc, out, err = env.cordon_run(env.policy("it-deny-aio", f"[{probe}]", "plugs: [async-io]\n"))
    expect(facts(out).get("aio") == "ok" and "denied io_setup" not in err, f"with the plug: {out} {err}")


@test
def memory_deny_write_execute_plug(env):
    """The memory-deny-write-execute interface's rules deny a writable and executable mapping; the
    same app without the plug gets one (the control), and dynamic loading still works with it."""
    probe = env.probe("probe_seccomp")
    rc, out, err = env.cordon_run(env.policy("it-wx", f"[{probe}]", "plugs: [memory-deny-write-execute]\n"))
    expect(rc == 0 and facts(out).get("mmap_wx") == "EPERM", f"with the plug: exit {rc}: {out} {err}")
    expect("denied mmap" not in err, f"an argument rule's denial is not a plug's to lift: {err}")
    rc, out, err = env.cordon_run(env.policy("it-wx-off", f"[{probe}]"))
    expect(facts(out).get("mmap_wx") == "ok", f"control: without the plug: {out} {err}")
    rc, out, err = env.cordon_run(env.policy("it-wx-sh", "[/bin/sh, -c, 'echo loaded=yes']", "plugs: [memory-deny-write-execute]\n"))
    expect(facts(out).get("loaded") == "yes", f"a dynamically linked shell under W^X: exit {rc}: {err}")


@test
def denials_fall_back_to_errno_under_another_listener(env):
    """Under a filter that already holds a listener (a container runtime's), cordon cannot install
    its own: it says so once and the filter answers by itself, still denying."""
    probe = env.probe("probe_seccomp")
    rc, out, err = env.run([env.probe("with_listener"), env.cordon, "run", env.policy("it-busy", f"[{probe}]")])
    f = facts(out)
    expect(rc == 0 and f.get("aio") == "EPERM" and f.get("tiocsti") == "EPERM", f"exit {rc}: {out} {err}")
    expect("denied calls are not reported" in err and "denied io_setup" not in err, f"stderr: {err}")


@test
def complain_mode_suggestions_make_the_run_pass(env):
    """--complain lets the missing calls through (never the unsafe ones); --suggest's additions,
    applied, make the same run pass enforced."""
    probe = env.probe("probe_seccomp")
    policy = env.policy("it-complain", f"[{probe}]")
    suggest = os.path.join(env.pw.pw_dir, "it-complain.suggest.yaml")  # where the invoker may write
    if os.path.exists(suggest):
        os.unlink(suggest)
    rc, out, err = env.cordon_run_opts(["--complain", "--suggest", suggest], policy)
    f = facts(out)
    expect(f.get("aio") == "ok" and os.path.exists(suggest), f"complain mode denied io_setup: {out} {err}")
    # never let through: what no plug or seccomp.allow could grant
    for key, want in (("unshare_user", "EPERM"), ("clone_newuser", "EPERM"),
                      ("userfaultfd", "EPERM"), ("io_uring", "ENOSYS"), ("tiocsti", "EPERM"),
                      ("netlink_audit", "EPERM"), ("packet", "EPERM"), ("personality_exec", "EPERM")):
        expect(f.get(key) == want, f"complain mode let an unsafe call through: {key}={f.get(key)}: {out}")
    with open(suggest) as fh:
        additions = fh.read()
    expect("plugs: [async-io]" in additions, f"suggestions: {additions}")
    expect("seccomp:" not in additions and "personality(…): its arguments are refused" in additions,
           f"an argument rule's denial is not something to allow: {additions}")
    with open(policy, "a") as fh:
        fh.write(additions)
    os.unlink(suggest)
    rc, out, err = env.cordon_run(policy)
    expect(rc == 0 and facts(out).get("aio") == "ok", f"enforced with the suggestions: exit {rc}: {out} {err}")


def filter_files(env):
    d = "/var/cache/cordon/filters" if env.is_root else os.path.join(env.pw.pw_dir, ".cache/cordon/filters")
    return [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".bpf")]


def allow_everything(data):
    """The same cache file (magic, key) with one program: return ALLOW."""
    import struct
    (magic, key_len) = struct.unpack_from("<QQ", data, 0)
    head = data[:16 + key_len]
    ret_allow = struct.pack("<HBBI", 0x06, 0, 0, 0x7FFF0000)
    return head + struct.pack("<Q", 1) + struct.pack("<Q", len(ret_allow)) + ret_allow


@test
def filter_cache_trusted_only_when_private(env):
    """A corrupt or foreign-owned compiled filter is never loaded; the invoker's own is (control)."""
    probe = env.probe("probe_seccomp")
    policy = env.policy("it-filter-cache", f"[{probe}]")
    expect(facts(env.cordon_run(policy)[1]).get("aio") == "EPERM", "cold run")
    files = filter_files(env)
    expect(files, "no compiled filter was cached")
    originals = {p: open(p, "rb").read() for p in files}
    for p in files:  # corrupt: garbage, right owner and mode
        with open(p, "wb") as fh:
            fh.write(b"\x00garbage" * 8)
    rc, out, err = env.cordon_run(policy)
    expect(rc == 0 and facts(out).get("aio") == "EPERM", f"corrupt cache: exit {rc}: {out} {err}")
    other = 65534 if env.pw.pw_uid != 65534 else 1
    for p, data in originals.items():  # foreign-owned: a permissive program owned by someone else
        with open(p, "wb") as fh:
            fh.write(allow_everything(data))
        os.chown(p, other, other)
    rc, out, err = env.cordon_run(policy)
    expect(facts(out).get("aio") == "EPERM", f"a foreign-owned filter was loaded: {out} {err}")
    # control: the same permissive file, owned by the invoker, is loaded (the refusal above came
    # from the ownership check; the test would see a loaded file)
    for p in filter_files(env):
        with open(p, "rb") as fh:
            data = fh.read()
        with open(p, "wb") as fh:
            fh.write(allow_everything(data))
        os.chown(p, env.pw.pw_uid, env.pw.pw_gid)
        os.chmod(p, 0o600)
    rc, out, err = env.cordon_run(policy)
    expect(facts(out).get("aio") == "ok", f"control: the invoker's own file was not used: {out} {err}")
    for p in filter_files(env):
        os.unlink(p)


@test
def private_session_keyring(env):
    """The app joins a new session keyring: the invoker's keys are not reachable."""
    # One shell, so that outside and inside start from the same session keyring (runuser's PAM
    # session makes a new one per invocation).
    probe, policy = env.probe("probe_keyring"), env.policy("it-keys", f"[{env.probe('probe_keyring')}]")
    rc, out, err = env.run(["/bin/sh", "-c", f"{probe}; {env.cordon} run {policy}"])
    expect(rc == 0, err)
    outside, inside = [l.split("=", 1)[1] for l in out.splitlines() if l.startswith("session=")]
    # control: two processes in that shell share it
    rc, out, _ = env.run(["/bin/sh", "-c", f"{probe}; {probe}"])
    first, second = [l.split("=", 1)[1] for l in out.splitlines() if l.startswith("session=")]
    expect(first == second, "control: processes outside cordon share the session keyring")
    expect(inside != outside, f"the app shares the invoker's session keyring ({inside})")


@test
def process_limit_holds_for_root_too(env):
    """RLIMIT_NPROC exempts host uid 0, so root's apps get a cgroup pids.max: a fork flood stops."""
    if env.is_root and not root_app_gets_own_limit("pids"):
        raise Skip("this host's cgroups cannot give root's app its own pids.max below the invoker's "
                   "(cgroup v2, and the invoker's cgroup holds processes); docs/sandbox.md")
    # only shell builtins after the flood: a command substitution would need a fork too
    # (a failed fork ends a non-interactive shell, so the flood runs in a subshell)
    script = "(i=0; while [ $i -lt 60 ]; do sleep 3 & i=$((i+1)); done) 2>/dev/null; set -- /proc/[0-9]*; echo pids=$#"
    rc, out, err = env.cordon_run(env.policy("it-nproc", f"[/bin/sh, -c, '{script}']", "limits: {processes: 16}\n"))
    pids = int(facts(out).get("pids", "999"))
    expect(pids <= 17, f"{pids} processes under a limit of 16: {err}")
    rc, out, err = env.cordon_run(env.policy("it-nproc-free", f"[/bin/sh, -c, '{script}']", "limits: {processes: 1000}\n"))
    expect(int(facts(out).get("pids", "0")) > 40, f"control: without the limit the flood goes on: {out}")


@test
def tmpfs_bounded_by_memory_limit(env):
    """RLIMIT_DATA misses tmpfs pages: /tmp is sized to the memory limit (and root's cgroup counts them)."""
    script = "head -c 80M /dev/zero > /tmp/g 2>/dev/null && echo tmp80=ok || echo tmp80=full"
    rc, out, err = env.cordon_run(env.policy("it-tmpfs", f"[/bin/sh, -c, '{script}']", "limits: {memory: 64MiB}\n"))
    expect("tmp80=ok" not in out, f"80M fit in /tmp under a 64MiB limit: {out} {err}")
    # control: without a memory limit the same write fits
    rc, out, err = env.cordon_run(env.policy("it-tmpfs-free", f"[/bin/sh, -c, '{script}']"))
    expect("tmp80=ok" in out, f"control: without a limit /tmp holds 80M: {out} {err}")


@test
def adhoc_file_cannot_take_an_installed_name(env):
    apps = os.path.join(env.root, "share/cordon/apps")
    installed = os.path.join(apps, "it-installed.yaml")
    if not os.path.exists(installed):
        os.makedirs(apps, exist_ok=True)
        with open(installed, "w") as f:
            f.write("schema: 1\nname: it-installed\ncommand: [/bin/sh, -c, 'echo who=installed']\n")
        os.chmod(apps, 0o755)
        os.chmod(installed, 0o644)
    impostor = env.policy("it-installed", "[/bin/sh, -c, 'echo who=impostor']")
    rc, out, err = env.cordon_run(impostor)
    expect(rc == 125 and "belongs to" in err and "who=impostor" not in out, f"exit {rc}: {out} {err}")
    # control: the installed app runs by its name
    rc, out, err = env.run([env.cordon, "run", "it-installed"])
    expect(rc == 0 and "who=installed" in out, f"control: exit {rc}: {out} {err}")


@test
def relocated_xdg_state_hidden(env):
    """cordon's state under a relocated $XDG_DATA_HOME is hidden like the default place."""
    if env.is_root:
        raise Skip("root ignores the XDG variables; its state is in /var/lib and /var/cache")
    xdg = os.path.join(env.pw.pw_dir, ".xdg-it")
    os.makedirs(xdg, exist_ok=True)
    os.chown(xdg, env.pw.pw_uid, env.pw.pw_gid)
    state = os.path.join(xdg, "cordon")
    shutil.rmtree(os.path.join(state, "origins"), ignore_errors=True)  # an earlier run's policy files owned the names
    policy = env.policy("it-xdg", f"[{env.probe('probe_access')}, {state}, {state}/data/it-xdg-other]", "plugs: [home]\n")
    other = env.policy("it-xdg-other", "[/bin/true]")
    cmd = lambda p: ["env", f"XDG_DATA_HOME={xdg}", env.cordon, "run", p]
    env.run(cmd(other))
    rc, out, err = env.run(cmd(policy))
    f = facts(out)
    expect(rc == 0, err)
    expect(f[f"read {state}"] == "EACCES", f"relocated state listable: {f[f'read {state}']}")
    expect(f[f"exists {state}/data/it-xdg-other"] == "ENOENT", "another app's data under the relocated state")
    outside = run_outside(env, "probe_access", f"{state}/data/it-xdg-other")
    expect(outside[f"exists {state}/data/it-xdg-other"] == "ok", "control: it exists on the host")


@test
def state_cannot_be_replaced_around_a_writable_grant(env):
    """An app may write the directory that holds cordon's (relocated) cache and config, but can
    neither rename them away nor create cordon's config there: a planted policy or an allow-all
    filter would be trusted by the next launch."""
    if env.is_root:
        raise Skip("root ignores the XDG variables; its state is under /etc and /var, never granted in a test")
    shared = env.fresh_tree("shared", "cache")
    env.give(shared)
    script = (f"mv {shared}/cache {shared}/moved 2>/dev/null && echo move=done || echo move=refused; "
              f"mkdir -p {shared}/config/cordon/interfaces 2>/dev/null && echo plant=done || echo plant=refused; "
              f"touch {shared}/ok && echo write=ok")
    policy = env.write_policy("it-state", f"schema: 1\nname: it-state\ncommand: [/bin/sh, -c, '{script}']\n"
                                          f"filesystem:\n  read-write: [{shared}]\n")
    cmd = ["env", f"XDG_CACHE_HOME={shared}/cache", f"XDG_CONFIG_HOME={shared}/config", env.cordon, "run", policy]
    rc, out, err = env.run(cmd)
    f = facts(out)
    expect(f.get("write") == "ok", f"control: the grant is writable: exit {rc}: {out} {err}")
    expect(f.get("move") == "refused", f"the cache directory was renamed away: {out}")
    expect(f.get("plant") == "refused", f"cordon's config could be created: {out}")
    expect(os.path.isdir(os.path.join(shared, "config", "cordon")), "the config directory was not made before launch")
    # control: outside the sandbox the same rename works (so the refusal above is the sandbox's)
    rc, out, err = env.run(["/bin/sh", "-c", f"mv {shared}/cache {shared}/moved && mv {shared}/moved {shared}/cache && echo move=done"])
    expect(facts(out).get("move") == "done", f"control: rename outside: {out} {err}")
    shutil.rmtree(shared, ignore_errors=True)


@test
def protections_inside_a_writable_grant_cannot_be_moved_away(env):
    """A read-only or hidden path below a read-write grant stays where the Plan put it: the
    directories above it cannot be renamed (else the app could rebuild the path writable)."""
    proj = env.fresh_tree("proj", ".git/hooks", "a/secret")
    env.give(proj)
    script = (f"cd {proj}; touch .git/hooks/x 2>/dev/null && echo hooks=written || echo hooks=refused; "
              f"mv .git .git-old 2>/dev/null && echo git=moved || echo git=refused; "
              f"mv a b 2>/dev/null && echo secret=moved || echo secret=refused")
    policy = env.write_policy("it-pin", f"schema: 1\nname: it-pin\ncommand: [/bin/sh, -c, '{script}']\n"
                                        f"filesystem:\n  read-write: [{proj}]\n  read-only: [{proj}/.git/hooks]\n"
                                        f"  hide: [{proj}/a/secret]\n")
    rc, out, err = env.cordon_run(policy)
    f = facts(out)
    expect(rc == 0 and f.get("hooks") == "refused", f"exit {rc}: {out} {err}")
    expect(f.get("git") == "refused" and f.get("secret") == "refused", f"a protection was moved away: {out}")
    rc, out, err = env.run(["/bin/sh", "-c", script])
    expect(facts(out).get("git") == "moved", f"control: outside the rename works: {out} {err}")
    shutil.rmtree(proj, ignore_errors=True)


@test
def state_behind_a_symlink_is_hidden(env):
    """A state directory that is a symbolic link (a dotfiles manager's) is hidden at its target too."""
    if env.is_root:
        raise Skip("root ignores the XDG variables; its state is under /etc and /var")
    shared = env.fresh_tree("linked", "dotfiles/cordon/apps", "config")
    target = os.path.join(shared, "dotfiles", "cordon")
    os.symlink(target, os.path.join(shared, "config", "cordon"))
    with open(os.path.join(target, "apps", "secret.yaml"), "w") as fh:
        fh.write("# the user's own policy\n")
    env.give(shared)
    script = f"cat {target}/apps/secret.yaml >/dev/null 2>&1 && echo read=yes || echo read=no"
    policy = env.write_policy("it-linked", f"schema: 1\nname: it-linked\ncommand: [/bin/sh, -c, '{script}']\n"
                                           f"filesystem:\n  read-only: [{shared}]\n")
    rc, out, err = env.run(["env", f"XDG_CONFIG_HOME={shared}/config", env.cordon, "run", policy])
    expect(rc == 0 and facts(out).get("read") == "no", f"the link's target was readable: exit {rc}: {out} {err}")
    rc, out, err = env.run(["/bin/sh", "-c", script])
    expect(facts(out).get("read") == "yes", f"control: readable outside: {out} {err}")
    shutil.rmtree(shared, ignore_errors=True)


@test
def warm_cache_follows_edits(env):
    """A cached Plan is used only while every input is unchanged: an edited policy takes effect."""
    path = env.policy("it-cache", "[/bin/sh, -c, 'echo version=1']")
    first = facts(env.cordon_run(path)[1]).get("version")
    warm = facts(env.cordon_run(path)[1]).get("version")
    time.sleep(0.01)
    env.policy("it-cache", "[/bin/sh, -c, 'echo version=2']")
    edited = facts(env.cordon_run(path)[1]).get("version")
    expect((first, warm, edited) == ("1", "1", "2"), f"runs saw {first}, {warm}, {edited}")


@test
def cache_not_trusted_unless_private(env):
    """A cache file someone else could have written is ignored and rebuilt, never loaded."""
    path = env.policy("it-forge", "[/bin/sh, -c, 'echo who=real']")
    time.sleep(0.1)  # a cache entry made within two clock ticks of the policy's change is never trusted (plan_cache.cc)
    expect(facts(env.cordon_run(path)[1]).get("who") == "real", "cold run")
    cache_dir = "/var/cache/cordon/plans" if env.is_root else os.path.join(env.pw.pw_dir, ".cache/cordon/plans")
    files = [os.path.join(cache_dir, f) for f in os.listdir(cache_dir)]
    newest = max(files, key=os.path.getmtime)
    with open(newest, "rb") as f:
        data = f.read()
    forged = data.replace(b"who=real", b"who=FAKE")
    expect(forged != data, "the cache should hold the command")
    for mode in (0o644, 0o600):
        with open(newest, "wb") as f:
            f.write(forged)
        os.chmod(newest, mode)
        # 0644: readable by others, so not private; 0600 but owned by root for a user: not the invoker's
        if mode == 0o600 and env.is_root:
            continue
        if mode == 0o600:
            os.chown(newest, 0, 0)
        got = facts(env.cordon_run(path)[1]).get("who")
        expect(got == "real", f"a forged cache (mode {oct(mode)}) was loaded: who={got}")
    # control: the same bytes, private to the invoker, are loaded (so the refusals above came from
    # the ownership and mode checks, not from a broken file)
    files = [os.path.join(cache_dir, f) for f in os.listdir(cache_dir)]
    newest = max(files, key=os.path.getmtime)
    with open(newest, "rb") as f:
        fresh = f.read()
    with open(newest, "wb") as f:
        f.write(fresh.replace(b"who=real", b"who=FAKE"))
    os.chown(newest, env.pw.pw_uid, env.pw.pw_gid)
    os.chmod(newest, 0o600)
    got = facts(env.cordon_run(path)[1]).get("who")
    os.unlink(newest)
    expect(got == "FAKE", f"control: a private cache file is used: who={got}")

# ---- driver -------------------------------------------------------------------------------------

def prepare(args):
    root = tempfile.mkdtemp(prefix="cordon-it-", dir="/tmp")
    os.chmod(root, 0o755)
    for sub in ("bin", "share/cordon", "probes"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    shutil.copy2(args.cordon, os.path.join(root, "bin", "cordon"))
    shutil.copytree(os.path.join(args.source, "policies/interfaces"), os.path.join(root, "share/cordon/interfaces"))
    shutil.copy2(os.path.join(args.source, "policies/syscall-sets.yaml"), os.path.join(root, "share/cordon"))
    for name in os.listdir(args.probes):
        shutil.copy2(os.path.join(args.probes, name), os.path.join(root, "probes", name))
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            p = os.path.join(dirpath, f)
            os.chmod(p, 0o755 if os.access(p, os.X_OK) else 0o644)
    return root


def modes(root):
    user = os.environ.get("CORDON_TEST_USER", "cordon-test")
    out = []
    if os.getuid() == 0:
        out.append((Env("root", None, root), None))
        try:
            pw = pwd.getpwnam(user)
            reason = None if os.path.isdir(pw.pw_dir) and pw.pw_uid != 0 else f"user {user} has no home of its own"
        except KeyError:
            reason = f"no user {user}: create it with `useradd -m {user}` (CI does)"
        out.append((Env("user", user, root) if not reason else None, reason))
    else:
        out.append((None, "not running as root"))
        out.append((Env("user", None, root), None))
    return out


def load_concerns():
    """The tests of it_*.py, each file one concern; they register themselves with @test."""
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "it_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])


def main():
    load_concerns()
    ap = argparse.ArgumentParser()
    ap.add_argument("--cordon", required=True)
    ap.add_argument("--probes", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("-k", default="", help="run only tests whose name contains this")
    args = ap.parse_args()
    root = prepare(args)
    try:
        # CI sets this: a launch mode that cannot run there is a failure, not a skip.
        if os.environ.get("CORDON_REQUIRE_BOTH_MODES") == "1":
            for env, reason in modes(root):
                if env is None:
                    print(f"FAIL mode unavailable: {reason}")
                    results["failed"] += 1
        for env, reason in modes(root):
            label = env.name if env else ("root" if "root" in (reason or "") else "user")
            for fn in TESTS:
                if args.k not in fn.__name__:
                    continue
                name = f"{fn.__name__} [{label}]"
                if env is None:
                    results["skipped"] += 1
                    print(f"SKIP {name}: {reason}")
                    continue
                try:
                    fn(env)
                    results["passed"] += 1
                    print(f"ok   {name}")
                except Skip as s:
                    results["skipped"] += 1
                    print(f"SKIP {name}: {s}")
                except Exception as e:  # any error is this test's failure; the others still run
                    results["failed"] += 1
                    print(f"FAIL {name}: {type(e).__name__}: {e}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed, {results['skipped']} skipped")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
