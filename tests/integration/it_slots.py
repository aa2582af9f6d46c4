"""App-to-app slots (docs/slots.md): a provider offers a socket or a directory of its $APP_DATA; a
consumer that plugs PROVIDER:SLOT reaches exactly that once the owner connects it, and nothing
else of the provider; what the provider puts at the slot's path is checked at every launch (a link
or another kind of file is refused)."""
import os
import shutil

from harness import *  # noqa: F401,F403

PROVIDER = r'''
import os, socket, sys
data = os.environ["HOME"]  # $APP_DATA (no home plug)
mode = sys.argv[1]
os.makedirs(data + "/run", exist_ok=True)
os.makedirs(data + "/exports", exist_ok=True)
with open(data + "/secret", "w") as f:
    f.write("provider-secret\n")
with open(data + "/exports/report.txt", "w") as f:
    f.write("report\n")
os.chmod(data + "/exports", 0o777)
os.chmod(data + "/exports/report.txt", 0o666)
path = data + "/run/db.sock"
if os.path.lexists(path):
    os.unlink(path) if not os.path.isdir(path) or os.path.islink(path) else os.rmdir(path)
if mode == "link":
    os.symlink("/etc/passwd", path)
    print("ready", flush=True)
    sys.exit(0)
if mode == "dir":
    os.mkdir(path)
    print("ready", flush=True)
    sys.exit(0)
s = socket.socket(socket.AF_UNIX)
s.bind(path)
os.chmod(path, 0o777)  # root's apps run as host ids of their own: the provider opens it to the consumer
s.listen(1)
print("ready", flush=True)
if mode == "serve":
    s.settimeout(30)
    c, _ = s.accept()
    print("got=" + c.recv(64).decode(), flush=True)
'''

CONSUMER = r'''
import errno, os, socket, sys
def step(key, fn):
    try:
        print(key + "=" + fn(), flush=True)
    except OSError as e:
        print(key + "=" + errno.errorcode.get(e.errno, str(e)), flush=True)
def send():
    with socket.socket(socket.AF_UNIX) as s:
        s.connect("/run/slots/it-slot-prov/db")
        s.sendall(b"hello-provider")
        return "ok"
def listing():
    return ",".join(sorted(os.listdir("/run/slots/it-slot-prov")))
def read(path):
    with open(path) as f:
        return f.read().strip()
def write(path):
    with open(path, "w") as f:
        f.write("x")
    return "ok"
data = sys.argv[1]
step("send", send)
step("listing", listing)
step("secret", lambda: read(data + "/secret"))
step("report", lambda: read("/run/slots/it-slot-prov/exports/report.txt"))
step("write", lambda: write("/run/slots/it-slot-prov/exports/new.txt"))
'''


def apps(env, consumer_plugs):
    """The provider and the consumer, in a folder of their own on CORDON_POLICY_PATH."""
    folder = os.path.join(env.root, f"slot-apps-{env.name}")
    os.makedirs(folder, exist_ok=True)
    os.chmod(folder, 0o755)
    for name, code in (("it-slot-prov", PROVIDER), ("it-slot-cons", CONSUMER)):
        with open(os.path.join(folder, name + ".py"), "w") as f:
            f.write(code)
    slots = "slots:\n  - db: {socket: $APP_DATA/run/db.sock}\n  - exports: {directory: $APP_DATA/exports}\n"
    write_app(folder, "it-slot-prov", f"command: [/usr/bin/python3, {folder}/it-slot-prov.py]\n"
                                       f"filesystem:\n  read-only: [{folder}]\n{slots}")
    write_app(folder, "it-slot-cons", f"command: [/usr/bin/python3, {folder}/it-slot-cons.py]\n"
                                       f"filesystem:\n  read-only: [{folder}]\nplugs:\n{consumer_plugs}")
    for f in os.listdir(folder):
        os.chmod(os.path.join(folder, f), 0o644)
    return folder


def write_app(folder, name, body):
    with open(os.path.join(folder, name + ".yaml"), "w") as f:
        f.write(f"schema: 1\nname: {name}\n{body}")


