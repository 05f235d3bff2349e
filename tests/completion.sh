#!/usr/bin/env bash
# completion.sh VTUNE - the bash completion (contrib/bash-completion), run
# under the real bash-completion library as a shell would: options per
# command, values after a space and after '=', rules and parameters.
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
lib=/usr/share/bash-completion/bash_completion
if [ ! -r "$lib" ]; then
    echo "skip: no $lib (Debian package bash-completion)"
    exit 0
fi
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir "$t/bin" && ln -s "$VT" "$t/bin/vtune-xml"
touch "$t/a.xml" "$t/b.json"
# complete LINE: the words bash would offer with the cursor at the end
complete_line() {
    (cd "$t" && PATH="$t/bin:$PATH" bash --norc --noprofile -c '
        . "$1"; . "$2"; line=$3
        read -r -a COMP_WORDS <<< "$line"
        [[ $line == *" " ]] && COMP_WORDS+=("")
        COMP_LINE=$line; COMP_POINT=${#line}; COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        # bash splits --opt=value at "=" (COMP_WORDBREAKS)
        if [[ ${COMP_WORDS[-1]} == *=* && ${COMP_WORDS[-1]} == -* ]]; then
            last=${COMP_WORDS[-1]}; unset "COMP_WORDS[-1]"
            COMP_WORDS+=("${last%%=*}" "=" "${last#*=}")
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        fi
        _vtune_xml vtune-xml "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$lib" "$root/contrib/bash-completion/vtune-xml" "$1")
}
has() { grep -qx -- "$2" <<< "$1"; }
lacks() { ! grep -qx -- "$2" <<< "$1"; }
out=$(complete_line "vtune-xml --rep")
check "tune options: --report" has "$out" --report
out=$(complete_line "vtune-xml --report ")
check "--report VALUE: the formats" has "$out" sarif
check "--report VALUE: no files" lacks "$out" a.xml
out=$(complete_line "vtune-xml --report=ma")
check "--report=VALUE: the formats after =" has "$out" markdown
out=$(complete_line "vtune-xml --profile=")
check "--profile=: realtime" has "$out" realtime
out=$(complete_line "vtune-xml --validate=")
check "--validate=: output" has "$out" output
check "--validate=: no files" lacks "$out" a.xml
out=$(complete_line "vtune-xml --set cpu.pin.")
check "--set: the rule's parameters" has "$out" cpu.pin.threads=
check "--set: no files" lacks "$out" a.xml
out=$(complete_line "vtune-xml --set=cpu.pin.thr")
check "--set=: parameters after =" has "$out" cpu.pin.threads=
out=$(complete_line "vtune-xml --disable cpu.p")
check "--disable: rule ids" has "$out" cpu.pin
out=$(complete_line "vtune-xml snapshot --")
check "snapshot: its options" has "$out" --host
check "snapshot: no tuning options" lacks "$out" --profile
check "snapshot: no --check" lacks "$out" --check
out=$(complete_line "vtune-xml --")
check "tune: --check" has "$out" --check
out=$(complete_line "vtune-xml explain cpu.")
check "explain: rule ids" has "$out" cpu.mode
out=$(complete_line "vtune-xml ")
check "first word: the subcommands" has "$out" snapshot
check "first word: domain files" has "$out" a.xml
out=$(complete_line "vtune-xml --help=")
check "--help=: its formats" has "$out" completion
out=$(complete_line "vtune-xml --list-rules ")
check "--list-rules WORD: formats" has "$out" json
check "--list-rules WORD: rules" has "$out" cpu.pin
check "--list-rules WORD: no files" lacks "$out" a.xml
out=$(complete_line "vtune-xml -c qemu:///s")
check "-c URI: the rest of the URI after bash's ':' break" has "$out" ///system
check "-c URI: no files" lacks "$out" sys/
out=$(complete_line "vtune-xml --host ")
check "--host FILE: files" has "$out" b.json
finish
