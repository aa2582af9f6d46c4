#!/usr/bin/env python3
"""The bash completion (packaging/completion/cordon.bash), sourced in a real bash: each case sets
COMP_WORDS as bash would for a partly typed command line and asserts the candidates."""
import os
import subprocess
import sys
import tempfile

CORDON = os.path.abspath(sys.argv[1])
SCRIPT = os.path.abspath(sys.argv[2])
failed = 0


def candidates(words, env=None):
    """The candidates for the last of `words` (the word being typed)."""
    line = " ".join(f"'{w}'" for w in [CORDON] + words)
    script = (f"source '{SCRIPT}'; COMP_WORDS=({line}); COMP_CWORD={len(words)}; _cordon; "
              'printf "%s\\n" "${COMPREPLY[@]}"')
    r = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True, timeout=20,
                       env={**os.environ, **(env or {})})
    return set(l for l in r.stdout.splitlines() if l)


def case(name, got, want, unwanted=()):
    global failed
    ok = want <= got and not (set(unwanted) & got)
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": got {sorted(got)}, want {sorted(want)}, not {sorted(unwanted)}"))
    failed += not ok


with tempfile.TemporaryDirectory() as apps:
    with open(os.path.join(apps, "it-comp-app.yaml"), "w") as f:
        f.write("schema: 1\nname: it-comp-app\ncommand: [/bin/true]\n")
    env = {"CORDON_POLICY_PATH": apps}
    case("subcommands", candidates(["co"]), {"compile", "connect", "connections"}, {"run"})
    case("help takes a command", candidates(["help", "ex"]), {"explain"})
    case("run's options before APP", candidates(["run", "--comp"]), {"--complain"})
    case("app names from the search path", candidates(["run", "it-comp"], env), {"it-comp-app"})
    case("explain takes an app", candidates(["explain", "it-comp"], env), {"it-comp-app"})
    case("the words after run APP are the app's, not cordon's", candidates(["run", "it-comp-app", "--comp"], env),
         set(), {"--complain"})
    case("connect: the plug is an interface name", candidates(["connect", "it-comp-app", "serial"], env),
         {"serial-port"})
    case("interfaces' options", candidates(["interfaces", "--"]), {"--json", "--markdown"})
sys.exit(1 if failed else 0)
