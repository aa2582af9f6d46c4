#!/usr/bin/env python3
"""The integration harness: real `cordon run` launches of probe programs, as root and as an unprivileged
user, one test per invariant of DESIGN.md, each with a positive control (the same probe outside
the sandbox, or with that layer absent, sees the forbidden thing succeed).

A mode that cannot run is reported as a visible SKIP with its reason, never as a pass. The binaries
and probes are copied to a temporary directory the test user can read. After every test the driver
removes the apps' `it-*` data and checks that nothing leaked (`no_leaks`, `check_no_leaks`: a test
may also call them around one launch of its own).
"""
import contextlib
import gc
import re
import argparse
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ZERO_CAPS = "0000000000000000"
# Set by the sanitizer build's ctest (tests/CMakeLists.txt): a matrix test may run a representative
# part of its cells there; the ci build runs every cell.
SANITIZED = os.environ.get("CORDON_IT_SANITIZED") == "1"
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def concern(fn):
    """The file a test lives in, without `it_`: identity, filesystem, seccomp ..."""
    return fn.__module__[3:] if fn.__module__.startswith("it_") else fn.__module__


class Skip(Exception):
    pass


class Env:
    """One mode: who runs cordon (root or the test user) and how."""

    def __init__(self, name, user, root_dir):
        self.name, self.user, self.root = name, user, root_dir
        self.pw = pwd.getpwnam(user) if user else pwd.getpwuid(os.getuid())
        self.is_root = self.pw.pw_uid == 0
        self.cordon = os.path.join(root_dir, "bin", "cordon")
        self.probes = os.path.join(root_dir, "probes")
        self.policies = os.path.join(root_dir, "policies-" + name)
        os.makedirs(self.policies, exist_ok=True)
        os.chmod(self.policies, 0o755)
        self.forget_test_origins()

    def origins_dir(self):
        """Where cordon records which policy file owns each app name (runtime/sandbox/app_origin.h)."""
        if self.is_root:
            return "/var/lib/cordon/origins"
        return os.path.join(self.pw.pw_dir, ".local/share/cordon/origins")

    def forget_origin(self, app):
        """Hands an app name (and its data) to whichever policy file launches it next: each test run
        writes its policies to a new temporary folder."""
        try:
            os.unlink(os.path.join(self.origins_dir(), app))
        except FileNotFoundError:
            pass

    def forget_test_origins(self):
        if os.path.isdir(self.origins_dir()):
            for name in os.listdir(self.origins_dir()):
                if name.startswith("it-"):
                    self.forget_origin(name)

    def environ(self):
        return {"PATH": "/usr/bin:/bin", "HOME": self.pw.pw_dir, "LANG": "C.UTF-8", "USER": self.pw.pw_name,
                "SECRET_FROM_HOST": "leak"}

    def command(self, argv):
        if self.user and os.getuid() == 0 and self.pw.pw_uid != 0:
            return ["runuser", "-u", self.user, "--", "env", "-i"] + [f"{k}={v}" for k, v in self.environ().items()] + argv
        return argv

    def popen(self, argv, **kw):
        env = None if (self.user and self.pw.pw_uid != 0 and os.getuid() == 0) else self.environ()
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        return subprocess.Popen(self.command(argv), env=env, text=True, **kw)

    def run(self, argv, timeout=30, **kw):
        p = self.popen(argv, **kw)
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err

    def data_dir(self, app):
        if self.is_root:
            return f"/var/lib/cordon/data/{app}"
        return os.path.join(self.pw.pw_dir, ".local/share/cordon/data", app)

    def policy(self, name, command, extra=""):
        """Writes an app policy that can see the probes; returns its path."""
        path = os.path.join(self.policies, name + ".yaml")
        grants = [self.probes] + [os.path.join(self.root, d) for d in os.listdir(self.root) if d.startswith("mine-" + self.name)]
        f_text = (f"schema: 1\nname: {name}\ncommand: {command}\n"
                  f"filesystem:\n  read-only: [{', '.join(grants)}]\n{extra}")
        with open(path, "w") as f:
            f.write(f_text)
        os.chmod(path, 0o644)
        return path

    def script_app(self, name, code, extra=""):
        """An app that runs `code` with python3: the script beside the policies, which it may read."""
        script = os.path.join(self.policies, name + ".py")
        with open(script, "w") as fh:
            fh.write(code)
        os.chmod(script, 0o644)
        return self.write_policy(name, f"schema: 1\nname: {name}\ncommand: [/usr/bin/python3, {script}]\n"
                                       f"filesystem:\n  read-only: [{self.policies}]\n{extra}")

    def write_policy(self, name, text):
        """Writes a policy exactly as given (no grants added); returns its path."""
        path = os.path.join(self.policies, name + ".yaml")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return path

    def fresh_tree(self, name, *subdirs):
        """An empty directory (with `subdirs`) under the test root, not granted to any app."""
        path = os.path.join(self.root, f"state-{self.name}-{name}")
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        for d in subdirs:
            os.makedirs(os.path.join(path, d))
        return path

    def app_ids(self, app):
        """The app's uid and gid on the host: the invoker's, or for root's apps the range of host
        ids cordon gives each app (runtime/sandbox/private_ids.h), allocated at its first launch."""
        if not self.is_root:
            return self.pw.pw_uid, self.pw.pw_gid
        path = f"/var/lib/cordon/ids/{app}"
        if not os.path.exists(path):
            self.cordon_run(self.write_policy(app + "-ids", f"schema: 1\nname: {app}\ncommand: [/bin/true]\n"))
            self.forget_origin(app)  # the test's own policy file claims the name next
        with open(path) as f:
            base = int(f.read())
        return base, base

    def give(self, path, app=None):
        """Hands a tree to the user cordon runs as (to `app`'s own ids when root runs it), links
        included (not followed)."""
        uid, gid = self.app_ids(app) if app else (self.pw.pw_uid, self.pw.pw_gid)
        for root, dirs, files in os.walk(path):
            for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                os.lchown(name, uid, gid)

    def cordon_run(self, policy, *args, timeout=30, **kw):
        return self.run([self.cordon, "run", policy, "--", *args], timeout=timeout, **kw)

    def cordon_run_opts(self, options, policy, *args, timeout=30):
        return self.run([self.cordon, "run", *options, policy, "--", *args], timeout=timeout)

    def probe(self, name):
        return os.path.join(self.probes, name)


def facts(output):
    out = {}
    for line in output.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def host_mounts():
    with open("/proc/self/mountinfo") as f:
        return sorted(" ".join(l.split()[3:5]) for l in f)


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def run_probe(env, app, probe, *args, extra=""):
    rc, out, err = env.cordon_run(env.policy(app, f"[{env.probe(probe)}]", extra), *args)
    expect(rc == 0, f"cordon run {probe} exited {rc}: {err.strip()}")
    return facts(out)


def run_outside(env, probe, *args, **kw):
    rc, out, err = env.run([env.probe(probe), *args], **kw)
    expect(rc == 0, f"{probe} outside exited {rc}: {err}")
    return facts(out)


# ---- the host's cgroups, read the way cordon reads them -------------------------------------

def _memberships():
    out = []
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            out.append((ctrls.split(",") if ctrls else [], path))
    return out


def _cgroup_mounts():
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            dash = fields.index("-")
            fstype = fields[dash + 1]
            if fstype in ("cgroup", "cgroup2"):
                out.append((fields[3], fields[4], fstype == "cgroup2",
                            fields[dash + 3].split(",") if fstype == "cgroup" else []))
    return out


def own_cgroup(controller):
    """(mount point, the harness's own path in that hierarchy, v2) for `controller`, or None."""
    mounts = _cgroup_mounts()
    for root, point, v2, opts in mounts:
        if not v2 and controller in opts:
            for ctrls, path in _memberships():
                if controller in ctrls and root == "/":
                    return point, path, False
    for root, point, v2, _ in mounts:
        if v2 and root == "/" and os.path.exists(os.path.join(point, "cgroup.controllers")):
            with open(os.path.join(point, "cgroup.controllers")) as f:
                if controller in f.read().split():
                    return point, [p for c, p in _memberships() if not c][0], True
    return None


