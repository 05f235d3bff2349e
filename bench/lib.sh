# shellcheck shell=bash disable=SC2154   # REPS and work are the caller's
# lib.sh - what the benchmark scripts share, sourced by bench/compare.sh,
# bench/placement.sh and bench/static-link.sh: timing the whole process
# (hyperfine when it is installed and TIMER is not "date", else
# date +%s%N) and counting its instructions (callgrind). The caller sets
# REPS and work (a scratch folder) before calling them.

have() { command -v "$1" > /dev/null 2>&1; }

HF=     # hyperfine's version, or empty: the date fallback
if [ "${TIMER:-}" != date ] && have hyperfine; then HF=$(hyperfine --version | awk '{print $2}'); fi
timer() { if [ -n "$HF" ]; then echo "hyperfine $HF"; else echo 'date +%s%N'; fi; }   # for the headers

# median_ms [-i FILE] CMD...: median wall time in ms of REPS runs of the
# whole process (after one warm-up run); -i FILE: FILE on standard input
median_ms() {
    local in=/dev/null
    if [ "$1" = -i ]; then in=$2; shift 2; fi
    if [ -n "$HF" ]; then
        local cmd
        cmd=$(printf '%q ' "$@")
        if [ "$in" = /dev/null ]; then
            hyperfine -N --warmup 1 --runs "$REPS" --style none --output null \
                --export-json "$work/hf.json" -- "$cmd" > /dev/null 2>&1
        else    # a shell for the redirection; hyperfine subtracts its start-up
            hyperfine --warmup 1 --runs "$REPS" --style none --output null \
                --export-json "$work/hf.json" -- "$cmd < $(printf '%q' "$in")" > /dev/null 2>&1
        fi
        grep -o '"median": *[0-9.eE+-]*' "$work/hf.json" |
            awk 'NR == 1 {printf "%.2f", $2 * 1000}'
        return
    fi
    local t=() i s e
    "$@" < "$in" > /dev/null 2>&1
    for ((i = 0; i < REPS; i++)); do
        s=$(date +%s%N); "$@" < "$in" > /dev/null 2>&1; e=$(date +%s%N)
        t+=($(( (e - s) / 1000 )))
    done
    printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}

# instr NAME [-i FILE] CMD...: instructions the whole process executes;
# the profile stays in $work/cg.NAME for top_costs
# (an hwloc XML is imported in a child process: its instructions are
# counted in, its profile is kept apart as cg.NAME.child)
instr() {
    local name=$1 in=/dev/null; shift
    if [ "$1" = -i ]; then in=$2; shift 2; fi
    rm -f "$work/cg.$name".*
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$name.%p" "$@" \
        < "$in" > /dev/null 2> "$work/cg.err"
    local files
    files=$(printf '%s\n' "$work/cg.$name".* | awk -F. '{print $NF, $0}' | sort -n | cut -d' ' -f2-)  # parent first
    mv "$(echo "$files" | head -1)" "$work/cg.$name"
    local kid; kid=$(echo "$files" | sed -n 2p)
    [ -z "$kid" ] || mv "$kid" "$work/cg.$name.child"
    cat "$work/cg.$name" ${kid:+"$work/cg.$name.child"} |
        sed -n 's/^summary: //p' | awk '{t += $1} END {printf "%.0f\n", t}'
}

# ratio A B: A / B to one decimal, or n/a when either is not a time
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a > 0 && b > 0) printf "%.1f", a / b; else print "n/a"}'; }
