#!/usr/bin/env bash
# precommit.sh VTUNE - the hooks of .pre-commit-hooks.yaml under the real
# pre-commit (Debian's package), in a throwaway repository of domains, a
# host snapshot and a host topology XML, with VTUNE on PATH as vtune-xml:
# the check hook fails a commit of untuned domains and passes tuned ones;
# the topology XML is passed over, not refused; the hook runs once over
# all the files (require_serial), so it judges them as one
# `vtune-xml --check` does; the tune hook rewrites the files as one
# `vtune-xml -i` does, and the commit after it passes.
# PRECOMMIT_HOOKS=FILE tests another hooks file (the old one fails).
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
HOOKS=$(realpath "${PRECOMMIT_HOOKS:-$root/.pre-commit-hooks.yaml}")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
command -v pre-commit > /dev/null ||
    { echo "pre-commit missing: apt-get install pre-commit (scripts/deps-ci.sh)" >&2; exit 1; }
t=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
export PRE_COMMIT_HOME=$t/cache PRE_COMMIT_COLOR=never
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
unset PRE_COMMIT_NO_CONCURRENCY
H=$here/hosts/two-node.json

# vtune-xml on PATH: VTUNE, each call's arguments logged
mkdir -p "$t/bin"
cat > "$t/bin/vtune-xml" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >> "$t/calls.log"
exec "$VT" "\$@"
EOF
chmod +x "$t/bin/vtune-xml"
export PATH=$t/bin:$PATH
calls() { if [ -f "$t/calls.log" ]; then wc -l < "$t/calls.log"; else echo 0; fi; }

# the hooks repository: a clone of the project with the hooks file under
# test committed (pre-commit takes the manifest at a rev)
if git -C "$root" rev-parse --git-dir > /dev/null 2>&1; then
    git clone -q "$root" "$t/hooks"
else
    git init -q "$t/hooks"
fi
cp "$HOOKS" "$t/hooks/.pre-commit-hooks.yaml"
git -C "$t/hooks" add .pre-commit-hooks.yaml
git -C "$t/hooks" commit -qm "hooks under test" --allow-empty
rev=$(git -C "$t/hooks" rev-parse HEAD)

# a fleet: the untuned domains (examples and golden inputs), the host
# snapshot and the host's topology XML beside them, one outside
untuned=$t/untuned
mkdir -p "$untuned"
cp "$root"/examples/domains/*.xml "$untuned/"
for c in db-balanced-snapshot disk-network io-disks mem-balanced-balloon \
         place-balanced-floating place-balanced-two-nodes web-topology-repair; do
    cp "$here/golden/$c/in.xml" "$untuned/$c.xml"
done
ndom=$(find "$untuned" -name '*.xml' | wc -l)
# fleet NAME HOOK-ID [CONFIG-LINES]: a new repository at $t/NAME with the
# untuned fleet, pre-commit installed with the hook
fleet() {
    local r=$t/$1
    mkdir -p "$r/libvirt/domains" "$r/libvirt/hosts" "$r/hosts"
    cp "$untuned"/*.xml "$r/libvirt/domains/"
    cp "$H" "$r/libvirt/hosts/prod.json"
    cp "$here/hosts/two-node-hwloc.xml" "$r/libvirt/hosts/lstopo.xml"
    cp "$here/hosts/two-node-hwloc.xml" "$r/hosts/lstopo.xml"
    cat > "$r/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $t/hooks
    rev: $rev
    hooks:
      - id: $2
        args: [--host, libvirt/hosts/prod.json]
${3:-}
EOF
    git -C "$r" init -q
    (cd "$r" && pre-commit install > /dev/null)
}
# commit NAME: git add -A and git commit in $t/NAME; output in $t/NAME.out
commit() {
    : > "$t/calls.log"
    git -C "$t/$1" add -A
    git -C "$t/$1" commit -qm "commit" > "$t/$1.out" 2>&1
}
domfiles() { (cd "$t/$1" && printf '%s\n' libvirt/domains/*.xml); }

# --- the check hook ---
fleet check vtune-xml-check
commit check; rc=$?
check "check: a commit of untuned domains fails" test $rc != 0
check "check: the hook prints the diff" grep -q '^+++ b/libvirt/domains/db.xml' "$t/check.out"
check "check: the host XML under libvirt/ is passed over with a note" grep -q 'libvirt/hosts/lstopo.xml: skipped' "$t/check.out"
check "check: ... not refused (exit 3)" sh -c "! grep -q 'not a libvirt domain\|exit code: 3' '$t/check.out'"
check "check: the hook ran once (require_serial)" test "$(calls)" = 1
check "check: that run had every domain" test "$(tr ' ' '\n' < "$t/calls.log" | grep -c '^libvirt/domains/.*\.xml$')" = "$ndom"
check "check: the host XML outside the default folders was not given to it" sh -c "! grep -q ' hosts/lstopo.xml' '$t/calls.log'"
check "check: nothing was committed" sh -c "! git -C '$t/check' rev-parse -q --verify HEAD"

# the same files, as one run: the same verdict and the same diff
(cd "$t/check" && pre-commit run vtune-xml-check --all-files > "$t/all.out" 2>&1); prc=$?
mapfile -t doms < <(domfiles check)
(cd "$t/check" && "$VT" --check --skip-non-domain --host libvirt/hosts/prod.json "${doms[@]}" libvirt/hosts/lstopo.xml > "$t/direct.out" 2>/dev/null); drc=$?
check "all files: the hook's verdict = one vtune-xml --check run's (1)" test "$prc:$drc" = "1:1"
check "all files: the same files in the diff" cmp -s <(grep '^+++ ' "$t/all.out" | sort) <(grep '^+++ ' "$t/direct.out" | sort)

# tuned together, as one vtune-xml -i over the fleet tunes them
(cd "$t/check" && "$VT" -q -i --host libvirt/hosts/prod.json "${doms[@]}")
(cd "$t/check" && "$VT" -q --check --host libvirt/hosts/prod.json "${doms[@]}" > /dev/null); drc=$?
check "tuned: one vtune-xml --check over the fleet passes" test $drc = 0
commit check; rc=$?
check "tuned: the commit passes" test $rc = 0
check "tuned: the hook ran once" test "$(calls)" = 1
(cd "$t/check" && pre-commit run vtune-xml-check --all-files > "$t/all2.out" 2>&1); prc=$?
check "tuned, all files: the hook passes as the one run does" test $prc = 0

# the same tuned files in several processes (the hooks file without
# require_serial) do not pass: what the test above relies on
if [ "$(nproc)" -ge 2 ]; then
    sed '/require_serial/d' "$HOOKS" > "$t/hooks/.pre-commit-hooks.yaml"
    git -C "$t/hooks" commit -qam "no require_serial" --allow-empty > /dev/null
    sed -i "s/rev: .*/rev: $(git -C "$t/hooks" rev-parse HEAD)/" "$t/check/.pre-commit-config.yaml"
    git -C "$t/check" add .pre-commit-config.yaml
    git -C "$t/check" commit -qm "hooks without require_serial" --no-verify
    : > "$t/calls.log"
    (cd "$t/check" && pre-commit run vtune-xml-check --all-files > "$t/split.out" 2>&1); prc=$?
    check "without require_serial: the tool runs $(calls) times and the tuned fleet fails" test "$(calls):$prc" != "1:0"
