#!/usr/bin/env python3
"""Check policies/syscall-sets.yaml against the syscall names libseccomp knows.

usage: check_syscall_sets.py SETS.yaml NAMES.txt

NAMES.txt holds one syscall name per line, as printed by tests/data/list_syscalls.c (every name
libseccomp resolves for x86_64). The checks:
  - the file is one YAML document without anchors, aliases, tags or duplicate keys;
  - `schema: 1`, `sets:` and `denied:` and nothing else at the top;
  - set names are kebab-case and sorted; every set has a one-line `summary`, a sorted `syscalls`
    list without duplicates and, optionally, a sorted `include` list of existing sets; a set has
    syscalls or includes (or both); `default` exists; includes form no cycle;
  - every rule names a syscall the set grants (itself or through includes), has a one-line `why`,
    and is either an errno override or an argument rule (`arg` with `deny`, `deny-bits`,
    `deny-all-bits` or `allow-only`);
    rules are sorted by syscall;
  - `denied` is sorted by syscall, each entry with a one-line `why`;
  - every name in NAMES.txt sits in exactly one set's `syscalls` or under `denied`, and no other
    name appears.

Prints every problem as FILE:LINE:COL: error: MESSAGE and exits 1; exits 2 on a usage error or an
unreadable file; prints one summary line and exits 0 when everything holds.
"""

import re
import sys

import yaml

SET_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")
ERRNO = re.compile(r"^E[A-Z0-9]+$")
SET_KEYS = {"summary", "syscalls", "include", "rules"}
COMPARE_MODES = {"low32"}
MAX_ARG = 5  # seccomp_data carries six syscall arguments


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars, as yaml-cpp reads them (`yes` is a string)."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
):
    Yaml12Loader.add_implicit_resolver(_tag, re.compile(_regexp), _first)


