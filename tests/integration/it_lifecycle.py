"""The package lifecycle (docs/packaging.md): sign, install, run; every kind of damaged or foreign
package refused before anything is unpacked; a name bound to its key, versions that only grow;
a refresh whose health check fails or hangs rolled back, code and data; a good refresh carrying
the data over and a revert restoring the old revision's; kill -9 at every step leaving the old or
the new revision whole; concurrent installs taking turns; a running app keeping its files through
a refresh and a remove. As root (the system's store) and as the test user (their own)."""
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

from harness import *  # noqa: F401,F403

APP = "it-pkg"

APP_SCRIPT = """#!/bin/sh
echo "version={version}"
echo "root=$0"
echo "data=$(cat "$HOME/state" 2>/dev/null)"
if [ "$1" = write ]; then echo "written-by-{version}" > "$HOME/state"; fi
if [ "$1" = read-for ]; then
  echo "started=1"
  end=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$end" ]; do cat "$0.txt" >/dev/null || exit 9; sleep 0.1; done
  echo "still=$(cat "$0.txt")"
fi
if [ "$1" = try-write ]; then (echo x > "$0") 2>/dev/null && echo "payload=writable" || echo "payload=read-only"; fi
if [ "$1" = hostile ]; then
  head -c 1048576 /dev/zero > "$HOME/big"
  i=0; while [ $i -lt 200 ]; do ln "$HOME/big" "$HOME/l$i"; i=$((i+1)); done
  d="$HOME/deep"; i=0; while [ $i -lt 300 ]; do mkdir "$d"; d="$d/x"; i=$((i+1)); done
  truncate -s 1T "$HOME/sparse"
  ln -s /etc/shadow "$HOME/shadow"; mkfifo "$HOME/fifo"; mkdir "$HOME/locked"; chmod 500 "$HOME/locked"
  echo "hostile=done"
fi
if [ "$1" = try-store ]; then test -e {store}/apps/it-pkg/state.json && echo "store=visible" || echo "store=hidden"; fi
exit 0
"""

HEALTH = {
    "ok": "#!/bin/sh\nexit 0\n",
    # damages the data first: a rollback must bring the old revision's data back
    "fail": "#!/bin/sh\necho corrupted-by-new > \"$HOME/state\"\necho 'health: broken' >&2\nexit 1\n",
    "hang": "#!/bin/sh\nsleep 120\n",
}


class Lifecycle:
    """Keys, packages and the store of one mode."""

    def __init__(self, env):
        self.env = env
        self.work = env.fresh_tree("lifecycle")
        self.store = "/var/lib/cordon" if env.is_root else os.path.join(env.pw.pw_dir, ".local/share/cordon")
        self.key_dir = "/etc/cordon/keys" if env.is_root else os.path.join(env.pw.pw_dir, ".config/cordon/keys")
        self.trusted = os.path.join(self.key_dir, "it-lifecycle.pub")
        self.keys = {}
        env.give(self.work)

    def as_user(self, argv, **kw):
        return self.env.run(argv, **kw)

    def key(self, name):
        """An Ed25519 key pair made with openssl, as a vendor would."""
        if name not in self.keys:
            pem = os.path.join(self.work, name + ".pem")
            pub = os.path.join(self.work, name + ".pub")
            for argv in (["openssl", "genpkey", "-algorithm", "ed25519", "-out", pem],
                         ["openssl", "pkey", "-in", pem, "-pubout", "-out", pub]):
                rc, out, err = self.as_user(argv)
                expect(rc == 0, f"{argv}: {err}")
            self.keys[name] = (pem, pub)
        return self.keys[name]

    def trust(self, name):
        pub = self.key(name)[1]
        os.makedirs(self.key_dir, exist_ok=True)
        if self.env.is_root:
            os.chmod(self.key_dir, 0o755)
        else:
            for d in (os.path.dirname(self.key_dir), self.key_dir):
                os.chown(d, self.env.pw.pw_uid, self.env.pw.pw_gid)
                os.chmod(d, 0o700)
        shutil.copy(pub, self.trusted)
        os.chmod(self.trusted, 0o644)
        if not self.env.is_root:
            os.chown(self.trusted, self.env.pw.pw_uid, self.env.pw.pw_gid)

    def pack(self, version, health="ok", key="vendor", name=APP, extra_files=None):
        """A package of `name` at `version`: bin/app (APP_SCRIPT), bin/health, bin/app.txt."""
        src = os.path.join(self.work, f"src-{name}-{version}-{health}-{key}")
        shutil.rmtree(src, ignore_errors=True)
        os.makedirs(os.path.join(src, "bin"))
        files = {"bin/app": APP_SCRIPT.format(version=version, store=self.store),
                 "bin/health": HEALTH[health], "bin/app.txt": f"payload of {version}\n"}
        files.update(extra_files or {})
        for rel, text in files.items():
            path = os.path.join(src, rel)
            with open(path, "w") as fh:
                fh.write(text)
            os.chmod(path, 0o755 if rel.startswith("bin/") and not rel.endswith(".txt") else 0o644)
        with open(os.path.join(src, "policy.yaml"), "w") as fh:
            fh.write(f'schema: 1\nname: {name}\nversion: "{version}"\nsummary: lifecycle test app\n'
                     f"command: [bin/app]\nhealth-check: [bin/health]\n")
        self.env.give(src)
        out = src + ".cordon"
        if os.path.exists(out):
            os.unlink(out)
        rc, o, err = self.as_user([self.env.cordon, "pack", "--json", src, "--key", self.key(key)[0], "-o", out])
        expect(rc == 0 and os.path.isfile(out), f"pack {version}: exit {rc}: {o} {err}")
        said = json.loads(o)  # docs/json.md "Outcomes"
        expect(said["outcome"] == "packed" and said["app"] == name and said["version"] == version
               and said["package"] == out and said["bytes"] == os.path.getsize(out), f"pack --json: {o}")
        return out

    def install(self, package, *options, env_extra=None, timeout=90):
        argv = [self.env.cordon, "install", "--json", *options, package]
        if env_extra:
            argv = ["env", *[f"{k}={v}" for k, v in env_extra.items()]] + argv
        return self.as_user(argv, timeout=timeout)

    def cordon(self, *argv, env_extra=None, timeout=60):
        full = [self.env.cordon, *argv]
        if env_extra:
            full = ["env", *[f"{k}={v}" for k, v in env_extra.items()]] + full
        return self.as_user(full, timeout=timeout)

    def listed(self, name=APP):
        rc, out, err = self.cordon("list", "--json")
        expect(rc == 0, f"list: exit {rc}: {err}")
        for app in json.loads(out):
            if app["name"] == name:
                return app
        return None

    def run_app(self, *args):
        rc, out, err = self.cordon("run", APP, *args)
        return rc, facts(out), err

    def store_listing(self):
        """Every path under the store's apps, snapshots and data folders, and the trash leftovers."""
        found = set()
        for part in ("apps", "snapshots", "data"):
            for root, dirs, files in os.walk(os.path.join(self.store, part)):
                for n in dirs + files:
                    p = os.path.join(root, n)
                    if APP in p:
                        found.add(p)
        return found

    def leftovers(self):
        return sorted(p for p in self.store_listing() if "/.new-" in p or "/.trash-" in p)

    def purge(self, name=APP):
        self.cordon("remove", "--purge", name)
        for part in ("apps", "snapshots", "data"):
            shutil.rmtree(os.path.join(self.store, part, name), ignore_errors=True)
        self.env.forget_origin(name)

    def close(self):
        for name in (APP, APP + "-other"):
            self.purge(name)
        if os.path.exists(self.trusted):
            os.unlink(self.trusted)
        shutil.rmtree(self.work, ignore_errors=True)


def lifecycle(env):
    if shutil.which("openssl") is None:
        raise Skip("openssl is not installed: it makes the test keys")
    lc = Lifecycle(env)
    lc.purge()
    lc.trust("vendor")
    return lc


def result(out):
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}


