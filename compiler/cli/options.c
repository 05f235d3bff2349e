/*
 * options.c - the option table (see options.h).
 */
#include "options.h"
#include "alloc.h"
#include "strbuf.h"

#include <getopt.h>
#include <string.h>

const vt_option cli_options[] = {
    {"host", O_HOST, required_argument, "host and policy", "--host SRC",
     "hwloc XML, libvirt capabilities XML, JSON snapshot,\n"
     "or synthetic:DESC; default: this machine"},
    {"profile", O_PROFILE, required_argument, NULL, "--profile P",
     "balanced (default), latency, throughput, migratable"},
    {"policy", O_POLICY, required_argument, NULL, "--policy FILE",
     "policy JSON (schemas/policy.schema.json)"},
    {"enable", O_ENABLE, required_argument, NULL, "--enable RULE",
     "turn a rule on (\"all\": every rule)"},
    {"disable", O_DISABLE, required_argument, NULL, "--disable RULE",
     "turn a rule off (\"all\": output = input)"},
    {"set", O_SET, required_argument, NULL, "--set RULE.P=V",
     "set a rule parameter"},
    {"diff", O_DIFF, no_argument,
     "output (default: the tuned XML on stdout)", "--diff",
     "unified diff (a/ b/) instead of the XML"},
    {"check", O_CHECK, no_argument, NULL, "--check",
     "print the diff; exit 1 when changes are due"},
    {"explain", O_EXPLAIN, no_argument, NULL, "--explain",
     "the XML on stdout, the rationale on stderr"},
    {"color", O_COLOR, required_argument, NULL, "--color WHEN",
     "auto (a terminal, no NO_COLOR), always, never"},
    {"report", O_REPORT, required_argument, NULL, "--report FMT",
     "report on stdout: text, json, markdown, sarif"},
    {"output", 'o', required_argument, NULL, "-o OUT",
     "write the XML to OUT (DIR/ for several domains)"},
    {"in-place", 'i', no_argument, NULL, "-i",
     "rewrite each DOMAIN.xml in place"},
    {"strict", O_STRICT, no_argument, NULL, "--strict",
     "exit 5 when a rule could not do what is asked"},
    {"connect", 'c', required_argument, NULL, "-c URI",
     "libvirt connection: its domains' CPUs are taken;\n"
     "its capabilities are the host when --host is absent"},
    {"apply", O_APPLY, no_argument, NULL, "--apply [--dry-run]",
     "define the result on -c URI (validated by libvirt)"},
    {"dry-run", O_DRY_RUN, no_argument, NULL, NULL, NULL},
    {"validate", O_VALIDATE, optional_argument, NULL, "--validate[=output]",
     "check against libvirt's schema: the input and the\n"
     "output (=output: only the tool's edits); default off"},
    {"no-validate", O_NO_VALIDATE, no_argument, NULL, NULL, NULL},
    {"help", 'h', no_argument, NULL, "-h, --help",
     "this text;  --version  the version"},
    {"version", O_VERSION, no_argument, NULL, NULL, NULL},
    {"list-rules", O_LIST, optional_argument, NULL, NULL, NULL},
    {NULL, 0, 0, NULL, NULL, NULL},
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
