"""The network: every app has a network namespace of its own; the network plug without the host's
network namespace (review item 3: abstract-socket squatting).

Every app has a network namespace of its own, so its abstract Unix sockets are private; with the
network plug, its AF_INET/AF_INET6 sockets are made by cordon's supervisor in the host's namespace
and handed in (runtime/sandbox/socket_broker.h). Each test has a control: the same thing outside
the sandbox, or without the plug.
"""
import errno
import json
import http.server
import os
import socket
import subprocess
import threading
import time

import pwd

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, run_probe, Skip, ...)


def connect_abstract(name, data=b""):
    """What a host client gets when it connects to @name: 'connected' or the errno's name."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("\0" + name)
        if data:
            s.sendall(data)
        return "connected"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()


def squat(env, argv, name):
    """Runs probe_squat (argv) until it has bound @name, connects from the host, returns both views."""
    p = env.popen(argv, stdin=subprocess.PIPE)
    try:
        first = p.stdout.readline().strip()
        host = connect_abstract(name, b"secret") if first == "bind=ok" else "not bound"
        p.stdin.close()  # the probe stops waiting
        p.stdin = None   # so that communicate() does not flush it
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return first, host, facts(out), p.returncode, err


@test
def network_app_cannot_squat_a_host_abstract_name(env):
    """An app with the network plug binds an abstract name the host has not bound (as it could
    bind @/tmp/.X11-unix/X7): in its own namespace it may, but no host client ever reaches it.
    Control: the same probe outside binds it, and the host's connect arrives."""
    name = f"cordon-test-squat-{os.getpid()}-{env.name}"
    expect(connect_abstract(name) == "ECONNREFUSED", f"@{name} must be free on the host first")
    policy = env.policy("it-squat", f"[{env.probe('probe_squat')}, {name}]", "plugs: [network]\n")
    first, host, inside, rc, err = squat(env, [env.cordon, "run", policy], name)
    expect(first == "bind=ok", f"the app's own abstract namespace should let it bind: {first} {err}")
    expect(host == "ECONNREFUSED", f"a host client reached the app's socket: {host}")
    expect(rc == 0 and inside.get("accepted") == "no", f"the app accepted a host connection: exit {rc}: {inside} {err}")
    first, host, outside, rc, err = squat(env, [env.probe("probe_squat"), name], name)
    expect(first == "bind=ok" and host == "connected", f"control: outside, the host reaches it: {first} {host} {err}")
    expect(outside.get("accepted") == "yes" and outside.get("data") == "secret", f"control: {outside}")


