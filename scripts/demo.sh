#!/usr/bin/env bash
# `make demo`: what cordon makes of the example apps. (Once `cordon run` lands, this runs them.)
set -euo pipefail
cordon=$1
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say cordon interfaces
"$cordon" interfaces
say cordon check examples/*.yaml
"$cordon" check examples/*.yaml && echo "all examples valid"
say cordon explain fetch-url
"$cordon" explain fetch-url
say "cordon check on a policy with three mistakes"
bad=$(mktemp --suffix=.yaml)
trap 'rm -f "$bad"' EXIT
printf 'schema: 1\nname: Fetch\ncommand: [curl]\nplugs: [netwrok]\n' > "$bad"
"$cordon" check "$bad" || echo "(exit status $?: invalid, as expected)"
