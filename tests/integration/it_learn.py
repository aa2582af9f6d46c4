"""Learn mode for files and devices (`cordon run --complain --suggest FILE`, docs/seccomp.md "Learn
mode"): under --complain the app sees the host read-only besides its Plan, minus the secrets the
home interface hides and cordon's state; the paths outside its Plan it names are noted, and
--suggest writes the app's whole policy with the plugs or filesystem entries that grant them.
An app's network is learned too: connects beyond its own loopback, servers on other addresses.
Each test: the enforced run fails (control), the learn run suggests the grant, and the suggested
policy, used as it is, makes the enforced run pass. Root's mode runs the home case for the test
user (`--user`): root's own home is not readable by the private ids root's apps run as.
Stand-in for a serial port: a pty slave bound at /dev/ttyUSB77 in the test's own mount namespace."""
import os
import pwd
import shutil
import socket
import subprocess

from harness import *  # noqa: F401,F403
from standins import PROBE, files_in_a_users_home, in_private_mounts, stand_in_devices


def home_user(env):
    return env.pw if not env.is_root else pwd.getpwnam(os.environ.get("CORDON_TEST_USER", "cordon-test"))


def run_options(env, for_home=False):
    """Root's apps run as uid 0 of their own ids, except for the home case, run for the test user."""
    return ["--user", home_user(env).pw_name] if env.is_root and for_home else []


def suggestion_dir(env):
    """A folder the user cordon runs as may create the --suggest file in."""
    d = env.fresh_tree("learn-out")
    env.give(d)
    return d


def learn(env, policy, args=(), binds=None, for_home=False):
    """Runs `policy` in learn mode (in a mount namespace with `binds` when given); returns (exit,
    stderr, the suggested policy's text)."""
    out = os.path.join(suggestion_dir(env), "suggested.yaml")
    argv = [env.cordon, "run", *run_options(env, for_home), "--complain", "--suggest", out, policy, *args]
    if binds is not None:
        rc, _, err = in_private_mounts(env, binds, argv)
    else:
        rc, _, err = env.run(argv)
    expect(os.path.exists(out), f"no suggestion written: exit {rc}: {err}")
    with open(out) as f:
        return rc, err, f.read()


@test
def learn_mode_suggests_home_for_a_file_there_and_the_suggestion_passes(env):
    """An app that reads a file in its user's home: enforced, the file is not there (control);
    learn mode shows it and suggests `home`, while a secret the home interface hides stays hidden
    even then; the suggested policy, applied, runs and reads the file."""
    pw = home_user(env)
    note = os.path.join(pw.pw_dir, ".it-learn-note")
    secret = os.path.join(pw.pw_dir, ".password-store", "it-learn-secret")
    with files_in_a_users_home(pw, {note: "from the home\n", secret: "hunter2\n"}):
        name = "it-learn-home"
        policy = env.write_policy(name, f"schema: 1\nname: {name}\nsummary: reads a note\n"
                                        f"command: [/bin/sh, -c, 'cat {note}; cat {secret} || echo secret-hidden']\n")
        rc, out, err = env.cordon_run_opts(run_options(env, True), policy)
        expect("from the home" not in out, f"control: the home file was readable without a plug: {out}")
        rc, err, text = learn(env, policy, for_home=True)
        expect(rc == 0, f"learn run: exit {rc}: {err}")
        expect("\n  - home  # read " + note in text, f"home not suggested:\n{text}")
        expect("filesystem:" not in text and f"not suggested: {secret}, which is hidden" in text,
               f"the secret was suggested:\n{text}")
        expect("\ncommand: [/bin/sh, -c," in text and "summary: reads a note" in text, f"not the whole policy:\n{text}")
        env.write_policy(name, text)
        rc, out, err = env.cordon_run_opts(run_options(env, True), policy)
        expect(rc == 0 and "from the home" in out and "secret-hidden" in out and "hunter2" not in out,
               f"the suggested policy: exit {rc}: {out} {err}")


