"""The dbus interface (docs/interfaces.md "dbus"): the app never gets the bus, only a filtering
xdg-dbus-proxy's socket, through which it sees and calls the names `talk` lists and no other.
Stand-in: a private dbus-daemon (session type) in a folder of the test's, with two echo services
(dbus-test-tool echo) named com.example.Talk and com.example.Hidden. Root's own uid-0 app gets no
bus (it would speak to the bus as uid 0); root's runs use --user."""
import contextlib
import os
import shutil
import subprocess
import tempfile
import time

from harness import *  # noqa: F401,F403

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={path}</listen>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

CALLS = ("dbus-send --session --print-reply --dest=com.example.Talk / com.example.Echo.Ping >/dev/null 2>&1 "
         "&& echo talk=ok || echo talk=no; "
         "dbus-send --session --print-reply --dest=com.example.Hidden / com.example.Echo.Ping >/dev/null 2>&1 "
         "&& echo hidden=ok || echo hidden=no")


def needed_tools():
    for tool in ("xdg-dbus-proxy", "dbus-daemon", "dbus-test-tool", "dbus-send"):
        if not shutil.which(tool, path="/usr/bin:/bin:/usr/local/bin"):
            raise Skip(f"{tool} is not installed (scripts/install-deps.sh installs it)")


@contextlib.contextmanager
def private_bus(env):
    """A session bus of the mode's user, with the two echo services on it; yields its address."""
    folder = tempfile.mkdtemp(prefix="cordon-it-bus-")
    os.chmod(folder, 0o755)
    user = env.pw if not env.is_root else pwd.getpwnam(os.environ.get("CORDON_TEST_USER", "cordon-test"))
    os.chown(folder, user.pw_uid, user.pw_gid)
    bus = os.path.join(folder, "bus")
    config = os.path.join(folder, "bus.conf")
    with open(config, "w") as f:
        f.write(CONFIG.format(path=bus))
    os.chmod(config, 0o644)
    as_user = ["runuser", "-u", user.pw_name, "--"]
    procs = [subprocess.Popen(as_user + ["dbus-daemon", "--config-file=" + config, "--nofork"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(100):
            if os.path.exists(bus):
                break
            time.sleep(0.05)
        address = "unix:path=" + bus
        for name in ("com.example.Talk", "com.example.Hidden"):
            procs.append(subprocess.Popen(as_user + ["env", "DBUS_SESSION_BUS_ADDRESS=" + address, "dbus-test-tool",
                                                     "echo", "--session", "--name=" + name],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.5)
        yield address
    finally:
        for p in procs:
            p.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=5)
        shutil.rmtree(folder, ignore_errors=True)


def bus_app(env, name):
    return env.write_policy(name, f"schema: 1\nname: {name}\ncommand: [/bin/sh, -c, '{CALLS}']\n"
                                  "plugs:\n  - dbus: {talk: com.example.Talk}\n")


def run_on_bus(env, address, policy, user_option=True):
    options = ["--user", os.environ.get("CORDON_TEST_USER", "cordon-test")] if env.is_root and user_option else []
    return env.run(["env", "DBUS_SESSION_BUS_ADDRESS=" + address, env.cordon, "run", *options, policy])


@test
def dbus_reaches_the_names_it_may_talk_to_and_no_other(env):
    """Unconnected, the app has no bus. Connected: com.example.Talk answers through the proxy and
    com.example.Hidden does not exist for the app; no proxy or folder is left after the run.
    Control: outside, both answer on the same bus."""
    needed_tools()
    with private_bus(env) as address:
        policy = bus_app(env, "it-dbus-talk")
        rc, out, err = run_on_bus(env, address, policy)
        f = facts(out)
        expect(f.get("talk") == "no" and "not connected" in err, f"unconnected: {out} {err}")
        rc, out, err = env.run([env.cordon, "connect", policy, "dbus"])
        expect(rc == 0, f"connect: exit {rc}: {err}")
        rc, out, err = run_on_bus(env, address, policy)
        f = facts(out)
        expect(rc == 0 and f.get("talk") == "ok" and f.get("hidden") == "no", f"connected: exit {rc}: {out} {err}")
        leftover = [p for p in os.listdir("/tmp") if p.startswith("cordon-dbus-")]
        expect(not leftover, f"proxy folders left: {leftover}")
        outside = subprocess.run(["sh", "-c", CALLS], capture_output=True, text=True,
                                 env={"PATH": "/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": address})
        expect(facts(outside.stdout).get("hidden") == "ok", f"control, outside: {outside.stdout} {outside.stderr}")


@test
def roots_own_uid0_app_gets_no_bus(env):
    """Root's app running as uid 0 would speak to the bus as uid 0: the launch is refused, saying to
    run it with --user. Control: the same app with --user reaches com.example.Talk (the test above)."""
    if not env.is_root:
        raise Skip("only root runs an app as uid 0 with ids of its own")
    needed_tools()
    with private_bus(env) as address:
        policy = bus_app(env, "it-dbus-root")
        rc, out, err = env.run([env.cordon, "connect", policy, "dbus"])
        expect(rc == 0, f"connect: exit {rc}: {err}")
        rc, out, err = run_on_bus(env, address, policy, user_option=False)
        expect(rc == 125 and not out and "--user" in err, f"uid 0: exit {rc}: {out} {err}")
