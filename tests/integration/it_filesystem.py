"""The sandbox's filesystem view (DESIGN.md "a fresh root"): the root and every bind read-only,
host files outside the binds absent, no mounting, kernel tunables and /dev read-only, no set-id
files left on the host, protections inside a writable grant pinned in place. Each with its control."""
import json
import os
import pwd
import shutil
import signal
import subprocess
import time

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, run_probe, Skip, ...)


@test
def root_and_binds_read_only(env):
    # A directory the invoker owns, granted read-only: writable outside (the control), EROFS inside.
    mine = os.path.join(env.root, "mine-" + env.name)
    os.makedirs(mine, exist_ok=True)
    os.chown(mine, *env.app_ids("it-ro"))
    paths = ["/", mine] + (["/usr", "/etc", "/usr/bin"] if env.is_root else [])
    inside = run_probe(env, "it-ro", "probe_access", *paths, "/tmp", env.data_dir("it-ro"))
    for p in paths:
        # root's app is not host root (private_ids.h): host root's directories refuse it by their
        # mode before the read-only mount is asked; its own directory shows the read-only mount
        refusals = ("EROFS", "EACCES") if env.is_root and p != mine else ("EROFS",)
        expect(inside[f"write {p}"] in refusals, f"write {p}: {inside[f'write {p}']}")
    expect(inside["write /tmp"] == "ok", f"/tmp must be writable: {inside['write /tmp']}")
    expect(inside[f"write {env.data_dir('it-ro')}"] == "ok", "$APP_DATA must be writable")
    outside = run_outside(env, "probe_access", *paths[1:])
    for p in paths[1:]:
        expect(outside[f"write {p}"] == "ok", f"control: {p} is writable outside: {outside[f'write {p}']}")


@test
def host_files_outside_binds_invisible(env):
    secret_dir = "/opt/cordon-it-secret"
    os.makedirs(secret_dir, exist_ok=True)
    os.chmod(secret_dir, 0o755)
    inside = run_probe(env, "it-hidden", "probe_access", secret_dir, "/root", "/boot", "/etc/shadow")
    if env.is_root:  # root's invariant: a user cannot read /etc/shadow outside either
        expect(run_outside(env, "probe_access", "/etc/shadow")["read /etc/shadow"] == "ok",
               "control: root reads /etc/shadow outside")
    for p in (secret_dir, "/root", "/boot"):
        expect(inside[f"exists {p}"] == "ENOENT", f"{p} visible inside: {inside[f'exists {p}']}")
    expect(inside["read /etc/shadow"] == "EACCES", f"hidden /etc/shadow opens: {inside['read /etc/shadow']}")
    outside = run_outside(env, "probe_access", secret_dir, "/root", "/boot")
    expect(outside[f"exists {secret_dir}"] == "ok", "control: the directory exists on the host")
    expect(outside["exists /root"] == "ok", "control: /root exists on the host")
    # /boot is not on every machine (containers, some cloud images): checked where it is
    expect(outside["exists /boot"] in ("ok", "ENOENT"), f"control: /boot outside: {outside['exists /boot']}")
    shutil.rmtree(secret_dir, ignore_errors=True)


@test
def no_remount_no_new_mounts(env):
    inside = run_probe(env, "it-mount", "probe_mount")
    expect(inside["remount_rw"] == "EPERM", f"remount: {inside['remount_rw']}")
    expect(inside["mount_tmpfs"] == "EPERM", f"mount: {inside['mount_tmpfs']}")
    # control: in a user+mount namespace that keeps its capabilities, the same probe can mount
    rc, out, err = env.run(["unshare", "--user", "--map-root-user", "--mount", env.probe("probe_mount")])
    if rc != 0:
        raise Skip(f"control needs unprivileged user namespaces via unshare(1): {err.strip()}")
    expect(facts(out)["mount_tmpfs"] == "ok", f"control: mount with capabilities: {out}")


