#!/usr/bin/env bash
# markdown.sh VTUNE - --report markdown as GitHub shows it: cmark-gfm
# (Debian's cmark-gfm, with GitHub's extensions and its raw HTML) renders
# the comment, and the text of every edit, reason, finding, fix command
# and failed file must survive in the HTML (tags stripped, entities
# unescaped); the summary table comes first, each domain folded in a
# <details>; a run of many domains stays under GitHub's 65,536-character
# limit for a comment and says what it cut. Hosts come from tests/hosts.
# Backticks in single quotes here are Markdown's, not command substitutions:
# shellcheck disable=SC2016
set -u
VT=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
command -v cmark-gfm > /dev/null ||
    { echo "cmark-gfm missing: apt-get install cmark-gfm (scripts/deps.sh)" >&2; exit 1; }
H=$here/hosts/two-node.json
NP=$here/hosts/nopools.json
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 2

# GitHub's renderer: cmark-gfm with its four extensions; raw HTML kept
# (GitHub keeps <details>, <summary>, <code> and drops what it does not
# know, as a browser shows an unknown tag: its text is lost either way)
render() {
    cmark-gfm --unsafe --extension table --extension autolink \
        --extension strikethrough --extension tagfilter "$1" > "$2"
}

# check.py WHAT REPORT.json COMMENT.html [TEXT...]: one property of the
# rendered comment (WHAT), against the JSON report of the same run
cat > check.py <<'PY'
import html.parser, json, sys

what, report, page = sys.argv[1:4]
extra = sys.argv[4:]
rep = json.load(open(report))
src = open(page, encoding="utf-8").read()

def norm(s):
    return " ".join(s.split())

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.stack, self.tags = [], [], set()
        self.codes, self.pres, self.items = [], [], []   # texts of elements
        self.cells = []
        self.order = []                                  # (tag, first th)
        self.open = {}
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.stack.append(tag)
        self.open.setdefault(tag, []).append(len("".join(self.text)))
        if tag in ("table", "details"):
            self.order.append([tag, None])
    def handle_endtag(self, tag):
        if tag not in self.open or not self.open[tag]:
            return
        start = self.open[tag].pop()
        body = "".join(self.text)[start:]
        if tag == "code":
            (self.pres if "pre" in self.stack else self.codes).append(norm(body))
        elif tag == "pre":
            self.pres.append(norm(body))
        elif tag == "li":
            self.items.append(norm(body))
        elif tag == "td":
            self.cells.append(norm(body))
        elif tag == "th" and self.order and self.order[-1][1] is None:
            self.order[-1][1] = norm(body)
        while self.stack and self.stack.pop() != tag:
            pass
    def handle_data(self, data):
        self.text.append(data)

p = Page()
p.feed(src)
text = norm("".join(p.text))
codes = set(p.codes)
doms = [d for d in rep["domains"]]
shown = [d for d in doms if d["edits"] or d["findings"]]
bad = []

def need(ok, msg):
    if not ok:
        bad.append(msg)

if what == "details":
    need(src.count("<details") == len(shown) and src.count("</details>") == len(shown),
         "%d <details> for %d domains with edits or findings"
         % (src.count("<details"), len(shown)))
elif what == "summary-first":
    need(p.order and p.order[0] == ["table", "#"],
         "the first table is not the summary: %r" % p.order[:2])
    first_table = src.split("</table>")[0]
    need(first_table.count("<tr>") == len(doms) + 1,
         "summary rows: %d, files: %d" % (first_table.count("<tr>") - 1, len(doms)))
elif what == "values":
    need(not [c for c in p.cells if c and c.strip("`") == ""],
         "a cell of bare backticks (an empty value as broken code)")
    for d in doms:
        for e in d["edits"]:
            for v in (e["old"], e["new"], e["xpath"], e["rule"]):
                if v:
                    need(norm(v) in codes, "value %r not an inline code" % v)
elif what == "reasons":
    for d in doms:
        for e in d["edits"]:
            need(norm(e["reason"]) in text, "reason lost: %r" % e["reason"])
elif what == "messages":
    for d in doms:
        for f in d["findings"]:
            m = norm(f["message"])
            need(any(m in li for li in p.items), "finding lost: %r" % m)
