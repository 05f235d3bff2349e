#!/usr/bin/env bash
# corpus.sh VTUNE CORPUS [--quick] - runs vtune-xml over a public corpus
# (domains/, hosts-hwloc/, hosts-caps/) and checks, printing one summary
# line per check and the first failures in full:
#   roundtrip   --disable all gives the input back byte for byte
#               (inputs that are not well-formed must exit 3 cleanly)
#   hosts       every host loads (or is refused with exit 4, never a crash)
#   tune        every domain x every host: exit 0, nothing on stderr
#               but vtune-xml's own messages, no sanitizer report
#   placement   the independent invariant checker (vt-check-placement,
#               built beside vtune-xml in tests/) passes on each host's
#               outputs, taken as one run
#   idempotent  tuning the output again changes nothing (--check = 0)
#   markdown    each run's --report markdown stays under GitHub's
#               65,536-character comment limit
#   schema      every output validates against libvirt's domain RelaxNG
#               schema, and libvirt's test:///default driver defines it
#               with validation (virsh define --validate), when its input
#               validates; otherwise the elements it
#               changed are valid (or no worse than the input's), checked
#               in a minimal domain (tests/lib/changed_parts.py)
# --quick stops after tune, over three profiles (balanced, throughput,
# realtime: between them every rule runs; used for the sanitizer build,
# which the full run has already judged).
# Exit 0 when every check passes.
set -u
VT=$(realpath "$1")
CHECK=${VT_CHECK:-$(dirname "$VT")/tests/vt-check-placement}
CORPUS=$(realpath "$2")
QUICK=${3:-}
RNG=/usr/share/libvirt/schemas/domain.rng
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
declare -A firsts

fail() {    # fail CHECK MESSAGE: remember the first 3 failures of a check
    local n=${firsts[$1]:-0}
    if [ "$n" -lt 3 ]; then echo "  first failure ($1): $2" >> "$work/failures"; fi
    firsts[$1]=$((n + 1))
    failed=1
}

