#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_package (tests/fuzz/fuzz_package.cc): valid and nearly valid
header+manifest inputs, each prefixed by the u64 LE payload size the fuzzer reads, and a signed-looking
trailer. Binary, so generated at run time rather than kept in the tree.

usage: make_package_seeds.py OUT_DIR
"""
import hashlib
import json
import pathlib
import struct
import sys


def header(manifest: bytes) -> bytes:
    return b"CORDONPK" + struct.pack("<IIQ", 1, 0, len(manifest))


def file_entry(path: str, content: bytes, mode: int = 0o644) -> dict:
    return {"mode": mode, "path": path, "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content), "type": "file"}


def seed(entries: list, payload: int, **top) -> bytes:
    doc = {"count": len(entries), "files": entries, "format": 1, "name": "hello", "version": "1.2"}
    doc.update(top)
    manifest = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return struct.pack("<Q", payload) + header(manifest) + manifest


def main() -> int:
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    policy = b"name: hello\n"
    hello = b"#!/bin/sh\necho hello\n"
    tree = [{"mode": 0o755, "path": "bin", "type": "dir"}, file_entry("bin/hello", hello, 0o755),
            {"path": "bin/hi", "target": "hello", "type": "symlink"}, file_entry("policy.yaml", policy),
            {"mode": 0o755, "path": "lib", "type": "dir"},
            {"path": "lib/libx.so", "target": "libx.so.1", "type": "symlink"}]
    seeds = {
        "minimal": seed([file_entry("policy.yaml", policy)], len(policy)),
        "tree": seed(tree, len(hello) + len(policy)),
        "unicode": seed([{"mode": 0o700, "path": "d\u00e9j\u00e0", "type": "dir"},
                         file_entry("d\u00e9j\u00e0/\u732b.txt", b"x"), file_entry("policy.yaml", policy)],
                        1 + len(policy)),
        "deep": seed([{"mode": 0o755, "path": "/".join(["d"] * n), "type": "dir"} for n in range(1, 65)]
                     + [file_entry("policy.yaml", policy)], len(policy)),
        # Nearly valid: each breaks one rule, so the fuzzer starts next to every refusal.
        "dotdot": seed([file_entry("../x", b"x"), file_entry("policy.yaml", policy)], 1 + len(policy)),
        "setuid": seed([file_entry("policy.yaml", policy, 0o4755)], len(policy)),
        "short-payload": seed([file_entry("policy.yaml", policy)], len(policy) - 1),
        "count-huge": seed([file_entry("policy.yaml", policy)], len(policy), count=10**9),
    }
    # Update index bodies (update/index.h), read from the same bytes after the first 8.
    app = {"name": "hello", "version": "1.2", "file": "hello_1.2.cordon", "size": 745, "sha256": "a" * 64, "key": "b" * 64}
    index = {"format": 1, "repository": "e" * 32, "serial": 7, "published": "2026-12-02T21:00:00Z", "expires": "2026-12-09T21:00:00Z",
             "apps": [app, dict(app, name="world", file="world_2.0.cordon", version="2.0")]}
    seeds["index"] = struct.pack("<Q", 0) + json.dumps(index, separators=(",", ":")).encode()
    seeds["index-unsorted"] = struct.pack("<Q", 0) + json.dumps(dict(index, apps=index["apps"][::-1])).encode()
    trailer = b"CORDONSIG1".ljust(16, b"\0") + bytes(range(32)) + bytes(range(64)) + struct.pack("<Q", 1000) + bytes(8)
    seeds["trailer"] = struct.pack("<Q", 1128) + trailer
    for name, data in seeds.items():
        (out / name).write_bytes(data)
    print(f"make_package_seeds: {len(seeds)} files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
