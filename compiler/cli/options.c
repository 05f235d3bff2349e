/*
 * options.c - the option table (see options.h), and what is generated
 * from it: --help, the OPTIONS sections of the man page and of
 * doc/vtune-xml.md, and the words bash completion offers.
 */
#include "options.h"
#include "alloc.h"
#include "strbuf.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define T C_TUNE
#define S C_SNAPSHOT
#define F C_FIT

const vt_option cli_options[] = {
    {"host", O_HOST, required_argument, "host and policy", "--host SRC",
     "hwloc XML, libvirt capabilities XML, JSON snapshot,\n"
     "or synthetic:DESC; default: this machine", NULL, T | S | F, A_FILE,
     "The host the domains will run on. SRC is a file whose content "
     "decides its kind: an hwloc 2.x (or 1.x) XML topology (`lstopo --of "
     "xml`), a libvirt capabilities document (`virsh capabilities`), or a "
     "JSON snapshot (`vtune-xml snapshot`); or `synthetic:DESC`, an hwloc "
     "synthetic description (`synthetic:pack:2 numa:1 core:8 pu:2`; at "
     "most 16,384 CPUs and 4,096 NUMA nodes). "
     "Without `--host`, the capabilities of `-c URI` when given, else the "
     "machine vtune-xml runs on (hwloc, sysfs and /proc/cpuinfo)."},
    {"profile", O_PROFILE, required_argument, NULL, "--profile P",
     "balanced (default), latency, throughput,\n"
     "migratable, realtime",
     "balanced|latency|throughput|migratable|realtime", T | F, A_VALUE,
     "`balanced` (default), `latency`, `throughput`, `migratable` or "
     "`realtime` (after libvirt's kbase \"KVM real time\": one vCPU per "
     "core, SCHED_FIFO vCPUs but vCPU 0, no PMU, hugepages, no balloon, "
     "and the host's isolcpus and RT throttling as findings). Each rule "
     "lists the profiles it is on in."},
    {"policy", O_POLICY, required_argument, NULL, "--policy FILE",
     "policy JSON (schemas/policy.schema.json); default:\n"
     ".vtune-xml.json in the domain's folder or above", NULL, T | F, A_FILE,
     "A policy JSON file (schemas/policy.schema.json): `profile`, `rules` "
     "(each `true`, `false` or an object with `enabled` and parameters), "
     "`reserved_cpus`, `guest` and `hostdev` requests. Without it, the "
     "first `.vtune-xml.json` found in the first domain's folder or a "
     "folder above it (up to the root or a folder with `.git`) is the "
     "policy, as `.shellcheckrc` is found; the report names the file. The "
     "command line is applied after it."},
    {"no-config", O_NO_CONFIG, no_argument, NULL, "--no-config",
     "ignore .vtune-xml.json files", NULL, T | F, A_NONE,
     "Do not look for `.vtune-xml.json`."},
    {"enable", O_ENABLE, required_argument, NULL, "--enable RULE",
     "turn a rule on (\"all\": every rule)", NULL, T | F, A_RULE,
     "Turn a rule on; `all` means every rule. Applied in command-line "
     "order with `--disable`, so `--disable all --enable cpu.mode` runs "
     "only cpu.mode."},
    {"disable", O_DISABLE, required_argument, NULL, "--disable RULE",
     "turn a rule off (\"all\": output = input)", NULL, T | F, A_RULE,
     "Turn a rule off; `--disable all` gives the input back byte for "
     "byte."},
    {"set", O_SET, required_argument, NULL, "--set RULE.P=V",
     "set a rule parameter", NULL, T | F, A_PARAM,
     "Set a rule parameter, e.g. `--set cpu.mode.override=true`. Values "
     "are checked against the parameter's type and range; a mistyped rule "
     "or parameter gets a suggestion. `--set guest.os=windows` (`linux`, "
     "`other`) names the guest OS of domains whose libosinfo metadata "
     "does not."},
    {"diff", O_DIFF, no_argument,
     "output (default: the tuned XML on stdout)", "--diff",
     "unified diff (a/ b/) instead of the XML", NULL, T, A_NONE,
     "Print a unified diff instead of the XML, with paths as git writes "
     "them (`a/` and `b/` before the path without its leading `/`, in "
     "C-style quotes when it holds a newline, a quote or a byte beyond "
     "ASCII), 3 lines of context; `git apply` and `patch -p1` accept it. "
     "Nothing is printed for a domain that does not change; with `-i` or "
     "`-o` it is a usage error (it writes nothing)."},
    {"check", O_CHECK, no_argument, NULL, "--check",
     "print the diff; exit 1 when changes are due", NULL, T, A_NONE,
     "As `--diff`, and exit 1 when any domain would change (0 when all "
     "are tuned already). The findings that kept a domain from being "
     "tuned as asked (infeasible) are printed on stderr, one line each: "
     "`vtune-xml: FILE:LINE: not tuned as asked: RULE: message`. "
     "With `--report`, the report is printed instead of the diff; with "
     "`-i` or `-o` it is a usage error (it writes nothing). A file "
     "that cannot be read does not hide the others: each is reported, "
     "and the exit code is the first failure's."},
    {"explain", O_EXPLAIN, no_argument, NULL, "--explain",
     "the XML on stdout, the rationale on stderr", NULL, T, A_NONE,
     "Also print the rationale (the text report) on stderr. To read about "
     "a rule, use `vtune-xml explain RULE`."},
    {"report", O_REPORT, required_argument, NULL, "--report FMT",
     "report: text, json, markdown, sarif, codequality",
     "text|json|markdown|sarif|codequality", T | F, A_VALUE,
     "Print the report instead of the XML: every edit and every finding, "
     "then the run's host actions when a hugepage pool is short (a command "
     "per node and size, the kernel command-line alternative, the "
     "hugetlbfs mounts libvirt needs). `json` follows "
     "schemas/report.schema.json; `markdown` is a pull-request comment; "
     "`sarif` is SARIF 2.1.0 for code scanning; `codequality` is GitLab "
     "Code Quality for merge requests."},
    {"color", O_COLOR, required_argument, NULL, "--color WHEN",
     "auto (a terminal, no NO_COLOR), always, never", "auto|always|never",
     T, A_VALUE, "Color the diff and the text report: `auto` (default: "
     "on a terminal, unless NO_COLOR is set), `always` or `never`."},
    {"output", 'o', required_argument, NULL, "-o, --output OUT",
     "write to OUT (DIR/ for several domains, created)", NULL, T | S,
     A_FILE, "Write the XML (the snapshot, for `snapshot`) to OUT instead "
     "of stdout, atomically (a temporary file in the same folder, then "
     "rename). With several domains OUT is a folder, ending in `/`, "
     "created when missing; each domain keeps its base name."},
    {"in-place", 'i', no_argument, NULL, "-i, --in-place",
     "rewrite each domain file in place", NULL, T, A_NONE,
     "Rewrite each DOMAIN in place, atomically, keeping its owner, group, "
     "mode and extended attributes; a symlink is followed and kept, and a "
     "file with other hard links is rewritten in place so that they see "
     "the new content. A read-only file is refused (exit 2) unless "
     "`--force`."},
    {"force", O_FORCE, no_argument, NULL, "--force",
     "replace a read-only -o or -i file", NULL, T | S, A_NONE,
     "Replace an existing `-o` or `-i` file that is read-only (no write "
     "permission bit, or none for this user): without it such a file is "
     "refused (exit 2) before anything is read, as `cp` and editors "
     "refuse it."},
    {"strict", O_STRICT, no_argument, NULL, "--strict",
     "exit 5 when a rule could not do what is asked", NULL, T, A_NONE,
     "Exit 5 when a rule recorded an infeasible finding (it could not do "
     "what the policy asks, e.g. a domain that does not fit the host). "
     "Each such finding is printed on stderr as `FILE:LINE: --strict: "
     "RULE: message`; the diff or report is still printed, and nothing is "
     "written to any file."},
    {"skip-non-domain", O_SKIP_NON_DOMAIN, no_argument, NULL,
     "--skip-non-domain", "pass over XML files that are not <domain>s",
     NULL, T, A_NONE, "Pass over well-formed XML files whose root is not "
     "`<domain>` (host topologies, networks) with a note on stderr, "
     "instead of refusing them (exit 3): for hooks fed every XML file."},
    {"quiet", 'q', no_argument, NULL, "-q, --quiet",
     "no notes on stderr (errors still)", NULL, T | S | F, A_NONE,
     "No notes on stderr: skipped files, and the findings `--check` "
     "prints. Errors are still printed."},
    {"connect", 'c', required_argument, "libvirt", "-c, --connect URI",
     "libvirt connection: its domains' CPUs are taken;\n"
     "its capabilities are the host when --host is absent", NULL, T | S | F,
     A_URI, "A libvirt connection (`qemu:///system`, `test:///default`, "
     "...), opened read-only. The CPUs and memory of the domains defined "
     "there are taken as used (a domain being tuned replaces its old "
     "definition of the same name); without `--host`, its capabilities "
     "describe the host."},
    {"all", O_ALL, no_argument, NULL, "--all",
     "tune every domain defined on -c URI (a drift check)", NULL, T,
     A_NONE,
     "Instead of DOMAIN files, take every domain defined on `-c URI`, as "
     "libvirt keeps it (its inactive definition, `virsh dumpxml "
     "--inactive`), and tune them together on the connection's host "
     "(this machine read live, free hugepages and isolcpus included, when "
     "the URI is a daemon of this machine; else the connection's "
     "capabilities; `--host` overrides both): the domains that pin "
     "themselves first, then the others by name, each accounting what "
     "the earlier ones take. Each is named `URI#NAME`. With `--check`: "
     "a line per domain on stderr, `tuned`, `drifted (N changes)` or "
     "`not tuned: REASON`, the diffs on stdout, exit 1 when one drifted. "
     "With `--diff` or `--report FORMAT`: the same, as that output. With "
     "`--apply`: defines the drifted ones (all or none, as `--apply` "
     "does); a running domain keeps its live state, and its new "
     "definition takes effect at its next start. Needs `-c` and one of "
     "`--check`, `--diff`, `--report` or `--apply`; takes no DOMAIN, "
     "`-i` or `-o`."},
    {"timeout", O_TIMEOUT, required_argument, NULL, "--timeout SECONDS",
     "bound each libvirt call (default 30 s, 0: none)", NULL, T | S | F, A_VALUE,
     "Bound connecting to `-c URI` and every libvirt call after it to "
     "SECONDS (default 30, at most 86400; `0` waits for ever). libvirt's "
     "client has no bound of its own: a host that accepts the connection "
     "and never answers, or a black-holed address, would hold a "
     "provisioning pipeline for minutes. A call without an answer in time "
     "is one line naming the URI and what was asked, and exit 4 (reading "
     "the host) or 6 (`--apply`: whether libvirt defined the domain it "
     "was defining is then not known, and the domains the run defined "
     "before it stay defined); no file is written."},
    {"apply", O_APPLY, no_argument, NULL, "--apply",
     "define the result on -c URI (validated by libvirt)", NULL, T, A_NONE,
     "Define each result on `-c URI` (libvirt's default URI without `-c`) "
     "with `virDomainDefineXMLFlags(..., VIR_DOMAIN_DEFINE_VALIDATE)`, all "
     "through one connection and before any file is written; prints "
     "`defined NAME (UUID)` per domain. Two domains of the run with one "
     "name or UUID are a usage error. libvirt's refusal is its message on "
     "stderr and exit 6: the domains the run defined before are undone (a "
     "replaced one gets its old definition back) and no file is written."},
    {"dry-run", O_DRY_RUN, no_argument, NULL, "--dry-run",
     "with --apply: check against the connection's\n"
     "domcapabilities, print the XML, define nothing", NULL, T, A_NONE,
     "With `--apply`: check each result against the connection's "
     "domain capabilities (`virsh domcapabilities` for its emulator, "
     "architecture, machine and virt type: TPM models and versions, "
     "firmware, disk buses, io modes, features); each mismatch is an "
     "error (exit 6) before anything is defined. Otherwise print the XML "
     "that would be defined, and what, where, on stderr."},
    {"validate", O_VALIDATE, optional_argument, NULL,
     "--validate[=all|output]",
     "check against libvirt's schema: input and output,\n"
     "or only the tool's edits (=output)", "all|output", T, A_VALUE,
     "Check against libvirt's domain RelaxNG schema "
     "(`/usr/share/libvirt/schemas/domain.rng`, or `VTUNE_XML_SCHEMA`) "
     "before anything is written; errors are `FILE:LINE: message`. "
     "`--validate` (`=all`) requires the input to be valid (exit 3 "
     "otherwise) and the tuned XML too. `--validate=output` judges only "
     "vtune-xml's edits: when the input itself is not valid, the "
     "elements vtune-xml changed must be. An output the tool broke is a "
     "bug in a rule: exit 70, naming it; an output with elements newer "
     "than the installed libvirt is exit 2, naming both versions. No "
     "schema to load is exit 2. Off by default: validating a large "
     "domain costs six times what tuning it does (`doc/performance.md`), "
     "and `--apply` has libvirt validate what it defines."},
    {"no-validate", O_NO_VALIDATE, no_argument, NULL, "--no-validate",
     "no schema check (the default)", NULL, T, A_NONE,
     "No schema check (the default)."},
    {"list-rules", O_LIST, optional_argument, "information",
     "--list-rules [FMT] [RULE]",
     "the rules (FMT: text, markdown, json), or those\n"
     "named (an id, or a family: cpu)",
     "text|markdown|json", C_ANY, A_VALUE,
     "The rules' metadata: id, summary, profiles, parameters with "
     "defaults, reference. FMT (`--list-rules=json` or `--list-rules "
     "json`) is `text` (default), `markdown` (what doc/rules.md holds) or "
     "`json`; RULE names limit it to those rules (`cpu.pin`), or to a "
     "family (`cpu`)."},
    {"help", 'h', optional_argument, NULL, "-h, --help",
     "this text (=man, =markdown: the manual's options;\n"
     "=completion: the words bash completion offers)",
     "text|man|markdown|completion", C_ANY, A_VALUE,
     "The usage and every option. "
     "`--help=man` and `--help=markdown` print this manual's OPTIONS "
     "section, `--help=completion` the words bash completion offers: all "
     "three are generated from the one option table."},
    {"version", O_VERSION, no_argument, NULL, "--version",
     "the version", NULL, C_ANY, A_NONE, "The version."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, 0, A_NONE, NULL},
};

