"""Stand-ins for hardware and services the tests' machine may lack, shared by the tests of the
interface catalogue (it_interfaces.py) and of learn mode (it_learn.py): a probe script that tries
file operations, device nodes made of pty slaves and bound in a private mount namespace."""
import contextlib
import os
import pty
import shutil
import stat
import subprocess

PROBE = r'''
import errno, os, socket, sys
def step(key, fn):
    try:
        print(key + "=" + fn(), flush=True)
    except OSError as e:
        print(key + "=" + errno.errorcode.get(e.errno, str(e)), flush=True)
def write(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    try:
        os.write(fd, data.encode())
    finally:
        os.close(fd)
    return "ok"
def create(path):
    with open(path, "w") as f:
        f.write("hello")
    return "ok"
def read(path):
    with open(path) as f:
        return f.read().strip()[:40] or "empty"
def connect(path):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        s.sendall(b"hello")
        return "ok"
def exists(path):
    os.stat(path)
    return "yes"
for arg in sys.argv[1:]:
    kind, path = arg.split(":", 1)
    if kind == "env":
        print(path + "=" + os.environ.get(path, "unset"), flush=True)
        continue
    what = {"write": lambda: write(path, "hello"), "create": lambda: create(path), "read": lambda: read(path),
            "connect": lambda: connect(path),
            "exists": lambda: exists(path)}[kind]
    step(kind + ":" + path, what)
'''


def in_private_mounts(env, binds, argv, extra_env=None):
    """Runs `argv` (a cordon command) as the mode's user inside a new mount namespace where each
    (source, target) of `binds` is bound; targets are made as empty files on the host first."""
    made = []
    for _, target in binds:
        if not os.path.exists(target):
            open(target, "w").close()
            made.append(target)
    try:
        mounts = " && ".join(f"mount --bind {src} {dst}" for src, dst in binds) or "true"
        inner = env.command(["env", *[f"{k}={v}" for k, v in (extra_env or {}).items()], *argv])
        r = subprocess.run(["unshare", "-m", "sh", "-c", f"{mounts} && exec \"$@\"", "sh", *inner],
                           capture_output=True, text=True, timeout=60,
                           env=None if env.user and not env.is_root else env.environ())
        return r.returncode, r.stdout, r.stderr
    finally:
        for target in made:
            with contextlib.suppress(OSError):
                os.unlink(target)


def owned_by_mode_user(env, path):
    """The stand-in belongs to the user the app runs as; root's app runs as host ids of its own
    (private_ids.h), so in that mode the stand-in is open to all instead."""
    os.chown(path, env.pw.pw_uid, env.pw.pw_gid)
    if env.is_root:
        os.chmod(path, 0o777 if os.path.isdir(path) or stat_is_socket(path) else 0o666)


def stat_is_socket(path):
    return stat.S_ISSOCK(os.lstat(path).st_mode)


@contextlib.contextmanager
def stand_in_devices(env, count):
    """`count` ptys: (master fd, slave name), the slaves the mode's user's to open."""
    pairs = [pty.openpty() for _ in range(count)]
    try:
        out = []
        for master, slave in pairs:
            name = os.ttyname(slave)
            owned_by_mode_user(env, name)
            out.append((master, name))
        yield out
    finally:
        for master, slave in pairs:
            os.close(master)
            os.close(slave)


@contextlib.contextmanager
def files_in_a_users_home(pw, files):
    """Writes `files` ({path: text}) into the home of `pw`, owned by that user and readable by all
    (root's apps run as ids of their own), making the folders they need; afterwards removes the
    files and the folders it made, and leaves what was there before as it was."""
    made = []
    try:
        for path, text in files.items():
            folder = os.path.dirname(path)
            if not os.path.exists(folder):
                top = folder
                while not os.path.exists(os.path.dirname(top)):
                    top = os.path.dirname(top)
                made.append(top)
                os.makedirs(folder)
                for p in _folders_between(top, path):
                    os.chown(p, pw.pw_uid, pw.pw_gid)
                    os.chmod(p, 0o755)
            with open(path, "w") as f:
                f.write(text)
            os.chown(path, pw.pw_uid, pw.pw_gid)
            os.chmod(path, 0o644)
        yield
    finally:
        for path in files:
            with contextlib.suppress(OSError):
                os.unlink(path)
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)


def _folders_between(top, path):
    """`path`'s folders from its own up to `top`, both included."""
    folder = os.path.dirname(path)
    while True:
        yield folder
        if folder == top or len(folder) <= len(top):
            return
        folder = os.path.dirname(folder)
