#!/usr/bin/python3
"""The compatibility suite (docs/compat.md, "The compatibility suite"): real programs' own test
suites and real tool workloads, each run unconfined, under bubblewrap's typical setup and under
`cordon run` with the default policy, as root and as an unprivileged user.

A workload is a script in tests/compat/workloads/, started in a fresh writable directory that is
also its $HOME. The exit status is 1 iff some workload passes under bwrap but fails under cordon
in the same mode and tests/compat/deliberate.txt does not name that difference with its row in
docs/compat.md; a runner that cannot run here (no bwrap, no test user) is a visible SKIP.
"""
import argparse
import fnmatch
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
RUNNERS = ("unconfined", "bwrap", "cordon")
PATH = "/usr/local/bin:/usr/bin:/bin"  # base.yaml's PATH, for every runner


class Workload:
    def __init__(self, name, argv, subsets, timeout=300, needs=()):
        self.name, self.argv, self.subsets, self.timeout = name, argv, subsets, timeout
        self.needs = list(needs) + (["/usr/lib/python3.11/test/regrtest.py"] if self.is_suite else [])

    def missing(self):
        """Why this workload cannot run on this host (a program it needs is not installed), or None."""
        absent = [p for p in self.needs if not os.path.exists(p)]
        return f"needs {', '.join(absent)} (tests/compat/install-deps.sh)" if absent else None

    @property
    def is_suite(self):
        """A test suite reports its cases; the verdict is then per case (see judge_suite)."""
        return self.argv[0] == "cpython.py"


def cpython(module, subsets=("all",), timeout=240):
    """A module of CPython's suite. The timeout is a few times its unconfined time on a 2-core VM
    (the slowest modules pass their own): a test whose server thread died waits forever."""
    return Workload("py-" + module.removeprefix("test_").replace("_", "-"), ["cpython.py", module], subsets, timeout)


# The CI subset must take at most ~8 minutes for 3 runners x 2 modes on a 2-core VM: the CPython
# modules in it are the fast ones that still cover files, processes, signals, threads, sockets,
# ptys, mmap and locale; the slow ones (asyncio, multiprocessing, subprocess, ...) are `all` only.
BOTH = ("ci", "all")
WORKLOADS = [
    Workload("build-c", ["build-c.sh"], BOTH, needs=['/usr/bin/gcc', '/usr/bin/make']),
    Workload("build-cxx", ["build-cxx.sh"], BOTH, needs=['/usr/bin/g++']),
    Workload("git", ["git.sh"], BOTH, needs=['/usr/bin/git']),
    Workload("archives", ["archives.sh"], BOTH, needs=['/usr/bin/xz', '/usr/bin/bzip2']),
    Workload("sqlite", ["sqlite.sh"], BOTH, needs=['/usr/bin/sqlite3']),
    Workload("unix-sockets", ["unix-sockets.sh"], BOTH, needs=['/usr/bin/socat']),
    Workload("socat-tcp", ["socat-tcp.sh"], BOTH, needs=['/usr/bin/socat']),
    Workload("openssl-tls", ["openssl-tls.sh"], BOTH, needs=['/usr/bin/openssl']),
    Workload("curl-http", ["curl-http.sh"], BOTH, needs=['/usr/bin/curl']),
    Workload("pty-script", ["pty-script.sh"], BOTH, needs=['/usr/bin/script']),
    Workload("locale", ["locale.sh"], BOTH),
    Workload("perl-procs", ["perl-procs.sh"], BOTH, needs=['/usr/bin/perl']),
    Workload("procs-find", ["procs-find.sh"], BOTH, needs=['/usr/bin/ps', '/usr/bin/flock']),
    cpython("test_os", BOTH),
    cpython("test_posix", BOTH),
    cpython("test_socket"),  # 27 s a run: `all` only; the tool workloads keep sockets in the CI subset
    cpython("test_selectors"),
    cpython("test_select", BOTH),
    cpython("test_epoll", BOTH),
    cpython("test_poll"),
    cpython("test_signal"),
    cpython("test_threading", BOTH),
    cpython("test_pty", BOTH),
    cpython("test_mmap", BOTH),
    cpython("test_fcntl", BOTH),
    cpython("test_resource", BOTH),
    cpython("test_socketserver"),
    cpython("test_ssl"),
    cpython("test_subprocess"),
    cpython("test_eintr"),
    cpython("test_faulthandler"),
    cpython("test_tarfile"),
    cpython("test_zipfile"),
    cpython("test_shutil", BOTH),
    cpython("test_tempfile", BOTH),
    cpython("test_locale", BOTH),
    cpython("test_time", BOTH),
    cpython("test_pathlib"),
    cpython("test_io"),
    cpython("test_httpservers"),
    cpython("test_logging"),
    cpython("test_concurrent_futures", timeout=600),
    cpython("test_asyncio", timeout=600),
    cpython("test_multiprocessing_forkserver", timeout=600),
    cpython("test_venv"),
]