elif what == "commands":
    pres = set(p.pres)
    n = 0
    for d in doms:
        for f in d["findings"]:
            if f["host_action"]:
                n += 1
                need(norm(f["host_action"]) in pres,
                     "command not in a code block of its own: %r" % f["host_action"])
    need(n > 0, "no finding with a command: the test data lost its point")
elif what == "host-actions":
    pres = set(p.pres)
    for a in rep["host_actions"]:
        need(norm(a["command"]) in " ".join(pres), "host command: %r" % a["command"])
    if rep["kernel_cmdline"]:
        need(norm(rep["kernel_cmdline"]) in pres, "kernel command line not a block")
    for m in rep["hugetlbfs_mounts"]:
        need(any(norm(m) in x for x in pres), "mount not a block: %r" % m)
    need(rep["host_actions"], "no host actions: the test data lost its point")
elif what == "tags":
    allowed = {"h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td",
               "code", "pre", "ul", "li", "strong", "em", "details",
               "summary", "a"}
    need(p.tags <= allowed, "tags beyond GitHub's: %s" % sorted(p.tags - allowed))
elif what == "text":
    for s in extra:
        need(norm(s) in text, "lost: %r" % s)
elif what == "item":
    # every TEXT in one list item
    need(any(all(norm(s) in li for s in extra) for li in p.items),
         "no list item with all of %r" % extra)
else:
    bad.append("unknown check " + what)
for b in bad[:10]:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
chk() { /usr/bin/python3 check.py "$@"; }