@test
def a_signed_package_installs_and_runs_confined(env):
    """pack -> install -> run: the command relative to the payload runs from $APP_ROOT (/app),
    which is read-only inside; cordon's store is not visible; list shows revision, version, key."""
    lc = lifecycle(env)
    try:
        pkg = lc.pack("1.0")
        rc, out, err = lc.install(pkg)
        expect(rc == 0 and result(out).get("result") == "installed", f"install: exit {rc}: {out} {err}")
        rc, f, err = lc.run_app("write")
        expect(rc == 0 and f.get("version") == "1.0" and f.get("root") == "/app/bin/app", f"run: exit {rc}: {f} {err}")
        rc, f, err = lc.run_app("try-write")
        expect(f.get("payload") == "read-only", f"the payload is writable inside: {f} {err}")
        rc, f, err = lc.run_app("try-store")
        expect(f.get("store") == "hidden", f"cordon's store is visible inside: {f} {err}")
        expect(os.path.isfile(os.path.join(lc.store, "apps", APP, "state.json")), "control: the store has the record")
        rc, f, err = lc.run_app()
        expect(f.get("data") == "written-by-1.0", f"the app's data did not persist: {f}")
        app = lc.listed()
        expect(app and app["current"] == 1 and app["version"] == "1.0" and len(app["key"]) == 64, f"list: {app}")
        # control: the payload's files are read-only on the host too, and the revision folder exists
        rev = os.path.join(lc.store, "apps", APP, "1")
        expect(os.stat(os.path.join(rev, "bin/app")).st_mode & 0o222 == 0, "payload files keep write bits")
        expect(os.path.isfile(os.path.join(rev, "policy.yaml")), f"{rev} has no policy.yaml")
    finally:
        lc.close()


def flip(path, offset_from_end=None, offset=None):
    with open(path, "r+b") as fh:
        data = bytearray(fh.read())
        i = offset if offset is not None else len(data) - offset_from_end
        data[i] ^= 0x01
        fh.seek(0)
        fh.write(data)


@test
def damaged_or_foreign_packages_are_refused_before_anything_is_unpacked(env):
    """One byte flipped in the payload, the manifest or the signature; truncated; not a package;
    signed by an untrusted key: each refused with exit 1 and a message naming what failed, and the
    store is exactly as it was (nothing unpacked, no data, no record)."""
    lc = lifecycle(env)
    try:
        good = lc.pack("1.0")
        size = os.path.getsize(good)
        with open(good, "rb") as fh:
            body = fh.read()
        manifest_at = body.index(b'"files"')
        payload_at = body.index(b"payload of 1.0")
        cases = []

        def variant(label, mutate, expected):
            path = good + "." + label
            shutil.copy(good, path)
            os.chmod(path, 0o644)
            mutate(path)
            cases.append((label, path, expected))

        variant("payload", lambda p: flip(p, offset=payload_at), "changed after it was signed")
        variant("manifest", lambda p: flip(p, offset=manifest_at), "changed after it was signed")
        variant("signature", lambda p: flip(p, offset_from_end=60), "changed after it was signed")
        variant("truncated", lambda p: os.truncate(p, size - 1), "")
        variant("short", lambda p: os.truncate(p, 10), "")
        variant("garbage", lambda p: open(p, "wb").write(b"#!/bin/sh\necho not a package\n" * 10), "")
        untrusted = lc.pack("1.0", key="stranger")
        cases.append(("untrusted", untrusted, "not among the trusted keys"))
        before = lc.store_listing()
        for label, path, expected in cases:
            if os.stat(path).st_uid != env.pw.pw_uid:
                os.chown(path, env.pw.pw_uid, env.pw.pw_gid)
            rc, out, err = lc.install(path)
            expect(rc == 1 and "refused" in err and expected in err, f"{label}: exit {rc}: {out} {err}")
            expect(lc.store_listing() == before, f"{label}: the store changed: {sorted(lc.store_listing() - before)}")
            expect(lc.listed() is None, f"{label}: the app is listed")
        # control: the undamaged package installs
        rc, out, err = lc.install(good)
        expect(rc == 0, f"control: exit {rc}: {err}")
    finally:
        lc.close()


