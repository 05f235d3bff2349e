#!/usr/bin/env bash
# fleet.sh VTUNE - the drift check of a connection's domains (--all) on
# libvirt's in-process test driver: a node file with five defined
# domains, two of them tuned already, on tests/hosts/two-node.json.
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
H=$here/hosts/two-node.json
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 2

# dom NAME UUID-DIGIT GIB VCPUS: a plain virt-install-like KVM domain
dom() {
    cat > "$1.xml" <<XML
<domain type='kvm'>
  <name>$1</name>
  <uuid>$2$2$2$2$2$2$2$2-$2$2$2$2-4$2$2$2-8$2$2$2-$2$2$2$2$2$2$2$2$2$2$2$2</uuid>
  <memory unit='GiB'>$3</memory>
  <vcpu>$4</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/$1.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
XML
}
dom alpha 1 4 4; dom bravo 2 8 4; dom charlie 3 2 2; dom delta 4 16 8; dom echo 5 4 2
# bravo and delta tuned before (together, as a fleet tunes its first)
"$VT" --host "$H" -o pre/ bravo.xml delta.xml
{
    echo "<node><cpu><mhz>2600</mhz><model>x86_64</model><active>32</active>"
    echo "<nodes>2</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads>"
    echo "</cpu><memory>134217728</memory>"
    cat alpha.xml pre/bravo.xml charlie.xml pre/delta.xml echo.xml
    echo "</node>"
} > node.xml
U="test://$t/node.xml"

