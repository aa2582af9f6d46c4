#!/usr/bin/env python3
"""The `cordon` command line as tools and people use it: exit codes, messages, JSON shape,
determinism of `explain --json` across working directory, HOME and environment."""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

CORDON = os.path.abspath(sys.argv[1])
ROOT = pathlib.Path.cwd()
passed = failed = skipped = 0


class Skip(Exception):
    """A case this machine cannot run: printed as SKIP with its reason, never counted as passed."""


def run(*args, cwd=None, env=None, stdin=None):
    return subprocess.run([CORDON, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=20, input=stdin)


def case(name):
    def wrap(fn):
        global passed, failed, skipped
        try:
            fn()
            passed += 1
            print(f"ok   {name}")
        except Skip as s:
            skipped += 1
            print(f"SKIP {name}: {s}")
        except AssertionError as e:
            failed += 1
            print(f"FAIL {name}: {e}")
        return fn
    return wrap


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


@case("check: valid examples and interfaces exit 0 and print nothing")
def _():
    files = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
    files += sorted(str(p) for p in (ROOT / "policies/interfaces").glob("*.yaml"))
    files.append(str(ROOT / "policies/syscall-sets.yaml"))
    r = run("check", *files)
    expect(r.returncode == 0, f"exit {r.returncode}: {r.stderr}")
    expect(r.stderr == "" and r.stdout == "", f"output: {r.stdout!r} {r.stderr!r}")


@case("check: a file with three mistakes gives three diagnostics with line:col, a source line and a caret")
def _():
    with tempfile.TemporaryDirectory() as d:
        p = pathlib.Path(d, "three.yaml")
        p.write_text("schema: 1\nname: Three\ncommand: [sh]\nlimits:\n  memroy: 1GiB\n")
        r = run("check", str(p))
        expect(r.returncode == 1, f"exit {r.returncode}")
        errors = [l for l in r.stderr.splitlines() if ": error: " in l]
        expect(len(errors) == 3, r.stderr)
        expect(errors[0].startswith(f"{p}:2:7: error: app name 'Three'"), errors[0])
        expect(errors[1].startswith(f"{p}:3:11: error: command[0] 'sh' must be an absolute path"), errors[1])
        expect(errors[2] == f"{p}:5:3: error: unknown key 'memroy' in limits; did you mean 'memory'?", errors[2])
        lines = r.stderr.splitlines()
        i = lines.index(errors[0])
        expect(lines[i + 1] == "    name: Three" and lines[i + 2] == "          ^", lines[i:i + 3])
        j = json.loads(run("check", "--json", str(p)).stdout)
        expect(j["version"] == 1, j)
        expect([(d["line"], d["column"]) for d in j["diagnostics"]] == [(2, 7), (3, 11), (5, 3)], j)


@case("check: several files, each reported under its own name; a missing file is an error")
def _():
    r = run("check", "examples/shell.yaml", "tests/data/bad/schema-2.yaml", "nonexistent.yaml")
    expect(r.returncode == 1, r.returncode)
    expect("tests/data/bad/schema-2.yaml:2:9: error: unsupported schema '2'" in r.stderr, r.stderr)
    expect("nonexistent.yaml: error: cannot open: No such file or directory" in r.stderr, r.stderr)


@case("explain --json: identical bytes from another cwd, HOME and environment, and equal to the golden file")
def _():
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        golden = (ROOT / "tests/golden" / (example.stem + ".json")).read_text()
        a = run("explain", "--json", str(example))
        expect(a.returncode == 0, a.stderr)
        with tempfile.TemporaryDirectory() as d:
            env = {"PATH": "/usr/bin:/bin", "HOME": d, "LANG": "de_DE.UTF-8", "XDG_CONFIG_HOME": d, "TZ": "Asia/Tokyo",
                   "XDG_RUNTIME_DIR": d, "USER": "someone"}
            rel = os.path.relpath(example, d)
            b = run("explain", "--json", rel, cwd=d, env=env)
        expect(b.returncode == 0, b.stderr)
        expect(a.stdout == b.stdout, f"{example.name}: output depends on the environment")
        expect(a.stdout == golden, f"{example.name}: differs from tests/golden/{example.stem}.json")


@case("explain --json: every mount and syscall carries its provenance")
def _():
    plan = json.loads(run("explain", "--json", "examples/fetch-url.yaml").stdout)
    expect(plan["plan_hash"].startswith("sha256:"), plan.get("plan_hash"))
    for m in plan["mounts"]:
        expect(m["from"] and all("origin" in s for s in m["from"]), m)
    for s in plan["seccomp"]["allow"]:
        expect(s["from"] and all("line" in x for x in s["from"]), s)
    for r in plan["seccomp"]["rules"]:
        expect(r["from"] and r["why"], r)


@case("explain: finds an app by name through CORDON_POLICY_PATH; text names the sources")
def _():
    env = dict(os.environ, CORDON_POLICY_PATH=str(ROOT / "examples"))
    r = run("explain", "fetch-url", env=env)
    expect(r.returncode == 0, r.stderr)
    expect("network plug (network.yaml:" in r.stdout, r.stdout)
    expect("fetch-url.yaml:" in r.stdout and "base.yaml:" in r.stdout, r.stdout)
    r = run("explain", "no-such-app", env=env)
    expect(r.returncode == 1 and "no app named 'no-such-app'" in r.stderr, r.stderr)


@case("explain: an override in CORDON_INTERFACE_PATH wins over the shipped interface")
def _():
    with tempfile.TemporaryDirectory() as d:
        pathlib.Path(d, "network.yaml").write_text("schema: 1\ninterface: network\nsummary: override\nconnection: auto\n")
        env = dict(os.environ, CORDON_INTERFACE_PATH=d)
        plan = json.loads(run("explain", "--json", "examples/fetch-url.yaml", env=env).stdout)
        expect(plan["network"]["mode"] == "none", plan["network"])


@case("interfaces: lists every interface with summary and attributes; --json is versioned")
def _():
    r = run("interfaces")
    expect(r.returncode == 0, r.stderr)
    expect("network" in r.stdout and "home" in r.stdout and "base" not in r.stdout.split(), r.stdout)
    j = json.loads(run("interfaces", "--json").stdout)
    expect(j["version"] == 1, j)
    home = next(i for i in j["interfaces"] if i["name"] == "home")
    expect(home["attributes"][0]["name"] == "access" and home["attributes"][0]["default"] == "read-only", home)


@case("usage: --help for every subcommand, --version, unknown options named, exit 125")
def _():
    for sub in ([], ["check"], ["explain"], ["interfaces"], ["run"], ["compile"]):
        r = run(*sub, "--help")
        expect(r.returncode == 0 and "Usage" in r.stdout, (sub, r.returncode, r.stdout[:200]))
    r = run("--version")
    expect(r.returncode == 0 and r.stdout.startswith("cordon "), r.stdout)
    expect(run("-V").stdout == r.stdout, "-V is --version")
    # `cordon help CMD` is `cordon CMD --help`, and every command's help shows how it is used
    for sub in ("check", "explain", "run", "compile", "pack", "install", "list", "revert", "remove", "refresh",
                "publish", "connect", "disconnect", "connections", "interfaces", "help"):
        r = run("help", sub)
        expect(r.returncode == 0 and r.stdout == run(sub, "--help").stdout, (sub, r.returncode, r.stderr))
        expect("Example" in r.stdout and "Exit status: " in r.stdout, (sub, r.stdout[-300:]))
    r = run("help", "explian")
    expect(r.returncode == 125 and "did you mean 'explain'" in r.stderr, (r.returncode, r.stderr))
    expect("cordon help COMMAND" in run("help").stdout, "help alone: the overview")
    r = run("check", "--frobnicate", "x.yaml")
    expect(r.returncode == 125 and "--frobnicate" in r.stderr, (r.returncode, r.stderr))
    r = run("frobnicate")
    expect(r.returncode == 125 and "frobnicate" in r.stderr, (r.returncode, r.stderr))
    r = run()
    expect(r.returncode == 125, r.returncode)


@case("explain --bpf: the filter, disassembled, with actions and syscall names")
def _():
    r = run("explain", "--bpf", "examples/shell.yaml")
    expect(r.returncode == 0, (r.returncode, r.stderr))
    out = r.stdout
    expect(out.startswith("# the filter, ") and "ja   " in out, out[:300])
    for needle in ("ret  KILL_PROCESS", "ret  ALLOW", "ret  USER_NOTIF", "ret  ERRNO(EPERM)", "ret  ERRNO(ENOSYS)",
                   "; ioctl", "; x86_64", "ld   args[1].lo"):
        expect(needle in out, f"missing {needle!r}")


@case("compile: warms the caches of every app named; an unknown app is an error, exit 1")
def _():
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, HOME=home, XDG_CACHE_HOME=os.path.join(home, "cache"))
        if os.getuid() == 0:
            raise Skip("as root the cache is the system's /var/cache/cordon, which this test must not "
                       "touch; the integration tests cover root's caches")
        r = run("compile", "examples/shell.yaml", "examples/counter.yaml", env=env)
        expect(r.returncode == 0 and r.stdout.count("compiled ") == 2, (r.returncode, r.stdout, r.stderr))
        filters = os.listdir(os.path.join(home, "cache", "cordon", "filters"))
        expect(len(filters) >= 2, filters)
        r = run("compile", "no-such-app", env=env)
        expect(r.returncode == 1 and "no app named" in r.stderr, (r.returncode, r.stderr))


