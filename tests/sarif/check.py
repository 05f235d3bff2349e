#!/usr/bin/env python3
"""check.py - assertions on a vtune-xml SARIF log, for tests/sarif.sh.

  check.py valid SCHEMA LOG
      LOG follows the JSON schema SCHEMA (the OASIS SARIF 2.1.0 schema),
      formats ("uri", "uri-reference") included, and what SARIF 2.1.0
      requires beyond the schema: URI base ids (3.14.14), artifactLocation
      uriBaseId and index (3.4.4, 3.4.5), unique artifacts, a fix's
      artifactChanges on distinct artifacts (3.55.3), ruleIndex (3.27.6),
      columnKind (3.14.27), executionSuccessful false exactly when an error notification is
      there (3.20.21), no time stamps (deterministic output).
  check.py matches LOG JSON
      LOG has, for each domain of the --report json JSON of the same run,
      one result per edit (rule, XPath, line, old and new value, reason)
      with at most one fix, on that domain's file and described, and one
      result without a fix per finding (rule, level, XPath, line, host
      command), on that domain's file; and nothing else.
  check.py exact LOG NAME INPUT TUNED [NAME INPUT TUNED ...]
      The fixes are exact: for the file NAME (as given on the command
      line, "-" for stdin) read from INPUT, every change result (one with
      properties.xpath) has a fix when the file changes; applying the
      distinct replacements of its results' fixes to INPUT's bytes, from
      the bottom up, with their regions taken as SARIF 2.1.0 defines them
      (3.30: lines and columns; a mark of byte order is no character),
      gives TUNED byte for byte; and the "also carries N other edits" of
      each description counts the other results of the file with that
      fix.
  check.py uri LOG N URI [BASE]
      run.artifacts[N] is at URI, relative to uriBaseId BASE (absent:
      no uriBaseId), and so are the results and fixes of that file.
  check.py srcroot LOG
      originalUriBaseIds.SRCROOT is this process's directory as a file URI.
  check.py notified LOG LEVEL URI LINE SUCCESS
      one toolExecutionNotification of level LEVEL at URI (line LINE, 0:
      none), and executionSuccessful is SUCCESS (true or false).
  check.py clean LOG
      executionSuccessful true and no toolExecutionNotification.
  check.py count LOG N
      LOG has N results.
Prints the first few problems and exits 1 when an assertion fails.
"""
import json
import os
import re
import sys
import urllib.parse

problems = []
label = ""


def fail(msg):
    problems.append(msg)


def done():
    for p in problems[:5]:
        print(f"{label}: {p}", file=sys.stderr)
    if len(problems) > 5:
        print(f"{label}: ... {len(problems) - 5} more", file=sys.stderr)
    sys.exit(1 if problems else 0)


def load(path):
    global label
    label = label or path
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cwd_uri():
    return "file://" + urllib.parse.quote(os.getcwd().rstrip("/") + "/")


def expected_location(file):
    """(uri, uriBaseId) that vtune-xml gives the input FILE, worked out
    independently: relative to the directory when under it, else an
    absolute file URI; "-" is "stdin"."""
    if file == "-":
        return "stdin", None
    cwd = os.getcwd()
    path = os.path.normpath(os.path.join(cwd, file))
    if path.startswith(cwd.rstrip("/") + "/"):
        return urllib.parse.quote(os.path.relpath(path, cwd)), "SRCROOT"
    return "file://" + urllib.parse.quote(path), None


def art_key(al):
    return (al.get("uri"), al.get("uriBaseId"))


