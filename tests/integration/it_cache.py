"""The warm-launch caches (DESIGN.md "Performance notes"): a cached Plan or compiled filter is used
only while every input is unchanged and the file is private to the invoker. The controls: the
invoker's own private file is loaded, so a refusal comes from the trust check."""
import json
import os
import pwd
import shutil
import signal
import subprocess
import time

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, run_probe, Skip, ...)


@test
def warm_cache_follows_edits(env):
    """A cached Plan is used only while every input is unchanged: an edited policy takes effect."""
    path = env.policy("it-cache", "[/bin/sh, -c, 'echo version=1']")
    first = facts(env.cordon_run(path)[1]).get("version")
    warm = facts(env.cordon_run(path)[1]).get("version")
    time.sleep(0.01)
    env.policy("it-cache", "[/bin/sh, -c, 'echo version=2']")
    edited = facts(env.cordon_run(path)[1]).get("version")
    expect((first, warm, edited) == ("1", "1", "2"), f"runs saw {first}, {warm}, {edited}")


@test
def cache_not_trusted_unless_private(env):
    """A cache file someone else could have written is ignored and rebuilt, never loaded."""
    path = env.policy("it-forge", "[/bin/sh, -c, 'echo who=real']")
    time.sleep(0.1)  # a cache entry made within two clock ticks of the policy's change is never trusted (plan_cache.cc)
    expect(facts(env.cordon_run(path)[1]).get("who") == "real", "cold run")
    cache_dir = "/var/cache/cordon/plans" if env.is_root else os.path.join(env.pw.pw_dir, ".cache/cordon/plans")
    files = [os.path.join(cache_dir, f) for f in os.listdir(cache_dir)]
    newest = max(files, key=os.path.getmtime)
    with open(newest, "rb") as f:
        data = f.read()
    forged = data.replace(b"who=real", b"who=FAKE")
    expect(forged != data, "the cache should hold the command")
    for mode in (0o644, 0o600):
        with open(newest, "wb") as f:
            f.write(forged)
        os.chmod(newest, mode)
        # 0644: readable by others, so not private; 0600 but owned by root for a user: not the invoker's
        if mode == 0o600 and env.is_root:
            continue
        if mode == 0o600:
            os.chown(newest, 0, 0)
        got = facts(env.cordon_run(path)[1]).get("who")
        expect(got == "real", f"a forged cache (mode {oct(mode)}) was loaded: who={got}")
    # control: the same bytes, private to the invoker, are loaded (so the refusals above came from
    # the ownership and mode checks, not from a broken file)
    files = [os.path.join(cache_dir, f) for f in os.listdir(cache_dir)]
    newest = max(files, key=os.path.getmtime)
    with open(newest, "rb") as f:
        fresh = f.read()
    with open(newest, "wb") as f:
        f.write(fresh.replace(b"who=real", b"who=FAKE"))
    os.chown(newest, env.pw.pw_uid, env.pw.pw_gid)
    os.chmod(newest, 0o600)
    got = facts(env.cordon_run(path)[1]).get("who")
    os.unlink(newest)
    expect(got == "FAKE", f"control: a private cache file is used: who={got}")


def filter_files(env):
    d = "/var/cache/cordon/filters" if env.is_root else os.path.join(env.pw.pw_dir, ".cache/cordon/filters")
    return [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".bpf")]


def allow_everything(data):
    """The same cache file (magic, key) with one program: return ALLOW."""
    import struct
    (magic, key_len) = struct.unpack_from("<QQ", data, 0)
    head = data[:16 + key_len]
    ret_allow = struct.pack("<HBBI", 0x06, 0, 0, 0x7FFF0000)
    return head + struct.pack("<Q", 1) + struct.pack("<Q", len(ret_allow)) + ret_allow


