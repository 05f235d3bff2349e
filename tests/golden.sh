#!/usr/bin/env bash
# golden.sh VTUNE CHECKER [CASE...] - runs golden cases of tests/golden/
# (every one without CASE; ctest runs one a test: golden.CASE).
#
# A case is a folder:
#   in.xml          the domain
#   inputs          optional: several domains tuned in one run, one line of
#                   file names (in command-line order); their expected XML
#                   is then expected/NAME
#   args            the command-line options, one line of shell words
#                   (paths relative to the case folder), e.g.
#                   --host ../../hosts/two-node.json --profile latency
#   expected.xml    the tuned domain          (vtune-xml ARGS in.xml)
#   expected.diff   the diff, may be empty    (vtune-xml ARGS --diff in.xml)
#   expected.report the report, structurally (--report json, compared by
#                   tests/lib/report_match.py: rule, XPath, old, new and
#                   line of every edit and finding, each reason matched
#                   by a pattern of the facts it states)
#   expected.json   instead of expected.report in a few cases: the whole
#                   JSON report, byte for byte (reasons word for word)
#   policy.json     optional; name it in args as --policy policy.json
#   needs-libvirt   optional: a libvirt version; when the installed one is
#                   older, its schema and test driver do not judge the
#                   expected XML (elements it does not know yet)
# Each case also checks: --check exits 1 when there is a diff and 0 when
# not; tuning the expected XML again changes nothing (idempotence); the
# diff applies with patch -p1 and gives the expected XML; the report
# validates against schemas/report.schema.json and a policy.json against
# schemas/policy.schema.json (python3-jsonschema); the expected XML keeps
# the placement invariants of CHECKER (vt-check-placement) on the case's
# host; when the input is valid against libvirt's domain schema (which
# must be installed), so is the expected XML, and libvirt's
# test:///default driver defines it with validation (VTUNE_XML_SCHEMA
# names another schema file, as for vtune-xml --validate).
#
# UPDATE=1 rewrites the expected files of the cases it runs (review the
# diff!): UPDATE=1 ctest -R '^golden\.NAME$' rewrites that case only (-R
# is a regex; a new case folder is a test after the next cmake --build).
set -u
VT=$(realpath "$1")
CHECKER=$(realpath "$2")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
RNG=${VTUNE_XML_SCHEMA:-/usr/share/libvirt/schemas/domain.rng}
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=tests/lib/case.sh
. "$here/lib/case.sh"

LIBVIRT_VERSION=$(virsh --version 2>/dev/null || echo 0)
version_ge() {   # version_ge A B: A >= B (dotted numbers)
    [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]
}

schema_check() {   # schema_check SCHEMA FILE
    if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
        /usr/bin/python3 "$here/lib/validate_json.py" "$root/schemas/$1" "$2"
    else
        echo "python3-jsonschema missing: cannot validate $2" >&2
        return 1
    fi
}

