#!/usr/bin/env bash
# ansible.sh VTUNE - the Ansible collection of contrib/ansible under the
# real ansible-core: tests/ansible/playbook.yml on localhost (the module's
# states, check mode, --diff, idempotence, the fleet role) against
# libvirt's test driver, then the fleet role in check mode. Skips (77)
# without ansible-playbook (Debian: ansible-core; .ci/run installs it).
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
command -v ansible-playbook > /dev/null || { echo "ansible-playbook missing (ansible-core): skipped"; exit 77; }
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
H=$here/hosts/two-node.json
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 2
for d in db web; do
    cp "$root/examples/domains/$d.xml" "$d.xml"
    cp "$d.xml" "orig-$d.xml"
    "$VT" --host "$H" "$d.xml" > "want-$d.xml"
done
printf '<domain type="kvm"><name>x</name><memory>1<memory>' > bad.xml
# a node of three domains, db tuned already
sed 's|<name>db01</name>|<name>db02</name>|; s|<uuid>.*</uuid>|<uuid>0d3308a9-8e83-402e-9127-fc136edfcf1c</uuid>|' "$root/examples/domains/db.xml" > db2.xml
{
    echo "<node><cpu><mhz>2600</mhz><model>x86_64</model><active>32</active>"
    echo "<nodes>2</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads>"
    echo "</cpu><memory>134217728</memory>"
    cat want-db.xml orig-web.xml db2.xml
    echo "</node>"
} | sed '/^<?xml/d' > node.xml
export ANSIBLE_COLLECTIONS_PATH=$root/contrib/ansible ANSIBLE_LOCALHOST_WARNING=false \
    ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=false \
    ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
vars=(-e "work=$t" -e "host=$H" -e "uri=test://$t/node.xml" -e "vt=$VT")
ansible-playbook -i localhost, -c local "${vars[@]}" "$here/ansible/playbook.yml" > play.log 2>&1; rc=$?
check "the playbook passes (states, check mode, --diff, idempotence, role)" test $rc = 0 || tail -30 play.log >&2
check "the playbook ran every assertion" sh -c "grep -q 'failed=0' play.log && grep -q 'ok=' play.log"
cp orig-db.xml db.xml; cp orig-web.xml web.xml
printf -- '- hosts: localhost\n  gather_facts: false\n  roles: [vtune.xml.fleet]\n' > role.yml
ansible-playbook -i localhost, -c local --check -e "vtune_xml_uri=test://$t/node.xml" \
    -e vtune_xml_take_snapshot=false -e "vtune_xml_host=$H" -e "vtune_xml_binary=$VT" role.yml > role.log 2>&1; rc=$?
check "the fleet role in check mode: passes, reports the apply as a change" sh -c "test $rc = 0 && grep -q 'changed=1' role.log"
finish