@test
def a_name_is_bound_to_its_key_and_versions_only_grow(env):
    """The same name signed by another trusted key is refused; so is the same or a lower version
    (the message points at `cordon revert`)."""
    lc = lifecycle(env)
    try:
        rc, out, err = lc.install(lc.pack("2.0"))
        expect(rc == 0, f"install 2.0: {err}")
        lc.trust("other")  # now "other" is trusted instead of vendor: a trusted key, but not the name's
        rc, out, err = lc.install(lc.pack("3.0", key="other"))
        expect(rc == 1 and "belongs to key" in err, f"another key: exit {rc}: {err}")
        lc.trust("vendor")
        for v in ("2.0", "1.9"):
            rc, out, err = lc.install(lc.pack(v))
            expect(rc == 1 and "not newer" in err and "cordon revert" in err, f"version {v}: exit {rc}: {err}")
        # control: a higher version by the name's key installs
        rc, out, err = lc.install(lc.pack("2.1"))
        expect(rc == 0 and result(out).get("result") == "refreshed", f"control: exit {rc}: {out} {err}")
    finally:
        lc.close()


def install_v1_with_data(lc):
    rc, out, err = lc.install(lc.pack("1.0"))
    expect(rc == 0, f"install 1.0: exit {rc}: {err}")
    rc, f, err = lc.run_app("write")
    expect(rc == 0 and f.get("version") == "1.0", f"run 1.0: {f} {err}")


@test
def a_failed_health_check_rolls_back_code_and_data(env):
    """Refresh to a version whose health check damages the data and fails: exit 3, --json says
    rolled-back, the old revision is current again, with its data as it was."""
    lc = lifecycle(env)
    try:
        install_v1_with_data(lc)
        rc, out, err = lc.install(lc.pack("2.0", health="fail"))
        r = result(out)
        expect(rc == 3 and r.get("result") == "rolled-back" and r.get("revision") == 1, f"exit {rc}: {out} {err}")
        expect("exit status 1" in r.get("reason", ""), f"reason: {r}")
        app = lc.listed()
        expect(app["current"] == 1 and [x["version"] for x in app["revisions"]] == ["1.0"], f"list: {app}")
        expect(app["last"]["result"] == "rolled-back", f"last: {app.get('last')}")
        rc, f, err = lc.run_app()
        expect(f.get("version") == "1.0" and f.get("data") == "written-by-1.0", f"after the rollback: {f} {err}")
        expect(not lc.leftovers(), f"leftovers: {lc.leftovers()}")
        expect(not os.path.exists(os.path.join(lc.store, "apps", APP, "2")), "the failed revision is still there")
    finally:
        lc.close()


@test
def a_hanging_health_check_times_out_and_rolls_back(env):
    """--health-timeout 2 against a health check that sleeps: stopped, rolled back, reason says so."""
    lc = lifecycle(env)
    try:
        install_v1_with_data(lc)
        start = time.monotonic()
        rc, out, err = lc.install(lc.pack("2.0", health="hang"), "--health-timeout", "2")
        r = result(out)
        expect(rc == 3 and "timed out after 2 s" in r.get("reason", ""), f"exit {rc}: {out} {err}")
        expect(time.monotonic() - start < 60, "the health check was not stopped")
        rc, f, err = lc.run_app()
        expect(f.get("version") == "1.0" and f.get("data") == "written-by-1.0", f"after the timeout: {f} {err}")
    finally:
        lc.close()


@test
def a_good_refresh_carries_data_and_revert_restores_the_old_data(env):
    """1.0 writes data; 2.0 (healthy) sees it and writes its own; revert: 1.0 with 1.0's data;
    three refreshes keep two revisions (--keep 2)."""
    lc = lifecycle(env)
    try:
        install_v1_with_data(lc)
        rc, out, err = lc.install(lc.pack("2.0"))
        expect(rc == 0 and result(out).get("result") == "refreshed", f"refresh: exit {rc}: {out} {err}")
        rc, f, err = lc.run_app("write")
        expect(f.get("version") == "2.0" and f.get("data") == "written-by-1.0", f"carried over: {f} {err}")
        rc, out, err = lc.cordon("revert", "--json", APP)
        expect(rc == 0 and result(out).get("result") == "reverted", f"revert: exit {rc}: {out} {err}")
        rc, f, err = lc.run_app()
        expect(f.get("version") == "1.0" and f.get("data") == "written-by-1.0", f"after revert: {f} {err}")
        for v in ("3.0", "4.0"):
            rc, out, err = lc.install(lc.pack(v))
            expect(rc == 0, f"refresh {v}: {err}")
        app = lc.listed()
        expect(len(app["revisions"]) == 2 and app["version"] == "4.0", f"--keep 2: {app}")
        expect(sorted(os.listdir(os.path.join(lc.store, "apps", APP))) == sorted(
            [str(x["revision"]) for x in app["revisions"]] + ["lock", "state.json"]), "pruned revisions are still on disk")
        rc, out, err = lc.cordon("refresh", "--hold", APP)
        expect(rc == 0 and lc.listed()["held"], f"hold: {err}")
        rc, out, err = lc.cordon("refresh", "--unhold", APP)
        expect(rc == 0 and not lc.listed()["held"], f"unhold: {err}")
    finally:
        lc.close()


