"""The seccomp filter (DESIGN.md "Seccomp", docs/seccomp.md): what it stops, what real programs
still do under it, how a denial is reported, complain mode. The control of each: the same probe
outside the sandbox, or with the plug that grants the call. What the host kernel itself lacks (an
i386 entry) is a visible skip."""
import json
import os
import pwd
import shutil
import signal
import subprocess
import time

from harness import *  # noqa: F401,F403 (Env, test, expect, facts, run_probe, Skip, ...)


@test
def seccomp_stops_forbidden_calls(env):
    """The filter stops what it must; outside the sandbox the same calls get through (the control)."""
    probe = env.probe("probe_seccomp")
    rc, out, err = env.run([probe])
    outside = facts(out)
    rc, out, err = env.cordon_run(env.policy("it-seccomp", f"[{probe}]"))
    inside = facts(out)
    expect(rc == 0, f"exit {rc}: {err}")
    expected = {
        "tiocsti": "EPERM",          # ioctl(TIOCSTI) denied by its argument rule ...
        "tiocsti_high": "EPERM",     # ... also with bits above 32 set (CVE-2019-7303)
        "fionread": "EBADF",         # while ioctl itself stays allowed
        "clone3": "ENOSYS",          # so that glibc falls back to clone ...
        "thread": "ok",              # ... and threads still work
        "x32": "killed:SYS",         # and so does the x32 one
        "netlink_route": "ok",       # socket families: AF_UNIX, and in the app's own network
        "inet": "ok",                # namespace IP and route netlink ...
        "inet6": "ok",
        "unix": "ok",
        "netlink_audit": "EPERM",    # ... but no other netlink protocol
        "packet": "EPERM",           # nor any other family
        "inet_packet": "EPERM",      # nor AF_PACKET spelled (AF_INET, SOCK_PACKET)
        "inet_proto2": "EPERM",      # IP: TCP, UDP and ping only (other numbers load modules)
        "socketpair_inet": "EPERM",  # only AF_UNIX makes pairs (EOPNOTSUPP unfiltered)
        "socketpair_packet": "EPERM",  # the family rule covers socketpair too
        "aio": "EPERM",              # io_setup: only the async-io plug grants it
        "personality_exec": "EPERM",  # READ_IMPLIES_EXEC is not a safe execution domain
        "pid1_seccomp": "2",         # the sandbox's init runs under the filter too
    }
    for key, want in expected.items():
        expect(inside.get(key) == want, f"inside: {key}={inside.get(key)}, want {want}: {out} {err}")
    # the control: each forbidden call behaves differently without the filter
    # (user namespaces, userfaultfd and io_uring, which the host itself may refuse, have tests of
    # their own below that probe the host first)
    for key in ("tiocsti", "tiocsti_high", "clone3", "x32",
                "netlink_audit", "aio", "personality_exec", "inet_proto2", "socketpair_inet"):
        expect(outside.get(key) != expected[key], f"control: outside {key}={outside.get(key)} too")
    if env.is_root:  # without CAP_NET_RAW the kernel refuses packet sockets outside as well
        for key in ("packet", "socketpair_packet", "inet_packet"):
            expect(outside.get(key) != expected[key], f"control: root outside {key}={outside.get(key)} too")


@test
def i386_abi_kills_the_process(env):
    """int 0x80 (the i386 ABI) kills the process, in enforcing and in complain mode. A kernel built
    without IA32 emulation (or booted with ia32_emulation=0) has no such entry at all: there the
    probe dies of SIGSEGV outside the sandbox too, and the test is a visible skip."""
    probe = env.probe("probe_seccomp")
    outside = facts(env.run([probe])[1]).get("int80")
    if outside == "killed:SEGV":
        raise Skip("this kernel has no i386 syscall entry (int 0x80 is SIGSEGV outside the sandbox too)")
    expect(outside == "ok", f"control: outside int80={outside}")
    policy = env.policy("it-i386", f"[{probe}]")
    for options in ([], ["--complain"]):
        rc, out, err = env.cordon_run_opts(options, policy)
        got = facts(out).get("int80")
        expect(rc == 0 and got == "killed:SYS", f"cordon run {' '.join(options)}: int80={got}: exit {rc}: {err}")


