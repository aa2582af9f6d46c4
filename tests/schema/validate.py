#!/usr/bin/env python3
"""Validate cordon policy files against the JSON Schemas in policies/schema/.

usage: validate.py --schema-dir DIR good PATH...   every file must validate
       validate.py --schema-dir DIR bad PATH...    every file must fail validation

A PATH is a file, or a directory: its *.yaml files (not recursive), in name order. So these two
are the same test:
    validate.py --schema-dir policies/schema bad tests/data/bad tests/data/interfaces-bad
    validate.py --schema-dir policies/schema bad tests/data/bad/*.yaml tests/data/interfaces-bad/*.yaml

A file with a top-level `interface:` key is checked against interface.schema.json, a file with
`sets:` and no `name:` is the syscall-set catalogue (no schema: reported as SKIP and not counted),
any other against app.schema.json; `cordon check` sorts files the same way.

YAML is read the way the cordon loader reads it (--yaml cordon, the default): only unquoted
`true`/`false` are booleans, only unquoted decimal digits are integers, `~`/`null`/`Null`/`NULL`/empty
are null, every other scalar is a string (`True`, `yes`, `0x10`, `1.0` are strings), and mapping keys
are always the key's text. `--yaml core` reads YAML 1.2 core types instead, as yaml-language-server
does in editors; the schema cannot reject e.g. `optional: True` or `processes: 0x10` then.
The schemas cannot see loader-only rules either (duplicate keys, anchors, tags, unknown interfaces
or syscalls, attributes a plug sets against the interface's declarations...): tests/data/bad-loader-only.

Prints one line per file, then "N passed, M failed"; exits 1 when M > 0, 2 on a usage error.
Works with Debian's python3-jsonschema 4.10 (RefResolver) and with jsonschema >= 4.18 (referencing).
"""

import argparse
import json
import pathlib
import re
import sys

import jsonschema
import yaml

SCHEMA_FILES = ("common.schema.json", "app.schema.json", "interface.schema.json")
NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


def _int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)  # "012" is 12, not YAML 1.1's octal


def _float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


class _TextKeys:
    """Mapping keys are the key's text, as in JSON and in the cordon loader; no merge keys."""

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
        mapping = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or (key_node.style is None and NULL.match(key_node.value)):
                raise yaml.constructor.ConstructorError(None, None, "mapping keys must be plain strings",
                                                        key_node.start_mark)
            mapping[key_node.value] = self.construct_object(value_node, deep=deep)
        return mapping


class CordonLoader(_TextKeys, yaml.SafeLoader):
    """Scalars typed as the cordon loader types them (see the module docstring)."""


class CoreLoader(_TextKeys, yaml.SafeLoader):
    """The YAML 1.2 core schema's implicit types instead of YAML 1.1's."""


def _resolvers(cls, table):
    cls.yaml_implicit_resolvers = {}
    for tag, regexp, first in table:
        cls.add_implicit_resolver(tag, re.compile(regexp), first)
    cls.add_constructor("tag:yaml.org,2002:int", _int)
    cls.add_constructor("tag:yaml.org,2002:float", _float)


_NULL = ("tag:yaml.org,2002:null", NULL.pattern, ["~", "n", "N", ""])
_resolvers(CordonLoader, (
    _NULL,
    ("tag:yaml.org,2002:bool", r"^(?:true|false)$", list("tf")),
    ("tag:yaml.org,2002:int", r"^[0-9]+$", list("0123456789")),
))
_resolvers(CoreLoader, (
    _NULL,
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+0123456789.")),
))
LOADERS = {"cordon": CordonLoader, "core": CoreLoader}