def cordon(env, folder, *argv):
    return env.run(["env", f"CORDON_POLICY_PATH={folder}", env.cordon, *argv])


def provider(env, folder, mode):
    """Starts the provider app in `mode` and waits until it has made its slot."""
    p = env.popen(["env", f"CORDON_POLICY_PATH={folder}", env.cordon, "run", "it-slot-prov", "--", mode])
    line = p.stdout.readline().strip()
    expect(line == "ready", f"the provider did not start: {line} {p.stderr.read() if p.poll() is not None else ''}")
    return p


@test
def a_connected_slot_reaches_the_providers_socket_and_nothing_else(env):
    """Unconnected, the consumer sees no slot. Connected: its message reaches the provider through
    the socket; /run/slots/PROVIDER shows that socket only (the directory slot is not plugged); the
    provider's other data is out of reach. Control: the provider's secret is there on the host."""
    folder = apps(env, "  - it-slot-prov:db\n")
    data = env.data_dir("it-slot-prov")
    p = provider(env, folder, "listen")
    p.wait(timeout=30)
    rc, out, err = cordon(env, folder, "run", "it-slot-cons", "--", data)
    f = facts(out)
    expect(f.get("send") == "ENOENT" and "not connected" in err, f"unconnected: {out} {err}")
    rc, out, err = cordon(env, folder, "connect", "it-slot-cons", "it-slot-prov:db")
    expect(rc == 0, f"connect: exit {rc}: {out} {err}")
    p = provider(env, folder, "serve")
    try:
        rc, out, err = cordon(env, folder, "run", "it-slot-cons", "--", data)
        f = facts(out)
        served, _ = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    expect(f.get("send") == "ok" and "got=hello-provider" in served, f"the slot: {out} {err} {served}")
    expect(f.get("listing") == "db", f"more than the slot: {out}")
    expect(f.get("secret") in ("ENOENT", "EACCES") and f.get("report") == "ENOENT", f"the provider's data: {out}")
    with open(os.path.join(data, "secret")) as fh:
        expect(fh.read() == "provider-secret\n", "control: the secret is on the host")


@test
def a_directory_slot_is_read_only_unless_offered_writable(env):
    """The exports directory slot: the consumer reads the provider's report and cannot write there."""
    folder = apps(env, "  - it-slot-prov:exports\n")
    data = env.data_dir("it-slot-prov")
    provider(env, folder, "listen").wait(timeout=30)
    rc, out, err = cordon(env, folder, "connect", "it-slot-cons", "it-slot-prov:exports")
    expect(rc == 0, f"connect: exit {rc}: {err}")
    rc, out, err = cordon(env, folder, "run", "it-slot-cons", "--", data)
    f = facts(out)
    expect(f.get("report") == "report", f"read: {out} {err}")
    expect(f.get("write") in ("EROFS", "EACCES") and not os.path.exists(os.path.join(data, "exports/new.txt")),
           f"write: {out}")


@test
def a_slot_replaced_by_a_link_or_another_kind_is_refused(env):
    """The provider puts a symbolic link to /etc/passwd, then a directory, where its socket was: the
    consumer's launch is refused (exit 125, nothing runs) instead of binding what the link names or
    what is there now. Control: with the socket back, the launch runs."""
    folder = apps(env, "  - it-slot-prov:db\n")
    data = env.data_dir("it-slot-prov")
    provider(env, folder, "listen").wait(timeout=30)
    rc, out, err = cordon(env, folder, "connect", "it-slot-cons", "it-slot-prov:db")
    expect(rc == 0, f"connect: exit {rc}: {err}")
    for mode in ("link", "dir"):
        provider(env, folder, mode).wait(timeout=30)
        rc, out, err = cordon(env, folder, "run", "it-slot-cons", "--", data)
        expect(rc == 125 and not out and "slot db of it-slot-prov" in err, f"{mode}: exit {rc}: {out} {err}")
    provider(env, folder, "listen").wait(timeout=30)
    rc, out, err = cordon(env, folder, "run", "it-slot-cons", "--", data)
    expect(rc == 0 and facts(out).get("listing") == "db", f"control: exit {rc}: {out} {err}")