@case("run: every word after APP is the app's, options included; options before APP are cordon's")
def _():
    # after APP, --help and an unknown option are the app's arguments: cordon looks for the app
    for words in (["--help"], ["--frobnicate"], ["a", "--complain", "--suggest", "/tmp/x", "b"], ["--", "--version"]):
        r = run("run", "no-such-app", *words)
        expect(r.returncode == 125 and "no app named 'no-such-app'" in r.stderr and "Usage" not in r.stdout,
               (words, r.returncode, r.stdout[:200], r.stderr))
    # before APP they are cordon's
    r = run("run", "--frobnicate", "no-such-app")
    expect(r.returncode == 125 and "--frobnicate" in r.stderr, (r.returncode, r.stderr))
    r = run("run", "--suggest", "/tmp/x", "no-such-app")
    expect(r.returncode == 125 and "--complain" in r.stderr, (r.returncode, r.stderr))  # --suggest needs it
    r = run("run", "--help")
    expect(r.returncode == 0 and "before APP" in r.stdout, r.stdout)


@case("run --suggest: an existing file or a symlink is refused before the app runs, and left as it was")
def _():
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, HOME=d, XDG_CACHE_HOME=os.path.join(d, "cache"), XDG_DATA_HOME=os.path.join(d, "data"),
                   XDG_CONFIG_HOME=os.path.join(d, "config"))
        existing, target = pathlib.Path(d, "existing.yaml"), pathlib.Path(d, "target")
        existing.write_text("keep me\n")
        target.write_text("target\n")
        link, dangling = pathlib.Path(d, "link.yaml"), pathlib.Path(d, "dangling.yaml")
        link.symlink_to(target)
        dangling.symlink_to(pathlib.Path(d, "nowhere"))
        for path in (existing, link, dangling):
            r = run("run", "--complain", "--suggest", str(path), "examples/shell.yaml", env=env, stdin="")
            expect(r.returncode == 125 and f"cannot create {path} for --suggest: File exists" in r.stderr
                   and "never overwritten" in r.stderr, (path, r.returncode, r.stderr))
        expect(existing.read_text() == "keep me\n" and target.read_text() == "target\n", "a file was changed")
        expect(link.is_symlink() and not pathlib.Path(d, "nowhere").exists(), "a symlink was followed")


