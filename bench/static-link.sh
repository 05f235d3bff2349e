#!/usr/bin/env bash
# static-link.sh [BUILD] - what linking libxml2 statically would buy, as a
# table: the objects of an existing build (BUILD, default build/) linked
# a second time, with libxml2 and what it pulls in (ICU, zlib, liblzma,
# libstdc++) from Debian's static archives, hwloc and cJSON still shared.
# Both binaries run the same cases; median wall time of REPS runs
# (bench/lib.sh: hyperfine when installed, TIMER=date without it), and
# callgrind's instruction counts.
#   - start-up alone (--version)
#   - the large virt-install-like domain of bench/compare.sh, every rule
#     family (--profile latency), on a 2-CPU host and on the 384-CPU one
#     (both JSON snapshots)
#   - xmllint --noout of the same domain: libxml2's own tool, shared
#   - virt-xml --edit --cpu host-passthrough, when installed: the budget
#     of compare.sh's target 1a is a hundredth of it
# This is a measurement, not a build option: the project links its
# dependencies as shared libraries (see doc/performance.md, "Target 1a").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath "${1:-$here/../build}")
REPS=${REPS:-51}
CORPUS=${CORPUS:-$here/../../shared/corpus}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/lib.sh
. "$here/lib.sh"        # have, median_ms, instr, ratio
# shellcheck source=bench/domains.sh
. "$here/domains.sh"    # big_domain
main_o=$BUILD/CMakeFiles/vtune-xml.dir/compiler/main.c.o
libs=("$BUILD"/libvt_*.a)      # the layers (doc/design.md), in any order
for f in "$BUILD/vtune-xml" "${libs[0]}" "$main_o"; do
    [ -e "$f" ] || { echo "static-link.sh: $f missing: build first (cmake --build $BUILD)" >&2; exit 2; }
done

# libxml2's static link line from its pkg-config file, -lm left shared
xml_static=$(pkg-config --static --libs-only-l libxml-2.0 | tr ' ' '\n' | grep -vx -e -lm -e '' | tr '\n' ' ')
SHARED=$BUILD/vtune-xml
STATIC=$work/vtune-xml-static
# shellcheck disable=SC2086,SC2046   # word lists
cc -O2 -o "$STATIC" "$main_o" -Wl,--start-group "${libs[@]}" -Wl,--end-group \
    -Wl,--gc-sections \
    -Wl,-Bstatic $xml_static -lstdc++ -Wl,-Bdynamic -static-libgcc -lm \
    $(pkg-config --libs hwloc libcjson) -ldl

big_domain bigvm > "$work/big.xml"
"$SHARED" snapshot --host 'synthetic:pack:1 core:2 pu:1' > "$work/2.json"
real=$CORPUS/hosts-hwloc/192em64t-24n8c2t.xml
if [ -f "$real" ]; then
    "$SHARED" snapshot --host "$real" > "$work/384.json"
else
    "$SHARED" snapshot --host 'synthetic:pack:4 numa:6(memory=64GiB) core:8 pu:2' > "$work/384.json"
fi
vx=n/a
if have virt-xml; then
    vx=$(REPS=11 median_ms -i "$work/big.xml" virt-xml --connect test:///default --edit --cpu host-passthrough --print-xml)
fi
budget=$(awk -v v="$vx" 'BEGIN {if (v > 0) printf "%.2f", v / 100; else print "n/a"}')

echo "Linking libxml2 statically: $(date -u +%Y-%m-%d), $(nproc) CPUs, $REPS runs a median ($(timer))"
echo "shared: $SHARED ($(( $(stat -c %s "$SHARED") / 1024 )) KiB); static: libxml2, ICU, zlib, liblzma, libstdc++ from .a ($(( $(stat -c %s "$STATIC") / 1048576 )) MiB)"
echo "domain: bench/domains.sh big_domain ($(( $(wc -c < "$work/big.xml") / 1024 )) KB); virt-xml: $vx ms, so 100x is $budget ms"
echo
printf '| %-44s | %9s | %9s | %12s | %12s | %9s | %9s |\n' case "shared ms" "static ms" \
    "shared instr" "static instr" "x virt-xml" "static x"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" -----------  -----------  \
    --------------  --------------  -----------  -----------
row() { # row LABEL ARGS...: both binaries with ARGS
    local label=$1; shift
    local a b ia ib
    a=$(median_ms "$SHARED" "$@"); b=$(median_ms "$STATIC" "$@")
    ia=$(instr shared "$SHARED" "$@"); ib=$(instr static "$STATIC" "$@")
    printf '| %-44s | %9s | %9s | %12s | %12s | %8sx | %8sx |\n' "$label" "$a" "$b" "$ia" "$ib" \
        "$(ratio "$vx" "$a")" "$(ratio "$vx" "$b")"
}
row "start-up alone (--version)" --version
row "large domain, 2-CPU host" --host "$work/2.json" --profile latency "$work/big.xml"
row "large domain, 384-CPU host" --host "$work/384.json" --profile latency "$work/big.xml"
f=$(median_ms xmllint --noout "$work/big.xml")
printf '| %-44s | %9s | %9s | %12s | %12s | %8sx | %9s |\n' "floor: xmllint --noout, the domain alone" "$f" "" \
    "$(instr xmllint xmllint --noout "$work/big.xml")" "" "$(ratio "$vx" "$f")" ""
