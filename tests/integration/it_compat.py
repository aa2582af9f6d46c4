"""Real software runs unchanged under the default policy (issue 10): each workload runs under
`cordon run` with base.yaml only, and its control shows the workload fails when the call it needs
is denied (so a pass is not a test that cannot fail)."""
import os
import shutil

from harness import Skip, expect, facts, test


def make_tree(env, name):
    """A folder with a Makefile of two recipes, each a real command: GNU make switches its ids
    (setreuid/setregid) around every recipe it runs."""
    tree = env.fresh_tree(name)
    with open(os.path.join(tree, "Makefile"), "w") as f:
        f.write("all: a b\na:\n\t/bin/echo built-a > a\nb:\n\t/bin/echo built-b > b\n")
    env.give(tree, "it-make")
    return tree


@test
def make_runs_its_recipes_in_parallel(env):
    """`make -j2` works: setting one's own ids is allowed (with no capability it can set nothing
    else). The control: with the set-id calls denied, the same make fails."""
    if not shutil.which("make"):
        raise Skip("make is not installed")
    tree = make_tree(env, "make")
    script = f"cd {tree} && /usr/bin/make -j2 >/dev/null 2>&1 && cat a b && echo make=ok || echo make=failed"

    def policy(extra=""):
        return env.write_policy("it-make", f"schema: 1\nname: it-make\ncommand: [/bin/sh, -c, '{script}']\n"
                                           f"filesystem:\n  read-write: [{tree}]\n{extra}")

    rc, out, err = env.cordon_run(policy())
    expect(rc == 0 and facts(out).get("make") == "ok" and "built-b" in out, f"make -j2: exit {rc}: {out} {err}")
    for f in ("a", "b"):
        os.unlink(os.path.join(tree, f))
    rc, out, err = env.cordon_run(policy("seccomp: {deny: [setreuid, setregid, setresuid, setresgid]}\n"))
    expect(facts(out).get("make") == "failed", f"control: make without the set-id calls: {out} {err}")


@test
def setting_ones_own_ids_works_and_nothing_else(env):
    """setresuid/setresgid to the ids the app has succeed; to any other id they fail (no capability):
    the identity, nothing more. setgroups can change nothing."""
    script = ("import os\n"
              "def attempt(name, fn):\n"
              "    try:\n"
              "        fn(); print(name + '=ok')\n"
              "    except OSError as e:\n"
              "        print(name + '=' + os.strerror(e.errno).replace(' ', '_'))\n"
              "u, g = os.getuid(), os.getgid()\n"
              "attempt('own', lambda: (os.setresgid(g, g, g), os.setresuid(u, u, u)))\n"
              "attempt('other', lambda: os.setresuid(u + 1, u + 1, u + 1))\n"
              "attempt('groups', lambda: os.setgroups([g + 1]))\n")
    policy = env.script_app("it-setid", script)
    rc, out, err = env.cordon_run(policy)
    f = facts(out)
    expect(rc == 0 and f.get("own") == "ok", f"setting its own ids failed: exit {rc}: {out} {err}")
    # EPERM where the id exists in the sandbox (root's range), EINVAL where it is not even mapped
    expect(f.get("other") in ("Operation_not_permitted", "Invalid_argument") and
           f.get("groups") == "Operation_not_permitted", f"another id was set: {out}")
