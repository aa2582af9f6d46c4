"""Findings of the outside review of the launcher (docs/security-items/review-a.md): a stale Plan
cache, cordon's options after the app's arguments, terminal escapes, inherited descriptors held by
the sandbox's init. Each with its positive control."""
import os
import pty
import select
import signal
import time

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, Skip, ...)


# ---- item 8: the Plan cache sees an in-place edit that keeps size and mtime -------------------

@test
def plan_cache_sees_an_edit_that_keeps_size_and_mtime(env):
    """A policy narrowed in place (same inode and size, mtime put back) is not served from the
    cache with its old, wider Plan: ctime, which nobody can set back, is part of the identity."""
    wide_plugs = "plugs: [network]\n"
    path = env.policy("it-stale", f"[{env.probe('probe_net')}]", wide_plugs)
    with open(path) as f:
        wide = f.read()
    narrow = wide.replace(wide_plugs, "#" + " " * (len(wide_plugs) - 2) + "\n")
    expect(len(narrow) == len(wide) and narrow != wide, "the narrowed policy must keep the size")
    before = os.stat(path)
    time.sleep(0.1)  # older than a clock tick: the cache trusts this file's identity
    rc, out, err = env.cordon_run(path)
    first = facts(out).get("interfaces", "")
    expect(rc == 0, f"first run: exit {rc}: {err}")
    if first == "lo":
        raise Skip("control needs a host with a network interface besides lo")
    # control: the plug was in force (the host's interfaces), and the second run is a warm one
    expect("lo" in first.split(",") and len(first.split(",")) > 1, f"control: with the plug: {first}")
    with open(path, "r+") as f:  # in place: same inode
        f.write(narrow)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    expect((after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns),
           "the edit must keep inode, size and mtime")
    rc, out, err = env.cordon_run(path)
    expect(rc == 0 and facts(out).get("interfaces") == "lo",
           f"the removed network plug is still in force: {facts(out).get('interfaces')} (exit {rc}: {err})")

