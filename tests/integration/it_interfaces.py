"""The interface catalogue (docs/interfaces.md): for each interface, that the grant works and that
nothing more is granted, each with its stand-in for hardware or services this machine may lack:
- serial-port, i2c, spi, gpio, camera, opengl, raw-usb: a pty, its slave bound at /dev/ttyUSB77,
  /dev/i2c-77, /dev/video77, /dev/dri/renderD128, /dev/bus/usb/077/001 ...
  in a private mount namespace of the test (a character device, as the real ones are: device
  nodes are bound read-only, which stops chmod on the host's node, not reading and writing it);
- audio-playback, audio-record, wayland: a fake runtime directory ($XDG_RUNTIME_DIR) with listening sockets;
- system-observe: the host's /sys/block, read-only.
The stand-ins are bound in a mount namespace of the test's own (unshare -m), so the host's /dev
gains only empty placeholder files for the run (removed after it)."""
import contextlib
import os
import shutil
import socket
import tempfile
import threading

from harness import *  # noqa: F401,F403
from standins import PROBE, files_in_a_users_home, in_private_mounts, owned_by_mode_user, stand_in_devices

def probe_app(env, name, plugs):
    return env.script_app(name, PROBE, f"plugs:\n{plugs}" if plugs else "")


@test
def serial_port_grants_its_one_port(env):
    """serial-port with path /dev/ttyUSB77 (stand-in: a pty's slave): the app's bytes arrive at the
    pty master. Limits: /dev/ttyUSB78 (bound the same way, not granted) is not there, and a path
    that is not a serial node (/dev/sda) is refused by `cordon check`. Control: the same write
    outside reaches the master."""
    with stand_in_devices(env, 2) as devices:
        (master, name), (master2, name2) = devices
        policy = probe_app(env, "it-if-serial", "  - serial-port: {path: /dev/ttyUSB77}\n")
        rc, out, err = in_private_mounts(env, [(name, "/dev/ttyUSB77"), (name2, "/dev/ttyUSB78")],
                                         [env.cordon, "run", policy, "--", "write:/dev/ttyUSB77", "exists:/dev/ttyUSB78"])
        f = facts(out)
        expect(rc == 0 and f.get("write:/dev/ttyUSB77") == "ok", f"the port: exit {rc}: {out} {err}")
        expect(os.read(master, 64).startswith(b"hello"), "the bytes did not reach the pty master")
        expect(f.get("exists:/dev/ttyUSB78") == "ENOENT", f"another port is there: {out}")
        bad = env.write_policy("it-if-serial-bad", "schema: 1\nname: it-if-serial-bad\ncommand: [/bin/true]\n"
                               "plugs:\n  - serial-port: {path: /dev/sda}\n")
        rc, out, err = env.run([env.cordon, "check", bad])
        expect(rc == 1 and "must match" in err, f"/dev/sda as a serial port: exit {rc}: {err}")
        rc, out, err = in_private_mounts(env, [(name2, "/dev/ttyUSB78")],
                                         ["/usr/bin/python3", env.policies + "/it-if-serial.py", "write:/dev/ttyUSB78"])
        expect(facts(out).get("write:/dev/ttyUSB78") == "ok" and os.read(master2, 64).startswith(b"hello"),
               f"control, outside: {out} {err}")


@test
def i2c_grants_its_one_bus(env):
    """i2c with bus 77 (stand-in: a pty slave at /dev/i2c-77): the app's bytes reach it. Limit: bus
    78 is not there. Control: outside, bus 78's stand-in takes the write."""
    with stand_in_devices(env, 2) as devices:
        (master, name), (master2, name2) = devices
        policy = probe_app(env, "it-if-i2c", "  - i2c: {bus: 77}\n")
        binds = [(name, "/dev/i2c-77"), (name2, "/dev/i2c-78")]
        rc, out, err = in_private_mounts(env, binds, [env.cordon, "run", policy, "--", "write:/dev/i2c-77", "write:/dev/i2c-78"])
        f = facts(out)
        expect(rc == 0 and f.get("write:/dev/i2c-77") == "ok" and os.read(master, 64).startswith(b"hello"),
               f"bus 77: {out} {err}")
        expect(f.get("write:/dev/i2c-78") == "ENOENT", f"bus 78: {out}")
        rc, out, err = in_private_mounts(env, binds, ["/usr/bin/python3", env.policies + "/it-if-i2c.py", "write:/dev/i2c-78"])
        expect(facts(out).get("write:/dev/i2c-78") == "ok", f"control, outside: {out} {err}")


