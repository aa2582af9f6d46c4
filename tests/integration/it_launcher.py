"""The launcher and the supervisor around the app: exit codes, signal forwarding, the terminal
(a pty of its own; escapes that could act on the host's terminal filtered), cordon's options
before APP and the app's after it, --suggest, descriptors kept outside, nothing left after exit
or after a failed launch, concurrent launches. Each with its positive control."""
import json
import os
import pty
import select
import signal
import socket
import threading
import time

import subprocess

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, run_probe, Skip, ...)



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
            expect("\n  - async-io  # called io_setup" in fh.read(), "control: the suggestions were written")
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


# ---- the core invariants of DESIGN.md ("Confinement each launch must give") -----------------

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
    watchdog = threading.Timer(60, p.kill)  # a lost signal fails the test, instead of hanging its readline
    watchdog.start()
    try:
        expect(p.stdout.readline().strip() == "ready=1", "the app did not start")
        pid = p.pid if not (env.user and os.getuid() == 0 and env.pw.pw_uid != 0) else find_cordon_child(p.pid)
        os.kill(pid, signal.SIGUSR1)
        expect(p.stdout.readline().strip() == "got=USR1", "USR1 not forwarded")
        os.kill(pid, signal.SIGTERM)
        out, _ = p.communicate(timeout=10)
    finally:
        watchdog.cancel()
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
    """A launch leaves the host's mount table as it was. Control: a mount made on the host does
    show in the comparison (so an unchanged table is not a comparison that cannot fail)."""
    before = host_mounts()
    run_probe(env, "it-leak", "probe_identity")
    expect(host_mounts() == before, "the host's mount table changed")
    if os.getuid() != 0:
        raise Skip("the control mounts a tmpfs on the host, which needs root")
    point = env.fresh_tree("mount-control")
    subprocess.run(["mount", "-t", "tmpfs", "it-control", point], check=True)
    try:
        expect(host_mounts() != before, "control: a host mount changes the table")
    finally:
        subprocess.run(["umount", point], check=True)
        os.rmdir(point)


@test
def twenty_concurrent_launches(env):
    policy = env.policy("it-many", f"[{env.probe('probe_identity')}]")
    procs = [env.popen([env.cordon, "run", policy]) for _ in range(20)]
    outs = [p.communicate(timeout=60) for p in procs]
    bad = [(p.returncode, e) for p, (o, e) in zip(procs, outs) if p.returncode != 0 or facts(o).get("uid") != str(env.pw.pw_uid)]
    expect(not bad, f"{len(bad)} of 20 failed: {bad[:2]}")


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
    # control: the same app without the missing hide launches, so the failure was that step's
    rc, out, err = env.cordon_run(env.policy("it-fail", f"[{env.probe('probe_daemon')}]"))
    expect(rc == 0 and "daemon=started" in out, f"control: exit {rc}: {err}")


@test
def apps_lists_an_ad_hoc_app_and_forget_deletes_its_data_on_confirmation(env):
    """`cordon apps --json` names an ad-hoc app that ran, with its policy file and data;
    `cordon forget` without --yes and without a terminal deletes nothing (the control: the data is
    still there), with --yes it deletes the data and the name's record, and `apps` no longer lists
    it. Not an app name: refused."""
    name = "it-forget"
    policy = env.write_policy(name, f"schema: 1\nname: {name}\ncommand: [/bin/sh, -c, 'echo kept > $APP_DATA/file']\n")
    rc, out, err = env.cordon_run(policy)
    data = env.data_dir(name)
    expect(rc == 0 and os.path.isfile(os.path.join(data, "file")), f"run: exit {rc}: {err}")
    rc, out, err = env.run([env.cordon, "apps", "--json"])
    listed = {a["name"]: a for a in json.loads(out)["apps"]} if rc == 0 else {}
    expect(listed.get(name, {}).get("origin") == "ad-hoc" and listed[name]["policy"] == policy and
           listed[name]["data"] == data, f"apps: exit {rc}: {listed.get(name)} {err}")
    rc, out, err = env.run([env.cordon, "forget", name], stdin=subprocess.DEVNULL)
    expect(rc == 1 and "--yes" in err and os.path.isfile(os.path.join(data, "file")),
           f"forget without --yes: exit {rc}: {out} {err}")
    rc, out, err = env.run([env.cordon, "forget", "--yes", name])
    expect(rc == 0 and not os.path.exists(data), f"forget --yes: exit {rc}: {out} {err}")
    rc, out, err = env.run([env.cordon, "apps", "--json"])
    expect(name not in {a["name"] for a in json.loads(out)["apps"]}, f"still listed: {out}")
    rc, out, err = env.run([env.cordon, "forget", "--yes", "../etc"])
    expect(rc == 1 and "not an app name" in err, f"a bad name: exit {rc}: {err}")


