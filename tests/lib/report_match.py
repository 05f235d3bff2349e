#!/usr/bin/env python3
"""report_match.py write|check REPORT.json EXPECTED.report

The structural form of a JSON report (schemas/report.schema.json), so that
golden cases assert what was done, where and why, without repeating each
reason's wording: one JSON array a line,
  ["report", profile, host source, host kind]
  ["domain", file, name, changed, host actions of its findings]
  ["edit", rule, xpath, old, new, input line, reason pattern]
  ["finding", rule, severity, xpath, input line, host action, message pattern]
  ["host_action", node, size KiB, pages missing, command]
  ["kernel_cmdline", text or null]
A pattern is a Python regular expression the reason (or message) must
match (re.search). `write` makes one from the facts the reason states, in
order: its quoted values, parameter names, paths, hyphenated terms and
numbers; edit it by hand to pin wording
that matters. `check` exits 1 and prints the differences when REPORT does
not match EXPECTED.report."""
import json
import re
import sys

# the facts a reason states: quoted values ('custom', after a blank, '=' or
# '(' so that an apostrophe is not one), names with dots, slashes,
# underscores or '=' (rule parameters, paths), hyphenated terms
# (host-passthrough, virtio-blk) and numbers
FACT = re.compile(r"(?:(?<=[\s=(])|^)'[^'\s][^']*'(?!\w)"
                  r"|[A-Za-z_/][\w/-]*(?:[._=/][\w/-]+)+"
                  r"|[A-Za-z]\w*(?:-\w+)+"
                  r"|\d+(?:\.\d+)?")
META = re.compile(r"([.^$*+?{}\[\]\\|()])")


def pattern_of(text):
    """The facts of TEXT, in order, as a pattern: a number stands alone
    (\\b, or no digit beside it where a letter or a dot touches it); a
    reason that states no fact must not be empty (".")."""
    parts = []
    for m in FACT.finditer(text):
        tok = m.group(0)
        esc = META.sub(r"\\\1", tok)
        if tok[0].isdigit():
            before = text[m.start() - 1] if m.start() else " "
            after = text[m.end()] if m.end() < len(text) else " "
            if before.isalnum() or before in "._" or after.isalnum() or after in "._":
                esc = r"(?<!\d)" + esc + r"(?!\d)"
            else:
                esc = r"\b" + esc + r"\b"
        parts.append(esc)
    return ".*".join(parts) or "."


def records(report):
    """The structural records of REPORT, with None where a pattern goes."""
    host = report["host"]
    yield ["report", report["profile"], host["source"], host["kind"]], None
    for d in report["domains"]:
        yield (["domain", d["file"], d["name"], d["changed"],
                d["host_actions"]], None)
        for e in d["edits"]:
            yield (["edit", e["rule"], e["xpath"], e["old"], e["new"],
                    e["line"]], e["reason"])
        for f in d["findings"]:
            yield (["finding", f["rule"], f["severity"], f["xpath"],
                    f["line"], f["host_action"]], f["message"])
    for a in report["host_actions"]:
        yield ["host_action", a["node"], a["size_kib"], a["pages_missing"],
               a["command"]], None
    yield ["kernel_cmdline", report["kernel_cmdline"]], None


def write(report, out):
    with open(out, "w") as f:
        for rec, text in records(report):
            if text is not None:
                rec = rec + [pattern_of(text)]
            f.write(json.dumps(rec) + "\n")


def check(report, expected):
    want = [json.loads(line) for line in open(expected) if line.strip()]
    got = list(records(report))
    bad = []
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else None
        g = got[i] if i < len(got) else None
        if w is None or g is None:
            bad.append((i, w, g and g[0]))
            continue
        rec, text = g
        if text is None:
            ok = w == rec
        else:
            try:
                ok = w[:-1] == rec and re.search(w[-1], text) is not None
            except (re.error, TypeError):
                ok = False
        if not ok:
            bad.append((i, w, rec + ([text] if text is not None else [])))
    for i, w, g in bad[:5]:
        print(f"{expected}: record {i + 1}:\n  expected {json.dumps(w)}\n"
              f"  got      {json.dumps(g)}", file=sys.stderr)
    if len(bad) > 5:
        print(f"{expected}: {len(bad) - 5} more differences", file=sys.stderr)
    return 1 if bad else 0


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    report = json.load(open(sys.argv[2]))
    if sys.argv[1] == "write":
        write(report, sys.argv[3])
        return 0
    return check(report, sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
