#!/usr/bin/env python3
"""Fails when a file includes a header of a layer above its own (docs/architecture.md "Layers").

The layers, from the ground up, are the folders of runtime/ and then launcher/. A file may include
its own folder's headers and those of any layer below; an include that points up or sideways out of
this order is a cycle between folders waiting to happen (the link-time check catches only calls,
not a header-only dependency such as a struct or an inline function).

usage: check_layers.py SOURCE_DIR
"""
import pathlib
import re
import sys

# Bottom first. Two folders on one rank may not include each other.
LAYERS = [
    ("util",),
    ("package",),
    ("syscalls",),
    ("policy",),
    ("plan", "update"),
    ("seccomp",),
    ("cache",),
    ("app",),
    ("sandbox",),
    ("cordon",),  # include/cordon/cordon.h(.in): the library API, standard C++ only; launcher/api.cc implements it
    ("launcher",),
]
RANK = {folder: rank for rank, folders in enumerate(LAYERS) for folder in folders}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.MULTILINE)


def folder_of(path: pathlib.Path, root: pathlib.Path) -> str:
    rel = path.relative_to(root).parts
    return rel[1] if rel[0] in ("runtime", "include") else rel[0]


def violations(root: pathlib.Path):
    files = [p for d in ("runtime", "launcher", "include") for p in (root / d).rglob("*") if p.suffix in (".h", ".cc") or p.name.endswith(".h.in")]
    for path in sorted(files):
        own = folder_of(path, root)
        if own not in RANK:
            yield f"{path.relative_to(root)}: folder '{own}' is in no layer; add it to tests/check_layers.py and docs/architecture.md"
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in INCLUDE.finditer(text):
            target = match.group(1)
            if target == own:
                continue
            line = text.count("\n", 0, match.start()) + 1
            if target not in RANK:
                yield f"{path.relative_to(root)}:{line}: includes '{target}/', which is in no layer"
            elif RANK[target] >= RANK[own]:
                where = "above" if RANK[target] > RANK[own] else "beside"
                yield f"{path.relative_to(root)}:{line}: {own}/ includes {target}/, a layer {where} it"


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    found = list(violations(root))
    for v in found:
        print(v)
    order = " -> ".join("/".join(f) for f in LAYERS)
    print(f"check_layers: {len(found)} violation(s) of {order}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
