"""The network narrowed to TCP ports (docs/interfaces.md "network", "network-bind"): a plug that
names connect-ports or bind-ports gets TCP to and on those ports and nothing else of the network
(no UDP, no other port), enforced by Landlock's network rules; names are resolved over TCP. Where
the kernel cannot enforce it, `cordon run` refuses unless the plug says best-effort. Each test has
its control: the whole network plug reaches what the filtered one may not."""
import errno
import os
import socket
import struct
import subprocess
import tempfile
import threading

from harness import *  # noqa: F401,F403

APP = r'''
import errno, socket, sys
def step(key, fn):
    try:
        print(key + "=" + fn(), flush=True)
    except OSError as e:
        print(key + "=" + errno.errorcode.get(e.errno, str(e)), flush=True)
def tcp(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"ping")
        return s.recv(64).decode()
def udp(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(10)
        u.connect(("127.0.0.1", port))
        u.send(b"ping")
        return u.recv(64).decode()
def bind(port):
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        return "ok"
def serve(port):
    with socket.socket() as l:
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(("127.0.0.1", port))
        l.listen(1)
        print("listening=yes", flush=True)
        l.settimeout(20)
        c, _ = l.accept()
        with c:
            return c.recv(64).decode()
def fast_open(port):
    with socket.socket() as s:  # TCP Fast Open: sendto() connects without connect()
        s.sendto(b"ping", socket.MSG_FASTOPEN, ("127.0.0.1", port))
        s.settimeout(10)
        return s.recv(64).decode()
def listen_unbound(family):
    with socket.socket(socket.AF_INET6 if family == 6 else socket.AF_INET) as s:
        s.listen(1)  # no bind(): the kernel would pick an ephemeral port on every address
        return "port-%d" % s.getsockname()[1]
def listen_bound(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(1)
        return "ok"
for arg in sys.argv[1:]:
    what, port = arg.split(":")
    if what in ("fastopen", "listen0", "listenbound"):
        step(what + port, lambda: {"fastopen": fast_open, "listen0": listen_unbound, "listenbound": listen_bound}[what](int(port)))
        continue
    if what == "resolve":
        step("resolve", lambda: socket.gethostbyname("it-dns.example"))
        continue
    step(what + port, lambda: {"tcp": tcp, "udp": udp, "bind": bind, "serve": serve}[what](int(port)))
'''


class Pong(threading.Thread):
    """A TCP or UDP echo ("pong:" + data) on the host's 127.0.0.1 (or `address`:`port`)."""

    def __init__(self, kind=socket.SOCK_STREAM, address="127.0.0.1", port=0):
        super().__init__(daemon=True)
        self.kind = kind
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        if kind == socket.SOCK_STREAM:
            self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.start()

    def run(self):
        while True:
            try:
                if self.kind == socket.SOCK_DGRAM:
                    data, peer = self.sock.recvfrom(64)
                    self.sock.sendto(b"pong:" + data, peer)
                    continue
                c, _ = self.sock.accept()
            except OSError:
                return
            with c:
                self.answer(c)

    def answer(self, c):
        c.sendall(b"pong:" + c.recv(64))

    def close(self):
        self.sock.close()


class TcpDns(Pong):
    """A name server over TCP only: every A query is answered 10.1.2.3. A resolver that asked over
    UDP would get nothing, so an answer proves the question came over TCP."""

    def answer(self, c):
        size = struct.unpack("!H", c.recv(2))[0]
        query = b""
        while len(query) < size:
            query += c.recv(size - len(query))
        end = query.index(b"\0", 12) + 5  # the question: name, type, class
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([10, 1, 2, 3])
        reply = query[:2] + b"\x81\x80" + struct.pack("!HHHH", 1, 1, 0, 0) + query[12:end] + answer
        c.sendall(struct.pack("!H", len(reply)) + reply)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app(env, name, plugs):
    return env.script_app(name, APP, f"plugs:\n{plugs}")


def run_with(env, variables, policy, *args):
    pairs = [f"{k}={v}" for k, v in variables.items()]
    return env.run(["env", *pairs, env.cordon, "run", policy, "--", *args])


