#!/usr/bin/env python3
"""Every bad policy file is refused by `cordon check` with exactly the diagnostic its first line expects.

Each file under the given directories starts with `# expect: LINE:COL: error: MESSAGE`. The test runs
`cordon check FILE` (exit 1, that diagnostic first on stderr) and `cordon check --json FILE` (the same
diagnostic as the first JSON object). `--update` rewrites the expect lines from cordon's output; review
the diff before committing it.
"""
import json
import pathlib
import re
import subprocess
import sys

EXPECT = re.compile(rb"^# expect: (.*)$", re.M)


def first_error(cordon, path):
    r = subprocess.run([cordon, "check", str(path)], capture_output=True, timeout=10)
    prefix = str(path).encode() + b":"
    for line in r.stderr.splitlines():
        if line.startswith(prefix) and b": error: " in line:
            return r.returncode, line[len(prefix):].decode()
    return r.returncode, None


def json_first_error(cordon, path):
    r = subprocess.run([cordon, "check", "--json", str(path)], capture_output=True, timeout=10)
    doc = json.loads(r.stdout)
    assert doc["version"] == 1, doc
    errors = [d for d in doc["diagnostics"] if d["severity"] == "error"]
    for d in doc["diagnostics"]:
        assert set(d) == {"file", "line", "column", "severity", "message"}, d
    return r.returncode, errors[0] if errors else None


def main():
    args = sys.argv[1:]
    update = "--update" in args
    args = [a for a in args if a != "--update"]
    cordon, dirs = args[0], args[1:]
    passed = failed = 0
    for d in dirs:
        for path in sorted(pathlib.Path(d).glob("*.yaml")):
            data = path.read_bytes()
            m = EXPECT.search(data)
            rc, got = first_error(cordon, path)
            if update:
                line = b"# expect: " + (got or "").encode()
                path.write_bytes(EXPECT.sub(lambda _: line, data, count=1))
                continue
            problems = []
            if not m:
                problems.append("no '# expect:' line")
            if rc != 1:
                problems.append(f"exit {rc}, expected 1")
            if m and got != m.group(1).decode():
                problems.append(f"first error\n    got:      {got}\n    expected: {m.group(1).decode()}")
            jrc, jerr = json_first_error(cordon, path)
            if jrc != 1 or not jerr:
                problems.append(f"--json: exit {jrc}, error {jerr}")
            elif got and f"{jerr['line']}:{jerr['column']}: error: {jerr['message']}" != got and jerr["line"] > 0:
                problems.append(f"--json disagrees with text: {jerr}")
            if problems:
                failed += 1
                print(f"FAIL {path}: " + "; ".join(problems))
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
