#!/usr/bin/env bash
# libvirt-start.sh VTUNE - tuned domains really start: under a libvirtd
# and QEMU/KVM of its own, each case's domain is tuned for this machine
# (VTUNE snapshot), defined, started and compared with the tuned XML, then
# destroyed and undefined. Needs root and a writable /dev/kvm, else it
# skips (exit 77). One line per check, then "N passed, N failed".
#
# A case is a domain in tests/libvirt-start/ (1-2 vCPUs, 128 MiB, no OS:
# SeaBIOS boots, finds no disk and prints to the serial log; @LOG@ and
# @DISK@ are filled in), the vtune-xml options it needs, and the elements
# the tuned XML must have, so its checks cannot pass by having nothing to
# check. From the tuned XML the checks are:
#   started     the state is running; SeaBIOS's banner reaches the log
#   vcpupin     virsh vcpupin, and the QEMU thread of each vCPU (thread
#               ids from the monitor's "info cpus"): its Cpus_allowed_list
#   emulatorpin virsh emulatorpin, and the QEMU main thread's CPUs
#   iothreads   virsh iothreadinfo: the count and each iothreadpin, and the
#               iothread's QEMU thread (the monitor's "info iothreads")
#   numatune    virsh numatune: mode and nodeset; the running domain
#               keeps every <memnode> and guest cell (one without cpus
#               too: a memory-only guest node)
#   disks       the running domain's <driver> iothread, cache, io
#   hugepages   QEMU maps the guest RAM from the hugetlbfs mount and the
#               2 MiB pool gave the pages
#   interfaces  the running domain's queues; the tap is multiqueue and
#               QEMU holds one tap file (and vhost-net file) per queue
#   vcpusched   each vCPU thread's policy and priority (chrt -p):
#               SCHED_FIFO where <vcpusched> says so, SCHED_OTHER elsewhere
#   features    QEMU's -cpu has hv-NAME for each <hyperv> member (hv-time
#               for hypervclock), kvm-hint-dedicated=on, pmu=off
#
# Host limits met on start are worked around the documented way, said in a
# "note:" line and kept for the later cases:
#   "failed to set MSR" (nested KVM, host-passthrough)
#                  --set cpu.mode.features=-arch-capabilities
#   "cannot limit locked memory" (no CAP_SYS_RESOURCE, e.g. a container)
#                  --disable mem.lock
#   "kernel doesn't allow setting HyperV VP_INDEX" (nested KVM)
#                  the domain's own <hyperv><vpindex state='off'/>: the
#                  rule must then leave out what needs it
#   other "kernel doesn't allow setting HyperV", "failed to set MSR
#   0x400000xx" (Hyper-V MSRs) and "Cannot set scheduler parameters" (no
#   SCHED_FIFO): no fallback keeps the case's point; the
#   case is skipped with a "skip:" line naming the limit, its tuned XML
#   still checked
#   "vhost-net ... unavailable" (no /dev/vhost-net)
#                  the NIC <driver name='vhost'> becomes name='qemu'
#                  (QEMU's own virtio-net backend, same queues)
#
# Isolation: the script re-runs itself in a private mount namespace
# (unshare) with tmpfs over /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt: its own qemu.conf (QEMU as
# root, no security driver, the hugetlbfs mount), sockets and state, so
# neither the host's libvirt configuration nor a libvirtd already running
# is touched. It starts virtlogd and libvirtd itself in the background and
# stops them, and any QEMU left, by PID. On exit (also on failure or
# Ctrl-C) it also removes what lives outside the namespace: the 2 MiB
# pages it reserved, the tap, the cgroups libvirt made, the mount points
# and the libvirt-qemu user it created. Missing packages are installed
# with apt-get. Takes about 25 s.
set -u
skip() { echo "skip: $*"; exit 77; }

[ $# = 1 ] || { echo "usage: $0 VTUNE" >&2; exit 2; }
[ "$(id -u)" = 0 ] || skip "needs root (libvirtd, tap devices, hugepages)"
[ -w /dev/kvm ] || skip "/dev/kvm is not writable"
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
cases=$here/libvirt-start

# --- packages: SeaBIOS (package seabios, a dependency of qemu-system-x86)
# is the firmware the cases boot; ovmf (UEFI) is not needed.
# libxml2-utils: xmllint reads the XML.
pkgs=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
      qemu-system-x86 qemu-utils seabios libxml2-utils)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
        > /dev/null || skip "cannot install ${missing[*]}"
fi

