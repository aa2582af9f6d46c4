"""Central updates (docs/updates.md): a publisher signs an index over a folder of packages, a real
HTTP server on 127.0.0.1 serves it, and `cordon refresh` fetches, verifies and installs through the
lifecycle. Every attack of the threat table is tried: a tampered index, one signed by another key,
an expired one, an older one replayed after a newer, a package whose hash or size differs from the
index, a server that sends more than declared or dies mid-download; each is refused with nothing
installed and the current revision still the one that runs. Also: a failing health check rolled
back, a held app left alone, --list changing nothing, the network down. As root (/etc/cordon/
sources, the system's store) and as the test user (~/.config/cordon/sources, their own store)."""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time

from harness import *  # noqa: F401,F403
from it_lifecycle import APP, lifecycle, result

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "update_server.py")
SOURCE = "it-updates"


class Updates:
    """A publisher (index key, repository) and a device (the source file, the accepted record)."""

    def __init__(self, env):
        self.env = env
        self.lc = lifecycle(env)
        self.repo = os.path.join(self.lc.work, "repo")
        config = "/etc/cordon" if env.is_root else os.path.join(env.pw.pw_dir, ".config/cordon")
        self.source_dir = os.path.join(config, "sources")
        self.accepted = os.path.join(self.lc.store, "sources", SOURCE + ".json")
        self.server = None
        self.port = None
        others = [n for n in os.listdir(self.source_dir) if not n.startswith(SOURCE)] if os.path.isdir(self.source_dir) else []
        if others:
            self.lc.close()
            raise Skip(f"{self.source_dir} holds other update sources ({', '.join(sorted(others))}); a refresh would "
                       "read them too")
        self.forget_accepted()

    def forget_accepted(self):
        if os.path.exists(self.accepted):
            os.unlink(self.accepted)

    def install(self, version):
        rc, out, err = self.lc.install(self.lc.pack(version))
        expect(rc == 0, f"install {version}: exit {rc}: {err}")

    def publish(self, *packages, key="index", valid_for="1h", repo=None):
        rc, out, err = self.lc.cordon("publish", repo or self.repo, *packages, "--key", self.lc.key(key)[0],
                                      "--valid-for", valid_for)
        expect(rc == 0, f"publish: exit {rc}: {out} {err}")
        return os.path.join(repo or self.repo, "index.json")

    def configure(self, key="index", location=None, name=SOURCE, extra=""):
        """The source file and its index key, as their owner would install them."""
        os.makedirs(self.source_dir, exist_ok=True)
        pub = os.path.join(self.source_dir, name + ".pub")
        shutil.copy(self.lc.key(key)[1], pub)
        where = location or f"url: http://127.0.0.1:{self.port}/"
        path = os.path.join(self.source_dir, name + ".yaml")
        with open(path, "w") as fh:
            fh.write(f"schema: 1\n{where}\nindex-key: {name}.pub\n{extra}")
        for p in (pub, path):
            os.chmod(p, 0o644)
        if not self.env.is_root:
            for d in (os.path.dirname(self.source_dir), self.source_dir, pub, path):
                os.chown(d, self.env.pw.pw_uid, self.env.pw.pw_gid)
        return path

    def serve(self, *faults, directory=None):
        self.stop()
        self.server = subprocess.Popen([sys_python(), SERVER, directory or self.repo, *faults],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.server.stdout.readline())
        self.configure()

    def stop(self):
        if self.server:
            self.server.kill()
            self.server.wait()
            self.server.stdout.close()
            self.server = None

    def refresh(self, *options):
        rc, out, err = self.lc.cordon("refresh", "--json", *options, timeout=120)
        try:
            doc = json.loads(out)
        except ValueError:
            doc = {}
        return rc, doc, err

    def app_result(self, doc, name=APP):
        for app in doc.get("apps", []):
            if app["name"] == name:
                return app
        return {}

    def running_version(self):
        rc, f, err = self.lc.run_app()
        expect(rc == 0, f"run: exit {rc}: {err}")
        return f.get("version")

    def close(self):
        self.stop()
        for folder in (self.source_dir, os.path.dirname(self.accepted)):
            for name in os.listdir(folder) if os.path.isdir(folder) else []:
                if name.startswith(SOURCE):
                    os.unlink(os.path.join(folder, name))
        self.lc.close()


