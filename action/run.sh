#!/usr/bin/env bash
# The GitHub Action's main step (action.yml calls it). Inputs arrive in environment variables,
# never spliced into the script, so a model id or path cannot inject shell code:
#   LL_BIN      the license-lint executable
#   LL_COMMAND  lint | check | audit
#   LL_MODELS   lint: the repository folder (default .); check/audit: model ids or paths,
#               separated by spaces or new lines
#   LL_RULES    rules file (empty: discovered as usual)
#   LL_FAIL_ON  error | warning | info
#   LL_FORMAT   output format for the log (github: annotations, job summary and outputs)
#   LL_SARIF    where to write a SARIF report as well (empty: none)
set -uo pipefail

bin="${LL_BIN:-license-lint}"
command="${LL_COMMAND:-lint}"
case "$command" in
    lint | check | audit) ;;
    *) echo "::error title=license-lint::input 'command' must be lint, check or audit, not '$command'"; exit 2 ;;
esac

read -r -d '' -a targets <<< "${LL_MODELS:-}" || true
if [ "$command" = lint ] && [ ${#targets[@]} -eq 0 ]; then
    targets=(.)
fi

options=(--fail-on "${LL_FAIL_ON:-error}")
if [ -n "${LL_RULES:-}" ]; then
    options+=(--rules "$LL_RULES")
fi

# For lint and check every target is a path or model id ("--" ends the options). For audit the
# inventory may be given with its own options (--scan PATH, --file FILE, --author ORG).
separator=(--)
if [ "$command" = audit ]; then
    separator=()
    for target in "${targets[@]}"; do
        case "$target" in
            --scan | --file | --author | [!-]*) ;;
            *) echo "::error title=license-lint::audit takes model ids, --scan, --file or --author, not '$target'"; exit 2 ;;
        esac
    done
fi

format="${LL_FORMAT:-github}"
"$bin" "$command" --format "$format" "${options[@]}" "${separator[@]}" "${targets[@]}"
rc=$?

if [ -n "${LL_SARIF:-}" ]; then
    # A second run renders SARIF from the warm cache; its exit code is the same as the first.
    "$bin" "$command" --quiet --format sarif --output "$LL_SARIF" "${options[@]}" \
        "${separator[@]}" "${targets[@]}"
fi

if [ "$format" != github ] && [ -n "${GITHUB_OUTPUT:-}" ]; then
    case "$rc" in
        0) verdict=pass ;;
        1) verdict=fail ;;
        *) verdict=error ;;
    esac
    echo "verdict=$verdict" >> "$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "sarif-file=${LL_SARIF:-}" >> "$GITHUB_OUTPUT"
fi
exit "$rc"