@test
def status_fd_reports_the_sandbox_denials_and_exit_on_a_channel_of_its_own(env):
    """`cordon run --json --status-fd N`: on N, JSON lines — the sandbox started (its pid, and the
    namespaces the host numbers), the denied io_setup, the exit status — and none of it on the app's
    stderr. Control: without --status-fd, --json puts the denial on stderr. A descriptor that is
    not open, or is the app's stdout, is refused with exit 125."""
    policy = env.policy("it-status", f"[{env.probe('probe_budgets')}, aio]")
    read_end, write_end = os.pipe()
    try:
        p = env.popen([env.cordon, "run", "--json", "--status-fd", str(write_end), policy], pass_fds=(write_end,))
        os.close(write_end)
        write_end = -1
        out, err = p.communicate(timeout=30)
        lines = []
        while chunk := os.read(read_end, 65536):
            lines += [json.loads(l) for l in chunk.decode().splitlines()]
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    events = [l["event"] for l in lines]
    expect(p.returncode == 0 and events == ["started", "seccomp", "exited"], f"events: {lines} (exit {p.returncode}, {err})")
    started, denied, exited = lines
    expect(started["pid"] > 1 and all(isinstance(started["namespaces"].get(k), int) for k in ("mnt", "net", "pid", "user")),
           f"started: {started}")
    expect(denied["syscall"] == "io_setup" and denied["plugs"] == ["async-io"] and exited["status"] == 0, f"{lines}")
    expect('"event"' not in err and "aio=EPERM" in out, f"cordon's events on the app's streams: {out} {err}")
    rc, out, err = env.run([env.cordon, "run", "--json", policy])
    expect('"event":"seccomp"' in err, f"control: --json alone puts the denial on stderr: {err}")
    for fd in ("1", "99"):
        rc, out, err = env.run([env.cordon, "run", "--status-fd", fd, policy])
        expect(rc == 125 and "--status-fd" in err and "aio=" not in out, f"--status-fd {fd}: exit {rc}: {err}")


SERVICE_APP = r'''
import os, socket
print("listen_pid=" + ("ok" if os.environ.get("LISTEN_PID") == str(os.getpid()) else os.environ.get("LISTEN_PID", "unset")),
      "listen_fds=" + os.environ.get("LISTEN_FDS", "unset"), "names=" + os.environ.get("LISTEN_FDNAMES", "unset"), flush=True)
notify = os.environ.get("NOTIFY_SOCKET")
if notify:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(b"READY=1\nSTATUS=serving", notify)
try:
    listener = socket.socket(fileno=3)
    conn, _ = listener.accept()
    conn.sendall(b"served")
    conn.close()
    print("fd3=served", flush=True)
except OSError as e:
    print("fd3=" + type(e).__name__, flush=True)
'''


@test
def a_service_gets_systemds_notify_socket_and_listening_socket(env):
    """Under systemd (stand-ins): with NOTIFY_SOCKET and LISTEN_PID=cordon's pid, LISTEN_FDS=1 and a
    listening TCP socket at fd 3, the confined app sends READY=1 to the notify socket (bound in at
    its path), gets the socket at fd 3 with LISTEN_PID its own pid, and serves a host connection
    through it. Control: the same fd 3 without the LISTEN_ variables is not handed over, and no
    NOTIFY_SOCKET is set."""
    folder = env.fresh_tree("notify")
    os.chmod(folder, 0o755)
    notify_path = os.path.join(folder, "notify")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    os.chmod(notify_path, 0o666)
    notify.settimeout(20)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    policy = env.script_app("it-service", SERVICE_APP)
    try:
        def launch(systemd):
            variables = (f"LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=web NOTIFY_SOCKET={notify_path} "
                         if systemd else "")
            script = f'exec 3<&{listener.fileno()} {listener.fileno()}<&-; {variables}exec "$@"'
            return env.popen(["sh", "-c", script, "sh", env.cordon, "run", policy], pass_fds=(listener.fileno(),))
        p = launch(True)
        with socket.create_connection(("127.0.0.1", port), timeout=20) as c:
            got = c.recv(64)
        out, err = p.communicate(timeout=30)
        message = notify.recv(256)
        expect(p.returncode == 0 and got == b"served" and "fd3=served" in out, f"served: {got} exit {p.returncode}: {out} {err}")
        expect("listen_pid=ok listen_fds=1 names=web" in out, f"the LISTEN_ variables: {out}")
        expect(message.startswith(b"READY=1"), f"the notification: {message}")
        p = launch(False)
        out, err = p.communicate(timeout=30)
        expect("listen_fds=unset" in out and "fd3=OSError" in out, f"control: handed over without systemd's variables: {out} {err}")
    finally:
        listener.close()
        notify.close()


@test
def only_sockets_fifos_and_files_are_handed_on_and_never_the_status_fd(env):
    """Socket activation hands fds 3.. to the app: a directory there (`exec 3</`, which would let the
    app open and connect below the host's /) is refused before anything runs; --status-fd naming
    one of those fds (the app would get it and forge events) is refused; a --status-fd that is not
    open in the caller is refused at once, before cordon opens a descriptor of its own with that
    number (it once landed in the --suggest file). Control: a pipe at fd 3 is handed on and the app
    runs."""
    policy = env.policy("it-listen-kinds", "[/bin/sh, -c, 'echo fds=$$LISTEN_FDS']")
    def launch(redirect, *options):
        script = f'{redirect} LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"'
        return env.run(["sh", "-c", script, "sh", env.cordon, "run", *options, policy])
    rc, out, err = launch("exec 3</;")
    expect(rc == 125 and "a directory" in err and "fds=" not in out, f"a directory at fd 3: exit {rc}: {out} {err}")
    rc, out, err = launch("exec 3</dev/null 4>&1;", "--status-fd", "3")
    expect(rc == 125 and "LISTEN_FDS" in err and "fds=" not in out, f"--status-fd 3 under LISTEN_FDS=1: exit {rc}: {err}")
    suggest = os.path.join(env.fresh_tree("status-suggest"), "suggested.yaml")
    os.chmod(os.path.dirname(suggest), 0o777)
    rc, out, err = env.run(["sh", "-c", 'exec 3>&-; exec "$@"', "sh", env.cordon, "run", "--complain",
                            "--suggest", suggest, "--status-fd", "3", policy])
    expect(rc == 125 and "not open" in err and not os.path.exists(suggest),
           f"--status-fd 3, closed: exit {rc}: {err} (suggest file made: {os.path.exists(suggest)})")
    rc, out, err = env.run(["sh", "-c", 'exec 3<&0; LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"', "sh", env.cordon, "run", policy],
                           stdin=subprocess.PIPE)
    expect(rc == 0 and "fds=1" in out, f"control: a pipe at fd 3 is handed on: exit {rc}: {out} {err}")
    # A refusal before the sandbox exists is a `failed` event too (here: --suggest names a file that exists).
    existing = os.path.join(os.path.dirname(suggest), "exists.yaml")
    with open(existing, "w") as f:
        f.write("keep\n")
    read_end, write_end = os.pipe()
    try:
        p = env.popen([env.cordon, "run", "--status-fd", str(write_end), "--complain", "--suggest", existing, policy],
                      pass_fds=(write_end,))
        os.close(write_end)
        write_end = -1
        out, err = p.communicate(timeout=30)
        events = [json.loads(l) for l in os.read(read_end, 65536).decode().splitlines()]
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    expect(p.returncode == 125 and [e["event"] for e in events] == ["failed"] and "never overwritten" in events[0]["error"],
           f"a refusal on the status fd: exit {p.returncode}: {events} {err}")
