"""Paths decided on what they resolve to, not on how a policy spells them (docs/security.md, items 1
and 2): an app's own grants never reach a home, cordon's state or another app's data; a hide hides
whatever is there — a directory, a file, a symbolic link (and what it points at), a socket, a FIFO;
the home plug does not hand out the user's keys or agent sockets. And the apps' own data and
cordon's state: each app's data is its own and persists, cordon's state (wherever XDG puts it)
is never visible or replaceable, an app name belongs to the policy file that first ran it."""
import errno
import os
import shutil
import socket
import subprocess

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, run_probe, Skip, ...)

# Run inside and outside the sandbox: each attempt prints NAME=ok or NAME=<errno name>.
ATTEMPTS = r'''
import errno, os, socket, sys

def attempt(name, fn):
    try:
        fn()
        print(name + "=ok")
    except OSError as e:
        print(name + "=" + errno.errorcode.get(e.errno, str(e.errno)))

def read(path):
    with open(path) as f:
        f.read()

def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    finally:
        s.close()

def write_fifo(path):
    fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(fd, b"from the app\n")
    finally:
        os.close(fd)

actions = {"read": read, "connect": connect, "fifo": write_fifo}
for arg in sys.argv[1:]:
    kind, name, path = arg.split(":", 2)
    attempt(name, lambda: actions[kind](path))
'''


def attempts_script(env):
    """The script above, where every app may read it (the probes' own folder is granted)."""
    path = os.path.join(env.probes, f"attempts-{env.name}.py")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(ATTEMPTS)
        os.chmod(path, 0o644)
    return path


def attempts_policy(env, name, read_only=(), hide=(), plugs=()):
    """An app that runs the attempts script; it may read the probes' folder and `read_only`."""
    text = (f"schema: 1\nname: {name}\ncommand: [/usr/bin/python3, {attempts_script(env)}]\n"
            f"filesystem:\n  read-only: [{', '.join([env.probes, *read_only])}]\n")
    if hide:
        text += f"  hide: [{', '.join(hide)}]\n"
    if plugs:
        text += f"plugs: [{', '.join(plugs)}]\n"
    return env.write_policy(name, text)