@test
def remove_keeps_a_data_snapshot_and_purge_forgets_everything(env):
    lc = lifecycle(env)
    try:
        install_v1_with_data(lc)
        rc, out, err = lc.cordon("remove", APP)
        expect(rc == 0, f"remove: {err}")
        snap = os.path.join(lc.store, "snapshots", APP, "1", "state")
        expect(os.path.isfile(snap) and open(snap).read().strip() == "written-by-1.0", "no data snapshot")
        rc, out, err = lc.cordon("run", APP)
        expect(rc == 125, f"a removed app still runs: {rc} {out}")
        expect(lc.listed()["current"] == 0, "list shows a removed app as installed")
        rc, out, err = lc.cordon("remove", "--purge", APP)
        expect(rc == 0 and lc.listed() is None and not lc.store_listing(), f"purge: {err} {lc.store_listing()}")
    finally:
        lc.close()


# ---- kill -9 at every step --------------------------------------------------------------------

def consistent(lc, allowed, label):
    """After a kill: the next command (list) settles; the app is exactly one revision, and runs with
    data that belongs to it (`allowed`: version -> acceptable data); nothing half-made is left."""
    app = lc.listed()
    state_file = os.path.join(lc.store, "apps", APP, "state.json")
    if app is None or app["current"] == 0:
        expect(None in allowed, f"{label}: the app vanished: {app}")
        return None
    rc, f, err = lc.run_app()
    version = f.get("version")
    expect(rc == 0 and version == app["version"], f"{label}: list says {app['version']}, the run: {rc} {f} {err}")
    expect(version in allowed and f.get("data") in allowed[version],
           f"{label}: {version} runs with data {f.get('data')!r}; allowed: {allowed}")
    with open(state_file) as fh:
        expect("pending" not in json.load(fh), f"{label}: a change is still pending after list")
    expect(not lc.leftovers(), f"{label}: leftovers {lc.leftovers()}")
    return version


