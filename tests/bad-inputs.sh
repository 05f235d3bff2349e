#!/usr/bin/env bash
# bad-inputs.sh VTUNE - runs the bad-input catalogue in tests/bad-inputs/.
#
# A case is a folder with a file `case` and the input files it names:
#   # one line saying what is wrong
#   cmd: OPTIONS AND FILES      (shell words; $HOSTS is tests/hosts)
#   exit: N                     the documented exit code
#   stderr: REGEX               extended regex the one stderr line matches
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
here=$(cd "$(dirname "$0")" && pwd)
export HOSTS=$here/hosts
. "$here/lib/tap.sh"

field() { sed -n "s/^$1: //p" "$2" | head -1; }

for dir in "$here"/bad-inputs/*/; do
    name=$(basename "$dir")
    tmp=$(mktemp -d)
    cp -a "$dir/." "$tmp/"
    cmd=$(field cmd "$dir/case"); want=$(field exit "$dir/case")
    pat=$(field stderr "$dir/case"); setup=$(field setup "$dir/case")
    limit=$(field limit "$dir/case"); env=$(field env "$dir/case")
    (cd "$tmp" && [ -z "$setup" ] || eval "$setup")
    before=$(cd "$tmp" && find . -mindepth 1 -path ./case -prune -o -print0 | sort -z | xargs -0 ls -ld --time-style=+%s.%N 2>/dev/null; find . -type f ! -name case -print0 | sort -z | xargs -0 -r md5sum)
    (cd "$tmp" && { [ -z "$limit" ] || ulimit -f "$limit"; } &&
        { [ -z "$env" ] || eval "export $env"; } &&
        eval "set -- $cmd" && exec "$VT" "$@") > "$tmp.out" 2> "$tmp.err"
    rc=$?
    after=$(cd "$tmp" && find . -mindepth 1 -path ./case -prune -o -print0 | sort -z | xargs -0 ls -ld --time-style=+%s.%N 2>/dev/null; find . -type f ! -name case -print0 | sort -z | xargs -0 -r md5sum)
    check "$name: exit $want (got $rc)" test "$rc" = "$want"
    check "$name: one stderr line" test "$(wc -l < "$tmp.err")" = 1 || cat "$tmp.err" >&2
    check "$name: stderr matches /$pat/" grep -Eq -- "$pat" "$tmp.err" || cat "$tmp.err" >&2
    check "$name: stdout empty" test ! -s "$tmp.out"
    check "$name: no file created or changed" test "$before" = "$after"
    chmod -R u+w "$tmp" 2>/dev/null
    rm -rf "$tmp" "$tmp.out" "$tmp.err"
done
finish