@test
def real_programs_pass_under_the_default_filter(env):
    """python3 (threads, subprocess), git, sqlite3, gcc and tar work under base.yaml's allowlist."""
    script = "; ".join([
        "cd /tmp",
        "/usr/bin/python3 -c 'import threading, subprocess; t = threading.Thread(target=print); t.start(); t.join();"
        " subprocess.run([\"/bin/true\"], check=True)' && echo python=ok",
        "printf \"int main(void){return 0;}\" > t.c && gcc -o t t.c && ./t && echo gcc=ok",
        "mkdir d && echo x > d/f && tar cf d.tar d && rm -r d && tar xf d.tar && test -f d/f && echo tar=ok",
        "sqlite3 db 'create table t(x); insert into t values(1);' && test $(sqlite3 db 'select count(*) from t') = 1"
        " && echo sqlite=ok",
        "git init -q r && cd r && echo x > f && git add f && git -c user.name=t -c user.email=t@t commit -qm m && echo git=ok",
    ])
    policy = env.policy("it-real", "[/bin/sh, -c, '" + script.replace("'", "''") + "']")
    rc, out, err = env.cordon_run(policy)
    f = facts(out)
    for tool in ("python", "gcc", "tar", "sqlite", "git"):
        expect(f.get(tool) == "ok", f"{tool} failed under the filter: exit {rc}: {out} {err[-2000:]}")


@test
def seccomp_denial_names_the_plug(env):
    """A denied call is reported with the plug that would allow it; --quiet silences it."""
    probe = env.probe("probe_seccomp")
    rc, out, err = env.cordon_run(env.policy("it-deny", f"[{probe}]"))
    expect(facts(out).get("aio") == "EPERM", f"aio={facts(out).get('aio')}")
    expect("denied io_setup(…) — the async-io plug would allow it" in err, f"no diagnostic: {err}")
    expect("denied unshare(…) — denied to every app" in err, f"unshare not explained: {err}")
    expect("denied socket(AF_PACKET, …) — no interface grants AF_PACKET" in err, f"AF_PACKET not explained: {err}")
    rc, out, err = env.cordon_run_opts(["--json"], env.policy("it-deny", f"[{probe}]"))
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    expect(any(e.get("syscall") == "io_setup" and e.get("plugs") == ["async-io"] for e in events), f"json: {err}")
    expect(any(e.get("family") == "AF_PACKET" and e.get("plugs") == [] for e in events), f"json: {err}")
    rc, out, err = env.cordon_run_opts(["--quiet"], env.policy("it-deny", f"[{probe}]"))
    expect(facts(out).get("aio") == "EPERM" and "denied" not in err, f"--quiet: {err}")
    # control: with the plug, nothing is denied and the call works
    rc, out, err = env.cordon_run(env.policy("it-deny-aio", f"[{probe}]", "plugs: [async-io]\n"))
    expect(facts(out).get("aio") == "ok" and "denied io_setup" not in err, f"with the plug: {out} {err}")


@test
def memory_deny_write_execute_plug(env):
    """The memory-deny-write-execute interface's rules deny a writable and executable mapping; the
    same app without the plug gets one (the control), and dynamic loading still works with it."""
    probe = env.probe("probe_seccomp")
    rc, out, err = env.cordon_run(env.policy("it-wx", f"[{probe}]", "plugs: [memory-deny-write-execute]\n"))
    expect(rc == 0 and facts(out).get("mmap_wx") == "EPERM", f"with the plug: exit {rc}: {out} {err}")
    expect("denied mmap" not in err, f"an argument rule's denial is not a plug's to lift: {err}")
    rc, out, err = env.cordon_run(env.policy("it-wx-off", f"[{probe}]"))
    expect(facts(out).get("mmap_wx") == "ok", f"control: without the plug: {out} {err}")
    rc, out, err = env.cordon_run(env.policy("it-wx-sh", "[/bin/sh, -c, 'echo loaded=yes']", "plugs: [memory-deny-write-execute]\n"))
    expect(facts(out).get("loaded") == "yes", f"a dynamically linked shell under W^X: exit {rc}: {err}")


@test
def denials_fall_back_to_errno_under_another_listener(env):
    """Under a filter that already holds a listener (a container runtime's), cordon cannot install
    its own: it says so once and the filter answers by itself, still denying."""
    probe = env.probe("probe_seccomp")
    rc, out, err = env.run([env.probe("with_listener"), env.cordon, "run", env.policy("it-busy", f"[{probe}]")])
    f = facts(out)
    expect(rc == 0 and f.get("aio") == "EPERM" and f.get("tiocsti") == "EPERM", f"exit {rc}: {out} {err}")
    expect("denied calls are not reported" in err and "denied io_setup" not in err, f"stderr: {err}")
    # control: without the other listener the same app's denial is reported
    rc, out, err = env.cordon_run(env.policy("it-busy", f"[{probe}]"))
    expect("denied io_setup" in err and "denied calls are not reported" not in err, f"control: {err}")