else
    echo "one CPU: pre-commit would not split the files; the split check is skipped"
fi

# --- the tune hook ---
fleet tune vtune-xml-tune
mkdir -p "$t/ref"
cp "$t"/tune/libvirt/domains/*.xml "$t/ref/"
(cd "$t/ref" && "$VT" -q -i --host "$H" ./*.xml)
commit tune; rc=$?
check "tune: the first commit fails" test $rc != 0
check "tune: pre-commit says the hook changed files" grep -q 'files were modified by this hook' "$t/tune.out"
check "tune: the hook ran once" test "$(calls)" = 1
same=1
for f in "$t"/ref/*.xml; do
    cmp -s "$f" "$t/tune/libvirt/domains/$(basename "$f")" || { same=0; echo "differs: $(basename "$f")" >&2; }
done
check "tune: the files are what one vtune-xml -i over them writes" test $same = 1
check "tune: the host XML is untouched" cmp -s "$here/hosts/two-node-hwloc.xml" "$t/tune/libvirt/hosts/lstopo.xml"
check "tune: nothing was committed" sh -c "! git -C '$t/tune' rev-parse -q --verify HEAD"
commit tune; rc=$?
check "tune: the second commit (the fixed files added) passes" test $rc = 0
check "tune: the fixed files are committed" sh -c "git -C '$t/tune' show HEAD:libvirt/domains/db.xml 2>/dev/null | cmp -s - '$t/ref/db.xml'"

# --- a repository's own files pattern and the whole-set recipe of doc/ci.md ---
fleet own vtune-xml-check "        files: ^libvirt/domains/"
(cd "$t/own" && "$VT" -q -i --host libvirt/hosts/prod.json libvirt/domains/*.xml)
commit own; rc=$?
check "files: ^libvirt/domains/: the tuned fleet commits" test $rc = 0
check "files: ^libvirt/domains/: the host XML not given to the tool" sh -c "! grep -q 'lstopo.xml' '$t/calls.log'"
# a commit of one domain: the hook sees that file alone (pre-commit
# passes the staged files); the recipe checks the whole set each time
cat >> "$t/own/.pre-commit-config.yaml" <<'EOF'
        entry: bash -c 'exec vtune-xml --check --skip-non-domain "$@" libvirt/domains/*.xml' --
        pass_filenames: false
EOF
git -C "$t/own" commit -qam "the whole-set recipe" --no-verify
for f in "$t"/own/libvirt/domains/*.xml; do
    sed -i '1a <!-- reviewed -->' "$f"
    commit own; rc=$?
    check "whole set: a commit of $(basename "$f") alone passes" test $rc = 0
    check "whole set: ... checked with all $ndom domains" test "$(tr ' ' '\n' < "$t/calls.log" | grep -c '^libvirt/domains/')" = "$ndom"
done
finish
