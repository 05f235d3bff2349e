#!/usr/bin/env bash
# compare.sh [VTUNE] - vtune-xml against the alternatives, as markdown
# tables of ratios measured in one run on one machine: wall time of the
# whole process (median of REPS runs, default 21; hyperfine when it is
# installed, else date +%s%N) and instructions counted by callgrind
# (repeatable whatever the machine is doing).
#   1. a large domain on the 24-node, 384-CPU host, every rule family on
#      (--profile latency): (a) host as a JSON snapshot, against
#      `virt-xml --edit --cpu host-passthrough --print-xml` (target: 100x
#      faster); (b) host as hwloc XML, against `xmllint --noout` of the
#      same two files, the floor (target: at most 3x)
#   2. 1,000 small domains tuned in one process: domains/s and peak
#      memory (target: 2,000 domains/s)
#   3. loading the host: hwloc XML, capabilities, JSON snapshot, live
#   4. what the libvirt schema check costs (--validate=output; off by default)
#   5. scaling: bench/placement.sh (PLACEMENT=1 runs it here)
# bench/static-link.sh measures what a static libxml2 would change in 1a.
# A target that is missed gets callgrind's top cost centres.
# Environment: REPS (21), BATCH (1000 domains), TIMER=date (no hyperfine),
# CORPUS (../shared/corpus), PLACEMENT=1 (run bench/placement.sh), TOP (12).
# Run as root, it installs what is missing (virtinst for virt-xml, time,
# hwloc); otherwise the rows that need them are skipped with a note.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
VT=$(realpath "${1:-$here/../build/vtune-xml}")
REPS=${REPS:-21}
CORPUS=${CORPUS:-$here/../../shared/corpus}
work=$(mktemp -d)
# Outputs of the batch go to a tmpfs when there is one: fsync there is
# free, so the row measures vtune-xml, not the disk (a row on disk too).
fast=$work
if [ -d /dev/shm ] && [ -w /dev/shm ]; then fast=$(mktemp -d -p /dev/shm); fi
trap 'rm -rf "$work" "$fast"' EXIT
notes=()
txs=()    # virt-xml ms per domain (1a)

# shellcheck source=bench/lib.sh
. "$here/lib.sh"    # have, median_ms, instr, ratio, timer; sets HF

need() {    # need CMD PACKAGE: install PACKAGE when CMD is missing and root
    have "$1" && return 0
    if [ "$(id -u)" = 0 ] && have apt-get; then
        echo "(installing $2 for $1)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" > "$work/apt.log" 2>&1 ||
            { apt-get update -qq > /dev/null 2>&1 &&
              DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" > "$work/apt.log" 2>&1; } || true
    fi
    have "$1"
}

incl() {    # incl CGNAME FUNCTION: FUNCTION's instructions, callees included
    local -; set +o pipefail
    callgrind_annotate --inclusive=yes "$work/cg.$1" 2> /dev/null |
        grep -E "^ *[0-9,]+ +\(.*[:]$2 \[" | head -1 | awk '{gsub(",", "", $1); print $1}'
}

peak_kib() {    # peak_kib CMD...: maximum resident set size, KiB
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f %M -o "$work/time.out" "$@" > /dev/null 2>&1
        tail -1 "$work/time.out"
    else
        echo "n/a"
    fi
}

W=64    # width of the first column
line() { printf '|'; for w in "$@"; do printf '%s|' "$(printf '%*s' $((w + 2)) '' | tr ' ' -)"; done; echo; }

mib() { awk -v k="$1" 'BEGIN {if (k ~ /^[0-9]+$/) printf "%.1f", k / 1024; else print k}'; }

# verdict VALUE OP TARGET: met or MISSED (OP: ge or le)
verdict() {
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
        if (v == "n/a") {print "n/a"; exit}
        ok = (op == "ge") ? (v + 0 >= t + 0) : (v + 0 <= t + 0)
        print ok ? "met" : "MISSED" }'
}