"$VT" --host "$H" -c "$U" --all --check > check.out 2> check.err; rc=$?
check "--all --check: exit 1 (some drifted)" test $rc = 1
check "--all --check: a line per domain, by name" sh -c "test \$(wc -l < check.err) = 5"
check "--all --check: alpha, charlie, echo drifted" sh -c "grep -c '#alpha: drifted\|#charlie: drifted\|#echo: drifted' check.err | grep -qx 3"
check "--all --check: bravo and delta tuned" sh -c "grep -qx 'vtune-xml: $U#bravo: tuned' check.err && grep -qx 'vtune-xml: $U#delta: tuned' check.err"
check "--all --check: a diff for each drifted domain only" sh -c "test \$(grep -c '^+++ ' check.out) = 3 && ! grep -q '#bravo' check.out"
"$VT" --host "$H" -c "$U" --all --check -q > /dev/null 2> q.err
check "--all --check -q: no lines" test ! -s q.err
"$VT" --host "$H" -c "$U" --all --report json > r.json 2> /dev/null; rc=$?
check "--all --report json: exit 0, changed per domain" sh -c "test $rc = 0 && /usr/bin/python3 -c 'import json,sys; d=json.load(open(\"r.json\")); sys.exit(0 if [x[\"changed\"] for x in d[\"domains\"]] == [True, False, True, False, True] else 1)'"
"$VT" --host "$H" -c "$U" --all --report sarif > r.sarif 2> /dev/null
check "--all --report sarif: an artifact per domain, named URI#NAME" /usr/bin/python3 -c "
import json, sys
r = json.load(open('r.sarif'))['runs'][0]
uris = [a['location']['uri'] for a in r['artifacts']]
sys.exit(0 if uris == ['$U#' + n for n in ('alpha', 'bravo', 'charlie', 'delta', 'echo')] else 1)"
"$VT" --host "$H" -c "$U" --all --apply > apply.out 2> apply.err; rc=$?
check "--all --apply: exit 0" test $rc = 0
check "--all --apply: defines the three that drifted, nothing else" sh -c "test \$(grep -c '^defined ' apply.out) = 3 && grep -q '^defined alpha (11111111-' apply.out && ! grep -q 'defined bravo' apply.out"
check "--all --apply: a running domain is told it takes effect at next start" grep -q 'defined charlie .*; running: the new definition takes effect at its next start' apply.out
"$VT" --host "$H" -c "$U" --all --apply --dry-run > dry.out 2> dry.err; rc=$?
check "--all --apply --dry-run: would define the three, defines nothing" sh -c "test $rc = 0 && test \$(grep -c 'would define' dry.err) = 3 && ! grep -q '^defined' dry.out"
# the domains tuned as --all tunes them are all tuned: the fleet is stable
mkdir -p tuned
"$VT" --host "$H" -o tuned/ alpha.xml pre/bravo.xml charlie.xml pre/delta.xml echo.xml 2> /dev/null
{ echo "<node><cpu><mhz>2600</mhz><model>x86_64</model><active>32</active>"
  echo "<nodes>2</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads>"
  echo "</cpu><memory>134217728</memory>"; cat tuned/*.xml; echo "</node>"; } > tuned-node.xml
"$VT" --host "$H" -c "test://$t/tuned-node.xml" --all --check > /dev/null 2> stable.err; rc=$?
check "--all --check on a tuned fleet: exit 0, every domain tuned" sh -c "test $rc = 0 && test \$(grep -c ': tuned$' stable.err) = 5"
# usage
check "--all without -c: exit 2" sh -c "! '$VT' --all --check 2> u.err; test \$? = 0 && grep -q 'give the URI' u.err"
check "--all with a file: exit 2" sh -c "! '$VT' -c '$U' --all --check alpha.xml 2> /dev/null"
check "--all with -o: exit 2" sh -c "! '$VT' -c '$U' --all -o x/ 2> /dev/null && test ! -e x"
check "--all alone: exit 2, says what to give" sh -c "! '$VT' -c '$U' --all 2> u.err && grep -q 'give --check, --diff, --report FORMAT or --apply' u.err"
# a running domain's hugepages are missing from the measured free count:
# its tuned definition takes them over at its next start, not on top
dom golf 7 12 4
"$VT" --host "$H" --profile latency golf.xml > golf-tuned.xml
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["nodes"][0]["pages"][2]["free"] = 4      # golf runs there with 12
json.dump(d, open("golf-host.json", "w"))' "$H"
{ echo "<node><cpu><mhz>2600</mhz><model>x86_64</model><active>32</active>"
  echo "<nodes>2</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads>"
  echo "</cpu><memory>134217728</memory>"; cat golf-tuned.xml; echo "</node>"; } > golf-node.xml
"$VT" --host golf-host.json --profile latency -c "test://$t/golf-node.xml" --all --check > golf.out 2> golf.err; rc=$?
check "--all: a running hugepage domain, tuned, is tuned (its pages not counted twice)" sh -c "test $rc = 0 && grep -qx 'vtune-xml: test://$t/golf-node.xml#golf: tuned' golf.err"
# the same for a running domain no <numatune> binds (its pages came from
# the pools that lack them): no pages asked for that it already holds
cat > hotel.xml <<'XML'
<domain type='kvm'>
  <name>hotel</name>
  <memory unit='GiB'>12</memory>
  <vcpu>4</vcpu>
  <memoryBacking><hugepages><page size='1' unit='GiB'/></hugepages></memoryBacking>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>
XML
{ echo "<node><cpu><mhz>2600</mhz><model>x86_64</model><active>32</active>"
  echo "<nodes>2</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads>"
  echo "</cpu><memory>134217728</memory>"; cat hotel.xml; echo "</node>"; } > hotel-node.xml
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["nodes"]:
    n["pages"][2]["free"] = 4       # hotel holds 12 of one of them
json.dump(d, open("hotel-host.json", "w"))' "$H"
"$VT" --host hotel-host.json --profile latency -c "test://$t/hotel-node.xml" --all --report json > hotel.json 2> /dev/null
check "--all: a running unbound hugepage domain is placed with its own pages, nothing to reserve" /usr/bin/python3 -c '
import json, sys
d = json.load(open("hotel.json"))["domains"][0]
bad = [f for f in d["findings"] if f["severity"] == "infeasible"]
sys.exit(0 if not bad and not [a for a in d["host_actions"] if "nr_hugepages" in a] else 1)'
printf '<node><cpu><mhz>2600</mhz><model>x86_64</model><active>4</active><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>1</threads></cpu><memory>8388608</memory></node>\n' > empty.xml
"$VT" --host "$H" -c "test://$t/empty.xml" --all --check > /dev/null 2> e.err; rc=$?
check "--all on a connection without domains: exit 0, says so" sh -c "test $rc = 0 && grep -q 'no domain is defined there' e.err"
finish
