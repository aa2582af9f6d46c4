"""Who the app is: empty capability sets, no_new_privs, the invoker's uid (or the user root names),
its own hostname, pids, environment and session keyring, no inherited descriptors. Root's apps do
not run as host root (docs/security.md item 7; runtime/sandbox/private_ids.h): an app root launches
runs as uid 0 of a range of host ids of its own, so it reads nothing that only host root may read,
whatever a mask list knows of. Each with its positive control."""
import grp
import os
import shutil
import subprocess

import pwd

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, run_probe, Skip, ...)


@test
def a_root_launched_app_reads_no_root_only_file(env):
    """A 0600 root file anywhere in the app's view (here in a folder it is granted) is unreadable
    for root's uid-0 app; host root reads it (the control), and the app's own data stays its own."""
    if not env.is_root:
        raise Skip("only root's apps ran as host root; a user's apps are that user")
    tree = env.fresh_tree("rootonly")
    secret = os.path.join(tree, "secret")
    with open(secret, "w") as f:
        f.write("root only\n")
    os.chmod(secret, 0o600)
    script = (f"cat {secret} >/dev/null 2>&1 && echo secret=read || echo secret=refused; "
              "echo uid=$(id -u); echo x > $HOME/mine && echo data=written; "
              "read inside outside count < /proc/self/uid_map; echo host_uid=$outside")
    policy = env.write_policy("it-rootonly", f"schema: 1\nname: it-rootonly\ncommand: [/bin/sh, -c, '{script}']\n"
                                             f"filesystem:\n  read-only: [{tree}]\n")
    rc, out, err = env.cordon_run(policy)
    f = facts(out)
    expect(rc == 0 and f.get("uid") == "0" and f.get("data") == "written", f"exit {rc}: {out} {err}")
    expect(f.get("secret") == "refused", f"root's app read a root-only file: {out}")
    base, _ = env.app_ids("it-rootonly")
    expect(f.get("host_uid") == "1" and base >= 0x70000000, f"not a range of its own: {out}, base {base}")
    expect(os.stat(os.path.join(env.data_dir("it-rootonly"), "mine")).st_uid == base, "the app's file is not its own")
    rc, out, err = env.run(["/bin/sh", "-c", script.replace("$HOME", "/tmp")])
    expect(facts(out).get("secret") == "read", f"control: host root reads it: {out} {err}")


@test
def root_data_from_an_earlier_cordon_is_adopted_without_following_links(env):
    """Data an earlier cordon left owned by host root is handed to the app's own ids at its next
    launch (the control: the app reads its old file), but never through a link: a symbolic link is
    changed as itself, and a file with another hard link (a root file elsewhere) is left alone."""
    if not env.is_root:
        raise Skip("only root's apps ran as host root")
    data = "/var/lib/cordon/data/it-adopt"
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data, mode=0o700)
    with open(os.path.join(data, "old.txt"), "w") as f:
        f.write("from before\n")
    victim = os.path.join(env.fresh_tree("adopt-outside"), "victim")
    with open(victim, "w") as f:
        f.write("root's\n")
    os.chmod(victim, 0o600)
    os.link(victim, os.path.join(data, "hard"))
    os.symlink(victim, os.path.join(data, "link"))
    policy = env.write_policy("it-adopt", "schema: 1\nname: it-adopt\ncommand: [/bin/cat, /var/lib/cordon/data/it-adopt/old.txt]\n")
    rc, out, err = env.cordon_run(policy)
    expect(rc == 0 and "from before" in out, f"control: the app reads its old data: exit {rc}: {out} {err}")
    base, _ = env.app_ids("it-adopt")
    expect(os.stat(data).st_uid == base and os.stat(os.path.join(data, "old.txt")).st_uid == base, "not adopted")
    expect(os.lstat(os.path.join(data, "link")).st_uid == base, "the link itself was not adopted")
    expect(os.stat(victim).st_uid == 0, "a root file outside the data was given to the app through a link")
    shutil.rmtree(data, ignore_errors=True)


# ---- the core invariants of DESIGN.md ("Confinement each launch must give") -----------------