# placement_check FILE...: the independent invariant checker on the case's
# host (and the policy's reserved CPUs and memory reserve), with the run's
# JSON report ($tmp/out.json)
placement_check() {
    local host="" i reserved=()
    for ((i = 0; i < ${#args[@]}; i++)); do
        [ "${args[$i]}" = --host ] && host=${args[$((i + 1))]}
    done
    [ -n "$host" ] || return 0
    if [ -f policy.json ]; then
        local r
        r=$(/usr/bin/python3 -c 'import json; print(json.load(open("policy.json")).get("reserved_cpus", ""))')
        [ -n "$r" ] && reserved=(--reserved "$r")
        r=$(/usr/bin/python3 -c 'import json; print(json.load(open("policy.json")).get("numa.place", {}).get("reserved_memory_mib", ""))' 2>/dev/null)
        [ -n "$r" ] && reserved+=(--reserve-mib "$r")
    fi
    # violations the inputs already have (a case about dangling
    # references, say) are the inputs', not vtune-xml's
    local out ins new
    out=$("$CHECKER" --host "$host" "${reserved[@]}" --report "$tmp/out.json" "$@" | sed 's/^[^:]*: //; s|(with expected/|(with |')
    ins=$("$CHECKER" --host "$host" "${reserved[@]}" "${inputs[@]}" | sed 's/^[^:]*: //')
    new=$(grep -vxF -f <(printf '%s\n' "$ins") <<< "$out")
    [ -z "$new" ] || { printf '%s\n' "$new" >&2; return 1; }
}

# report_check REPORT: the case's expected report, whole or structural
report_check() {
    if [ -f expected.json ]; then
        cmp -s expected.json "$1" || { diff -u expected.json "$1" | head -40; return 1; }
    else
        /usr/bin/python3 "$here/lib/report_match.py" check "$1" expected.report
    fi
}

check "libvirt's domain schema is installed ($RNG)" test -r "$RNG"
check "xmllint and virsh are installed" sh -c "command -v xmllint && command -v virsh" > /dev/null
cases=$(case_names "$here/golden" "$@") || exit 2
for name in $cases; do
    cd "$here/golden/$name" || exit 2
    case_golden
    tmp=$(mktemp -d)
    mkdir "$tmp/out" "$tmp/again" "$tmp/p"
    if [ ${#inputs[@]} = 1 ]; then
        "$VT" "${args[@]}" in.xml > "$tmp/out/in.xml" 2> "$tmp/err"; rc=$?
        want=(expected.xml)
    else
        "$VT" "${args[@]}" -o "$tmp/out/" "${inputs[@]}" 2> "$tmp/err"; rc=$?
        want=()
        for f in "${inputs[@]}"; do want+=("expected/$f"); done
    fi
    "$VT" "${args[@]}" --diff "${inputs[@]}" > "$tmp/out.diff" 2>>"$tmp/err"
    "$VT" "${args[@]}" --report json "${inputs[@]}" > "$tmp/out.json" 2>>"$tmp/err"
    if [ "${UPDATE:-0}" = 1 ]; then
        for ((i = 0; i < ${#inputs[@]}; i++)); do
            mkdir -p "$(dirname "${want[$i]}")"
            cp "$tmp/out/${inputs[$i]}" "${want[$i]}"
        done
        cp "$tmp/out.diff" expected.diff
        if [ -f expected.json ]; then cp "$tmp/out.json" expected.json
        else /usr/bin/python3 "$here/lib/report_match.py" write "$tmp/out.json" expected.report
        fi
    fi
    check "$name: exit 0" test "$rc" = 0
    check "$name: no stderr" test ! -s "$tmp/err" || cat "$tmp/err" >&2
    for ((i = 0; i < ${#inputs[@]}; i++)); do
        check "$name: ${want[$i]}" cmp -s "${want[$i]}" "$tmp/out/${inputs[$i]}" ||
            diff -u "${want[$i]}" "$tmp/out/${inputs[$i]}" | head -40
        cp "${want[$i]}" "$tmp/again/${inputs[$i]}"
        cp "${inputs[$i]}" "$tmp/p/${inputs[$i]}"
    done
    check "$name: diff" cmp -s expected.diff "$tmp/out.diff" || diff -u expected.diff "$tmp/out.diff" | head -40
    check "$name: report" report_check "$tmp/out.json"
    check "$name: report schema" schema_check report.schema.json "$tmp/out.json"
    [ -f policy.json ] && check "$name: policy schema" schema_check policy.schema.json policy.json
    "$VT" "${args[@]}" --check "${inputs[@]}" > /dev/null 2>&1; crc=$?
    if [ -s expected.diff ]; then w=1; else w=0; fi
    check "$name: --check exits $w" test "$crc" = "$w"
    again=()
    for f in "${inputs[@]}"; do again+=("$tmp/again/$f"); done
    check "$name: idempotent" "$VT" "${args[@]}" --check "${again[@]}"
    check "$name: diff applies" sh -c "cd '$tmp/p' && patch -s -p1 < '$tmp/out.diff'"
    for ((i = 0; i < ${#inputs[@]}; i++)); do
        check "$name: patched ${inputs[$i]}" cmp -s "$tmp/p/${inputs[$i]}" "${want[$i]}"
    done
    # needs-libvirt: the output uses elements of a newer libvirt (its
    # version on the first line) than the one installed, whose schema
    # and test driver cannot judge them
    if [ -f needs-libvirt ] && ! version_ge "$LIBVIRT_VERSION" "$(case_line needs-libvirt)"; then
        echo "skip: $name: schema and define need libvirt $(case_line needs-libvirt) (installed: $LIBVIRT_VERSION)" >&2
        inputs_schema=()
    else
        inputs_schema=("${inputs[@]}")
    fi
    for ((i = 0; i < ${#inputs_schema[@]}; i++)); do
        if xmllint --noout --relaxng "$RNG" "${inputs[$i]}" 2>/dev/null; then
            check "$name: ${want[$i]} valid (libvirt schema)" \
                xmllint --noout --relaxng "$RNG" "${want[$i]}" 2>/dev/null
            # an input libvirt refuses (dangling references) cannot ask
            # its output to be defined
            if virsh -q -c test:///default define --validate "${inputs[$i]}" >/dev/null 2>&1; then
                check "$name: ${want[$i]} defines on test:///default" \
                    virsh -q -c test:///default define --validate "${want[$i]}" >/dev/null
            fi
        fi
    done
    check "$name: placement invariants" placement_check "${want[@]}"
    rm -rf "$tmp"
done
finish