# --- a private mount namespace: the rest of the script runs in it
if [ -z "${VT_LIBVIRT_NS:-}" ]; then
    unshare --mount --propagation private true 2>/dev/null ||
        skip "cannot create a mount namespace (unshare --mount)"
    VT_LIBVIRT_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

pass=0; fail=0
check() {   # check NAME CMD...: runs CMD, prints "ok" or "FAIL" and NAME
    local name=$1; shift
    if "$@"; then pass=$((pass + 1)); echo "ok   $name"; return 0; fi
    fail=$((fail + 1)); echo "FAIL $name"; return 1
}
note() { echo "note: $*"; }
virsh() { command virsh -q -c qemu:///system "$@"; }
libvirtd_up() { virsh version > /dev/null 2>&1; }
stop_domain() { virsh destroy "$1" > /dev/null && virsh undefine "$1" > /dev/null; }
xp() { xmllint --xpath "$2" "$1" 2>/dev/null; }   # xp FILE XPATH
cpus() {    # cpus LIST: a CPU list (0-2,5) as sorted single CPUs: 0 1 2 5
    local part
    for part in ${1//,/ }; do seq "${part%-*}" "${part#*-}"; done | sort -n | xargs
}
same_cpus() { [ -n "$1" ] && [ "$(cpus "$1")" = "$(cpus "$2")" ]; }
pages_in_use() {   # 2 MiB pages taken, counting those reserved by a mapping
    awk '/^HugePages_Total/ {t = $2} /^HugePages_Free/ {f = $2}
         /^HugePages_Rsvd/ {r = $2} END {print t - f + r}' /proc/meminfo
}
open_files() {   # open_files PID FILE: how many descriptors PID has on FILE
    local fd n=0
    for fd in /proc/"$1"/fd/*; do [ "$(readlink "$fd")" = "$2" ] && n=$((n + 1)); done
    echo $n
}
allowed() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/task/$2/status"; }
wait_for() {   # wait_for SECONDS CMD...: until CMD succeeds
    local end=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.2; done
}

# --- clean-up, whatever happens: everything below registers what it makes
work=$(mktemp -d /tmp/vtune-libvirt.XXXXXX)
domains=(); qemu_pids=(); daemon_pids=(); mounts=(); made_dirs=(); new_cgroups=()
made_user=0; pages_file=""; pages_old=""
cleanup() {
    local d p
    for d in "${domains[@]}"; do
        virsh domstate "$d" 2>/dev/null | grep -q running && virsh destroy "$d" > /dev/null
        virsh undefine "$d" > /dev/null 2>&1
    done
    for p in "${qemu_pids[@]}"; do   # a QEMU libvirt could not stop
        grep -qa 'guest=vtune-test-' "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p"
    done
    for p in "${daemon_pids[@]}"; do
        kill "$p" 2>/dev/null && { wait_for 10 sh -c "! kill -0 $p 2>/dev/null" || kill -9 "$p"; }
        wait "$p" 2>/dev/null
    done
    [ -e /sys/class/net/vtune-mq0 ] && ip link del vtune-mq0   # libvirt's, if left
    for d in "${new_cgroups[@]}"; do rmdir "$d" 2>/dev/null; done
    for ((p = ${#mounts[@]} - 1; p >= 0; p--)); do umount "${mounts[$p]}"; done
    for d in "${made_dirs[@]}"; do rmdir "$d"; done
    [ -n "$pages_old" ] && echo "$pages_old" > "$pages_file"
    [ $made_user = 1 ] && userdel libvirt-qemu
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- host set-up. The libvirt-qemu user must exist for the QEMU driver to
# load, even though qemu.conf runs QEMU as root.
if ! getent passwd libvirt-qemu > /dev/null; then
    useradd --system --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin libvirt-qemu && made_user=1
fi
# 2 MiB pages for the hugepages case, reserved before the snapshot so that
# vtune-xml sees them free: 64 (128 MiB) on node 0, on top of any there.
pages_file=/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
[ -e "$pages_file" ] || pages_file=/proc/sys/vm/nr_hugepages
pages_old=$(cat "$pages_file")
echo $((pages_old + 64)) > "$pages_file"
check "setup: 64 more 2 MiB pages reserved" test "$(cat "$pages_file")" = $((pages_old + 64))
pages_before=$(pages_in_use)
# private libvirt directories (tmpfs in this namespace) and a hugetlbfs
# mount, before the daemon starts
for d in /etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt "$work/hugepages"; do
    if [ ! -d "$d" ]; then
        mkdir -p "$d"
        [[ $d == "$work"/* ]] || made_dirs+=("$d")
    fi
    if [ "$d" = "$work/hugepages" ]; then mount -t hugetlbfs -o pagesize=2M vtune-hugepages "$d"
    else mount -t tmpfs -o mode=755 vtune-libvirt "$d"; fi && mounts+=("$d")
done
cat > /etc/libvirt/qemu.conf <<EOF
# written by tests/libvirt-start.sh (private mount namespace)
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
hugetlbfs_mount = "$work/hugepages"
EOF
# with RT group scheduling (cgroup v1 cpu.rt_runtime_us) the cpu cgroups
# libvirt makes get no realtime budget (0), and SCHED_FIFO vCPUs are
# refused: libvirt is told to leave the cpu controller alone (the cases
# set no shares or quotas), so the vCPU threads keep the root's budget
if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]; then
    echo 'cgroup_controllers = [ "devices", "memory", "blkio", "cpuset", "cpuacct" ]' >> /etc/libvirt/qemu.conf
fi
# the "machine" cgroups libvirt makes (without systemd) are removed at the
# end: in each v1 hierarchy, or at the v2 root
for d in /sys/fs/cgroup /sys/fs/cgroup/*/; do [ -d "$d/machine" ] || new_cgroups+=("$d/machine"); done

# --- the daemons, in the background, by PID
virtlogd > "$work/virtlogd.log" 2>&1 & daemon_pids+=($!)
wait_for 10 test -S /run/libvirt/virtlogd-sock
libvirtd > "$work/libvirtd.log" 2>&1 & daemon_pids+=($!)
if ! check "setup: libvirtd answers (virsh version)" wait_for 30 libvirtd_up; then
    tail -5 "$work/libvirtd.log"; echo "$pass passed, $fail failed"; exit 1
fi

# --- this machine, and the qcow2 image for the iothreads case
"$VT" snapshot > "$work/host.json"
check "setup: vtune-xml snapshot of this machine" test -s "$work/host.json"
qemu-img create -q -f qcow2 "$work/data.qcow2" 64M
check "setup: qcow2 image (qemu-img)" test -s "$work/data.qcow2"

# Fallbacks found on this host (see the header), for every later case;
# dom: the domain start_case defined.
host_opts=(); userspace_net=0; dom=""; hv_off=""

# start_case NAME XML OPTION...: tunes XML into $work/NAME.xml, defines and
# starts it; on a known host limit, takes the fallback and tries again
start_case() {
    local name=$1 xml=$2 err=$work/$1.err; shift 2
    local tuned=$work/$name.xml
    while :; do
        sed -e "s|@LOG@|$work/$name.log|" -e "s|@DISK@|$work/data.qcow2|" \
            -e "${hv_off:+s|</os>|</os><features><hyperv mode='custom'><vpindex state='off'/></hyperv></features>|}" "$cases/$xml" |
            "$VT" --host "$work/host.json" "$@" "${host_opts[@]}" - > "$tuned" || return 1
        [ $userspace_net = 1 ] && sed -i "/<interface/,/<\/interface>/s/<driver name='vhost'/<driver name='qemu'/" "$tuned"
        dom=$(xp "$tuned" 'string(/domain/name)')
        virsh define "$tuned" > /dev/null || return 1
        domains+=("$dom")
        virsh start "$dom" > /dev/null 2> "$err" && return 0
        virsh undefine "$dom" > /dev/null
        if grep -q 'failed to set MSR 0x400000' "$err"; then
            # a Hyper-V MSR (0x40000000-0x400000ff) this KVM does not have
            limit="this KVM refuses Hyper-V MSR $(grep -o '0x400000[0-9a-f]*' "$err" | head -1)"
            return 2
        elif grep -q 'failed to set MSR' "$err" && [[ " ${host_opts[*]} " != *arch-capabilities* ]]; then
            note "host-passthrough: QEMU cannot set an MSR (nested KVM): retrying with --set cpu.mode.features=-arch-capabilities"
            host_opts+=(--set cpu.mode.features=-arch-capabilities)
        elif grep -q 'cannot limit locked memory' "$err" && [[ " ${host_opts[*]} " != *mem.lock* ]]; then
            note "libvirt cannot raise the memlock limit for <locked/> (no CAP_SYS_RESOURCE?): retrying with --disable mem.lock"
            host_opts+=(--disable mem.lock)
        elif grep -q 'vhost-net .*unavailable' "$err" && [ $userspace_net = 0 ]; then
            note "no vhost-net on this host (/dev/vhost-net): retrying with the tuned NIC <driver name='qemu'> (userspace virtio-net, same queues)"
            userspace_net=1
        elif grep -q "kernel doesn't allow setting HyperV VP_INDEX" "$err" && [ -z "$hv_off" ]; then
            note "this KVM has no Hyper-V VP_INDEX (nested): retrying with the domain's own <hyperv><vpindex state='off'/>, so the hyperv rule must leave out synic, stimer, ipi and tlbflush, which need it"
            hv_off=1
        elif grep -q "kernel doesn't allow setting HyperV\|Cannot set scheduler parameters.*Operation not permitted" "$err"; then
            # limits with no documented fallback that keeps the case's
            # point: the case is skipped, saying which
            limit=$(grep -o "kernel doesn't allow setting HyperV [A-Z_]*\|Cannot set scheduler parameters.*" "$err" | head -1)
            return 2
        else
            sed 's/^/  /' "$err"; return 1
        fi
    done
}

# run_case NAME XML NEEDS OPTION...: one case (NEEDS: XPaths the tuned XML
# must match, space-separated), checks, destroy, undefine
run_case() {
    local name=$1 xml=$2 needs=$3; shift 3
    local tuned=$work/$name.xml log=$work/$name.log n i v want got pid tid x
    echo "# $name: vtune-xml ${*//$here\//tests/} $xml"
    : > "$log"
    local rc=0 limit=""
    start_case "$name" "$xml" "$@" || rc=$?
    if [ $rc = 2 ]; then
        # this host's KVM has no Hyper-V MSRs (nested), or the sandbox
        # gives no realtime scheduling: what the tuned XML must have is
        # still checked; QEMU's acceptance cannot be
        echo "skip: $name: this host cannot start it ($limit)"
        for x in $needs; do
            check "$name: the tuned XML has $x" test -n "$(xp "$tuned" "$x")"
        done
        return
    fi
    check "$name: defined and started" test $rc = 0 || return
    for x in $needs; do
        check "$name: the tuned XML has $x" test -n "$(xp "$tuned" "$x")"
    done
    local live=$work/$name.live.xml
    virsh dumpxml "$dom" > "$live"
    check "$name: state is running" test "$(virsh domstate "$dom")" = running
    check "$name: SeaBIOS banner on the serial log" wait_for 10 grep -q SeaBIOS "$log"
    pid=$(cat "/run/libvirt/qemu/$dom.pid"); qemu_pids+=("$pid")

    # vCPU pins: virsh, then the thread of each vCPU
    virsh qemu-monitor-command "$dom" --hmp info cpus |
        sed -n 's/.*CPU #\([0-9]*\): thread_id=\([0-9]*\).*/\1 \2/p' > "$work/vcpus"
    n=$(xp "$tuned" 'count(//cputune/vcpupin)')
    for ((i = 1; i <= n; i++)); do
        v=$(xp "$tuned" "string(//cputune/vcpupin[$i]/@vcpu)")
        want=$(xp "$tuned" "string(//cputune/vcpupin[$i]/@cpuset)")
        got=$(virsh vcpupin "$dom" --vcpu "$v" | awk '{print $2}')
        check "$name: virsh vcpupin: vCPU $v on $got (tuned: $want)" same_cpus "$got" "$want"
        tid=$(awk -v v="$v" '$1 == v {print $2}' "$work/vcpus")
        got=$([ -n "$tid" ] && allowed "$pid" "$tid")
        check "$name: thread of vCPU $v ($tid, $(cat "/proc/$pid/task/$tid/comm" 2>/dev/null)) Cpus_allowed_list $got" same_cpus "$got" "$want"
    done
    # vCPU schedulers: each vCPU thread's policy and priority (chrt -p),
    # SCHED_FIFO where <vcpusched> says so and SCHED_OTHER elsewhere
    n=$(xp "$tuned" 'string(/domain/vcpu)')
    if [ -n "$(xp "$tuned" '//cputune/vcpusched')" ]; then
        for ((v = 0; v < n; v++)); do
            want="SCHED_OTHER 0"
            for ((i = 1; i <= $(xp "$tuned" 'count(//cputune/vcpusched)'); i++)); do
                if [[ " $(cpus "$(xp "$tuned" "string(//cputune/vcpusched[$i]/@vcpus)")") " == *" $v "* ]]; then
                    want="SCHED_$(xp "$tuned" "string(//cputune/vcpusched[$i]/@scheduler)" | tr '[:lower:]' '[:upper:]') $(xp "$tuned" "string(//cputune/vcpusched[$i]/@priority)")"
                fi
            done
            tid=$(awk -v v="$v" '$1 == v {print $2}' "$work/vcpus")
            got=$([ -n "$tid" ] && chrt -p "$tid" | awk -F': *' '/policy/ {p = $2} /priority/ {r = $2} END {print p, r}')
            check "$name: thread of vCPU $v ($tid) runs $got (tuned: $want)" test "$got" = "$want"
        done
    fi
    # the CPU features QEMU was given: Hyper-V enlightenments (libvirt
    # turns each into -cpu ...,hv-NAME), the dedicated-CPU hint, no PMU
    local cmdline; cmdline=$(tr '\0' ' ' < "/proc/$pid/cmdline")
    for x in $(xp "$tuned" '/domain/features/hyperv/*[@state="on"]' | grep -o '<[a-z_]*' | tr -d '<'); do
        check "$name: QEMU runs with hv-$x (<hyperv><$x state='on'/>)" grep -q "hv-$x" <<< "$cmdline"
    done
    if [ -n "$(xp "$tuned" '//features/hyperv/stimer/direct[@state="on"]')" ]; then
        check "$name: QEMU runs with hv-stimer-direct" grep -q "hv-stimer-direct" <<< "$cmdline"
    fi
    if [ -n "$(xp "$tuned" '//clock/timer[@name="hypervclock"][@present="yes"]')" ]; then
        check "$name: QEMU runs with hv-time (hypervclock)" grep -q "hv-time" <<< "$cmdline"
    fi
    if [ -n "$(xp "$tuned" '//features/kvm/hint-dedicated[@state="on"]')" ]; then
        check "$name: QEMU runs with kvm-hint-dedicated=on" grep -q "kvm-hint-dedicated=on" <<< "$cmdline"
    fi
    if [ -n "$(xp "$tuned" '//features/pmu[@state="off"]')" ]; then
        check "$name: QEMU runs with pmu=off" grep -q "pmu=off" <<< "$cmdline"
    fi
    # emulator pin: virsh, then QEMU's main thread
    want=$(xp "$tuned" 'string(//cputune/emulatorpin/@cpuset)')
    if [ -n "$want" ]; then
        got=$(virsh emulatorpin "$dom" | sed 's/^ *\*: *//')   # -q: no "*:"
        check "$name: virsh emulatorpin: $got (tuned: $want)" same_cpus "$got" "$want"
        got=$(allowed "$pid" "$pid")
        check "$name: QEMU main thread Cpus_allowed_list $got" same_cpus "$got" "$want"
    fi
    # iothreads: count, pins (virsh), and each iothread's QEMU thread
    want=$(xp "$tuned" 'string(/domain/iothreads)')
    if [ -n "$want" ]; then
        virsh iothreadinfo "$dom" > "$work/iothreads"
        check "$name: virsh iothreadinfo: $want iothread(s)" test "$(grep -c . "$work/iothreads")" = "$want"
        virsh qemu-monitor-command "$dom" --hmp info iothreads |
            awk '/^iothread[0-9]+:/ {id = substr($1, 9) + 0} /thread_id=/ {sub(/.*thread_id=/, ""); print id, $0 + 0}' > "$work/iothread-tids"
        n=$(xp "$tuned" 'count(//cputune/iothreadpin)')
        for ((i = 1; i <= n; i++)); do
            v=$(xp "$tuned" "string(//cputune/iothreadpin[$i]/@iothread)")
            want=$(xp "$tuned" "string(//cputune/iothreadpin[$i]/@cpuset)")
            got=$(awk -v v="$v" '$1 == v {print $2}' "$work/iothreads")
            check "$name: virsh iothreadinfo: iothread $v on $got (tuned: $want)" same_cpus "$got" "$want"
            tid=$(awk -v v="$v" '$1 == v {print $2}' "$work/iothread-tids")
            got=$([ -n "$tid" ] && allowed "$pid" "$tid")
            check "$name: thread of iothread $v ($tid) Cpus_allowed_list $got" same_cpus "$got" "$want"
        done
    fi
    # numatune
    want=$(xp "$tuned" 'string(/domain/numatune/memory/@nodeset)')
    if [ -n "$want" ]; then
        want="$(xp "$tuned" 'string(/domain/numatune/memory/@mode)') $want"
        got=$(virsh numatune "$dom" | awk -F' *: *' '/numa_mode/ {m = $2} /numa_nodeset/ {s = $2} END {print m, s}')
        check "$name: virsh numatune: $got (tuned: $want)" test "$got" = "$want"
    fi
    # guest cells and their memnodes, as tuned
    n=$(xp "$tuned" 'count(//numatune/memnode)')
    for ((i = 1; i <= n; i++)); do
        v=$(xp "$tuned" "string(//numatune/memnode[$i]/@cellid)")
        want=$(xp "$tuned" "string(//numatune/memnode[$i]/@nodeset)")
        got=$(xp "$live" "string(//numatune/memnode[@cellid='$v']/@nodeset)")
        check "$name: running domain binds cell $v to node(s) $got (tuned: $want)" test "$got" = "$want"
    done
    want=$(xp "$tuned" 'count(//cpu/numa/cell)')
    if [ "$want" != 0 ]; then
        got=$(xp "$live" 'count(//cpu/numa/cell)')
        check "$name: running domain has $got guest cell(s) (tuned: $want)" test "$got" = "$want"
    fi
    # disks: the tuned driver attributes are in the running domain
    n=$(xp "$tuned" 'count(/domain/devices/disk)')
    for ((i = 1; i <= n; i++)); do
        for x in iothread cache io; do
            want=$(xp "$tuned" "string(/domain/devices/disk[$i]/driver/@$x)")
            [ -n "$want" ] || continue
            got=$(xp "$live" "string(/domain/devices/disk[$i]/driver/@$x)")
            check "$name: disk $i running with $x='$got' (tuned: $want)" test "$got" = "$want"
        done
    done
    # hugepages: the guest RAM comes from the hugetlbfs mount and the pool
    if [ -n "$(xp "$tuned" '/domain/memoryBacking/hugepages')" ]; then
        check "$name: running domain has <hugepages>" test -n "$(xp "$live" '/domain/memoryBacking/hugepages/page[@size="2048"]')"
        check "$name: QEMU maps the guest RAM from hugetlbfs ($work/hugepages)" grep -q " $work/hugepages/" "/proc/$pid/maps"
        want=$(($(xp "$live" 'string(/domain/memory)') / 2048))   # KiB
        got=$(($(pages_in_use) - pages_before))
        check "$name: $got 2 MiB pages taken from the pool (guest: $want)" test "$got" = "$want"
    fi
    # interfaces: queues in the running domain, a multiqueue tap, one tap
    # (and vhost-net) file per queue in QEMU
    n=$(xp "$tuned" 'count(/domain/devices/interface)')
    for ((i = 1; i <= n; i++)); do
        want=$(xp "$tuned" "string(/domain/devices/interface[$i]/driver/@queues)")
        [ -n "$want" ] || continue
        got=$(xp "$live" "string(/domain/devices/interface[$i]/driver/@queues)")
        check "$name: interface $i running with queues='$got' (tuned: $want)" test "$got" = "$want"
        local tap; tap=$(xp "$live" "string(/domain/devices/interface[$i]/target/@dev)")
        check "$name: tap $tap is multiqueue (IFF_MULTI_QUEUE)" test $(($(cat "/sys/class/net/$tap/tun_flags" 2>/dev/null || echo 0) & 0x100)) != 0
        got=$(open_files "$pid" /dev/net/tun)
        check "$name: QEMU holds $got tap queue file(s) (tuned: $want)" test "$got" = "$want"
        if [ "$(xp "$live" "string(/domain/devices/interface[$i]/driver/@name)")" = vhost ]; then
            got=$(open_files "$pid" /dev/vhost-net)
            check "$name: QEMU holds $got vhost-net file(s) (tuned: $want)" test "$got" = "$want"
        fi
    done

    check "$name: destroyed and undefined" stop_domain "$dom"
    wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
}

# --- the cases: name, domain, what the tuned XML must have, vtune-xml options
P=$cases/policy.json
run_case pin-numa pin-numa.xml '//cputune/vcpupin //cputune/emulatorpin //numatune/memory' \
    --profile latency --policy "$P" --disable mem.hugepages
run_case iothreads iothreads.xml '/domain/iothreads //cputune/iothreadpin //disk/driver/@iothread' \
    --profile latency --policy "$P" --disable mem.hugepages
run_case hugepages hugepages.xml '//memoryBacking/hugepages/page[@size="2048"] //cputune/vcpupin' \
    --profile latency --policy "$P"
run_case multiqueue multiqueue.xml '//interface/driver/@queues' \
    --profile balanced
run_case user-cells user-cells.xml '//numatune/memnode[@cellid="1"] //cputune/vcpupin' \
    --profile latency --policy "$P" --disable mem.hugepages
run_case windows windows.xml '//features/hyperv/relaxed //features/hyperv/spinlocks[@retries="8191"] //clock/timer[@name="hypervclock"]' \
    --profile balanced
if [ -n "$hv_off" ]; then
    check "windows: without vpindex, no synic, stimer, ipi or tlbflush" \
        test -z "$(xp "$work/windows.xml" '//features/hyperv/*[self::synic or self::stimer or self::ipi or self::tlbflush]')"
fi
hv_off=""
run_case realtime realtime.xml '//cputune/vcpusched[@scheduler="fifo"] //cputune/vcpupin //features/pmu[@state="off"]' \
    --profile realtime --policy "$P" --set cpu.realtime.housekeeping_vcpus=0 --set guest.os=other
run_case dedicated dedicated.xml '//features/kvm/hint-dedicated[@state="on"] //cputune/vcpupin' \
    --profile latency --policy "$P" --disable mem.hugepages

# --- --apply --dry-run asks this libvirtd: its schema and the domain
# capabilities of the domain's emulator, arch, machine and virt type.
# What to expect is read from `virsh domcapabilities` here, not assumed.
echo "# dry-run: vtune-xml -c qemu:///system --apply --dry-run"
dry() {   # dry NAME SED: the multiqueue domain edited by SED, dry-run
    sed -e "s|@LOG@|$work/dry.log|" -e "$2" "$cases/multiqueue.xml" > "$work/$1-in.xml"
    "$VT" --host "$work/host.json" -c qemu:///system --apply --dry-run \
        "$work/$1-in.xml" > "$work/$1.out" 2> "$work/$1.err"
}
dry dry-ok 's|@NONE@||'; rc=$?
check "dry-run: a domain QEMU can run passes (exit 0)" test $rc = 0
check "dry-run: prints the XML it would define" grep -q '<domain' "$work/dry-ok.out"
check "dry-run: defines nothing" sh -c "! command virsh -q -c qemu:///system dominfo vtune-test-multiqueue >/dev/null 2>&1"
command virsh -q -c qemu:///system domcapabilities --virttype kvm --machine q35 > "$work/domcaps.xml"
max=$(xp "$work/domcaps.xml" 'string(/domainCapabilities/vcpu/@max)')
dry dry-vcpus "s|<vcpu>2</vcpu>|<vcpu>$((max + 1))</vcpu>|"; rc=$?
check "dry-run: $((max + 1)) vCPUs over q35's maximum ($max) is exit 6" test $rc = 6
check "dry-run: names the maximum" grep -q "exceed the machine type's maximum of $max" "$work/dry-vcpus.err"
check "dry-run: no XML on stdout when libvirt would refuse" test ! -s "$work/dry-vcpus.out"
dry dry-tpm "s|</devices>|<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm></devices>|"; rc=$?
if [ -n "$(xp "$work/domcaps.xml" "/domainCapabilities/devices/tpm[@supported='yes']/enum[@name='backendModel']/value[text()='emulator']")" ]; then
    check "dry-run: TPM 2.0 emulator (swtpm here) passes" test $rc = 0
else
    check "dry-run: TPM emulator without swtpm is exit 6" test $rc = 6
    check "dry-run: names the TPM" grep -q "TPM" "$work/dry-tpm.err"
fi


# --- --apply defines the whole run through one connection, and undoes
# it when libvirt refuses a later domain: a new one is undefined, a
# replaced one gets its old definition back
echo "# apply: a refused domain undoes the run's defines"
sed -e "s|@LOG@|$work/apply.log|" -e 's|vtune-test-multiqueue|vtune-test-apply|' \
    -e 's|vtune-mq0|vtune-ap0|' "$cases/multiqueue.xml" > "$work/apply-new.xml"
sed -e "s|@LOG@|$work/apply.log|" -e 's|vtune-test-multiqueue|vtune-test-applyold|' \
    -e 's|vtune-mq0|vtune-ap1|' "$cases/multiqueue.xml" > "$work/apply-old.xml"
printf '<domain type="kvm"><name>vtune-test-applybad</name><memory>131072</memory><bogus/><os><type arch="x86_64">hvm</type></os></domain>\n' > "$work/apply-bad.xml"
virsh define "$work/apply-old.xml" > /dev/null && domains+=(vtune-test-applyold)
sed 's|<memory unit=.MiB.>128</memory>|<memory unit="MiB">192</memory>|' "$work/apply-old.xml" > "$work/apply-old2.xml"
"$VT" --host "$work/host.json" --no-validate -c qemu:///system --apply \
    "$work/apply-new.xml" "$work/apply-old2.xml" "$work/apply-bad.xml" > /dev/null 2> "$work/apply.err"; rc=$?
check "apply: a domain libvirt refuses is exit 6" test $rc = 6
check "apply: the new domain defined before it is undefined" sh -c "! command virsh -q -c qemu:///system dominfo vtune-test-apply > /dev/null 2>&1"
check "apply: the domain it replaced has its old definition back" \
    sh -c "command virsh -q -c qemu:///system dumpxml vtune-test-applyold | grep -q '<memory unit=.KiB.>131072</memory>'"

# --- the drift check of the daemon's domains (--all): three defined, one
# tuned already; --apply defines the two that drifted, after which the
# daemon's own formatting of them is tuned (the check is stable)
echo "# fleet: vtune-xml -c qemu:///system --all --check, --apply"
for d in "${domains[@]}"; do virsh undefine "$d" > /dev/null 2>&1; done
for n in a b c; do
    printf "<domain type='kvm'><name>vtune-test-fleet-%s</name><memory unit='MiB'>256</memory><vcpu>2</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os><devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s/fleet-%s.img'/><target dev='vda' bus='virtio'/></disk></devices></domain>\n" "$n" "$work" "$n" > "$work/fleet-$n.xml"
done
"$VT" --host "$work/host.json" -o "$work/fleet-pre/" "$work/fleet-b.xml"
for f in "$work/fleet-a.xml" "$work/fleet-pre/fleet-b.xml" "$work/fleet-c.xml"; do
    virsh define "$f" > /dev/null && domains+=("$(xp "$f" 'string(/domain/name)')")
done
"$VT" --host "$work/host.json" -c qemu:///system --all --check > "$work/fleet.out" 2> "$work/fleet.err"; rc=$?
check "fleet: --all --check is exit 1 (two drifted)" test $rc = 1
check "fleet: a and c drifted, b tuned" sh -c "grep -q 'fleet-a: drifted' '$work/fleet.err' && grep -q 'fleet-c: drifted' '$work/fleet.err' && grep -q 'fleet-b: tuned\$' '$work/fleet.err' && test \$(wc -l < '$work/fleet.err') = 3"
"$VT" --host "$work/host.json" -c qemu:///system --all --apply > "$work/fleet-apply.out" 2> /dev/null; rc=$?
check "fleet: --all --apply defines the two that drifted" sh -c "test $rc = 0 && test \$(grep -c '^defined vtune-test-fleet-[ac] ' '$work/fleet-apply.out') = 2 && test \$(wc -l < '$work/fleet-apply.out') = 2"
"$VT" -c qemu:///system --all --report json > "$work/fleet-live.json" 2> /dev/null
check "fleet: without --host, this machine's daemon means the live host" \
    sh -c "/usr/bin/python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))[\"host\"][\"kind\"] == \"hwloc-live\" else 1)' '$work/fleet-live.json'"
"$VT" --host "$work/host.json" -c qemu:///system --all --check > /dev/null 2> "$work/fleet2.err"; rc=$?
check "fleet: then --all --check is exit 0, all three tuned" sh -c "test $rc = 0 && test \$(grep -c ': tuned\$' '$work/fleet2.err') = 3"

# --- the README's virt-install one-liner, against this daemon
echo "# virt-install --print-xml | vtune-xml - | virsh define /dev/stdin"
if command -v virt-install > /dev/null; then
    virt-install --connect qemu:///system --print-xml --name vtune-test-vi \
        --memory 512 --vcpus 2 --disk none --import --osinfo detect=on,require=off \
        --noautoconsole 2> "$work/vi.err" | "$VT" --host "$work/host.json" - 2>> "$work/vi.err" |
        virsh define /dev/stdin > /dev/null 2>> "$work/vi.err"; rc=$?
    domains+=(vtune-test-vi)
    check "virt-install | vtune-xml | virsh define: defined" test $rc = 0
    check "virt-install | vtune-xml | virsh define: tuned (placed on a node)" \
        sh -c "command virsh -q -c qemu:///system dumpxml vtune-test-vi | grep -q '<numatune>'"
else
    note "virt-install is not installed (Debian: virtinst): one-liner not tried"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
