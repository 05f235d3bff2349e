#!/usr/bin/env bash
# deps.sh [PKG...] - makes sure the Debian 12 packages vtune-xml builds
# and tests with (and the PKGs given, for scripts/deps-ci.sh) are
# installed: installs the missing ones with apt-get when run as root,
# otherwise says what to install and fails.
set -euo pipefail
pkgs=(gcc make cmake pkg-config libxml2-dev libvirt-dev libhwloc-dev
      libcjson-dev libcmocka-dev libvirt-clients hwloc libxml2-utils
      python3 python3-jsonschema patch valgrind clang libclang-rt-14-dev
      shellcheck groff-base bash-completion curl git strace
      # cmark-gfm: tests/markdown.sh renders --report markdown as GitHub does
      cmark-gfm
      # python3-rfc3987: tests/sarif.sh checks the SARIF log's URI formats with it
      python3-rfc3987
      "$@")
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "installing: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "missing Debian packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi
