/*
 * cli.c - parses the command line (getopt_long, over the option table of
 * options.c) into vt_cli and checks the combinations that make no sense;
 * see cli.h.
 */
#include "cli.h"
#include "alloc.h"
#include "error.h"
#include "options.h"
#include "suggest.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(VT_PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (vtune-xml --help shows the usage)\n", stderr);
    va_end(ap);
    return VT_EXIT_USAGE;
}

static void add_op(vt_cli *o, enum vt_cli_op_kind k, const char *arg)
{
    o->ops = xrealloc(o->ops, (size_t)(o->nops + 1) * sizeof *o->ops);
    o->ops[o->nops++] = (vt_cli_op){k, arg};
}

/* "unknown option '--chek'; did you mean '--check'?" */
static int unknown_option(const char *arg)
{
    const char *names[64];
    int n = options_names(names, 64);
    char word[64];
    snprintf(word, sizeof word, "%s", arg + strspn(arg, "-"));
    word[strcspn(word, "=")] = '\0';
    char msg[160] = "";
    if (arg[0] == '-' && arg[1] == '-')
        suggest_append(msg, sizeof msg, word, names, (size_t)n);
    if (msg[0])
        return usage_error("unknown option '%s'; did you mean '--%s'?", arg,
                           suggest_closest(word, names, (size_t)n));
    return usage_error("unknown option '%s'", arg);
}

static const char *command_name(unsigned cmd)
{
    return cmd == C_SNAPSHOT ? "snapshot" : cmd == C_EXPLAIN ? "explain"
           : cmd == C_FIT ? "fit" : "tuning";
}

