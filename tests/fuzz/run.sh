#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS_TOTAL] - builds the libFuzzer harnesses
# (fuzz_domain, fuzz_host, fuzz_policy) with clang, ASan and UBSan through
# CMake (-DVT_FUZZ=ON, tests/fuzz/CMakeLists.txt), seeds
# them from the project's own inputs (and ../shared/corpus when it is
# there), runs each for its share of SECONDS_TOTAL (default 60: two thirds
# domain, a fifth host, the rest policy), prints one summary line per
# harness and exits 1 when any of them found a crash, a leak, a timeout,
# an out-of-memory or a broken invariant (the input and the report stay in
# the output folder, and the report is printed). doc/fuzzing.md explains.
#
# Environment:
#   FUZZ_BUILD   CMake build and output folder (default tests/fuzz/build)
#   FUZZ_CC      the compiler (default: clang, else clang-14); another one
#                than the folder was configured with configures it anew
#   FUZZ_ONLY    run only these harnesses, e.g. "domain host"
#   FUZZ_SHARED_CORPUS  the public corpus (default ../shared/corpus beside
#                the clone); never copied into the repository
#   FUZZ_ARGS    extra libFuzzer options, e.g. "-jobs=4 -workers=4"
#   FUZZ_SEED    libFuzzer's random seed (default 0: a new one each run;
#                .ci/run gives 1, so that CI mutates the same way each time)
# Exit: 0 nothing found, 1 a finding, 2 usage, build or set-up error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
total=${1:-60}
case $total in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS_TOTAL]" >&2; exit 2 ;;
esac
if [ "$total" -lt 3 ]; then
    echo "$0: SECONDS_TOTAL must be at least 3" >&2; exit 2
fi
build=${FUZZ_BUILD:-$here/build}
harnesses=${FUZZ_ONLY:-domain host policy}
shared=${FUZZ_SHARED_CORPUS:-$root/../shared/corpus}

# ------------------------------------------------------------------ build
# through CMake (tests/fuzz/CMakeLists.txt): configured once into $build,
# which then keeps the libraries and the harnesses beside the corpus
cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
    for c in clang clang-14; do
        if command -v "$c" > /dev/null; then cc=$c; break; fi
    done
fi
if [ -z "$cc" ] || ! command -v "$cc" > /dev/null; then
    echo "$0: clang not found${cc:+ ($cc)}: apt-get install clang-14 libclang-rt-14-dev" >&2
    exit 2
fi
cc=$(command -v "$cc")
if ! command -v cmake > /dev/null; then
    echo "$0: cmake not found: apt-get install cmake" >&2; exit 2
fi
pkgs="libxml-2.0 hwloc libcjson libvirt cmocka"
# shellcheck disable=SC2086  # a list of package names
if ! pkg-config --exists $pkgs; then
    echo "$0: pkg-config cannot find $pkgs: run scripts/deps.sh or" \
         "apt-get install libxml2-dev libhwloc-dev libcjson-dev libvirt-dev" \
         "libcmocka-dev" >&2
    exit 2
fi
targets=()
for h in $harnesses; do
    if [ ! -f "$here/fuzz_$h.c" ]; then
        echo "$0: no harness fuzz_$h.c" >&2; exit 2
    fi
    targets+=("fuzz_$h")
done
mkdir -p "$build" || exit 2
start_build=$(date +%s)
cache="$build/CMakeCache.txt"
if [ -f "$cache" ] &&
   [ "$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$cache")" != "$cc" ]; then
    rm -rf "$cache" "$build/CMakeFiles"     # another compiler: configure anew
fi
log="$build/build.log"
if [ ! -f "$cache" ]; then
    # -g -O1 and no NDEBUG, as the harnesses were always built
    if ! cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" \
            -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" \
            -DVT_FUZZ=ON -DVT_SANITIZE=ON > "$log" 2>&1; then
        cat "$log" >&2
        rm -f "$cache"      # configure again next time
        echo "$0: configuring the build in $build failed" >&2
        exit 2
    fi
fi
if ! cmake --build "$build" --target "${targets[@]}" \
        --parallel "$(nproc 2>/dev/null || echo 2)" >> "$log" 2>&1; then
    grep -v '^\[ *[0-9]*%\] \(Building\|Built\|Linking\)' "$log" >&2
    if grep -q 'fuzzer' "$log"; then
        echo "$0: is libFuzzer installed? apt-get install libclang-rt-14-dev" >&2
    fi
    echo "$0: building the harnesses failed (log: $log)" >&2
    exit 2
fi
# the compiler's warnings, as the script's own build printed them
if grep -q 'warning:' "$log"; then
    grep -v '^\[ *[0-9]*%\] \|^-- \|^Consolidate compiler\|^Scanning dependencies' "$log"
fi
rm -f "$log"
echo "fuzz: built $harnesses with $cc in $(( $(date +%s) - start_build )) s ($build)"

# ------------------------------------------------------------------ seeds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seed() {    # seed HARNESS FILE...: copies files into the seed folder
    local h=$1; shift
    mkdir -p "$tmp/$h"
    for f in "$@"; do
        [ -f "$f" ] || continue
        local rel
        case $f in
            "$shared"/*) rel=shared/${f#"$shared"/} ;;
            *) rel=${f#"$root"/} ;;
        esac
        cp "$f" "$tmp/$h/$(printf '%s' "$rel" | tr '/' '_')"
    done
}
seed domain "$root"/examples/domains/*.xml "$root"/tests/golden/*/*.xml \
    "$root"/tests/golden/*/expected/*.xml "$root"/tests/bad-inputs/*/*.xml \
    "$root"/tests/libvirt-start/*.xml "$root"/tests/placement-checks/*/*.xml \
    "$root"/tests/fuzz/crashes/domain-*
