#!/usr/bin/env bash
# golden.sh VTUNE - runs every golden case in tests/golden/.
#
# A case is a folder:
#   in.xml         the domain
#   args           the command-line options, one line of shell words
#                  (paths relative to the case folder), e.g.
#                  --host ../../hosts/two-node.json --profile latency
#   expected.xml   the tuned domain          (vtune-xml ARGS in.xml)
#   expected.diff  the diff, may be empty    (vtune-xml ARGS --diff in.xml)
#   expected.json  the JSON report           (--report json)
#   policy.json    optional; name it in args as --policy policy.json
# Each case also checks: --check exits 1 when there is a diff and 0 when
# not; tuning expected.xml again changes nothing (idempotence); the diff
# applies with patch -p1 and gives expected.xml; the report validates
# against schemas/report.schema.json and a policy.json against
# schemas/policy.schema.json (python3-jsonschema).
#
# UPDATE=1 golden.sh VTUNE rewrites the expected files (review the diff!).
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib/tap.sh"

schema_check() {   # schema_check SCHEMA FILE
    if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
        /usr/bin/python3 "$here/lib/validate_json.py" "$root/schemas/$1" "$2"
    else
        echo "python3-jsonschema missing: cannot validate $1" >&2
        return 1
    fi
}

for dir in "$here"/golden/*/; do
    name=$(basename "$dir")
    cd "$dir" || exit 2
    eval "args=($(cat args))"
    tmp=$(mktemp -d)
    "$VT" "${args[@]}" in.xml > "$tmp/out.xml" 2> "$tmp/err"; rc=$?
    "$VT" "${args[@]}" --diff in.xml > "$tmp/out.diff" 2>>"$tmp/err"
    "$VT" "${args[@]}" --report json in.xml > "$tmp/out.json" 2>>"$tmp/err"
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$tmp/out.xml" expected.xml; cp "$tmp/out.diff" expected.diff
        cp "$tmp/out.json" expected.json
    fi
    check "$name: exit 0" test "$rc" = 0
    check "$name: no stderr" test ! -s "$tmp/err"
    check "$name: xml" cmp -s expected.xml "$tmp/out.xml" || diff -u expected.xml "$tmp/out.xml" | head -40
    check "$name: diff" cmp -s expected.diff "$tmp/out.diff" || diff -u expected.diff "$tmp/out.diff" | head -40
    check "$name: report" cmp -s expected.json "$tmp/out.json" || diff -u expected.json "$tmp/out.json" | head -40
    check "$name: report schema" schema_check report.schema.json "$tmp/out.json"
    [ -f policy.json ] && check "$name: policy schema" schema_check policy.schema.json policy.json
    "$VT" "${args[@]}" --check in.xml > /dev/null 2>&1; crc=$?
    if [ -s expected.diff ]; then want=1; else want=0; fi
    check "$name: --check exits $want" test "$crc" = "$want"
    cp expected.xml "$tmp/again.xml"
    check "$name: idempotent" "$VT" "${args[@]}" --check "$tmp/again.xml"
    mkdir -p "$tmp/p"; cp in.xml "$tmp/p/in.xml"
    check "$name: diff applies" sh -c "cd '$tmp/p' && patch -s -p1 < '$tmp/out.diff' && cmp -s in.xml '$dir/expected.xml'"
    rm -rf "$tmp"
done
finish
