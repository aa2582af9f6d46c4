#!/usr/bin/python3
"""Runs modules of CPython's own regression suite (Debian's libpython3.11-testsuite) with the
system python3, and prints one line per test case that failed or was skipped, from regrtest's
JUnit XML, so that run_compat.py can compare runners case by case:

    case-failed test.test_os.FileTests.test_write
    case-skipped test.test_os.Foo.test_bar
    summary: 312 cases, 1 failed, 14 skipped

Exit status 0 iff no case failed and every module ran. The resources exclude the Internet and
the very slow or large ones; everything local (subprocesses, decimal, walltime) is in."""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

RESOURCES = "all,-network,-urlfetch,-largefile,-cpu,-gui,-audio,-curses,-tzdata,-extralargefile"

# Modules whose tests only talk to 127.0.0.1 but ask for the "network" resource all the same.
LOOPBACK_ONLY = {"test_socketserver"}

# Cases left out everywhere (unconfined too), each for a reason of the host, not of a sandbox.
IGNORED = [
    "*VSOCK*",  # on a VM with a vsock device, ThreadedVSOCKSocketStreamTest waits forever for its peer
]


def run_regrtest(modules, xml_path):
    resources = RESOURCES.replace("-network,", "") if LOOPBACK_ONLY & set(modules) else RESOURCES
    argv = ["/usr/bin/python3", "-m", "test", "-v", "-u", resources, "--timeout", "600",
            "--junit-xml", xml_path, *ignored(), *modules]
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def ignored():
    return [arg for pattern in IGNORED for arg in ("-i", pattern)]


def case_name(tc):
    name = tc.get("name", "?")
    if tc.get("classname"):
        name = f"{tc.get('classname')}.{name}"
    return name.removeprefix("test.")


def cases(xml_path):
    """(failed, skipped, total) test case names from regrtest's JUnit XML."""
    failed, skipped, total = [], [], 0
    for tc in ET.parse(xml_path).getroot().iter("testcase"):
        total += 1
        if tc.find("failure") is not None or tc.find("error") is not None:
            failed.append(case_name(tc))
        elif tc.find("skipped") is not None:
            skipped.append(case_name(tc))
    return failed, skipped, total


def errors_outside_cases(output):
    """Errors the XML leaves out (setUpClass, setUpModule, a thread's unraisable exception):
    unittest's verbose `ERROR: NAME (CLASS)` headers."""
    out = []
    for line in output.splitlines():
        m = re.match(r"^(ERROR|FAIL): (\S+) \((\S+)\)", line)
        if m:
            where = m.group(3).removeprefix("test.")
            out.append(where if where.endswith("." + m.group(2)) else f"{where}.{m.group(2)}")
    return out


def unfinished_modules(output, modules):
    """Modules regrtest itself reports as crashed or timed out (they leave no cases). Only its own
    lines count: with -v, test names such as testInterruptedTimeout are in the output too."""
    bad = []
    for line in output.splitlines():
        for m in modules:
            if re.match(rf"^(test )?{m} (crashed|failed \(uncaught exception\)|timed out)", line):
                bad.append(f"{m}: {line.strip()}")
        if line.startswith("Timeout ("):  # faulthandler's --timeout dump: the run was killed
            bad += [f"{m}: {line.strip()}" for m in modules]
    return bad


def main():
    modules = sys.argv[1:]
    xml_path = os.path.abspath("regrtest.xml")
    if os.path.exists(xml_path):
        os.unlink(xml_path)  # never a result from an earlier run
    proc = run_regrtest(modules, xml_path)
    with open("regrtest.log", "w") as f:
        f.write(proc.stdout)
    if not os.path.exists(xml_path):
        tail = [l for l in proc.stdout.splitlines() if l.strip()][-3:]
        print("\n".join(tail))
        print(f"FAILED: regrtest exited {proc.returncode} and wrote no results")
        return 1
    failed, skipped, total = cases(xml_path)
    failed += [name for name in errors_outside_cases(proc.stdout) if name not in failed]
    for name in failed:
        print(f"case-failed {name}")
    for name in skipped:
        print(f"case-skipped {name}")
    crashed = unfinished_modules(proc.stdout, modules)
    for b in crashed:
        print(f"case-failed {b.split(':', 1)[0]} (did not finish)")
    if total == 0:
        print("FAILED: no test case ran (the module was skipped whole)")
        return 1
    print(f"summary: {total} cases, {len(failed)} failed, {len(skipped)} skipped, regrtest exit {proc.returncode}")
    if failed or crashed:
        return 1
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