def load_schemas(schema_dir):
    """Return {"app": validator, "interface": validator}."""
    schema_dir = pathlib.Path(schema_dir).resolve()
    docs = {}
    for name in SCHEMA_FILES:
        path = schema_dir / name
        with open(path, encoding="utf-8") as f:
            docs[path.as_uri()] = json.load(f)
    for uri, doc in docs.items():
        jsonschema.validators.validator_for(doc).check_schema(doc)

    def make(name):
        uri = (schema_dir / name).as_uri()
        doc = docs[uri]
        cls = jsonschema.validators.validator_for(doc)
        try:
            import referencing  # jsonschema >= 4.18
            import referencing.jsonschema
        except ImportError:
            resolver = jsonschema.RefResolver(base_uri=uri, referrer=doc, store=dict(docs))
            return cls(doc, resolver=resolver)
        spec = referencing.jsonschema.specification_with(doc["$schema"])
        registry = referencing.Registry().with_resources(
            (u, spec.create_resource(d)) for u, d in docs.items())
        # The schemas carry no $id (so editors resolve common.schema.json next to them):
        # enter through a $ref to the file's URI so relative refs resolve against it.
        return cls({"$ref": uri}, registry=registry)

    return {"app": make("app.schema.json"), "interface": make("interface.schema.json")}


def load_yaml(path, loader=CordonLoader):
    data = pathlib.Path(path).read_bytes()
    text = data.decode("utf-8")  # strict: a non-UTF-8 file is an error
    docs = list(yaml.load_all(text, Loader=loader))
    if len(docs) > 1:
        raise ValueError("expected one YAML document, found %d" % len(docs))
    return docs[0] if docs else None  # an empty file is a null document


def kind_of(doc):
    """What `cordon check` reads the file as: "interface", "syscall-sets" or "app"."""
    if isinstance(doc, dict) and "interface" in doc:
        return "interface"
    if isinstance(doc, dict) and "sets" in doc and "name" not in doc:
        return "syscall-sets"
    return "app"


def where(error):
    return "/" + "/".join(str(p) for p in error.absolute_path)


def check(validators, path, loader=CordonLoader):
    """Return (ok, message): ok is True when the file validates, None when no schema applies."""
    try:
        doc = load_yaml(path, loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as e:
        return False, "cannot load: " + " ".join(str(e).split())
    kind = kind_of(doc)
    if kind not in validators:
        return None, "no schema for the %s file" % kind
    errors = list(validators[kind].iter_errors(doc))
    if not errors:
        return True, "valid %s" % kind
    best = jsonschema.exceptions.best_match(errors)
    while best.context:  # anyOf/oneOf: name the branch's own complaint, not "not valid under any"
        best = jsonschema.exceptions.best_match(
            [e for e in best.context if e.validator != "type"] or best.context)
    message = best.message
    if best.validator == "pattern" and isinstance(best.schema, dict) and "patternErrorMessage" in best.schema:
        message = "%r: %s" % (best.instance, best.schema["patternErrorMessage"])
    return False, "%s: %s: %s" % (kind, where(best), message)


def expand(paths):
    """Files as given; a directory stands for its *.yaml files in name order."""
    out = []
    for p in paths:
        p = pathlib.Path(p)
        if not p.exists():
            raise FileNotFoundError("no such file or directory: %s" % p)
        out.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schema-dir", required=True, help="directory holding the *.schema.json files")
    ap.add_argument("--yaml", choices=sorted(LOADERS), default="cordon",
                    help="how to type scalars: as the cordon loader does (default), or YAML 1.2 core")
    ap.add_argument("mode", choices=("good", "bad"), help="good: files must validate; bad: must not")
    ap.add_argument("paths", nargs="+", metavar="PATH", help="a file, or a directory of *.yaml files")
    args = ap.parse_args(argv)

    try:
        validators = load_schemas(args.schema_dir)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print("validate.py: cannot load schemas from %s: %s" % (args.schema_dir, e), file=sys.stderr)
        return 2
    try:
        files = expand(args.paths)
    except FileNotFoundError as e:
        print("validate.py: %s" % e, file=sys.stderr)
        return 2
    if not files:
        print("validate.py: no files in %s" % " ".join(args.paths), file=sys.stderr)
        return 2

    passed = failed = 0
    for path in files:
        ok, message = check(validators, path, LOADERS[args.yaml])
        if ok is None:
            print("SKIP %s: %s" % (path, message))
        elif ok == (args.mode == "good"):
            passed += 1
            print("PASS %s: %s" % (path, message))
        else:
            failed += 1
            verdict = "should not validate" if ok else "should validate"
            print("FAIL %s: %s (%s)" % (path, message, verdict))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