def sign_index(body, pem):
    """An index file with `body` signed by the key in `pem`, as runtime/update/index.h lays it out:
    for indexes `cordon publish` would never write."""
    message = b"cordon-index-v1\0" + struct.pack("<Q", len(body)) + hashlib.sha256(body).digest()
    with tempfile.TemporaryDirectory() as tmp:
        msg, sig = os.path.join(tmp, "msg"), os.path.join(tmp, "sig")
        with open(msg, "wb") as fh:
            fh.write(message)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", pem, "-rawin", "-in", msg, "-out", sig], check=True)
        der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"], check=True,
                             capture_output=True).stdout
        with open(sig, "rb") as fh:
            signature = fh.read()
    key_id = hashlib.sha256(der[-32:]).hexdigest()
    return (b'{"signature":"ed25519:' + key_id.encode() + b":" + signature.hex().encode() + b'","index":' + body + b"}\n")


def sys_python():
    return "/usr/bin/python3"


def updates(env):
    return Updates(env)


def refreshes_to(u, label, version):
    """A refresh exits 2 with the app refreshed, and `version` is then what is listed and runs."""
    rc, doc, err = u.refresh()
    expect(rc == 2 and u.app_result(doc).get("result") == "refreshed", f"{label}: exit {rc}: {doc} {err}")
    installed_at(u, version)


def installed_at(u, version):
    """`version` is what `cordon list` calls current and what runs."""
    app = u.lc.listed()
    expect(app and app["version"] == version, f"list says {app}, expected {version}")
    got = u.running_version()
    expect(got == version, f"the app runs {got}, expected {version}")


@test
def a_published_update_is_fetched_verified_and_installed(env):
    """publish -> serve -> refresh: --list says what would change and changes nothing (no install,
    no accepted serial); the refresh installs the new version (exit 2), a second finds it up to
    date (exit 0); a held app is listed as held and not refreshed; with the server gone, refresh
    says the source cannot be reached (exit 4) and changes nothing. A release signed by a new
    vendor key is published with a warning, on stderr and in --json."""
    u = updates(env)
    try:
        u.install("1.0")
        u.publish(u.lc.pack("1.1"))
        u.serve()
        rc, doc, err = u.refresh("--list")
        expect(rc == 2 and u.app_result(doc).get("result") == "would-refresh" and u.app_result(doc).get("offered") == "1.1",
               f"--list: exit {rc}: {doc} {err}")
        expect(not os.path.exists(u.accepted), "--list recorded the index's serial")
        installed_at(u, "1.0")
        refreshes_to(u, "refresh", "1.1")
        expect(json.load(open(u.accepted))["serial"] == 1, "the accepted serial was not recorded")
        rc, doc, err = u.refresh()
        expect(rc == 0 and u.app_result(doc).get("result") == "up-to-date", f"second refresh: exit {rc}: {doc} {err}")

        rc, out, err = u.lc.cordon("refresh", "--hold", APP)
        expect(rc == 0, f"hold: exit {rc}: {err}")
        u.publish(u.lc.pack("1.2"))
        rc, doc, err = u.refresh()
        expect(rc == 0 and u.app_result(doc).get("result") == "held", f"held: exit {rc}: {doc} {err}")
        installed_at(u, "1.1")
        rc, out, err = u.lc.cordon("refresh", APP)
        expect(rc == 0 and "held" in out, f"held (text): exit {rc}: {out} {err}")
        rc, out, err = u.lc.cordon("refresh", "--unhold", APP)
        expect(rc == 0, f"unhold: exit {rc}: {err}")

        u.stop()
        rc, doc, err = u.refresh()
        expect(rc == 4 and doc["sources"][0]["result"] == "unreachable" and "cannot reach" in err,
               f"network down: exit {rc}: {doc} {err}")
        installed_at(u, "1.1")
        u.serve()  # control: the same refresh with the server back
        refreshes_to(u, "server back", "1.2")

        # A release signed by a new vendor key: publish warns, in --json too (the fleet would refuse it).
        rc, out, err = u.lc.cordon("publish", u.repo, u.lc.pack("1.3", key="vendor2"), "--key", u.lc.key("index")[0], "--json")
        expect(rc == 0 and len(json.loads(out)["warnings"]) == 1 and "devices that installed it refuse" in err,
               f"new signer: exit {rc}: {out} {err}")
    finally:
        u.close()


