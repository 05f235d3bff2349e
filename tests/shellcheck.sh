#!/usr/bin/env bash
# tests/shellcheck.sh - every shell script of the project (a sh or bash shebang,
# a .sh name, or a "# shellcheck shell=" directive) passes shellcheck
# (Debian's package, installed by scripts/deps.sh), sourced files
# followed (-x) from the top of the tree.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
command -v shellcheck > /dev/null || { echo "shellcheck missing: apt-get install shellcheck" >&2; exit 1; }
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    mapfile -t all < <(git ls-files --cached --others --exclude-standard)
else
    mapfile -t all < <(find . -type f -not -path './build*' -not -path './.git/*' | sed 's|^\./||')
fi
scripts=()
for f in "${all[@]}"; do
    [ -f "$f" ] || continue
    case $f in
        *.sh) scripts+=("$f"); continue ;;
        *.c|*.h|*.xml|*.json|*.md|*.py|*.txt|*.yml|*.yaml) continue ;;
    esac
    head -c 200 "$f" | grep -Eq '^#!.*\b(ba|da)?sh\b|^# shellcheck shell=' && scripts+=("$f")
done
if shellcheck -x "${scripts[@]}"; then
    echo "${#scripts[@]} passed, 0 failed"
else
    echo "shellcheck found problems in the scripts above (of ${#scripts[@]})" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
