"""Manual connections (docs/interfaces.md "Who grants"): a manual plug grants nothing until the
machine's owner runs `cordon connect`; `disconnect` takes it back; a connection holds for the
attributes it was made with; a user connects only their own apps, root the system's; and an app
cannot connect itself. The manual grant used is `home: {access: read-write}`; the probe writes a
file into the real home of the user the app runs as (root's runs use `--user`, since root's own
home is not root's inside a sandbox: host uid 0 is not mapped)."""
import json
import os
import subprocess

from harness import *  # noqa: F401,F403


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def env_test_user():
    return os.environ.get("CORDON_TEST_USER", "cordon-test")


def subprocess_run(argv):
    """As root, whichever mode the test is in: the system's decisions are root's."""
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                       env={"PATH": "/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"})
    return r.returncode, r.stdout, r.stderr


def home_writer(env, name, where=None, extra=""):
    """An app that plugs home read-write and tries to create FILE (its argument)."""
    text = (f"schema: 1\nname: {name}\n"
            "command: [/bin/sh, -c, 'echo from-app > \"$1\" && echo WROTE || echo REFUSED', sh]\n"
            "plugs:\n  - home: {access: read-write}\n" + extra)
    if where is None:
        return env.write_policy(name, text)
    path = os.path.join(where, name + ".yaml")
    write(path, text)
    os.chmod(path, 0o644)
    return path


def user_home():
    return pwd.getpwnam(env_test_user()).pw_dir


def run_as_user(env, policy, target):
    """Runs the app as the test user: root names it with --user."""
    options = ["--user", env_test_user()] if env.is_root else []
    return env.run([env.cordon, "run", *options, policy, "--", target])


def fresh_target(name):
    target = os.path.join(user_home(), f".{name}-target")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(target)
    return target


@test
def a_manual_plug_grants_nothing_until_connected(env):
    """Before `cordon connect`: check warns, run says once how to connect and the write fails.
    After: the write lands in the home. After `disconnect`: refused again. The control is the
    connected run itself."""
    policy = home_writer(env, "it-conn-home")
    target = fresh_target("it-conn-home")
    try:
        # check, explain and run name the same command, the one that works for a policy file
        hint = f"cordon connect {policy} home:access=read-write"
        rc, out, err = env.run([env.cordon, "check", policy])
        expect(rc == 0 and "warning: plug 'home' is manual" in err and hint in err, f"check: exit {rc}: {err}")
        rc, out, err = env.run([env.cordon, "explain", policy])
        expect(rc == 0 and hint in out, f"explain: exit {rc}: {out} {err}")
        rc, out, err = run_as_user(env, policy, target)
        expect("REFUSED" in out and not os.path.exists(target), f"unconnected: {out} {err}")
        expect(err.count("is not connected") == 1 and hint in err, f"the run's note: {err}")
        rc, out, err = env.run([env.cordon, "connect", policy, "home:access=read-write"])
        expect(rc == 0 and "connected it-conn-home:home" in out, f"connect: exit {rc}: {out} {err}")
        rc, out, err = env.run([env.cordon, "connections", policy, "--json"])
        expect(rc == 0 and '"state": "connected"' in out, f"connections: {out} {err}")
        rc, out, err = run_as_user(env, policy, target)
        expect("WROTE" in out and os.path.exists(target) and "not connected" not in err,
               f"connected: exit {rc}: {out} {err}")
        os.unlink(target)
        rc, out, err = env.run([env.cordon, "disconnect", policy, "home"])
        expect(rc == 0, f"disconnect: exit {rc}: {out} {err}")
        rc, out, err = run_as_user(env, policy, target)
        expect("REFUSED" in out and not os.path.exists(target), f"after disconnect: {out} {err}")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)


@test
def a_connection_holds_only_for_what_was_connected(env):
    """A connection names the plug's attributes: `connect` refuses attributes the policy does not ask
    for, and a policy that later asks for something else (here best-effort) is not connected."""
    policy = home_writer(env, "it-conn-changed")
    target = fresh_target("it-conn-changed")
    rc, out, err = env.run([env.cordon, "connect", policy, "home:access=read-only"])
    expect(rc == 1 and "not read-only" in err, f"connect with other attributes: exit {rc}: {err}")
    rc, out, err = env.run([env.cordon, "connect", policy, "network"])
    expect(rc == 1 and "does not plug 'network'" in err, f"connect an unplugged interface: exit {rc}: {err}")
    rc, out, err = env.run([env.cordon, "connect", policy, "home"])
    expect(rc == 0, f"connect: exit {rc}: {err}")
    with open(policy) as f:
        text = f.read()
    write(policy, text.replace("{access: read-write}", "{access: read-write, enforcement: best-effort}"))
    rc, out, err = run_as_user(env, policy, target)
    expect("REFUSED" in out and "is not connected" in err, f"changed policy: {out} {err}")
    rc, out, err = env.run([env.cordon, "connections", policy])
    expect("changed since connected" in out, f"connections: {out} {err}")