class _TcpPong(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with c:
                c.sendall(b"pong:" + c.recv(64))


class _UdpPong(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def run(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(64)
                self.sock.sendto(b"pong:" + data, peer)
            except OSError:
                return


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello-from-host"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class LoopbackServers:
    """A TCP and a UDP echo ("pong:" + data) and an HTTP server on the host's 127.0.0.1."""

    def __enter__(self):
        self.tcp, self.udp = _TcpPong(), _UdpPong()
        self.http = http.server.HTTPServer(("127.0.0.1", 0), _Hello)
        for t in (self.tcp, self.udp, threading.Thread(target=self.http.serve_forever, daemon=True)):
            t.start()
        return self

    def __exit__(self, *exc):
        self.http.shutdown()
        self.http.server_close()
        self.tcp.sock.close()
        self.udp.sock.close()


# The app's side: each step prints key=value (or the errno's name) and goes on.
CLIENT = r'''
import errno, socket, subprocess, sys
tcp, udp, web = (int(a) for a in sys.argv[1:4])
def step(key, fn):
    try:
        print(key + "=" + fn(), flush=True)
    except OSError as e:
        print(key + "=" + errno.errorcode.get(e.errno, str(e)), flush=True)
def tcp_pong():
    with socket.create_connection(("127.0.0.1", tcp), timeout=10) as s:
        s.sendall(b"ping")
        return s.recv(64).decode()
def udp_pong():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(10)
        u.connect(("127.0.0.1", udp))  # connected: a port with no one on it answers ECONNREFUSED at once
        u.send(b"ping")
        return u.recv(64).decode()
def curl():
    r = subprocess.run(["curl", "-sS", "--max-time", "10", "http://localhost:%d/" % web], capture_output=True, text=True)
    return r.stdout or "failed:" + r.stderr.strip().replace("\n", " ")
def serve():
    with socket.socket() as l:
        l.bind(("127.0.0.1", 0))
        l.listen(1)
        l.settimeout(20)
        print("listen=%d" % l.getsockname()[1], flush=True)
        c, _ = l.accept()
        with c:
            return c.recv(64).decode()
step("tcp", tcp_pong)
step("udp", udp_pong)
step("gai", lambda: socket.getaddrinfo("localhost", tcp, socket.AF_INET, socket.SOCK_STREAM)[0][4][0])
step("gai_addrconfig", lambda: socket.getaddrinfo("localhost", tcp, socket.AF_INET, socket.SOCK_STREAM, 0,
                                                  socket.AI_ADDRCONFIG)[0][4][0])
if "client-only" not in sys.argv:
    step("curl", curl)
    step("served", serve)
'''


def client_policy(env, name, plugs="plugs: [network]\n"):
    return env.script_app(name, CLIENT, plugs)


def socket_uid(port):
    """The owner uid the host's /proc/net/tcp gives the socket listening on 127.0.0.1:port."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            if cols[1] == f"0100007F:{port:04X}" and cols[3] == "0A":
                return int(cols[7])
    return None


def serve_and_reach(env, argv):
    """Runs the client app; once it listens, connects from the host. Returns its facts, the uid that
    owns its listening socket, and its exit status and stderr."""
    p = env.popen(argv)
    lines, uid = [], None
    try:
        for line in p.stdout:
            lines.append(line)
            if line.startswith("listen="):
                port = int(line.split("=", 1)[1])
                uid = socket_uid(port)
                with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
                    c.sendall(b"hello")
                break
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return facts("".join(lines) + out), uid, p.returncode, err


@test
def network_app_reaches_the_host_loopback_and_serves_it(env):
    """TCP and UDP to servers on the host's 127.0.0.1, curl to one by name (getaddrinfo), and a
    listening socket on 127.0.0.1 that a host client reaches: the sockets are the host's. The
    listening socket is owned by the app's uid, not the supervisor's. Control: without the plug,
    the app's IP sockets are in its own namespace, where the host's servers are not."""
    with LoopbackServers() as s:
        ports = [str(s.tcp.port), str(s.udp.port), str(s.http.server_address[1])]
        policy = client_policy(env, "it-netclient")
        f, uid, rc, err = serve_and_reach(env, [env.cordon, "run", policy, "--", *ports])
        expect(rc == 0, f"exit {rc}: {f} {err}")
        expect(f.get("tcp") == "pong:ping" and f.get("udp") == "pong:ping", f"tcp/udp: {f} {err}")
        expect(f.get("gai") == "127.0.0.1" and f.get("curl") == "hello-from-host", f"getaddrinfo/curl: {f} {err}")
        # AI_ADDRCONFIG: route netlink would show only the app's lo and make glibc refuse AF_INET
        expect(f.get("gai_addrconfig") == "127.0.0.1", f"getaddrinfo(AF_INET, AI_ADDRCONFIG): {f} {err}")
        expect(f.get("served") == "hello", f"server mode: {f} {err}")
        app_uid = env.app_ids("it-netclient")[0]  # root's app: its own host ids (private_ids.h)
        expect(uid == app_uid, f"the listening socket belongs to uid {uid}, not the app's {app_uid}")
        # control: the same app without the plug reaches only its own loopback, with nothing on it
        rc, out, err = env.cordon_run(client_policy(env, "it-netclient-off", ""), *ports, "client-only")
        f = facts(out)
        expect(f.get("tcp") == "ECONNREFUSED" and f.get("udp") == "ECONNREFUSED", f"control: {out} {err}")


@test
def network_app_gets_its_sockets_with_quiet_and_complain(env):
    """--quiet answers denials in the filter, with no listener for them; the network plug's
    sockets still come through the supervisor. Likewise --complain. Control: --quiet without the
    plug reaches only the app's own loopback."""
    with LoopbackServers() as s:
        ports = [str(s.tcp.port), str(s.udp.port), str(s.http.server_address[1])]
        for opt in ("--quiet", "--complain"):
            rc, out, err = env.cordon_run_opts([opt], client_policy(env, "it-netquiet"), *ports, "client-only")
            f = facts(out)
            expect(rc == 0 and f.get("tcp") == "pong:ping" and f.get("udp") == "pong:ping", f"{opt}: exit {rc}: {out} {err}")
        rc, out, err = env.cordon_run_opts(["--quiet"], client_policy(env, "it-netquiet-off", ""), *ports, "client-only")
        expect(facts(out).get("tcp") == "ECONNREFUSED", f"control: {out} {err}")


@test
def brokered_sockets_carry_the_app_user_when_root_names_one(env):
    """Root runs the app as another user (--user): the supervisor is root with every capability,
    but the socket it makes for the app belongs to the app's user. Control: run as root, uid 0."""
    if not env.is_root:
        raise Skip("only root can run an app as another user")
    user = os.environ.get("CORDON_TEST_USER", "cordon-test")
    try:
        import pwd
        app_uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        raise Skip(f"no user {user}")
    with LoopbackServers() as s:
        ports = [str(s.tcp.port), str(s.udp.port), str(s.http.server_address[1])]
        policy = client_policy(env, "it-netuser")
        f, uid, rc, err = serve_and_reach(env, [env.cordon, "run", "--user", user, policy, "--", *ports])
        expect(rc == 0 and f.get("served") == "hello" and f.get("tcp") == "pong:ping", f"exit {rc}: {f} {err}")
        expect(uid == app_uid, f"the listening socket belongs to uid {uid}, not the app user's {app_uid}")
        f, uid, rc, err = serve_and_reach(env, [env.cordon, "run", client_policy(env, "it-netuser-root"), "--", *ports])
        own = env.app_ids("it-netuser-root")[0]  # without --user: root's app's own host ids, never 0
        expect(uid == own and f.get("served") == "hello", f"control: as root, uid {uid} (want {own}): {f} {err}")


SOCKET_THEN_WAIT = r'''
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("ready", flush=True)
sys.stdin.read()
'''

TGKILL_ZERO = "import ctypes, sys; libc = ctypes.CDLL(None, use_errno=True); " \
              "r = libc.syscall(234, int(sys.argv[1]), int(sys.argv[2]), 0); " \
              "print('ok' if r == 0 else 'errno=%d' % ctypes.get_errno())"


@test
def the_apps_user_cannot_signal_roots_socket_thread(env):
    """Root runs an app as another user with the network plug: the supervisor's thread that makes
    the app's sockets takes the app user's effective ids only, so that user's processes on the host
    can neither signal nor prlimit it (the kernel checks the target's real and saved ids; an escape
    probe stopped and starved root's supervisor through that thread). Signal 0 asks the kernel the
    permission question and sends nothing. Control: the same user may signal its own process."""
    if not env.is_root:
        raise Skip("only root can run an app as another user")
    user = os.environ.get("CORDON_TEST_USER", "cordon-test")
    app_uid = pwd.getpwnam(user).pw_uid
    policy = env.script_app("it-netthread", SOCKET_THEN_WAIT, "plugs: [network]\n")
    p = env.popen([env.cordon, "run", "--quiet", "--user", user, policy], stdin=subprocess.PIPE)
    try:
        expect(p.stdout.readline().strip() == "ready", "the app did not start")
        threads = {}
        for tid in os.listdir(f"/proc/{p.pid}/task"):
            with open(f"/proc/{p.pid}/task/{tid}/status") as f:
                uids = next(line.split()[1:] for line in f if line.startswith("Uid:"))
            threads[int(tid)] = [int(u) for u in uids]
        maker = [tid for tid, u in threads.items() if u[1] == app_uid]
        expect(len(maker) == 1, f"no thread of cordon runs with the app user's ids: {threads}")
        real, effective, saved, fs = threads[maker[0]]
        expect(real == 0 and saved == 0 and fs == app_uid, f"the socket thread's ids: {threads[maker[0]]}")
        probe = ["runuser", "-u", user, "--", "/usr/bin/python3", "-c", TGKILL_ZERO]
        out = subprocess.run(probe + [str(p.pid), str(maker[0])], capture_output=True, text=True).stdout.strip()
        expect(out == f"errno={errno.EPERM}", f"the app's user may signal root's socket thread: {out}")
        own = subprocess.Popen(["runuser", "-u", user, "--", "sleep", "5"])
        try:
            sleeper = None
            for _ in range(200):  # runuser forks sleep: wait for it to appear
                sleeper = next((c for c in descendants(own.pid) if comm(c) == "sleep"), None)
                if sleeper:
                    break
                time.sleep(0.01)
            expect(sleeper is not None, "control: the user's sleep did not start")
            out = subprocess.run(probe + [str(sleeper), str(sleeper)], capture_output=True, text=True).stdout.strip()
            expect(out == "ok", f"control: the user signals its own process: {out}")
        finally:
            own.kill()
            own.wait()
    finally:
        p.communicate(timeout=20)


RAW = r'''
import errno, socket
def step(key, *args):
    try:
        socket.socket(*args).close()
        print(key + "=ok")
    except OSError as e:
        print(key + "=" + errno.errorcode.get(e.errno, str(e)))
step("raw4", socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
step("raw6", socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
step("rawtcp", socket.AF_INET, socket.SOCK_RAW | socket.SOCK_CLOEXEC, socket.IPPROTO_TCP)
step("packet", socket.AF_PACKET, socket.SOCK_RAW, 0)
step("sockpacket", socket.AF_INET, 10, 0)  # SOCK_PACKET (obsolete; the kernel makes it AF_PACKET)
step("sctp", socket.AF_INET, socket.SOCK_STREAM, 132)
step("dgram", socket.AF_INET, socket.SOCK_DGRAM, 0)
try:
    s = socket.socket()
    s.bind(("127.0.0.1", 1))
    print("lowport=ok")
except OSError as e:
    print("lowport=" + errno.errorcode.get(e.errno, str(e)))
'''


@test
def raw_and_packet_sockets_refused_even_for_root(env):
    """The supervisor (root, every capability, when root launches) never makes a raw or packet
    socket, nor an SCTP one, and a brokered socket gives no capability: port 1 stays closed.
    Controls: a datagram socket of the same family is made inside; root outside makes them all."""
    if not env.is_root:
        raise Skip("a user makes no raw or packet socket and binds no port below 1024 outside either "
                   "(no CAP_NET_RAW, CAP_NET_BIND_SERVICE): nothing here could fail; the invariant is root's")
    policy = env.script_app("it-raw", RAW, "plugs: [network]\n")
    for opt in ([], ["--quiet"]):
        rc, out, err = env.cordon_run_opts(opt, policy)
        f = facts(out)
        expect(rc == 0 and f.get("dgram") == "ok", f"control: a datagram socket inside {opt}: exit {rc}: {out} {err}")
        for key in ("raw4", "raw6", "rawtcp", "packet", "sockpacket", "sctp"):
            expect(f.get(key) == "EPERM", f"{key} {opt}: {f.get(key)}")
        expect(f.get("lowport") == "EACCES", f"bind to port 1 {opt}: {f.get('lowport')}")
    f = facts(env.run(["/usr/bin/python3", os.path.join(env.policies, "it-raw.py")])[1])
    expect(f.get("raw4") == "ok" and f.get("packet") == "ok" and f.get("lowport") == "ok", f"control: root outside: {f}")


@test
def network_app_fails_closed_under_another_listener(env):
    """Under a filter that already holds a seccomp listener, the network plug's sockets cannot be
    handed in: cordon refuses to launch (125) rather than share the host's namespace. Control: the
    same app without the plug runs there."""
    probe = env.probe("probe_net")
    rc, out, err = env.run([env.probe("with_listener"), env.cordon, "run",
                            env.policy("it-busy-net", f"[{probe}]", "plugs: [network]\n")])
    expect(rc == 125 and "interfaces=" not in out, f"exit {rc}: {out} {err}")
    expect("cannot install the seccomp listener that hands the network plug's sockets to the app" in err, f"stderr: {err}")
    rc, out, err = env.run([env.probe("with_listener"), env.cordon, "run", env.policy("it-busy-plain", f"[{probe}]")])
    expect(rc == 0 and facts(out).get("interfaces") == "lo", f"control: without the plug: exit {rc}: {out} {err}")


@test
def network_app_cannot_join_a_host_services_reuseport_group(env):
    """The app's IP sockets are the host's and carry its user's uid: with SO_REUSEPORT it could join a
    host service's group (and with a reuseport BPF program take all its connections). setsockopt of
    SO_REUSEPORT and the reuseport programs at SOL_SOCKET is refused; the same option numbers at
    IPPROTO_IP (IP_FREEBIND is 15) still work. The control: outside, SO_REUSEPORT is set."""
    script = ("import socket, errno\n"
              "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
              "def attempt(name, level, option):\n"
              "    try:\n"
              "        s.setsockopt(level, option, 1)\n"
              "        print(name + '=ok')\n"
              "    except OSError as e:\n"
              "        print(name + '=' + errno.errorcode[e.errno])\n"
              "attempt('reuseport', socket.SOL_SOCKET, socket.SO_REUSEPORT)\n"
              "attempt('freebind', socket.IPPROTO_IP, 15)\n")
    policy = env.write_policy("it-reuseport", "schema: 1\nname: it-reuseport\nplugs: [network]\n"
                                              f"command: [/usr/bin/python3, -c, {json.dumps(script)}]\n")
    rc, out, err = env.cordon_run(policy)
    f = facts(out)
    expect(rc == 0 and f.get("reuseport") == "EPERM", f"SO_REUSEPORT was set: exit {rc}: {out} {err}")
    expect(f.get("freebind") == "ok", f"IP_FREEBIND (15 at another level) was refused: {out}")
    outside = facts(env.run(["/usr/bin/python3", "-c", script])[1])
    expect(outside.get("reuseport") == "ok", f"control: outside SO_REUSEPORT is set: {outside}")
    # without the plug too: an app with the plug could hand it a host socket over a Unix socket
    policy = env.write_policy("it-reuseport-own", "schema: 1\nname: it-reuseport-own\n"
                                                  f"command: [/usr/bin/python3, -c, {json.dumps(script)}]\n")
    rc, out, err = env.cordon_run(policy)
    expect(rc == 0 and facts(out).get("reuseport") == "EPERM", f"without the plug: exit {rc}: {out} {err}")


# ---- the core invariants of DESIGN.md ("Confinement each launch must give") -----------------

@test
def network_only_with_plug(env):
    """Every app has a network namespace of its own, with the network plug too (its IP sockets then
    come from the host's, it_review_network.py): /proc/net shows only the app's loopback. Control:
    outside, the host's interfaces."""
    inside = run_probe(env, "it-net", "probe_net")
    expect(inside["interfaces"] == "lo", f"without the network plug: {inside['interfaces']}")
    with_plug = run_probe(env, "it-net-plug", "probe_net", extra="plugs: [network]\n")
    expect(with_plug["interfaces"] == "lo", f"with the network plug: {with_plug['interfaces']}")
    outside = run_outside(env, "probe_net")
    if outside["interfaces"] == "lo":
        raise Skip("control needs a host with a network interface besides lo")
    expect("lo" in outside["interfaces"].split(","), outside["interfaces"])


@test
def host_abstract_sockets_unreachable_with_the_network_plug(env):
    """The host's abstract Unix sockets (X11's) are out of reach of an app with the network plug:
    it has a network namespace of its own, and with it its own abstract socket namespace, on any
    kernel: /proc/net/unix inside does not even list the host's name (Landlock's scope, where the
    kernel has it, would refuse the connect too, but not hide the name)."""
    import socket as sock
    name = f"cordon-it-abstract-{env.name}"
    listener = sock.socket(sock.AF_UNIX)
    listener.bind("\0" + name)
    listener.listen(4)
    try:
        code = ("import socket; s = socket.socket(socket.AF_UNIX)\n"
                "try:\n s.connect(chr(0) + '" + name + "'); print('host=connected')\n"
                "except OSError as e: print('host=refused')\n"
                "print('listed=' + str('@" + name + "' in open('/proc/net/unix').read()))\n"
                "a = socket.socket(socket.AF_UNIX); a.bind(chr(0) + 'inside'); a.listen(1)\n"
                "b = socket.socket(socket.AF_UNIX); b.connect(chr(0) + 'inside'); print('own=connected')\n")
        policy = env.script_app("it-abstract", code, "plugs: [network]\n")
        rc, out, err = env.cordon_run(policy)
        f = facts(out)
        expect(rc == 0 and f.get("own") == "connected", f"the app's own abstract socket must work: exit {rc}: {out} {err}")
        expect(f.get("host") == "refused", f"a host abstract socket was reachable: {out}")
        expect(f.get("listed") == "False", f"the host's abstract name is visible inside: {out}")
        rc, out, err = env.run(["/usr/bin/python3", os.path.join(env.policies, "it-abstract.py")])
        expect(facts(out).get("host") == "connected", f"control: outside it connects: {out} {err}")
        expect(facts(out).get("listed") == "True", f"control: outside the name is listed: {out} {err}")
    finally:
        listener.close()
