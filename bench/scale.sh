#!/usr/bin/env bash
# scale.sh VTUNE - how the cost grows with the document: one domain with
# 1k to 16k disks, NICs and <vcpupin>s (the rules that walk every device
# or pin), tuned on a two-node host. Prints a table: wall time (one run,
# date +%s%N), peak memory (GNU time's maximum resident set) and the ratio
# to the row above, which doubling the input should keep near 2.
set -euo pipefail
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
H=$here/../tests/hosts/two-node.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# gen KIND N FILE: a domain with N disks, NICs or vCPU pins
gen() {
    /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import sys
kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
vcpus, pins, devs = 4, "", ""
if kind == "disks":
    devs = "".join('<disk type="file" device="disk"><driver name="qemu" type="qcow2"/>'
                   '<source file="/i/%d.qcow2"/><target dev="vd%d" bus="virtio"/></disk>\n' % (i, i)
                   for i in range(n))
elif kind == "nics":
    devs = "".join('<interface type="network"><source network="default"/>'
                   '<model type="virtio"/></interface>\n' for _ in range(n))
else:
    vcpus = n
    pins = "<cputune>\n" + "".join('<vcpupin vcpu="%d" cpuset="%d"/>\n' % (i, i % 32)
                                   for i in range(n)) + "</cputune>\n"
open(out, "w").write('<domain type="kvm"><name>s</name><memory unit="GiB">4</memory>'
                     '<vcpu>%d</vcpu>\n%s<os><type arch="x86_64" machine="q35">hvm</type></os>'
                     '<devices>\n%s</devices></domain>\n' % (vcpus, pins, devs))
PY
}
printf '%s\n\n' "vtune-xml scale benchmark: $(date +%F), $(nproc) CPUs, one run each"
printf '| %-14s | %8s | %6s | %9s | %6s |\n' "input" "ms" "x" "peak KiB" "x"
printf '|%s|%s|%s|%s|%s|\n' "----------------" "----------" "--------" "-----------" "--------"
for kind in disks nics vcpupins; do
    prev_ms=""; prev_kb=""
    for n in 1000 2000 4000 8000 16000; do
        gen "$kind" "$n" "$work/d.xml"
        t0=$(date +%s%N)
        /usr/bin/time -f %M -o "$work/mem" "$VT" --host "$H" --profile latency "$work/d.xml" > /dev/null 2>&1 || true
        t1=$(date +%s%N)
        ms=$(( (t1 - t0) / 1000000 )); kb=$(tail -1 "$work/mem")
        rt=$( [ -n "$prev_ms" ] && awk -v a="$ms" -v b="$prev_ms" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}' || echo "-")
        rm_=$( [ -n "$prev_kb" ] && awk -v a="$kb" -v b="$prev_kb" 'BEGIN {printf "%.1f", a / b}' || echo "-")
        printf '| %-14s | %8s | %6s | %9s | %6s |\n' "$n $kind" "$ms" "$rt" "$kb" "$rm_"
        prev_ms=$ms; prev_kb=$kb
    done
done
