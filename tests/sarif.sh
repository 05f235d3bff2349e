#!/usr/bin/env bash
# sarif.sh VTUNE - --report sarif as GitHub code scanning takes it: every
# log valid against the official SARIF 2.1.0 schema (OASIS's
# sarif-schema-2.1.0.json, formats included) and the rules of the
# standard the schema cannot state (tests/sarif/check.py); a result per
# change due and a result per finding, matched against --report json of
# the same run; fixes that are exact: applying the distinct fixes of a
# file's results to it gives the tuned XML of the same run byte for byte
# (here and over every golden case); URIs relative to SRCROOT (the
# directory), absolute file URIs outside it; files that cannot be taken
# as tool execution notifications. Hosts come from tests/hosts.
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
py=/usr/bin/python3
chk=$here/sarif/check.py
H=$here/hosts/two-node.json
ex=$root/examples/domains

# The schema: OASIS's sarif-schema-2.1.0.json as the npm package
# @datadog/datadog-ci 2.48.0 ships it (Apache-2.0), fetched once with npm
# into a cache folder and checked by its SHA-256. VTUNE_XML_SARIF_SCHEMA
# names another copy (not checked: the errata's, say).
schema_pkg=@datadog/datadog-ci@2.48.0
schema_member=package/dist/commands/sarif/json-schema/sarif-schema-2.1.0.json
schema_sha=10666d46649b52e262001e70d43e6c52f7c0279ca3dbdfe9a7dc2e4071556454
cache=${VTUNE_XML_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vtune-xml}
schema=${VTUNE_XML_SARIF_SCHEMA:-$cache/sarif-schema-2.1.0.json}
schema_ok() {
    [ -n "${VTUNE_XML_SARIF_SCHEMA:-}" ] && { test -s "$schema"; return; }
    echo "$schema_sha  $schema" | sha256sum -c --quiet > /dev/null 2>&1
}
fetch_schema() {
    schema_ok && return 0
    command -v npm > /dev/null || { echo "npm missing: cannot fetch $schema_pkg" >&2; return 1; }
    mkdir -p "$cache" || return 1
    local d
    d=$(mktemp -d "$cache/.fetch.XXXXXX") || return 1
    (cd "$d" && npm pack --silent "$schema_pkg" > /dev/null) &&
        tar -xzf "$d"/*.tgz -C "$d" "$schema_member" &&
        mv "$d/$schema_member" "$schema"
    rm -rf "$d"
    schema_ok || { echo "cannot fetch $schema_member of $schema_pkg with npm" >&2; return 1; }
}
check "the OASIS SARIF 2.1.0 schema (npm $schema_pkg)" fetch_schema || { finish; exit 1; }

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# a directory with a space: SRCROOT is percent-encoded
work="$t/work dir"
mkdir -p "$work/domains" "$work/odd name" && cd "$work" || exit 2
cp "$ex/db.xml" "$ex/web.xml" domains/
cp "$ex/win.xml" "odd name/wïn 1.xml"

valid() { "$py" "$chk" valid "$schema" "$1"; }
# run NAME ARGS...: --report sarif to NAME.sarif and --report json to
# NAME.json, the exit code of the first in $rc; both read $STDIN (a file)
run() {
    local name=$1; shift
    "$VT" --host "$H" --report sarif "$@" < "${STDIN:-/dev/null}" > "$name.sarif" 2> "$name.err"; rc=$?
    "$VT" --host "$H" --report json "$@" < "${STDIN:-/dev/null}" > "$name.json" 2> /dev/null
}
# exact LOG NAME TUNED [NAME TUNED ...]: the fixes in LOG of each file
# NAME, applied to it, give TUNED
exact() {
    local log=$1 a=()
    shift
    while [ $# -gt 1 ]; do a+=("$1" "$1" "$2"); shift 2; done
    "$py" "$chk" exact "$log" "${a[@]}"
}
nedits() { "$py" -c 'import json,sys; print(sum(len(d["edits"]) for d in json.load(open(sys.argv[1]))["domains"]))' "$1"; }
nfindings() { "$py" -c 'import json,sys; print(sum(len(d["findings"]) for d in json.load(open(sys.argv[1]))["domains"]))' "$1"; }

# relative inputs, one to normalise, one to percent-encode
run rel domains/db.xml ./domains//web.xml "odd name/wïn 1.xml"
check "relative inputs: exit 0" test $rc = 0
check "relative inputs: valid SARIF 2.1.0" valid rel.sarif
check "relative inputs: changes are due ($(nedits rel.json) edits)" test "$(nedits rel.json)" -gt 0
check "relative inputs: a result with a fix per edit, a result per finding" "$py" "$chk" matches rel.sarif rel.json
check "relative inputs: SRCROOT is the directory, percent-encoded" "$py" "$chk" srcroot rel.sarif
check "a relative path is relative to SRCROOT" "$py" "$chk" uri rel.sarif 0 domains/db.xml SRCROOT
check "./ and // are normalised" "$py" "$chk" uri rel.sarif 1 domains/web.xml SRCROOT
check "a path is percent-encoded as a URI reference" "$py" "$chk" uri rel.sarif 2 'odd%20name/w%C3%AFn%201.xml' SRCROOT
check "relative inputs: the run succeeded, no notification" "$py" "$chk" clean rel.sarif
"$VT" --host "$H" -o rel.out/ domains/db.xml ./domains//web.xml "odd name/wïn 1.xml" 2> /dev/null
check "relative inputs: the fixes give the tuned XML (-o) byte for byte" \
    exact rel.sarif domains/db.xml rel.out/db.xml ./domains//web.xml rel.out/web.xml \
    "odd name/wïn 1.xml" "rel.out/wïn 1.xml"
"$VT" --host "$H" --report sarif domains/db.xml ./domains//web.xml "odd name/wïn 1.xml" > again.sarif 2> /dev/null
check "deterministic" cmp -s rel.sarif again.sarif

# absolute inputs under the directory, one through ..
run abs "$work/domains/db.xml" "$work/odd name/../domains/web.xml"
check "absolute inputs under the directory: exit 0" test $rc = 0
check "absolute inputs under the directory: valid SARIF 2.1.0" valid abs.sarif
check "absolute inputs under the directory: results and fixes" "$py" "$chk" matches abs.sarif abs.json
check "an absolute path under the directory is relative to SRCROOT" "$py" "$chk" uri abs.sarif 0 domains/db.xml SRCROOT
check "an absolute path with .. is resolved" "$py" "$chk" uri abs.sarif 1 domains/web.xml SRCROOT
"$VT" --host "$H" -o abs.out/ "$work/domains/db.xml" "$work/odd name/../domains/web.xml" 2> /dev/null
check "absolute inputs under the directory: the fixes give the tuned XML" \
    exact abs.sarif "$work/domains/db.xml" abs.out/db.xml "$work/odd name/../domains/web.xml" abs.out/web.xml

# inputs outside the directory: absolute file URIs, no uriBaseId
furi() { "$py" -c 'import os,sys,urllib.parse; print("file://" + urllib.parse.quote(os.path.realpath(sys.argv[1])))' "$1"; }
up=$("$py" -c 'import os,sys; print(os.path.relpath(sys.argv[1]))' "$ex/web.xml")
run out "$ex/db.xml" "$up"
check "inputs outside the directory: exit 0" test $rc = 0
check "inputs outside the directory: valid SARIF 2.1.0" valid out.sarif
check "inputs outside the directory: results and fixes" "$py" "$chk" matches out.sarif out.json
check "an absolute path outside the directory is a file URI" "$py" "$chk" uri out.sarif 0 "$(furi "$ex/db.xml")"
check "a relative path outside the directory ($up) is a file URI" "$py" "$chk" uri out.sarif 1 "$(furi "$ex/web.xml")"
"$VT" --host "$H" -o out.out/ "$ex/db.xml" "$up" 2> /dev/null
check "inputs outside the directory: the fixes give the tuned XML" \
    exact out.sarif "$ex/db.xml" out.out/db.xml "$up" out.out/web.xml

# standard input
STDIN=domains/db.xml run stdin -
check "stdin: changes are due" test "$(nedits stdin.json)" -gt 0
check "stdin: valid SARIF 2.1.0" valid stdin.sarif
check "stdin: results and fixes" "$py" "$chk" matches stdin.sarif stdin.json
check "stdin: the uri is \"stdin\", no uriBaseId" "$py" "$chk" uri stdin.sarif 0 stdin
"$VT" --host "$H" - < domains/db.xml > stdin.xml 2> /dev/null
check "stdin: the fixes give the tuned XML" "$py" "$chk" exact stdin.sarif - domains/db.xml stdin.xml

# a batch with a malformed and a missing file: the others are reported
printf 'garbage<' > bad.xml
run batch bad.xml missing.xml domains/db.xml
check "a batch with a bad file: exit 3" test $rc = 3
check "a batch with a bad file: SARIF on stdout" test -s batch.sarif
check "a batch with a bad file: valid SARIF 2.1.0" valid batch.sarif
check "a batch with a bad file: the malformed file is an error notification at its line" \
    "$py" "$chk" notified batch.sarif error bad.xml 1 false
check "a batch with a bad file: the missing file is an error notification" \
    "$py" "$chk" notified batch.sarif error missing.xml 0 false
check "a batch with a bad file: the other file's results ($(nedits batch.json) edits)" test "$(nedits batch.json)" -gt 0
check "a batch with a bad file: the other file's results and fixes" "$py" "$chk" matches batch.sarif batch.json
# the files that fail take no part in the run: the other is tuned as alone
"$VT" --host "$H" domains/db.xml > batch.xml 2> /dev/null
check "a batch with a bad file: the other file's fixes give its tuned XML" \
    exact batch.sarif domains/db.xml batch.xml

# --skip-non-domain: a note, and a successful run
printf '<network>\n  <name>n</name>\n</network>\n' > net.xml
run skip --skip-non-domain net.xml domains/db.xml
check "--skip-non-domain: exit 0" test $rc = 0
check "--skip-non-domain: valid SARIF 2.1.0" valid skip.sarif
check "--skip-non-domain: a note notification, execution successful" \
    "$py" "$chk" notified skip.sarif note net.xml 1 true
check "--skip-non-domain: the domain's results and fixes" "$py" "$chk" matches skip.sarif skip.json
"$VT" --host "$H" --skip-non-domain -o skip.out/ net.xml domains/db.xml 2> /dev/null
check "--skip-non-domain: the domain's fixes give its tuned XML" \
    exact skip.sarif domains/db.xml skip.out/db.xml

# a domain with no change due: results only for its findings
"$VT" --host "$H" domains/db.xml > tuned.xml
run none tuned.xml
check "no change due: exit 0" test $rc = 0
check "no change due: valid SARIF 2.1.0" valid none.sarif
check "no change due: no edit" test "$(nedits none.json)" = 0
check "no change due: results only for the findings ($(nfindings none.json))" "$py" "$chk" count none.sarif "$(nfindings none.json)"
check "no change due: no fix, findings as results" "$py" "$chk" matches none.sarif none.json
check "no change due: no fix" exact none.sarif tuned.xml tuned.xml

# findings of every level, host commands; changed and removed values
"$VT" --host "$here/hosts/nopools.json" --profile latency --report sarif domains/db.xml > pools.sarif
"$VT" --host "$here/hosts/nopools.json" --profile latency --report json domains/db.xml > pools.json
check "host commands: valid SARIF 2.1.0" valid pools.sarif
check "host commands: in the message and properties" "$py" "$chk" matches pools.sarif pools.json
check "host commands: there are some" grep -q '"hostAction"' pools.sarif
"$VT" --host "$here/hosts/nopools.json" --profile latency domains/db.xml > pools.xml
check "host commands: the fixes give the tuned XML" exact pools.sarif domains/db.xml pools.xml
cp "$here/golden/place-oversubscribed/in.xml" over.xml
"$VT" --host "$H" --profile latency --report sarif over.xml > over.sarif
"$VT" --host "$H" --profile latency --report json over.xml > over.json
check "infeasible findings: valid SARIF 2.1.0" valid over.sarif
check "infeasible findings: level error" "$py" "$chk" matches over.sarif over.json
check "infeasible findings: there are some" grep -q '"level": "error"' over.sarif
"$VT" --host "$H" --profile latency over.xml > over.tuned.xml 2> /dev/null
check "infeasible findings: the fixes give the tuned XML" exact over.sarif over.xml over.tuned.xml
cp "$here/golden/override-custom-model/in.xml" custom.xml
run custom --set cpu.mode.override=true custom.xml
check "changed and removed values: valid SARIF 2.1.0" valid custom.sarif
check "changed and removed values: results and fixes" "$py" "$chk" matches custom.sarif custom.json
check "changed and removed values: there are some" "$py" -c '
import json, sys
e = json.load(open(sys.argv[1]))["domains"][0]["edits"]
sys.exit(not any(x["old"] is not None and x["new"] is not None for x in e)
         or not any(x["new"] is None for x in e))' custom.json
"$VT" --host "$H" --set cpu.mode.override=true custom.xml > custom.tuned.xml
check "changed and removed values: the fixes give the tuned XML" \
    exact custom.sarif custom.xml custom.tuned.xml

# line ends and marks: CRLF lines; a byte order mark and the whole domain
# on one line without a final newline, with characters beyond ASCII (the
# region then runs to the end of the file, its column in code points)
sed 's/$/\r/' domains/db.xml > crlf.xml
{ printf '\357\273\277'; tr -d '\n' < domains/db.xml |
    sed 's/>  *</></g; s|</domain>|<!-- ünï 😀 --></domain>|'; } > oneline.xml
for f in crlf oneline; do
    "$VT" --host "$H" --report sarif $f.xml > $f.sarif
    "$VT" --host "$H" $f.xml > $f.tuned.xml
    check "$f.xml: valid SARIF 2.1.0" valid $f.sarif
    check "$f.xml: the fixes give the tuned XML" exact $f.sarif $f.xml $f.tuned.xml
done
check "oneline.xml: the fix runs to the end of the file" grep -q '"endColumn": [1-9][0-9][0-9]' oneline.sarif

# every golden case: the fixes of its run give its expected XML (which
# tests/golden.sh holds the tool to), byte for byte
# shellcheck source=tests/lib/case.sh
. "$here/lib/case.sh"
golden_exact() {
    local d name bad=0 n=0 triples f
    for d in "$here"/golden/*/; do
        name=$(basename "$d")
        (
            cd "$d" || exit 2
            case_golden
            triples=()
            if [ ${#inputs[@]} = 1 ]; then
                triples=(in.xml in.xml expected.xml)
            else
                for f in "${inputs[@]}"; do triples+=("$f" "$f" "expected/$f"); done
            fi
            "$VT" "${args[@]}" --report sarif "${inputs[@]}" > "$t/golden.sarif" 2> /dev/null
            "$py" "$chk" exact "$t/golden.sarif" "${triples[@]}" 2> "$t/golden.err"
        ) || {
            # the problems of the first few cases
            [ "$bad" -lt 3 ] && sed "s|^$t/golden.sarif|golden/$name|" "$t/golden.err" >&2
            echo "golden/$name: the fixes do not give the expected XML" >&2
            bad=$((bad + 1))
        }
        n=$((n + 1))
    done
    [ "$bad" = 0 ] || echo "golden cases: $n, $bad with fixes that are not exact" >&2
    [ "$bad" = 0 ] && [ "$n" -gt 0 ]
}
check "every golden case: the fixes give the expected XML byte for byte" golden_exact

# --check: exit 1, the same log
"$VT" --host "$H" --check --report sarif domains/db.xml > check.sarif; rc=$?
check "--check --report sarif: exit 1 when changes are due" test $rc = 1
check "--check --report sarif: valid SARIF 2.1.0" valid check.sarif

finish