#undef T
#undef S
#undef F

static const char help_head[] =
"usage: vtune-xml [options] DOMAIN.xml|- ...   tune libvirt domain XML\n"
"       vtune-xml snapshot [--host SRC|-c URI] [-o FILE]   JSON snapshot\n"
"       vtune-xml fit [--host SRC]... DOMAIN.xml...        how many fit, tuned\n"
"       vtune-xml explain RULE ...   what a rule does, its parameters\n"
"\n";

static const char help_tail[] =
"\n"
"exit: 0 ok, 1 --check found changes, 2 usage, 3 bad domain,\n"
"      4 bad host or policy, 5 infeasible (--strict), 6 libvirt rejected\n";

const vt_option *options_by_id(int id)
{
    for (const vt_option *o = cli_options; o->name; o++)
        if (o->id == id)
            return o;
    return NULL;
}

int options_check_choice(const vt_option *o, const char *arg, char *err,
                         size_t n)
{
    size_t len = strlen(arg);
    for (const char *c = o->choices; c && *c;) {
        size_t k = strcspn(c, "|");
        if (k == len && !strncmp(c, arg, len))
            return 0;
        c += k + (c[k] == '|');
    }
    if (!o->choices)
        return 0;
    /* "expected a, b or c" from "a|b|c" */
    vt_strbuf sb;
    strbuf_init(&sb);
    for (const char *c = o->choices; *c;) {
        size_t k = strcspn(c, "|");
        const char *next = c + k + (c[k] == '|');
        strbuf_addf(&sb, "%s%.*s", c == o->choices ? "" : !strchr(next, '|')
                    && !*next ? " or " : ", ", (int)k, c);
        c = next;
    }
    if (o->has_arg == optional_argument)
        snprintf(err, n, "--%s=%s: expected %s", o->name, arg, sb.buf);
    else
        snprintf(err, n, "--%s '%s': expected %s", o->name, arg, sb.buf);
    strbuf_free(&sb);
    return -1;
}