# ---- who runs: root, or the test user with a home of its own -----------------------------------

class Mode:
    def __init__(self, name, user):
        self.name = name
        self.pw = pwd.getpwnam(user) if user else pwd.getpwuid(os.getuid())
        self.is_root = self.pw.pw_uid == 0

    def command(self, argv, env):
        """argv run as this mode's user with exactly `env` (runuser drops root's environment)."""
        pairs = [f"{k}={v}" for k, v in env.items()]
        if os.getuid() == 0 and not self.is_root:
            return ["runuser", "-u", self.pw.pw_name, "--", "env", "-i", *pairs, *argv]
        return ["env", "-i", *pairs, *argv]

    def give(self, path):
        """Hands a fresh directory to this mode's user."""
        os.chown(path, self.pw.pw_uid, self.pw.pw_gid)

    def cordon_state(self, kind, app):
        """Where cordon keeps an app's data or the record of which policy file owns its name."""
        base = "/var/lib/cordon" if self.is_root else os.path.join(self.pw.pw_dir, ".local/share/cordon")
        return os.path.join(base, kind, app)


def modes_wanted(names):
    """[(Mode or None, skip reason)] for each requested mode name."""
    user = os.environ.get("CORDON_TEST_USER", "cordon-test")
    out = []
    for name in names:
        if name == "root":
            out.append((Mode("root", None), None) if os.getuid() == 0 else (None, "not running as root"))
        elif os.getuid() != 0:
            out.append((Mode("user", None), None))
        else:
            out.append(test_user_mode(user))
    return out


def test_user_mode(user):
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        return None, f"no user {user}: create it with scripts/ensure-test-user.sh"
    if pw.pw_uid == 0 or not os.path.isdir(pw.pw_dir):
        return None, f"user {user} has no home of its own"
    return Mode("user", user), None


# ---- the three runners ---------------------------------------------------------------------

class Run:
    """One workload's result under one runner in one mode."""

    def __init__(self, status, reason, seconds=0.0, output="", denials=(), failed=(), skipped=()):
        self.status, self.reason, self.seconds = status, reason, seconds
        self.output, self.denials = output, list(denials)
        self.failed, self.skipped = set(failed), set(skipped)
        self.verdict_reason = reason

    def as_json(self):
        return {"status": self.status, "reason": self.verdict_reason, "seconds": round(self.seconds, 1),
                "denials": self.denials, "failed_cases": sorted(self.failed)}