@test
def learn_mode_suggests_home_for_what_the_app_looked_for_through_HOME(env):
    """Without the home plug an app's HOME is its $APP_DATA: a config file it reads as
    $HOME/.it-learn-conf is not there (control), and it never touches the real home — learn mode
    sees it look in vain where the real home has the file, and suggests `home`; applied, HOME is
    the real home and the read works."""
    pw = home_user(env)
    conf = os.path.join(pw.pw_dir, ".it-learn-conf")
    with files_in_a_users_home(pw, {conf: "setting=1\n"}):
        name = "it-learn-via-home"
        policy = env.write_policy(name, f"schema: 1\nname: {name}\ncommand: [/bin/sh, -c, 'cat \"$HOME/.it-learn-conf\"']\n")
        rc, out, err = env.cordon_run_opts(run_options(env, True), policy)
        expect(rc != 0 and "setting=1" not in out, f"control: read without the home plug: exit {rc}: {out}")
        rc, err, text = learn(env, policy, for_home=True)
        expect("\n  - home  # looked for ~/.it-learn-conf through $HOME" in text, f"home not suggested:\n{text}")
        env.write_policy(name, text)
        rc, out, err = env.cordon_run_opts(run_options(env, True), policy)
        expect(rc == 0 and "setting=1" in out, f"the suggested policy: exit {rc}: {out} {err}")


@test
def learn_mode_suggests_a_filesystem_entry_and_a_device_plug(env):
    """An app that looks at a folder under /srv and reads a file deep in it, reads a file in
    another folder and creates one beside it (sqlite's journal), and writes to a serial port
    (stand-in: a pty slave at /dev/ttyUSB77): enforced, none of it is there (control); learn mode
    suggests the deep file read-only (not the folder it only looked at), the folder of the
    created file read-write, and `serial-port: {path: /dev/ttyUSB77}`; the suggested policy passes
    and the bytes reach the pty master."""
    tree = f"/srv/it-learn-{env.name}"
    shutil.rmtree(tree, ignore_errors=True)
    try:
        deep, work = os.path.join(tree, "b", "deep"), os.path.join(tree, "a")
        os.makedirs(deep)
        os.makedirs(work)
        for d in (tree, os.path.join(tree, "b"), deep):
            os.chmod(d, 0o755)
        os.chmod(work, 0o777)  # the app writes there: the test user, or root's app's own ids
        data, db = os.path.join(deep, "data.txt"), os.path.join(work, "notes.db")
        for path, text in ((data, "from srv\n"), (db, "rows\n")):
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o644)
        with stand_in_devices(env, 1) as devices:
            (master, slave), = devices
            binds = [(slave, "/dev/ttyUSB77")]
            name = "it-learn-srv"
            policy = env.script_app(name, PROBE)
            args = ["--", f"exists:{tree}/b", f"read:{data}", f"read:{db}", f"create:{db}-journal", "write:/dev/ttyUSB77"]
            argv = [env.cordon, "run", *run_options(env), policy, *args]
            rc, out, err = in_private_mounts(env, binds, argv)
            f = facts(out)
            expect(f.get(f"read:{data}") == "ENOENT" and f.get("write:/dev/ttyUSB77") == "ENOENT",
                   f"control: granted without a grant: {out} {err}")
            if os.path.exists(db + "-journal"):
                os.unlink(db + "-journal")
            rc, err, text = learn(env, policy, args, binds)
            expect("serial-port: {path: /dev/ttyUSB77}" in text, f"serial-port not suggested:\n{text}")
            read_only = text.split("\n  read-only:\n", 1)[-1].split("\n  read-write:", 1)[0]
            expect(f"    - {data}" in read_only.splitlines() and f"- {tree}/b\n" not in text,
                   f"the deep file, not the folder looked at:\n{text}")
            expect(f"\n  read-write:\n    - {work}\n" in text, f"the created file's folder:\n{text}")
            env.write_policy(name, text)
            rc, out, err = in_private_mounts(env, binds, argv)
            f = facts(out)
            expect(rc == 0 and f.get(f"read:{data}") == "from srv" and f.get(f"create:{db}-journal") == "ok" and
                   f.get("write:/dev/ttyUSB77") == "ok", f"the suggested policy: exit {rc}: {out} {err}")
            expect(os.read(master, 64).startswith(b"hello"), "the bytes did not reach the pty master")
    finally:
        shutil.rmtree(tree, ignore_errors=True)


