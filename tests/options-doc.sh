#!/usr/bin/env bash
# options-doc.sh VTUNE - the option table is the one source of the
# command line's documentation: the OPTIONS sections of the man page and
# of doc/vtune-xml.md are what it generates (scripts/gen-docs), --help
# lists every option, and the bash completion offers what it lists.
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
section() { sed -n '/BEGIN OPTIONS/,/END OPTIONS/p' "$1" | sed '1d;$d'; }
section "$root/doc/vtune-xml.1" > "$t/man"
"$VT" --help=man > "$t/man.gen"
check "man page OPTIONS = --help=man (run scripts/gen-docs)" diff -u "$t/man" "$t/man.gen"
section "$root/doc/vtune-xml.md" | sed '1d;$d' > "$t/md"
"$VT" --help=markdown > "$t/md.gen"
check "doc/vtune-xml.md Options = --help=markdown (run scripts/gen-docs)" diff -u "$t/md" "$t/md.gen"
"$VT" --help > "$t/help"
"$VT" --help=completion > "$t/words"
while read -r _ opt _; do
    name=${opt%"[=]"}
    check "--help lists $name" grep -q -- "$name\\b" "$t/help"
    check "the man page documents $name" grep -q -- "${name//-/\\\\-}" "$t/man"
done < "$t/words"
check "--help=completion lists the options" test "$(wc -l < "$t/words")" -ge 20
# the man page renders without warnings
if command -v groff >/dev/null; then
    check "man page renders without warnings" sh -c "groff -man -Tutf8 -ww '$root/doc/vtune-xml.1' 2>&1 >/dev/null | { ! grep -q .; }"
fi
finish