@test
def an_app_cannot_connect_itself(env):
    """An app whose home read-write plug the owner connected tries to connect plugs of its own and
    another app: by running cordon (its folder is granted) with HOME set to the real home, and by
    writing the connections files itself, in the user's folder and the system's. The stores are
    hidden in every sandbox, so neither takes effect. The control: the same app writes elsewhere in
    the home, and the owner's `cordon connect` of the victim works."""
    home = user_home()
    victim = home_writer(env, "it-conn-victim")
    stores = [os.path.join(home, ".config/cordon/connections"), "/etc/cordon/connections"]
    record = '{"format":1,"app":"it-conn-victim","plugs":[{"plug":"home","attributes":{"access":"read-write","enforcement":"strict"}}]}'
    attempts = "\n".join([f"env HOME={home} {env.cordon} connect {victim} home >/dev/null 2>&1 && echo CORDON-CONNECTED"] +
                          [f"mkdir -p {d} 2>/dev/null; echo '{record}' > {d}/it-conn-victim.json 2>/dev/null && echo WROTE-{i}"
                           for i, d in enumerate(stores)] +
                          [f"echo x > {home}/.it-conn-control && echo CONTROL-OK"])
    script = os.path.join(env.policies, "it-conn-attacker.sh")
    write(script, attempts + "\n")
    os.chmod(script, 0o644)
    attacker = env.write_policy("it-conn-attacker", "schema: 1\nname: it-conn-attacker\n"
                                f"command: [/bin/sh, {script}]\n"
                                f"filesystem:\n  read-only: [{os.path.dirname(env.cordon)}, {env.policies}]\n"
                                "plugs:\n  - home: {access: read-write}\n")
    rc, out, err = subprocess_run([env.cordon, "connect", attacker, "home"]) if env.is_root else \
        env.run([env.cordon, "connect", attacker, "home"])
    expect(rc == 0, f"the owner connects the attacker: exit {rc}: {err}")
    try:
        rc, out, err = run_as_user(env, attacker, "unused")
        expect("CONTROL-OK" in out, f"control: the attacker writes its home: {out} {err}")
        expect("CORDON-CONNECTED" not in out and "WROTE" not in out, f"the attacker reached a store: {out} {err}")
        rc, out, err = env.run([env.cordon, "connections", victim])
        expect("not connected" in out, f"the victim after the attack: {out} {err}")
        rc, out, err = env.run([env.cordon, "connect", victim, "home"])
        rc, out, err = env.run([env.cordon, "connections", victim])
        expect(rc == 0 and "not connected" not in out and "connected" in out, f"control: {out} {err}")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(home, ".it-conn-control"))


@test
def system_apps_are_connected_by_root(env):
    """A policy in the system's app folder: a user may not connect its plugs (told to ask root);
    root's connection holds for the user's runs of it."""
    apps = os.path.join(env.root, "share/cordon/apps")
    os.makedirs(apps, exist_ok=True)
    os.chmod(apps, 0o755)
    policy = home_writer(env, "it-conn-system", where=apps)
    target = fresh_target("it-conn-system")
    try:
        if not env.is_root:
            rc, out, err = env.run([env.cordon, "connect", "it-conn-system", "home"])
            expect(rc == 1 and "sudo cordon connect" in err, f"a user connecting a system app: exit {rc}: {err}")
        rc, out, err = subprocess_run([env.cordon, "connect", "it-conn-system", "home"])
        expect(rc == 0, f"root connects: exit {rc}: {out} {err}")
        rc, out, err = env.run([env.cordon, "run", "it-conn-system", "--", target] if not env.is_root else
                               [env.cordon, "run", "--user", env_test_user(), "it-conn-system", "--", target])
        expect("WROTE" in out and os.path.exists(target), f"the user's run after root connected: {out} {err}")
    finally:
        os.unlink(policy)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)


