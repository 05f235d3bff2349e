#!/usr/bin/env bash
# no-cmocka-build.sh [SRC] - on a machine without cmocka (hidden here from
# pkg-config: PKG_CONFIG_LIBDIR holds every .pc file but cmocka's),
# -DBUILD_TESTING=OFF configures without looking for it, builds and
# installs the tool, and the installed tool works; the default
# (BUILD_TESTING on) still needs cmocka; and `scripts/ci-action install`,
# what the GitHub Action runs, builds and installs it so too. SRC: the
# source tree (default: this one).
set -u
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(realpath "${1:-$(dirname "$here")}")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=tests/lib/no-cmocka.sh
. "$here/lib/no-cmocka.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# pkg-config's own search path, less cmocka
pc_without_cmocka "$t/pc"
export PKG_CONFIG_LIBDIR=$t/pc PKG_CONFIG_PATH=
check "cmocka hidden from pkg-config" sh -c '! pkg-config --exists cmocka'
check "the tool's own libraries still found" pkg-config --exists libxml-2.0 hwloc libcjson libvirt

cmake -S "$SRC" -B "$t/on" > "$t/on.log" 2>&1; rc=$?
check "BUILD_TESTING on (the default) without cmocka: the configure fails" test $rc != 0
check "... and says cmocka" grep -qi cmocka "$t/on.log"

cmake -S "$SRC" -B "$t/off" -DBUILD_TESTING=OFF > "$t/off.log" 2>&1; rc=$?
check "BUILD_TESTING=OFF without cmocka: the configure passes" test $rc = 0
check "BUILD_TESTING=OFF: cmocka not looked for" sh -c "! grep -qi cmocka '$t/off.log' && ! grep -q 'CMOCKA' '$t/off/CMakeCache.txt'"
check "BUILD_TESTING=OFF: no tests configured" test ! -e "$t/off/tests/CTestTestfile.cmake"
cmake --build "$t/off" -j"$(nproc)" > "$t/build.log" 2>&1; rc=$?
check "BUILD_TESTING=OFF: the build passes" test $rc = 0
[ $rc = 0 ] || tail -20 "$t/build.log" >&2
check "BUILD_TESTING=OFF: no test programs built" test ! -e "$t/off/test_diff"
DESTDIR=$t/dest cmake --install "$t/off" --prefix /usr > /dev/null 2>&1; rc=$?
check "BUILD_TESTING=OFF: the install passes" test $rc = 0
vt=$t/dest/usr/bin/vtune-xml
check "the installed tool runs" sh -c "'$vt' --version | grep -q '^vtune-xml '"
check "the installed tool tunes" sh -c "'$vt' --host '$here/hosts/two-node.json' '$SRC/examples/domains/db.xml' | grep -q vcpupin"
check "the man page, schemas and completion installed" test -s "$t/dest/usr/share/man/man1/vtune-xml.1" \
    -a -s "$t/dest/usr/share/vtune-xml/schemas/report.schema.json" \
    -a -s "$t/dest/usr/share/bash-completion/completions/vtune-xml"

# the GitHub Action's install step (its build deps are installed here)
RUNNER_TEMP=$t/runner GITHUB_OUTPUT=$t/outputs GITHUB_PATH=$t/path \
    "$SRC/scripts/ci-action" install > "$t/action.log" 2>&1; rc=$?
check "ci-action install without cmocka: passes" test $rc = 0
[ $rc = 0 ] || tail -20 "$t/action.log" >&2
check "ci-action install: outputs the path" grep -qx "path=$t/runner/vtune-xml/bin/vtune-xml" "$t/outputs"
check "ci-action install: adds it to GITHUB_PATH" grep -qx "$t/runner/vtune-xml/bin" "$t/path"
check "ci-action install: the tool runs" sh -c "'$t/runner/vtune-xml/bin/vtune-xml' --version > /dev/null"
finish