@test
def complain_mode_suggestions_make_the_run_pass(env):
    """--complain lets the missing calls through (never the unsafe ones); --suggest's additions,
    applied, make the same run pass enforced."""
    probe = env.probe("probe_seccomp")
    policy = env.policy("it-complain", f"[{probe}]")
    suggest = os.path.join(env.pw.pw_dir, "it-complain.suggest.yaml")  # where the invoker may write
    if os.path.exists(suggest):
        os.unlink(suggest)
    rc, out, err = env.cordon_run_opts(["--complain", "--suggest", suggest], policy)
    f = facts(out)
    expect(f.get("aio") == "ok" and os.path.exists(suggest), f"complain mode denied io_setup: {out} {err}")
    # never let through: what no plug or seccomp.allow could grant
    # (user namespaces, userfaultfd and io_uring: below, in both modes, where the host shows them)
    for key, want in (("tiocsti", "EPERM"), ("netlink_audit", "EPERM"), ("packet", "EPERM"),
                      ("personality_exec", "EPERM")):
        expect(f.get(key) == want, f"complain mode let an unsafe call through: {key}={f.get(key)}: {out}")
    with open(suggest) as fh:
        suggested = fh.read()  # the whole policy, with what the run needed merged in
    expect("\n  - async-io  # called io_setup" in suggested, f"suggestions: {suggested}")
    expect("seccomp:" not in suggested and "personality(…): its arguments are refused" in suggested,
           f"an argument rule's denial is not something to allow: {suggested}")
    with open(policy, "w") as fh:
        fh.write(suggested)
    os.unlink(suggest)
    rc, out, err = env.cordon_run(policy)
    expect(rc == 0 and facts(out).get("aio") == "ok", f"enforced with the suggestions: exit {rc}: {out} {err}")


# ---- calls the host itself may refuse: the host is asked first --------------------------------

def refused_in_both_modes(env, app, keys, want, host_lacks):
    """The filter answers `want` to each of `keys` (probe_seccomp), enforcing and in complain mode
    (which never lets these through). Where the host answers `want` outside the sandbox too, the
    filter's answer cannot be told from the kernel's: a visible skip saying why, not a pass."""
    probe = env.probe("probe_seccomp")
    outside = run_outside(env, "probe_seccomp")
    same = [f"{k}={outside.get(k)}" for k in keys if outside.get(k) == want]
    if same:
        raise Skip(f"{host_lacks}: outside the sandbox {', '.join(same)} already")
    policy = env.policy(app, f"[{probe}]")
    for options in ([], ["--complain", "--quiet"]):
        rc, out, err = env.cordon_run_opts(options, policy)
        inside = facts(out)
        for key in keys:
            expect(rc == 0 and inside.get(key) == want,
                   f"cordon run {' '.join(options)}: {key}={inside.get(key)}, want {want}; outside "
                   f"{outside.get(key)} (the control): exit {rc}: {err}")


@test
def user_namespaces_refused_by_the_filter(env):
    """No namespace creation through clone flags or unshare, even where the kernel allows it."""
    refused_in_both_modes(env, "it-userns", ("clone_newuser", "unshare_user"), "EPERM",
                          "this host refuses new user namespaces to this user itself "
                          "(user.max_user_namespaces, kernel.unprivileged_userns_clone or an LSM)")


@test
def userfaultfd_refused_by_the_filter(env):
    """userfaultfd is denied to every app (it stretches kernel races), even where the host allows it."""
    refused_in_both_modes(env, "it-uffd", ("userfaultfd",), "EPERM",
                          "this host refuses userfaultfd itself (vm.unprivileged_userfaultfd, an LSM)")


@test
def io_uring_answers_enosys(env):
    """io_uring_setup answers ENOSYS, as on a kernel without it, so programs fall back to plain calls."""
    refused_in_both_modes(env, "it-uring", ("io_uring",), "ENOSYS",
                          "this kernel has no io_uring (CONFIG_IO_URING is off)")
