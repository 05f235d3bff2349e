#!/usr/bin/env bash
# fit.sh VTUNE - capacity planning (`vtune-xml fit`) against the tuning
# itself: on four hosts (two SMT nodes with hugepage pools, 24 nodes,
# small nodes, isolcpus) and two profiles, when fit says N copies fit,
# tuning N copies in one run passes --strict and N+1 copies do not.
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 2
cat > small.xml <<'XML'
<domain type='kvm'>
  <name>small</name>
  <memory unit='GiB'>2</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>
XML
cp "$root/examples/domains/web.xml" web.xml
# copies N FILE: copy-1.xml .. copy-N.xml of FILE, listed
copies() {
    local i
    rm -f copy-*.xml
    for ((i = 1; i <= $1; i++)); do cp "$2" "copy-$i.xml"; echo "copy-$i.xml"; done
}
n_of() {   # n_of JSON: the copies of the first scenario of the first host
    /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["hosts"][0]["scenarios"][0]["copies"])' "$1"
}
for host in two-node pools-mixed 24-node tiny-nodes isolcpus; do
    H=$here/hosts/$host.json
    for profile in balanced latency; do
        for d in small web; do
            "$VT" fit --host "$H" --profile "$profile" --report json "$d.xml" > fit.json 2> fit.err; rc=$?
            check "$host $profile $d: fit answers (exit 0)" test $rc = 0 || { cat fit.err >&2; continue; }
            n=$(n_of fit.json)
            if [ "$n" -gt 0 ]; then
                mapfile -t files < <(copies "$n" "$d.xml")
                "$VT" --host "$H" --profile "$profile" --strict --report json "${files[@]}" > /dev/null 2>&1; rc=$?
                check "$host $profile $d: $n copies tuned in one run pass --strict" test $rc = 0
            fi
            mapfile -t files < <(copies $((n + 1)) "$d.xml")
            "$VT" --host "$H" --profile "$profile" --strict --report json "${files[@]}" > /dev/null 2>&1; rc=$?
            check "$host $profile $d: $((n + 1)) copies do not (exit 5)" test $rc = 5
        done
    done
done
# the mix, in the proportions of the command line, and several hosts
H=$here/hosts/two-node.json
"$VT" fit --host "$H" --report json small.xml small.xml web.xml > mix.json
check "the mix: small twice for each web" /usr/bin/python3 -c '
import json, sys
s = json.load(open("mix.json"))["hosts"][0]["scenarios"]
mix = [x for x in s if len(x["domains"]) == 3][0]
p = mix["per_domain"]
sys.exit(0 if p["small.xml"] in (2 * p["web.xml"], 2 * p["web.xml"] + 1, 2 * p["web.xml"] + 2) and mix["limit"] else 1)'
"$VT" fit --host "$H" --host "$here/hosts/24-node.json" --report json small.xml > two.json
check "two hosts: each answered, and the total is their sum" /usr/bin/python3 -c '
import json, sys
d = json.load(open("two.json"))
a, b = (h["scenarios"][0]["copies"] for h in d["hosts"])
sys.exit(0 if len(d["hosts"]) == 2 and d["total"][0]["copies"] == a + b else 1)'
# memory no <numatune> binds (migratable does not place) is still the
# host's: 32 GiB copies on 64 GiB of ordinary memory, pools apart
"$VT" fit --host "$H" --profile migratable --report json "$root/examples/domains/db.xml" > mig.json
check "migratable: unbound memory is held to the host's (1 copy of 32 GiB, not 4096)" /usr/bin/python3 -c '
import json, sys
s = json.load(open("mig.json"))["hosts"][0]["scenarios"][0]
sys.exit(0 if s["copies"] == 1 and s["limit"]["finding"].startswith("host memory:") else 1)'
# and so is the memory of the connection's domains that no <numatune>
# binds: a 40 GiB one leaves no room for a 32 GiB copy (63 GiB ordinary)
sed -e 's/<name>small</<name>resident</' -e "s/'GiB'>2</'GiB'>40</" small.xml > resident.xml
{ echo "<node><cpu><mhz>2600</mhz><model>x86_64</model><active>32</active>"
  echo "<nodes>2</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads>"
  echo "</cpu><memory>134217728</memory>"; cat resident.xml; echo "</node>"; } > resident-node.xml
"$VT" fit --host "$H" -c "test://$t/resident-node.xml" --profile migratable --report json "$root/examples/domains/db.xml" > mig-c.json
check "fit -c: the connection's unbound memory counts (0 copies of 32 GiB beside 40 GiB)" /usr/bin/python3 -c '
import json, sys
s = json.load(open("mig-c.json"))["hosts"][0]["scenarios"][0]
sys.exit(0 if s["copies"] == 0 and s["limit"]["finding"].startswith("host memory:") else 1)'
# a domain of -c on hugepages no <numatune> binds takes them from the
# pools, not from the ordinary memory the copies use
sed -e 's/<name>small</<name>paged</' -e "s/'GiB'>2</'GiB'>16</" -e 's|<vcpu>|<memoryBacking><hugepages><page size="1" unit="GiB"/></hugepages></memoryBacking><vcpu>|' small.xml > paged.xml
{ echo "<node><cpu><mhz>2600</mhz><model>x86_64</model><active>32</active>"
  echo "<nodes>2</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads>"
  echo "</cpu><memory>134217728</memory>"; cat paged.xml; echo "</node>"; } > paged-node.xml
"$VT" fit --host "$H" --profile migratable --report json small.xml > alone.json
"$VT" fit --host "$H" -c "test://$t/paged-node.xml" --profile migratable --report json small.xml > paged.json
check "fit -c: unbound hugepages of the connection come from the pools (as many 2 GiB copies as alone)" test "$(n_of paged.json)" = "$(n_of alone.json)"
"$VT" fit --host "$H" --report json "$root/examples/domains/db.xml" > split.json
check "a copy split over nodes is counted as such (db: 32 GiB over two 31 GiB nodes)" /usr/bin/python3 -c '
import json, sys
s = json.load(open("split.json"))["hosts"][0]["scenarios"][0]
sys.exit(0 if s["copies"] == 1 and s["split"] == 1 else 1)'
"$VT" fit --host "$H" small.xml > fit.txt
check "text: the answer names the limit" grep -Eq '^  small.xml: [0-9]+ copies( \([0-9]+ of them split over host nodes\))?; copy [0-9]+ \(small.xml\) does not fit: ' fit.txt
check "text: a packing line per node" sh -c "test \$(grep -c '^    [0-9]' fit.txt) = 2"
check "fit without a domain: exit 2" sh -c "! '$VT' fit --host '$H' 2> /dev/null"
check "fit --report sarif: exit 2" sh -c "! '$VT' fit --host '$H' --report sarif small.xml 2> /dev/null"
finish