class Runner:
    name = ""

    def __init__(self, root, mode):
        self.root, self.mode = root, mode
        self.workloads = os.path.join(root, "workloads")

    def unavailable(self):
        """Why this runner cannot run here, or None."""
        return None

    def script_argv(self, w):
        """Enters $HOME (the fresh directory), then runs the workload's script."""
        script = os.path.join(self.workloads, w.argv[0])
        return ["/bin/sh", "-c", 'cd "$HOME" && exec "$0" "$@"', script, *w.argv[1:]]

    def fresh_home(self, w):
        path = os.path.join(self.root, "homes", f"{self.mode.name}-{self.name}-{w.name}")
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, mode=0o700)
        self.mode.give(path)
        return path

    def environment(self, home):
        return {"PATH": PATH, "HOME": home, "LANG": "C.UTF-8", "USER": self.mode.pw.pw_name}

    def argv(self, w, home):
        raise NotImplementedError

    def run(self, w):
        home = self.fresh_home(w)
        argv = self.mode.command(self.argv(w, home), self.environment(home))
        started = time.monotonic()
        rc, out, err, timed_out = run_with_timeout(argv, w.timeout)
        seconds = time.monotonic() - started
        if home:
            shutil.rmtree(home, ignore_errors=True)
        return outcome(rc, out, err, timed_out, seconds, w.timeout)


class Unconfined(Runner):
    name = "unconfined"

    def argv(self, w, home):
        return self.script_argv(w)


class Bwrap(Runner):
    """bubblewrap's typical setup: every namespace, the system directories read-only, a fresh
    /proc, /dev and /tmp, the working directory bound read-write."""
    name = "bwrap"

    def unavailable(self):
        return None if shutil.which("bwrap") else "bwrap is not installed (apt-get install bubblewrap)"

    def system_dirs(self):
        args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
        for d in ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"):
            if os.path.islink(d):
                args += ["--symlink", os.readlink(d), d]
            elif os.path.isdir(d):
                args += ["--ro-bind", d, d]
        return args

    def argv(self, w, home):
        return ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", *self.system_dirs(),
                "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                "--ro-bind", self.workloads, self.workloads, "--bind", home, home, "--chdir", home,
                *self.script_argv(w)]


class Cordon(Runner):
    """`cordon run` of a policy with no plugs: base.yaml, plus read access to the workloads."""
    name = "cordon"

    def app(self, w):
        # COMPAT_APP_PREFIX keeps two suites running at once (root's and the user's) apart
        return os.environ.get("COMPAT_APP_PREFIX", "compat") + "-" + w.name

    def fresh_home(self, w):
        """$APP_DATA is the app's home: cleared, and the name handed to this run's policy file."""
        for kind in ("data", "origins"):
            path = self.mode.cordon_state(kind, self.app(w))
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.lexists(path):
                os.unlink(path)
        return None

    def policy(self, w):
        path = os.path.join(self.root, "policies-" + self.mode.name, self.app(w) + ".yaml")
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        with open(path, "w") as f:
            f.write(f"schema: 1\nname: {self.app(w)}\nsummary: compatibility workload {w.name}\n"
                    f"command: {json.dumps(self.script_argv(w))}\n"
                    f"filesystem:\n  read-only: [{self.workloads}]\n")
        os.chmod(path, 0o644)
        return path

    def environment(self, home):
        env = {"PATH": PATH, "LANG": "C.UTF-8", "USER": self.mode.pw.pw_name}
        env["HOME"] = self.mode.pw.pw_dir  # cordon's own; the app's HOME is $APP_DATA
        return env

    def argv(self, w, home):
        return [os.path.join(self.root, "bin", "cordon"), "run", self.policy(w)]


def run_with_timeout(argv, timeout):
    """(exit status, stdout, stderr, timed out). Output goes to files, not pipes, and whatever the
    workload left running in its process group is ended when it exits or times out: unconfined,
    no pid namespace does that, and a leftover holding a pipe would hang the suite."""
    with tempfile.TemporaryFile("w+", errors="replace") as out, tempfile.TemporaryFile("w+", errors="replace") as err:
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
        timed_out = False
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            end_group(p.pid, signal.SIGTERM)  # cordon forwards it to the app
            time.sleep(2)
        end_group(p.pid, signal.SIGKILL)
        p.wait()
        out.seek(0)
        err.seek(0)
        return p.returncode, out.read(), err.read(), timed_out


