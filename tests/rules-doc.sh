#!/usr/bin/env bash
# rules-doc.sh VTUNE - doc/rules.md must be exactly what the rules'
# metadata generates (vtune-xml --list-rules=markdown), so code and docs
# cannot drift. Regenerate with: build/vtune-xml --list-rules=markdown > doc/rules.md
set -u
VT=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
if "$VT" --list-rules=markdown | diff -u "$root/doc/rules.md" -; then
    echo "1 passed, 0 failed"
else
    echo "doc/rules.md is stale: build/vtune-xml --list-rules=markdown > doc/rules.md" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