# --- roundtrip
ok=0; rejected=0; bad=0
: > "$work/domains"
for f in "$CORPUS"/domains/*.xml; do
    "$VT" --host synthetic:'pack:1 core:2 pu:1' --disable all "$f" > "$work/rt.xml" 2> "$work/rt.err"
    rc=$?
    if [ $rc = 0 ] && cmp -s "$f" "$work/rt.xml"; then
        ok=$((ok + 1)); echo "$f" >> "$work/domains"
    elif [ $rc = 3 ] && [ "$(wc -l < "$work/rt.err")" = 1 ]; then
        rejected=$((rejected + 1))
        echo "  rejected as invalid input: $(cat "$work/rt.err")" >> "$work/notes"
    else
        bad=$((bad + 1)); fail roundtrip "$f (exit $rc): $(head -c 300 "$work/rt.err")"
    fi
done
echo "roundtrip:  $ok identical, $rejected refused as invalid (exit 3, one message), $bad failed"
mapfile -t domains < "$work/domains"

# --- hosts
hosts=("$CORPUS"/hosts-hwloc/*.xml "$CORPUS"/hosts-caps/kvm-x86_64.xml "$CORPUS"/hosts-caps/kvm-aarch64.xml)
loaded=(); refused=0; hbad=0
for h in "${hosts[@]}"; do
    "$VT" snapshot --host "$h" > "$work/snap.json" 2> "$work/snap.err"; rc=$?
    if [ $rc = 0 ]; then loaded+=("$h")
    elif [ $rc = 4 ]; then refused=$((refused + 1)); echo "  host refused: $(cat "$work/snap.err")" >> "$work/notes"
    else hbad=$((hbad + 1)); fail hosts "$h (exit $rc): $(head -c 300 "$work/snap.err")"
    fi
done
echo "hosts:      ${#loaded[@]} loaded, $refused refused (exit 4), $hbad failed"

# --- tune: one process per host and profile tunes every domain into a
# folder, and its JSON report beside it (balanced: floating vCPUs;
# latency and throughput: pinned, hugepages; migratable: no placement)
if [ "${3:-}" = --quick ]; then
    PROFILES=${PROFILES:-balanced throughput realtime}
else
    PROFILES=${PROFILES:-balanced latency throughput migratable realtime}
fi
rhost=(); rkey=(); rprof=()
for h in "${loaded[@]}"; do
    for prof in $PROFILES; do
        rhost+=("$h"); rprof+=("$prof"); rkey+=("$(basename "$h" .xml).$prof")
    done
done
runs=0; tbad=0; changed=0
for r in "${!rkey[@]}"; do
    h=${rhost[$r]}; hn=${rkey[$r]}; prof=${rprof[$r]}
    mkdir -p "$work/out/$hn"
    "$VT" --host "$h" --profile "$prof" --validate=output --report json -o "$work/out/$hn/" "${domains[@]}" > "$work/out/$hn.report.json" 2> "$work/tune.err"; rc=$?
    runs=$((runs + ${#domains[@]}))
    if [ $rc != 0 ] || grep -qv '^vtune-xml: ' "$work/tune.err"; then
        tbad=$((tbad + ${#domains[@]})); fail tune "$hn (exit $rc): $(head -c 600 "$work/tune.err")"
    fi
    for f in "${domains[@]}"; do
        cmp -s "$f" "$work/out/$hn/$(basename "$f")" || changed=$((changed + 1))
    done
done
echo "tune:       ${#loaded[@]} hosts x ${#domains[@]} domains x profiles ($PROFILES) = $runs runs, $changed changed, $tbad failed"
if [ "$QUICK" = --quick ]; then
    [ -f "$work/failures" ] && cat "$work/failures"
    exit $failed
fi

# --- placement invariants, per host, over the run's outputs in order
pbad=0; pviol=0
for r in "${!rkey[@]}"; do
    h=${rhost[$r]}; hn=${rkey[$r]}; prof=${rprof[$r]}
    outs=()
    for f in "${domains[@]}"; do outs+=("$work/out/$hn/$(basename "$f")"); done
    "$CHECK" --host "$h" --report "$work/out/$hn.report.json" "${outs[@]}" 2>> "$work/check.err" | sed "s|^$work/out/$hn/||" > "$work/check.out"
    [ -s "$work/check.out" ] || continue
    # a violation the input already has (a placement the domain sets
    # itself, kept as the user wrote it) is the input's, not vtune-xml's
    : > "$work/check.in"
    cut -d: -f1 "$work/check.out" | sort -u | while read -r b; do
        [ -f "$CORPUS/domains/$b" ] || continue
        "$CHECK" --host "$h" "$CORPUS/domains/$b" 2>> "$work/check.err" | sed "s|^$CORPUS/domains/||" >> "$work/check.in"
    done
    new=$(grep -vxF -f "$work/check.in" "$work/check.out")
    inherited=$(( $(wc -l < "$work/check.out") - $(printf '%s' "$new" | grep -c .) ))
    pinherited=$((${pinherited:-0} + inherited))
    [ -z "$new" ] && continue
    pbad=$((pbad + 1)); pviol=$((pviol + $(printf '%s\n' "$new" | wc -l)))
    fail placement "$hn: $(printf '%s' "$new" | head -c 800)"
done
echo "placement:  ${#rkey[@]} runs checked, $pbad with violations ($pviol lines); ${pinherited:-0} violations inherited from inputs that place themselves"

# --- idempotent: the outputs, tuned again in one run in the same order
# (later domains of a run see the CPUs and memory earlier ones took)
ichanged=0
for r in "${!rkey[@]}"; do
    h=${rhost[$r]}; hn=${rkey[$r]}; prof=${rprof[$r]}
    outs=()
    for f in "${domains[@]}"; do outs+=("$work/out/$hn/$(basename "$f")"); done
    "$VT" --host "$h" --profile "$prof" --check "${outs[@]}" > "$work/idem.diff" 2>&1 && continue
    n=$(grep -c '^+++ ' "$work/idem.diff")
    ichanged=$((ichanged + n)); fail idempotent "$hn: $n changed: $(head -c 800 "$work/idem.diff")"
done
echo "idempotent: $((runs - ichanged)) unchanged on a second run, $ichanged changed"

# --- the pull-request comment: every run's Markdown report stays under
# GitHub's 65,536-character limit (UTF-16 code units)
mkdir -p "$work/md"
for r in "${!rkey[@]}"; do
    "$VT" --host "${rhost[$r]}" --profile "${rprof[$r]}" --report markdown \
        "${domains[@]}" > "$work/md/${rkey[$r]}.md" 2> /dev/null
done
mbig=$(/usr/bin/python3 - "$work/md" <<'PY'
import os, sys
big = [f for f in sorted(os.listdir(sys.argv[1]))
       if len(open(os.path.join(sys.argv[1], f), encoding="utf-8").read()
              .encode("utf-16-le")) // 2 >= 65536]
for f in big:
    print(f, file=sys.stderr)
print(len(big))
PY
)
[ "$mbig" = 0 ] || fail markdown "$mbig Markdown reports over 65,536 characters"
echo "markdown:   ${#rkey[@]} runs, $mbig over GitHub's 65,536-character comment limit"

# --- schema: validate each distinct output once
errors_of() {   # errors_of FILE: the schema errors, without line numbers
    xmllint --noout --relaxng "$RNG" "$1" 2>&1 | grep -v -e ' validates$' -e ' fails to validate$' |
        sed -e 's/^[^:]*:[0-9]*: //' | sort -u
}
declare -A in_valid in_defines
for f in "${domains[@]}"; do
    b=$(basename "$f")
    if xmllint --noout --relaxng "$RNG" "$f" >/dev/null 2>&1; then in_valid[$b]=1
    else in_valid[$b]=0; fi
    # an input test:///default refuses (a name it already has: "test")
    # cannot ask its output to be defined there
    in_defines[$b]=0
    virsh -q -c test:///default define --validate "$f" >/dev/null 2>&1 && in_defines[$b]=1
done
valid=0; noworse=0; sbad=0; seen=0
declare -A verdict
for r in "${!rkey[@]}"; do
    h=${rhost[$r]}; hn=${rkey[$r]}; prof=${rprof[$r]}
    for f in "$work/out/$hn"/*.xml; do
        b=$(basename "$f")
        sum=$(md5sum < "$f" | cut -c1-32)
        if [ -z "${verdict[$sum]:-}" ]; then
            seen=$((seen + 1))
            if [ "${in_valid[$b]}" = 1 ]; then
                if ! xmllint --noout --relaxng "$RNG" "$f" >/dev/null 2>&1; then
                    verdict[$sum]="invalid: $(errors_of "$f" | head -3)"
                elif [ "${in_defines[$b]}" = 1 ] &&
                     ! virsh -q -c test:///default define --validate "$f" > "$work/define.err" 2>&1; then
                    verdict[$sum]="rejected by test:///default: $(head -c 300 "$work/define.err")"
                else
                    verdict[$sum]=valid
                fi
            else
                # the input is invalid as a whole: validate what changed
                mkdir -p "$work/parts"
                python3 "$here/lib/changed_parts.py" "$CORPUS/domains/$b" "$f" "$work/parts"
                if xmllint --noout --relaxng "$RNG" "$work/parts/out.xml" >/dev/null 2>&1; then verdict[$sum]=noworse
                else
                    new=$(comm -13 <(errors_of "$work/parts/in.xml") <(errors_of "$work/parts/out.xml"))
                    if [ -z "$new" ]; then verdict[$sum]=noworse; else verdict[$sum]="new errors in the changed elements: $new"; fi
                fi
            fi
        fi
        case ${verdict[$sum]} in
            valid) valid=$((valid + 1)) ;;
            noworse) noworse=$((noworse + 1)) ;;
            *) sbad=$((sbad + 1)); fail schema "$hn/$b: ${verdict[$sum]}" ;;
        esac
    done
done
echo "schema:     $valid outputs valid (and defined on test:///default when their input is), $noworse outputs of invalid inputs with no new error, $sbad failed ($seen distinct outputs checked)"

[ -f "$work/notes" ] && sort -u "$work/notes"
[ -f "$work/failures" ] && cat "$work/failures"
exit $failed