def end_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


DENIAL = re.compile(r"denied \S+\(")


def outcome(rc, out, err, timed_out, seconds, timeout):
    lines = out.splitlines()
    denials = sorted({l.strip() for l in err.splitlines() if DENIAL.search(l)})
    failed = [l.split(" ", 1)[1] for l in lines if l.startswith("case-failed ")]
    skipped = [l.split(" ", 1)[1] for l in lines if l.startswith("case-skipped ")]
    if timed_out:
        return Run("fail", f"timed out after {timeout} s: {last_line(out, err)}", seconds, out + err, denials, failed, skipped)
    if rc == 0:
        return Run("pass", last_line(out, ""), seconds, out + err, denials, failed, skipped)
    return Run("fail", f"exit {rc}: {last_line(out, err)}", seconds, out + err, denials, failed, skipped)


def last_line(out, err):
    """The last meaningful line: a FAILED line, else the last of stdout, else of stderr."""
    lines = [l.strip() for l in out.splitlines() if l.strip() and not l.startswith("case-")]
    for l in reversed(lines):
        if l.startswith(("FAILED:", "summary:")):
            return l
    errs = [l.strip() for l in err.splitlines() if l.strip()]
    return (errs or lines or ["(no output)"])[-1][:200]


# ---- the verdicts --------------------------------------------------------------------------------

def judge_suite(runs):
    """A test suite passes under a runner when every case that fails there also fails or is skipped
    unconfined (the host's own failures are not the sandbox's); the reason names the new ones."""
    base = runs.get("unconfined")
    if base is None or base.status == "skip":
        return
    known = base.failed | base.skipped
    for name, r in runs.items():
        if name == "unconfined" or r.status == "skip":
            continue
        new = sorted(r.failed - known)
        if r.status == "fail" and not new and r.failed and "did not finish" not in " ".join(r.failed):
            r.status, r.verdict_reason = "pass", f"same failures as unconfined ({len(r.failed)})"
        elif new:
            r.status = "fail"
            r.verdict_reason = f"{len(new)} new failures: " + ", ".join(new[:4]) + (" ..." if len(new) > 4 else "")
        more_skips = sorted(r.skipped - base.skipped)
        if more_skips:
            r.verdict_reason += f" ({len(more_skips)} more skipped than unconfined)"


def load_deliberate(path, compat_doc):
    """Entries `WORKLOAD[:CASE] MODES ROW`: the difference is deliberate, ROW being the first cell of
    its row in docs/compat.md; CASE (a glob) narrows an entry to a test suite's cases. An entry
    whose row is gone is an error: the decision changed."""
    entries, errors = [], []
    with open(compat_doc) as f:
        rows = {cell(line) for line in f if line.startswith("| ")}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            target, modes, row = (line.split(None, 2) + ["", ""])[:3]
            workload, _, case = target.partition(":")
            if row not in rows:
                errors.append(f"{path}:{n}: docs/compat.md has no row '{row}'")
            entries.append((workload, case, modes.split(","), row))
    return entries, errors


def cell(line):
    return line.split("|")[1].strip()


def deliberate_rows(entries, workload, mode, cases):
    """The rows that explain a difference: a whole-workload entry, or entries that cover every
    case that fails only under cordon. None when something is left unexplained."""
    mine = [(case, row) for pattern, case, modes, row in entries
            if fnmatch.fnmatch(workload, pattern) and (mode in modes or "*" in modes)]
    whole = [row for case, row in mine if not case]
    if whole:
        return whole[:1]
    if not cases:
        return None
    rows = []
    for name in cases:
        row = next((row for case, row in mine if case and fnmatch.fnmatch(name, case)), None)
        if row is None:
            return None
        rows.append(row)
    return sorted(set(rows))


