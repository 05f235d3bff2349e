# shellcheck shell=bash
# case.sh - how the data-driven tests read their cases (LLVM lit style: a
# case is a folder of data files, reported on its own), sourced by
# golden.sh, bad-inputs.sh, valgrind.sh and test_check_placement.sh.
#   case_field KEY FILE        the value of the first "KEY: value" line
#   case_line FILE             FILE's first line (a host, a name)
#   case_words ARRAY FILE      the shell words of FILE's first line into
#                              ARRAY (after the expansion the case's folder
#                              makes: $HOSTS and the like); nothing when
#                              FILE is missing
#   case_golden                a golden case's arguments and inputs (the
#                              files args and inputs of the current
#                              folder) into the arrays args and inputs
#   case_names DIR [NAME...]   the case folders to run: the NAMEs given
#                              (each must be a folder of DIR), or every one
case_field() {
    sed -n "s/^$1: //p" "$2" | head -1
}
case_line() {
    head -1 "$1"
}
case_words() {
    local line=
    [ -f "$2" ] && line=$(head -1 "$2")
    eval "$1=($line)"
}
# shellcheck disable=SC2034  # args and inputs are the caller's
case_golden() {
    args=() inputs=(in.xml)
    case_words args args
    if [ -f inputs ]; then case_words inputs inputs; fi
}
case_names() {
    local dir=$1; shift
    if [ $# -gt 0 ]; then
        local n
        for n in "$@"; do
            [ -d "$dir/$n" ] || { echo "no case $n in $dir" >&2; return 1; }
            echo "$n"
        done
    else
        local d
        for d in "$dir"/*/; do basename "$d"; done
    fi
}
