#!/usr/bin/env python3
"""Validate cordon policy files against the JSON Schemas in policies/schema/.

usage: validate.py --schema-dir DIR good FILE...   every FILE must validate
       validate.py --schema-dir DIR bad FILE...    every FILE must fail validation

A file that has a top-level `interface:` key is checked against interface.schema.json,
any other against app.schema.json. YAML is read as YAML 1.2 core schema (what the cordon
loader and yaml-language-server read): `yes`/`on` are strings, `012` is 12, dates stay strings.
The schemas cannot see loader-only rules (duplicate keys, anchors, tags, unknown interfaces...).

Prints one line per file, then "N passed, M failed"; exits 1 when M > 0, 2 on a usage error.
Works with python3-jsonschema 4.10 (RefResolver) and with jsonschema >= 4.18 (referencing).
"""

import argparse
import json
import pathlib
import re
import sys

import jsonschema
import yaml

SCHEMA_FILES = ("common.schema.json", "app.schema.json", "interface.schema.json")


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit types instead of YAML 1.1's."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+0123456789.")),
):
    Yaml12Loader.add_implicit_resolver(_tag, re.compile(_regexp), _first)


def _int12(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _float12(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int12)
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _float12)


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


def load_yaml(path):
    data = pathlib.Path(path).read_bytes()
    text = data.decode("utf-8")  # strict: a non-UTF-8 file is an error
    docs = list(yaml.load_all(text, Loader=Yaml12Loader))
    if len(docs) > 1:
        raise ValueError("expected one YAML document, found %d" % len(docs))
    return docs[0] if docs else None  # an empty file is a null document


def where(error):
    return "/" + "/".join(str(p) for p in error.absolute_path)


def check(validators, path):
    """Return (ok, message): ok is True when the file validates."""
    try:
        doc = load_yaml(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as e:
        return False, "cannot load: " + " ".join(str(e).split())
    kind = "interface" if isinstance(doc, dict) and "interface" in doc else "app"
    errors = list(validators[kind].iter_errors(doc))
    if not errors:
        return True, "valid %s" % kind
    best = jsonschema.exceptions.best_match(errors)
    message = best.message
    if best.validator == "pattern" and isinstance(best.schema, dict) and "patternErrorMessage" in best.schema:
        message = "%r: %s" % (best.instance, best.schema["patternErrorMessage"])
    return False, "%s: %s: %s" % (kind, where(best), message)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schema-dir", required=True, help="directory holding the *.schema.json files")
    ap.add_argument("mode", choices=("good", "bad"), help="good: files must validate; bad: must not")
    ap.add_argument("files", nargs="+", metavar="FILE")
    args = ap.parse_args(argv)

    try:
        validators = load_schemas(args.schema_dir)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print("validate.py: cannot load schemas from %s: %s" % (args.schema_dir, e), file=sys.stderr)
        return 2

    passed = failed = 0
    for path in args.files:
        ok, message = check(validators, path)
        if ok == (args.mode == "good"):
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
