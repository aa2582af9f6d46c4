#!/usr/bin/env python3
"""The JSON Schemas and the cordon loader agree on which policy files are valid.

usage: agree.py [--cordon BIN] [--schema-dir DIR] [--yaml cordon|core] PATH...

A PATH is a file, or a directory: its *.yaml files (not recursive). For each file the test runs
`cordon check FILE` (exit 0: valid, 1: invalid, anything else is a failure) and validates the file
against the schemas as tests/schema/validate.py does; it fails when the two disagree. A file in a
directory named bad-loader-only (or *-loader-only) holds a mistake that only the loader can see:
there `cordon check` must refuse it, and the schema's verdict is shown but not judged.
Syscall-set catalogues have no schema and are skipped.

Defaults: BIN is build/bin/cordon and DIR is policies/schema, both under the source tree this
script is in. Runs with Debian's /usr/bin/python3 (python3-jsonschema 4.10, python3-yaml).
Prints one line per file, then "N passed, M failed"; exits 1 when M > 0, 2 on a usage error.
"""

import argparse
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import validate  # noqa: E402  (tests/schema/validate.py)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def loader_only(path):
    return any(part == "bad-loader-only" or part.endswith("-loader-only") for part in path.parent.parts)


# `cordon check` also reports what `cordon run` would refuse of a well-formed file on this host (a
# reserved key not enforced yet, a name an installed app owns: launcher/launch_refusals.h). Those
# say so in their message; the schema judges the form alone, so they do not make a file invalid.
RUN_REFUSAL = "refuses it"


def cordon_check(cordon, path):
    """Return (exit code, first error line or ''); 0 when every error is only a run's refusal."""
    try:
        r = subprocess.run([cordon, "check", str(path)], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    errors = [line for line in r.stderr.decode("utf-8", "replace").splitlines() if ": error: " in line]
    form_errors = [line for line in errors if not line.endswith(RUN_REFUSAL)]
    if r.returncode == 1 and errors and not form_errors:
        return 0, ""
    return r.returncode, (form_errors or errors or [""])[0]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cordon", default=str(ROOT / "build/bin/cordon"), help="the cordon binary")
    ap.add_argument("--schema-dir", default=str(ROOT / "policies/schema"), help="directory of *.schema.json")
    ap.add_argument("--yaml", choices=sorted(validate.LOADERS), default="cordon",
                    help="how the schema side types scalars (see validate.py)")
    ap.add_argument("paths", nargs="+", metavar="PATH", help="a file, or a directory of *.yaml files")
    args = ap.parse_args(argv)

    try:
        validators = validate.load_schemas(args.schema_dir)
    except (OSError, ValueError, validate.jsonschema.exceptions.SchemaError) as e:
        print("agree.py: cannot load schemas from %s: %s" % (args.schema_dir, e), file=sys.stderr)
        return 2
    try:
        files = validate.expand(args.paths)
    except FileNotFoundError as e:
        print("agree.py: %s" % e, file=sys.stderr)
        return 2
    if not files:
        print("agree.py: no files in %s" % " ".join(args.paths), file=sys.stderr)
        return 2

    passed = failed = 0
    for path in files:
        schema_ok, schema_msg = validate.check(validators, path, validate.LOADERS[args.yaml])
        if schema_ok is None:
            print("SKIP %s: %s" % (path, schema_msg))
            continue
        try:
            rc, loader_msg = cordon_check(args.cordon, path)
        except OSError as e:
            print("agree.py: cannot run %s: %s" % (args.cordon, e), file=sys.stderr)
            return 2
        loader_says = {0: "valid", 1: "invalid"}.get(rc)
        schema_says = "valid" if schema_ok else "invalid"
        if loader_says is None:
            ok, verdict = False, "cordon check exited %s %s" % (rc, loader_msg)
        elif loader_only(path):
            ok = loader_says == "invalid"
            verdict = "loader-only: loader %s, schema %s (not judged)" % (loader_says, schema_says)
        else:
            ok = loader_says == schema_says
            verdict = ("both %s" % loader_says) if ok else "loader %s, schema %s" % (loader_says, schema_says)
        details = []
        if loader_msg and (not ok or loader_says != "valid"):
            details.append("loader: " + loader_msg.removeprefix(str(path) + ":"))
        if not schema_ok:
            details.append("schema: " + schema_msg)
        line = "%s %s: %s" % ("PASS" if ok else "FAIL", path, verdict)
        if details and not ok:
            line += "\n    " + "\n    ".join(details)
        print(line)
        if ok:
            passed += 1
        else:
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
