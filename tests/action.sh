#!/usr/bin/env bash
# action.sh VTUNE - scripts/ci-action (what action.yml runs) outside GitHub:
# a throwaway git repository with domains and a host snapshot, GitHub's
# variables set as a pull_request run has them. Without a token the
# comment body and the summary are files, the exit status is 1 when
# changes are due and 0 when the domains are tuned; with a token, against
# a local stand-in of GitHub's API (tests/lib/fake-github.py on
# 127.0.0.1), the pull request gets one comment, updated on later runs.
# CI_ACTION=FILE tests another copy of the script.
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
ACTION=${CI_ACTION:-$root/scripts/ci-action}
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
t=$(mktemp -d)
srv=""
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$t"; }
trap cleanup EXIT
repo=$t/repo
mkdir -p "$repo/domains" "$repo/hosts"
cp "$root/examples/domains/db.xml" "$root/examples/domains/web.xml" "$repo/domains/"
cp "$here/hosts/two-node.json" "$repo/hosts/prod.json"
git -C "$repo" init -q
git -C "$repo" -c user.name=t -c user.email=t@t add -A
git -C "$repo" -c user.name=t -c user.email=t@t commit -qm domains
echo '{"action": "synchronize", "pull_request": {"number": 42}}' > "$t/event.json"
echo '{"ref": "refs/heads/main"}' > "$t/push.json"

# run NAME [VAR=VALUE...]: the action's check in the repository, as on a
# pull_request run without a token; stdout, stderr, the summary and the
# outputs go to $t/NAME.*; the exit status to $t/NAME.rc
run() {
    local name=$1; shift
    : > "$t/$name.summary"; : > "$t/$name.outputs"
    (cd "$repo" && env -u GITHUB_TOKEN \
        GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
        GITHUB_EVENT_PATH="$t/event.json" GITHUB_REF=refs/pull/42/merge \
        GITHUB_REPOSITORY=example/fleet GITHUB_RUN_ID=123 \
        GITHUB_SERVER_URL=https://github.example GITHUB_API_URL=http://127.0.0.1:9 \
        GITHUB_STEP_SUMMARY="$t/$name.summary" GITHUB_OUTPUT="$t/$name.outputs" \
        RUNNER_TEMP="$t/runner" VTUNE_OUT="$t/$name.out" VTUNE_BIN="$VT" \
        VTUNE_DOMAINS="domains/*.xml" VTUNE_HOST=hosts/prod.json \
        VTUNE_PROFILE=balanced VTUNE_COMMENT=true "$@" \
        "$ACTION" check > "$t/$name.stdout" 2> "$t/$name.stderr")
    echo $? > "$t/$name.rc"
}
rc() { cat "$t/$1.rc"; }
table='| rule | where | was | now | why |'

# --- changes due, no token ---
run untuned
check "untuned: exit 1" test "$(rc untuned)" = 1
check "untuned: the diff in the log" grep -q '^+++ b/domains/db.xml' "$t/untuned.stdout"
check "untuned: the comment body is a file" test -s "$t/untuned.out/comment.md"
check "untuned: the comment starts with the marker" sh -c "head -1 '$t/untuned.out/comment.md' | grep -qx '<!-- vtune-xml -->'"
check "untuned: the comment has the table" grep -qF "$table" "$t/untuned.out/comment.md"
check "untuned: the comment has the diff" grep -q '^```diff' "$t/untuned.out/comment.md"
check "untuned: the comment says changes are due" grep -q 'changes are due in 2 of 2' "$t/untuned.out/comment.md"

# --- a large fleet, 25 files of it malformed: the comment stays under
# GitHub's 65,536 characters,
# the report's own cut line says what went, the diff stays in the summary
mkdir -p "$repo/fleet"
for i in $(seq 1 150); do
    sed "s|<name>db01</name>|<name>db$i</name>|" "$root/examples/domains/db.xml" > "$repo/fleet/db$i.xml"