summary=()
target() {  # target WHAT MEASURED OP TARGET CGNAME: a row of the summary
    local v; v=$(verdict "$2" "$3" "$4")
    local sign='>='; [ "$3" = le ] && sign='<='
    summary+=("$(printf '| %-*s | %10s | %8s | %-6s |' $W "$1" "$2" "$sign $4" "$v")")
    if [ "$v" = MISSED ] && [ -n "${5:-}" ]; then missed+=("$1|$5"); fi
}
missed=()

# top_costs CGNAME N: the N largest cost centres of a callgrind profile,
# by own instructions, then the named functions by inclusive cost
top_costs() {
    local f=$work/cg.$1 n=$2
    local -; set +o pipefail    # head ends callgrind_annotate early
    [ -f "$f" ] || return 0
    local total; total=$(sed -n 's/^summary: //p' "$f")
    echo
    echo "Own instructions (self), top $n of $total:"
    echo
    printf '| %14s | %6s | %-52s | %-22s |\n' "instructions" "%" "function" "object"
    line 14 6 52 22
    callgrind_annotate "$f" 2> /dev/null | sed -n '/file:function/,$p' |
        grep -E '^ *[0-9,]+ +\(' | head -"$n" | fmt_costs
    echo
    echo "Inclusive (named functions, callees counted in):"
    echo
    printf '| %14s | %6s | %-52s | %-22s |\n' "instructions" "%" "function" "object"
    line 14 6 52 22
    callgrind_annotate --inclusive=yes "$f" 2> /dev/null | sed -n '/file:function/,$p' |
        grep -E '^ *[0-9,]+ +\(' | grep '\[' | grep -v -e '???:0x' -e 'below main' \
            -e 'ld-linux' -e ':main \[' -e 'cmd_tune \[' | head -"$n" | fmt_costs
}
fmt_costs() {
    sed -E 's/^ *([0-9,]+) +\( *([0-9.]+)%\) +([^ ]+)( +\[([^]]*)\])?.*/\1 \2 \3 \5/' |
        while read -r c p fn obj; do
            local src=${fn%%:*}
            fn=${fn##*:}
            [ -n "$obj" ] || obj=$src     # no [object]: the source file
            printf '| %14s | %6s | %-52s | %-22s |\n' "$c" "$p" "${fn:0:52}" "$(basename "${obj:-?}")"
        done
}

# shellcheck source=bench/domains.sh
. "$here/domains.sh"    # big_domain, small_domain

# --- the hosts and domains

real=$CORPUS/hosts-hwloc/192em64t-24n8c2t.xml
if [ -f "$real" ]; then
    HWLOC=$real; hdesc="192em64t-24n8c2t.xml (corpus, $(( $(wc -c < "$real") / 1024 )) KB)"
elif need lstopo hwloc; then
    HWLOC=$work/384.xml
    lstopo --of xml -i 'pack:4 numa:6(memory=64GiB) core:8 pu:2' "$HWLOC"
    hdesc="lstopo export of pack:4 numa:6 core:8 pu:2 ($(( $(wc -c < "$HWLOC") / 1024 )) KB)"
else
    echo "no ../shared/corpus and no lstopo (package hwloc): cannot make the 384-CPU host" >&2
    exit 2
fi
JSON=$work/384.json
"$VT" snapshot --host "$HWLOC" > "$JSON"
CAPS=$CORPUS/hosts-caps/kvm-x86_64.xml
[ -f "$CAPS" ] || CAPS=$here/../tests/hosts/caps-x86.xml

big_domain bigvm > "$work/big38k.xml"
domains=("$work/big38k.xml")
dnames=("generated, virt-install-like ($(( $(wc -c < "$work/big38k.xml") / 1024 )) KB)")
if [ -d "$CORPUS/domains" ]; then
    # shellcheck disable=SC2012  # ls -S: the one that sorts by size
    largest=$(ls -S "$CORPUS"/domains/*.xml | sed -n 1p)
    domains+=("$largest")
    dnames+=("$(basename "$largest") ($(( $(wc -c < "$largest") / 1024 )) KB)")
fi

N=${BATCH:-1000}
kinds=(web cache app db)
mkdir -p "$work/batch" "$work/out" "$fast/out" "$work/diskout"
for ((i = 0; i < N; i++)); do
    small_domain "$(printf 'vm%04d' "$i")" "${kinds[i % 4]}" > "$work/batch/$(printf 'vm%04d' "$i").xml"
done
batch=("$work"/batch/*.xml)

VALIDATES=no
if [ -n "${VTUNE_XML_SCHEMA:-}" ] || [ -r /usr/share/libvirt/schemas/domain.rng ]; then VALIDATES=yes; fi
VAL=--validate=output
[ $VALIDATES = yes ] || VAL=--no-validate   # --validate would exit 2

echo "vtune-xml against the alternatives: $(date -u +%Y-%m-%d), $(nproc) CPUs, $REPS runs a median"
echo "timer: $(timer); instructions: callgrind; host: $hdesc;"
echo "libvirt schema installed: $VALIDATES (vtune-xml checks with it under --validate only; columns 'validating': $VAL)"

# --- 1. a large domain against virt-xml and xmllint

have_virtxml=no
if need virt-xml virtinst; then have_virtxml=yes
else notes+=("virt-xml is not installed (Debian package virtinst; run as root to install it): row 1a skipped")
fi


printf '\n%s\n%s\n\n' "1a. A large domain, host as JSON snapshot, --profile latency (every rule family), against" \
    "virt-xml --connect test:///default --edit --cpu host-passthrough --print-xml < DOMAIN"
printf '| %-*s | %9s | %9s | %9s | %9s | %9s | %6s | %-6s |\n' $W "domain" "vtune ms" "validating" \
    "virt-xml" "ratio" "validating" "target" "met"
line $W 9 9 9 9 9 6 6
for k in "${!domains[@]}"; do
    d=${domains[k]}
    tv=$(median_ms "$VT" --host "$JSON" --profile latency "$d")
    tn=$(median_ms "$VT" --host "$JSON" --profile latency $VAL "$d")
    if [ $have_virtxml = yes ]; then
        tx=$(median_ms -i "$d" virt-xml --connect test:///default --edit --cpu host-passthrough --print-xml)
    else
        tx=n/a
    fi
    r=$(ratio "$tx" "$tv")
    [ "$k" = 0 ] && tx0=$tx
    txs[k]=$tx
    printf '| %-*s | %9s | %9s | %9s | %8sx | %8sx | %6s | %-6s |\n' $W "${dnames[k]}" "$tv" "$tn" "$tx" "$r" \
        "$(ratio "$tx" "$tn")" ">=100x" "$(verdict "$r" ge 100)"
    instr "json$k" "$VT" --host "$JSON" --profile latency "$d" > /dev/null
    target "1a. virt-xml / vtune-xml, ${dnames[k]}" "$r" ge 100 "json$k"
done
tver=$(median_ms "$VT" --version)
printf '| %-*s | %9s | %9s | %9s | %8sx | %9s | %6s | %-6s |\n' $W "ceiling: process start-up alone (vtune-xml --version)" \
    "$tver" "" "$tx0" "$(ratio "$tx0" "$tver")" "" "" ""
# the floor of 1a: libxml2's own tool parsing the domain alone (no host,
# no rules, no output), with the same shared libxml2 vtune-xml must use
for k in "${!domains[@]}"; do
    tf=$(median_ms xmllint --noout "${domains[k]}")
    printf '| %-*s | %9s | %9s | %9s | %8sx | %9s | %6s | %-6s |\n' $W \
        "floor: xmllint --noout, ${dnames[k]%% (*} alone" "$tf" "" "${txs[k]}" "$(ratio "${txs[k]}" "$tf")" "" "" ""
done
notes+=("1a floor rows: xmllint --noout of the domain alone, the same shared libxml2 (and its ICU) parsing the same file with nothing else; 100x virt-xml is a budget near or below it")

printf '\n%s\n\n' "1b. The same, host as hwloc XML, against xmllint --noout DOMAIN HOST (parsing the two files: the floor)"
printf '| %-*s | %9s | %9s | %9s | %9s | %9s | %6s | %-6s | %11s | %11s | %7s |\n' $W "domain" "vtune ms" \
    "validating" "xmllint" "ratio" "validating" "target" "met" "vtune instr" "xmllint" "ratio"
line $W 9 9 9 9 9 6 6 11 11 7
for k in "${!domains[@]}"; do
    d=${domains[k]}
    tv=$(median_ms "$VT" --host "$HWLOC" --profile latency "$d")
    tn=$(median_ms "$VT" --host "$HWLOC" --profile latency $VAL "$d")
    tl=$(median_ms xmllint --noout "$d" "$HWLOC")
    iv=$(instr "hwloc$k" "$VT" --host "$HWLOC" --profile latency "$d")
    il=$(instr "xmllint$k" xmllint --noout "$d" "$HWLOC")
    r=$(ratio "$tv" "$tl")
    printf '| %-*s | %9s | %9s | %9s | %8sx | %8sx | %6s | %-6s | %11s | %11s | %6sx |\n' $W "${dnames[k]}" \
        "$tv" "$tn" "$tl" "$r" "$(ratio "$tn" "$tl")" "<=3x" "$(verdict "$r" le 3)" "$iv" "$il" "$(ratio "$iv" "$il")"
    target "1b. vtune-xml / xmllint, ${dnames[k]}" "$r" le 3 "hwloc$k"
done

# --- 2. a batch of small domains in one process

printf '\n%s\n\n' "2. $N small domains (2-4 vCPUs, 512-768 MiB, 4 kinds) in one process, host as JSON snapshot"
printf '| %-*s | %9s | %9s | %8s | %13s | %6s | %-6s |\n' $W "case" "ms" "domains/s" "peak MiB" \
    "instr/domain" "target" "met"
line $W 9 9 8 13 6 6
batch_row() {   # batch_row LABEL CGNAME OUTDIR TARGET? ARGS...
    local label=$1 cg=$2 out=$3 tgt=$4; shift 4
    local t rate kib ins
    t=$(median_ms "$VT" --host "$JSON" -o "$out/" "$@" "${batch[@]}")
    rate=$(awk -v t="$t" -v n="$N" 'BEGIN {printf "%.0f", n / (t / 1000)}')
    kib=$(peak_kib "$VT" --host "$JSON" -o "$out/" "$@" "${batch[@]}")
    ins=$(instr "$cg" "$VT" --host "$JSON" -o "$out/" "$@" "${batch[@]}")
    ins=$(awk -v i="$ins" -v n="$N" 'BEGIN {printf "%.0f", i / n}')
    if [ "$tgt" = yes ]; then
        printf '| %-*s | %9s | %9s | %8s | %13s | %6s | %-6s |\n' $W "$label" "$t" "$rate" "$(mib "$kib")" \
            "$ins" ">=2000" "$(verdict "$rate" ge 2000)"
        target "2. domains/s, $label" "$rate" ge 2000 "$cg"
    else
        printf '| %-*s | %9s | %9s | %8s | %13s | %6s | %-6s |\n' $W "$label" "$t" "$rate" "$(mib "$kib")" \
            "$ins" "" ""
    fi
}
fdesc=tmpfs; [ "$fast" = "$work" ] && fdesc="$(df --output=fstype "$work" | tail -1)"
batch_row "balanced, output on $fdesc" batch "$fast/out" yes --profile balanced
batch_row "balanced, $VAL, output on $fdesc" batchnv "$fast/out" no --profile balanced $VAL
batch_row "balanced, output on $(df --output=fstype "$work" | tail -1) (fsync per file)" batchdisk "$work/diskout" no --profile balanced
batch_row "latency (pinned until the host is full), $fdesc" batchlat "$fast/out" yes --profile latency
pinned=$(grep -l '<vcpupin' "$fast"/out/*.xml | wc -l)
notes+=("latency batch: $pinned of $N domains got pinned vCPUs before the host's CPUs ran out; the rest are tuned without pins (a finding each)")

# --- 3. loading the host

printf '\n%s\n\n' "3. Loading the host: vtune-xml snapshot --host SRC > /dev/null"
printf '| %-*s | %9s | %9s | %13s | %13s |\n' $W "source" "KB" "ms" "instructions" "host_load"
line $W 9 9 13 13
host_row() {    # host_row LABEL FILE|"" ARGS...
    local label=$1 f=$2; shift 2
    local kb="" t ins
    [ -n "$f" ] && kb=$(( $(wc -c < "$f") / 1024 ))
    t=$(median_ms "$VT" "$@")
    ins=$(instr host "$VT" "$@")
    printf '| %-*s | %9s | %9s | %13s | %13s |\n' $W "$label" "$kb" "$t" "$ins" "$(x=$(incl host host_load); echo "${x:--}")"
}
host_row "start-up only (vtune-xml --version)" "" --version
host_row "hwloc XML, $(basename "$HWLOC")" "$HWLOC" snapshot --host "$HWLOC"
host_row "capabilities XML, $(basename "$CAPS")" "$CAPS" snapshot --host "$CAPS"
host_row "JSON snapshot of $(basename "$HWLOC")" "$JSON" snapshot --host "$JSON"
host_row "live discovery (this machine, $(nproc) CPUs)" "" snapshot

# --- 4. the schema check

printf '\n%s\n\n' "4. The libvirt schema check: the same tuning with $VAL and without (the default; JSON host)"
if [ $VALIDATES = no ]; then
    notes+=("libvirt's domain schema is not installed: the 'validating' columns and section 4 measure the default (no check)")
fi
printf '| %-*s | %9s | %9s | %9s | %13s | %13s | %13s | %12s | %12s |\n' $W "case" "ms" "ms (off)" "check ms" \
    "instructions" "instr (off)" "check instr" "schema parse" "per document"
line $W 9 9 9 13 13 13 12 12
valid_row() {   # valid_row LABEL DOCUMENTS ARGS...
    local label=$1 docs=$2; shift 2
    local t0 t1 i0 i1 parse
    t0=$(median_ms "$VT" --host "$JSON" $VAL "$@")
    t1=$(median_ms "$VT" --host "$JSON" "$@")
    i0=$(instr v0 "$VT" --host "$JSON" $VAL "$@")
    i1=$(instr v1 "$VT" --host "$JSON" "$@")
    parse=$(incl v0 xmlRelaxNGParse); parse=${parse:-0}
    printf '| %-*s | %9s | %9s | %9s | %13s | %13s | %13s | %12s | %12s |\n' $W "$label" "$t0" "$t1" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", a - b}')" "$i0" "$i1" "$((i0 - i1))" \
        "$parse" "$(( (i0 - i1 - parse) / docs ))"
}
valid_row "${dnames[0]}, latency" 1 --profile latency "${domains[0]}"
valid_row "$N small domains, balanced, output on $fdesc" "$N" --profile balanced -o "$fast/out/" "${batch[@]}"
notes+=("section 3: ms and instructions are the whole snapshot command (start-up, loading, writing the JSON); host_load: loading alone (callgrind, callees included)")
notes+=("section 4: the schema is parsed once per process (schema parse: xmlRelaxNGParse); each changed document is then validated on its own (per document: check instr less the parse, over the documents)")

# --- 5. scaling

if [ "${PLACEMENT:-0}" = 1 ]; then
    printf '\n%s\n' "5. Scaling: bench/placement.sh"
    REPS=$REPS "$here/placement.sh" "$VT"
else
    printf '\n%s\n' "5. Scaling: see bench/placement.sh and its tables in doc/performance.md (PLACEMENT=1 runs it here)"
fi

# --- the targets

printf '\n%s\n\n' "Targets"
printf '| %-*s | %10s | %8s | %-6s |\n' $W "target" "measured" "wanted" "met"
line $W 10 8 6
printf '%s\n' "${summary[@]}"
if [ ${#notes[@]} -gt 0 ]; then
    echo
    for n in "${notes[@]}"; do echo "- $n"; done
fi

# Where the instructions go in the runs of each missed target (the first
# of each kind only: 1a, 1b and 2 each have one profile worth reading).
seen=
for m in "${missed[@]}"; do
    what=${m%%|*} cg=${m##*|}
    kind=${what%%.*}
    case " $seen " in *" $kind "*) continue ;; esac
    seen="$seen $kind"
    printf '\n%s\n' "Missed: $what - callgrind of the vtune-xml run"
    top_costs "$cg" "${TOP:-12}"
done