# --- text survives: the examples and a domain full of Markdown syntax, on
# a host without hugepages (findings with fix commands, host actions)
mkdir -p in
cp "$root"/examples/domains/*.xml in/
weird='in/we|ird`name <x>.xml'
sed -e 's#<name>db01</name>#<name>we``ird|\&lt;b\&gt;\&amp;_x_ *y* ~z~ $a$</name>#' \
    -e 's#<driver name="qemu" type="raw"/>#<driver name="qemu" type="raw" cache="`a|b``"/>#' \
    -e '/<uuid>/d' "$root/examples/domains/db.xml" > "$weird"
args=(--host "$NP" --profile latency --set disk.cache.override=true)
"$VT" "${args[@]}" --report markdown in/*.xml > pr.md
"$VT" "${args[@]}" --report json in/*.xml > pr.json
render pr.md pr.html
check "renders: tables as <table>, folds as <details>" \
    sh -c "grep -q '^<table>' pr.html && grep -q '^<details><summary>' pr.html"
check "each domain's edits and findings in a <details>" chk details pr.json pr.html
check "the summary table first, a row per file" chk summary-first pr.json pr.html
check "every edit's rule, XPath and XML values as inline code" chk values pr.json pr.html
check "every reason survives (XML in prose as inline code)" chk reasons pr.json pr.html
check "every finding's message survives, in a list item" chk messages pr.json pr.html
check "every fix command in a code block of its own" chk commands pr.json pr.html
check "host actions as code blocks" chk host-actions pr.json pr.html
check "no raw tag but GitHub's own (no <cpu>, no strikethrough)" chk tags pr.json pr.html
check "file names and domain names survive" chk text pr.json pr.html \
    'we|ird`name <x>.xml' 'we``ird|<b>&_x_ *y* ~z~ $a$'
check "the escaped old value stays one cell" grep -q '<td><code>`a|b``</code></td>' pr.html

# --- files that could not be taken: shown in the table and a line each
printf '<domain type="kvm"><name>bad</name>\n<memory>1</memory>\n</domin>\n' > bad.xml
printf '<network><name>n</name></network>\n' > net.xml
"$VT" --host "$H" --skip-non-domain --report markdown "$root/examples/domains/db.xml" \
    bad.xml net.xml > fail.md 2> fail.err; rc=$?
"$VT" --host "$H" --skip-non-domain --report json "$root/examples/domains/db.xml" \
    bad.xml net.xml > fail.json 2> /dev/null
render fail.md fail.html
msg=$(sed -n 's/^vtune-xml: bad\.xml:3: //p' fail.err)
ndb=$(/usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["domains"][0]["edits"]))' fail.json)
check "a malformed file: exit 3, the others still reported ($ndb changes)" \
    sh -c "test $rc = 3 && grep -q '^| 1 | \`[^\`]*/db.xml\` | \`db01\` | $ndb | .* | changes due |\$' fail.md"
check "a malformed file: its row says it could not be read (exit 3)" \
    grep -q '<td>could not be read (exit 3)</td>' fail.html
check "a malformed file: its line, with the message and line number" \
    chk item fail.json fail.html bad.xml "line 3" "could not be read (exit 3)" "${msg:-no message}"
check "a skipped file: its row and why" sh -c \
    "grep -q '<td>skipped</td>' fail.html && /usr/bin/python3 check.py item fail.json fail.html net.xml 'skipped: its root element is <network>, not a libvirt <domain>'"
check "a failed batch renders no raw tag" chk tags fail.json fail.html

# --- the cap: 300 domains (non-ASCII names: UTF-16 is what counts)
mkdir many
for i in $(seq 1 100); do
    for d in db web win; do
        sed -e "s#<name>\([^<]*\)</name>#<name>\1-ü😀-$i</name>#" -e '/<uuid>/d' \
            "$root/examples/domains/$d.xml" > "many/$d-$i.xml"
    done
done
many=(many/*.xml)
"$VT" --host "$H" --report markdown "${many[@]}" > many.md
"$VT" --host "$H" --report json "${many[@]}" > many.json
render many.md many.html
units() { /usr/bin/python3 -c 'import sys; print(len(open(sys.argv[1], encoding="utf-8").read().encode("utf-16-le")) // 2)' "$1"; }
n=$(units many.md)
check "300 domains: under 65,536 UTF-16 code units ($n)" test "$n" -lt 65536
kept=$(grep -c '^<details' many.md)
last=$(tail -n 1 many.md)
# the cap first folds the tables of changes away (the findings stay),
# then drops whole details, from the least important
brief=$(grep -c 'was cut to stay under the comment limit' many.md)
gone=$((300 - kept)); what=""
if [ "$brief" -gt 0 ]; then
    if [ "$brief" = 1 ]; then what="1 domain's table of changes"; else what="$brief domains' tables of changes"; fi
fi
if [ "$gone" -gt 0 ]; then
    if [ "$gone" = 1 ]; then d="1 domain's details"; else d="$gone domains' details"; fi
    what="${what:+$what and }$d"
fi
cut="… $what cut to stay under GitHub's 65,536-character limit; run \`vtune-xml --report text\` with the same arguments for all."
check "300 domains: ends with the cut line, counting what it cut" test "$last" = "$cut"
check "300 domains: the summary table whole" chk summary-first many.json many.html
"$VT" --host "$H" --report json "${many[@]}" > many-report.json
# the cap keeps details by rank: infeasible findings, warnings, tuned,
# passed through; the command line's order within a rank
first=$(/usr/bin/python3 -c '
import json, sys
def rank(d):
    sev = [f["severity"] for f in d["findings"]]
    return 0 if "infeasible" in sev else 1 if "warning" in sev else 2 if d["tuned"] else 3
ds = [d for d in json.load(open(sys.argv[1]))["domains"] if d["edits"] or d["findings"]]
print(min(ds, key=rank)["file"])' many-report.json)
check "300 domains: the details kept are whole, the most important first" sh -c \
    "test $kept -gt 0 && test \$(grep -c '^</details>' many.md) = $kept && grep -m1 '^<details>' many.md | grep -qF '<code>$first</code>'"
"$VT" --host "$H" --report markdown "${many[@]}" > again.md
check "deterministic: the same run, the same bytes, cut at the same place" \
    sh -c "cmp -s many.md again.md && grep -q '^… [0-9]* domains. .* cut to stay' again.md"

# --- past the details: 1500 unreadable files, their lines then table
# rows cut from the end
mkdir lots
for i in $(seq 1 1500); do : > "lots/an-unreadable-domain-file-with-a-long-name-$i.xml"; done
lots=(lots/*.xml)
"$VT" --host "$H" --report markdown "${lots[@]}" > lots.md 2> /dev/null
n=$(units lots.md)
check "1500 failed files: under 65,536 UTF-16 code units ($n)" test "$n" -lt 65536
last=$(tail -n 1 lots.md)
rows=$(grep -c '^| [0-9]* | `lots/' lots.md)
check "1500 failed files: their lines, then table rows cut from the end, and said so" \
    test "${last%% cut to stay*}" = "… 1500 failed files' lines and $((1500 - rows)) table rows"
check "1500 failed files: the rows kept are the first ones" \
    grep -qxF "| 1 | \`${lots[0]}\` |  | | | | | could not be read (exit 3) |" lots.md

finish