def flip_byte_of(path, needle):
    with open(path, "r+b") as fh:
        data = bytearray(fh.read())
        at = data.index(needle)
        data[at] ^= 0x01
        fh.seek(0)
        fh.write(data)


@test
def tampered_foreign_expired_or_replayed_indexes_are_refused(env):
    """Each refused with exit 1 and the reason, nothing installed, the current revision still the
    one that runs: an index changed after signing, one signed by another key than the source's,
    one past its expiry, an older index replayed after a newer one was accepted, and a newer index
    of another repository signed by the same key. Control: the untouched index refreshes."""
    u = updates(env)
    try:
        u.install("1.0")
        index = u.publish(u.lc.pack("1.1"))
        with open(index, "rb") as fh:
            signed_1 = fh.read()
        u.serve()

        def refused(label, expected):
            rc, doc, err = u.refresh()
            expect(rc == 1 and doc.get("sources", [{}])[0].get("result") == "refused" and expected in err,
                   f"{label}: exit {rc}: {doc} {err}")
            expect(u.app_result(doc).get("result") != "refreshed", f"{label}: refreshed anyway: {doc}")

        flip_byte_of(index, b'"1.1"')
        refused("tampered", "changed after it was signed")
        installed_at(u, "1.0")

        other_repo = os.path.join(u.lc.work, "other-repo")
        u.publish(u.lc.pack("1.1"), key="stranger", repo=other_repo)
        shutil.copy(os.path.join(other_repo, "index.json"), index)
        refused("another key", "not by the index key")

        u.publish(key="index", valid_for="1s", repo=os.path.join(u.lc.work, "expired-repo"))
        shutil.copy(os.path.join(u.lc.work, "expired-repo", "index.json"), index)
        time.sleep(2.2)  # expiry is checked to the second: now > published + 1 s
        refused("expired", "expired at")
        installed_at(u, "1.0")
        expect(not os.path.exists(u.accepted), "a refused index's serial was recorded")

        with open(index, "wb") as fh:  # control: the index as published
            fh.write(signed_1)
        refreshes_to(u, "control", "1.1")

        u.publish(u.lc.pack("1.2"))  # serial 2
        rc, doc, err = u.refresh()
        expect(rc == 2, f"serial 2: exit {rc}: {doc} {err}")
        with open(index, "wb") as fh:  # serial 1 again: validly signed, not expired, older
            fh.write(signed_1)
        refused("replayed", "older than serial 2")
        installed_at(u, "1.2")

        beta = os.path.join(u.lc.work, "beta-repo")  # the publisher's other channel, the same index key
        for _ in range(3):
            u.publish(repo=beta)
        shutil.copy(os.path.join(beta, "index.json"), index)  # serial 3, newer, validly signed
        refused("another repository", "this source has served repository")
        installed_at(u, "1.2")
    finally:
        u.close()


