#!/usr/bin/env bash
# layers.sh - what the build's include paths cannot see, checked over the
# #include lines of compiler/, rules/ and tests/ (the build checks the
# rest: a layer's headers are on the include path of the layers above it
# only, doc/design.md "Layers"):
#   - no include climbs out of its folder ("../x.h");
#   - a header whose first comment says "private to DIR/" is included
#     only from DIR (and from the tests);
#   - a rule includes only headers of rules/ (rule.h, its family's).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
bad=0
fail() { echo "$1" >&2; bad=$((bad + 1)); }

# private headers: name -> the folder they belong to
declare -A private
while IFS= read -r h; do
    dir=$(sed -n '2s|.* - private to \([^:]*\)/:.*|\1|p' "$h")
    [ -n "$dir" ] && private[$(basename "$h")]=$dir
done < <(git ls-files 'compiler/*.h' 'rules/*.h')

n=0
while IFS= read -r f; do
    while IFS=: read -r line inc; do
        n=$((n + 1))
        case $inc in
            ../*|*/../*) fail "$f:$line: #include \"$inc\" climbs out of its folder" ;;
        esac
        owner=${private[${inc##*/}]:-}
        case $f in
            "$owner"/*|tests/*) ;;
            *) [ -z "$owner" ] || fail "$f:$line: #include \"$inc\": private to $owner/" ;;
        esac
        # rule.h is the API: it alone brings the lower layers to the rules
        if [ "${f#rules/}" != "$f" ] && [ "$f" != rules/rule.h ] &&
           [ ! -f "rules/$inc" ] && [ ! -f "$(dirname "$f")/$inc" ]; then
            fail "$f:$line: #include \"$inc\": a rule includes only rule.h and headers of rules/"
        fi
    done < <(grep -n '^#include "' "$f" | sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1:\2/')
done < <(git ls-files 'compiler/*.[ch]' 'rules/*.[ch]' 'rules/*.def' 'tests/*.[ch]')
if [ "$bad" = 0 ]; then
    echo "$n includes checked, 0 failed"
    echo "1 passed, 0 failed"
else
    echo "0 passed, 1 failed ($bad includes against the layering)"
    exit 1
fi