def cgroup_path_of(pid, controller):
    """The path of `pid` in the hierarchy of `controller` (v1 line, else the v2 line)."""
    v2 = None
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            if controller in ctrls.split(","):
                return path
            if not ctrls:
                v2 = path
    return v2


def root_app_gets_own_limit(controller):
    """Whether cordon, started by this harness as root, can give the app its own `controller`
    limit below the harness's cgroup: a v1 hierarchy always; v2 only where the harness's cgroup
    hands the controller down (the root cgroup does; one that holds processes cannot)."""
    found = own_cgroup(controller)
    if not found:
        return False
    point, path, v2 = found
    if not v2:
        return True
    if path == "/":
        return True
    with open(point + path + "/cgroup.subtree_control") as f:
        return controller in f.read().split()


def process_tree():
    """Every host process's children, by parent pid."""
    tree = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                tree.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return tree


def children(pid):
    """The processes whose parent is `pid` (on the host)."""
    return process_tree().get(pid, [])


def descendants(pid):
    """Every process below `pid` on the host (by parent pid)."""
    tree = process_tree()
    out, todo = [], [pid]
    while todo:
        for c in tree.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


# ---- what a test may leave behind: nothing --------------------------------------------------

# Where a launch could leave a temporary file or directory on the host.
TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run", "/run/cordon")
# A new temporary entry is the test's when the app or the test user owns it (any uid but root:
# apps never run as host root), or when its name says it is cordon's or a test's. Other root-owned
# entries are left alone: on a shared machine other people's builds and scripts (g++'s cc*.s,
# mktemp) come and go in /tmp while a test runs.
OURS_BY_NAME = re.compile(r"cordon|^it-|^probe")
# How long a leftover may take to go away on its own (a SIGKILLed process's parent reaping it)
# before it counts as leaked. A bound on waiting, not a measurement the test asserts.
SETTLE_SECONDS = 5


def data_roots(env):
    """Every place an app's data can be for this run: root's, and the test user's."""
    roots = ["/var/lib/cordon/data"]
    user_home = env.pw.pw_dir if not env.is_root else _test_user_home()
    if user_home:
        roots.append(os.path.join(user_home, ".local/share/cordon/data"))
    return roots


def _test_user_home():
    try:
        pw = pwd.getpwnam(os.environ.get("CORDON_TEST_USER", "cordon-test"))
        return pw.pw_dir if pw.pw_uid != 0 else None
    except KeyError:
        return None


def _listing(path):
    try:
        return {os.path.join(path, n) for n in os.listdir(path)}
    except OSError:
        return set()


# The XDG folders of the test user's home hold cordon's own state (DESIGN.md's state table), which
# its first launch creates; the app data in them is checked on its own ("app data").
XDG_FOLDERS = {".cache", ".config", ".local"}


def _home_entries(home):
    if not home:
        return set()
    return {p for p in _listing(home) if os.path.basename(p) not in XDG_FOLDERS}


def _stat_start(pid):
    """(pid, start time): a pid the kernel reused is another process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return pid, int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _is_ours(pid, root):
    """A process the tests started: cordon or a probe copied into the test root (the sandbox's init
    is a clone of cordon, so it counts too), or one whose command line names the test root."""
    try:
        if os.readlink(f"/proc/{pid}/exe").startswith(root + "/"):
            return True
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return root.encode() in f.read()
    except OSError:
        return False


def our_processes(env):
    """The test's processes still alive: below the harness, or started from the test root."""
    me = os.getpid()
    found = {p for p in descendants(me)}
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) != me and _is_ours(int(d), env.root):
            found.add(int(d))
    return {s for s in map(_stat_start, found) if s}


