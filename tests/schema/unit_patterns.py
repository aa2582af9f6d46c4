#!/usr/bin/env python3
"""The size and duration patterns of policies/schema/common.schema.json, generated.

usage: unit_patterns.py                  print the two patterns (paste them into the schema)
       unit_patterns.py --check DIR      exit 1 unless DIR/common.schema.json holds them

The loader (runtime/policy/fields.cc Reader::size, duration_ms) takes a positive decimal integer,
leading zeros allowed, times the unit's factor, and refuses anything that overflows 64 bits. A
regular expression can say the same: per unit, the numbers from 1 to floor((2^64-1) / factor).
"""
import json
import pathlib
import sys

U64 = 2**64 - 1
SIZE_UNITS = (("B", 1), ("K|KiB", 1 << 10), ("M|MiB", 1 << 20), ("G|GiB", 1 << 30), ("T|TiB", 1 << 40))
DURATION_UNITS = (("ms", 1), ("s", 1000), ("min", 60 * 1000), ("h", 60 * 60 * 1000))


def up_to(n):
    """A regex group matching the decimal numbers 1..n written without leading zeros."""
    s = str(n)
    k = len(s)
    alts = []
    if k > 1:  # fewer digits than n
        alts.append("[1-9][0-9]{0,%d}" % (k - 2) if k > 2 else "[1-9]")
    for i, c in enumerate(s):  # as many digits: n's first i digits, then a smaller digit, then anything
        lo, d = (1 if i == 0 else 0), int(c)
        if d > lo:
            digit = "[%d-%d]" % (lo, d - 1) if d - 1 > lo else str(lo)
            rest = k - i - 1
            alts.append(s[:i] + digit + ("[0-9]{%d}" % rest if rest > 1 else "[0-9]" if rest == 1 else ""))
    alts.append(s)
    return "(?:" + "|".join(alts) + ")"


def pattern(units):
    return "^0*(?:" + "|".join(up_to(U64 // f) + "(?:" + u + ")" for u, f in units) + ")(?!\\n)$"


def main(argv):
    size, duration = pattern(SIZE_UNITS), pattern(DURATION_UNITS)
    if argv[:1] == ["--check"] and len(argv) == 2:
        defs = json.loads((pathlib.Path(argv[1]) / "common.schema.json").read_text())["definitions"]
        ok = defs["size"]["pattern"] == size and defs["duration"]["pattern"] == duration
        print("size and duration patterns are %s" % ("up to date" if ok else "out of date: run unit_patterns.py"))
        return 0 if ok else 1
    if argv:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    print("size:     " + json.dumps(size))
    print("duration: " + json.dumps(duration))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