@test
def connect_ports_reach_only_those_ports(env):
    """connect-ports: [A]: A answers; B, a TCP server beside it, is refused (EACCES, Landlock); a UDP
    socket is not made (EPERM); binding a port is refused. Control: the whole network plug reaches
    B and the UDP echo."""
    a, b, u = Pong(), Pong(), Pong(socket.SOCK_DGRAM)
    try:
        spare = free_port()
        args = [f"tcp:{a.port}", f"tcp:{b.port}", f"udp:{u.port}", f"bind:{spare}"]
        rc, out, err = env.cordon_run(app(env, "it-ports-connect", f"  - network: {{connect-ports: [{a.port}]}}\n"), *args)
        f = facts(out)
        expect(rc == 0 and f.get(f"tcp{a.port}") == "pong:ping", f"the named port: exit {rc}: {out} {err}")
        expect(f.get(f"tcp{b.port}") == "EACCES", f"another port: {out} {err}")
        expect(f.get(f"udp{u.port}") == "EPERM" and f.get(f"bind{spare}") == "EACCES", f"udp and bind: {out} {err}")
        rc, out, err = env.cordon_run(app(env, "it-ports-whole", "  - network\n"), *args)
        f = facts(out)
        expect(f.get(f"tcp{b.port}") == "pong:ping" and f.get(f"udp{u.port}") == "pong:ping" and
               f.get(f"bind{spare}") == "ok", f"control, the whole network: {out} {err}")
    finally:
        for s in (a, b, u):
            s.close()


@test
def bind_ports_listen_only_there(env):
    """network-bind with bind-ports: [P]: the app listens on P and a host client reaches it; binding
    Q is refused, and so is connecting out (network-bind is a server only). Control: the whole
    network plug binds Q."""
    a = Pong()
    p, q = free_port(), free_port()
    try:
        policy = app(env, "it-ports-bind", f"  - network-bind: {{bind-ports: [{p}]}}\n")
        proc = env.popen([env.cordon, "run", policy, "--", f"bind:{q}", f"tcp:{a.port}", f"serve:{p}"])
        lines = []
        try:
            for line in proc.stdout:
                lines.append(line)
                if line.startswith("listening=yes"):
                    with socket.create_connection(("127.0.0.1", p), timeout=10) as c:
                        c.sendall(b"hello")
                    break
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        f = facts("".join(lines) + out)
        expect(f.get(f"serve{p}") == "hello", f"the named port serves: {f} {err}")
        expect(f.get(f"bind{q}") == "EACCES" and f.get(f"tcp{a.port}") == "EACCES", f"other port, connect: {f} {err}")
        rc, out, err = env.cordon_run(app(env, "it-ports-bind-whole", "  - network\n"), f"bind:{q}")
        expect(facts(out).get(f"bind{q}") == "ok", f"control: {out} {err}")
    finally:
        a.close()


@test
def names_resolve_over_tcp_with_ports(env):
    """With connect-ports the app's resolv.conf says use-vc and port 53 is allowed: a name resolves
    against a TCP-only name server (a stand-in on 127.0.0.153:53, made the host's resolv.conf inside
    a private mount namespace for this run). Control: without use-vc (the whole network plug, which
    asks over UDP first), the TCP-only server gives no answer."""
    try:
        dns = TcpDns(address="127.0.0.153", port=53)
    except OSError as e:
        raise Skip(f"cannot listen on 127.0.0.153:53 for the stand-in name server: {e}")
    conf = tempfile.NamedTemporaryFile("w", prefix="cordon-it-resolv-", suffix=".conf", delete=False)
    try:
        conf.write("nameserver 127.0.0.153\noptions timeout:2 attempts:1\n")
        conf.close()
        os.chmod(conf.name, 0o644)

        def run(policy):
            inner = env.command([env.cordon, "run", policy, "--", "resolve:0"])
            argv = ["unshare", "-m", "sh", "-c", f"mount --bind {conf.name} /etc/resolv.conf && exec \"$@\"", "sh", *inner]
            r = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                               env=None if env.user and not env.is_root else env.environ())
            return r.returncode, r.stdout, r.stderr

        rc, out, err = run(app(env, "it-ports-dns", "  - network: {connect-ports: [443]}\n"))
        expect(rc == 0 and facts(out).get("resolve") == "10.1.2.3", f"over TCP: exit {rc}: {out} {err}")
        rc, out, err = run(app(env, "it-ports-dns-udp", "  - network\n"))
        expect(facts(out).get("resolve") != "10.1.2.3", f"control: a UDP resolver got the TCP-only answer: {out} {err}")
    finally:
        dns.close()
        os.unlink(conf.name)


