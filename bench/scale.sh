#!/usr/bin/env bash
# scale.sh VTUNE - how the cost grows with the input: one domain with 1k
# to 16k disks, NICs and <vcpupin>s (the rules that walk every device or
# pin), tuned on a two-node host; then hosts of 64 to 4,096 NUMA nodes
# (hwloc XML from 0.2 to 63 MiB, doubling a row). Prints a table: wall
# time (one run, date +%s%N), instructions (perf, where the machine has
# the counter), peak memory (GNU time's maximum resident set, the hwloc
# child's included) and the ratio to the row above, which doubling the
# input should keep near 2.
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
# instructions from perf's counter where the machine has one (a VM or a
# container without a PMU does not: the column says n/a)
if perf stat -x, -e instructions:u true 2>&1 | grep -q '^[0-9]'; then
    count_ins=1
else
    count_ins=0
fi
# run FILE ARGS...: one run; sets ms, kb and ins
run() {
    local t0 t1
    t0=$(date +%s%N)
    if [ "$count_ins" = 1 ]; then
        /usr/bin/time -f %M -o "$work/mem" perf stat -x, -o "$work/ins" -e instructions:u \
            "$VT" "$@" > /dev/null 2>&1 || true
        ins=$(awk -F, '/instructions/ {print $1}' "$work/ins")
    else
        /usr/bin/time -f %M -o "$work/mem" "$VT" "$@" > /dev/null 2>&1 || true
        ins=n/a
    fi
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 )); kb=$(tail -1 "$work/mem")
}
ratio() {   # ratio NOW BEFORE
    if [ -z "$2" ] || [ "$1" = n/a ]; then echo -; else
        awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}'; fi
}
printf '%s\n\n' "vtune-xml scale benchmark: $(date +%F), $(nproc) CPUs, one run each"
printf '| %-22s | %7s | %5s | %12s | %5s | %9s | %5s |\n' "input" "ms" "x" "instructions" "x" "peak KiB" "x"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------" "---------" "-------" "--------------" "-------" "-----------" "-------"
row() {     # row LABEL: prints the figures of the last run against the row above
    printf '| %-22s | %7s | %5s | %12s | %5s | %9s | %5s |\n' "$1" "$ms" "$(ratio "$ms" "$prev_ms")" \
        "$ins" "$(ratio "$ins" "$prev_ins")" "$kb" "$(ratio "$kb" "$prev_kb")"
    prev_ms=$ms; prev_kb=$kb; prev_ins=$([ "$ins" = n/a ] && echo || echo "$ins")
}
# a domain has at most 16,384 vCPUs (VT_MAX_VCPUS, compiler/doc/domain.h),
# so at most as many <vcpupin>s: the pin rows stop there
for kind in disks nics vcpupins; do
    prev_ms=""; prev_kb=""; prev_ins=""
    for n in 1000 2000 4000 8000 16000; do
        gen "$kind" "$n" "$work/d.xml"
        run --host "$H" --profile latency "$work/d.xml"
        row "$n $kind"
    done
done
# hosts of 64 to 4,096 NUMA nodes as hwloc XML (bench/numa-host.py), the
# node count growing by sqrt(2) a row so that the file, which grows with
# its square (every object's bitmaps, the N x N distances), doubles
printf '<domain type="kvm"><name>b</name><memory unit="MiB">512</memory><vcpu>1</vcpu></domain>\n' > "$work/small.xml"
prev_ms=""; prev_kb=""; prev_ins=""
for n in 64 91 128 181 256 362 512 724 1024 1448 2048 2896 4096; do
    /usr/bin/python3 "$here/numa-host.py" "$n" "$work/h.xml" 1
    size=$(( $(stat -c %s "$work/h.xml") / 1024 ))
    run --host "$work/h.xml" "$work/small.xml"
    row "$n nodes ($size KiB)"
done