class Checker:
    def __init__(self, path):
        self.path = path
        self.errors = []

    def error(self, node, message):
        if node is None:
            self.errors.append(f"{self.path}: error: {message}")
        else:
            mark = node.start_mark
            self.errors.append(f"{self.path}:{mark.line + 1}:{mark.column + 1}: error: {message}")

    # --- YAML structure -------------------------------------------------------------------

    def load(self, text):
        """Returns the document's root node, or None after reporting why it cannot be used."""
        try:
            for event in yaml.parse(text, Loader=Yaml12Loader):
                if isinstance(event, yaml.AliasEvent):
                    self.error(event, f"alias *{event.anchor}: anchors and aliases are not allowed")
                elif getattr(event, "anchor", None) is not None:
                    self.error(event, f"anchor &{event.anchor}: anchors and aliases are not allowed")
                if getattr(event, "tag", None) is not None:
                    self.error(event, f"tag {event.tag}: explicit tags are not allowed")
            nodes = list(yaml.compose_all(text, Loader=Yaml12Loader))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
            self.errors.append(f"{self.path}{where}: error: not valid YAML: {getattr(e, 'problem', e)}")
            return None
        if len(nodes) != 1:
            self.error(None, f"expected one YAML document, found {len(nodes)}")
            return None
        return nodes[0]

    def mapping(self, node, what):
        """Returns {key: (key_node, value_node)} in file order, or None if node is no mapping."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping")
            return None
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                self.error(key_node, f"{what}: keys must be plain strings")
                continue
            if key_node.value in out:
                first = out[key_node.value][0].start_mark.line + 1
                self.error(key_node, f"{what}: duplicate key '{key_node.value}' (first on line {first})")
                continue
            out[key_node.value] = (key_node, value_node)
        return out

    def sequence(self, node, what):
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"{what} must be a list")
            return None
        return node.value

    def string(self, node, what, one_line=False):
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            self.error(node, f"{what} must be a string")
            return None
        value = node.value
        if one_line and (value == "" or "\n" in value or value != value.strip()):
            self.error(node, f"{what} must be one non-empty line without surrounding spaces")
            return None
        return value

    def integer(self, node, what):
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            self.error(node, f"{what} must be an integer")
            return None
        return int(node.value, 0)

    def keys(self, fields, node, what, required, optional=()):
        for key in required:
            if key not in fields:
                self.error(node, f"{what}: missing '{key}'")
        for key, (key_node, _) in fields.items():
            if key not in required and key not in optional:
                allowed = ", ".join(sorted(set(required) | set(optional)))
                self.error(key_node, f"{what}: unknown key '{key}' (allowed: {allowed})")

    def sorted_names(self, items, what):
        """items: [(name, node)]; reports the first place the order breaks and every duplicate."""
        seen = {}
        for name, node in items:
            if name in seen:
                self.error(node, f"{what}: '{name}' appears twice (first on line {seen[name]})")
            else:
                seen[name] = node.start_mark.line + 1
        for (prev, _), (name, node) in zip(items, items[1:]):
            if name < prev:
                self.error(node, f"{what}: not sorted: '{name}' comes after '{prev}'")
                break

    # --- the file -------------------------------------------------------------------------

    def check(self, root, known):
        top = self.mapping(root, "the file")
        if top is None:
            return
        self.keys(top, root, "the file", required=("schema", "sets", "denied"))
        if "schema" in top:
            schema = self.integer(top["schema"][1], "schema")
            if schema is not None and schema != 1:
                self.error(top["schema"][1], f"schema: unsupported value {schema} (expected 1)")

        placed = {}  # syscall -> [(where, node)]
        sets = {}
        if "sets" in top:
            sets = self.check_sets(top["sets"][1], known, placed)
        if "denied" in top:
            self.check_denied(top["denied"][1], known, placed)

        for name, places in sorted(placed.items()):
            if len(places) > 1:
                where = ", ".join(w for w, _ in places)
                for _, node in places[1:]:
                    self.error(node, f"syscall '{name}' is placed more than once: {where}")
        missing = [name for name in sorted(known) if name not in placed]
        if missing:
            self.error(None, f"{len(missing)} syscall(s) libseccomp knows are in no set and not "
                             f"denied: {', '.join(missing)}")
        return sets, placed

    def check_sets(self, node, known, placed):
        fields = self.mapping(node, "sets")
        if fields is None:
            return {}
        names = list(fields)
        for name in names:
            if not SET_NAME.match(name):
                self.error(fields[name][0], f"set name '{name}' must be kebab-case (^[a-z][a-z0-9-]*$)")
        for prev, name in zip(names, names[1:]):
            if name < prev:
                self.error(fields[name][0], f"sets: not sorted: '{name}' comes after '{prev}'")
                break
        if "default" not in fields:
            self.error(node, "sets: there is no 'default' set (what every app gets)")

        sets = {}  # name -> {"syscalls": set, "include": [(name, node)], "rules": [...], "node": node}
        for name, (key_node, value_node) in fields.items():
            sets[name] = self.check_set(name, key_node, value_node, known, placed)

        for name, info in sets.items():
            for target, target_node in info["include"]:
                if target == name:
                    self.error(target_node, f"set '{name}': includes itself")
                elif target not in sets:
                    hint = ", ".join(sorted(sets))
                    self.error(target_node, f"set '{name}': includes unknown set '{target}' (sets: {hint})")
        if not self.report_cycles(sets):
            for name, info in sets.items():
                granted = self.expand(name, sets)
                for syscall, rule_node, is_errno in info["rules"]:
                    # an errno rule may also say how a denied syscall answers (io_uring_setup: ENOSYS)
                    if syscall in known and syscall not in granted and not is_errno:
                        self.error(rule_node, f"set '{name}': rule for '{syscall}', which the set "
                                              f"neither lists nor includes")
        return sets

    def check_set(self, name, key_node, node, known, placed):
        info = {"syscalls": set(), "include": [], "rules": [], "node": key_node}
        what = f"set '{name}'"
        fields = self.mapping(node, what)
        if fields is None:
            return info
        self.keys(fields, node, what, required=("summary", "syscalls"), optional=("include", "rules"))
        if "summary" in fields:
            self.string(fields["summary"][1], f"{what}: summary", one_line=True)
        if "syscalls" in fields:
            items = self.name_list(fields["syscalls"][1], f"{what}: syscalls")
            self.sorted_names(items, f"{what}: syscalls")
            for syscall, item_node in items:
                if syscall not in known:
                    self.error(item_node, f"{what}: '{syscall}' is not a syscall libseccomp knows for x86_64")
                placed.setdefault(syscall, []).append((f"set '{name}'", item_node))
                info["syscalls"].add(syscall)
        if "include" in fields:
            items = self.name_list(fields["include"][1], f"{what}: include")
            if not items and isinstance(fields["include"][1], yaml.SequenceNode):
                self.error(fields["include"][1], f"{what}: include is empty (leave it out instead)")
            self.sorted_names(items, f"{what}: include")
            info["include"] = items
        if not info["syscalls"] and not info["include"]:
            self.error(key_node, f"{what}: grants nothing (no syscalls and no includes)")
        if "rules" in fields:
            info["rules"] = self.check_rules(fields["rules"][1], what, known)
        return info

    def name_list(self, node, what):
        items = self.sequence(node, what)
        if items is None:
            return []
        out = []
        for item in items:
            value = self.string(item, f"{what}: entry")
            if value is not None:
                out.append((value, item))
        return out

    def check_rules(self, node, what, known):
        rules = self.sequence(node, f"{what}: rules")
        if rules is None:
            return []
        if not rules:
            self.error(node, f"{what}: rules is empty (leave it out instead)")
        out = []
        seen_constants = {}  # (syscall, arg, kind) -> {constant: line}
        errno_rules = {}
        for rule_node in rules:
            fields = self.mapping(rule_node, f"{what}: rule")
            if fields is None:
                continue
            syscall = None
            if "syscall" in fields:
                syscall = self.string(fields["syscall"][1], f"{what}: rule: syscall")
            rwhat = f"{what}: rule for '{syscall}'" if syscall else f"{what}: rule"
            if syscall is not None:
                if syscall not in known:
                    self.error(fields["syscall"][1], f"{rwhat}: not a syscall libseccomp knows for x86_64")
                out.append((syscall, rule_node, "errno" in fields))
            if "why" in fields:
                self.string(fields["why"][1], f"{rwhat}: why", one_line=True)

            if "errno" in fields:
                self.keys(fields, rule_node, rwhat, required=("syscall", "errno", "why"))
                errno = self.string(fields["errno"][1], f"{rwhat}: errno")
                if errno is not None and not ERRNO.match(errno):
                    self.error(fields["errno"][1], f"{rwhat}: errno '{errno}' is not an errno name (ENOSYS, EPERM, ...)")
                if syscall in errno_rules:
                    self.error(rule_node, f"{rwhat}: second errno override (first on line {errno_rules[syscall]})")
                elif syscall is not None:
                    errno_rules[syscall] = rule_node.start_mark.line + 1
                continue

            kinds = [k for k in ("deny", "deny-bits", "deny-all-bits", "allow-only") if k in fields]
            if len(kinds) != 1:
                self.error(rule_node, f"{rwhat}: needs exactly one of 'errno', 'deny', 'deny-bits', 'deny-all-bits' or 'allow-only'")
                self.keys(fields, rule_node, rwhat, required=("syscall", "why"),
                          optional=("arg", "compare", "deny", "deny-bits", "deny-all-bits", "allow-only", "errno"))
                continue
            kind = kinds[0]
            optional = ("compare",) if kind in ("deny", "allow-only") else ()
            if kind in ("deny", "allow-only"):
                optional += ("if-arg", "if-equals")  # holds while another argument equals a constant
            self.keys(fields, rule_node, rwhat, required=("syscall", "arg", kind, "why"), optional=optional)
            arg = None
            if "arg" in fields:
                arg = self.integer(fields["arg"][1], f"{rwhat}: arg")
                if arg is not None and not 0 <= arg <= MAX_ARG:
                    self.error(fields["arg"][1], f"{rwhat}: arg {arg} out of range (0 to {MAX_ARG})")
            if "compare" in fields and kind == "deny":
                mode = self.string(fields["compare"][1], f"{rwhat}: compare")
                if mode is not None and mode not in COMPARE_MODES:
                    self.error(fields["compare"][1], f"{rwhat}: compare '{mode}' unknown (allowed: {', '.join(sorted(COMPARE_MODES))})")
            constants = self.name_list(fields[kind][1], f"{rwhat}: {kind}")
            if not constants and isinstance(fields[kind][1], yaml.SequenceNode):
                self.error(fields[kind][1], f"{rwhat}: {kind} is empty")
            # a conditional rule (if-arg/if-equals) is its own list: the same value under another condition
            condition = None
            if "if-arg" in fields and "if-equals" in fields:
                condition = (getattr(fields["if-arg"][1], "value", None), getattr(fields["if-equals"][1], "value", None))
            seen = seen_constants.setdefault((syscall, arg, kind, condition), {})
            for constant, constant_node in constants:
                if not CONSTANT.match(constant):
                    self.error(constant_node, f"{rwhat}: '{constant}' is not a constant name (TIOCSTI, CLONE_NEWUSER, ...)")
                if constant in seen:
                    self.error(constant_node, f"{rwhat}: '{constant}' already listed on line {seen[constant]}")
                else:
                    seen[constant] = constant_node.start_mark.line + 1

        for (prev, _, _), (name, rule_node, _) in zip(out, out[1:]):
            if name < prev:
                self.error(rule_node, f"{what}: rules not sorted by syscall: '{name}' comes after '{prev}'")
                break
        return out

    def check_denied(self, node, known, placed):
        entries = self.sequence(node, "denied")
        if entries is None:
            return
        items = []
        for entry in entries:
            fields = self.mapping(entry, "denied: entry")
            if fields is None:
                continue
            self.keys(fields, entry, "denied: entry", required=("syscall", "why"))
            if "syscall" not in fields:
                continue
            syscall_node = fields["syscall"][1]
            syscall = self.string(syscall_node, "denied: syscall")
            if syscall is None:
                continue
            if syscall not in known:
                self.error(syscall_node, f"denied: '{syscall}' is not a syscall libseccomp knows for x86_64")
            if "why" in fields:
                self.string(fields["why"][1], f"denied: '{syscall}': why", one_line=True)
            items.append((syscall, syscall_node))
            placed.setdefault(syscall, []).append(("denied", syscall_node))
        self.sorted_names(items, "denied")

    # --- includes -------------------------------------------------------------------------

    def report_cycles(self, sets):
        """Reports each include cycle once; returns True if there is one."""
        state = {}  # name -> "active" | "done"
        found = []

        def visit(name, stack):
            state[name] = "active"
            stack.append(name)
            for target, target_node in sets[name]["include"]:
                if target not in sets or target == name:
                    continue  # reported elsewhere
                if state.get(target) == "active":
                    cycle = stack[stack.index(target):] + [target]
                    found.append(cycle)
                    self.error(target_node, f"include cycle: {' -> '.join(cycle)}")
                elif target not in state:
                    visit(target, stack)
            stack.pop()
            state[name] = "done"

        for name in sets:
            if name not in state:
                visit(name, [])
        return bool(found)

    @staticmethod
    def expand(name, sets):
        granted, todo, seen = set(), [name], set()
        while todo:
            current = todo.pop()
            if current in seen or current not in sets:
                continue
            seen.add(current)
            granted |= sets[current]["syscalls"]
            todo.extend(target for target, _ in sets[current]["include"])
        return granted


def read_names(path):
    with open(path, encoding="utf-8") as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise ValueError(f"{path}: no syscall names (expected one per line)")
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise ValueError(f"{path}: names listed twice: {', '.join(dups)}")
    return set(names)


def main(argv):
    if len(argv) != 3 or argv[1].startswith("-"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    yaml_path, names_path = argv[1], argv[2]
    try:
        known = read_names(names_path)
        with open(yaml_path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError, ValueError) as e:
        print(f"check_syscall_sets: error: {e}", file=sys.stderr)
        return 2

    checker = Checker(yaml_path)
    root = checker.load(text)
    result = checker.check(root, known) if root is not None else None
    if checker.errors:
        for message in checker.errors:
            print(message, file=sys.stderr)
        print(f"{yaml_path}: {len(checker.errors)} error(s)", file=sys.stderr)
        return 1
    sets, placed = result
    denied = sum(1 for places in placed.values() if places[0][0] == "denied")
    default = len(Checker.expand("default", sets))
    print(f"{yaml_path}: ok: {len(known)} syscalls, {len(known) - denied} in {len(sets)} sets "
          f"({default} in default), {denied} denied")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