def cordon_only(b, c):
    """What fails under cordon and not under bwrap: the cases, for a suite; else the workload."""
    if c.status != "fail" or b.status == "skip":
        return None
    if c.failed:
        new = sorted(c.failed - b.failed - b.skipped)
        return new or None
    return [] if b.status == "pass" else None


def regressions(results, entries):
    """[(workload, mode, reason, deliberate rows or None)]: cordon fails what bwrap passes."""
    out = []
    for (w, mode), runs in results.items():
        b, c = runs.get("bwrap"), runs.get("cordon")
        if not (b and c):
            continue
        new = cordon_only(b, c)
        if new is not None:
            out.append((w, mode, c.verdict_reason, deliberate_rows(entries, w, mode, new)))
    return out


# ---- the report ----------------------------------------------------------------------------------

def cell_text(r, deliberate=None):
    if r is None:
        return "—"
    if deliberate:
        return f"deliberate ({'; '.join(deliberate)}): {r.verdict_reason}".replace("|", "/")[:160]
    if r.status == "pass":
        return f"pass {r.seconds:.0f}s"
    return f"{r.status.upper()}: {r.verdict_reason}".replace("|", "/")[:120]


def table(results, workloads, mode_names, deliberate):
    """`deliberate`: {(workload, mode): rows} of the cordon failures docs/compat.md explains."""
    head = "| workload | " + " | ".join(f"{r} ({m})" for m in mode_names for r in RUNNERS) + " |"
    lines = [head, "|" + "---|" * (1 + len(RUNNERS) * len(mode_names))]
    for w in workloads:
        cells = [cell_text(results.get((w.name, m), {}).get(r), deliberate.get((w.name, m)) if r == "cordon" else None)
                 for m in mode_names for r in RUNNERS]
        lines.append(f"| {w.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def details(results):
    """For every cordon run that did not pass: its denials and its new failing cases."""
    out = []
    for (w, mode), runs in results.items():
        c = runs.get("cordon")
        if not c or c.status != "fail":
            continue
        out.append(f"- {w} [{mode}] cordon: {c.verdict_reason}")
        for d in c.denials[:10]:
            out.append(f"    {d}")
        b = runs.get("bwrap")
        if c.failed and b and b.status != "skip":
            for name in sorted(c.failed - b.failed)[:20]:
                out.append(f"    fails only under cordon: {name}")
    return "\n".join(out)


# ---- the driver ----------------------------------------------------------------------------------

def prepare(cordon):
    """A temporary tree everyone can read: cordon with its shipped data beside it (BIN/../share/cordon,
    docs/search-paths.md) and the workloads."""
    root = tempfile.mkdtemp(prefix="cordon-compat-", dir="/tmp")
    os.makedirs(os.path.join(root, "bin"))
    shutil.copy2(cordon, os.path.join(root, "bin", "cordon"))
    shutil.copytree(os.path.join(SOURCE, "policies/interfaces"), os.path.join(root, "share/cordon/interfaces"))
    shutil.copy2(os.path.join(SOURCE, "policies/syscall-sets.yaml"), os.path.join(root, "share/cordon"))
    shutil.copytree(os.path.join(HERE, "workloads"), os.path.join(root, "workloads"))
    for dirpath, _, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            p = os.path.join(dirpath, f)
            os.chmod(p, 0o755 if os.access(p, os.X_OK) else 0o644)
    os.makedirs(os.path.join(root, "homes"), mode=0o755)
    return root


def selected(args):
    chosen = [w for w in WORKLOADS if args.subset in w.subsets]
    if args.only:
        names = args.only.split(",")
        chosen = [w for w in WORKLOADS if any(fnmatch.fnmatch(w.name, n) for n in names)]
    if not chosen:
        sys.exit(f"no workload matches {args.only!r}")
    return chosen


def run_all(root, workloads, modes, runner_names):
    results = {}
    for mode, reason in modes:
        label = mode.name if mode else ("root" if "root" in reason else "user")
        for w in workloads:
            runs = results.setdefault((w.name, label), {})
            for cls in (Unconfined, Bwrap, Cordon):
                if cls.name not in runner_names:
                    continue
                runs[cls.name] = run_one(cls, root, mode, reason, w)
                print(f"{cls.name:>10} {label:<4} {w.name:<28} {runs[cls.name].status:<4} "
                      f"{runs[cls.name].seconds:6.1f}s  {runs[cls.name].reason}", flush=True)
            if w.is_suite:
                judge_suite(runs)
    return results


def run_one(cls, root, mode, reason, w):
    if mode is None:
        return Run("skip", reason)
    if w.missing():
        return Run("skip", w.missing())
    runner = cls(root, mode)
    why = runner.unavailable()
    return Run("skip", why) if why else runner.run(w)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cordon", required=True, help="a built cordon binary")
    ap.add_argument("--subset", choices=("ci", "all"), default="ci")
    ap.add_argument("--modes", default="root,user")
    ap.add_argument("--runners", default=",".join(RUNNERS), help="a comma-separated subset of " + ",".join(RUNNERS))
    ap.add_argument("--only", help="workload names (globs, comma-separated), any subset")
    ap.add_argument("--json", help="write every result to this file")
    ap.add_argument("--deliberate", default=os.path.join(HERE, "deliberate.txt"))
    args = ap.parse_args()

    entries, errors = load_deliberate(args.deliberate, os.path.join(SOURCE, "docs/compat.md"))
    mode_names = args.modes.split(",")
    modes = modes_wanted(mode_names)
    workloads = selected(args)
    if os.environ.get("CORDON_REQUIRE_BOTH_MODES") == "1":  # CI: what cannot run there is a failure
        errors += [f"mode unavailable: {reason}" for m, reason in modes if m is None]
        if not shutil.which("bwrap"):
            errors.append("runner unavailable: bwrap is not installed (tests/compat/install-deps.sh)")
        errors += [f"{w.name} {w.missing()}" for w in workloads if w.missing()]
    root = prepare(args.cordon)
    started = time.monotonic()
    try:
        results = run_all(root, workloads, modes, args.runners.split(","))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return report(results, workloads, mode_names, entries, errors, args.json, time.monotonic() - started)


def report(results, workloads, mode_names, entries, errors, json_path, seconds):
    print()
    found = regressions(results, entries)
    print(table(results, workloads, mode_names, {(w, m): row for w, m, _, row in found if row}))
    more = details(results)
    if more:
        print("\nWhere cordon failed:\n" + more)
    bad = [r for r in found if r[3] is None]
    print()
    for w, mode, reason, row in found:
        tag = f"deliberate (docs/compat.md: {'; '.join(row)})" if row else "NOT EXPLAINED"
        print(f"{'note' if row else 'FAIL'} {w} [{mode}]: bwrap passes, cordon fails: {tag}: {reason}")
    for e in errors:
        print(f"FAIL {e}")
    skips = sorted({f"{r} [{m}]: {run.reason}" for (w, m), runs in results.items()
                    for r, run in runs.items() if run.status == "skip"})
    for s in skips:
        print(f"SKIP {s}")
    print(f"{len(workloads)} workloads in {seconds:.0f} s; {len(bad)} unexplained cordon-only failures, "
          f"{len(found) - len(bad)} deliberate")
    cordon_runs = [runs["cordon"] for runs in results.values() if "cordon" in runs]
    skipped = sum(r.status == "skip" for r in cordon_runs)
    # a summary line like the integration driver's; the SKIP lines above are what scripts/show-skips.sh shows
    print(f"{len(cordon_runs) - skipped - len(bad)} passed, {len(bad)} failed, {skipped} skipped")
    if json_path:
        with open(json_path, "w") as f:
            json.dump({f"{w} [{m}]": {r: run.as_json() for r, run in runs.items()}
                       for (w, m), runs in results.items()}, f, indent=1)
    return 1 if bad or errors else 0


if __name__ == "__main__":
    sys.exit(main())