char *options_help(void)
{
    vt_strbuf sb;
    strbuf_init(&sb);
    strbuf_adds(&sb, help_head);
    for (const vt_option *o = cli_options; o->name; o++) {
        if (o->section)
            strbuf_addf(&sb, "%s:\n", o->section);
        const char *h = o->help;
        size_t n = strcspn(h, "\n");
        int wide = strlen(o->synopsis) > 21;
        if (wide)
            strbuf_addf(&sb, "  %s\n  %-21s %.*s\n", o->synopsis, "",
                        (int)n, h);
        else
            strbuf_addf(&sb, "  %-21s %.*s\n", o->synopsis, (int)n, h);
        for (h += n; *h == '\n'; h += n) {
            h++;
            n = strcspn(h, "\n");
            strbuf_addf(&sb, "  %-21s %.*s\n", "", (int)n, h);
        }
    }
    strbuf_adds(&sb, help_tail);
    return strbuf_detach(&sb, NULL);
}

/* Appends TEXT wrapped at WIDTH columns, each line after the first
 * starting with INDENT; ESC (roff) escapes as it goes. */
static void wrap(vt_strbuf *sb, const char *text, int width,
                 const char *indent, int roff)
{
    int col = 0, code = 0;
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, " ");
        /* the width of the word as printed */
        int w = (int)n;
        if (col && col + 1 + w > width) {
            strbuf_addf(sb, "\n%s", indent);
            col = (int)strlen(indent);
        } else if (col) {
            strbuf_adds(sb, " ");
            col++;
        }
        if (roff && (*p == '.' || *p == '\'') && (col == 0 ||
                                                  col == (int)strlen(indent)))
            strbuf_adds(sb, "\\&");
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            if (!roff)
                strbuf_addf(sb, "%c", c);
            else if (c == '`')
                strbuf_adds(sb, (code = !code) ? "\\fB" : "\\fR");
            else if (c == '-')
                strbuf_adds(sb, "\\-");
            else if (c == '\\')
                strbuf_adds(sb, "\\e");
            else
                strbuf_addf(sb, "%c", c);
        }
        col += w;
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* A synopsis in roff: options bold, arguments (upper case) italic. */
static void roff_synopsis(vt_strbuf *sb, const char *syn)
{
    for (const char *p = syn; *p;) {
        size_t n = strcspn(p, " ,|[]=");
        int arg = n && p[0] >= 'A' && p[0] <= 'Z';
        if (n)
            strbuf_adds(sb, arg ? "\\fI" : "\\fB");
        for (size_t i = 0; i < n; i++)
            strbuf_adds(sb, p[i] == '-' ? "\\-" : (char[2]){p[i], 0});
        if (n)
            strbuf_adds(sb, "\\fR");
        p += n;
        if (*p)
            strbuf_addf(sb, "%c", *p++);
    }
}