done
for i in $(seq 1 25); do printf '<domain><name>bad%s</oops>\n' "$i" > "$repo/fleet/bad$i.xml"; done
run fleet VTUNE_DOMAINS="fleet/*.xml"
check "fleet with 25 malformed files: exit 3" test "$(rc fleet)" = 3
check "fleet: the comment is under 65,536 characters" test "$(wc -m < "$t/fleet.out/comment.md")" -lt 65536
check "fleet: the report's cut line is kept" grep -q "cut to stay under GitHub's 65,536-character limit" "$t/fleet.out/comment.md"
check "fleet: the comment says where the diff is" grep -q 'the diff is in the job summary' "$t/fleet.out/comment.md"
check "fleet: the summary has the whole diff" test "$(grep -c '^+++ b/fleet/' "$t/fleet.summary")" = 150
rm -rf "$repo/fleet"
check "untuned: the comment links the run" grep -qF 'https://github.example/example/fleet/actions/runs/123' "$t/untuned.out/comment.md"
check "untuned: says the comment was not posted" grep -q 'no GITHUB_TOKEN: comment for pull request #42 not posted' "$t/untuned.stderr"
check "untuned: the summary has the table" grep -qF "$table" "$t/untuned.summary"
check "untuned: the summary names both files" sh -c "grep -q 'domains/db.xml' '$t/untuned.summary' && grep -q 'domains/web.xml' '$t/untuned.summary'"
check "untuned: outputs changes=true, exit-code=1" sh -c "grep -qx changes=true '$t/untuned.outputs' && grep -qx exit-code=1 '$t/untuned.outputs'"
check "untuned: a SARIF 2.1.0 file" /usr/bin/python3 -c "
import json, sys
s = json.load(open(sys.argv[1]))
assert s['version'] == '2.1.0' and s['runs'][0]['tool']['driver']['name'] == 'vtune-xml'
" "$t/untuned.out/vtune-xml.sarif"
check "untuned: outputs the SARIF's path" grep -qx "sarif=$t/untuned.out/vtune-xml.sarif" "$t/untuned.outputs"

# --- tuned (together, as one run places them), no token ---
"$VT" --host "$here/hosts/two-node.json" --profile balanced -q -i "$repo"/domains/*.xml
run tuned
check "tuned: exit 0" test "$(rc tuned)" = 0
check "tuned: no diff" test ! -s "$t/tuned.out/diff.patch"
check "tuned: the summary says tuned" grep -q 'the 2 domain file(s) are tuned' "$t/tuned.summary"
check "tuned: the summary has the report" grep -q '^## vtune-xml' "$t/tuned.summary"
check "tuned: outputs changes=false, exit-code=0" sh -c "grep -qx changes=false '$t/tuned.outputs' && grep -qx exit-code=0 '$t/tuned.outputs'"

# --- outside GitHub: no summary file given, not a pull request ---
run plain GITHUB_STEP_SUMMARY= GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH="$t/push.json" GITHUB_REF=refs/heads/main
check "no GITHUB_STEP_SUMMARY: the summary is a file" grep -q '^## vtune-xml' "$t/plain.out/summary.md"
check "no GITHUB_STEP_SUMMARY: says where" grep -q "the summary is in $t/plain.out/summary.md" "$t/plain.stderr"
check "push: no comment, says so" grep -q 'not a pull request: no comment' "$t/plain.stderr"

# --- the globs ---
run none VTUNE_DOMAINS="vms/*.xml nothing/**/*.xml"
check "no file matches: exit 2" test "$(rc none)" = 2
check "no file matches: says which" grep -q 'no domain file matches: vms/\*.xml nothing/\*\*/\*.xml' "$t/none.stderr"
check "no file matches: an error annotation" grep -q '^::error::' "$t/none.stdout"
mkdir -p "$repo/hosts/topology"
cp "$here/hosts/two-node-hwloc.xml" "$repo/hosts/topology/lstopo.xml"
run nonDomain VTUNE_DOMAINS="domains/*.xml hosts/**/*.xml"
check "a host XML among the globs: exit 3 (not a domain)" test "$(rc nonDomain)" = 3
check "a host XML: the comment says the check failed" grep -q 'the check failed (exit 3)' "$t/nonDomain.out/comment.md"
check "a host XML: the error is in the comment" grep -q 'not <domain>' "$t/nonDomain.out/comment.md"
run skipped VTUNE_DOMAINS="domains/*.xml hosts/**/*.xml" VTUNE_ARGS="--skip-non-domain --color never"
run twice VTUNE_DOMAINS="domains/*.xml domains/db.xml
domains/**/*.xml"
check "a file two globs match is checked once" sh -c "test $(rc twice) = 0 && grep -q 'checking 2 file(s)' '$t/twice.stderr'"
check "args: --skip-non-domain passes the host XML over" test "$(rc skipped)" = 0
check "args: the note says skipped" grep -q 'hosts/topology/lstopo.xml: skipped' "$t/skipped.stderr"

# --- install: version "installed" finds the tool on PATH ---
mkdir -p "$t/bin" && ln -s "$VT" "$t/bin/vtune-xml"
(PATH=$t/bin:$PATH VTUNE_VERSION=installed GITHUB_OUTPUT="$t/install.outputs" \
    "$ACTION" install > /dev/null 2> "$t/install.stderr"); irc=$?
check "install (installed): exit 0" test $irc = 0
check "install (installed): outputs the path" grep -qx "path=$t/bin/vtune-xml" "$t/install.outputs"
(PATH=/usr/bin:/bin VTUNE_VERSION=installed "$ACTION" install > /dev/null 2>&1); irc=$?
check "install (installed) without a vtune-xml on PATH: exit 2" test $irc = 2