@test
def camera_is_manual_and_grants_its_one_device(env):
    """camera (manual) with device 77 (stand-in: a pty slave at /dev/video77): nothing until the
    owner connects it, then the device and not /dev/video78."""
    with stand_in_devices(env, 2) as devices:
        (master, name), (master2, name2) = devices
        policy = probe_app(env, "it-if-camera", "  - camera: {device: 77}\n")
        binds = [(name, "/dev/video77"), (name2, "/dev/video78")]
        argv = [env.cordon, "run", policy, "--", "write:/dev/video77", "exists:/dev/video78"]
        rc, out, err = in_private_mounts(env, binds, argv)
        expect(facts(out).get("write:/dev/video77") == "ENOENT" and "not connected" in err, f"unconnected: {out} {err}")
        rc, out, err = env.run([env.cordon, "connect", policy, "camera:device=77"])
        expect(rc == 0, f"connect: exit {rc}: {err}")
        rc, out, err = in_private_mounts(env, binds, argv)
        f = facts(out)
        expect(f.get("write:/dev/video77") == "ok" and f.get("exists:/dev/video78") == "ENOENT", f"connected: {out} {err}")


class Listener(threading.Thread):
    """A Unix socket server at `path` that records what its clients send."""

    def __init__(self, path, owner):
        super().__init__(daemon=True)
        self.path, self.got = path, []
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        os.chown(path, owner.pw_uid, owner.pw_gid)
        os.chmod(path, 0o777)  # a socket's mode decides who may connect; its folder guards it
        self.sock.listen(4)
        self.sock.settimeout(30)
        self.start()

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with c:
                self.got.append(c.recv(64))


@contextlib.contextmanager
def fake_runtime_dir(env, *sockets):
    """A runtime directory of the mode's user with a listener at each relative path in `sockets`."""
    root = tempfile.mkdtemp(prefix="cordon-it-runtime-")
    listeners = {}
    try:
        for rel in sockets:
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        for dirpath, _, _ in os.walk(root):
            os.chmod(dirpath, 0o700)
            owned_by_mode_user(env, dirpath)  # root's app: its own host ids, so open to all
        for rel in sockets:
            listeners[rel] = Listener(os.path.join(root, rel), env.pw)
        yield root, listeners
    finally:
        for l in listeners.values():
            l.sock.close()
        shutil.rmtree(root, ignore_errors=True)


@test
def audio_playback_reaches_the_sound_server_and_nothing_else(env):
    """audio-playback in a fake runtime directory with pulse/native, pipewire-0 and a D-Bus socket
    `bus`: the app connects to the first two (PULSE_SERVER names pulse's); the bus is not there.
    Control: without the plug, neither sound socket is."""
    with fake_runtime_dir(env, "pulse/native", "pipewire-0", "bus") as (runtime, listeners):
        args = [f"connect:{runtime}/pulse/native", f"connect:{runtime}/pipewire-0", f"exists:{runtime}/bus", "env:PULSE_SERVER"]
        rc, out, err = env.run(["env", f"XDG_RUNTIME_DIR={runtime}", env.cordon, "run",
                                probe_app(env, "it-if-audio", "  - audio-playback\n"), "--", *args])
        f = facts(out)
        expect(rc == 0 and f.get(f"connect:{runtime}/pulse/native") == "ok" and f.get(f"connect:{runtime}/pipewire-0") == "ok",
               f"the sound sockets: exit {rc}: {out} {err}")
        expect(f.get(f"exists:{runtime}/bus") == "ENOENT", f"the bus socket is there: {out}")
        expect(f.get("PULSE_SERVER") == f"unix:{runtime}/pulse/native", f"PULSE_SERVER: {out}")
        rc, out, err = env.run(["env", f"XDG_RUNTIME_DIR={runtime}", env.cordon, "run",
                                probe_app(env, "it-if-audio-off", ""), "--", *args])
        expect(facts(out).get(f"connect:{runtime}/pulse/native") == "ENOENT", f"control, no plug: {out} {err}")