@test
def ports_are_refused_where_the_kernel_cannot_filter_them(env):
    """A kernel without Landlock's network rules (ABI < 4; this test build caps the ABI it detects
    with CORDON_LANDLOCK_ABI=3): strict refuses to run (exit 125, the reason named, nothing run);
    best-effort runs with TCP only, its ports not enforced. Control: the same policy on this kernel
    is enforced."""
    probe = env.run(["env", "CORDON_LANDLOCK_ABI=3", env.cordon, "explain",
                     app(env, "it-ports-probe", "  - network: {connect-ports: [443]}\n")])
    if "Landlock ABI 3" not in probe[1]:
        raise Skip("this build has no CORDON_LANDLOCK_ABI seam (a test build has it)")
    a, b, u = Pong(), Pong(), Pong(socket.SOCK_DGRAM)
    try:
        args = [f"tcp:{a.port}", f"tcp:{b.port}", f"udp:{u.port}"]
        strict = app(env, "it-ports-strict", f"  - network: {{connect-ports: [{a.port}]}}\n")
        rc, out, err = run_with(env, {"CORDON_LANDLOCK_ABI": "3"}, strict, *args)
        expect(rc == 125 and "Landlock" in err and "best-effort" in err and not out, f"strict: exit {rc}: {out} {err}")
        loose = app(env, "it-ports-loose", f"  - network: {{connect-ports: [{a.port}], enforcement: best-effort}}\n")
        rc, out, err = run_with(env, {"CORDON_LANDLOCK_ABI": "3"}, loose, *args)
        f = facts(out)
        expect(rc == 0 and f.get(f"tcp{b.port}") == "pong:ping" and f.get(f"udp{u.port}") == "EPERM",
               f"best-effort: exit {rc}: {out} {err}")
        rc, out, err = env.cordon_run(loose, *args)
        expect(facts(out).get(f"tcp{b.port}") == "EACCES", f"control, on this kernel: {out} {err}")
    finally:
        for s in (a, b, u):
            s.close()


@test
def no_way_around_the_port_rules_by_fast_open_or_an_unbound_listen(env):
    """Two ways around Landlock's connect and bind rules, found by an escape probe: sendto() with
    MSG_FASTOPEN connects without connect(), and listen() on a socket never bound takes an
    ephemeral port on every address without bind(). With ports named, both are refused (EPERM by
    the filter, EACCES by the supervisor), while listening on a named port still works. Control:
    the whole network plug does both."""
    b = Pong()
    p = free_port()
    try:
        args = [f"fastopen:{b.port}", "listen0:4", "listen0:6", f"listenbound:{p}"]
        rc, out, err = env.cordon_run(app(env, "it-ports-tfo", f"  - network: {{connect-ports: [443], bind-ports: [{p}]}}\n"), *args)
        f = facts(out)
        expect(rc == 0 and f.get(f"fastopen{b.port}") == "EPERM", f"fast open: exit {rc}: {out} {err}")
        expect(f.get("listen04") == "EACCES" and f.get("listen06") == "EACCES", f"listen unbound: {out} {err}")
        expect(f.get(f"listenbound{p}") == "ok", f"listen on the named port: {out} {err}")
        rc, out, err = env.cordon_run(app(env, "it-ports-tfo-whole", "  - network\n"), *args)
        f = facts(out)
        expect(f.get(f"fastopen{b.port}") == "pong:ping" and f.get("listen04", "").startswith("port-"),
               f"control, the whole network: {out} {err}")
    finally:
        b.close()
