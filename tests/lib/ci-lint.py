#!/usr/bin/python3
"""ci-lint.py KIND FILE [ARGS] - the checks of tests/ci-lint.sh that read
YAML (python3-yaml). Prints one line per check, "ok NAME" or "FAIL NAME:
why", and exits 1 when any failed.

  action ACTION.YML                  the composite action's metadata
  synth ACTION.YML OUT.YML           OUT: a workflow made of the action's
                                     steps, for actionlint
  runs ACTION.YML DIR                each run: block as DIR/N.sh, for shellcheck
  workflow WORKFLOW.YML ACTION.YML   the example workflow
  gitlab GITLAB-CI.YML OUT.SH        the GitLab job; OUT.SH: its
                                     before_script (OUT.SH.before) and
                                     script (OUT.SH.script) as shell
  hooks HOOKS.YAML                   the pre-commit hooks' settings
  codequality REPORT.JSON ROOT       a GitLab Code Quality report
"""
import json
import os
import re
import sys

import yaml

failed = 0


def check(name, ok, why=""):
    global failed
    if ok:
        print("ok " + name)
    else:
        failed += 1
        print("FAIL %s%s" % (name, ": " + why if why else ""))
    return ok


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def text(path):
    with open(path) as f:
        return f.read()


def steps_of(action):
    return (action.get("runs") or {}).get("steps") or []


