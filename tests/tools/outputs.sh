#!/usr/bin/env bash
# outputs.sh VTUNE OUTDIR [CORPUS] - writes every output vtune-xml gives on
# the project's test data into OUTDIR, so that two builds can be compared
# byte for byte (a refactoring must leave `diff -r A B` empty):
#   golden/CASE/    each golden case's XML, --diff, --report json, text,
#                   markdown and sarif, --explain's rationale, exit codes
#   corpus/HOST.PROFILE/  with CORPUS: every corpus domain tuned on every
#                   corpus host in one run per profile (-o DIR/), and the
#                   run's JSON report
#   bench/          the domains the benchmarks tune (bench/domains.sh,
#                   bench/placement.sh's), tuned as the benchmarks do
# Paths inside the outputs are made relative, so that two checkouts in
# different folders give the same bytes.
set -u
VT=$(realpath "$1")
OUT=$(realpath -m "$2")
CORPUS=${3:+$(realpath "$3")}
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(dirname "$here")
# shellcheck source=tests/lib/case.sh
. "$here/lib/case.sh"
mkdir -p "$OUT"

# run NAME ARGS...: stdout to NAME, stderr to NAME.err, exit code appended
run() {
    local name=$1; shift
    "$VT" "$@" > "$name" 2> "$name.err"
    echo "exit $?" >> "$name.err"
}

# --- golden cases
for dir in "$here"/golden/*/; do
    name=$(basename "$dir")
    o=$OUT/golden/$name
    mkdir -p "$o/xml"
    cd "$dir" || exit 2
    case_golden
    if [ ${#inputs[@]} = 1 ]; then
        run "$o/xml/in.xml" "${args[@]}" in.xml
    else
        "$VT" "${args[@]}" -o "$o/xml/" "${inputs[@]}" 2> "$o/xml.err"
        echo "exit $?" >> "$o/xml.err"
    fi
    run "$o/diff" "${args[@]}" --diff "${inputs[@]}"
    for fmt in json text markdown sarif; do
        run "$o/report.$fmt" "${args[@]}" --report "$fmt" "${inputs[@]}"
    done
    if [ ${#inputs[@]} = 1 ]; then
        "$VT" "${args[@]}" --explain in.xml > /dev/null 2> "$o/explain"
        echo "exit $?" >> "$o/explain"
    fi
done
cd "$OUT" || exit 2

# --- the corpus: every host, every profile, one run each
if [ -n "$CORPUS" ] && [ -d "$CORPUS/domains" ]; then
    domains=()
    for f in "$CORPUS"/domains/*.xml; do
        "$VT" --host synthetic:'pack:1 core:2 pu:1' --disable all "$f" > /dev/null 2>&1 &&
            domains+=("$f")
    done
    for h in "$CORPUS"/hosts-hwloc/*.xml "$CORPUS"/hosts-caps/*.xml; do
        for prof in balanced latency throughput migratable; do
            o=$OUT/corpus/$(basename "$h" .xml).$prof
            mkdir -p "$o"
            "$VT" --host "$h" --profile "$prof" -o "$o/" "${domains[@]}" 2> "$o/run.err"
            echo "exit $?" >> "$o/run.err"
            (cd "$CORPUS/domains" && "$VT" --host "$h" --profile "$prof" \
                --report json "${domains[@]##*/}") > "$o/report.json" 2>> "$o/run.err"
        done
    done
fi

# --- the benchmarks' domains
o=$OUT/bench
mkdir -p "$o/batch" "$o/out-balanced" "$o/out-latency" "$o/placement"
(
    cd "$o" || exit 2
    # shellcheck source=bench/domains.sh
    . "$root/bench/domains.sh"
    big_domain bigvm > big38k.xml
    kinds=(web cache app db)
    for ((i = 0; i < 200; i++)); do
        small_domain "$(printf 'vm%04d' "$i")" "${kinds[i % 4]}" > "batch/$(printf 'vm%04d' "$i").xml"
    done
    H384='synthetic:pack:4 numa:6(memory=64GiB) core:8 pu:2'
    "$VT" snapshot --host "$H384" > 384.json
    run big38k.latency.xml --host 384.json --profile latency big38k.xml
    run big38k.report.json --host 384.json --profile latency --report json big38k.xml
    for p in balanced latency; do
        (cd batch && "$VT" --host ../384.json --profile "$p" -o "../out-$p/" ./*.xml) 2> "batch-$p.err"
        echo "exit $?" >> "batch-$p.err"
    done
    domain() {  # bench/placement.sh's: NAME VCPUS GIB
        printf '<domain type="kvm">\n  <name>%s</name>\n  <memory unit="GiB">%s</memory>\n  <vcpu>%s</vcpu>\n  <os>\n    <type arch="x86_64" machine="q35">hvm</type>\n  </os>\n</domain>\n' "$1" "$3" "$2"
    }
    cd placement || exit 2
    domain big 240 240 > big.xml
    for i in $(seq -w 1 100); do domain "d$i" 3 4 > "d$i.xml"; done
    mkdir -p out-big out-many
    "$VT" --host "$H384" --profile latency -o out-big/ big.xml 2> big.err
    "$VT" --host ../384.json --profile latency -o out-many/ d*.xml 2> many.err
    for shape in "1 1 1 2" "1 1 8 2" "2 2 8 2" "4 2 8 2" "4 6 8 2"; do
        read -r p n c t <<< "$shape"
        domain small 2 1 > small.xml
        run "small.$p-$n-$c-$t.xml" --host "synthetic:pack:$p numa:$n(memory=64GiB) core:$c pu:$t" --profile latency small.xml
    done
)
# paths of this checkout and of the corpus out of the outputs
grep -rlZ -e "$root" -e "${CORPUS:-/nonexistent}" "$OUT" 2>/dev/null |
    xargs -0 -r sed -i -e "s|$root|ROOT|g" ${CORPUS:+-e "s|$CORPUS|CORPUS|g"}
echo "outputs written to $OUT"
