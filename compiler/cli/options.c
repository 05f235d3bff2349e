/*
 * options.c - the option table (see options.h).
 */
#include "options.h"
#include "alloc.h"
#include "strbuf.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const vt_option cli_options[] = {
    {"host", O_HOST, required_argument, "host and policy", "--host SRC",
     "hwloc XML, libvirt capabilities XML, JSON snapshot,\n"
     "or synthetic:DESC; default: this machine", NULL},
    {"profile", O_PROFILE, required_argument, NULL, "--profile P",
     "balanced (default), latency, throughput,\n"
     "migratable, realtime", NULL},
    {"policy", O_POLICY, required_argument, NULL, "--policy FILE",
     "policy JSON (schemas/policy.schema.json)", NULL},
    {"enable", O_ENABLE, required_argument, NULL, "--enable RULE",
     "turn a rule on (\"all\": every rule)", NULL},
    {"disable", O_DISABLE, required_argument, NULL, "--disable RULE",
     "turn a rule off (\"all\": output = input)", NULL},
    {"set", O_SET, required_argument, NULL, "--set RULE.P=V",
     "set a rule parameter", NULL},
    {"diff", O_DIFF, no_argument,
     "output (default: the tuned XML on stdout)", "--diff",
     "unified diff (a/ b/) instead of the XML", NULL},
    {"check", O_CHECK, no_argument, NULL, "--check",
     "print the diff; exit 1 when changes are due", NULL},
    {"explain", O_EXPLAIN, no_argument, NULL, "--explain",
     "the XML on stdout, the rationale on stderr", NULL},
    {"color", O_COLOR, required_argument, NULL, "--color WHEN",
     "auto (a terminal, no NO_COLOR), always, never", "auto|always|never"},
    {"report", O_REPORT, required_argument, NULL, "--report FMT",
     "report on stdout: text, json, markdown, sarif",
     "text|json|markdown|sarif"},
    {"output", 'o', required_argument, NULL, "-o OUT | -i",
     "write the XML to OUT (DIR/ for several); -i: in place", NULL},
    {"in-place", 'i', no_argument, NULL, NULL, NULL, NULL},
    {"strict", O_STRICT, no_argument, NULL, "--strict",
     "exit 5 when a rule could not do what is asked", NULL},
    {"skip-non-domain", O_SKIP_NON_DOMAIN, no_argument, NULL,
     "--skip-non-domain", "pass over XML files that are not <domain>s", NULL},
    {"quiet", 'q', no_argument, NULL, "-q, --quiet",
     "no notes on stderr (errors still)", NULL},
    {"connect", 'c', required_argument, NULL, "-c URI",
     "libvirt connection: its domains' CPUs are taken;\n"
     "its capabilities are the host when --host is absent", NULL},
    {"apply", O_APPLY, no_argument, NULL, "--apply [--dry-run]",
     "define the result on -c URI (validated by libvirt)", NULL},
    {"dry-run", O_DRY_RUN, no_argument, NULL, NULL, NULL, NULL},
    {"validate", O_VALIDATE, optional_argument, NULL, "--validate[=output]",
     "input and output against libvirt's schema (=output:\n"
     "only the tool's edits); default off", "all|output"},
    {"no-validate", O_NO_VALIDATE, no_argument, NULL, NULL, NULL, NULL},
    {"help", 'h', no_argument, NULL, "-h, --help",
     "this text;  --version  the version", NULL},
    {"version", O_VERSION, no_argument, NULL, NULL, NULL, NULL},
    {"list-rules", O_LIST, optional_argument, NULL, NULL, NULL,
     "text|markdown|json"},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};

static const char help_head[] =
"usage: vtune-xml [options] DOMAIN.xml|- ...   tune libvirt domain XML\n"
"       vtune-xml snapshot [--host SRC] [-o FILE]   JSON snapshot of a host\n"
"       vtune-xml --list-rules[=text|markdown|json]\n"
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
        if (!o->synopsis)
            continue;
        const char *h = o->help;
        size_t n = strcspn(h, "\n");
        strbuf_addf(&sb, "  %-19s %.*s\n", o->synopsis, (int)n, h);
        for (h += n; *h == '\n'; h += n) {
            h++;
            n = strcspn(h, "\n");
            strbuf_addf(&sb, "  %-19s %.*s\n", "", (int)n, h);
        }
    }
    strbuf_adds(&sb, help_tail);
    return strbuf_detach(&sb, NULL);
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