NET_APP = r'''
import socket, sys
port, serve = int(sys.argv[1]), int(sys.argv[2])
c = socket.socket()
try:
    c.connect(("127.0.0.1", port))
    print("connect=ok", flush=True)
except OSError as e:
    print("connect=" + type(e).__name__, flush=True)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", serve))
s.listen(1)
own = socket.socket()
own.connect(("127.0.0.1", serve))  # its own listener: not a reason for the network plug alone
try:  # as getaddrinfo sorts addresses: sends nothing, needs no network (and a port filter refuses UDP)
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(("192.0.2.1", 9))
except OSError:
    pass
print("serve=ok", flush=True)
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@test
def learn_mode_suggests_the_network_ports_an_app_used(env):
    """An app without the network plug connects to a host listener on 127.0.0.1:A and serves on
    0.0.0.0:B: enforced, the connect is refused (its loopback is its own: the control); learn mode
    suggests `network: {connect-ports: [...]}` with A (and B, which it connects to itself) and
    `network-bind: {bind-ports: [B]}`; the suggested policy connects to A."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port, serve = listener.getsockname()[1], free_port()
    try:
        name = "it-learn-net"
        policy = env.script_app(name, NET_APP)
        args = [str(port), str(serve)]
        rc, out, err = env.cordon_run_opts(run_options(env), policy, *args)
        expect(facts(out).get("connect") == "ConnectionRefusedError", f"control: the host was reached: {out} {err}")
        rc, err, text = learn(env, policy, args)
        ports = ", ".join(str(p) for p in sorted((port, serve)))
        expect(f"\n  - network: {{connect-ports: [{ports}]}}" in text, f"network not suggested:\n{text}")
        expect(f"\n  - network-bind: {{bind-ports: [{serve}]}}" in text, f"network-bind not suggested:\n{text}")
        env.write_policy(name, text)
        rc, out, err = env.cordon_run_opts(run_options(env), policy, *args)
        f = facts(out)
        expect(rc == 0 and f.get("connect") == "ok" and f.get("serve") == "ok", f"the suggested policy: exit {rc}: {out} {err}")
    finally:
        listener.close()


PEEK = r'''
import os, socket, sys
for arg in sys.argv[1:]:
    kind, path = arg.split(":", 1)
    try:
        if kind == "read":
            with open(path) as f:
                result = f.read().strip()
        elif kind == "connect":
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(path)
                s.sendall(b"from the app")
                result = "ok"
        else:  # create
            with open(path, "w") as f:
                f.write("x")
            result = "ok"
    except OSError as e:
        result = type(e).__name__
    print(f"{kind}:{path}={result}", flush=True)