@test
def kernel_knobs_read_only_for_root(env):
    """/proc/sys, /proc/sysrq-trigger, /proc/irq and /proc/bus are re-bound read-only over the
    sandbox's own procfs (a uid 0 mapped to a host id could otherwise write knobs by their mode).
    Observed on the mount itself, so it holds whatever the file modes say: the write refusal alone
    passes without the remount, since root's app is not host root (private_ids.h)."""
    rc, out, err = env.cordon_run(env.policy("it-knobs", "[/bin/cat, /proc/self/mountinfo]"))
    expect(rc == 0, f"exit {rc}: {err}")
    options = {}
    for line in out.splitlines():
        fields = line.split()
        options[fields[4]] = fields[5].split(",")
    expect("/proc/sys" in options and "ro" in options["/proc/sys"], f"/proc/sys mount: {options.get('/proc/sys')}")
    # control: the same reading tells a writable mount apart — the sandbox's /proc itself is rw
    expect("/proc" in options and "rw" in options["/proc"], f"control: /proc mount: {options.get('/proc')}")
    if env.is_root:
        knob = "/proc/sys/kernel/core_pattern"
        inside = run_probe(env, "it-knobs", "probe_access", knob)
        expect(inside[f"write {knob}"] in ("EROFS", "EACCES"), f"core_pattern inside: {inside[f'write {knob}']}")
        outside = run_outside(env, "probe_access", knob)
        expect(outside[f"write {knob}"] == "ok", "control: root can write core_pattern outside")


@test
def root_only_proc_files_masked_for_root(env):
    """An app running as uid 0 (host root) cannot read /proc files only their mode protects."""
    if not env.is_root:
        raise Skip("the files are root-only: an unprivileged app cannot read them anyway")
    script = "cat /proc/slabinfo >/dev/null 2>&1 && echo slab=read || echo slab=refused"
    rc, out, err = env.cordon_run(env.policy("it-procmask", f"[/bin/sh, -c, '{script}']"))
    expect(rc == 0 and facts(out).get("slab") == "refused", f"exit {rc}: {out} {err}")
    rc, out, err = env.run(["/bin/sh", "-c", script])
    expect(facts(out).get("slab") == "read", f"control: root reads it outside: {out}")


@test
def no_setuid_files_in_a_writable_grant(env):
    """An app (root's especially: it is host uid 0) cannot leave a setuid or setgid file on the host."""
    shared = env.fresh_tree("suid")
    env.give(shared, "it-suid")
    script = (f"cp /bin/true {shared}/t && chmod 4755 {shared}/t 2>/dev/null && echo suid=set || echo suid=refused; "
              f"chmod 2755 {shared}/t 2>/dev/null && echo sgid=set || echo sgid=refused; "
              f"chmod 0700 {shared}/t && echo plain=set")
    policy = env.write_policy("it-suid", f"schema: 1\nname: it-suid\ncommand: [/bin/sh, -c, '{script}']\n"
                                         f"filesystem:\n  read-write: [{shared}]\n")
    rc, out, err = env.cordon_run(policy)
    f = facts(out)
    expect(rc == 0 and f.get("plain") == "set", f"control: an ordinary chmod works: exit {rc}: {out} {err}")
    expect(f.get("suid") == "refused" and f.get("sgid") == "refused", f"a set-id bit was set: {out}")
    expect(not os.stat(os.path.join(shared, "t")).st_mode & 0o6000, "the file on the host has a set-id bit")
    rc, out, err = env.run(["/bin/sh", "-c", script])
    expect(facts(out).get("suid") == "set", f"control: outside it can be set: {out} {err}")
    shutil.rmtree(shared, ignore_errors=True)


@test
def protections_inside_a_writable_grant_cannot_be_moved_away(env):
    """A read-only or hidden path below a read-write grant stays where the Plan put it: the
    directories above it cannot be renamed (else the app could rebuild the path writable)."""
    proj = env.fresh_tree("proj", ".git/hooks", "a/secret")
    env.give(proj)
    script = (f"cd {proj}; touch .git/hooks/x 2>/dev/null && echo hooks=written || echo hooks=refused; "
              f"mv .git .git-old 2>/dev/null && echo git=moved || echo git=refused; "
              f"mv a b 2>/dev/null && echo secret=moved || echo secret=refused")
    policy = env.write_policy("it-pin", f"schema: 1\nname: it-pin\ncommand: [/bin/sh, -c, '{script}']\n"
                                        f"filesystem:\n  read-write: [{proj}]\n  read-only: [{proj}/.git/hooks]\n"
                                        f"  hide: [{proj}/a/secret]\n")
    rc, out, err = env.cordon_run(policy)
    f = facts(out)
    expect(rc == 0 and f.get("hooks") == "refused", f"exit {rc}: {out} {err}")
    expect(f.get("git") == "refused" and f.get("secret") == "refused", f"a protection was moved away: {out}")
    rc, out, err = env.run(["/bin/sh", "-c", script])
    expect(facts(out).get("git") == "moved", f"control: outside the rename works: {out} {err}")
    shutil.rmtree(proj, ignore_errors=True)