@test
def packages_that_differ_from_the_index_are_refused(env):
    """The package on the server has other bytes (same size), more bytes (with Content-Length, and
    streamed without one, so the client must stop on its own at the declared size), or the server
    dies mid-download: refused (exit 1) or unreachable (exit 4), nothing installed, nothing left
    in the store, the old revision runs. Control: the intact package installs."""
    u = updates(env)
    try:
        u.install("1.0")
        u.publish(u.lc.pack("1.1"))
        served = [os.path.join(u.repo, n) for n in os.listdir(u.repo) if n.endswith(".cordon")][0]
        with open(served, "rb") as fh:
            intact = fh.read()
        before = u.lc.store_listing()

        def attempt(label, content, faults, code, expected):
            with open(served, "wb") as fh:
                fh.write(content)
            u.serve(*faults)
            rc, doc, err = u.refresh()
            expect(rc == code and expected in err, f"{label}: exit {rc}: {doc} {err}")
            expect(u.app_result(doc).get("result") != "refreshed", f"{label}: refreshed: {doc}")
            expect(u.lc.store_listing() == before, f"{label}: the store changed: {sorted(u.lc.store_listing() - before)}")
            installed_at(u, "1.0")

        damaged = bytearray(intact)
        damaged[len(damaged) // 2] ^= 0x01
        attempt("other bytes", bytes(damaged), [], 1, "not the")
        attempt("more bytes", intact + b"x" * 100000, [], 1, "more than the")
        attempt("more bytes, no length", intact + b"x" * 100000, ["--no-length"], 1, "more than the")
        attempt("dies mid-download", intact, ["--die-after", str(len(intact) // 2)], 4, "cannot reach")
        # The index key signs an entry that says 1.2 over the (intact, vendor-signed) 1.1 package.
        index_path = os.path.join(u.repo, "index.json")
        with open(index_path, "rb") as fh:
            published = fh.read()
        doc = json.loads(published)["index"]
        doc["serial"] += 1
        doc["apps"][0]["version"] = "1.2"
        with open(index_path, "wb") as fh:
            fh.write(sign_index(json.dumps(doc, separators=(",", ":")).encode(), u.lc.key("index")[0]))
        attempt("another version than offered", intact, [], 1, "not the it-pkg 1.2 the index offers")
        with open(index_path, "wb") as fh:
            fh.write(published)
        u.forget_accepted()  # the device accepted serial 2 above; the control republishes serial 1
        with open(served, "wb") as fh:  # control
            fh.write(intact)
        u.serve()
        refreshes_to(u, "control", "1.1")
    finally:
        u.close()


@test
def a_refreshed_app_that_fails_its_health_check_is_rolled_back(env):
    """The index offers 1.1, whose health check fails: refresh installs it, runs the check, rolls
    back (exit 3, "rolled-back" with the reason in --json), and 1.0 runs with its data."""
    u = updates(env)
    try:
        u.install("1.0")
        rc, f, err = u.lc.run_app("write")
        expect(f.get("data") == "", f"fresh data: {f} {err}")
        u.publish(u.lc.pack("1.1", health="fail"))
        u.serve()
        rc, doc, err = u.refresh()
        app = u.app_result(doc)
        expect(rc == 3 and app.get("result") == "rolled-back" and "exit status 1" in app.get("reason", ""),
               f"refresh: exit {rc}: {doc} {err}")
        installed_at(u, "1.0")
        rc, f, err = u.lc.run_app()
        expect(f.get("data") == "written-by-1.0", f"the data was not rolled back: {f} {err}")
    finally:
        u.close()


@test
def a_folder_source_works_and_bad_sources_are_refused(env):
    """A source that is a local folder (a USB stick) refreshes like a URL one. A source file with
    an unknown key is an error at file:line:col (exit 1, nothing fetched); one that others may
    write is refused; an index key that is also a trusted package key is refused (two roles)."""
    u = updates(env)
    try:
        u.install("1.0")
        u.publish(u.lc.pack("1.1"))
        path = u.configure(location=f"directory: {u.repo}")

        with open(path, "a") as fh:
            fh.write("mirror: http://example.com/\n")
        rc, doc, err = u.refresh()
        expect(rc == 1 and f"{path}:4:1: error: unknown key 'mirror'" in err, f"unknown key: exit {rc}: {err}")
        path = u.configure(location=f"directory: {u.repo}")
        os.chmod(path, 0o666)
        rc, doc, err = u.refresh()
        expect(rc == 1 and "group or others may write it" in err, f"writable source: exit {rc}: {err}")
        os.chmod(path, 0o644)
        u.configure(key="vendor", location=f"directory: {u.repo}")
        rc, doc, err = u.refresh()
        expect(rc == 1 and "also a trusted package key" in err, f"one key, two roles: exit {rc}: {doc} {err}")
        installed_at(u, "1.0")

        u.configure(location=f"directory: {u.repo}")  # control
        refreshes_to(u, "folder source", "1.1")
    finally:
        u.close()


@test
def another_source_cannot_hold_back_or_steer_an_app(env):
    """Two sources: the vendor's, and another whose index key signs an offer of the app under the
    vendor's key at 9.9 with a file that does not exist (what anyone running a source can write).
    With the vendor's source down, the app, bound to no source yet, is not refreshed from the other
    ("unchecked", exit 4). Unbound, the app offered by both is "ambiguous": refused (exit 1), nothing downloaded. Named in
    the vendor source's apps:, it refreshes from there and is bound to it; with apps: gone again,
    the binding keeps the other source's 9.9 from blocking the vendor's next version (the first
    step is the control: the same offer, no binding, does stop it)."""
    u = updates(env)
    try:
        u.install("1.0")
        u.publish(u.lc.pack("1.1"))
        u.serve()
        other_repo = os.path.join(u.lc.work, "other-repo")
        u.publish(u.lc.pack("1.1"), key="stranger", repo=other_repo)
        index_path = os.path.join(other_repo, "index.json")
        doc = json.loads(open(index_path, "rb").read())["index"]
        doc["apps"][0].update(version="9.9", file="it-pkg_9.9.cordon", sha256="0" * 64)
        with open(index_path, "wb") as fh:
            fh.write(sign_index(json.dumps(doc, separators=(",", ":")).encode(), u.lc.key("stranger")[0]))
        u.configure(key="stranger", location=f"directory: {other_repo}", name=SOURCE + "-other")

        u.stop()  # the vendor's source down: the other's offer must not win by default
        rc, doc, err = u.refresh()
        expect(rc == 4 and u.app_result(doc).get("result") == "unchecked", f"vendor down: exit {rc}: {doc} {err}")
        installed_at(u, "1.0")
        expect(u.lc.listed().get("source") == "", f"bound while a source was down: {u.lc.listed()}")
        u.serve()

        rc, doc, err = u.refresh()
        app = u.app_result(doc)
        expect(rc == 1 and app.get("result") == "ambiguous" and "apps: [it-pkg]" in err, f"unbound: exit {rc}: {doc} {err}")
        installed_at(u, "1.0")

        u.configure(extra="apps: [it-pkg]\n")
        refreshes_to(u, "named in apps", "1.1")
        expect(u.lc.listed().get("source") == SOURCE, f"not bound to its source: {u.lc.listed()}")

        u.configure()  # apps: gone; the binding stays
        u.publish(u.lc.pack("1.2"))
        refreshes_to(u, "bound", "1.2")

        os.unlink(os.path.join(u.source_dir, SOURCE + ".yaml"))  # its source removed: said, not silent
        rc, doc, err = u.refresh()
        expect(rc == 0 and u.app_result(doc).get("result") == "not-offered" and "no longer configured" in err,
               f"source removed: exit {rc}: {doc} {err}")
        installed_at(u, "1.2")
    finally:
        u.close()


@test
def the_documented_flow_runs_as_written(env):
    """docs/updates.md's first shell block, pasted as it is (root's: /etc/cordon/keys and sources,
    port 8080): every `cordon run sensor` prints what its comment says, --list shows the offer,
    and the refresh exits 2. The documentation is the test."""
    if not env.is_root:
        raise Skip("the documented flow is root's (/etc/cordon); the user's sources are the other tests'")
    if shutil.which("openssl") is None:
        raise Skip("openssl is not installed: the flow makes its keys with it")
    taken = ["/var/lib/cordon/apps/sensor/state.json", "/etc/cordon/sources/example.yaml",
             "/etc/cordon/keys/sensor-vendor.pub", "/var/lib/cordon/sources/example.json"]
    if any(os.path.exists(p) for p in taken) or (os.path.isdir("/etc/cordon/sources") and os.listdir("/etc/cordon/sources")):
        raise Skip("this machine already has an app, key or update source the documented flow would change")
    import socket
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 8080)) == 0:
            raise Skip("port 8080 is in use: the documented flow serves its repository there")
    block = documented_block("updates.md")
    expected = documented_outputs(block, "sensor")
    work = env.fresh_tree("updates-docs-flow")
    try:
        p = run_documented_block(env, block, work)
        runs = [line for line in p.stdout.splitlines() if line.startswith("sensor 1.")]
        # the health checks print too (install, refresh): the runs are the lines the comments name, in order
        it = iter(runs)
        expect(all(any(r == e for r in it) for e in expected), f"runs {runs}, the docs say {expected}\n{p.stdout}\n{p.stderr}")
        expect("would-refresh" in p.stdout and "exit status 2" in p.stdout, f"--list or refresh: {p.stdout} {p.stderr}")
        expect("cannot" not in p.stderr and "refused" not in p.stderr, f"a command failed: {p.stderr}")
    finally:
        subprocess.run(["pkill", "-f", "http.server 8080 --bind 127.0.0.1 --directory repo"], capture_output=True)
        subprocess.run([env.cordon, "remove", "--purge", "sensor"], capture_output=True)
        for path in taken[1:] + ["/etc/cordon/sources/example.pub"]:
            if os.path.exists(path):
                os.unlink(path)
