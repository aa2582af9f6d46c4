#!/usr/bin/env python3
"""Makes the man pages from what they document, at build time, so they cannot drift:
- cordon(1) from the command line's own help (`cordon help` and `cordon help COMMAND`, the text
  `--help` prints), one section per command;
- cordon-policy(5) from docs/policy-reference.md.

usage: make-man.py CORDON POLICY_REFERENCE_MD OUT_DIR VERSION"""
import re
import subprocess
import sys


def escape(text):
    """roff: a backslash is \\e, and a line may not start with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)  # troff reads ASCII
    return "\n".join(("\\&" + l if l[:1] in (".", "'") else l) for l in text.split("\n"))


# Where the source tree's files are once installed (docs/install.md): a man page is read on a
# machine that has no source tree.
INSTALLED = [
    (re.compile(r"\bdocs/([a-z0-9-]+\.md)"), r"/usr/share/doc/cordon/\1"),
    (re.compile(r"\bpolicies/(schema/|interfaces/|syscall-sets\.yaml)"), r"/usr/share/cordon/\1"),
    (re.compile(r"\b(runtime|tests)/"), r"cordon's source tree: \1/"),
]


def installed_paths(text):
    for pattern, replacement in INSTALLED:
        text = pattern.sub(replacement, text)
    return text


def inline(text):
    """Markdown inline code, bold and links, as roff fonts and plain text."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = installed_paths(text)
    text = escape(text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", text)
    return re.sub(r"`([^`]+)`", r"\\fB\1\\fR", text)


def verbatim(lines):
    return ".nf\n.RS 4\n" + "\n".join(escape(installed_paths(l)) for l in lines) + "\n.RE\n.fi\n"


def cordon_1(cordon, version):
    def help_text(*words):
        return subprocess.run([cordon, "help", *words], capture_output=True, text=True, check=True).stdout.rstrip()

    overview = help_text()
    commands = []
    in_commands = False
    for line in overview.splitlines():
        if line.strip().upper().startswith("SUBCOMMANDS"):
            in_commands = True
            continue
        if in_commands:
            m = re.match(r"^\s{2}(\S+)\s{2,}", line)
            if m:
                commands.append(m.group(1))
            elif line and not line.startswith(" "):
                in_commands = False
    out = [f'.TH CORDON 1 "" "cordon {version}" "User Commands"',
           ".SH NAME", "cordon \\- run applications confined by a declarative policy",
           ".SH SYNOPSIS", ".B cordon", ".I COMMAND", "[\\fIOPTIONS\\fR] [\\fIARGS\\fR...]",
           ".SH DESCRIPTION",
           escape("cordon runs an app inside fresh namespaces, a read-only root built from binds, a seccomp "
                  "allowlist, Landlock and an empty capability set, as its policy (a YAML file naming the "
                  "interfaces it plugs) says. The policy language is in cordon-policy(5)."),
           ".SH OVERVIEW", verbatim(overview.splitlines()).rstrip("\n"),
           ".SH COMMANDS"]
    for command in commands:
        out += [f'.SS "cordon {command}"', verbatim(help_text(command).splitlines()).rstrip("\n")]
    out += [".SH FILES",
            ".TP", "\\fB/etc/cordon/apps\\fR, \\fB~/.config/cordon/apps\\fR", "App policies found by name.",
            ".TP", "\\fB/var/lib/cordon\\fR, \\fB~/.local/share/cordon\\fR", "Apps' data, installed packages, records.",
            ".TP", "\\fB/etc/cordon/connections\\fR, \\fB~/.config/cordon/connections\\fR", "Manual connections.",
            ".SH SEE ALSO", "cordon\\-policy(5), bwrap(1), systemd.exec(5)"]
    return "\n".join(out) + "\n"


def cordon_policy_5(markdown, version):
    out = [f'.TH CORDON-POLICY 5 "" "cordon {version}" "File Formats"',
           ".SH NAME", "cordon\\-policy \\- app policies, interface files and syscall sets of cordon"]
    lines = markdown.splitlines()
    i = 0
    paragraph = []

    def flush():
        if paragraph:
            out.append(".PP")
            out.append(inline(" ".join(paragraph)))
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            flush()
            block = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                block.append(lines[i])
                i += 1
            out.append(verbatim(block).rstrip("\n"))
        elif line.startswith("# "):
            flush()
            out += [".SH DESCRIPTION"]
        elif line.startswith("## "):
            flush()
            out.append(f'.SH "{inline(line[3:]).upper()}"')
        elif line.startswith("### ") or line.startswith("#### "):
            flush()
            out.append(f'.SS "{inline(line.lstrip("#").strip())}"')
        elif line.startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                out += [".TP", inline(cells[0]), inline(" \u2014 ".join(cells[1:]) if len(cells) > 1 else "")]
        elif re.match(r"^\s*[-*] ", line):
            flush()
            item = [re.sub(r"^\s*[-*] ", "", line)]
            while i + 1 < len(lines) and lines[i + 1].startswith("  ") and lines[i + 1].strip():
                i += 1
                item.append(lines[i].strip())
            out += [".IP \\(bu 2", inline(" ".join(item))]
        elif not line.strip():
            flush()
        else:
            paragraph.append(line.strip())
        i += 1
    flush()
    out += [".SH SEE ALSO", "cordon(1)"]
    return "\n".join(out) + "\n"


def main():
    cordon, reference, out_dir, version = sys.argv[1:5]
    with open(f"{out_dir}/cordon.1", "w") as f:
        f.write(cordon_1(cordon, version))
    with open(reference) as f:
        markdown = f.read()
    with open(f"{out_dir}/cordon-policy.5", "w") as f:
        f.write(cordon_policy_5(markdown, version))


if __name__ == "__main__":
    main()
