#!/usr/bin/env bash
# test_check_placement.sh CHECKER [CASE...|usage] - runs vt-check-placement
# (the independent placement checker, tests/tools/) on the hand-written
# cases in tests/placement-checks/ (every case without CASE; ctest runs one
# a test: placement-checks.CASE) and, as the case "usage", on command
# lines it must refuse.
#
# A case is a folder holding:
#   host       one line: a synthetic description ("synthetic:pack:2 numa:1
#              core:2 pu:2") or the name of a host file in the folder
#   args       optional: more options (shell words), e.g. --reserved 2-3
#   *.xml      the domains of one run, in name order
#   expect     # one line saying what the case is about
#              exit: N       the expected exit code (0, 1 or 2)
#              match: REGEX  extended regex one output line must match:
#                            stdout for exit 1, stderr for exit 2
#              lines: N      optional: exact number of stdout lines
# The runner checks the exit code; exit 0 prints nothing at all; exit 1
# prints only "FILE: invariant: detail" lines on stdout and nothing on
# stderr; exit 2 prints nothing on stdout and one line on stderr.
set -u
CHK=$(realpath "$1")
shift
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=tests/lib/case.sh
. "$here/lib/case.sh"

run_case() {
    local dir=$1 name want pat lines host extra rc out err
    name=$(basename "$dir")
    want=$(case_field exit "$dir/expect")
    pat=$(case_field match "$dir/expect")
    lines=$(case_field lines "$dir/expect")
    host=$(case_line "$dir/host")
    local extra=()
    case_words extra "$dir/args"
    out=$(mktemp) err=$(mktemp)
    (cd "$dir" && xmls=(*.xml) &&
        exec "$CHK" --host "$host" "${extra[@]}" "${xmls[@]}") \
        > "$out" 2> "$err"
    rc=$?
    check "$name: exit $want (got $rc)" test "$rc" = "$want" ||
        cat "$out" "$err" >&2
    case $want in
    0)
        check "$name: silent" test ! -s "$out" -a ! -s "$err" ||
            cat "$out" "$err" >&2 ;;
    1)
        check "$name: stderr empty" test ! -s "$err" || cat "$err" >&2
        check "$name: every line is FILE: invariant: detail" \
            test -z "$(grep -Ev '^[^ :]+\.xml: [a-z-]+: .+' "$out")" ||
            cat "$out" >&2
        check "$name: stdout matches /$pat/" grep -Eq -- "$pat" "$out" ||
            cat "$out" >&2 ;;
    2)
        check "$name: stdout empty" test ! -s "$out"
        check "$name: one stderr line" test "$(wc -l < "$err")" = 1 ||
            cat "$err" >&2
        check "$name: stderr matches /$pat/" grep -Eq -- "$pat" "$err" ||
            cat "$err" >&2 ;;
    esac
    if [ -n "$lines" ]; then
        check "$name: $lines line(s)" test "$(wc -l < "$out")" = "$lines" ||
            cat "$out" >&2
    fi
    rm -f "$out" "$err"
}

# The command line itself: no --host, no domain, a bad --reserved, a bad
# or missing --report, a bad --reserve-mib, a host
# that cannot be loaded.
usage_cases() {
    local one=$here/placement-checks/good-siblings/domain.xml
    usage_case "no --host" "$one"
    usage_case "no domain" --host "synthetic:pack:1 core:2 pu:1"
    usage_case "bad --reserved" --host "synthetic:pack:1 core:2 pu:1" --reserved 1-x "$one"
    usage_case "unloadable host" --host "$here/placement-checks" "$one"
    usage_case "missing domain" --host "synthetic:pack:1 core:2 pu:1" "$here/placement-checks/nonexistent.xml"
    usage_case "missing --report" --host "synthetic:pack:1 core:2 pu:1" --report "$here/placement-checks/nonexistent.json" "$one"
    usage_case "--report not a report" --host "synthetic:pack:1 core:2 pu:1" --report "$here/placement-checks/isolated-good/host.json" "$one"
    usage_case "bad --reserve-mib" --host "synthetic:pack:1 core:2 pu:1" --reserve-mib lots "$one"
    "$CHK" -v --host "synthetic:pack:1 numa:1 core:4 pu:2" "$one" > /dev/null 2>&1
    check "-v on a good domain exits 0" test $? = 0
}
usage_case() {
    local name=$1; shift
    "$CHK" "$@" > /dev/null 2>&1
    check "usage: $name exits 2" test $? = 2
}

if [ $# = 0 ]; then
    mapfile -t names < <(case_names "$here/placement-checks")
    set -- "${names[@]}" usage
fi
for name in "$@"; do
    if [ "$name" = usage ]; then
        usage_cases
    else
        [ -d "$here/placement-checks/$name" ] || { echo "no case $name" >&2; exit 2; }
        run_case "$here/placement-checks/$name"
    fi
done
finish