def listening_socket(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    return s


def run_with(env, variables, policy, *args):
    """`cordon run` with some variables of the invoker's environment changed (HOME, XDG_*)."""
    pairs = [f"{k}={v}" for k, v in variables.items()]
    return env.run(["env", *pairs, env.cordon, "run", policy, "--", *args])


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


@test
def an_apps_own_grant_cannot_name_a_home_by_its_literal_path(env):
    """A home outside /home (Fedora Atomic's /var/home, /srv, ...) is still a home: an app policy
    that grants it, or a folder in it, read-write or read-only, or reaches it through a bind-mounted
    alias, is refused at launch and by `cordon check` at the line. The control: the same grant of a
    folder that is nobody's home is mounted, and the write goes through."""
    home = env.fresh_tree("lithome", "Documents")
    other = env.fresh_tree("nothome")
    write(os.path.join(home, ".profile"), "# the user's profile\n")
    write(os.path.join(other, ".profile"), "# not a home\n")
    env.give(home)
    env.give(other, "it-lithome")

    def policy(access, path):
        return env.write_policy("it-lithome", "schema: 1\nname: it-lithome\n"
                                f"command: [/bin/sh, -c, 'echo pwned >> {path}/.profile']\n"
                                f"filesystem:\n  {access}: [{path}]\n")

    for access in ("read-write", "read-only"):
        for path in (home, home + "/Documents"):
            rc, out, err = run_with(env, {"HOME": home}, policy(access, path))
            expect(rc == 125 and "the home of" in err, f"{access} {path} was not refused: exit {rc}: {err}")
    rc, out, err = env.run(["env", f"HOME={home}", env.cordon, "check", policy("read-write", home)])
    expect(rc == 1 and "it-lithome.yaml:5:16: error:" in err and "the home of" in err, f"check: exit {rc}: {err}")
    with open(os.path.join(home, ".profile")) as f:
        expect(f.read() == "# the user's profile\n", "the home's .profile was written")

    if os.getuid() == 0:  # a bind-mounted alias of the home: the same directory by another path
        alias = env.fresh_tree("alias")
        subprocess.run(["mount", "--bind", home, alias], check=True)
        try:
            rc, out, err = run_with(env, {"HOME": home}, policy("read-only", alias + "/Documents"))
            expect(rc == 125 and "reached by another path" in err, f"the alias was not refused: exit {rc}: {err}")
        finally:
            subprocess.run(["umount", alias], check=True)

    rc, out, err = run_with(env, {"HOME": home}, policy("read-write", other))
    with open(os.path.join(other, ".profile")) as f:
        written = f.read()
    expect(rc == 0 and "pwned" in written, f"control: a folder that is nobody's home is granted: exit {rc}: {err}")


@test
def a_grant_that_contains_a_home_shows_everything_but_the_home(env):
    """Granting the folder the homes live in (/srv, /var/home) shows its other content, never a home
    inside it; outside the sandbox both are readable (the control)."""
    parent = env.fresh_tree("homes", "alice", "shared")
    write(os.path.join(parent, "alice", "secret.txt"), "alice's\n")
    write(os.path.join(parent, "shared", "public.txt"), "everyone's\n")
    env.give(parent)
    script = attempts_script(env)
    checks = [f"read:public:{parent}/shared/public.txt", f"read:secret:{parent}/alice/secret.txt"]
    policy = attempts_policy(env, "it-homes", read_only=[parent])
    rc, out, err = run_with(env, {"HOME": f"{parent}/alice"}, policy, *checks)
    f = facts(out)
    expect(rc == 0 and f.get("public") == "ok", f"the folder's own content is missing: exit {rc}: {out} {err}")
    expect(f.get("secret") not in (None, "ok"), f"the home inside the grant was readable: {out}")
    outside = facts(env.run(["/usr/bin/python3", script, *checks])[1])
    expect(outside.get("secret") == "ok", f"control: readable outside: {outside}")


@test
def another_apps_data_cannot_be_granted_by_its_literal_path(env):
    """The data of another app, named by its literal path (even where XDG_DATA_HOME puts it outside
    the home), is refused, read-only as well; the app itself still reads its own (the control)."""
    xdg = env.fresh_tree("xdgdata")
    env.give(xdg)
    variables = {} if env.is_root else {"XDG_DATA_HOME": xdg}
    victim = env.write_policy("it-victim", "schema: 1\nname: it-victim\n"
                              "command: [/bin/sh, -c, 'echo s3cret > $HOME/secret; cat $HOME/secret']\n")
    rc, out, err = run_with(env, variables, victim)
    expect(rc == 0 and "s3cret" in out, f"control: the app writes and reads its own data: exit {rc}: {out} {err}")
    data = "/var/lib/cordon/data/it-victim" if env.is_root else os.path.join(xdg, "cordon/data/it-victim")
    thief = env.write_policy("it-thief", "schema: 1\nname: it-thief\n"
                             f"command: [/bin/cat, {data}/secret]\nfilesystem:\n  read-only: [{data}]\n")
    rc, out, err = run_with(env, variables, thief)
    expect(rc == 125 and "s3cret" not in out and "cordon" in err, f"another app's data was granted: exit {rc}: {out} {err}")


def make_ipc_tree(env, name):
    """A tree with a symbolic link to a key folder, a listening socket and a FIFO with a reader."""
    tree = env.fresh_tree(name, "real-ssh")
    write(os.path.join(tree, "real-ssh", "id_key"), "PRIVATE KEY\n")
    os.symlink(os.path.join(tree, "real-ssh"), os.path.join(tree, ".ssh"))
    listener = listening_socket(os.path.join(tree, "agent.sock"))
    os.mkfifo(os.path.join(tree, "fifo"))
    env.give(tree)
    # open to every uid, so that the controls reach them even as root's app (its own host ids)
    os.chmod(os.path.join(tree, "agent.sock"), 0o777)
    os.chmod(os.path.join(tree, "fifo"), 0o666)
    reader = os.open(os.path.join(tree, "fifo"), os.O_RDONLY | os.O_NONBLOCK)
    return tree, listener, reader


def drain(fd):
    try:
        return os.read(fd, 4096)
    except BlockingIOError:
        return b""


@test
def hides_cover_links_sockets_and_fifos(env):
    """`hide` hides what is there whatever it is: a symbolic link (and what it points at), a socket
    (no connect), a FIFO (no bytes reach the host's reader). The controls: outside, and inside with
    the same tree granted read-only but not hidden, every attempt goes through — a read-only bind
    alone does not stop IPC, which is why the home plug hides the agents' folders."""
    tree, listener, reader = make_ipc_tree(env, "ipc")
    try:
        script = attempts_script(env)
        checks = [f"read:key:{tree}/.ssh/id_key", f"read:target:{tree}/real-ssh/id_key",
                  f"connect:agent:{tree}/agent.sock", f"fifo:fifo:{tree}/fifo"]
        hidden = attempts_policy(env, "it-hides", read_only=[tree],
                                 hide=[f"{tree}/.ssh", f"{tree}/agent.sock", f"{tree}/fifo"])
        rc, out, err = env.cordon_run(hidden, *checks)
        f = facts(out)
        expect(rc == 0, f"exit {rc}: {err}")
        for name in ("key", "target", "agent", "fifo"):
            expect(f.get(name) not in (None, "ok"), f"hidden {name} was reachable: {out} {err}")
        expect(drain(reader) == b"", "the host's FIFO reader got the app's bytes")
        rc, out, err = env.run(["env", env.cordon, "explain", hidden])
        expect(f"{tree}/agent.sock" in out, f"explain does not list the hidden socket: {out}")

        shown = attempts_policy(env, "it-shown", read_only=[tree])
        f = facts(env.cordon_run(shown, *checks)[1])
        expect(f.get("agent") == "ok" and f.get("fifo") == "ok",
               f"control: not hidden, the socket and the FIFO are reachable inside: {f}")
        drain(reader)
        f = facts(env.run(["/usr/bin/python3", script, *checks])[1])
        expect(all(f.get(n) == "ok" for n in ("key", "target", "agent", "fifo")), f"control: outside: {f}")
    finally:
        listener.close()
        os.close(reader)


@test
def the_home_plug_does_not_hand_out_keys_or_agent_sockets(env):
    """An app with the home plug reads the user's documents, but not ~/.ssh or ~/.gnupg: no private
    key, no gpg-agent socket, no ssh ControlMaster socket. The control: outside, all are reachable."""
    home = env.fresh_tree("agenthome", ".ssh", ".gnupg", "Documents", ".config/git", "snap/firefox/common/.mozilla")
    write(os.path.join(home, "Documents", "notes.txt"), "notes\n")
    write(os.path.join(home, ".ssh", "id_ed25519"), "PRIVATE KEY\n")
    # Since the escape probes: the X cookie (a login to a display on TCP), git's XDG credential
    # store, a Snap browser's profile, a registry token.
    write(os.path.join(home, ".Xauthority"), "X COOKIE\n")
    write(os.path.join(home, ".config/git/credentials"), "https://u:token@host\n")
    write(os.path.join(home, "snap/firefox/common/.mozilla/logins.json"), "{}\n")
    write(os.path.join(home, ".npmrc"), "//registry/:_authToken=t\n")
    cookies = {"xauth": ".Xauthority", "gitcred": ".config/git/credentials",
               "snapfox": "snap/firefox/common/.mozilla/logins.json", "npmrc": ".npmrc"}
    agent = listening_socket(os.path.join(home, ".gnupg", "S.gpg-agent"))
    master = listening_socket(os.path.join(home, ".ssh", "cm-user@host:22"))
    env.give(home)
    try:
        script = attempts_script(env)
        checks = [f"read:notes:{home}/Documents/notes.txt", f"read:key:{home}/.ssh/id_ed25519",
                  f"connect:gpg:{home}/.gnupg/S.gpg-agent", f"connect:master:{home}/.ssh/cm-user@host:22"]
        checks += [f"read:{name}:{home}/{path}" for name, path in cookies.items()]
        policy = attempts_policy(env, "it-homeplug", plugs=["home"])
        rc, out, err = run_with(env, {"HOME": home}, policy, *checks)
        f = facts(out)
        expect(rc == 0 and f.get("notes") == "ok", f"the home's documents are missing: exit {rc}: {out} {err}")
        for name in ("key", "gpg", "master", *cookies):
            expect(f.get(name) not in (None, "ok"), f"{name} was reachable with the home plug: {out}")
        f = facts(env.run(["/usr/bin/python3", script, *checks])[1])
        expect(all(f.get(n) == "ok" for n in ("notes", "key", "gpg", "master", *cookies)), f"control: outside: {f}")
    finally:
        agent.close()
        master.close()


@test
def a_bind_mount_of_the_root_shows_no_home(env):
    """A grant of a bind mount of / (or of a btrfs top-level subvolume) would show every home under
    another path: what the mount table says shows a home inside the grant is hidden. The controls:
    the same file is readable outside, and the rest of the alias (its /etc) is readable inside."""
    if os.getuid() != 0:
        raise Skip("making the bind mount needs root")
    home = "/home/it-alias-probe"
    os.makedirs(home, exist_ok=True)
    os.chmod(home, 0o755)
    write(os.path.join(home, "secret"), "someone's\n")
    os.chmod(os.path.join(home, "secret"), 0o644)
    alias = env.fresh_tree("rootalias")
    subprocess.run(["mount", "--bind", "/", alias], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", alias], check=True)
        checks = [f"read:secret:{alias}{home}/secret", f"read:etc:{alias}/etc/hostname"]
        policy = attempts_policy(env, "it-alias", read_only=[alias])
        rc, out, err = env.cordon_run(policy, *checks)
        f = facts(out)
        expect(rc == 0 and f.get("etc") == "ok", f"the alias itself is missing: exit {rc}: {out} {err}")
        expect(f.get("secret") not in (None, "ok"), f"a home showed through the alias: {out}")
        outside = facts(env.run(["/usr/bin/python3", attempts_script(env), *checks])[1])
        expect(outside.get("secret") == "ok", f"control: readable outside: {outside}")
    finally:
        subprocess.run(["umount", alias], check=True)
        shutil.rmtree(home, ignore_errors=True)


@test
def an_app_cannot_rewrite_its_own_policy(env):
    """`cordon run ./app.yaml` in a folder the policy grants read-write: the policy file itself is
    kept read-only, so the app cannot widen what its next launch grants. The control: the file
    beside it is written."""
    tree = env.fresh_tree("selfpolicy")
    env.give(tree, "it-selfpolicy")
    path = os.path.join(tree, "app.yaml")
    script = (f"echo \"plugs: [home, network]\" >> {path} && echo policy=written || echo policy=refused; "
              f"echo x > {tree}/other && echo other=written")
    original = (f"schema: 1\nname: it-selfpolicy\ncommand: [/bin/sh, -c, '{script}']\n"
                f"filesystem:\n  read-write: [{tree}]\n")
    write(path, original)
    os.chmod(path, 0o666)  # writable by the app's uid whoever runs it: only the mount may refuse
    rc, out, err = env.cordon_run(path)
    f = facts(out)
    expect(rc == 0 and f.get("other") == "written", f"control: the grant is writable: exit {rc}: {out} {err}")
    expect(f.get("policy") == "refused", f"the app rewrote its own policy: {out}")
    with open(path) as fh:
        expect(fh.read() == original, "the policy file changed")


@test
def another_policy_file_cannot_take_an_app_name_and_its_data(env):
    """An app's name, and so its $APP_DATA, belongs to the policy file that first used it: another
    ad-hoc file that says the same `name:` is refused and never sees the data. The control: the
    first file runs again and reads its data."""
    first = env.write_policy("it-namesake", "schema: 1\nname: it-namesake\n"
                             "command: [/bin/sh, -c, 'test -f $HOME/token || echo TOKEN-1 > $HOME/token; cat $HOME/token']\n")
    other_dir = env.fresh_tree("namesake")
    second = os.path.join(other_dir, "evil.yaml")
    write(second, "schema: 1\nname: it-namesake\ncommand: [/bin/cat, /proc/self/cwd/token]\n")
    os.chmod(second, 0o644)
    rc, out, err = env.cordon_run(first)
    expect(rc == 0 and "TOKEN-1" in out, f"the first file's run: exit {rc}: {out} {err}")
    rc, out, err = env.cordon_run(second)
    expect(rc == 125 and "TOKEN" not in out and "belong to the policy file" in err, f"exit {rc}: {out} {err}")
    rc, out, err = env.cordon_run(first)
    expect(rc == 0 and "TOKEN-1" in out, f"control: the owner still runs: exit {rc}: {out} {err}")


@test
def state_moved_by_xdg_variables_stays_hidden_without_them(env):
    """cordon's state that XDG_DATA_HOME put elsewhere in one launch stays hidden in a later launch
    without the variable (the home plug shows the home): the default data directory lists it. The
    control: outside, the secret is readable."""
    if env.is_root:
        raise Skip("root ignores the XDG variables; its state is under /etc and /var")
    moved = os.path.join(env.pw.pw_dir, ".xdg-moved-it")
    shutil.rmtree(moved, ignore_errors=True)
    os.makedirs(moved)
    os.chown(moved, env.pw.pw_uid, env.pw.pw_gid)
    writer = env.write_policy("it-moved", "schema: 1\nname: it-moved\ncommand: [/bin/sh, -c, 'echo s3cret > $HOME/secret']\n")
    rc, out, err = run_with(env, {"XDG_DATA_HOME": moved}, writer)
    secret = os.path.join(moved, "cordon/data/it-moved/secret")
    expect(rc == 0 and os.path.exists(secret), f"the moved app's data: exit {rc}: {err}")
    reader = attempts_policy(env, "it-moved-reader", plugs=["home"])
    rc, out, err = env.cordon_run(reader, f"read:secret:{secret}")
    f = facts(out)
    expect(rc == 0 and f.get("secret") not in (None, "ok"), f"moved state readable without the variable: {out} {err}")
    outside = facts(env.run(["/usr/bin/python3", attempts_script(env), f"read:secret:{secret}"])[1])
    expect(outside.get("secret") == "ok", f"control: readable outside: {outside}")
    shutil.rmtree(moved, ignore_errors=True)


@test
def an_app_cannot_swap_the_policy_its_next_launch_reads(env):
    """Inside a folder the app may write: a policy named through a symbolic link there is refused
    (the app could point the link at another policy), and so is a grant of a folder cordon looks up
    policies in (CORDON_POLICY_PATH). The control: the same policy by its real path runs."""
    tree = env.fresh_tree("swap")
    env.give(tree, "it-swap")
    real = os.path.join(tree, "it-swap.yaml")
    write(real, f"schema: 1\nname: it-swap\ncommand: [/bin/true]\nfilesystem:\n  read-write: [{tree}]\n")
    os.chmod(real, 0o644)
    link = os.path.join(tree, "current.yaml")
    os.symlink("it-swap.yaml", link)
    rc, out, err = env.cordon_run(link)
    expect(rc == 125 and "symbolic link" in err and link in err, f"a policy named through a writable link ran: exit {rc}: {err}")
    by_name = os.path.join(tree, "it-swapname.yaml")
    write(by_name, f"schema: 1\nname: it-swapname\ncommand: [/bin/true]\nfilesystem:\n  read-write: [{tree}]\n")
    os.chmod(by_name, 0o644)
    rc, out, err = env.run(["env", f"CORDON_POLICY_PATH={tree}", env.cordon, "run", "it-swapname"])
    expect(rc == 125 and "reads its policies" in err, f"a policy folder the app may write was granted: exit {rc}: {err}")
    rc, out, err = env.cordon_run(real)
    expect(rc == 0, f"control: by its real path the policy runs: exit {rc}: {err}")


@test
def an_app_cannot_rewrite_the_catalogue_or_cordon_itself(env):
    """What every launch reads beside the policies: the syscall catalogue (it decides every app's
    filter), cordon's data folder and its own executable's folder. A policy that grants any of them
    read-write is refused, whoever owns the install (an escape probe rewrote a user-owned install's
    catalogue, and its cordon, from inside an app). The control: the same policy with a folder of
    its own read-write runs."""
    install = os.path.dirname(os.path.dirname(env.cordon))  # the harness's copy: bin/ and share/cordon
    for target in (os.path.join(install, "share/cordon/syscall-sets.yaml"), os.path.join(install, "share/cordon"),
                   os.path.join(install, "bin"), env.cordon):
        policy = env.write_policy("it-inputs", f"schema: 1\nname: it-inputs\ncommand: [/bin/true]\n"
                                               f"filesystem:\n  read-write: [{target}]\n")
        rc, out, err = env.cordon_run(policy)
        expect(rc == 125 and "could then rewrite" in err, f"{target} granted read-write: exit {rc}: {err}")
    own = env.fresh_tree("inputs")
    env.give(own, "it-inputs")
    policy = env.write_policy("it-inputs", f"schema: 1\nname: it-inputs\ncommand: [/bin/true]\n"
                                           f"filesystem:\n  read-write: [{own}]\n")
    rc, out, err = env.cordon_run(policy)
    expect(rc == 0, f"control: a folder of its own read-write: exit {rc}: {err}")


# ---- the core invariants of DESIGN.md ("Confinement each launch must give") -----------------

@test
def other_apps_data_unreachable(env):
    a_data = env.data_dir("it-owner")
    rc, _, err = env.cordon_run(env.policy("it-owner", "[/bin/sh, -c, 'echo s3cret > \"$HOME/secret\"']"))
    expect(rc == 0, f"owner app: {rc} {err}")
    inside = run_probe(env, "it-intruder", "probe_access", a_data, a_data + "/secret")
    expect(inside[f"exists {a_data}"] == "ENOENT", f"another app's data visible: {inside[f'exists {a_data}']}")
    outside = run_outside(env, "probe_access", a_data + "/secret")
    expect(outside[f"exists {a_data}/secret"] == "ok", "control: the file exists on the host")


@test
def home_plug_keeps_cordon_state_hidden(env):
    """With the home plug the app sees the home, but not cordon's state in it; its own data still works."""
    state = os.path.dirname(os.path.dirname(env.data_dir("x")))  # .../cordon
    env.cordon_run(env.policy("it-neighbour", "[/bin/sh, -c, 'echo n > \"$HOME/n\"']"))
    neighbour = env.data_dir("it-neighbour")
    f = run_probe(env, "it-homeplug", "probe_access", env.pw.pw_dir, state, neighbour, env.data_dir("it-homeplug"),
                  extra="plugs: [home]\n")
    expect(f[f"exists {env.pw.pw_dir}"] == "ok", "the home plug shows the home")
    refusals = ("EROFS", "EACCES") if env.is_root else ("EROFS",)  # /root is host root's, not the app's
    expect(f[f"write {env.pw.pw_dir}"] in refusals, f"home is read-only: {f[f'write {env.pw.pw_dir}']}")
    if not env.is_root:  # root's state (/var/lib/cordon) is outside the home: not bound at all
        expect(f[f"read {state}"] == "EACCES", f"cordon's state can be listed: {f[f'read {state}']}")
    expect(f[f"exists {neighbour}"] == "ENOENT", f"another app's data: {f[f'exists {neighbour}']}")
    expect(f[f"write {env.data_dir('it-homeplug')}"] == "ok", "own $APP_DATA must stay writable")
    outside = run_outside(env, "probe_access", neighbour, state)
    expect(outside[f"exists {neighbour}"] == "ok", "control: the neighbour's data exists on the host")
    if not env.is_root:
        expect(outside[f"read {state}"] == "ok", f"control: the user lists its cordon state outside: {outside[f'read {state}']}")


@test
def app_data_persists(env):
    shutil.rmtree(env.data_dir("it-counter"), ignore_errors=True)
    policy = env.policy("it-counter", "[/bin/sh, -c, 'n=$(cat \"$HOME/n\" 2>/dev/null || echo 0); echo $((n+1)) > \"$HOME/n\"; echo run=$((n+1))']")
    first = facts(env.cordon_run(policy)[1]).get("run")
    second = facts(env.cordon_run(policy)[1]).get("run")
    expect((first, second) == ("1", "2"), f"runs: {first}, {second}")
    st = os.stat(env.data_dir("it-counter"))
    expect(st.st_uid == env.app_ids("it-counter")[0] and (st.st_mode & 0o777) == 0o700,
           f"owner {st.st_uid} mode {oct(st.st_mode)}")


@test
def symlinked_app_data_refused(env):
    data = env.data_dir("it-link")
    shutil.rmtree(data, ignore_errors=True)
    if os.path.islink(data):
        os.unlink(data)
    os.makedirs(os.path.dirname(data), exist_ok=True)
    os.symlink("/etc", data)
    try:
        rc, _, err = env.cordon_run(env.policy("it-link", "[/bin/true]"))
    finally:
        os.unlink(data)
    expect(rc == 125 and "not a directory" in err, f"exit {rc}: {err}")
    # control: without the link, the same policy runs (the refusal was the link's)
    rc, _, err = env.cordon_run(env.policy("it-link", "[/bin/true]"))
    expect(rc == 0, f"control: exit {rc}: {err}")


@test
def adhoc_file_cannot_take_an_installed_name(env):
    apps = os.path.join(env.root, "share/cordon/apps")
    installed = os.path.join(apps, "it-installed.yaml")
    if not os.path.exists(installed):
        os.makedirs(apps, exist_ok=True)
        with open(installed, "w") as f:
            f.write("schema: 1\nname: it-installed\ncommand: [/bin/sh, -c, 'echo who=installed']\n")
        os.chmod(apps, 0o755)
        os.chmod(installed, 0o644)
    impostor = env.policy("it-installed", "[/bin/sh, -c, 'echo who=impostor']")
    rc, out, err = env.cordon_run(impostor)
    expect(rc == 125 and "belongs to" in err and "who=impostor" not in out, f"exit {rc}: {out} {err}")
    # control: the installed app runs by its name
    rc, out, err = env.run([env.cordon, "run", "it-installed"])
    expect(rc == 0 and "who=installed" in out, f"control: exit {rc}: {out} {err}")


@test
def relocated_xdg_state_hidden(env):
    """cordon's state under a relocated $XDG_DATA_HOME is hidden like the default place."""
    if env.is_root:
        raise Skip("root ignores the XDG variables; its state is in /var/lib and /var/cache")
    xdg = os.path.join(env.pw.pw_dir, ".xdg-it")
    os.makedirs(xdg, exist_ok=True)
    os.chown(xdg, env.pw.pw_uid, env.pw.pw_gid)
    state = os.path.join(xdg, "cordon")
    shutil.rmtree(os.path.join(state, "origins"), ignore_errors=True)  # an earlier run's policy files owned the names
    policy = env.policy("it-xdg", f"[{env.probe('probe_access')}, {state}, {state}/data/it-xdg-other]", "plugs: [home]\n")
    other = env.policy("it-xdg-other", "[/bin/true]")
    cmd = lambda p: ["env", f"XDG_DATA_HOME={xdg}", env.cordon, "run", p]
    env.run(cmd(other))
    rc, out, err = env.run(cmd(policy))
    f = facts(out)
    expect(rc == 0, err)
    expect(f[f"read {state}"] == "EACCES", f"relocated state listable: {f[f'read {state}']}")
    expect(f[f"exists {state}/data/it-xdg-other"] == "ENOENT", "another app's data under the relocated state")
    outside = run_outside(env, "probe_access", f"{state}/data/it-xdg-other")
    shutil.rmtree(xdg, ignore_errors=True)
    expect(outside[f"exists {state}/data/it-xdg-other"] == "ok", "control: it exists on the host")


@test
def state_cannot_be_replaced_around_a_writable_grant(env):
    """An app may write the directory that holds cordon's (relocated) cache and config, but can
    neither rename them away nor create cordon's config there: a planted policy or an allow-all
    filter would be trusted by the next launch."""
    if env.is_root:
        raise Skip("root ignores the XDG variables; its state is under /etc and /var, never granted in a test")
    shared = env.fresh_tree("shared", "cache")
    env.give(shared)
    script = (f"mv {shared}/cache {shared}/moved 2>/dev/null && echo move=done || echo move=refused; "
              f"mkdir -p {shared}/config/cordon/interfaces 2>/dev/null && echo plant=done || echo plant=refused; "
              f"touch {shared}/ok && echo write=ok")
    policy = env.write_policy("it-state", f"schema: 1\nname: it-state\ncommand: [/bin/sh, -c, '{script}']\n"
                                          f"filesystem:\n  read-write: [{shared}]\n")
    cmd = ["env", f"XDG_CACHE_HOME={shared}/cache", f"XDG_CONFIG_HOME={shared}/config", env.cordon, "run", policy]
    rc, out, err = env.run(cmd)
    f = facts(out)
    expect(f.get("write") == "ok", f"control: the grant is writable: exit {rc}: {out} {err}")
    expect(f.get("move") == "refused", f"the cache directory was renamed away: {out}")
    expect(f.get("plant") == "refused", f"cordon's config could be created: {out}")
    expect(os.path.isdir(os.path.join(shared, "config", "cordon")), "the config directory was not made before launch")
    # control: outside the sandbox the same rename works (so the refusal above is the sandbox's)
    rc, out, err = env.run(["/bin/sh", "-c", f"mv {shared}/cache {shared}/moved && mv {shared}/moved {shared}/cache && echo move=done"])
    expect(facts(out).get("move") == "done", f"control: rename outside: {out} {err}")
    shutil.rmtree(shared, ignore_errors=True)


@test
def state_behind_a_symlink_is_hidden(env):
    """A state directory that is a symbolic link (a dotfiles manager's) is hidden at its target too."""
    if env.is_root:
        raise Skip("root ignores the XDG variables; its state is under /etc and /var")
    shared = env.fresh_tree("linked", "dotfiles/cordon/apps", "config")
    target = os.path.join(shared, "dotfiles", "cordon")
    os.symlink(target, os.path.join(shared, "config", "cordon"))
    with open(os.path.join(target, "apps", "secret.yaml"), "w") as fh:
        fh.write("# the user's own policy\n")
    env.give(shared)
    script = f"cat {target}/apps/secret.yaml >/dev/null 2>&1 && echo read=yes || echo read=no"
    policy = env.write_policy("it-linked", f"schema: 1\nname: it-linked\ncommand: [/bin/sh, -c, '{script}']\n"
                                           f"filesystem:\n  read-only: [{shared}]\n")
    rc, out, err = env.run(["env", f"XDG_CONFIG_HOME={shared}/config", env.cordon, "run", policy])
    expect(rc == 0 and facts(out).get("read") == "no", f"the link's target was readable: exit {rc}: {out} {err}")
    rc, out, err = env.run(["/bin/sh", "-c", script])
    expect(facts(out).get("read") == "yes", f"control: readable outside: {out} {err}")
    shutil.rmtree(shared, ignore_errors=True)


@test
def command_arguments_expand_plan_variables(env):
    """`$APP_DATA` and `$HOME` in a command's arguments are the app's (docs/policy-reference.md
    "Variables in arguments"), as `snap run` expands $SNAP_DATA: the file lands in the app's data,
    not in a directory literally named '$APP_DATA'. `$$` passes a literal '$'. An unknown variable is
    refused by `cordon check` at its line before anything runs. The control: the same words given as
    the caller's arguments stay literal."""
    app = "it-argvars"
    policy = env.write_policy(app, f"schema: 1\nname: {app}\n"
                                   "command: [/bin/sh, -c, 'echo \"$1|$2|$3\" > \"$1/made\"; cat \"$1/made\"', sh,\n"
                                   "          $APP_DATA, '${HOME}/x', '$$HOME']\n")
    rc, out, err = env.cordon_run(policy)
    data = env.data_dir(app)
    expect(rc == 0 and out.strip() == f"{data}|{data}/x|$HOME", f"exit {rc}: {out!r} {err}")
    expect(os.path.isfile(os.path.join(data, "made")), "the file did not land in the app's data")
    shell = env.write_policy("it-argvars-shell", "schema: 1\nname: it-argvars-shell\n"
                             "command: [/bin/sh, -c, 'printf \"%s\\n\" \"$@\"', sh]\n")
    rc, out, err = env.cordon_run(shell, "$APP_DATA")
    expect(rc == 0 and out.strip() == "$APP_DATA", f"control: the caller's argument stays literal: {out!r} {err}")
    bad = env.write_policy("it-argvars-bad", "schema: 1\nname: it-argvars-bad\n"
                           "command: [/usr/bin/touch, $APP_DTA/notes.db]\n")
    rc, out, err = env.run([env.cordon, "check", bad])
    expect(rc != 0 and f"{bad}:3:" in err and "unknown variable '$APP_DTA'" in err, f"check: exit {rc}: {err}")
    rc, out, err = env.cordon_run(bad)
    expect(rc == 125 and "unknown variable" in err, f"run: exit {rc}: {err}")