def walk(x, path=""):
    yield path, x
    if isinstance(x, dict):
        for k, v in x.items():
            yield from walk(v, f"{path}/{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from walk(v, f"{path}/{i}")


def run_of(log):
    runs = log.get("runs", [])
    if len(runs) != 1:
        fail(f"{len(runs)} runs, expected 1")
        done()
    return runs[0]


def cmd_valid(schema_path, log_path):
    import jsonschema   # here: the other commands run without it, quickly
    global label
    label = log_path
    schema = load(schema_path)
    log = load(log_path)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    checker = jsonschema.FormatChecker()
    for f in ("uri", "uri-reference"):
        if f not in checker.checkers:
            fail(f"this jsonschema cannot check format {f}: "
                 "apt-get install python3-rfc3987")
    for e in sorted(cls(schema, format_checker=checker).iter_errors(log),
                    key=lambda e: list(map(str, e.path))):
        fail(f"schema: /{'/'.join(map(str, e.path))}: {e.message[:300]}")
    if log.get("version") != "2.1.0":
        fail("version is not 2.1.0")
    run = run_of(log)
    bases = run.get("originalUriBaseIds", {})
    for name, al in bases.items():
        u = al.get("uri", "")
        p = urllib.parse.urlsplit(u)
        if not p.scheme or not u.endswith("/") or p.query or p.fragment \
                or ".." in p.path.split("/") or "uriBaseId" in al:
            fail(f"originalUriBaseIds.{name}: {u!r} is not an absolute "
                 "URI ending in / (3.14.14)")
    arts = run.get("artifacts", [])
    keys = [art_key(a["location"]) for a in arts]
    if len(set(keys)) != len(keys):
        fail("run.artifacts are not unique")
    for path, x in walk(run):
        if path.endswith("TimeUtc"):
            fail(f"{path}: a time stamp (the output is deterministic)")
        if not (isinstance(x, dict) and "uri" in x
                and ("artifactLocation" in path or path.endswith("/location"))):
            continue
        u = x["uri"]
        absolute = bool(urllib.parse.urlsplit(u).scheme)
        if absolute and "uriBaseId" in x:
            fail(f"{path}: absolute {u} with a uriBaseId (3.4.4)")
        if not absolute and "uriBaseId" not in x and u != "stdin":
            fail(f"{path}: relative {u} without a uriBaseId (3.4.4)")
        if "uriBaseId" in x and x["uriBaseId"] not in bases:
            fail(f"{path}: uriBaseId {x['uriBaseId']} is not in "
                 "originalUriBaseIds")
        if "index" in x:
            i = x["index"]
            if not 0 <= i < len(arts) or keys[i] != art_key(x):
                fail(f"{path}: index {i} is not the artifact {u} (3.4.5)")
        elif arts and art_key(x) in keys:
            fail(f"{path}: {u} is in run.artifacts but has no index (3.4.5)")
    if run.get("results") and run.get("columnKind") not in (
            "utf16CodeUnits", "unicodeCodePoints"):
        fail("results without run.columnKind (3.14.27)")
    rules = run["tool"]["driver"].get("rules", [])
    ids = [r["id"] for r in rules]
    if len(set(ids)) != len(ids):
        fail("rule ids are not unique")
    for i, res in enumerate(run.get("results", [])):
        rid, ri = res.get("ruleId"), res.get("ruleIndex")
        if rid not in ids:
            fail(f"results/{i}: ruleId {rid} is not a rule of the driver")
        if ri is None or not 0 <= ri < len(rules) or rules[ri]["id"] != rid:
            fail(f"results/{i}: ruleIndex {ri} is not rule {rid} (3.27.6)")
        for fix in res.get("fixes", []):
            ch = [art_key(c["artifactLocation"]) for c in fix["artifactChanges"]]
            if len(set(ch)) != len(ch):
                fail(f"results/{i}: a fix changes one artifact twice (3.55.3)")
    for inv in run.get("invocations", []):
        err = any(n.get("level") == "error"
                  for n in inv.get("toolExecutionNotifications", []))
        if inv["executionSuccessful"] == err:
            fail(f"executionSuccessful is {inv['executionSuccessful']} with"
                 f"{'' if err else 'out'} an error notification (3.20.21)")
    done()


LEVELS = {"infeasible": "error", "warning": "warning", "info": "note"}


def loc_of(res):
    loc = res["locations"][0]
    return loc["physicalLocation"], loc.get("logicalLocations", [{}])[0]


def is_change(res):
    """A result of an edit (its properties give the XPath), not of a
    finding."""
    return "xpath" in res.get("properties", {})


def cmd_matches(log_path, json_path):
    run = run_of(load(log_path))
    rep = load(json_path)
    results = run.get("results", [])
    seen = 0
    for d in rep["domains"]:
        key = expected_location(d["file"])
        mine = [r for r in results
                if art_key(loc_of(r)[0]["artifactLocation"]) == key]
        seen += len(mine)
        edits = [r for r in mine if is_change(r)]
        finds = [r for r in mine if not is_change(r)]
        where = f"{d['file']} ({key[0]})"
        if len(edits) != len(d["edits"]):
            fail(f"{where}: {len(edits)} change results for "
                 f"{len(d['edits'])} edits")
        if len(finds) != len(d["findings"]):
            fail(f"{where}: {len(finds)} other results for "
                 f"{len(d['findings'])} findings")
        for r in finds:
            if "fixes" in r:
                fail(f"{where}: finding {r['ruleId']} has a fix")
        for r, e in zip(edits, d["edits"]):
            phys, logical = loc_of(r)
            line = max(1, e["line"])
            what = f"{where}: edit {e['rule']} {e['xpath']}"
            if r["ruleId"] != e["rule"]:
                fail(f"{what}: ruleId {r['ruleId']}")
            if r.get("level") != "warning":
                fail(f"{what}: level {r.get('level')}, not warning")
            if e["reason"] not in r["message"]["text"]:
                fail(f"{what}: the message does not give the reason")
            if phys["region"].get("startLine") != line:
                fail(f"{what}: startLine {phys['region'].get('startLine')}, "
                     f"edit line {line}")
            if logical.get("fullyQualifiedName") != e["xpath"]:
                fail(f"{what}: logical location {logical}")
            if "fixes" not in r:
                continue        # cmd_exact says when one is due
            if len(r["fixes"]) != 1:
                fail(f"{what}: {len(r['fixes'])} fixes")
                continue
            fix = r["fixes"][0]
            if not fix.get("description", {}).get("text"):
                fail(f"{what}: the fix has no description")
            ch = fix["artifactChanges"]
            if len(ch) != 1 or ch[0]["artifactLocation"] != phys["artifactLocation"]:
                fail(f"{what}: the fix does not change the result's file")
                continue
            for rp in ch[0]["replacements"]:
                if "startLine" not in rp.get("deletedRegion", {}):
                    fail(f"{what}: a replacement without a line: {rp}")
            props = r.get("properties", {})
            if props.get("xpath") != e["xpath"] or props.get("old") != e["old"] \
                    or props.get("new") != e["new"]:
                fail(f"{what}: properties {props}")
        for r, f in zip(finds, d["findings"]):
            phys, logical = loc_of(r)
            what = f"{where}: finding {f['rule']} {f['xpath']}"
            if r["ruleId"] != f["rule"]:
                fail(f"{what}: ruleId {r['ruleId']}")
            if r.get("level") != LEVELS[f["severity"]]:
                fail(f"{what}: level {r.get('level')} for {f['severity']}")
            if f["message"] not in r["message"]["text"]:
                fail(f"{what}: the message is not the finding's")
            if phys["region"].get("startLine") != max(1, f["line"]):
                fail(f"{what}: startLine {phys['region'].get('startLine')}")
            if logical.get("fullyQualifiedName") != f["xpath"]:
                fail(f"{what}: logical location {logical}")
            act = f["host_action"]
            if act and act not in r["message"]["text"]:
                fail(f"{what}: the message lacks the host command")
            if r.get("properties", {}).get("hostAction") != act:
                fail(f"{what}: properties.hostAction is not {act!r}")
    if seen != len(results):
        fail(f"{len(results) - seen} results on no domain's file")
    done()


BOM = b"\xef\xbb\xbf"


class Text:
    """A text artifact as SARIF 2.1.0 3.30 sees it: lines that end after
    each newline ("\n", "\r\n" with it), columns in Unicode code points
    (run.columnKind unicodeCodePoints), a byte order mark outside every
    line."""

    def __init__(self, data):
        self.data = data
        self.starts = [3 if data.startswith(BOM) else 0]
        for i, b in enumerate(data):
            if b == 0x0A and i + 1 < len(data):
                self.starts.append(i + 1)

    def line(self, n):
        """The text of line N (1-based), its newline included."""
        if not 1 <= n <= len(self.starts):
            raise ValueError(f"no line {n} ({len(self.starts)} lines)")
        end = self.starts[n] if n < len(self.starts) else len(self.data)
        return self.data[self.starts[n - 1]:end].decode("utf-8")

    def offset(self, n, col):
        """The byte offset of line N, column COL."""
        text = self.line(n)
        if not 1 <= col <= len(text) + 1:
            raise ValueError(f"no column {col} on line {n} ({text!r})")
        return self.starts[n - 1] + len(text[:col - 1].encode("utf-8"))

    def span(self, region):
        """The bytes [start, end) of a line/column text region, with the
        defaults of 3.30.5-3.30.8."""
        if any(k in region for k in ("charOffset", "charLength",
                                     "byteOffset", "byteLength")):
            raise ValueError(f"not a line/column region: {region}")
        sl = region["startLine"]
        sc = region.get("startColumn", 1)
        el = region.get("endLine", sl)
        if "endColumn" in region:
            ec = region["endColumn"]
        else:       # one past the last character, the newline excluded
            ec = len(self.line(el).rstrip("\n").rstrip("\r")) + 1
        start, end = self.offset(sl, sc), self.offset(el, ec)
        if end < start:
            raise ValueError(f"a region that ends before it starts: {region}")
        return start, end


def cmd_exact(log_path, *triples):
    run = run_of(load(log_path))
    results = run.get("results", [])
    if not triples or len(triples) % 3:
        raise ValueError("expected NAME INPUT TUNED triples")
    for name, inp, tuned in zip(*[iter(triples)] * 3):
        key = expected_location(name)
        with open(inp, "rb") as f:
            data = f.read()
        with open(tuned, "rb") as f:
            want = f.read()
        mine = [r for r in results
                if art_key(loc_of(r)[0]["artifactLocation"]) == key]
        changes = [r for r in mine if is_change(r)]
        where = f"{name} ({key[0]})"
        reps = {}       # distinct replacements: JSON -> replacement
        groups = {}     # fix (its replacements) -> its results
        for r in changes:
            what = f"{where}: {r['ruleId']} {r['properties']['xpath']}"
            fixes = r.get("fixes", [])
            if not fixes:
                if data != want:
                    fail(f"{what}: a change result without a fix")
                continue
            if len(fixes) != 1 or len(fixes[0]["artifactChanges"]) != 1:
                fail(f"{what}: not one fix of one artifactChange")
                continue
            ac = fixes[0]["artifactChanges"][0]
            if art_key(ac["artifactLocation"]) != key:
                fail(f"{what}: the fix changes {art_key(ac['artifactLocation'])}")
                continue
            mine_reps = [json.dumps(x, sort_keys=True) for x in ac["replacements"]]
            for k, x in zip(mine_reps, ac["replacements"]):
                reps[k] = x
            groups.setdefault(tuple(mine_reps), []).append(r)
        spans = []
        text_in = Text(data)
        for k, x in reps.items():
            try:
                s, e = text_in.span(x["deletedRegion"])
            except (KeyError, ValueError, UnicodeDecodeError) as err:
                fail(f"{where}: replacement {k}: {err}")
                continue
            spans.append((s, e, x.get("insertedContent", {}).get("text", ""),
                          x["deletedRegion"]))
        spans.sort(key=lambda t: (t[0], t[1]))
        for a, b in zip(spans, spans[1:]):
            if b[0] < a[1] or (b[0] == a[0] == a[1] == b[1]):
                fail(f"{where}: distinct replacements overlap (bytes {a[:2]} "
                     f"and {b[:2]}): {a[3]} and {b[3]}")
        out = data
        for s, e, text, _ in reversed(spans):
            out = out[:s] + text.encode("utf-8") + out[e:]
        if out != want:
            n = next((i for i, (x, y) in enumerate(zip(out, want)) if x != y),
                     min(len(out), len(want)))
            fail(f"{where}: the fixes applied give {len(out)} bytes, not the "
                 f"tuned XML's {len(want)}; first difference at byte {n}: "
                 f"{out[max(0, n - 40):n + 40]!r} for "
                 f"{want[max(0, n - 40):n + 40]!r}")
        for fix, rs in groups.items():
            for r in rs:
                text = r["fixes"][0].get("description", {}).get("text", "")
                m = re.search(r"also carries (\d+) other edit", text)
                said = int(m.group(1)) if m else 0
                if said != len(rs) - 1:
                    fail(f"{where}: {r['properties']['xpath']}: the fix says "
                         f"{said} other edits, {len(rs) - 1} results share it")
    done()


def cmd_uri(log_path, n, uri, base=None):
    run = run_of(load(log_path))
    arts = run.get("artifacts", [])
    n = int(n)
    if n >= len(arts):
        fail(f"no run.artifacts[{n}]")
        done()
    al = arts[n]["location"]
    if art_key(al) != (uri, base):
        fail(f"artifacts[{n}] is {art_key(al)}, expected {(uri, base)}")
    for path, x in walk(run):
        if isinstance(x, dict) and x.get("index") == n and "artifactLocation" in path \
                and art_key(x) != (uri, base):
            fail(f"{path}: {art_key(x)}, expected {(uri, base)}")
    done()


def cmd_srcroot(log_path):
    run = run_of(load(log_path))
    got = run.get("originalUriBaseIds", {}).get("SRCROOT", {}).get("uri")
    if got != cwd_uri():
        fail(f"SRCROOT is {got}, expected {cwd_uri()}")
    done()


def cmd_notified(log_path, level, uri, line, success):
    run = run_of(load(log_path))
    invs = run.get("invocations", [])
    if len(invs) != 1:
        fail(f"{len(invs)} invocations")
        done()
    inv = invs[0]
    if inv.get("executionSuccessful") != (success == "true"):
        fail(f"executionSuccessful is {inv.get('executionSuccessful')}")
    found = 0
    for n in inv.get("toolExecutionNotifications", []):
        if n.get("level") != level:
            continue
        for loc in n.get("locations", []):
            phys = loc.get("physicalLocation", {})
            if phys.get("artifactLocation", {}).get("uri") != uri:
                continue
            got = phys.get("region", {}).get("startLine", 0)
            if got == int(line) and n["message"]["text"]:
                found += 1
    if found != 1:
        fail(f"{found} {level} notifications at {uri}:{line}; the "
             f"notifications: {inv.get('toolExecutionNotifications')}")
    done()


def cmd_clean(log_path):
    run = run_of(load(log_path))
    invs = run.get("invocations", [])
    if len(invs) != 1 or invs[0].get("executionSuccessful") is not True \
            or invs[0].get("toolExecutionNotifications"):
        fail(f"not a clean invocation: {invs}")
    done()


def cmd_count(log_path, n):
    run = run_of(load(log_path))
    if len(run.get("results", [])) != int(n):
        fail(f"{len(run.get('results', []))} results, expected {n}")
    done()


cmds = {"valid": cmd_valid, "matches": cmd_matches, "exact": cmd_exact,
        "uri": cmd_uri,
        "srcroot": cmd_srcroot, "notified": cmd_notified, "clean": cmd_clean,
        "count": cmd_count}
try:
    cmds[sys.argv[1]](*sys.argv[2:])
except (KeyError, IndexError, TypeError, ValueError) as e:
    print(f"check.py {' '.join(sys.argv[1:2])}: {type(e).__name__}: {e}",
          file=sys.stderr)
    sys.exit(1)