@test
def planted_symlink_never_redirects_a_bind(env):
    """An app plants a link in a tree it may write; a later launch that binds through it must fail,
    not bind wherever the link points (here: cordon's own state)."""
    share = os.path.join(env.root, "share-" + env.name)
    os.makedirs(share, exist_ok=True)
    os.chown(share, *env.app_ids("it-planter"))
    state = os.path.dirname(os.path.dirname(env.data_dir("x")))
    planter = env.policy("it-planter", f"[/bin/ln, -sfn, /oldroot{state}, {share}/x]", f"  read-write: [{share}]\n")
    rc, _, err = env.cordon_run(planter)
    expect(rc == 0 and os.path.islink(os.path.join(share, "x")), f"planting: exit {rc}: {err}")
    victim = env.policy("it-through-link", f"[{env.probe('probe_access')}, {share}/x/data]", f"  read-write: [{share}/x/data]\n")
    rc, out, err = env.cordon_run(victim)
    expect(rc == 125 and "symbolic link" in err, f"bound through a planted link: exit {rc}: {out} {err}")
    # control: with a real directory there, the same policy binds and runs
    os.unlink(os.path.join(share, "x"))
    os.makedirs(os.path.join(share, "x", "data"))
    os.chown(os.path.join(share, "x"), *env.app_ids("it-through-link"))
    os.chown(os.path.join(share, "x", "data"), *env.app_ids("it-through-link"))
    rc, out, err = env.cordon_run(victim)
    expect(rc == 0 and facts(out).get(f"write {share}/x/data") == "ok", f"control: exit {rc}: {err}")


@test
def device_nodes_cannot_be_changed(env):
    """The sandbox's device nodes are read-only binds: the app cannot change the host's /dev/full.
    touch needs only write permission, which /dev/full (0666) gives every uid, so its refusal inside
    comes from the read-only bind; outside, the same touch works (the control, in both modes)."""
    script = ("chmod 0600 /dev/full 2>/dev/null; touch /dev/full 2>/dev/null && echo touch=ok || echo touch=refused; "
              "echo x > /dev/null && echo wrote=1")
    before = os.stat("/dev/full")
    rc, out, err = env.cordon_run(env.policy("it-dev", f"[/bin/sh, -c, '{script}']"))
    after = os.stat("/dev/full")
    expect((before.st_mode, before.st_mtime) == (after.st_mode, after.st_mtime), "the host's /dev/full changed")
    expect(facts(out).get("touch") == "refused", f"touch /dev/full worked inside: {out} {err}")
    expect("wrote=1" in out, f"/dev/null must stay writable: {out} {err}")
    if before.st_mode & 0o002 == 0:
        raise Skip("the host's /dev/full is not writable by everyone, so touch outside is no control")
    rc, out, err = env.run(["/bin/sh", "-c", "touch /dev/full && echo touch=ok"])
    expect(facts(out).get("touch") == "ok", f"control: outside, touch /dev/full works: {out} {err}")


@test
def dev_itself_is_read_only(env):
    """Nothing can be added to the sandbox's /dev; /dev/shm stays writable. The refusal must be the
    read-only mount's (EROFS), which the kernel reports before any permission check: in the user mode
    the app owns that /dev, but root's app (its own host ids) does not, so a bare refusal would pass
    there without the read-only mount."""
    script = ("mkfifo /dev/evil 2>/tmp/err && echo dev=written || "
              "{ grep -q Read-only /tmp/err && echo dev=EROFS || echo dev=other; }; "
              "echo x > /dev/shm/ok && echo shm=written || echo shm=refused")
    rc, out, err = env.cordon_run(env.policy("it-devro", f"[/bin/sh, -c, '{script}']"))
    f = facts(out)
    expect(rc == 0 and f.get("dev") == "EROFS", f"/dev took a new node, or not for its read-only mount: exit {rc}: {out} {err}")
    expect(f.get("shm") == "written", f"/dev/shm must stay writable: {out} {err}")
    # control: the same mkfifo in a writable tmpfs of the same sandbox works, so the refusal above is
    # /dev's read-only mount, not the filter or the app's ids
    rc, out, err = env.cordon_run(env.policy("it-devro-control", "[/bin/sh, -c, 'mkfifo /tmp/evil && echo tmp=written']"))
    expect(facts(out).get("tmp") == "written", f"control: mkfifo in /tmp inside: exit {rc}: {out} {err}")
