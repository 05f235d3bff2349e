#!/usr/bin/env bash
# install.sh BUILD_DIR - `cmake --install` puts the binary, the man page,
# the schemas, the bash completion and the docs in the standard places,
# and what it installs works: the binary runs, the completion parses.
set -u
BUILD=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$BUILD" --prefix /usr > /dev/null
check "bin/vtune-xml" test -x "$dest/usr/bin/vtune-xml"
check "the installed binary runs" sh -c "'$dest/usr/bin/vtune-xml' --version | grep -q '^vtune-xml '"
check "man page" test -s "$dest/usr/share/man/man1/vtune-xml.1"
check "man page is roff with every exit code" sh -c "grep -q '^.TH VTUNE-XML 1' '$dest/usr/share/man/man1/vtune-xml.1' && test \$(grep -c '^.B [0-9]' '$dest/usr/share/man/man1/vtune-xml.1') = 8"
for s in report policy host; do
    check "schema $s" test -s "$dest/usr/share/vtune-xml/schemas/$s.schema.json"
done
check "bash completion" test -s "$dest/usr/share/bash-completion/completions/vtune-xml"
check "bash completion parses" bash -n "$dest/usr/share/bash-completion/completions/vtune-xml"
check "docs" test -s "$dest/usr/share/doc/vtune-xml/rules.md"
finish