int cli_parse(int argc, char **argv, vt_cli *o)
{
    memset(o, 0, sizeof *o);
    o->timeout = -1;
    int first = 1;
    unsigned cmd = C_TUNE;
    if (argc > 1 && strcmp(argv[1], "snapshot") == 0) {
        o->snapshot = 1;
        cmd = C_SNAPSHOT;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "fit") == 0) {
        o->fit = 1;
        cmd = C_FIT;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "explain") == 0) {
        o->explain_rules = 1;
        cmd = C_EXPLAIN;
        first = 2;
    }
    optind = first;
    opterr = 0;
    int ch;
    const char *shortopts;
    const struct option *longopts = options_getopt(&shortopts);
    /* options may follow file names, as with git (getopt_long permutes
     * argv unless POSIXLY_CORRECT is set) */
    while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const vt_option *opt = options_by_id(ch);
        char err[256];
        if (opt && !(opt->cmds & cmd))
            return usage_error("%s does not take %s%s (an option of %s)",
                               cmd == C_TUNE ? "tuning" : command_name(cmd),
                               opt->id < 256 ? "-" : "--", opt->id < 256
                               ? (char[2]){(char)opt->id, 0} : opt->name,
                               opt->cmds & C_TUNE ? "vtune-xml DOMAIN.xml"
                               : "snapshot");
        if (opt && optarg && options_check_choice(opt, optarg, err,
                                                  sizeof err) < 0)
            return usage_error("%s", err);
        switch (ch) {
        case O_HOST:
            o->host = optarg;
            o->hosts = xrealloc(o->hosts, (size_t)(o->nhosts + 1) *
                                          sizeof *o->hosts);
            o->hosts[o->nhosts++] = optarg;
            break;
        case O_PROFILE: o->profile = optarg; break;
        case O_POLICY: o->policy = optarg; break;
        case O_ENABLE: add_op(o, OP_ENABLE, optarg); break;
        case O_DISABLE: add_op(o, OP_DISABLE, optarg); break;
        case O_SET: add_op(o, OP_SET, optarg); break;
        case O_DIFF: o->diff = 1; break;
        case O_CHECK: o->check = 1; break;
        case O_EXPLAIN: o->explain = 1; break;
        case O_REPORT: o->report = optarg; break;
        case O_STRICT: o->strict = 1; break;
        case O_APPLY: o->apply = 1; break;
        case O_DRY_RUN: o->dry_run = 1; break;
        case O_VALIDATE:
            o->validate = optarg && !strcmp(optarg, "output") ? 2 : 1;
            break;
        case O_COLOR: o->color = optarg; break;
        case O_NO_VALIDATE: o->validate = 0; break;
        case 'c': o->uri = optarg; break;
        case 'o': o->out = optarg; break;
        case 'i': o->inplace = 1; break;
        case 'q': o->quiet = 1; break;
        case O_NO_CONFIG: o->no_config = 1; break;
        case O_SKIP_NON_DOMAIN: o->skip_non_domain = 1; break;
        case O_LIST: o->list_rules = optarg ? optarg : "text"; break;
        case 'h': o->help = optarg ? optarg : "text"; break;
        case O_VERSION: o->version = 1; break;
        case O_FORCE: o->force = 1; break;
        case O_ALL: o->all = 1; break;
        case O_TIMEOUT: {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || errno || v < 0 || v > 86400 ||
                !isdigit((unsigned char)*optarg))
                return usage_error("--timeout %s: expected whole seconds "
                                   "from 0 (none) to 86400", optarg);
            o->timeout = v;
            break;
        }
        case ':':
            return usage_error("option %s needs a value", argv[optind - 1]);
        default:
            /* an unknown letter in a cluster (-zzz): name the letter,
             * not the word getopt has not moved past */
            if (optopt > 0 && optopt < 256) {
                /* getopt_long sets optopt to 0 for an unknown long one */
                char letter[3] = {'-', (char)optopt, '\0'};
                return unknown_option(letter);
            }
            return unknown_option(argv[optind - 1]);
        }
    }
    o->inputs = argv + optind;
    o->ninputs = argc - optind;
    if (o->help || o->version || o->list_rules)
        return 0;
    if (o->explain_rules) {
        if (!o->ninputs)
            return usage_error("%s", "explain needs a rule id (vtune-xml "
                               "--list-rules lists them)");
        return 0;
    }

    if (o->fit) {
        if (!o->ninputs)
            return usage_error("%s", "fit needs a domain (fit --host SRC "
                               "DOMAIN.xml...)");
        if (o->uri && o->nhosts > 1)
            return usage_error("%s", "fit: -c URI describes one host; give "
                               "one --host with it, or none");
        if (o->report && strcmp(o->report, "text") && strcmp(o->report,
                                                             "json"))
            return usage_error("fit --report %s: expected text or json",
                               o->report);
        return 0;
    }
    if (o->snapshot) {
        if (o->ninputs)
            return usage_error("snapshot takes no file argument ('%s'); "
                               "use --host SRC", o->inputs[0]);
        return 0;
    }
    if (o->all) {
        if (o->ninputs)
            return usage_error("--all takes the domains of -c URI, no "
                               "file ('%s')", o->inputs[0]);
        if (!o->uri)
            return usage_error("%s", "--all takes the domains defined on "
                               "-c URI: give the URI");
        if (o->out || o->inplace)
            return usage_error("--all writes no file: leave out %s",
                               o->out ? "-o" : "-i");
        if (!o->check && !o->diff && !o->report && !o->apply)
            return usage_error("%s", "--all: give --check, --diff, "
                               "--report FORMAT or --apply");
        /* the checks below hold for it as for files */
    } else if (o->ninputs == 0)
        return usage_error("%s", "no domain given (a file, or - for stdin)");
    int stdin_count = 0;
    for (int i = 0; i < o->ninputs; i++)
        stdin_count += strcmp(o->inputs[i], "-") == 0;
    if (stdin_count > 1)
        return usage_error("%s", "'-' (stdin) given more than once");
    if (o->out && o->inplace)
        return usage_error("%s", "-o and -i exclude each other");
    if ((o->check || o->diff) && (o->out || o->inplace))
        return usage_error("%s %s writes nothing: it only shows what would "
                           "change; leave out %s", o->check ? "--check"
                           : "--diff", o->out ? "-o" : "-i", o->out ? "-o"
                           : "-i");
    if (o->inplace && stdin_count)
        return usage_error("%s", "-i cannot rewrite stdin in place");
    if (o->diff + o->check > 1 || (o->diff && o->report))
        return usage_error("%s", "--diff, --check and --report choose one "
                           "output; give one of them");
    if (o->dry_run && !o->apply)
        return usage_error("%s", "--dry-run goes with --apply");
    /* --apply --dry-run takes what --apply takes: with several domains
     * it says what it would define, without their XML */
    int to_stdout = !o->out && !o->inplace && !o->diff && !o->check &&
                    !o->report && !o->apply;
    if (o->ninputs > 1 && to_stdout)
        return usage_error("%s", "several domains: give -o DIR/, -i, "
                           "--diff, --check or --report");
    return 0;
}

void cli_free(vt_cli *o)
{
    free(o->ops);
    o->ops = NULL;
    free(o->hosts);
    o->hosts = NULL;
}
