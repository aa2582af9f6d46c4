#!/usr/bin/env python3
"""The man pages made at build time (scripts/make-man.py): groff reads them without a warning,
`man -l` renders them, cordon(1) has a section for every command `cordon help` lists, and
cordon-policy(5) the reference's sections."""
import os
import re
import shutil
import subprocess
import sys

CORDON, MAN_DIR = os.path.abspath(sys.argv[1]), sys.argv[2]
if not shutil.which("man") or not shutil.which("groff"):
    print("SKIP man pages: man or groff is not installed (scripts/install-deps.sh installs man-db and groff-base)")
    sys.exit(77)
failed = 0


def check(name, cond, detail=""):
    global failed
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else f": {detail}"))
    failed += not cond


def render(page):
    return subprocess.run(["man", "-P", "cat", "-l", page], capture_output=True, text=True,
                          env=dict(os.environ, MANWIDTH="100"), timeout=30)


for page in ("cordon.1", "cordon-policy.5"):
    path = os.path.join(MAN_DIR, page)
    warnings = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", path], capture_output=True, text=True)
    check(f"{page}: groff reads it without warnings", warnings.returncode == 0 and not warnings.stderr, warnings.stderr[:300])
    r = render(path)
    check(f"{page}: man -l renders it", r.returncode == 0 and len(r.stdout) > 1000, r.stderr[:300])

overview = subprocess.run([CORDON, "help"], capture_output=True, text=True).stdout
commands = re.findall(r"^  (\w[\w-]*)\s{2,}", overview.split("Subcommands:", 1)[-1], re.M)
page = render(os.path.join(MAN_DIR, "cordon.1")).stdout
missing = [c for c in commands if f"cordon {c}\n" not in page]
check("cordon(1): a section for every command", len(commands) >= 15 and not missing, f"missing {missing} of {commands}")
check("cordon(1): each command's examples", "cordon run --complain --suggest" in page and "cordon forget --yes" in page)
policy = render(os.path.join(MAN_DIR, "cordon-policy.5")).stdout
check("cordon-policy(5): the reference's sections", all(s in policy for s in ("DIAGNOSTICS", "INTERFACE FILE")),
      policy[:300])
sys.exit(1 if failed else 0)
