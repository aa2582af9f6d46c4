# bash completion for cordon: subcommands, their options, app names, interface names, files.
# Installed as share/bash-completion/completions/cordon; tests/cli/completion_test.py drives it.

# App names: policies in the app search path (docs/search-paths.md) and installed packages.
_cordon_apps() {
  local cordon=$1 dir
  local IFS=:
  for dir in ${CORDON_POLICY_PATH:-} /etc/cordon/apps "${XDG_CONFIG_HOME:-$HOME/.config}/cordon/apps" \
             /usr/local/share/cordon/apps /usr/share/cordon/apps; do
    [[ -d $dir ]] || continue
    local f
    for f in "$dir"/*.yaml; do
      [[ -e $f ]] && f=${f##*/} && printf '%s\n' "${f%.yaml}"
    done
  done
  "$cordon" list --json 2>/dev/null | sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p'
}

_cordon_interfaces() {
  "$1" interfaces --json 2>/dev/null | sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p'
}

_cordon() {
  local cur=${COMP_WORDS[COMP_CWORD]} cordon=${COMP_WORDS[0]}
  local commands="check explain run compile pack install list apps forget revert remove refresh publish connect disconnect connections interfaces help"
  COMPREPLY=()
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=($(compgen -W "$commands --help --version -V" -- "$cur"))
    return
  fi
  local command=${COMP_WORDS[1]} options=""
  case $command in
    check) options="--json" ;;
    explain) options="--json --bpf" ;;
    run) options="--timing --user --complain --suggest --no-host-view --quiet --json --status-fd --health-check" ;;
    pack) options="--key -o --output" ;;
    install) options="--json --keep --health-timeout" ;;
    list|apps|connections|interfaces) options="--json" ;;
    forget) options="--yes" ;;
    revert) options="--revision --json" ;;
    remove) options="--purge --json" ;;
    refresh) options="--list --json --hold --unhold --keep --health-timeout" ;;
    publish) options="--key --valid-for --json" ;;
  esac
  if [[ $command == interfaces ]]; then options="$options --markdown"; fi
  # The words after `run APP` are the app's: complete files there, as its own shell would.
  local i app_at=0
  for (( i = 2; i < COMP_CWORD; i++ )); do
    case ${COMP_WORDS[i]} in
      --user|--suggest|--status-fd|--key|-o|--output|--keep|--health-timeout|--revision|--valid-for) (( i++ )) ;;
      -*) ;;
      *) app_at=$i; break ;;
    esac
  done
  local prev=${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
    --suggest|--key|-o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
  esac
  if [[ $command == run && $app_at -ne 0 ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options --help" -- "$cur"))
    return
  fi
  case $command in
    help) COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
    check) COMPREPLY=($(compgen -f -X '!*.yaml' -- "$cur") $(compgen -d -- "$cur")) ;;
    install) COMPREPLY=($(compgen -f -X '!*.cordon' -- "$cur") $(compgen -d -- "$cur")) ;;
    pack|publish) COMPREPLY=($(compgen -d -- "$cur")) ;;
    connect|disconnect)
      if [[ $app_at -ne 0 ]]; then
        COMPREPLY=($(compgen -W "$(_cordon_interfaces "$cordon")" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$(_cordon_apps "$cordon")" -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur"))
      fi ;;
    run|explain|compile|connections|revert|remove|refresh|forget)
      COMPREPLY=($(compgen -W "$(_cordon_apps "$cordon")" -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur")) ;;
  esac
}
complete -F _cordon cordon