'''


@test
def learn_mode_keeps_host_services_secrets_and_folders_out(env):
    """What the host view must not give: a host service's Unix socket in a shown folder (a
    read-only bind does not stop connect(); learn mode refuses AF_UNIX sockets while the host is
    in view), the user's keys through another path to the home (a bind of it under /mnt: hidden as
    a home inside a shown folder), and a suggestion to open a whole system folder read-write for a
    file the app tried to create there (a note instead). Controls: outside, the socket takes the
    connection and the key reads."""
    pw = home_user(env)
    sock_dir = f"/srv/it-learn-sock-{env.name}"
    shutil.rmtree(sock_dir, ignore_errors=True)
    os.makedirs(sock_dir)
    os.chmod(sock_dir, 0o755)
    service = socket.socket(socket.AF_UNIX)
    service.bind(os.path.join(sock_dir, "service.sock"))
    os.chmod(os.path.join(sock_dir, "service.sock"), 0o666)
    service.listen(4)
    service.settimeout(0.5)
    key = os.path.join(pw.pw_dir, ".ssh", "it-learn-key")
    alias = "/mnt/it-learn-alias"
    try:
        with files_in_a_users_home(pw, {key: "PRIVATE\n"}):
            name = "it-learn-peek"
            policy = env.script_app(name, PEEK)
            args = [f"connect:{sock_dir}/service.sock", f"read:{alias}/.ssh/it-learn-key", "create:/var/lib/it-learn-new"]
            out_file = os.path.join(suggestion_dir(env), "suggested.yaml")
            inner = env.command([env.cordon, "run", *run_options(env, True), "--complain", "--suggest", out_file,
                                 policy, *args])
            mounts = f"mount -t tmpfs tmpfs /mnt && mkdir {alias} && mount --bind {pw.pw_dir} {alias}"
            r = subprocess.run(["unshare", "-m", "sh", "-c", mounts + ' && exec "$@"', "sh", *inner],
                               capture_output=True, text=True, timeout=60,
                               env=None if env.user and not env.is_root else env.environ())
            f = facts(r.stdout)
            expect(f.get(f"connect:{sock_dir}/service.sock") not in (None, "ok"), f"the host service was reached: {r.stdout} {r.stderr}")
            with contextlib.suppress(socket.timeout):
                conn, _ = service.accept()
                raise AssertionError(f"the host service took a connection: {conn.recv(64)}")
            expect("refused in learn mode" in r.stderr, f"the denial does not say why: {r.stderr}")
            expect(f.get(f"read:{alias}/.ssh/it-learn-key") not in (None, "PRIVATE"), f"the key through the alias: {r.stdout}")
            with open(out_file) as fh:
                text = fh.read()
            expect("/var/lib\n" not in text and "not suggested: the app tried to create /var/lib/it-learn-new" in text,
                   f"a system folder suggested read-write:\n{text}")
            granted = [l for l in text.splitlines() if l.strip().startswith("- ")]
            expect(not any(alias in l or "removable-media" in l for l in granted) and
                   f"not suggested: {alias}/.ssh/it-learn-key, which is hidden" in text, f"the key suggested:\n{text}")
            rc, out, err = env.run(["/usr/bin/python3", os.path.join(env.policies, name + ".py"),
                                    f"connect:{sock_dir}/service.sock", f"read:{key}"])
            f = facts(out)
            expect(f.get(f"connect:{sock_dir}/service.sock") == "ok" and f.get(f"read:{key}") == "PRIVATE",
                   f"control, outside: {out} {err}")
    finally:
        service.close()
        shutil.rmtree(sock_dir, ignore_errors=True)


@test
def learn_mode_without_the_host_view_notes_what_the_app_tried(env):
    """`--complain --no-host-view`: the app sees its Plan only — a host file under /srv is not there
    for it (ENOENT) and a Unix socket may be made (refused with the host in view: the control) —
    and the file it tried is suggested all the same."""
    tree = f"/srv/it-learn-nhv-{env.name}"
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    os.chmod(tree, 0o755)
    data = os.path.join(tree, "data.txt")
    with open(data, "w") as f:
        f.write("from srv\n")
    os.chmod(data, 0o644)
    try:
        name = "it-learn-nhv"
        policy = env.script_app(name, "import socket, sys\n"
                                      "try:\n    print('read=' + open(sys.argv[1]).read().strip())\n"
                                      "except OSError as e:\n    print('read=' + type(e).__name__)\n"
                                      "try:\n    socket.socket(socket.AF_UNIX).close(); print('unix=ok')\n"
                                      "except OSError as e:\n    print('unix=' + type(e).__name__)\n")
        out_file = os.path.join(suggestion_dir(env), "suggested.yaml")
        rc, out, err = env.run([env.cordon, "run", "--complain", "--no-host-view", "--suggest", out_file, policy, data])
        f = facts(out)
        expect(f.get("read") == "FileNotFoundError" and f.get("unix") == "ok", f"without the host view: {out} {err}")
        with open(out_file) as fh:
            text = fh.read()
        expect(f"\n    - {data}\n" in text, f"the file not suggested:\n{text}")
        rc, out, err = env.run([env.cordon, "run", "--complain", "--quiet", policy, data])
        f = facts(out)
        expect(f.get("read") == "from srv" and f.get("unix") == "PermissionError", f"control, with the host view: {out} {err}")
    finally:
        shutil.rmtree(tree, ignore_errors=True)