@test
def identity_caps_nnp_hostname_fds(env):
    """Empty capability sets, no_new_privs, the invoker's uid, hostname = app name, no fd beyond 2."""
    r, w = os.pipe()  # an extra descriptor cordon is started with: it must not reach the app
    try:
        rc, out, err = env.cordon_run(env.policy("it-identity", f"[{env.probe('probe_identity')}]"), pass_fds=(w,))
        outside = facts(env.run([env.probe("probe_identity")], pass_fds=(w,))[1])
    finally:
        os.close(r)
        os.close(w)
    expect(rc == 0, f"exit {rc}: {err}")
    f = facts(out)
    for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        expect(f.get(cap) == ZERO_CAPS, f"{cap}={f.get(cap)}")
    expect(f.get("NoNewPrivs") == "1", f"NoNewPrivs={f.get('NoNewPrivs')}")
    expect(f.get("uid") == str(env.pw.pw_uid), f"uid={f.get('uid')}")
    expect(f.get("hostname") == "it-identity", f"hostname={f.get('hostname')}")
    expect(f.get("extra_fds") == "0", f"extra_fds={f.get('extra_fds')}")
    # positive control: outside, the same probe sees the fd, the host's name, and (root) capabilities
    expect(outside.get("extra_fds") != "0", "control: the extra fd should be visible outside")
    expect(outside.get("hostname") != "it-identity", "control: host name differs")
    expect(outside.get("NoNewPrivs") == "0", "control: no_new_privs is off outside")
    if env.is_root:
        expect(outside.get("CapEff") != ZERO_CAPS, "control: root has capabilities outside")


@test
def a_policy_cannot_keep_descriptors_open(env):
    """Descriptors are marked close-on-exec before the filter is loaded: a policy that denies
    close_range cannot make cordon leak them into the app; one that denies what init
    needs under the filter (kill, wait4) is refused."""
    r, w = os.pipe()
    try:
        policy = env.policy("it-fds", f"[{env.probe('probe_identity')}]", "seccomp: {deny: [close_range]}\n")
        rc, out, err = env.cordon_run(policy, pass_fds=(w,))
    finally:
        os.close(r)
        os.close(w)
    expect(rc == 0 and facts(out).get("extra_fds") == "0", f"exit {rc}, extra_fds={facts(out).get('extra_fds')}: {err}")
    rc, out, err = env.cordon_run(env.policy("it-nokill", "[/bin/true]", "seccomp: {deny: [kill]}\n"))
    expect(rc == 125 and "'kill' cannot be denied" in err, f"exit {rc}: {err}")
    # controls: the probe sees a descriptor it inherits (outside), and denying a call init does not
    # need is accepted (so the refusal above is about kill)
    r, w = os.pipe()
    try:
        outside = facts(env.run([env.probe("probe_identity")], pass_fds=(w,))[1])
    finally:
        os.close(r)
        os.close(w)
    expect(outside.get("extra_fds") not in (None, "0"), f"control: outside extra_fds={outside.get('extra_fds')}")
    rc, out, err = env.cordon_run(env.policy("it-nokill", "[/bin/true]", "seccomp: {deny: [close_range]}\n"))
    expect(rc == 0, f"control: denying close_range: exit {rc}: {err}")


@test
def host_processes_invisible(env):
    inside = run_probe(env, "it-procs", "probe_procs")
    outside = run_outside(env, "probe_procs")
    expect(int(inside["visible_pids"]) <= 3, f"inside sees {inside['visible_pids']} pids")
    expect(int(outside["visible_pids"]) > 10, f"control: outside sees {outside['visible_pids']} pids")


@test
def environment_is_the_plans(env):
    rc, out, err = env.cordon_run(env.policy("it-env", "[/usr/bin/env]"))
    expect(rc == 0, err)
    names = sorted(l.split("=", 1)[0] for l in out.splitlines() if "=" in l)
    expect("SECRET_FROM_HOST" not in names, f"host variable leaked: {names}")
    expect(names == ["APP_DATA", "HOME", "LANG", "PATH"], f"environment: {names}")
    values = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
    expect(values["APP_DATA"] == env.data_dir("it-env") == values["HOME"], f"APP_DATA: {values}")
    rc, out, _ = env.run(["/usr/bin/env"])
    expect("SECRET_FROM_HOST=leak" in out, "control: the variable is set outside")


