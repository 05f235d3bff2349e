#!/usr/bin/env bash
# valgrind.sh VTUNE - memcheck over the golden cases: each case's main run
# (its arguments, its inputs) under valgrind must exit as without it and
# report no error and no leak (definite or possible). ctest label
# "valgrind"; run on the plain build (it cannot run under ASan).
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/tap.sh"
command -v valgrind > /dev/null || { echo "valgrind missing" >&2; exit 1; }
for dir in "$here"/golden/*/; do
    name=$(basename "$dir")
    cd "$dir" || exit 2
    eval "args=($(cat args))"
    inputs=(in.xml)
    [ -f inputs ] && read -r -a inputs < inputs
    log=$(mktemp)
    valgrind -q --error-exitcode=99 --leak-check=full \
        --suppressions="$here/valgrind.supp" \
        --errors-for-leak-kinds=definite,possible --log-file="$log" \
        "$VT" "${args[@]}" --report json "${inputs[@]}" > /dev/null 2>&1
    rc=$?
    check "$name: memcheck clean (exit $rc)" test "$rc" = 0 -a ! -s "$log" ||
        head -30 "$log" >&2
    rm -f "$log"
done
finish