def open_fds():
    """The harness's descriptors as "FD -> target"; the one the listing itself used is closed by
    the time its target is read, so it drops out."""
    gc.collect()  # a Popen or file only garbage still holds is not a leak, it closes now
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.add(f"{fd} -> {os.readlink('/proc/self/fd/' + fd)}")
        except OSError:
            pass
    return out


def snapshot(env):
    """What a test must give back: mounts, processes, the harness's fds, temporary entries, app data
    and the test user's home (top level)."""
    home = _test_user_home() if env.is_root else env.pw.pw_dir
    return {
        "mounts": set(host_mounts()),
        "processes": our_processes(env),
        "fds": open_fds(),
        "temporary entries": set().union(*(_listing(d) for d in TEMP_DIRS)),
        "app data": set().union(*(_listing(d) for d in data_roots(env))),
        "entries in the test user's home": _home_entries(home),
    }


def _describe(kind, items):
    if kind == "processes":
        return ", ".join(f"{pid} ({comm(pid)})" for pid, _ in sorted(items))
    return ", ".join(sorted(items))


def leaks_since(env, before):
    """What is new since `before` (snapshot) and still there after a short settling time."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        now = snapshot(env)
        new = {k: now[k] - before[k] for k in now}
        new["temporary entries"] = {p for p in new["temporary entries"] if _temporary_entry_is_ours(p)}
        new = {k: v for k, v in new.items() if v}
        if not new or time.monotonic() > deadline:
            return new
        time.sleep(0.1)


def _temporary_entry_is_ours(path):
    try:
        if os.lstat(path).st_uid != 0:
            return True
    except OSError:
        return False  # gone already: removed by whoever made it
    return bool(OURS_BY_NAME.search(os.path.basename(path)))


def check_no_leaks(env, before):
    """Fails (AssertionError) naming everything the code since `before` left behind."""
    new = leaks_since(env, before)
    if new:
        raise AssertionError("leaked " + "; ".join(f"{k}: {_describe(k, v)}" for k, v in sorted(new.items())))


@contextlib.contextmanager
def no_leaks(env):
    """`with no_leaks(env): ...`: the block must leave nothing behind (see snapshot)."""
    before = snapshot(env)
    yield
    check_no_leaks(env, before)


def connections_roots(env):
    """Where manual connections are recorded (runtime/app/connections.h): root's, the test user's."""
    user_home = env.pw.pw_dir if not env.is_root else _test_user_home()
    return ["/etc/cordon/connections"] + ([os.path.join(user_home, ".config/cordon/connections")] if user_home else [])


def remove_test_app_data(env):
    """The apps' data of `it-*` apps: tests name their apps it-*, and leave none behind (a later
    run, or a person, finds /var/lib/cordon/data as it was). Their connections go too."""
    for root in connections_roots(env):
        for path in _listing(root):
            if os.path.basename(path).startswith("it-"):
                with contextlib.suppress(OSError):
                    os.unlink(path)
    for root in data_roots(env):
        for path in _listing(root):
            if not os.path.basename(path).startswith("it-"):
                continue
            shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(OSError):  # a link or file an app's test put there
                if os.path.lexists(path):
                    os.unlink(path)



def documented_block(doc):
    """The first ```sh block of docs/DOC: a flow the documentation asks people to paste."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", doc)
    with open(path) as fh:
        return fh.read().split("```sh\n", 1)[1].split("```", 1)[0]


def documented_outputs(block, app):
    """What the comments of `block` say each `cordon run APP` prints ("cordon run hello  # hello 1.0")."""
    return [line.split("# ", 1)[1].strip() for line in block.splitlines()
            if line.startswith(f"cordon run {app}") and f"# {app}" in line]


def run_documented_block(env, block, work):
    """Runs `block` with bash in `work` as root would paste it, with the cordon under test first in PATH."""
    return subprocess.run(["bash", "-c", block], cwd=work, capture_output=True, text=True, timeout=300,
                          env={"PATH": os.path.dirname(env.cordon) + ":/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"})
