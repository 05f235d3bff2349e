#!/usr/bin/env bash
# readme.sh VTUNE - every command line the README shows (its ``` blocks,
# lines that start with vtune-xml, build/vtune-xml or cat), run as
# written in a folder that has the files they name: host.json, in.xml,
# a.xml b.xml c.xml, gpu.json, policy.json. The one change: libvirt URIs
# become test:///default, libvirt's in-process driver (no daemon here;
# tests/libvirt-start.sh runs the real one). A --check line must exit 1
# (changes due), every other line 0.
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir "$t/bin" && ln -s "$VT" "$t/bin/vtune-xml"
cp "$here/hosts/two-node.json" "$t/host.json"
cp "$root/examples/domains/db.xml" "$t/in.xml"
cp "$root/examples/domains/db.xml" "$t/a.xml"
cp "$root/examples/domains/web.xml" "$t/b.xml"
cp "$root/examples/domains/win.xml" "$t/c.xml"
printf '{"hostdev": [{"class": "gpu"}]}\n' > "$t/gpu.json"
printf '{"profile": "latency"}\n' > "$t/policy.json"
printf '<topology version="2.0"/>\n' > "$t/lstopo.xml"   # a host XML among domains
n=0
while IFS= read -r line; do
    n=$((n + 1))
    cmd=${line%%  #*}
    cmd=${cmd//qemu:\/\/\/system/test:\/\/\/default}
    cmd=${cmd//virsh define/virsh -q -c test:\/\/\/default define}
    want=0
    [[ $cmd == *--check* ]] && want=1
    dir=$t
    [[ $cmd == build/* ]] && dir=$root
    cp "$root/examples/domains/db.xml" "$t/in.xml"   # -i rewrites it
    (cd "$dir" && PATH="$t/bin:$PATH" bash -c "$cmd" > "$t/out.$n" 2> "$t/err.$n"); rc=$?
    check "README: $cmd (exit $want)" test "$rc" = "$want" || sed 's/^/  /' "$t/err.$n" >&2
done < <(awk '/^```/ { f = !f; next } f' "$root/README.md" |
         grep -E '^(vtune-xml|build/vtune-xml|cat ) ')
check "README: its examples were found" test "$n" -ge 15
finish