def cmd_action(path):
    a = load(path)
    raw = text(path)
    check("action: name and description", bool(a.get("name")) and bool(a.get("description")))
    check("action: a composite action", (a.get("runs") or {}).get("using") == "composite")
    inputs = a.get("inputs") or {}
    check("action: every input described",
          all(isinstance(v, dict) and v.get("description") for v in inputs.values()),
          ", ".join(k for k, v in inputs.items() if not (isinstance(v, dict) and v.get("description"))))
    for want in ("domains", "host", "profile", "policy", "args", "upload-sarif",
                 "comment", "version"):
        check("action: input " + want, want in inputs)
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", raw))
    check("action: every input used is declared", used <= set(inputs), ", ".join(sorted(used - set(inputs))))
    check("action: every input declared is used", set(inputs) <= used, ", ".join(sorted(set(inputs) - used)))
    steps = steps_of(a)
    ids = [s.get("id") for s in steps if s.get("id")]
    refs = set(re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", raw))
    check("action: outputs refer to steps that exist", refs <= set(ids), ", ".join(sorted(refs - set(ids))))
    for i, s in enumerate(steps):
        if "run" in s:
            check("action: step %d has a shell" % (i + 1), bool(s.get("shell")))
            check("action: step %d has no ${{ }} in its script (env: instead)" % (i + 1),
                  "${{" not in s["run"])
    runs = [s for s in steps if "run" in s]
    check("action: the logic is scripts/ci-action",
          any("$GITHUB_ACTION_PATH/scripts/ci-action\" check" in s["run"] for s in runs) and
          any("$GITHUB_ACTION_PATH/scripts/ci-action\" install" in s["run"] for s in runs))
    root = os.path.dirname(os.path.abspath(path))
    check("action: scripts/ci-action is there and executable",
          os.access(os.path.join(root, "scripts", "ci-action"), os.X_OK))
    up = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    check("action: uploads the SARIF with github/codeql-action/upload-sarif", len(up) == 1)
    if up:
        check("action: the upload runs whether or not changes are due (always())",
              "always()" in str(up[0].get("if", "")))
        check("action: the upload only when asked", "inputs.upload-sarif" in str(up[0].get("if", "")))
        check("action: the upload takes the check's SARIF",
              "steps.check.outputs.sarif" in str((up[0].get("with") or {}).get("sarif_file", "")))
    if steps:
        last = steps[-1]
        check("action: the job fails in the last step, after the reports",
              "exit 1" in str(last.get("run", "")) and "always()" in str(last.get("if", "")))
    check("action: the check step keeps going to the last step",
          any("|| rc=$?" in s.get("run", "") for s in runs))
    check("action: the build is without tests", "BUILD_TESTING=OFF" in text(os.path.join(root, "scripts", "ci-action")))


def cmd_synth(path, out):
    a = load(path)
    ins = {}
    for k, v in (a.get("inputs") or {}).items():
        ins[k] = {"type": "string", "required": False,
                  "default": str((v or {}).get("default", ""))}
    # ${{ github.token }} is no default a workflow_call input may have
    for k in ins:
        if "${{" in ins[k]["default"]:
            ins[k]["default"] = ""
    wf = {"name": "the action's steps", "on": {"workflow_call": {"inputs": ins}},
          "permissions": {"contents": "read", "security-events": "write",
                          "pull-requests": "write"},
          "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps_of(a)}}}
    with open(out, "w") as f:
        yaml.safe_dump(wf, f, sort_keys=False)
    print("ok synth: %d steps" % len(steps_of(a)))


def cmd_runs(path, outdir):
    n = 0
    for s in steps_of(load(path)):
        if "run" in s:
            n += 1
            body = re.sub(r"\$\{\{[^}]*\}\}", "X", s["run"])
            with open(os.path.join(outdir, "%d.sh" % n), "w") as f:
                f.write("#!/bin/bash\n" + body)
    print("ok runs: %d" % n)


GITHUB_VARS = re.compile(r"^(GITHUB_\w+|RUNNER_\w+|CI|HOME|PATH|PWD|USER|TMPDIR|RANDOM|ImageOS)$")


def cmd_workflow(path, action_path):
    w = load(path)
    a = load(action_path)
    on = w.get("on", w.get(True))
    events = set(on) if isinstance(on, (dict, list)) else {on}
    check("workflow: runs on pull requests", "pull_request" in events)
    jobs = w.get("jobs") or {}
    check("workflow: one job at least", len(jobs) >= 1)
    for jn, job in jobs.items():
        perms = dict(w.get("permissions") or {})
        perms.update(job.get("permissions") or {})
        check("workflow %s: permissions contents: read" % jn, perms.get("contents") in ("read", "write"))
        check("workflow %s: permissions security-events: write (the SARIF upload)" % jn,
              perms.get("security-events") == "write")
        check("workflow %s: permissions pull-requests: write (the comment)" % jn,
              perms.get("pull-requests") == "write")
        steps = job.get("steps") or []
        env = set((w.get("env") or {})) | set((job.get("env") or {}))
        mine = [s for s in steps if re.match(r"^(\./|[\w.-]+/vtune-xml@)", str(s.get("uses", "")))]
        check("workflow %s: uses the vtune-xml action" % jn, len(mine) >= 1)
        inputs = a.get("inputs") or {}
        for s in mine:
            given = set((s.get("with") or {}))
            check("workflow %s: gives only the action's inputs" % jn, given <= set(inputs),
                  ", ".join(sorted(given - set(inputs))))
            req = {k for k, v in inputs.items() if (v or {}).get("required")}
            check("workflow %s: gives the required inputs" % jn, req <= given, ", ".join(sorted(req - given)))
            check("workflow %s: the comment is on" % jn,
                  str((s.get("with") or {}).get("comment", "true")) == "true")
        seen_check = False
        for i, s in enumerate(steps):
            run = s.get("run", "")
            senv = env | set((s.get("env") or {}))
            for v in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", re.sub(r"\$\{\{[^}]*\}\}", "", run)):
                check("workflow %s step %d: $%s is defined" % (jn, i + 1, v),
                      v in senv or GITHUB_VARS.match(v) or re.search(r"\b%s=" % v, run))
            if re.search(r"\bcmake\s+-S\s", run):
                check("workflow %s step %d: the build needs no cmocka (BUILD_TESTING=OFF or libcmocka-dev)" % (jn, i + 1),
                      "BUILD_TESTING=OFF" in run or "libcmocka-dev" in " ".join(str(x.get("run", "")) for x in steps))
            if seen_check:
                check("workflow %s step %d: runs when --check failed (always())" % (jn, i + 1),
                      "always()" in str(s.get("if", "")) or "failure()" in str(s.get("if", "")))
            if "--check" in run:
                seen_check = True
            if "GITHUB_STEP_SUMMARY" in run and "--report markdown" in run:
                check("workflow %s step %d: the report goes to a comment, not only the summary" % (jn, i + 1), False)


def cmd_gitlab(path, out):
    g = load(path)
    jobs = {k: v for k, v in g.items() if isinstance(v, dict) and ("script" in v)}
    check("gitlab: one job", len(jobs) == 1, ", ".join(jobs))
    if not jobs:
        return
    name, job = next(iter(jobs.items()))
    image = job.get("image", g.get("image", ""))
    if isinstance(image, dict):
        image = image.get("name", "")
    check("gitlab: a Debian 12 image", bool(re.match(r"^debian:(12|bookworm)", str(image))), str(image))
    rep = ((job.get("artifacts") or {}).get("reports") or {}).get("codequality")
    check("gitlab: artifacts: reports: codequality: gl-code-quality-report.json",
          rep == "gl-code-quality-report.json" or rep == ["gl-code-quality-report.json"], str(rep))
    check("gitlab: the artifact also when the job fails (when: always)",
          (job.get("artifacts") or {}).get("when") == "always")
    before = job.get("before_script") or []
    script = job.get("script") or []
    allx = "\n".join(before + script)
    check("gitlab: builds without the tests (BUILD_TESTING=OFF)", "-DBUILD_TESTING=OFF" in allx)
    q = [i for i, l in enumerate(script) if "--report codequality" in l and "gl-code-quality-report.json" in l]
    c = [i for i, l in enumerate(script) if "--check" in l]
    check("gitlab: writes the report with --report codequality", len(q) == 1)
    check("gitlab: runs --check", len(c) == 1)
    check("gitlab: the report before the check (it is there when the check fails)", q and c and q[0] < c[0])
    variables = g.get("variables") or {}
    used = set(re.findall(r"\$\{?(VTUNE_XML_\w+)", allx))
    check("gitlab: every VTUNE_XML_ variable is defined", used <= set(variables), ", ".join(sorted(used - set(variables))))
    with open(out + ".vars", "w") as f:
        for k, v in variables.items():
            f.write("export %s=%s\n" % (k, shq(str(v))))
    with open(out + ".before", "w") as f:
        f.write("set -e\n" + "\n".join(before) + "\n")
    with open(out + ".script", "w") as f:
        f.write("set -e\n" + "\n".join(script) + "\n")


def shq(s):
    return "'" + s.replace("'", "'\\''") + "'"


def cmd_hooks(path):
    hooks = load(path)
    ids = {h["id"]: h for h in hooks}
    check("hooks: vtune-xml-check", "vtune-xml-check" in ids)
    check("hooks: vtune-xml-tune", "vtune-xml-tune" in ids)
    for h in hooks:
        i = h["id"]
        check("hooks %s: require_serial: true" % i, h.get("require_serial") is True)
        check("hooks %s: passes over non-domain XML (--skip-non-domain in the entry)" % i,
              "--skip-non-domain" in h.get("entry", ""))
        rx = re.compile(h.get("files", ""))
        for p in ("domains/a.xml", "domain/a.xml", "vms/a.xml", "infra/libvirt/qemu/a.xml", "x/domains/b/c.xml"):
            check("hooks %s: files matches %s" % (i, p), bool(rx.search(p)))
        for p in ("a.xml", "hosts/lstopo.xml", "pom.xml", "src/domains.xml", "domains/a.json"):
            check("hooks %s: files does not match %s" % (i, p), not rx.search(p))
    if "vtune-xml-check" in ids:
        check("hooks: the check hook checks", "--check" in ids["vtune-xml-check"]["entry"])
    if "vtune-xml-tune" in ids:
        check("hooks: the tune hook rewrites in place", re.search(r"(^|\s)-i(\s|$)", ids["vtune-xml-tune"]["entry"]) is not None)


def cmd_codequality(path, root):
    with open(path) as f:
        r = json.load(f)
    check("codequality: a JSON array", isinstance(r, list))
    if not isinstance(r, list):
        return
    sev = {"info", "minor", "major", "critical", "blocker"}
    bad = []
    for e in r:
        loc = e.get("location") or {}
        lines = loc.get("lines") or {}
        if not (isinstance(e.get("description"), str) and e["description"]
                and isinstance(e.get("check_name"), str) and e["check_name"]
                and isinstance(e.get("fingerprint"), str) and e["fingerprint"]
                and e.get("severity") in sev
                and isinstance(loc.get("path"), str)
                and os.path.isfile(os.path.join(root, loc["path"]))
                and not loc["path"].startswith(("/", "./"))
                and isinstance(lines.get("begin"), int) and lines["begin"] >= 1):
            bad.append(e)
    check("codequality: every entry has description, check_name, fingerprint, severity, location.path (a file, relative), location.lines.begin",
          not bad, json.dumps(bad[:1]))
    fps = [e.get("fingerprint") for e in r]
    check("codequality: fingerprints unique", len(set(fps)) == len(fps))
    print("entries %d changes due %d" % (len(r), sum(e.get("severity") == "minor" for e in r)))


kind = sys.argv[1]
{"action": cmd_action, "synth": cmd_synth, "runs": cmd_runs,
 "workflow": cmd_workflow, "gitlab": cmd_gitlab, "hooks": cmd_hooks,
 "codequality": cmd_codequality}[kind](*sys.argv[2:])
sys.exit(1 if failed else 0)