# --- with a token, against a stand-in of GitHub's API ---
command -v curl > /dev/null || { echo "curl missing: apt-get install curl (scripts/deps-ci.sh)" >&2; exit 1; }
state=$t/api.json
/usr/bin/python3 -c '
import json, sys
# 150 earlier comments by others: the marker is looked for on every page
cs = [{"id": i, "issue": 42, "body": "comment %d" % i, "user": {"login": "x"}} for i in range(1, 151)]
cs.append({"id": 500, "issue": 7, "body": "<!-- vtune-xml -->\nanother pull request", "user": {"login": "x"}})
json.dump({"comments": cs}, open(sys.argv[1], "w"))' "$state"
/usr/bin/python3 "$here/lib/fake-github.py" "$state" "$t/port" & srv=$!
for _ in $(seq 50); do [ -s "$t/port" ] && break; sleep 0.1; done
api=http://127.0.0.1:$(cat "$t/port" 2>/dev/null)
ours() {   # ours FILTER: a fact about the comments on #42 holding the marker
    /usr/bin/python3 -c '
import json, sys
cs = [c for c in json.load(open(sys.argv[1]))["comments"] if c["issue"] == 42 and "<!-- vtune-xml -->" in c["body"]]
print(eval(sys.argv[2]))' "$state" "$1"
}
run tunedFirst GITHUB_TOKEN=t0k GITHUB_API_URL="$api"
check "token, tuned, no earlier comment: exit 0" test "$(rc tunedFirst)" = 0
check "token, tuned, no earlier comment: none made" test "$(ours 'len(cs)')" = 0
git -C "$repo" checkout -q -- domains
run post GITHUB_TOKEN=t0k GITHUB_API_URL="$api"
check "token, changes due: exit 1" test "$(rc post)" = 1
check "token, changes due: says it commented" grep -q 'commented on pull request #42' "$t/post.stderr"
check "token: one comment on #42 with the marker" test "$(ours 'len(cs)')" = 1
check "token: the comment has the table" test "$(ours "'$table' in cs[0]['body']")" = True
check "token: the comment says changes are due" test "$(ours "'changes are due' in cs[0]['body']")" = True
run again GITHUB_TOKEN=t0k GITHUB_API_URL="$api"
check "token, second run: updates, not a new comment" grep -q 'updated the comment on pull request #42' "$t/again.stderr"
check "token, second run: still one comment" test "$(ours 'len(cs)')" = 1
"$VT" --host "$here/hosts/two-node.json" --profile balanced -q -i "$repo"/domains/*.xml
run fixed GITHUB_TOKEN=t0k GITHUB_API_URL="$api"
check "token, tuned after changes: exit 0" test "$(rc fixed)" = 0
check "token, tuned after changes: the comment now says tuned" test "$(ours "'are tuned' in cs[0]['body'] and 'changes are due' not in cs[0]['body']")" = True
check "token: the other pull request's comment untouched" /usr/bin/python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["comments"] if c["id"] == 500][0]
assert c["body"].endswith("another pull request")' "$state"
check "token: every request went to the repository's API" /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["requests"] and all(r["path"].startswith("/repos/example/fleet/") for r in s["requests"])' "$state"
# the same with python3 for JSON (where jq is not installed)
run second GITHUB_TOKEN=t0k GITHUB_API_URL="$api" VTUNE_COMMENT_ID=host-b VTUNE_JSON_TOOL=python3
git -C "$repo" checkout -q -- domains
run secondDue GITHUB_TOKEN=t0k GITHUB_API_URL="$api" VTUNE_COMMENT_ID=host-b VTUNE_JSON_TOOL=python3
check "python3 for JSON: commented" grep -q 'commented on pull request #42' "$t/secondDue.stderr"
run secondAgain GITHUB_TOKEN=t0k GITHUB_API_URL="$api" VTUNE_COMMENT_ID=host-b VTUNE_JSON_TOOL=python3
check "python3 for JSON: updated" grep -q 'updated the comment on pull request #42' "$t/secondAgain.stderr"
check "comment-id: a comment of its own" test "$(/usr/bin/python3 -c '
import json, sys
print(sum("<!-- vtune-xml:host-b -->" in c["body"] for c in json.load(open(sys.argv[1]))["comments"]))' "$state")" = 1
check "comment-id: the first comment kept" test "$(ours 'len(cs)')" = 1
run refused GITHUB_TOKEN=t0k GITHUB_API_URL=http://127.0.0.1:9
check "the API unreachable: still exit 1 (changes due), not another error" test "$(rc refused)" = 1
check "the API unreachable: says the comment was not posted" grep -q 'could not post the comment on #42' "$t/refused.stderr"
finish
