#!/usr/bin/env bash
# valgrind.sh VTUNE [CASE...] - memcheck over golden cases (every one
# without CASE; ctest runs one a test: valgrind.CASE): each case's main run
# (its arguments, its inputs) under valgrind must exit as without it and
# report no error and no leak (definite or possible). ctest label
# "valgrind"; run on the plain build (it cannot run under ASan).
set -u
VT=$(realpath "$1")
shift
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=tests/lib/case.sh
. "$here/lib/case.sh"
command -v valgrind > /dev/null || { echo "valgrind missing" >&2; exit 1; }
cases=$(case_names "$here/golden" "$@") || exit 2
for name in $cases; do
    cd "$here/golden/$name" || exit 2
    case_golden
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
