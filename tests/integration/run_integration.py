#!/usr/bin/env python3
"""The integration driver: real `cordon run` launches of probe programs, as root and as an
unprivileged user. The tests live in tests/integration/it_<concern>.py (identity, filesystem,
seccomp, network, limits, launcher, paths, cache, workloads, fault_injection), each registering
itself with @test. Each test holds a host-wide lock (HOST_LOCK), so runs from two checkouts wait
for each other instead of breaking each other.

Every test runs on its own: the driver snapshots the host before it, removes the `it-*` app data
after it, and fails the test when anything leaked (harness.check_no_leaks).

  run_integration.py --list                                   one CONCERN.NAME per line (CMake reads it)
  run_integration.py --prepare --root-file F --cordon C --probes P --source S
                     copies what the tests launch into a new temporary directory; F names it
  run_integration.py --remove --root-file F                   removes that directory (and F)
  run_integration.py [--root-file F | --cordon C --probes P --source S] [--mode root|user] [--test NAME] [-k PART]

Exit status: 0 every selected test passed, 1 one failed, 77 none failed and none passed because
every one was skipped (ctest's SKIP_RETURN_CODE).
"""
import argparse
import fcntl
import glob
import importlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

import harness
from harness import Env, Skip, TESTS

SKIPPED = 77


def prepare(cordon, probes, source):
    """A new directory the test user can read with cordon, its policies and the probes: the build
    tree may sit where the test user cannot reach it. Made once per ctest run (a fixture: copying
    cordon per test would cost more than most tests), or once per direct run."""
    root = tempfile.mkdtemp(prefix="cordon-it-", dir="/tmp")
    os.chmod(root, 0o755)
    for sub in ("bin", "share/cordon", "probes"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    shutil.copy2(cordon, os.path.join(root, "bin", "cordon"))
    shutil.copytree(os.path.join(source, "policies/interfaces"), os.path.join(root, "share/cordon/interfaces"))
    shutil.copy2(os.path.join(source, "policies/syscall-sets.yaml"), os.path.join(root, "share/cordon"))
    for name in os.listdir(probes):
        shutil.copy2(os.path.join(probes, name), os.path.join(root, "probes", name))
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            p = os.path.join(dirpath, f)
            os.chmod(p, 0o755 if os.access(p, os.X_OK) else 0o644)
    return root


def read_root(root_file):
    with open(root_file) as f:
        return f.read().strip()


def remove_root(root_file):
    if os.path.exists(root_file):
        root = read_root(root_file)
        if os.path.basename(root).startswith("cordon-it-"):  # never anything else a stray file names
            shutil.rmtree(root, ignore_errors=True)
        os.unlink(root_file)


def modes(root, wanted=("root", "user")):
    """[(mode name, Env or None, reason it cannot run)] for the modes asked for."""
    user = os.environ.get("CORDON_TEST_USER", "cordon-test")
    out = []
    if "root" in wanted:
        if os.getuid() == 0:
            out.append(("root", Env("root", None, root), None))
        else:
            out.append(("root", None, "not running as root"))
    if "user" in wanted:
        if os.getuid() != 0:
            reason = user_namespaces_refused(root, [])
            out.append(("user", Env("user", None, root) if not reason else None, reason))
        else:
            try:
                pw = pwd.getpwnam(user)
                reason = None if os.path.isdir(pw.pw_dir) and pw.pw_uid != 0 else f"user {user} has no home of its own"
            except KeyError:
                reason = f"no user {user}: create it with `useradd -m {user}` (scripts/ensure-test-user.sh; `make integration` does)"
            reason = reason or user_namespaces_refused(root, ["runuser", "-u", user, "--"])
            out.append(("user", Env("user", user, root) if not reason else None, reason))
    return out


def user_namespaces_refused(root, as_user):
    """Why an unprivileged launch cannot work on this host, or None: cordon needs a user namespace
    for it, which a host may refuse (user.max_user_namespaces=0, Debian's old
    kernel.unprivileged_userns_clone=0, an LSM). Asked once per prepared root."""
    answer = os.path.join(root, "host-user-namespaces")
    if not os.path.exists(answer):
        p = subprocess.run(as_user + ["unshare", "--user", "/bin/true"], capture_output=True, text=True)
        with open(answer, "w") as f:
            f.write("" if p.returncode == 0 else p.stderr.strip() or f"exit {p.returncode}")
    with open(answer) as f:
        refusal = f.read()
    return f"this host refuses unprivileged user namespaces, which cordon needs without root: {refusal}" if refusal else None


def load_concerns(only=None):
    """The tests of it_*.py, each file one concern; they register themselves with @test. `only`:
    the one concern to load (a test named CONCERN.NAME needs no other file imported)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    for path in sorted(glob.glob(os.path.join(here, "it_*.py"))):
        module = os.path.basename(path)[:-3]
        if only is None or module == f"it_{only}":
            importlib.import_module(module)


# Every test holds this lock from its snapshot to its leak check: the tests share the host's cordon
# state (/var/lib/cordon, the test user's home, `it-*` names) and each removes every `it-*` app's
# data after it, so two runs on one machine (two checkouts, ctest beside a direct run) would break
# each other's tests. ctest's RESOURCE_LOCK covers one ctest process only.
HOST_LOCK = "/run/lock/cordon-integration-tests.lock"


def run_one(env, fn):
    """Runs one test; returns ("ok"|"SKIP"|"FAIL", detail). A leak fails even a passing test."""
    fd = open_lock()
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return run_one_locked(env, fn)
    finally:
        os.close(fd)


def open_lock():
    """Read-only, so a harness run by a user can lock the file root made (and the other way)."""
    try:
        return os.open(HOST_LOCK, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        try:
            return os.open(HOST_LOCK, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileExistsError:  # another run made it just now
            return os.open(HOST_LOCK, os.O_RDONLY | os.O_CLOEXEC)


def run_one_locked(env, fn):
    before = harness.snapshot(env)
    try:
        fn(env)
        status, detail = "ok", ""
    except Skip as s:
        status, detail = "SKIP", str(s)
    except Exception as e:  # any error is this test's failure; the others still run
        status, detail = "FAIL", f"{type(e).__name__}: {e}"
    finally:
        harness.remove_test_app_data(env)
        env.forget_test_origins()
    try:
        harness.check_no_leaks(env, before)
    except AssertionError as e:
        status, detail = "FAIL", (detail + "; " if status == "FAIL" else "") + str(e)
    return status, detail


def selected(args):
    if args.test:
        found = [fn for fn in TESTS if args.test in (fn.__name__, f"{harness.concern(fn)}.{fn.__name__}")]
        if not found:
            sys.exit(f"no test named {args.test}")
        return found
    return [fn for fn in TESTS if args.k in fn.__name__]


def run(args):
    root = read_root(args.root_file) if args.root_file else prepare(args.cordon, args.probes, args.source)
    counts = {"ok": 0, "FAIL": 0, "SKIP": 0}
    try:
        tests = selected(args)
        for mode, env, reason in modes(root, [args.mode] if args.mode else ("root", "user")):
            # CI sets this: a launch mode that cannot run there is a failure, not a skip.
            required = os.environ.get("CORDON_REQUIRE_BOTH_MODES") == "1"
            for fn in tests:
                name = f"{harness.concern(fn)}.{fn.__name__} [{mode}]"
                if env is None:
                    status, detail = ("FAIL", f"mode unavailable: {reason}") if required else ("SKIP", reason)
                else:
                    status, detail = run_one(env, fn)
                counts[status] += 1
                print(f"{status:<4} {name}" + (f": {detail}" if detail else ""), flush=True)
    finally:
        if not args.root_file:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{counts['ok']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    if counts["FAIL"]:
        return 1
    return SKIPPED if counts["SKIP"] and not counts["ok"] else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="print every test's name, one a line, and exit")
    ap.add_argument("--prepare", action="store_true", help="copy cordon, its policies and the probes "
                    "into a new directory, write its path to --root-file and exit")
    ap.add_argument("--remove", action="store_true", help="remove the directory --root-file names, and the file")
    ap.add_argument("--cordon")
    ap.add_argument("--probes")
    ap.add_argument("--source")
    ap.add_argument("--root-file", metavar="F", help="the file --prepare wrote (else a directory is made for this run)")
    ap.add_argument("--mode", choices=("root", "user"), help="only this launch mode")
    ap.add_argument("--test", metavar="NAME", help="only the test of exactly this NAME or CONCERN.NAME")
    ap.add_argument("-k", default="", help="only tests whose name contains this")
    args = ap.parse_args()
    load_concerns(args.test.split(".")[0] if args.test and "." in args.test else None)
    if args.list:
        for fn in TESTS:
            print(f"{harness.concern(fn)}.{fn.__name__}")
        return 0
    if (args.prepare or args.remove) and not args.root_file:
        ap.error("--prepare and --remove need --root-file")
    if args.remove:
        remove_root(args.root_file)
        return 0
    if not (args.cordon and args.probes and args.source) and (args.prepare or not args.root_file):
        ap.error("--cordon, --probes and --source are needed (or --root-file F written by --prepare)")
    if args.prepare:
        remove_root(args.root_file)  # an interrupted earlier run's
        with open(args.root_file, "w") as f:
            f.write(prepare(args.cordon, args.probes, args.source))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
