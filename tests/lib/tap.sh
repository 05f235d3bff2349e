# shellcheck shell=bash
# tap.sh - the tiny assertion library the shell tests share.
#   check NAME CMD...   runs CMD; counts a pass or prints "FAIL: NAME"
#   finish              prints "N passed, N failed" and exits 0 or 1
pass=0
fail=0
check() {
    local name=$1; shift
    if "$@"; then
        pass=$((pass + 1))
        return 0
    fi
    fail=$((fail + 1))
    echo "FAIL: $name" >&2
    return 1
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
}
