#!/usr/bin/env bash
# codequality.sh VTUNE - --report codequality, GitLab's Code Quality
# format: a JSON array with an issue per change due and per finding (the
# JSON report's edits and findings, one for one), each with a
# description, a check_name (the rule), a severity GitLab knows, a
# location (the path as given, without "./", and a line from 1), and a
# fingerprint that is unique in the report and the same from run to run.
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 2
mkdir -p domains
cp "$root"/examples/domains/*.xml domains/
cp "$here/golden/io-disks/in.xml" domains/disks.xml
cp "$here/hosts/two-node-hwloc.xml" domains/topology.xml
H=$here/hosts/two-node.json
doms=(domains/db.xml domains/disks.xml domains/web.xml domains/win.xml)

"$VT" --host "$H" -q --skip-non-domain --report codequality "${doms[@]}" domains/topology.xml > cq.json; rc=$?
check "exit 0 without --check" test $rc = 0
"$VT" --host "$H" -q --report json "${doms[@]}" > report.json
check "the format: every issue complete, severities GitLab's, one per edit and finding" /usr/bin/python3 - cq.json report.json <<'PY'
import json, sys
cq = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
assert isinstance(cq, list)
sev = {"info", "minor", "major", "critical", "blocker"}
for e in cq:
    assert isinstance(e["description"], str) and e["description"], e
    assert isinstance(e["check_name"], str) and e["check_name"], e
    assert isinstance(e["fingerprint"], str) and len(e["fingerprint"]) >= 16, e
    assert e["severity"] in sev, e
    assert e["location"]["path"] in [d["file"] for d in rep["domains"]], e
    assert isinstance(e["location"]["lines"]["begin"], int) and e["location"]["lines"]["begin"] >= 1, e
edits = sum(len(d["edits"]) for d in rep["domains"])
finds = sum(len(d["findings"]) for d in rep["domains"])
assert edits > 0 and finds > 0, (edits, finds)
assert len(cq) == edits + finds, (len(cq), edits, finds)
assert sum(e["severity"] == "minor" for e in cq) == edits
for d in rep["domains"]:
    mine = [e for e in cq if e["location"]["path"] == d["file"]]
    assert len(mine) == len(d["edits"]) + len(d["findings"]), d["file"]
    for ed in d["edits"]:
        assert any(ed["xpath"] in e["description"] and e["check_name"] == ed["rule"] for e in mine), ed
    for f in d["findings"]:
        assert any(f["message"] in e["description"] for e in mine), f
fps = [e["fingerprint"] for e in cq]
assert len(set(fps)) == len(fps), "fingerprints repeat"
PY
check "the non-domain XML passed over has no issue" sh -c "! grep -q topology.xml cq.json"
"$VT" --host "$H" -q --skip-non-domain --report codequality "${doms[@]}" domains/topology.xml > again.json
check "deterministic: the same bytes again" cmp -s cq.json again.json
"$VT" --host "$H" -q --report codequality ./domains/db.xml > dot.json
"$VT" --host "$H" -q --report codequality domains/db.xml > plain.json
check "a ./ path: the same path and fingerprints as without it" cmp -s dot.json plain.json
"$VT" --host "$H" -q --report codequality "$PWD/domains/db.xml" > abs.json
check "an absolute path under the directory: made relative, as GitLab links it" cmp -s abs.json plain.json
check "the severities of the findings" /usr/bin/python3 - cq.json report.json <<'PY'
import json, sys
cq = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
want = {"infeasible": "critical", "warning": "major", "info": "info"}
for d in rep["domains"]:
    for f in d["findings"]:
        assert any(e["severity"] == want[f["severity"]] and f["message"] in e["description"]
                   for e in cq if e["location"]["path"] == d["file"]), f
PY

# --check: exit 1 with changes due, 0 once tuned; the report either way
"$VT" --host "$H" -q --check --report codequality "${doms[@]}" > check.json; rc=$?
check "--check: exit 1 when changes are due" test $rc = 1
"$VT" --host "$H" -q --report codequality "${doms[@]}" > base.json
check "--check: still the report, the same as without it" cmp -s check.json base.json
"$VT" --host "$H" -q -i "${doms[@]}"
"$VT" --host "$H" -q --check --report codequality "${doms[@]}" > tuned.json; rc=$?
check "--check tuned: exit 0" test $rc = 0
check "tuned: no change due left" /usr/bin/python3 -c '
import json, sys
cq = json.load(open(sys.argv[1]))
assert all(e["severity"] != "minor" for e in cq), cq' tuned.json
check "tuned: a finding keeps its fingerprint across the tuning" /usr/bin/python3 - cq.json tuned.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
# the unsafe cache warning is about the same node before and after
wa = {e["fingerprint"] for e in a if e["check_name"] == "disk.cache" and "unsafe" in e["description"]}
wb = {e["fingerprint"] for e in b if e["check_name"] == "disk.cache" and "unsafe" in e["description"]}
assert wa and wa == wb, (wa, wb)
PY

# a file the run cannot take: a blocker on it, the others still reported
"$VT" --host "$H" -q --report codequality domains/db.xml missing.xml > err.json 2>/dev/null; rc=$?
check "an unreadable file: exit 3" test $rc = 3
check "an unreadable file: a blocker issue on it, the other file's issues too" /usr/bin/python3 -c '
import json, sys
cq = json.load(open(sys.argv[1]))
assert [e["severity"] for e in cq if e["location"]["path"] == "missing.xml"] == ["blocker"], cq
assert any(e["location"]["path"] == "domains/db.xml" for e in cq)' err.json
finish