@test
def kill_9_at_every_step_leaves_the_old_or_the_new_revision_whole(env):
    """CORDON_KILL_AT=STEP (test builds) SIGKILLs the command right after STEP, for every step of
    install, refresh (good, and rolling back), revert and remove."""
    lc = lifecycle(env)
    try:
        rc, out, err = lc.install("/nonexistent", env_extra={"CORDON_KILL_AT": "no-such-step"})
        if "names no lifecycle step" not in err:
            raise Skip("this cordon is built without CORDON_FAULT_INJECTION (the ci and asan presets have it)")
        v1 = lc.pack("1.0")
        v2_good, v2_bad = lc.pack("2.0"), lc.pack("2.0", health="fail")
        steps = ["unpack", "check-policy", "place", "snapshot", "switch", "health-check", "commit", "prune"]
        matrix = []
        for step in steps:
            matrix.append(("install", step))
            matrix.append(("refresh", step))
        for step in ("health-check", "switch-back", "restore-data", "rolled-back"):
            matrix.append(("refresh-fails", step))
        for step in ("snapshot", "switch", "restore-data", "commit"):
            matrix.append(("revert", step))
        for step in ("remove-begin", "snapshot", "commit", "prune"):
            matrix.append(("remove", step))
        if SANITIZED:  # one cell for each way settle can go: memory errors are the point there
            matrix = [("install", "switch"), ("install", "commit"), ("refresh", "place"), ("refresh", "health-check"),
                      ("refresh-fails", "switch-back"), ("revert", "switch"), ("remove", "remove-begin")]
        report = []
        for op, step in matrix:
            lc.purge()
            kill = {"CORDON_KILL_AT": step}
            label = f"{op} killed after {step}"
            if op == "install":
                rc, out, err = lc.install(v1, env_extra=kill)
                allowed = {None: None, "1.0": {None, ""}}
            else:
                install_v1_with_data(lc)
                if op == "refresh":
                    rc, out, err = lc.install(v2_good, env_extra=kill)
                    allowed = {"1.0": {"written-by-1.0"}, "2.0": {"written-by-1.0"}}
                elif op == "refresh-fails":
                    rc, out, err = lc.install(v2_bad, env_extra=kill)
                    allowed = {"1.0": {"written-by-1.0"}}
                elif op == "revert":
                    rc, out, err = lc.install(v2_good)
                    expect(rc == 0, f"{label}: setup: {err}")
                    lc.run_app("write")
                    rc, out, err = lc.cordon("revert", APP, env_extra=kill)
                    allowed = {"1.0": {"written-by-1.0"}, "2.0": {"written-by-2.0"}}
                else:
                    rc, out, err = lc.cordon("remove", APP, env_extra=kill)
                    allowed = {None: None, "1.0": {"written-by-1.0"}}
            expect(rc == -signal.SIGKILL or rc == 128 + signal.SIGKILL, f"{label}: not killed: exit {rc}: {err}")
            version = consistent(lc, allowed, label)
            if op == "remove" and version is None:  # removed: the data is in its snapshot, whole
                snap = os.path.join(lc.store, "snapshots", APP, "1", "state")
                expect(os.path.isfile(snap) and open(snap).read().strip() == "written-by-1.0",
                       f"{label}: the data snapshot is missing or wrong")
            report.append(f"{label}: {version or 'not installed'}")
            # the next lifecycle command completes: a refresh to a newer version works from here
            rc, out, err = lc.install(lc.pack("5.0") if version else v1)
            expect(rc == 0, f"{label}: the next install: exit {rc}: {err}")
        print("\n".join(report))
    finally:
        lc.close()