@test
def filter_cache_trusted_only_when_private(env):
    """A corrupt or foreign-owned compiled filter is never loaded; the invoker's own is (control)."""
    probe = env.probe("probe_seccomp")
    policy = env.policy("it-filter-cache", f"[{probe}]")
    expect(facts(env.cordon_run(policy)[1]).get("aio") == "EPERM", "cold run")
    files = filter_files(env)
    expect(files, "no compiled filter was cached")
    originals = {p: open(p, "rb").read() for p in files}
    for p in files:  # corrupt: garbage, right owner and mode
        with open(p, "wb") as fh:
            fh.write(b"\x00garbage" * 8)
    rc, out, err = env.cordon_run(policy)
    expect(rc == 0 and facts(out).get("aio") == "EPERM", f"corrupt cache: exit {rc}: {out} {err}")
    other = 65534 if env.pw.pw_uid != 65534 else 1
    for p, data in originals.items():  # foreign-owned: a permissive program owned by someone else
        with open(p, "wb") as fh:
            fh.write(allow_everything(data))
        os.chown(p, other, other)
    rc, out, err = env.cordon_run(policy)
    expect(facts(out).get("aio") == "EPERM", f"a foreign-owned filter was loaded: {out} {err}")
    # control: the same permissive file, owned by the invoker, is loaded (the refusal above came
    # from the ownership check; the test would see a loaded file)
    for p in filter_files(env):
        with open(p, "rb") as fh:
            data = fh.read()
        with open(p, "wb") as fh:
            fh.write(allow_everything(data))
        os.chown(p, env.pw.pw_uid, env.pw.pw_gid)
        os.chmod(p, 0o600)
    rc, out, err = env.cordon_run(policy)
    expect(facts(out).get("aio") == "ok", f"control: the invoker's own file was not used: {out} {err}")
    for p in filter_files(env):
        os.unlink(p)


@test
def plan_cache_sees_an_edit_that_keeps_size_and_mtime(env):
    """A policy narrowed in place (same inode and size, mtime put back) is not served from the
    cache with its old, wider Plan: ctime, which nobody can set back, is part of the identity."""
    wide_plugs = "plugs: [async-io]\n"
    path = env.policy("it-stale", f"[{env.probe('probe_seccomp')}]", wide_plugs)
    with open(path) as f:
        wide = f.read()
    narrow = wide.replace(wide_plugs, "#" + " " * (len(wide_plugs) - 2) + "\n")
    expect(len(narrow) == len(wide) and narrow != wide, "the narrowed policy must keep the size")
    before = os.stat(path)
    time.sleep(0.1)  # older than a clock tick: the cache trusts this file's identity
    rc, out, err = env.cordon_run(path)
    # control: the plug was in force (io_setup works)
    expect(rc == 0 and facts(out).get("aio") == "ok", f"control: with the plug: {facts(out).get('aio')}: {err}")
    with open(path, "r+") as f:  # in place: same inode
        f.write(narrow)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    expect((after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns),
           "the edit must keep inode, size and mtime")
    rc, out, err = env.cordon_run(path)
    expect(rc == 0 and facts(out).get("aio") == "EPERM",
           f"the removed async-io plug is still in force: aio={facts(out).get('aio')} (exit {rc}: {err})")


@test
def another_build_of_cordon_never_reuses_the_caches(env):
    """The caches are keyed on the running executable itself (util/build_identity.h), not only on
    the version string every build of a release shares: a rebuilt or reinstalled cordon compiles
    and resolves afresh rather than load an older build's filter or Plan. Here a byte-identical copy
    (another file) stands in for the rebuild. Control: the same executable run again reuses its own."""
    policy = env.policy("it-rebuilt", f"[{env.probe('probe_seccomp')}]")
    rc, _, err = env.cordon_run(policy)
    expect(rc == 0, f"exit {rc}: {err}")
    before = set(filter_files(env))
    rc, _, err = env.cordon_run(policy)
    expect(rc == 0 and set(filter_files(env)) == before, f"control: a second run made another cached filter: {err}")
    rebuilt = os.path.join(os.path.dirname(env.cordon), "cordon-rebuilt")
    shutil.copy2(env.cordon, rebuilt)
    os.utime(rebuilt)  # a rebuild's file is newer, as its inode is another
    try:
        rc, _, err = env.run([rebuilt, "run", policy])
        expect(rc == 0, f"the copy: exit {rc}: {err}")
        made = set(filter_files(env)) - before
        expect(len(made) == 1, f"another build reused the first one's compiled filter: new files {made}")
    finally:
        os.unlink(rebuilt)
        for p in set(filter_files(env)) - before:
            os.unlink(p)