@test
def commands_that_change_state_say_their_outcome_as_json(env):
    """connect, disconnect, compile and forget with --json: one JSON object per line on stdout, each
    outcome as docs/json.md "Outcomes" names it (and checked against policies/schema/outcome.schema.json);
    without --json the same commands print sentences (the control: the text is not JSON)."""
    policy = env.policy("it-outcomes", "[/bin/true]", "plugs: [removable-media]\n")
    def json_of(*argv):
        rc, out, err = env.run([env.cordon, *argv])
        expect(rc == 0 and len(out.splitlines()) == 1, f"{argv}: exit {rc}: {out!r} {err}")
        return json.loads(out)
    schema_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "policies", "schema",
                               "outcome.schema.json")
    with open(schema_file) as f:
        schema = json.load(f)
    seen = [json_of("connect", "--json", policy, "removable-media"),
            json_of("connect", "--json", policy, "removable-media"),
            json_of("disconnect", "--json", policy, "removable-media"),
            json_of("disconnect", "--json", policy, "removable-media"),
            json_of("compile", "--json", policy)]
    rc, _, err = env.run([env.cordon, "run", policy])
    expect(rc == 0, f"the run that makes its data: exit {rc}: {err}")
    seen += [json_of("forget", "--json", "--yes", "it-outcomes"), json_of("forget", "--json", "--yes", "it-outcomes")]
    outcomes = [o["outcome"] for o in seen]
    expect(outcomes == ["connected", "already-connected", "disconnected", "not-connected", "compiled", "forgot", "nothing"],
           f"{seen}")
    expect(seen[0]["attributes"].get("access") and seen[4]["syscalls"] > 100 and seen[5]["deleted"].endswith("/it-outcomes")
           and seen[6]["deleted"] is None, f"{seen}")
    try:
        import jsonschema
        for o in seen:
            jsonschema.validate(o, schema)
    except ImportError:
        pass  # python3-jsonschema is a CI dependency; the schema tests say so when it is missing
    rc, out, _ = env.run([env.cordon, "compile", policy])
    expect(rc == 0 and out.startswith("compiled it-outcomes:"), f"control: the sentence without --json: {out!r}")


@test
def an_adhoc_app_is_known_by_name_once_it_has_run(env):
    """`cordon connections NAME`, `connect NAME` and `disconnect NAME` for an app run from its policy
    file: the name's record says which file, so the name works as the file does. Control: before
    the app has run, the name is unknown."""
    policy = env.policy("it-adhoc-name", "[/bin/true]", "plugs: [removable-media]\n")
    rc, _, err = env.run([env.cordon, "connections", "it-adhoc-name"])
    expect(rc != 0 and "no app named" in err, f"control, before it ran: exit {rc}: {err}")
    rc, _, err = env.run([env.cordon, "run", policy])
    expect(rc == 0, f"run: exit {rc}: {err}")
    rc, out, err = env.run([env.cordon, "connections", "it-adhoc-name", "--json"])
    rows = json.loads(out)["connections"] if rc == 0 else []
    expect(rc == 0 and [r["plug"] for r in rows] == ["removable-media"] and rows[0]["state"] == "not connected",
           f"connections by name: exit {rc}: {out} {err}")
    rc, out, err = env.run([env.cordon, "connect", "--json", "it-adhoc-name", "removable-media"])
    expect(rc == 0 and json.loads(out)["outcome"] == "connected", f"connect by name: exit {rc}: {out} {err}")
    rc, out, err = env.run([env.cordon, "disconnect", "--json", "it-adhoc-name", "removable-media"])
    expect(rc == 0 and json.loads(out)["outcome"] == "disconnected", f"disconnect by name: exit {rc}: {out} {err}")
    # The file renamed since: connecting the old name must not connect the new one.
    with open(policy) as f:
        text = f.read()
    with open(policy, "w") as f:
        f.write(text.replace("name: it-adhoc-name", "name: it-adhoc-other"))
    rc, out, err = env.run([env.cordon, "connect", "it-adhoc-name", "removable-media"])
    expect(rc == 1 and "now names itself 'it-adhoc-other'" in err and "connected" not in out,
           f"connect after a rename: exit {rc}: {out} {err}")
    rc, out, err = env.run([env.cordon, "connections", "--json"])
    expect(rc == 0 and not any(r["app"] == "it-adhoc-other" for r in json.loads(out)["connections"]),
           f"the renamed app got a connection: {out}")
