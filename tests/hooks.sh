#!/usr/bin/env bash
# hooks.sh VTUNE - the provisioning hooks of contrib/, called as their
# systems call them: vdsm's before_vm_start (the domain XML file named in
# $_hook_domxml, rewritten in place; exit 0, or 1 "failed, go on") and
# KubeVirt's onDefineDomain (sidecar-shim runs `onDefineDomain --vmi JSON
# --domain XML` and takes stdout). Each must fail closed: on an error the
# XML is left as it was, with the tool's message on stderr.
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
H=$here/hosts/two-node.json
dom=$root/examples/domains/db.xml
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 2
"$VT" --host "$H" "$dom" > want.xml
export VTUNE_XML="$VT" VTUNE_XML_OPTIONS="--host $H"

# vdsm: before_vm_start
vdsm=$root/contrib/vdsm/50_vtune_xml
cp "$dom" vm.xml
_hook_domxml=$t/vm.xml "$vdsm" 2> vdsm.err; rc=$?
check "vdsm: exit 0, the file tuned in place" sh -c "test $rc = 0 && cmp -s vm.xml want.xml && test ! -s vdsm.err"
printf '<domain type="kvm"><name>x</name><memory>1<memory>' > bad.xml; cp bad.xml bad-orig.xml
_hook_domxml=$t/bad.xml "$vdsm" 2> vdsm.err; rc=$?
check "vdsm: an error is exit 1 (other hooks go on), the file left as it was" sh -c "test $rc = 1 && cmp -s bad.xml bad-orig.xml"
check "vdsm: the tool's message in the log (stderr)" grep -q '^vtune-xml: .*bad.xml:1: not well-formed XML' vdsm.err
VTUNE_XML_FATAL=1 _hook_domxml=$t/bad.xml "$vdsm" 2> /dev/null; rc=$?
check "vdsm: VTUNE_XML_FATAL=1 makes it exit 2 (no further hooks)" test $rc = 2
env -u _hook_domxml "$vdsm" 2> vdsm.err; rc=$?
check "vdsm: no \$_hook_domxml: exit 1, says so" sh -c "test $rc = 1 && grep -q 'no domain XML' vdsm.err"
check "vdsm: leaves no temporary file beside the XML" sh -c "! ls -A | grep -q vtune-xml"

# KubeVirt: onDefineDomain through the sidecar-shim's calling convention
kv=$root/contrib/kubevirt/onDefineDomain
vmi='{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": {"name": "db01"}}'
"$kv" --vmi "$vmi" --domain "$(cat "$dom")" > kv.out 2> kv.err; rc=$?
check "kubevirt: exit 0, the tuned XML on stdout" sh -c "test $rc = 0 && cmp -s kv.out want.xml"
"$kv" --vmi "$vmi" --domain "$(cat bad.xml)" > kv.out 2> kv.err; rc=$?
check "kubevirt: an error is exit 0 with the XML it was given" sh -c "test $rc = 0 && test \"\$(cat kv.out)\" = \"\$(cat bad.xml)\""
check "kubevirt: the tool's message in the log (stderr)" grep -q 'onDefineDomain: vtune-xml: <stdin>:1: not well-formed XML' kv.err
VTUNE_XML=/nonexistent "$kv" --vmi "$vmi" --domain "$(cat "$dom")" > kv.out 2> /dev/null; rc=$?
check "kubevirt: vtune-xml missing: the XML unchanged, exit 0" sh -c "test $rc = 0 && test \"\$(cat kv.out)\" = \"\$(cat '$dom')\""
"$kv" --vmi "$vmi" > /dev/null 2> kv.err; rc=$?
check "kubevirt: no --domain: exit 1, says so" sh -c "test $rc = 1 && grep -q 'no --domain' kv.err"
if /usr/bin/python3 -c 'import yaml' 2> /dev/null; then
    check "kubevirt: configmap.yaml holds the script, byte for byte" /usr/bin/python3 -c "
import sys, yaml
d = yaml.safe_load(open('$root/contrib/kubevirt/configmap.yaml'))
sys.exit(0 if d['data']['onDefineDomain'] == open('$kv').read() else 1)"
    check "kubevirt: vmi.yaml names the ConfigMap's key as /usr/bin/onDefineDomain" /usr/bin/python3 -c "
import json, sys, yaml
v = yaml.safe_load(open('$root/contrib/kubevirt/vmi.yaml'))
s = json.loads(v['metadata']['annotations']['hooks.kubevirt.io/hookSidecars'])[0]
c = s['configMap']
sys.exit(0 if (c['name'], c['key'], c['hookPath']) == ('vtune-xml-hook', 'onDefineDomain', '/usr/bin/onDefineDomain') else 1)"
fi
finish
