#!/usr/bin/env bash
# cli.sh VTUNE - the command line as users run it: filters, atomic and
# in-place writes, several domains, --check, --explain, snapshots,
# --list-rules, determinism. Hosts come from tests/hosts.
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

"$VT" --host "$H" "$dom" > ref.xml
check "tunes the example" test -s ref.xml
check "the example changes" sh -c "! cmp -s '$dom' ref.xml"
"$VT" --host "$H" "$dom" > again.xml
check "deterministic" cmp -s ref.xml again.xml
check "--disable all is the identity" sh -c "'$VT' --host '$H' --disable all '$dom' | cmp -s - '$dom'"
check "stdin filter = file" sh -c "cat '$dom' | '$VT' --host '$H' - | cmp -s - ref.xml"
check "--explain: same XML on stdout" sh -c "'$VT' --host '$H' --explain '$dom' 2>why.txt | cmp -s - ref.xml"
check "--explain: reasons on stderr" grep -q "why: " why.txt
check "--report text names each rule" sh -c "'$VT' --host '$H' --report text '$dom' | grep -q 'cpu.topology'"

for d in "$root"/examples/domains/*.xml; do
    check "pipe into virsh define (test:///default): $(basename "$d")" sh -c \
        "'$VT' --host '$H' --profile latency '$d' | virsh -q -c test:///default define --validate /dev/stdin >/dev/null"
done

over=$here/golden/place-oversubscribed/in.xml
"$VT" --host "$H" --profile latency --strict "$over" > strict.xml 2> strict.err; rc=$?
check "--strict: exit 5 when a domain does not fit" test $rc = 5
check "--strict: says why on stderr" grep -q 'could not be satisfied' strict.err
check "--strict: no XML on stdout" test ! -s strict.xml
"$VT" --host "$H" --profile latency "$over" > /dev/null; rc=$?
check "without --strict the same run succeeds" test $rc = 0
check "--strict with -o writes nothing" sh -c "! '$VT' --host '$H' --profile latency --strict -o strict-out.xml '$over' 2>/dev/null && test ! -e strict-out.xml"

# --apply on libvirt's in-process test driver (no daemon)
"$VT" --host "$H" --profile latency -c test:///default --apply "$dom" > apply.out; rc=$?
check "--apply: exit 0" test $rc = 0
check "--apply: prints name and UUID" grep -qx 'defined db01 (5b0c8b5e-2f4d-4c57-9a8e-0d1e6f2a3b4c)' apply.out
"$VT" --host "$H" --profile latency -c test:///default --apply --dry-run "$dom" > dry.xml 2> dry.err; rc=$?
# (test:///default's own domain "test" floats over every CPU: the
# connection's domains count, so the same -c run is the reference)
"$VT" --host "$H" --profile latency -c test:///default "$dom" > latency.xml
check "--apply --dry-run: exit 0" test $rc = 0
check "--apply --dry-run: the XML it would define on stdout" cmp -s dry.xml latency.xml
check "--apply --dry-run: says what it would define" grep -q 'would define db01 on test:///default' dry.err
printf '<domain type="kvm"><name>bogus</name><memory>1024</memory><bogus/><os><type>hvm</type></os></domain>\n' > bogus.xml
"$VT" --host "$H" --no-validate --disable all -c test:///default --apply bogus.xml > /dev/null 2> bogus.err; rc=$?
check "--apply: libvirt's rejection is exit 6" test $rc = 6
check "--apply: libvirt's message, one line" sh -c "grep -q 'libvirt rejected the domain: .*bogus' bogus.err && test \$(wc -l < bogus.err) = 1"
"$VT" --host "$H" --validate bogus.xml > /dev/null 2> bogus.err; rc=$?
check "--validate: an input libvirt's schema refuses is exit 3" test $rc = 3
"$VT" --host "$H" --validate=output bogus.xml > /dev/null 2> bogus.err; rc=$?
check "--validate=output: the input's own errors are not the tool's (exit 0)" test $rc = 0
"$VT" --host "$H" --validate=input "$dom" > /dev/null 2> bad-mode.err; rc=$?
check "--validate=input: usage error (exit 2)" test $rc = 2
check "--validate=input: says what is expected" grep -q 'expected all or output' bad-mode.err
VTUNE_XML_SCHEMA=$here/schemas/no-cache.rng "$VT" --host "$H" -o unchecked.xml "$dom"; rc=$?
check "no schema check by default (exit 0 under a schema the output breaks)" test $rc = 0 -a -s unchecked.xml
VTUNE_XML_SCHEMA=$here/schemas/no-cache.rng "$VT" --host "$H" --validate=output -o broken.xml "$dom" 2> broken.err; rc=$?
check "a rule that breaks the schema is an internal error (70)" test $rc = 70
check "the internal error names the rule" grep -q 'the edits of rule cpu.cache broke it' broken.err
check "the internal error writes nothing" test ! -e broken.xml
VTUNE_XML_SCHEMA=/nonexistent.rng "$VT" --host "$H" --validate=output "$dom" > /dev/null 2> noschema.err; rc=$?
check "--validate without a schema to load: exit 2" test $rc = 2
check "--validate without a schema: names it" grep -q 'cannot read the schema VTUNE_XML_SCHEMA=/nonexistent.rng' noschema.err
VTUNE_XML_SCHEMA=/nonexistent.rng "$VT" --host "$H" --validate --disable all "$dom" > /dev/null 2>&1; rc=$?
check "--validate without a schema, nothing changed: still exit 2" test $rc = 2
# an output with elements newer than the installed libvirt: the old
# schema's verdict, named as such (exit 2), not a rule's fault (70)
pd=$here/golden/io-iothreads-per-disk
"$VT" --host "$here/hosts/nvme-node1.json" --profile throughput --set io.threads.per_disk=2 \
    --validate=output -o pd.xml "$pd/in.xml" > /dev/null 2> pd.err; rc=$?
if pkg-config --atleast-version=10.0 libvirt; then
    check "--validate=output: per-disk iothreads valid on libvirt >= 10.0" test $rc = 0
else
    check "--validate=output: elements newer than the installed libvirt are exit 2" test $rc = 2
    check "--validate=output: names the element and both versions" \
        grep -q 'it uses <disk><driver><iothreads> (libvirt 10.0.0), and the installed libvirt is 9\..*per_disk=1' pd.err
    check "--validate=output: newer elements write nothing" test ! -e pd.xml
fi

# review formats
"$VT" --host "$H" --report markdown "$dom" > pr.md
check "--report markdown: a table of changes" grep -q '^| rule | where | was | now | why |$' pr.md
edits=$("$VT" --host "$H" --report json "$dom" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["domains"][0]["edits"]))')
check "--report markdown: one row per edit ($edits)" test "$(grep -c '^| `' pr.md)" = "$edits"
"$VT" --host "$here/hosts/nopools.json" --profile latency --report sarif "$dom" > scan.sarif
check "--report sarif: SARIF 2.1.0 with results on lines" /usr/bin/python3 - scan.sarif <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
run = d["runs"][0]
ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
assert run["results"], "no results"
for r in run["results"]:
    assert r["ruleId"] in ids, r["ruleId"]
    assert r["level"] in ("note", "warning", "error")
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("db.xml")
    assert loc["region"]["startLine"] >= 1
PY
check "--color always: ANSI colors in the diff" sh -c "'$VT' --host '$H' --color always --diff '$dom' | grep -q \"\$(printf '\\033')\\[32m+\""
check "--color auto: plain into a pipe" sh -c "! '$VT' --host '$H' --diff '$dom' | grep -q \"\$(printf '\\033')\""
# on a terminal (script(1) gives the rationale of --explain one): auto
# colors it, NO_COLOR turns that off
tty_explain() { script -qec "'$VT' --host '$H' --explain '$dom' > /dev/null" /dev/null; }
esc=$(printf '\033')
tty_explain > tty.out
check "--color auto: colors a terminal" grep -q "$esc" tty.out
NO_COLOR=1 tty_explain > tty.out
check "NO_COLOR: plain on a terminal" sh -c "! grep -q '$esc' tty.out"

cp "$dom" db.xml
"$VT" --host "$H" --check db.xml > check.diff; rc=$?
check "--check: exit 1 when changes are due" test $rc = 1
check "--check: prints the diff" grep -q '^+++ b/db.xml' check.diff
"$VT" --host "$H" --check ref.xml > /dev/null; rc=$?
check "--check: exit 0 when tuned" test $rc = 0

check "-o writes the XML" sh -c "'$VT' --host '$H' -o out.xml db.xml && cmp -s out.xml ref.xml"
check "-o leaves no temporary file" test -z "$(find . -maxdepth 1 -name '.out*')"
cp "$dom" inplace.xml; chmod 640 inplace.xml
check "-i rewrites in place" sh -c "'$VT' --host '$H' -i inplace.xml && cmp -s inplace.xml ref.xml"
check "-i keeps the file mode" test "$(stat -c %a inplace.xml)" = 640
cp "$dom" target.xml; ln -s target.xml link.xml
check "-i through a symlink" sh -c "'$VT' --host '$H' -i link.xml && test -L link.xml && cmp -s target.xml ref.xml"

mkdir outdir; cp "$dom" a.xml; cp "$root/examples/domains/web.xml" b.xml
check "-o DIR/ with two domains" sh -c "'$VT' --host '$H' -o outdir/ a.xml b.xml && cmp -s outdir/a.xml ref.xml && test -s outdir/b.xml"
check "--diff over two domains" sh -c "'$VT' --host '$H' --diff a.xml b.xml | grep -c '^+++ b/' | grep -qx 2"

check "--enable after --disable all" sh -c "'$VT' --host '$H' --disable all --enable cpu.cache --report json '$dom' | grep -q '\"edits\": \\[\\]'"
check "--set reaches the rule" sh -c "'$VT' --host '$H' --set cpu.mode.features=-arch-capabilities '$dom' | grep -q \"name=\\\"arch-capabilities\\\"\""

for id in cpu.mode numa.place cpu.pin cpu.emulator numa.guest cpu.topology cpu.cache clock.timers; do
    check "--list-rules lists $id" sh -c "'$VT' --list-rules | grep -q '^$id '"
done
check "--version" sh -c "'$VT' --version | grep -q '^vtune-xml [0-9]'"
check "--help fits one screen (50 lines)" sh -c "test \$('$VT' --help | wc -l) -le 50"

"$VT" snapshot --host "$H" > snap1.json
"$VT" snapshot --host snap1.json > snap2.json
check "snapshot of a snapshot is identical" cmp -s snap1.json snap2.json
"$VT" snapshot --host "synthetic:pack:2 numa:1 core:4 pu:2" > syn.json
check "synthetic host to snapshot" grep -q '"nodes"' syn.json
for f in snap1.json syn.json; do
    check "$f follows schemas/host.schema.json" /usr/bin/python3 "$here/lib/validate_json.py" "$root/schemas/host.schema.json" "$f"
done
"$VT" --list-rules=json > rules.json
check "--list-rules=json is JSON" /usr/bin/python3 -m json.tool rules.json > /dev/null
check "tuning with a snapshot = with its source" sh -c "'$VT' --host snap1.json '$dom' | cmp -s - ref.xml"

# --- the command line as people expect it (issue 15)
# -o DIR/ is created, only when the run succeeds
check "-o new/dir/: created" sh -c "'$VT' --host '$H' -o made/here/ a.xml b.xml && test -s made/here/a.xml && test -s made/here/b.xml"
printf 'garbage<' > bad.xml
check "-o new/dir/: not created when the run fails" sh -c "! '$VT' --host '$H' -o notmade/ a.xml bad.xml 2>/dev/null && test ! -e notmade"
# diff paths as git writes them
"$VT" --host "$H" --diff "$t/a.xml" > abs.diff
check "--diff of an absolute path: a/ + the path without its /" grep -qx -- "--- a/${t#/}/a.xml" abs.diff
check "--diff of an absolute path: patch -p1 from / takes it" sh -c "cd / && patch --dry-run -p1 < '$t/abs.diff' >/dev/null"
nl="$(printf 'new\nline.xml')"
cp "$dom" "$nl"
"$VT" --host "$H" --diff "$nl" > nl.diff
check "--diff of a name with a newline: C-quoted as git does" grep -qx -- '--- "a/new\\nline.xml"' nl.diff
check "--diff of a name with a newline: git apply takes it" sh -c "rm -rf g && mkdir g && cp '$nl' g/ && cd g && git init -q && git apply --check ../nl.diff"
# --check and --strict say why a domain was not tuned
"$VT" --host "$H" --profile latency --check "$over" > over.diff 2> over.err; rc=$?
check "--check: a domain that does not fit still exits by its diff (1)" test $rc = 1
check "--check: names the finding that kept it from being tuned" grep -q "^vtune-xml: .*in.xml:[0-9]*: not tuned as asked: numa.place: " over.err
"$VT" --host "$H" --profile latency --check -q "$over" > /dev/null 2> quiet.err
check "-q: no notes" test ! -s quiet.err
"$VT" --host "$H" --profile latency --strict --diff "$over" > strict.diff 2> strict.err; rc=$?
check "--strict --diff: exit 5" test $rc = 5
check "--strict --diff: the diff is still printed" grep -q '^+++ b/' strict.diff
check "--strict: names each unsatisfied finding" grep -q -- "--strict: numa.place: " strict.err
# a batch goes on past a file it cannot take when nothing is written
"$VT" --host "$H" --check bad.xml a.xml > batch.diff 2> batch.err; rc=$?
check "--check batch with a malformed file: exit 3" test $rc = 3
check "--check batch: the other file's diff is printed" grep -q '^+++ b/a.xml' batch.diff
check "--check batch: the malformed file is named" grep -q '^vtune-xml: bad.xml:1: not well-formed' batch.err
"$VT" --host "$H" --report json bad.xml a.xml > batch.json 2>/dev/null; rc=$?
check "--report json batch: exit 3" test $rc = 3
check "--report json batch: valid report with the error" /usr/bin/python3 - batch.json "$root/schemas/report.schema.json" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[2].rsplit("/schemas/", 1)[0] + "/tests/lib")
d = json.load(open(sys.argv[1]))
bad, good = d["domains"]
assert bad["error"]["exit_code"] == 3 and bad["error"]["line"] == 1, bad
assert good["edits"], good
PY
check "-o with a malformed file: nothing written" sh -c "! '$VT' --host '$H' -o out2/ a.xml bad.xml 2>/dev/null && test ! -e out2"
# --skip-non-domain: pre-commit feeds every XML file
printf '<topology version="2.0"/>\n' > topo.xml
"$VT" --host "$H" --check topo.xml ref.xml > /dev/null 2>&1; rc=$?
check "a host topology among domains: exit 3" test $rc = 3
"$VT" --host "$H" --check --skip-non-domain topo.xml ref.xml > /dev/null 2> skip.err; rc=$?
check "--skip-non-domain: passed over (exit 0)" test $rc = 0
check "--skip-non-domain: a note names it" grep -q '^vtune-xml: topo.xml: skipped: its root element is <topology>' skip.err
cp topo.xml topo-keep.xml
check "--skip-non-domain -i: the skipped file is left byte for byte" sh -c "'$VT' --host '$H' -q -i --skip-non-domain topo.xml a.xml && cmp -s topo.xml topo-keep.xml"
mkdir -p skipdir
check "--skip-non-domain -o DIR/: no file for the skipped one" sh -c "'$VT' --host '$H' -q -o skipdir/ --skip-non-domain topo.xml b.xml && test ! -e skipdir/topo.xml && test -s skipdir/b.xml"
check "--skip-non-domain -q: no note" sh -c "'$VT' --host '$H' --check -q --skip-non-domain topo.xml ref.xml 2>&1 >/dev/null | { ! grep -q .; }"
# --list-rules [FORMAT|RULE], explain, suggestions
"$VT" --list-rules json > lr.json
check "--list-rules json (a space): JSON" /usr/bin/python3 -m json.tool lr.json > /dev/null
check "--list-rules cpu.pin: that rule only" sh -c "'$VT' --list-rules cpu.pin | grep -c '^[a-z][a-z.]* ' | grep -qx 1"
check "--list-rules cpu: the family" sh -c "'$VT' --list-rules json cpu | grep -c '\"id\": \"cpu\.' | grep -qx \$('$VT' --list-rules | grep -c '^cpu\.')"
"$VT" --list-rules cpu.pinn > /dev/null 2> lr.err; rc=$?
check "--list-rules cpu.pinn: exit 2 with a suggestion" sh -c "test $rc = 2 && grep -q \"did you mean 'cpu.pin'\" lr.err"
"$VT" explain cpu.pin > explain.txt; rc=$?
check "explain RULE: exit 0" test $rc = 0
check "explain RULE: the description, parameters and reference" sh -c "grep -q '^cpu.pin - ' explain.txt && grep -q 'threads = prefer' explain.txt && grep -q '^Reference: https://' explain.txt"
"$VT" --host "$H" --explain cpu.pin > /dev/null 2> rule-as-file.err; rc=$?
check "--explain cpu.pin: a usage error (2), not a missing domain" test $rc = 2
check "--explain cpu.pin: points to explain" grep -q 'vtune-xml explain cpu.pin' rule-as-file.err
"$VT" --host "$H" --disable cpu.pinn "$dom" > /dev/null 2> sug.err; rc=$?
check "--disable cpu.pinn: exit 2 and a suggestion" sh -c "test $rc = 2 && grep -q \"did you mean 'cpu.pin'\" sug.err"
"$VT" --host "$H" --set cpu.pin.thread=prefer "$dom" > /dev/null 2> sug.err
check "--set cpu.pin.thread: suggests threads" grep -q "did you mean 'threads'" sug.err
"$VT" --host "$H" --chek "$dom" > /dev/null 2> sug.err; rc=$?
check "--chek: exit 2, did you mean --check" sh -c "test $rc = 2 && grep -q \"did you mean '--check'\" sug.err"
"$VT" snapshot --host "$H" --profile latency > /dev/null 2> snap.err; rc=$?
check "snapshot --profile: refused (exit 2)" sh -c "test $rc = 2 && grep -q 'snapshot does not take --profile' snap.err"
check "snapshot -q -o: its own options" sh -c "'$VT' snapshot --host '$H' -q -o s.json && test -s s.json"
# --help lists every option; --validate errors carry FILE:LINE
for o in --output --connect --validate --no-validate --list-rules --quiet --skip-non-domain --no-config; do
    check "--help lists $o" sh -c "'$VT' --help | grep -q -- '$o'"
done
printf '<domain type="kvm">\n  <name>x</name>\n  <memory>1024</memory>\n  <bogus/>\n  <os><type>hvm</type></os>\n</domain>\n' > bogus2.xml
"$VT" --host "$H" --validate bogus2.xml > /dev/null 2> v.err
check "--validate: FILE:LINE: message" grep -q '^vtune-xml: bogus2.xml:4: not valid against' v.err
# .vtune-xml.json, found from the domain's folder upwards
mkdir -p repo/vms/prod && (cd repo && git init -q) && cp "$dom" repo/vms/prod/db.xml
printf '{"profile": "latency"}\n' > repo/.vtune-xml.json
printf '{"profile": "bogus"}\n' > .vtune-xml.json
"$VT" --host "$H" --report json repo/vms/prod/db.xml > cfg.json
check ".vtune-xml.json: found above the domain, up to the repository" grep -q '"profile": "latency"' cfg.json
check ".vtune-xml.json: the report names it" grep -q "\"policy\": \"$t/repo/.vtune-xml.json\"" cfg.json
check "--no-config: not read" sh -c "'$VT' --host '$H' --no-config --report json repo/vms/prod/db.xml | grep -q '\"profile\": \"balanced\"'"
check "--policy wins over .vtune-xml.json" sh -c "'$VT' --host '$H' --policy '$here/golden/web-override-policy/policy.json' --report json repo/vms/prod/db.xml | grep -q '\"policy\": \"$here/golden/web-override-policy/policy.json\"'"
rm .vtune-xml.json
# --apply --dry-run asks libvirt: its schema, and domcapabilities where
# the driver gives them (the test driver does not; tests/libvirt-start.sh
# runs the real QEMU driver)
"$VT" --host "$H" -c test:///default --apply --dry-run bogus2.xml > dry2.xml 2> dry2.err; rc=$?
check "--dry-run: what libvirt's schema refuses is exit 6" test $rc = 6
check "--dry-run: says libvirt would refuse it" grep -q 'libvirt would refuse it' dry2.err
check "--dry-run: no XML when libvirt would refuse" test ! -s dry2.xml
check "--dry-run -o: nothing written when libvirt would refuse" sh -c "! '$VT' --host '$H' -c test:///default --apply --dry-run -o dry-out/ bogus2.xml 2>/dev/null && test ! -e dry-out"
# a batch with an input libvirt's schema refuses, under --validate
cp "$dom" fresh.xml
"$VT" --host "$H" --validate --report json bogus2.xml fresh.xml > vb.json 2> vb.err; rc=$?
check "--validate batch: exit 3" test $rc = 3
check "--validate batch: the other file is still reported" /usr/bin/python3 -c '
import json, sys
bad, good = json.load(open(sys.argv[1]))["domains"]
assert bad["error"]["exit_code"] == 3 and bad["error"]["line"] == 4 and not bad["edits"], bad
assert good["edits"], good' vb.json
# -o DIR/ keeps base names: two inputs of one name are refused
mkdir -p c1 c2 && cp "$dom" c1/dom.xml && cp "$root/examples/domains/web.xml" c2/dom.xml
"$VT" --host "$H" -o coll/ c1/dom.xml c2/dom.xml > /dev/null 2> coll.err; rc=$?
check "-o DIR/ with two inputs of one base name: exit 2" test $rc = 2
check "-o DIR/ with two inputs of one base name: nothing written" test ! -e coll
# names git writes with a TAB, and paths that climb out with ..
cp "$dom" "my dom.xml"
"$VT" --host "$H" --diff "my dom.xml" > sp.diff
check "--diff of a name with a space: patch -p1 takes it" patch --dry-run -p1 -i sp.diff > /dev/null
mkdir -p deep && (cd deep && "$VT" --host "$H" --diff ../fresh.xml > ../up.diff)
check "--diff ../fresh.xml: an absolute name" grep -qx -- "--- a/${t#/}/fresh.xml" up.diff
check "snapshot after options: a command comes first (exit 2)" sh -c "! '$VT' --host '$H' snapshot 2> cmd.err && grep -q 'a command comes first' cmd.err"
# a libvirt daemon without CAP_SYS_RESOURCE gives QEMU at most its own
# hard memlock limit: enough, or not, for a VFIO domain
for lim in 67108864:0 4194304:1; do
    /usr/bin/python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))
h["memlock_raisable"] = False
h["memlock_max_kib"] = int(sys.argv[2])
json.dump(h, open(sys.argv[3], "w"))' "$H" "${lim%:*}" lim.json
    cat > vfio.xml <<'XML'
<domain type="kvm"><name>v</name><memory unit="GiB">8</memory><vcpu>2</vcpu>
<os><type arch="x86_64" machine="q35">hvm</type></os><devices>
<hostdev mode="subsystem" type="pci" managed="yes"><source><address domain="0x0000" bus="0x65" slot="0x00" function="0x0"/></source></hostdev>
</devices></domain>
XML
    "$VT" --host lim.json --strict vfio.xml > /dev/null 2>&1; rc=$?
    if [ "${lim#*:}" = 0 ]; then
        check "memlock_max_kib 64 GiB: an 8 GiB VFIO domain starts (exit 0)" test $rc = 0
    else
        check "memlock_max_kib 4 GiB: an 8 GiB VFIO domain cannot (--strict: 5)" test $rc = 5
    fi
done
check "memlock_max_kib follows schemas/host.schema.json" /usr/bin/python3 "$here/lib/validate_json.py" "$root/schemas/host.schema.json" lim.json
# realtime on a host too small for it: no FIFO vCPU, so no throttling advice
"$VT" --host "$here/hosts/small.json" --profile realtime --report text "$dom" > rt-small.txt
check "realtime without FIFO vCPUs: says why" grep -q 'no realtime scheduler' rt-small.txt
check "realtime without FIFO vCPUs: no RT throttling advice" sh -c "! grep -q 'sched_rt_runtime_us' rt-small.txt"
# one writer for stdout: a full disk, a closed stdout or a file size
# limit is one line and exit 2, for every command and format
for c in "--report json" "--report sarif" "--report text" "--report markdown" "--report codequality" "--check" "--diff" "--explain" ""; do
    # shellcheck disable=SC2086  # the words of $c are options
    "$VT" --host "$H" $c "$dom" > /dev/full 2> full.err; rc=$?
    # (--explain's rationale is on stderr too: the error is its one line)
    check "stdout /dev/full (${c:-XML}): exit 2, one error line" sh -c "test $rc = 2 && test \$(grep -c '^vtune-xml: ' full.err) = 1 && grep -q '^vtune-xml: stdout: cannot write: No space left on device' full.err"
done
for c in "--list-rules" "--list-rules json" "--help" "--version" "explain cpu.pin" "snapshot --host $H"; do
    # shellcheck disable=SC2086
    "$VT" $c > /dev/full 2> full.err; rc=$?
    check "stdout /dev/full ($c): exit 2" sh -c "test $rc = 2 && grep -q 'stdout: cannot write' full.err"
done
"$VT" --host "$H" --report json "$dom" >&- 2> closed.err; rc=$?
check "stdout closed (>&-): exit 2, named" sh -c "test $rc = 2 && grep -q 'stdout: cannot write: Bad file descriptor' closed.err"
"$VT" --host "$H" -o closed-ok.xml "$dom" >&- 2> closed.err; rc=$?
check "stdout closed, nothing to write there: exit 0" sh -c "test $rc = 0 && test -s closed-ok.xml && test ! -s closed.err"
(ulimit -f 4; "$VT" --host "$H" --report json "$dom" > limited.json 2> limited.err); rc=$?
check "ulimit -f 4 on a 4 KiB+ report: exit 2" sh -c "test $rc = 2 && grep -q 'stdout: cannot write: File too large' limited.err"
# --check and --diff only show: with -i or -o they are a usage error
cp "$dom" only-check.xml
"$VT" --host "$H" --check -i only-check.xml > /dev/null 2> oc.err; rc=$?
check "--check -i: exit 2" test $rc = 2
check "--check -i: the file is left as it was" cmp -s only-check.xml "$dom"
check "--diff -o: exit 2" sh -c "! '$VT' --host '$H' --diff -o x-out.xml only-check.xml 2>/dev/null && test ! -e x-out.xml"
# one file named twice, and an output that would replace an input
cp "$dom" twice.xml
check "-i x.xml ./x.xml: exit 2, the file untouched" sh -c "! '$VT' --host '$H' -i twice.xml ./twice.xml 2> tw.err && grep -q 'is the same file as twice.xml' tw.err && cmp -s twice.xml '$dom'"
ln -f twice.xml twice-link.xml
check "a hard link to an input: the same file" sh -c "! '$VT' --host '$H' --check twice.xml twice-link.xml 2>/dev/null"
check "-o x.xml x.xml: exit 2, the input untouched" sh -c "! '$VT' --host '$H' -o twice.xml twice.xml 2>/dev/null && cmp -s twice.xml '$dom'"
check "-o . over the input's folder: exit 2" sh -c "! '$VT' --host '$H' -o . twice.xml 2> dot.err && grep -q 'would replace the input' dot.err && cmp -s twice.xml '$dom'"
check "-c '': exit 4, says the URI is empty" sh -c "! '$VT' -c '' '$dom' 2> u.err && test \$? && grep -q 'an empty URI' u.err"
"$VT" -c bogus://x "$dom" > /dev/null 2> u.err; rc=$?
check "-c bogus://x: exit 4, names the driver, not a certificate" sh -c "test $rc = 4 && grep -q \"unknown libvirt driver 'bogus'\" u.err"
# outputs are all or nothing: staged first, renamed at the end
mkdir -p st/in st/out
for i in $(seq -w 1 40); do sed "s|<name>db01</name>|<name>d$i</name>|" "$dom" > "st/in/d$i.xml"; done
if command -v strace > /dev/null; then
    # (LeakSanitizer cannot run under ptrace: leaks are checked elsewhere)
    # a SIGTERM at the third fsync: while staging, nothing is in place
    (cd st && ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e inject=fsync:signal=TERM:when=3 "$VT" --host "$H" -o out/ in/*.xml 2>/dev/null); rc=$?
    check "SIGTERM while staging: exit 143" test $rc = 143
    check "SIGTERM while staging: no output, no temporary file" test -z "$(ls -A st/out)"
    # a SIGTERM at the third rename: held until the last, all in place
    (cd st && ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e inject=rename:signal=TERM:when=3 "$VT" --host "$H" -o out/ in/*.xml 2>/dev/null); rc=$?
    check "SIGTERM while renaming: exit 143" test $rc = 143
    check "SIGTERM while renaming: all 40 outputs, no temporary file" sh -c "test \$(ls -A st/out | wc -l) = 40 && ! ls -A st/out | grep -q vtune-xml"
    # a write failure on the second file: the first is not rewritten
    cp "$dom" st/a.xml; cp "$dom" st/b.xml
    (cd st && ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e inject=fsync:error=EIO:when=2 "$VT" --host "$H" -i a.xml b.xml 2>/dev/null); rc=$?
    check "-i a.xml b.xml, b.xml failing: exit 2" test $rc = 2
    check "-i a.xml b.xml, b.xml failing: a.xml left as it was" cmp -s st/a.xml "$dom"
    check "-i a.xml b.xml, b.xml failing: no temporary file" sh -c "! ls -A st | grep -q vtune-xml"
fi
# a rename that fails (an immutable target) undoes the renames before it:
# a replaced file back (a hard link sees its old content again), a new
# one removed, an input untouched
mkdir -p imm/o && cp "$dom" imm/a.xml && sed 's|<name>db01</name>|<name>db02</name>|' "$dom" > imm/b.xml
touch imm/o/b.xml
if chattr +i imm/o/b.xml 2> /dev/null; then
    "$VT" --host "$H" -o imm/o/ imm/a.xml imm/b.xml 2> imm.err; rc=$?
    check "-o DIR/, the second target immutable: exit 2, no first output" sh -c "test $rc = 2 && test ! -e imm/o/a.xml && grep -q 'left as they were' imm.err"
    echo old > imm/o/a.xml; ln imm/o/a.xml imm/a-link.xml
    "$VT" --host "$H" -o imm/o/ imm/a.xml imm/b.xml 2> /dev/null
    check "-o DIR/, the second target immutable: the first's old content back" sh -c "test \"\$(cat imm/o/a.xml)\" = old && test \"\$(cat imm/a-link.xml)\" = old"
    chattr -i imm/o/b.xml
    cp imm/b.xml imm/o/b.xml; cp "$dom" imm/o/a.xml; chattr +i imm/o/b.xml
    "$VT" --host "$H" -i imm/o/a.xml imm/o/b.xml 2> /dev/null; rc=$?
    check "-i a.xml b.xml, b.xml immutable: exit 2, a.xml as it was, no backup left" sh -c "test $rc = 2 && cmp -s imm/o/a.xml '$dom' && ! ls -A imm/o | grep -q vtune-xml"
    chattr -i imm/o/b.xml
fi
# -i keeps the file whole: owner, group, mode, extended attributes, links
cp "$dom" own.xml; chmod 640 own.xml
/usr/bin/python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.vtune", b"kept")' own.xml 2>/dev/null && xattr=1 || xattr=0
[ "$(id -u)" = 0 ] && chown 1234:4321 own.xml
ln -f own.xml own-link.xml
"$VT" --host "$H" -i own.xml
check "-i: the content is tuned" cmp -s own.xml ref.xml
[ "$(id -u)" = 0 ] && check "-i: owner and group kept" test "$(stat -c %u:%g own.xml)" = 1234:4321
check "-i: mode kept" test "$(stat -c %a own.xml)" = 640
[ "$xattr" = 1 ] && check "-i: extended attributes kept" /usr/bin/python3 -c 'import os, sys; assert os.getxattr(sys.argv[1], "user.vtune") == b"kept"' own.xml
check "-i: a hard link sees the new content (same inode)" cmp -s own.xml own-link.xml
# set-id bits stay only with their owner: a user rewriting root's 6755
# file (in a folder it may write, with --force) gets a file of its own
# without them
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1 && command -v runuser > /dev/null; then
    sd=$(mktemp -d) && chmod 755 "$sd" && mkdir -m 777 "$sd/suid"
    cp "$dom" "$sd/suid/s.xml" && chmod 6755 "$sd/suid/s.xml"
    cp "$H" "$sd/suid/h.json" && chmod 644 "$sd/suid/h.json"
    check "-i on a file this user may not write: refused" sh -c "! runuser -u nobody -- '$VT' --host '$sd/suid/h.json' -i '$sd/suid/s.xml' 2>/dev/null && cmp -s '$sd/suid/s.xml' '$dom'"
    runuser -u nobody -- "$VT" --host "$sd/suid/h.json" --force -i "$sd/suid/s.xml"
    check "-i by another user: set-id bits dropped with the owner" test "$(stat -c %a "$sd/suid/s.xml")" = 755
    rm -rf "$sd"
fi
# --apply: names and UUIDs distinct within the run, defines before writes
cp "$dom" ap1.xml; cp "$dom" ap2.xml
"$VT" --host "$H" -c test:///default --apply -o apdir/ ap1.xml ap2.xml > /dev/null 2> ap.err; rc=$?
check "--apply, two domains of one name: exit 2" test $rc = 2
check "--apply, two domains of one name: named" grep -q "defines domain 'db01', as ap1.xml does" ap.err
check "--apply, two domains of one name: nothing written" test ! -e apdir
sed 's|<name>db01</name>|<name>db02</name>|' "$dom" > ap2.xml
"$VT" --host "$H" -c test:///default --apply ap1.xml ap2.xml > /dev/null 2> ap.err; rc=$?
check "--apply, one UUID in two domains: exit 2" sh -c "test $rc = 2 && grep -q 'has the UUID of ap1.xml' ap.err"
cp "$dom" apgood.xml
"$VT" --host "$H" --no-validate --disable all -c test:///default --apply -i apgood.xml bogus.xml > /dev/null 2> ap.err; rc=$?
check "--apply -i with a domain libvirt refuses: exit 6" test $rc = 6
check "--apply -i with a domain libvirt refuses: no file rewritten" cmp -s apgood.xml "$dom"
sed -e 's|<name>db01</name>|<name>db02</name>|' -e '/<uuid>/d' "$dom" > ap2.xml
"$VT" --host "$H" -c test:///default --apply --dry-run ap1.xml ap2.xml > dry-many.out 2> dry-many.err; rc=$?
check "--apply --dry-run takes several domains, as --apply does" sh -c "test $rc = 0 && test \$(grep -c 'would define' dry-many.err) = 2 && test ! -s dry-many.out"
# two domains pinned alike, each 1:1 with its emulator apart: the usage
# cannot tell their pins apart, so neither is told its CPUs are dedicated
twin=$root/tests/golden/dedicated-kept-pins/in.xml
sed 's|<name>pinned-by-hand</name>|<name>twin-b</name>|' "$twin" > twin-b.xml
"$VT" --host "$H" --profile latency -o twins/ "$twin" twin-b.xml 2> /dev/null
check "two domains pinned alike: no hint-dedicated on either" sh -c "test -s twins/in.xml && test -s twins/twin-b.xml && ! grep -q hint-dedicated twins/in.xml twins/twin-b.xml"
# a file name is quoted as git quotes it: one message, one line
nl='new
line.xml'
printf '<domain type="kvm"><name>x</name>\n<memory>1<memory>' > "$nl"
"$VT" --host "$H" "$nl" > /dev/null 2> nl.err; rc=$?
check "a name with a newline: exit 3, in one line, C-quoted" sh -c "test $rc = 3 && test \$(wc -l < nl.err) = 1 && grep -q '^vtune-xml: \"new\\\\nline.xml\":2: ' nl.err"
cp "$dom" "$nl"
check "a name with a newline: quoted in the diff headers" sh -c "'$VT' --host '$H' --diff '$nl' | head -2 | grep -qx '+++ \"b/new\\\\nline.xml\"'"
check "a name with a newline: quoted when named in a message" sh -c "! '$VT' --host '$H' --check '$nl' './$nl' 2> nl.err && grep -q 'is the same file as \"new\\\\nline.xml\"' nl.err"
# a read-only file is not replaced unasked
cp "$dom" ro.xml; chmod 444 ro.xml
"$VT" --host "$H" -o ro.xml "$dom" 2> ro.err; rc=$?
check "-o over a read-only file: exit 2, named, the file kept" sh -c "test $rc = 2 && grep -q 'ro.xml: is read-only (mode 0444): --force replaces it' ro.err && cmp -s ro.xml '$dom'"
check "-i on a read-only file: exit 2, the file kept" sh -c "! '$VT' --host '$H' -i ro.xml 2>/dev/null && cmp -s ro.xml '$dom'"
check "snapshot -o over a read-only file: exit 2" sh -c "! '$VT' snapshot --host '$H' -o ro.xml 2>/dev/null && cmp -s ro.xml '$dom'"
check "--force -o over a read-only file: replaced, mode kept" sh -c "'$VT' --host '$H' --force -o ro.xml '$dom' && cmp -s ro.xml ref.xml && test \$(stat -c %a ro.xml) = 444"
# --timeout: a loopback listener that accepts and never answers
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
s.settimeout(20); held = []
try:
    while True: held.append(s.accept()[0])
except OSError: pass
' > hole.port &
hole=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s hole.port ] && break; sleep 0.1; done
hole_uri="qemu+tcp://127.0.0.1:$(cat hole.port)/system"
"$VT" --timeout 1 -c "$hole_uri" "$dom" > hole.out 2> hole.err; rc=$?
check "--timeout 1, a host that never answers: exit 4" test $rc = 4
check "--timeout 1: one line naming the URI and what was asked" sh -c "test \$(wc -l < hole.err) = 1 && grep -q '^vtune-xml: $hole_uri: no answer within 1 s while connecting (--timeout)' hole.err && test ! -s hole.out"
"$VT" --timeout 1 --host "$H" -c "$hole_uri" -o hole.xml "$dom" 2> /dev/null; rc=$?
check "--timeout with -o: exit 4, nothing written" sh -c "test $rc = 4 && test ! -e hole.xml && ! ls -A | grep -q vtune-xml"
"$VT" snapshot --timeout 1 -c "$hole_uri" > /dev/null 2>&1; rc=$?
check "snapshot --timeout 1: exit 4" test $rc = 4
kill $hole 2>/dev/null
"$VT" --timeout 1m "$dom" > /dev/null 2> to.err; rc=$?
check "--timeout 1m: exit 2, says what it expects" sh -c "test $rc = 2 && grep -q 'expected whole seconds from 0 (none) to 86400' to.err"
# a 4,096-node hwloc XML (63 MiB: bitmaps of 4,096 CPUs on every object,
# and 16.8 million distances): the child's snapshot is larger than the
# input limit, and was cut, its pipe broken, SIGPIPE called a crash
/usr/bin/python3 "$root/bench/numa-host.py" 4096 big-host.xml 1
printf '<domain type="kvm"><name>b</name><memory unit="MiB">512</memory><vcpu>1</vcpu></domain>' > big.xml
"$VT" --host big-host.xml big.xml > big.out 2> big.err; rc=$?
check "a 4,096-node hwloc XML: tuned (exit 0, nothing on stderr)" sh -c "test $rc = 0 && test ! -s big.err && grep -q '<memory mode=\"strict\" nodeset=\"0\"/>' big.out"
"$VT" snapshot --host big-host.xml -o big-host.json && "$VT" --host big-host.json big.xml > big2.out 2> big.err; rc=$?
check "its snapshot (68 MB, over the domain limit) reads back: the same tuning" sh -c "test $rc = 0 && cmp -s big.out big2.out"
rm -f big-host.xml big-host.json
# libvirt's test driver gives node 1 8 KiB base pages, node 0 4 KiB: one
# base page for the host, so no node's ordinary memory is a hugepage pool
sed 's|<type arch=.x86_64.|<type arch="i686"|; s|<memory unit=.GiB.>32</memory>|<memory unit="GiB">1</memory>|' "$dom" > i686.xml
"$VT" -c test:///default --profile latency i686.xml > i686.out 2> /dev/null; rc=$?
check "test:///default: no 8 KiB hugepages asked for a base page" sh -c "test $rc = 0 && ! grep -q 'size=.8. unit=.KiB.' i686.out"
"$VT" -zzz "$dom" > /dev/null 2> z.err
check "-zzz: names the option, not the program" grep -q "unknown option '-z'" z.err
# a node of unknown memory is no limit, and the report says so
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["nodes"]:
    n["memory_kib"] = None
json.dump(d, open("nomem.json", "w"))' "$H"
"$VT" --host nomem.json --report text "$root/examples/domains/web.xml" > nomem.txt 2>&1
check "unknown node memory: an info finding names the node" grep -q 'numa.place  *\[info\] the memory size of host node [01] is unknown' nomem.txt
# a page size the pools lack, without mem.hugepages (balanced): the
# shortfall in pages, and no word of pages nobody will reserve
cat > hp40.xml <<'XML'
<domain type='kvm'>
  <name>hp40</name>
  <memory unit='GiB'>40</memory>
  <memoryBacking><hugepages><page size='1' unit='GiB'/></hugepages></memoryBacking>
  <vcpu>4</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>
XML
"$VT" --host "$H" --report text hp40.xml > hp40.txt 2>&1
check "balanced, 40 GiB on 32 free 1 GiB pages: 8 more pages named, none 'could reserve'" sh -c "grep -q 'hold 32768 MiB free in 1 GiB pages (the domain.s size), after the reserve and what other domains take (8 more 1 GiB pages would hold it; mem.hugepages' hp40.txt && ! grep -q 'could reserve' hp40.txt"
# hugepages no <numatune> binds come from whichever pools have room: a
# shortfall is the unbound domain's, not that of a bound one beside it
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["nodes"]:
    n["pages"][2]["total"] = n["pages"][2]["free"] = 10
json.dump(d, open("ten.json", "w"))' "$H"
hp() {  # hp NAME GIB CPU0 CPU1 [NODE]
    local nt=""
    [ -n "${5:-}" ] && nt="<numatune><memory mode=\"strict\" nodeset=\"$5\"/></numatune>"
    printf "<domain type='kvm'><name>%s</name><memory unit='GiB'>%s</memory><vcpu>2</vcpu><memoryBacking><hugepages><page size='1' unit='GiB'/></hugepages></memoryBacking><cputune><vcpupin vcpu='0' cpuset='%s'/><vcpupin vcpu='1' cpuset='%s'/></cputune>%s<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>\n" \
        "$1" "$2" "$3" "$4" "$nt" > "$1.xml"
}
hp ha 8 4 5 0; hp hb 8 20 21 1; hp hx 6 8 9
"$VT" --host ten.json --profile latency --report json ha.xml hb.xml hx.xml > ten.out 2> /dev/null
check "unbound hugepages short: the unbound domain is infeasible (2 pages), the bound ones are not" /usr/bin/python3 -c '
import json, sys
d = json.load(open("ten.out"))["domains"]
bad = [[f for f in x["findings"] if f["severity"] == "infeasible"] for x in d]
sys.exit(0 if not bad[0] and not bad[1] and bad[2] and "reserve 2 more 1 GiB pages" in bad[2][0]["host_action"] else 1)'
# the live host: free memory read from nodeN/meminfo
"$VT" snapshot > live.json
check "live snapshot: base pages have a free count" /usr/bin/python3 - live.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["nodes"]:
    base = min(n["pages"], key=lambda p: p["size_kib"])
    assert base["free"] is not None and 0 < base["free"] <= base["total"], base
PY
finish