@test
def root_runs_app_as_named_user(env):
    user = os.environ.get("CORDON_TEST_USER", "cordon-test")
    policy = env.policy("it-as-user", f"[{env.probe('probe_identity')}]")
    if not env.is_root:
        rc, _, err = env.cordon_run_opts(["--user", "root"], policy)
        expect(rc == 125 and "only root may choose the user" in err, f"exit {rc}: {err}")
        # control: without --user the same launch runs, as the invoker
        rc, out, err = env.cordon_run(policy)
        expect(rc == 0 and facts(out).get("uid") == str(env.pw.pw_uid), f"control: exit {rc}: {err}")
        return
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        raise Skip(f"no user {user}")
    shutil.rmtree("/var/lib/cordon/data/it-as-user", ignore_errors=True)
    rc, out, err = env.cordon_run_opts(["--user", user], policy)
    f = facts(out)
    expect(rc == 0, f"exit {rc}: {err}")
    expect((f.get("uid"), f.get("gid")) == (str(pw.pw_uid), str(pw.pw_gid)), f"ids: {f.get('uid')}:{f.get('gid')}")
    for cap in ("CapPrm", "CapEff", "CapBnd"):
        expect(f.get(cap) == ZERO_CAPS, f"{cap}={f.get(cap)}")
    st = os.stat("/var/lib/cordon/data/it-as-user")
    expect(st.st_uid == pw.pw_uid, "the app user owns its data")
    # control: without --user the same app runs as root
    control = env.policy("it-as-root", f"[{env.probe('probe_identity')}]")
    expect(facts(env.cordon_run(control)[1]).get("uid") == "0", "control: root by default")


@test
def root_naming_a_user_gives_the_app_that_users_groups(env):
    """`cordon run --user NAME` as root: the app has NAME's supplementary groups (as runuser and
    systemd's User= give them), so a file or a device open to one of its groups (a serial port's
    `dialout`) opens; root's own groups stay behind. Control: the same run while the user is not in
    the group is refused. Root only: only root may name the user."""
    if not env.is_root:
        raise Skip("only root may name the user an app runs as (`--user`)")
    user = os.environ.get("CORDON_TEST_USER", "cordon-test")
    group = "cordon-it-grp"
    tree = env.fresh_tree("groups")
    secret = os.path.join(tree, "for-the-group")
    with open(secret, "w") as f:
        f.write("group-only\n")
    subprocess.run(["groupdel", group], capture_output=True)
    subprocess.run(["groupadd", group], check=True, capture_output=True)
    try:
        gid = grp.getgrnam(group).gr_gid
        os.chown(secret, 0, gid)
        os.chmod(secret, 0o640)
        os.chmod(tree, 0o755)
        policy = env.write_policy("it-groups", "schema: 1\nname: it-groups\n"
                                  f"command: [/bin/sh, -c, 'id -G; cat {secret}']\n"
                                  f"filesystem:\n  read-only: [{tree}]\n")
        shutil.rmtree("/var/lib/cordon/data/it-groups", ignore_errors=True)
        rc, out, err = env.cordon_run_opts(["--user", user], policy)
        expect("group-only" not in out, f"control: read without the group: {out} {err}")
        subprocess.run(["gpasswd", "-a", user, group], check=True, capture_output=True)
        rc, out, err = env.cordon_run_opts(["--user", user], policy)
        groups = out.split("\n", 1)[0].split()
        expect(rc == 0 and "group-only" in out and str(gid) in groups and "0" not in groups,
               f"with the group: exit {rc}: {out} {err}")
    finally:
        subprocess.run(["groupdel", group], capture_output=True)


@test
def private_session_keyring(env):
    """The app joins a new session keyring: the invoker's keys are not reachable."""
    # One shell, so that outside and inside start from the same session keyring (runuser's PAM
    # session makes a new one per invocation).
    probe, policy = env.probe("probe_keyring"), env.policy("it-keys", f"[{env.probe('probe_keyring')}]")
    rc, out, err = env.run(["/bin/sh", "-c", f"{probe}; {env.cordon} run {policy}"])
    expect(rc == 0, err)
    outside, inside = [l.split("=", 1)[1] for l in out.splitlines() if l.startswith("session=")]
    # control: two processes in that shell share it
    rc, out, _ = env.run(["/bin/sh", "-c", f"{probe}; {probe}"])
    first, second = [l.split("=", 1)[1] for l in out.splitlines() if l.startswith("session=")]
    expect(first == second, "control: processes outside cordon share the session keyring")
    expect(inside != outside, f"the app shares the invoker's session keyring ({inside})")
