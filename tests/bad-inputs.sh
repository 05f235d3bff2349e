#!/usr/bin/env bash
# bad-inputs.sh VTUNE [CASE...] - runs the bad-input catalogue in
# tests/bad-inputs/ (every case without CASE; ctest runs one a test:
# bad-inputs.CASE).
#
# A case is a folder with a file `case` and the input files it names:
#   # one line saying what is wrong
#   cmd: OPTIONS AND FILES      (shell words; $HOSTS is tests/hosts)
#   exit: N                     the documented exit code
#   stderr: REGEX               extended regex the one stderr line matches
#   lines: N                    optional: N stderr lines instead of one
#                               (--strict names each unsatisfied finding)
#   setup: SHELL COMMAND        optional, run first in the case's folder
#   limit: BLOCKS               optional, ulimit -f for vtune-xml (a full
#                               disk: writes fail with EFBIG)
#   env: NAME=VALUE...          optional, exported for vtune-xml (shell
#                               words, expanded)
# The runner copies the folder to a temporary one, runs vtune-xml there and
# checks: the exit code, exactly one line on stderr matching the pattern,
# nothing on stdout, no file created or changed (so no partial output and
# an untouched input).
set -u
VT=$(realpath "$1")
shift
here=$(cd "$(dirname "$0")" && pwd)
export HOSTS=$here/hosts
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=tests/lib/case.sh
. "$here/lib/case.sh"

cases=$(case_names "$here/bad-inputs" "$@") || exit 2
for name in $cases; do
    dir=$here/bad-inputs/$name
    tmp=$(mktemp -d)
    cp -a "$dir/." "$tmp/"
    cmd=$(case_field cmd "$dir/case"); want=$(case_field exit "$dir/case")
    pat=$(case_field stderr "$dir/case"); setup=$(case_field setup "$dir/case")
    limit=$(case_field limit "$dir/case"); env=$(case_field env "$dir/case")
    lines=$(case_field lines "$dir/case"); lines=${lines:-1}
    (cd "$tmp" && { [ -z "$setup" ] || eval "$setup"; })
    before=$(cd "$tmp" && find . -mindepth 1 -path ./case -prune -o -print0 | sort -z | xargs -0 ls -ld --time-style=+%s.%N 2>/dev/null; find . -type f ! -name case -print0 | sort -z | xargs -0 -r md5sum)
    (cd "$tmp" && { [ -z "$limit" ] || ulimit -f "$limit"; } &&
        { [ -z "$env" ] || eval "export $env"; } &&
        eval "set -- $cmd" && exec "$VT" "$@") > "$tmp.out" 2> "$tmp.err"
    rc=$?
    after=$(cd "$tmp" && find . -mindepth 1 -path ./case -prune -o -print0 | sort -z | xargs -0 ls -ld --time-style=+%s.%N 2>/dev/null; find . -type f ! -name case -print0 | sort -z | xargs -0 -r md5sum)
    check "$name: exit $want (got $rc)" test "$rc" = "$want"
    check "$name: $lines stderr line(s)" test "$(wc -l < "$tmp.err")" = "$lines" || cat "$tmp.err" >&2
    check "$name: stderr matches /$pat/" grep -Eq -- "$pat" "$tmp.err" || cat "$tmp.err" >&2
    check "$name: stdout empty" test ! -s "$tmp.out"
    check "$name: no file created or changed" test "$before" = "$after"
    chmod -R u+w "$tmp" 2>/dev/null
    rm -rf "$tmp" "$tmp.out" "$tmp.err"
done
finish
