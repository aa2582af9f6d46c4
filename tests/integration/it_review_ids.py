"""Root's apps do not run as host root (docs/security.md item 7; runtime/sandbox/private_ids.h):
an app root launches runs as uid 0 of a range of host ids of its own, so it reads nothing that only
host root may read, whatever a mask list knows of."""
import os

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