char *options_doc(int format)
{
    vt_strbuf sb;
    strbuf_init(&sb);
    for (const vt_option *o = cli_options; o->name; o++) {
        if (format == DOC_MAN) {
            strbuf_adds(&sb, ".TP\n");
            roff_synopsis(&sb, o->synopsis);
            strbuf_adds(&sb, "\n");
            wrap(&sb, o->doc, 72, "", 1);
            strbuf_adds(&sb, "\n");
        } else {
            strbuf_addf(&sb, "%s`%s`\n: ", o == cli_options ? "" : "\n",
                        o->synopsis);
            wrap(&sb, o->doc, 74, "  ", 0);
            strbuf_adds(&sb, "\n");
        }
    }
    return strbuf_detach(&sb, NULL);
}

char *options_completion(void)
{
    static const char *const kinds[] = {"none", "file", "value", "rule",
                                        "param", "uri"};
    vt_strbuf sb;
    strbuf_init(&sb);
    for (const vt_option *o = cli_options; o->name; o++) {
        /* the commands that take it, comma-joined ("tune,fit") */
        static const struct { unsigned bit; const char *name; } names[] = {
            {C_TUNE, "tune"}, {C_SNAPSHOT, "snapshot"}, {C_FIT, "fit"}};
        char cmds[64] = "any";
        if (o->cmds != C_ANY) {
            cmds[0] = '\0';
            for (size_t k = 0; k < sizeof names / sizeof *names; k++)
                if (o->cmds & names[k].bit)
                    snprintf(cmds + strlen(cmds), sizeof cmds - strlen(cmds),
                             "%s%s", *cmds ? "," : "", names[k].name);
        }
        char opt[40];
        snprintf(opt, sizeof opt, "--%s%s", o->name,
                 o->has_arg == required_argument ? "" : o->has_arg ==
                 optional_argument ? "[=]" : "");
        strbuf_addf(&sb, "%s %s %s", cmds, opt, kinds[o->arg]);
        if (o->id < 256)
            strbuf_addf(&sb, " -%c", o->id);
        else
            strbuf_adds(&sb, " -");
        for (const char *c = o->choices; c && *c;) {
            size_t k = strcspn(c, "|");
            strbuf_addf(&sb, " %.*s", (int)k, c);
            c += k + (c[k] == '|');
        }
        strbuf_adds(&sb, "\n");
    }
    return strbuf_detach(&sb, NULL);
}

int options_names(const char **names, int max)
{
    int n = 0;
    for (const vt_option *o = cli_options; o->name && n < max; o++)
        names[n++] = o->name;
    return n;
}

const void *options_getopt(const char **shortopts)
{
    static struct option longopts[sizeof cli_options / sizeof cli_options[0]];
    static char shorts[2 * sizeof cli_options / sizeof cli_options[0] + 2];
    if (!longopts[0].name) {
        size_t k = 0, s = 0;
        shorts[s++] = ':';      /* a missing value is ':', not '?' */
        for (const vt_option *o = cli_options; o->name; o++, k++) {
            longopts[k] = (struct option){o->name, o->has_arg, NULL, o->id};
            if (o->id < 256) {
                shorts[s++] = (char)o->id;
                if (o->has_arg == required_argument)
                    shorts[s++] = ':';
            }
        }
    }
    *shortopts = shorts;
    return longopts;
}
