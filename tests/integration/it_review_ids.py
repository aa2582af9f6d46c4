"""Root's apps do not run as host root (docs/security.md item 7; runtime/sandbox/private_ids.h):
an app root launches runs as uid 0 of a range of host ids of its own, so it reads nothing that only
host root may read, whatever a mask list knows of."""
import os
import shutil

from harness import Skip, expect, facts, test


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