seed host "$root"/tests/hosts/*.json "$root"/tests/hosts/*.xml \
    "$root"/examples/hosts/* "$root"/tests/fuzz/crashes/host-*
seed policy "$root"/tests/golden/*/policy.json \
    "$root"/tests/bad-inputs/*/policy.json "$root"/examples/policies/*.json \
    "$root"/tests/libvirt-start/policy.json \
    "$root"/tests/fuzz/crashes/policy-*
if [ -d "$shared" ]; then
    seed domain "$shared"/domains/*.xml
    seed host "$shared"/hosts-hwloc/*.xml "$shared"/hosts-caps/*.xml
fi
printf 'synthetic:pack:2 numa:1(memory=16GiB) l3:1 core:4 pu:2' > "$tmp/host/synthetic-1"
printf 'synthetic:numa:3 core:2 pu:1' > "$tmp/host/synthetic-2"
# a policy that names every rule and parameter
cat > "$tmp/policy/all-rules.json" <<'EOF'
{
  "$schema": "policy.schema.json",
  "comment": "every rule and parameter",
  "profile": "throughput",
  "reserved_cpus": "0-1,16-17",
  "hostdev": [
    {"class": "gpu", "count": 1, "affinity": "required"},
    {"class": "nvme"},
    {"class": "nic", "affinity": "legacy"},
    {"vf_of": "ens2f0", "count": 2, "affinity": "preferred"},
    {"address": "0000:65:00.0"}
  ],
  "rules": {
    "domain.check": true,
    "cpu.mode": {"override": true, "features": "+invtsc,-arch-capabilities"},
    "devices.virtio": {"enabled": true, "convert": true},
    "io.threads": {"max": 8},
    "hostdev.insert": {"affinity": "required"},
    "numa.place": {"memory_only_nodes": "use", "memory_mode": "preferred", "reserved_memory_mib": 1024},
    "cpu.pin": {"threads": "isolate", "override": true},
    "cpu.emulator": {"policy": "isolate"},
    "numa.guest": true,
    "mem.hugepages": {"use_1g": true, "use_2m": false},
    "mem.access": true,
    "mem.lock": {"override": false},
    "mem.balloon": {"stats_period": 5},
    "net.multiqueue": {"max_queues": 16, "ring_size": 256},
    "blk.multiqueue": {"max_queues": 2},
    "irq.budget": {"budget": 16},
    "disk.cache": {"io_uring": true},
    "cpu.topology": true,
    "cpu.cache": false,
    "clock.timers": false
  }
}
EOF
for h in domain host policy; do
    echo "fuzz: $h: $(find "$tmp/$h" -mindepth 1 -maxdepth 1 | wc -l) seed inputs"
done
[ -d "$shared" ] || echo "fuzz: no $shared: seeds from the repository only"

# ------------------------------------------------------------------ run
declare -A share=([domain]=$((total * 40 / 60)) [host]=$((total * 12 / 60)))
share[policy]=$((total - share[domain] - share[host]))
if [ -n "${FUZZ_ONLY:-}" ]; then      # the whole time, split evenly
    n=$(wc -w <<< "$harnesses")
    for h in $harnesses; do share[$h]=$((total / n)); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export FUZZ_POLICY_HOST=${FUZZ_POLICY_HOST:-$root/tests/hosts/sriov.json}
read -r -a extra <<< "${FUZZ_ARGS:-}"    # extra libFuzzer options, as words
status=0
summary=()
for h in $harnesses; do
    t=${share[$h]}
    [ "$t" -ge 1 ] || t=1
    out="$build/out/$h"
    rm -rf "$out"
    mkdir -p "$out/artifacts" "$build/corpus/$h"
    log="$out/fuzz.log"
    echo "fuzz: $h: running for $t s (log: $log)"
    # the first folder receives the new inputs and is kept between runs
    "$build/fuzz_$h" -max_total_time="$t" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -dict="$here/$h.dict" -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/" -seed="${FUZZ_SEED:-0}" "${extra[@]}" \
        "$build/corpus/$h" "$tmp/$h" > "$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    found=$(find "$out/artifacts" -maxdepth 1 -regextype egrep \
        -regex '.*/(crash|leak|timeout|oom)-[^/]*' | wc -l)
    line=$(printf '%-7s %4s s  %10s executions  cov %s  ft %s  corpus %s  findings %s' \
        "$h" "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found")
    summary+=("$line")
    if [ "$found" -gt 0 ] || [ $rc != 0 ]; then
        status=1
        echo "fuzz: $h: FOUND A PROBLEM (libFuzzer exit $rc); report follows"
        echo "-------- $h report --------"
        # from the first sanitizer, invariant or libFuzzer error to the end
        awk '/INVARIANT BROKEN|==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer|^ALARM|out-of-memory/ {p=1} p' "$log" | head -200
        echo "-------- end of $h report --------"
        for a in "$out"/artifacts/*; do
            [ -f "$a" ] || continue
            echo "fuzz: $h: input: $a"
            echo "fuzz: $h: reproduce: $build/fuzz_$h $a"
        done
        [ "$found" -gt 0 ] || echo "fuzz: $h: no input saved; see $log"
    fi
done
echo "fuzz summary (libFuzzer, ASan+UBSan; new inputs kept in $build/corpus):"
for l in "${summary[@]}"; do echo "  $l"; done
[ $status = 0 ] && echo "fuzz: nothing found" || echo "fuzz: FINDINGS: see above"
exit $status