@test
def audio_record_is_manual_and_reaches_the_sound_server_once_connected(env):
    """audio-record (manual) in a fake runtime directory with pulse/native and a D-Bus socket
    `bus`: nothing until the owner connects it (the control); then the sound socket takes a
    connection, PULSE_SERVER names it, and the bus is still not there."""
    with fake_runtime_dir(env, "pulse/native", "pipewire-0", "bus") as (runtime, listeners):
        args = [f"connect:{runtime}/pulse/native", f"exists:{runtime}/bus", "env:PULSE_SERVER"]
        policy = probe_app(env, "it-if-record", "  - audio-record\n")
        argv = ["env", f"XDG_RUNTIME_DIR={runtime}", env.cordon, "run", policy, "--", *args]
        rc, out, err = env.run(argv)
        expect(facts(out).get(f"connect:{runtime}/pulse/native") == "ENOENT" and "not connected" in err,
               f"unconnected: {out} {err}")
        rc, out, err = env.run([env.cordon, "connect", policy, "audio-record"])
        expect(rc == 0, f"connect: exit {rc}: {err}")
        rc, out, err = env.run(argv)
        f = facts(out)
        expect(rc == 0 and f.get(f"connect:{runtime}/pulse/native") == "ok" and
               f.get("PULSE_SERVER") == f"unix:{runtime}/pulse/native", f"connected: exit {rc}: {out} {err}")
        expect(f.get(f"exists:{runtime}/bus") == "ENOENT", f"the bus socket is there: {out}")


@test
def opengl_grants_render_nodes_and_not_the_card(env):
    """opengl (stand-in: pty slaves bound at /dev/dri/renderD128 and /dev/dri/card77 in the test's
    mount namespace): the render node takes a write, the card node (display control) is not there.
    Control: without the plug, the render node is not there either."""
    dri = "/dev/dri"
    made = not os.path.isdir(dri)
    if not made and os.path.exists(os.path.join(dri, "renderD128")):
        raise Skip("this host has a GPU render node at /dev/dri/renderD128: the stand-in would hide it")
    os.makedirs(dri, exist_ok=True)
    try:
        with stand_in_devices(env, 2) as devices:
            (master, name), (master2, name2) = devices
            binds = [(name, f"{dri}/renderD128"), (name2, f"{dri}/card77")]
            args = [f"write:{dri}/renderD128", f"exists:{dri}/card77"]
            rc, out, err = in_private_mounts(env, binds, [env.cordon, "run", probe_app(env, "it-if-gl", "  - opengl\n"), "--", *args])
            f = facts(out)
            expect(rc == 0 and f.get(f"write:{dri}/renderD128") == "ok" and os.read(master, 64).startswith(b"hello"),
                   f"the render node: exit {rc}: {out} {err}")
            expect(f.get(f"exists:{dri}/card77") == "ENOENT", f"the card node is there: {out}")
            rc, out, err = in_private_mounts(env, binds, [env.cordon, "run", probe_app(env, "it-if-gl-off", ""), "--", *args])
            expect(facts(out).get(f"write:{dri}/renderD128") == "ENOENT", f"control, no plug: {out} {err}")
    finally:
        if made:
            shutil.rmtree(dri, ignore_errors=True)


