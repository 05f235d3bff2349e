#!/usr/bin/env bash
# placement.sh [VTUNE] - what placement costs, as tables: wall time
# (median of REPS runs of the whole process, timed by bench/lib.sh) and
# instructions counted by callgrind (repeatable whatever the machine is
# doing), with the placement rules on and off, so the difference is
# placement's own cost.
#   1. a 240-vCPU domain on the 24-node, 384-CPU host; 100 domains packed
#      on it in one run
#   2. a fixed 2-vCPU domain on hosts from 2 to 384 CPUs (1 to 24 nodes)
#   3. domains from 1 to 240 vCPUs on the 384-CPU host
# Hosts are hwloc synthetic topologies (64 GiB a node), the same shapes as
# the corpus machines; with ../shared/corpus beside the project the real
# 192em64t-24n8c2t topology is measured too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
VT=$(realpath "${1:-$here/../build/vtune-xml}")
REPS=${REPS:-11}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/lib.sh
. "$here/lib.sh"        # median_ms, instr
PLACEMENT="numa.place cpu.pin cpu.emulator numa.guest"
off=(); for r in $PLACEMENT; do off+=(--disable "$r"); done

domain() {  # domain NAME VCPUS GIB
    cat <<X
<domain type="kvm">
  <name>$1</name>
  <memory unit="GiB">$3</memory>
  <vcpu>$2</vcpu>
  <os>
    <type arch="x86_64" machine="q35">hvm</type>
  </os>
</domain>
X
}

# row LABEL HOST FILES...: one table row for tuning FILES on HOST
row() {
    local label=$1 host=$2; shift 2
    local args=(--host "$host" --profile latency -o "$work/out/")
    mkdir -p "$work/out"
    local t_on t_off i_on i_off
    t_on=$(median_ms "$VT" "${args[@]}" "$@")
    t_off=$(median_ms "$VT" "${args[@]}" "${off[@]}" "$@")
    i_on=$(instr on "$VT" "${args[@]}" "$@")
    i_off=$(instr off "$VT" "${args[@]}" "${off[@]}" "$@")
    printf '| %-34s | %8s | %8s | %12s | %12s |\n' "$label" "$t_on" "$t_off" \
        "$i_on" "$((i_on - i_off))"
}

header() {
    printf '\n%s\n\n' "$1"
    printf '| %-34s | %8s | %8s | %12s | %12s |\n' "case" "ms" "ms (off)" \
        "instructions" "placement"
    printf '|%s|%s|%s|%s|%s|\n' "------------------------------------" \
        "----------" "----------" "--------------" "--------------"
}

H384='synthetic:pack:4 numa:6(memory=64GiB) core:8 pu:2'
"$VT" snapshot --host "$H384" > "$work/384.json"
domain big 240 240 > "$work/big.xml"
for i in $(seq -w 1 100); do domain "d$i" 3 4 > "$work/d$i.xml"; done

echo "vtune-xml placement benchmark: $(date -u +%Y-%m-%d), $(nproc) CPUs, $REPS runs a median"
echo "ms: median wall time of the whole process with the placement rules on and off ($(timer));"
echo "instructions: callgrind's count with them on; placement: on minus off"

header "1. The 24-node, 384-CPU host"
row "240 vCPUs, hwloc synthetic" "$H384" "$work/big.xml"
row "240 vCPUs, JSON snapshot" "$work/384.json" "$work/big.xml"
row "100 domains x 3 vCPUs, one run" "$work/384.json" "$work"/d*.xml
real=$here/../../shared/corpus/hosts-hwloc/192em64t-24n8c2t.xml
if [ -f "$real" ]; then
    row "240 vCPUs, 192em64t-24n8c2t.xml" "$real" "$work/big.xml"
fi

header "2. A 2-vCPU domain on hosts of growing size"
domain small 2 1 > "$work/small.xml"
for shape in "1 1 1 2:2" "1 1 8 2:16" "2 2 8 2:64" "4 2 8 2:128" "4 6 8 2:384"; do
    read -r p n c t <<< "${shape%%:*}"
    cpus=${shape##*:}
    row "$cpus CPUs, $((p * n)) nodes" \
        "synthetic:pack:$p numa:$n(memory=64GiB) core:$c pu:$t" "$work/small.xml"
done

header "3. Domains of growing size on the 384-CPU host"
for v in 1 8 32 64 128 240; do
    domain "v$v" "$v" "$v" > "$work/v$v.xml"
    row "$v vCPUs" "$work/384.json" "$work/v$v.xml"
done