def output_on_a_terminal(env, *args):
    """What cordon ARGS writes when stdin, stdout and stderr are a terminal (a pty)."""
    import pty
    leader, follower = pty.openpty()
    subprocess.run([CORDON, *args], stdin=follower, stdout=follower, stderr=follower, env=env, timeout=20)
    os.close(follower)
    out = b""
    try:
        while chunk := os.read(leader, 4096):
            out += chunk
    except OSError:  # EIO: the other side is closed
        pass
    os.close(leader)
    return out


@case("diagnostics are coloured only on a terminal, and never with NO_COLOR or TERM=dumb")
def _():
    def on_a_terminal(env):
        return output_on_a_terminal(env, "check", "tests/data/bad/command-empty.yaml")
    env = dict(os.environ, TERM="xterm")
    env.pop("NO_COLOR", None)
    expect(b"\x1b[1;31merror" in on_a_terminal(env), "no colour on a terminal")
    expect(b"\x1b[" not in on_a_terminal(dict(env, NO_COLOR="1")), "colour despite NO_COLOR")
    expect(b"\x1b[" not in on_a_terminal(dict(env, TERM="dumb")), "colour on a dumb terminal")
    r = run("check", "tests/data/bad/command-empty.yaml", env=env)
    expect(r.returncode == 1 and "\x1b[" not in r.stderr and "error:" in r.stderr, "colour in a pipe")


@case("a progress line for long work only on a terminal, erased before the result")
def _():
    env = dict(os.environ, TERM="xterm")
    apps = ["examples/shell.yaml", "examples/counter.yaml"]
    out = output_on_a_terminal(env, "compile", *apps)
    expect(b"compiling 1 of 2: examples/shell.yaml" in out and b"\r\x1b[K" in out and b"compiled counter" in out,
           f"no progress line on a terminal: {out!r}")
    expect(b"compiling" not in output_on_a_terminal(dict(env, TERM="dumb"), "compile", *apps), "a progress line on a dumb terminal")
    r = run("compile", *apps)
    expect(r.returncode == 0 and "compiling" not in r.stderr + r.stdout and "\x1b" not in r.stderr,
           f"a progress line in a pipe: {r.stderr!r}")


print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