@test
def raw_usb_is_manual_and_grants_its_one_device(env):
    """raw-usb (manual) with path /dev/bus/usb/077/001 (stand-in: pty slaves bound there and at
    077/002): nothing until connected; then that device takes a write and the other is not there.
    A path that is not a USB node (/dev/sda) is refused by `cordon check`."""
    bus = "/dev/bus/usb/077"
    if os.path.exists(bus):
        raise Skip(f"{bus} exists here: the stand-in would hide a real USB bus")
    os.makedirs(bus)
    try:
        with stand_in_devices(env, 2) as devices:
            (master, name), (master2, name2) = devices
            policy = probe_app(env, "it-if-usb", "  - raw-usb: {path: /dev/bus/usb/077/001}\n")
            binds = [(name, f"{bus}/001"), (name2, f"{bus}/002")]
            argv = [env.cordon, "run", policy, "--", f"write:{bus}/001", f"exists:{bus}/002"]
            rc, out, err = in_private_mounts(env, binds, argv)
            expect(facts(out).get(f"write:{bus}/001") == "ENOENT" and "not connected" in err, f"unconnected: {out} {err}")
            rc, out, err = env.run([env.cordon, "connect", policy, "raw-usb:path=/dev/bus/usb/077/001"])
            expect(rc == 0, f"connect: exit {rc}: {err}")
            rc, out, err = in_private_mounts(env, binds, argv)
            f = facts(out)
            expect(f.get(f"write:{bus}/001") == "ok" and os.read(master, 64).startswith(b"hello"), f"connected: {out} {err}")
            expect(f.get(f"exists:{bus}/002") == "ENOENT", f"another device is there: {out}")
        bad = env.write_policy("it-if-usb-bad", "schema: 1\nname: it-if-usb-bad\ncommand: [/bin/true]\n"
                               "plugs:\n  - raw-usb: {path: /dev/sda}\n")
        rc, out, err = env.run([env.cordon, "check", bad])
        expect(rc == 1 and "must match" in err, f"/dev/sda as a USB device: exit {rc}: {err}")
    finally:
        shutil.rmtree(bus, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.rmdir("/dev/bus/usb")
            os.rmdir("/dev/bus")


@test
def wayland_reaches_its_compositor_socket_only(env):
    """wayland with display 1 in a fake runtime directory holding wayland-0, wayland-1 and
    pulse/native: the app reaches wayland-1 with WAYLAND_DISPLAY=wayland-1, and neither wayland-0
    nor the sound server is there."""
    with fake_runtime_dir(env, "wayland-0", "wayland-1", "pulse/native") as (runtime, listeners):
        args = [f"connect:{runtime}/wayland-1", f"exists:{runtime}/wayland-0", f"exists:{runtime}/pulse/native",
                "env:WAYLAND_DISPLAY"]
        rc, out, err = env.run(["env", f"XDG_RUNTIME_DIR={runtime}", env.cordon, "run",
                                probe_app(env, "it-if-wayland", "  - wayland: {display: 1}\n"), "--", *args])
        f = facts(out)
        expect(rc == 0 and f.get(f"connect:{runtime}/wayland-1") == "ok" and f.get("WAYLAND_DISPLAY") == "wayland-1",
               f"the compositor: exit {rc}: {out} {err}")
        expect(f.get(f"exists:{runtime}/wayland-0") == "ENOENT" and f.get(f"exists:{runtime}/pulse/native") == "ENOENT",
               f"more than the compositor: {out}")


@test
def system_observe_reads_block_devices_and_writes_nothing(env):
    """system-observe: /sys/block is listed and its files read; a write is refused (read-only).
    Control: without the plug /sys/block is not there."""
    entries = sorted(os.listdir("/sys/block")) if os.path.isdir("/sys/block") else []
    if not entries:
        raise Skip("this host has no /sys/block entries to read")
    reads_a_number_and_writes_nothing(env, "system-observe", f"/sys/block/{entries[0]}/size",
                                      f"/sys/block/{entries[0]}/queue/read_ahead_kb")


def reads_a_number_and_writes_nothing(env, plug, target, unwritable, *more):
    """With `plug`, `target` reads as a number and a write to `unwritable` is refused; without it
    (the control) `target` is not there."""
    args = [f"read:{target}", f"write:{unwritable}", *more]
    rc, out, err = env.cordon_run(probe_app(env, f"it-if-{plug}", f"  - {plug}\n"), *args)
    f = facts(out)
    expect(rc == 0 and f.get(f"read:{target}", "").isdigit(), f"read: exit {rc}: {out} {err}")
    expect(f.get(f"write:{unwritable}") in ("EROFS", "EACCES", "EPERM"), f"write: {out}")
    rc, out, err = env.cordon_run(probe_app(env, f"it-if-{plug}-off", ""), *args)
    expect(facts(out).get(f"read:{target}") == "ENOENT", f"control, no plug: {out} {err}")


@test
def spi_grants_its_one_chip_select(env):
    """spi with bus 77 (chip select 0 by default; stand-in: a pty slave at /dev/spidev77.0): the
    app's bytes reach it; chip select 1 of the same bus is not there."""
    with stand_in_devices(env, 2) as devices:
        (master, name), (master2, name2) = devices
        policy = probe_app(env, "it-if-spi", "  - spi: {bus: 77}\n")
        rc, out, err = in_private_mounts(env, [(name, "/dev/spidev77.0"), (name2, "/dev/spidev77.1")],
                                         [env.cordon, "run", policy, "--", "write:/dev/spidev77.0", "exists:/dev/spidev77.1"])
        f = facts(out)
        expect(rc == 0 and f.get("write:/dev/spidev77.0") == "ok" and os.read(master, 64).startswith(b"hello"),
               f"spidev77.0: {out} {err}")
        expect(f.get("exists:/dev/spidev77.1") == "ENOENT", f"spidev77.1: {out}")


@test
def gpio_grants_its_chip_and_refuses_lines_it_cannot_enforce(env):
    """gpio with chip 77 (stand-in: a pty slave at /dev/gpiochip77): the chip is there, chip 78 is
    not. A plug that names `lines` is refused before anything runs: cordon cannot narrow a chip to
    some lines yet, and would rather not run than give the whole chip silently."""
    with stand_in_devices(env, 2) as devices:
        (master, name), (master2, name2) = devices
        binds = [(name, "/dev/gpiochip77"), (name2, "/dev/gpiochip78")]
        policy = probe_app(env, "it-if-gpio", "  - gpio: {chip: 77}\n")
        rc, out, err = in_private_mounts(env, binds, [env.cordon, "run", policy, "--", "write:/dev/gpiochip77",
                                                      "exists:/dev/gpiochip78"])
        f = facts(out)
        expect(rc == 0 and f.get("write:/dev/gpiochip77") == "ok" and f.get("exists:/dev/gpiochip78") == "ENOENT",
               f"chip 77: exit {rc}: {out} {err}")
        lines = probe_app(env, "it-if-gpio-lines", "  - gpio: {chip: 77, lines: [3, 4]}\n")
        rc, out, err = in_private_mounts(env, binds, [env.cordon, "run", lines, "--", "write:/dev/gpiochip77"])
        expect(rc == 125 and "not enforced" in err and not out, f"lines: exit {rc}: {out} {err}")


@test
def hardware_observe_reads_sysfs_and_writes_nothing(env):
    """hardware-observe: /sys/class and /sys/bus are listed and read; a write is refused. Control:
    without the plug they are not there."""
    target = "/sys/class/net/lo/mtu"
    if not os.path.exists(target):
        raise Skip(f"this host has no {target} to read")
    reads_a_number_and_writes_nothing(env, "hardware-observe", target, target, "exists:/sys/bus/pci")


@test
def desktop_shows_fonts_and_not_the_rest_of_the_home(env):
    """desktop: the user's ~/.fonts is readable; a document beside it in the home is not there.
    Control: the document is readable with the home plug."""
    home = env.pw.pw_dir
    font, doc = os.path.join(home, ".fonts", "it-font.txt"), os.path.join(home, ".it-desktop-doc")
    with files_in_a_users_home(env.pw, {font: "glyphs\n", doc: "private\n"}):
        args = [f"read:{font}", f"read:{doc}", "env:XDG_DATA_DIRS"]
        rc, out, err = env.cordon_run(probe_app(env, "it-if-desktop", "  - desktop\n"), *args)
        f = facts(out)
        expect(rc == 0 and f.get(f"read:{font}") == "glyphs" and f.get("XDG_DATA_DIRS") == "/usr/local/share:/usr/share",
               f"fonts: exit {rc}: {out} {err}")
        expect(f.get(f"read:{doc}") in ("ENOENT", "EACCES"), f"the document: {out}")
        if not env.is_root:  # root's home is not root's inside (host uid 0 is not mapped)
            rc, out, err = env.cordon_run(probe_app(env, "it-if-desktop-home", "  - home\n"), *args)
            expect(facts(out).get(f"read:{doc}") == "private", f"control, home plug: {out} {err}")


@test
def removable_media_is_manual_and_writes_only_there(env):
    """removable-media (manual): /mnt is not there until the owner connects the plug; then a
    drive's folder under /mnt takes a file, which lands on the host."""
    drive = f"/mnt/cordon-it-media-{env.name}"
    shutil.rmtree(drive, ignore_errors=True)
    os.makedirs(drive)
    os.chmod(drive, 0o777)
    try:
        policy = probe_app(env, "it-if-media", "  - removable-media\n")
        rc, out, err = env.cordon_run(policy, f"create:{drive}/file")
        expect(facts(out).get(f"create:{drive}/file") == "ENOENT" and "not connected" in err, f"unconnected: {out} {err}")
        rc, out, err = env.run([env.cordon, "connect", policy, "removable-media"])
        expect(rc == 0, f"connect: exit {rc}: {err}")
        rc, out, err = env.cordon_run(policy, f"create:{drive}/file")
        expect(facts(out).get(f"create:{drive}/file") == "ok" and os.path.exists(f"{drive}/file"), f"connected: {out} {err}")
    finally:
        shutil.rmtree(drive, ignore_errors=True)


@test
def x11_is_manual_and_reaches_the_display_socket(env):
    """x11 (manual) with display 77 (stand-in: a listener at /tmp/.X11-unix/X77): nothing until
    the owner connects it; then the socket takes a connection and DISPLAY is :77."""
    folder = "/tmp/.X11-unix"
    made = not os.path.isdir(folder)
    os.makedirs(folder, exist_ok=True)
    if made:
        os.chmod(folder, 0o1777)
    path = os.path.join(folder, "X77")
    if os.path.exists(path):
        raise Skip(f"{path} exists: a display 77 is in use here")
    listener = Listener(path, env.pw)
    try:
        policy = probe_app(env, "it-if-x11", "  - x11: {display: 77}\n")
        rc, out, err = env.cordon_run(policy, f"connect:{path}", "env:DISPLAY")
        expect(facts(out).get(f"connect:{path}") == "ENOENT" and "not connected" in err, f"unconnected: {out} {err}")
        rc, out, err = env.run([env.cordon, "connect", policy, "x11"])
        expect(rc == 0, f"connect: exit {rc}: {err}")
        rc, out, err = env.cordon_run(policy, f"connect:{path}", "env:DISPLAY")
        f = facts(out)
        expect(f.get(f"connect:{path}") == "ok" and f.get("DISPLAY") == ":77", f"connected: {out} {err}")
        # The home plug hides ~/.Xauthority (the display's login), x11's own bind of it wins there.
        home = env.fresh_tree("x11home")
        with open(os.path.join(home, ".Xauthority"), "w") as fh:
            fh.write("cookie\n")
        both = probe_app(env, "it-if-x11-home", "  - x11: {display: 77}\n  - home\n")
        env.give(home, "it-if-x11-home")
        rc, out, err = env.run([env.cordon, "connect", both, "x11"])
        expect(rc == 0, f"connect: exit {rc}: {err}")
        # (the user's connections stay where they are: their place follows $HOME otherwise)
        config = os.path.join(env.pw.pw_dir, ".config")
        rc, out, err = env.run(["env", f"HOME={home}", f"XDG_CONFIG_HOME={config}", env.cordon, "run", both, "--",
                                f"read:{home}/.Xauthority"])
        expect(facts(out).get(f"read:{home}/.Xauthority") == "cookie", f"x11 and home: {out} {err}")
        home_only = probe_app(env, "it-if-home-only", "  - home\n")
        env.give(home, "it-if-home-only")
        rc, out, err = env.run(["env", f"HOME={home}", env.cordon, "run", home_only, "--", f"read:{home}/.Xauthority"])
        expect(facts(out).get(f"read:{home}/.Xauthority") not in (None, "cookie"), f"home alone shows the cookie: {out} {err}")
    finally:
        listener.sock.close()
        with contextlib.suppress(OSError):
            os.unlink(path)
        if made:
            shutil.rmtree(folder, ignore_errors=True)