@test
def concurrent_installs_take_turns(env):
    """Two refreshes started together: the app lock serialises them; the newest wins, whatever the
    order, the other is current or refused as not newer; nothing half-made is left."""
    lc = lifecycle(env)
    try:
        install_v1_with_data(lc)
        packages = [lc.pack("2.0"), lc.pack("3.0")]
        procs = [lc.env.popen([lc.env.cordon, "install", "--json", p]) for p in packages]
        outcomes = [(p.wait(timeout=90), p.stdout.read(), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        expect(outcomes[1][0] == 0, f"3.0: {outcomes[1]}")
        expect(outcomes[0][0] == 0 or "not newer" in outcomes[0][2], f"2.0: {outcomes[0]}")
        app = lc.listed()
        expect(app["version"] == "3.0", f"list: {app}")
        rc, f, err = lc.run_app()
        expect(f.get("version") == "3.0" and f.get("data") == "written-by-1.0", f"run: {f} {err}")
        expect(not lc.leftovers(), f"leftovers: {lc.leftovers()}")
    finally:
        lc.close()


@test
def a_running_app_keeps_its_files_through_a_refresh_and_a_remove(env):
    """1.0 runs, reading its payload for 3 s, while 2.0 and 3.0 are installed (--keep 2 prunes
    revision 1) and then the app is removed: it reads on undisturbed; its folder goes only after it
    exited, at the next lifecycle command."""
    lc = lifecycle(env)
    try:
        install_v1_with_data(lc)
        running = lc.env.popen([lc.env.cordon, "run", APP, "read-for", "3"])
        watchdog = threading.Timer(60, running.kill)  # an app that never starts fails, not hangs
        watchdog.start()
        first = []  # the lines before "started=1" (version=...), kept for facts()
        for line in iter(running.stdout.readline, ""):
            if line.strip() == "started=1":
                break
            first.append(line)
        watchdog.cancel()
        expect(running.poll() is None, f"the app did not start: {first}")  # it runs: the refreshes come now
        for v in ("2.0", "3.0"):
            rc, out, err = lc.install(lc.pack(v))
            expect(rc == 0, f"refresh {v}: {err}")
        rev1 = os.path.join(lc.store, "apps", APP, "1")
        expect(os.path.isdir(rev1), "revision 1 was deleted while it ran")
        rc, out, err = lc.cordon("remove", APP)
        expect(rc == 0, f"remove: {err}")
        out, err = running.communicate(timeout=30)
        f = facts("".join(first) + out)
        expect(running.returncode == 0 and f.get("still") == "payload of 1.0", f"the running app: {running.returncode} {out} {err}")
        # control: once it exited, the next lifecycle command takes the folder away
        rc, out, err = lc.cordon("remove", "--purge", APP)
        expect(rc == 0 and not os.path.exists(rev1), f"revision 1 outlived its run: {err}")
    finally:
        lc.close()


@test
def the_documented_flow_runs_as_written(env):
    """docs/packaging.md's first shell block, pasted as it is (root's: it trusts the key in
    /etc/cordon/keys): every `cordon run hello` prints what its comment says, and the failed refresh
    exits 3. The documentation is the test: a command that stops working fails here."""
    if not env.is_root:
        raise Skip("the documented flow is root's (its key goes to /etc/cordon/keys); the user's flow is the other tests'")
    if shutil.which("openssl") is None:
        raise Skip("openssl is not installed: the flow makes its key with it")
    store_state = "/var/lib/cordon/apps/hello/state.json"
    if os.path.exists(store_state) or os.path.exists("/etc/cordon/keys/hello-vendor.pub"):
        raise Skip("this machine already has an app or a key named hello: the documented flow would change them")
    block = documented_block("packaging.md")
    expected = documented_outputs(block, "hello")
    work = env.fresh_tree("docs-flow")
    try:
        p = run_documented_block(env, block, work)
        runs = [line for line in p.stdout.splitlines() if re.fullmatch(r"hello \S+, run \d+", line)]
        expect(runs == [e.split(":")[0] if ":" in e else e for e in expected],
               f"the runs printed {runs}, the docs say {expected}\nstdout: {p.stdout}\nstderr: {p.stderr}")
        expect("exit status 3" in p.stdout, f"the failed refresh did not exit 3: {p.stdout} {p.stderr}")
        expect("Error" not in p.stderr and "cannot" not in p.stderr, f"a command failed: {p.stderr}")
    finally:
        subprocess.run([env.cordon, "remove", "--purge", "hello"], capture_output=True)
        for path in ("/etc/cordon/keys/hello-vendor.pub",):
            if os.path.exists(path):
                os.unlink(path)
        shutil.rmtree(work, ignore_errors=True)


def disk_use(path):
    return int(subprocess.run(["du", "-s", "--block-size=1", path], capture_output=True, text=True).stdout.split()[0])


@test
def hostile_data_cannot_block_a_refresh_or_fill_the_disk(env):
    """The app shapes its data against root's snapshot: 200 hard links to 1 MiB, a 300-deep
    folder chain, a 1 TiB sparse file, a link to /etc/shadow, a FIFO, a read-only folder. The
    refresh still succeeds (what cannot be copied is left out and said), the snapshot takes about
    what the data takes, a revert restores it, and a purge leaves nothing; the link's target is
    untouched."""
    lc = lifecycle(env)
    try:
        install_v1_with_data(lc)
        rc, f, err = lc.run_app("hostile")
        expect(rc == 0 and f.get("hostile") == "done", f"the hostile app: {rc} {f} {err}")
        shadow = os.stat("/etc/shadow")
        data = os.path.join(lc.store, "data", APP)
        counted = int(subprocess.run(["du", "-s", "-l", "--block-size=1", data], capture_output=True, text=True).stdout.split()[0])
        expect(counted > 150 << 20, f"control: the links count {counted} bytes when each is counted")
        rc, out, err = lc.install(lc.pack("2.0"))
        expect(rc == 0 and result(out).get("result") == "refreshed", f"refresh: exit {rc}: {out} {err}")
        expect("left out" in err and "256 folders deep" in err, f"the skipped entries are not said: {err}")
        snap = os.path.join(lc.store, "snapshots", APP, "1")
        expect(disk_use(snap) < 20 << 20, f"the snapshot takes {disk_use(snap)} bytes")
        expect(os.path.islink(os.path.join(snap, "shadow")), "the link was not kept as a link")
        rc, out, err = lc.cordon("revert", APP)
        expect(rc == 0, f"revert: {err}")
        rc, f, err = lc.run_app()
        expect(f.get("version") == "1.0" and f.get("data") == "written-by-1.0", f"after revert: {f} {err}")
        rc, out, err = lc.cordon("remove", "--purge", APP)
        expect(rc == 0 and not lc.store_listing(), f"purge: {err} {sorted(lc.store_listing())[:5]}")
        after = os.stat("/etc/shadow")
        expect((after.st_mode, after.st_uid) == (shadow.st_mode, shadow.st_uid), "/etc/shadow changed")
    finally:
        lc.close()


@test
def a_killed_install_takes_its_health_check_with_it(env):
    """kill -9 of `cordon install` while its health check runs: the check (and its sandbox) dies
    too, instead of running on past its timeout; the next command rolls the install back."""
    lc = lifecycle(env)
    try:
        install_v1_with_data(lc)
        p = lc.env.popen([lc.env.cordon, "install", "--health-timeout", "60", lc.pack("2.0", health="hang")])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any("--health-check" in " ".join(cmdline(pid)) for pid in descendants(p.pid)):
            time.sleep(0.1)
        # the install itself (as the test user it is runuser's child), not runuser
        installs = [pid for pid in [p.pid, *descendants(p.pid)] if "install" in cmdline(pid) and cmdline(pid)[0].endswith("cordon")]
        expect(len(installs) == 1, f"cannot find the install among {[cmdline(x) for x in descendants(p.pid)]}")
        os.kill(installs[0], signal.SIGKILL)
        p.communicate(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and checks_running():
            time.sleep(0.2)
        expect(not checks_running(), f"the health check outlived its install: {checks_running()}")
        rc, f, err = lc.run_app()
        expect(f.get("version") == "1.0" and f.get("data") == "written-by-1.0", f"after the kill: {f} {err}")
    finally:
        lc.close()


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().decode(errors="replace").split("\0")
    except OSError:
        return []


def checks_running():
    return [pid for pid in (int(d) for d in os.listdir("/proc") if d.isdigit())
            if "--health-check" in cmdline(pid) and APP in cmdline(pid)]


@test
def names_are_checked_before_they_become_paths(env):
    """A package cannot take the name of a policy in the policy path (even one that never ran);
    lifecycle commands refuse a name with a slash or dots before making any folder of it."""
    lc = lifecycle(env)
    policies = lc.env.fresh_tree("lifecycle-policies")
    try:
        with open(os.path.join(policies, APP + ".yaml"), "w") as fh:
            fh.write(f"schema: 1\nname: {APP}\ncommand: [/bin/true]\n")
        os.chmod(policies, 0o755)
        pkg = lc.pack("1.0")
        rc, out, err = lc.cordon("install", pkg, env_extra={"CORDON_POLICY_PATH": policies})
        expect(rc == 1 and "belongs to the policy" in err, f"install over a policy's name: exit {rc}: {err}")
        expect(lc.listed() is None, "the package was installed")
        outside = os.path.join(lc.work, "outside")
        for argv in (["remove", "../../../.." + outside], ["revert", "../x"], ["refresh", "--hold", "a/b"]):
            rc, out, err = lc.cordon(*argv)
            expect(rc == 125 and "not an app name" in err, f"{argv}: exit {rc}: {err}")
        expect(not os.path.exists(outside) and not os.path.exists(os.path.join(lc.store, "apps", "x")),
               "a folder was made of a bad name")
        # control: without the policy in the path, the package installs
        rc, out, err = lc.install(pkg)
        expect(rc == 0, f"control: exit {rc}: {err}")
    finally:
        shutil.rmtree(policies, ignore_errors=True)
        lc.close()
