/*
 * tune.c - the main job: read the policy and the host, then for each
 * domain parse -> inspect -> run the rules -> emit, and only when every
 * domain succeeded, write the outputs (atomically) and print the XML, the
 * diff or the report.
 */
#include "cmd.h"
#include "domdoc.h"
#include "alloc.h"
#include "color.h"
#include "connection.h"
#include "diff.h"
#include "domcaps.h"
#include "domain.h"
#include "error.h"
#include "quote.h"
#include "file.h"
#include "host.h"
#include "job.h"
#include "policy.h"
#include "report.h"
#include "schema.h"
#include "stdout.h"
#include "strbuf.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The .vtune-xml.json that governs INPUT: the first found in its folder
 * or a folder above, stopping after the root or a folder holding .git
 * (a repository's top), as .shellcheckrc is found; NULL when none.
 * Owned by the caller. */
static char *find_config(const char *input)
{
    char *dir;
    if (!strcmp(input, "-") || !strchr(input, '/'))
        dir = getcwd(NULL, 0);
    else {
        char *copy = xstrdup(input);
        *strrchr(copy, '/') = '\0';
        dir = realpath(*copy ? copy : "/", NULL);
        free(copy);
    }
    while (dir) {
        char *cand = xasprintf("%s/.vtune-xml.json", strcmp(dir, "/") ? dir
                               : "");
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
            free(dir);
            return cand;
        }
        free(cand);
        char *git = xasprintf("%s/.git", dir);
        int top = access(git, F_OK) == 0 || !strcmp(dir, "/");
        free(git);
        if (top)
            break;
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    free(dir);
    return NULL;
}

/* The policy file of the run: --policy, else the .vtune-xml.json of the
 * domains (the same for all of them), else none. Returns 0 and *PATH
 * (NULL: none; owned by the caller), or a usage error. */
static int config_path(const vt_cli *o, char **path)
{
    *path = NULL;
    if (o->policy) {
        *path = xstrdup(o->policy);
        return 0;
    }
    if (o->no_config)
        return 0;
    if (o->all) {           /* the connection's domains: the working folder's */
        *path = find_config("-");
        return 0;
    }
    for (int i = 0; i < o->ninputs; i++) {
        char *c = find_config(o->inputs[i]);
        if (i == 0)
            *path = c;
        else if ((c == NULL) != (*path == NULL) ||
                 (c && strcmp(c, *path) != 0)) {
            int rc = vt_fail(VT_EXIT_USAGE, o->inputs[i], 0, "its "
                             ".vtune-xml.json (%s) is not that of %s (%s): "
                             "tune them in separate runs, or give --policy "
                             "or --no-config", c ? quoted(c) : "none",
                             quoted(o->inputs[0]),
                             *path ? quoted(*path) : "none");
            free(c);
            free(*path);
            *path = NULL;
            return rc;
        } else
            free(c);
    }
    return 0;
}

/* Builds the policy from --profile, --policy (or .vtune-xml.json) and
 * --enable/--disable/--set. Returns 0 or an exit code (messages
 * printed); *SOURCE is the policy file used, NULL for none. */
int cmd_build_policy(const vt_cli *o, vt_policy **out, char **source)
{
    vt_policy *p = policy_new();
    char err[512];
    int rc = config_path(o, source);
    if (!rc && *source)
        rc = policy_load(p, *source);
    if (!rc && o->profile && policy_set_profile(p, o->profile) < 0)
        rc = vt_fail(VT_EXIT_USAGE, NULL, 0, "--profile '%s': expected "
                     "balanced, latency, throughput, migratable or realtime",
                     o->profile);
    for (int i = 0; !rc && i < o->nops; i++) {
        const vt_cli_op *op = &o->ops[i];
        int r = op->kind == OP_SET
                    ? policy_set(p, op->arg, err, sizeof err)
                    : policy_enable(p, op->arg, op->kind == OP_ENABLE, err,
                                    sizeof err);
        if (r < 0)
            rc = vt_fail(VT_EXIT_USAGE, NULL, 0, "%s%s", op->kind == OP_SET
                         ? "" : op->kind == OP_ENABLE ? "--enable: "
                         : "--disable: ", err);
    }
    if (rc) {
        policy_free(p);
        free(*source);
        *source = NULL;
        return rc;
    }
    *out = p;
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where job J's XML goes: -i rewrites the input, -o DIR/ takes the base
 * name, -o FILE is the file; NULL means stdout. */
static int destination(const vt_cli *o, vt_job *j)
{
    if (o->inplace) {
        j->dest = xstrdup(j->input);
        return 0;
    }
    if (!o->out)
        return 0;
    size_t n = strlen(o->out);
    int dir = (n && o->out[n - 1] == '/') || is_dir(o->out);
    if (!dir) {
        if (o->ninputs > 1)
            return vt_fail(VT_EXIT_USAGE, o->out, 0, "several domains need "
                           "-o to name a folder (end it with /)");
        j->dest = xstrdup(o->out);
        return 0;
    }
    if (strcmp(j->input, "-") == 0)
        return vt_fail(VT_EXIT_USAGE, o->out, 0, "-o DIR/ needs file "
                       "names; stdin has none");
    const char *base = strrchr(j->input, '/');
    j->dest = xasprintf("%s%s%s", o->out, dir && o->out[n - 1] != '/' ? "/"
                        : "", base ? base + 1 : j->input);
    return 0;
}

/* 1 when paths A and B are the same file (device and inode). */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return strcmp(a, "-") && strcmp(b, "-") && stat(a, &sa) == 0 &&
           stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* The same file named twice (x.xml ./x.xml, or a hard link) would be
 * tuned as two domains sharing the host, and an output that is an input
 * of the run (-o . , -o x.xml x.xml) would replace it unasked: both are
 * usage errors, before anything is read. */
static int check_paths(const vt_cli *o, const vt_job *jobs, int n)
{
    for (int i = 0; i < n; i++) {
        unsigned mode;
        if (!o->force && jobs[i].dest && file_read_only(jobs[i].dest, &mode))
            return vt_fail(VT_EXIT_USAGE, jobs[i].dest, 0, "is read-only "
                           "(mode %04o): --force replaces it", mode);
        for (int k = 0; k < i; k++)
            if (same_file(jobs[i].input, jobs[k].input))
                return vt_fail(VT_EXIT_USAGE, jobs[i].input, 0, "is the "
                               "same file as %s: give each domain once",
                               quoted(jobs[k].input));
        for (int k = 0; !o->inplace && jobs[i].dest && k < n; k++)
            if (same_file(jobs[i].dest, jobs[k].input))
                return vt_fail(VT_EXIT_USAGE, jobs[i].dest, 0, "the output "
                               "of %s would replace the input %s: use -i to "
                               "rewrite inputs in place",
                               quoted(jobs[i].input), quoted(jobs[k].input));
    }
    return 0;
}

/* Colors for FD under --color WHEN: auto colors a terminal unless
 * NO_COLOR is set (https://no-color.org). */
static int use_color(const char *when, int fd)
{
    if (when && !strcmp(when, "always"))
        return 1;
    if (when && !strcmp(when, "never"))
        return 0;
    const char *nc = getenv("NO_COLOR");
    return isatty(fd) && !(nc && *nc);
}

/* Writes SB to F, colored by PAINT when COLOR. */
/* Writes SB to F (stdout through its checked writer), colored by PAINT
 * when COLOR. */
static void put(FILE *f, const vt_strbuf *sb, int color,
                void (*paint)(const vt_strbuf *, vt_strbuf *))
{
    vt_strbuf c;
    strbuf_init(&c);
    if (color)
        paint(sb, &c);
    const vt_strbuf *w = color ? &c : sb;
    if (f == stdout)
        stdout_write(w->buf, w->len);
    else
        fwrite(w->buf, 1, w->len, f);
    strbuf_free(&c);
}

/* The a/ b/ name of a diff: the path as given, without "./". */
/* The a/ b/ name of a diff (owned by the caller): the path as given,
 * without "./"; one that climbs out with ".." is made absolute, which
 * patch -p1 takes from / (git apply and patch refuse "a/../x"). */
static char *diff_name(const char *input)
{
    if (strcmp(input, "-") == 0)
        return xstrdup("domain.xml");
    while (strncmp(input, "./", 2) == 0)
        input += 2;
    int climbs = !strncmp(input, "../", 3) || strstr(input, "/../");
    char *abs = climbs ? realpath(input, NULL) : NULL;
    return abs ? abs : xstrdup(input);
}

/* --apply --dry-run: would libvirt take each result? libvirt's schema
 * (what VIR_DOMAIN_DEFINE_VALIDATE checks) and the connection's domain
 * capabilities for each domain's emulator, arch, machine and virt type
 * (what QEMU can run). Returns 0, or 6 after printing each mismatch. */
static int dry_run_check(const vt_cli *o, vt_job *jobs, int n)
{
    vt_conn *c = NULL;
    if (connection_open_rw(o->uri, &c))
        return VT_EXIT_LIBVIRT;
    char err[512];
    int bad = 0, schema = schema_load(err, sizeof err) == 0;
    if (!schema && !o->quiet)
        vt_error(NULL, 0, "--dry-run: no libvirt schema to check against "
                 "(%s)", err);
    for (int i = 0; i < n; i++) {
        vt_job *j = &jobs[i];
        if (!j->out || (o->all && !j->changed))
            continue;       /* --all defines only those that drifted */
        const char *shown = strcmp(j->input, "-") ? j->input : "<stdin>";
        if (schema && schema_valid(j->out, j->outlen, err, sizeof err) == 0) {
            vt_error(shown, 0, "--dry-run: libvirt would refuse it: not "
                     "valid against its domain schema: %s", err);
            bad++;
        }
        char *em, *arch, *machine, *type;
        domcaps_query(j->out, j->outlen, &em, &arch, &machine, &type);
        char *caps = connection_domcaps(c, em, arch, machine, type, err,
                                        sizeof err);
        if (caps) {
            int k = domcaps_check(shown, j->out, j->outlen, caps);
            bad += k > 0 ? k : 0;
        } else if (!o->quiet) {
            vt_error(shown, 0, "--dry-run: the connection gives no domain "
                     "capabilities (%s); checked against the schema only",
                     err);
        }
        free(caps);
        free(em);
        free(arch);
        free(machine);
        free(type);
    }
    connection_close(c);
    return bad ? VT_EXIT_LIBVIRT : 0;
}

/* A UUID as libvirt compares it: hex digits, lower case, no dashes. */
static void uuid_key(const char *u, char *out, size_t n)
{
    size_t k = 0;
    for (; u && *u && k + 1 < n; u++)
        if (*u != '-')
            out[k++] = (char)(*u >= 'A' && *u <= 'F' ? *u - 'A' + 'a' : *u);
    out[k] = '\0';
}

/* --apply (and --dry-run): two domains of the run with one name or one
 * UUID would replace each other on the connection: a usage error before
 * anything happens. */
static int distinct_domains(const vt_job *jobs, int n)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < i; k++) {
            if (jobs[i].name && jobs[k].name &&
                !strcmp(jobs[i].name, jobs[k].name))
                return vt_fail(VT_EXIT_USAGE, jobs[i].input, 0, "defines "
                               "domain '%s', as %s does: one would replace "
                               "the other", jobs[i].name,
                               quoted(jobs[k].input));
            char a[64], b[64];
            uuid_key(jobs[i].uuid, a, sizeof a);
            uuid_key(jobs[k].uuid, b, sizeof b);
            if (*a && !strcmp(a, b))
                return vt_fail(VT_EXIT_USAGE, jobs[i].input, 0, "has the "
                               "UUID of %s (%s): libvirt would refuse one or "
                               "replace the other", quoted(jobs[k].input),
                               jobs[i].uuid);
        }
    return 0;
}

static int apply_all(const vt_cli *o, vt_job *jobs, int n)
{
    vt_define *defs = xcalloc((size_t)n + 1, sizeof *defs);
    int k = 0;
    for (int i = 0; i < n; i++)     /* --all: only those that drifted */
        if (jobs[i].out && (!o->all || jobs[i].changed))
            defs[k++] = (vt_define){jobs[i].input, jobs[i].out, jobs[i].name};
    int rc = connection_define_all(o->uri, defs, k);
    free(defs);
    return rc;
}

/* Each infeasible finding of the run, one line on stderr as errors are
 * ("vtune-xml: FILE:LINE: RULE: message"). */
static void print_infeasible(const vt_report *r, int strict)
{
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        for (int i = 0; i < dr->nfindings; i++) {
            const vt_finding *f = &dr->findings[i];
            if (f->sev < SEV_INFEASIBLE)
                continue;
            vt_error(strcmp(dr->file, "-") ? dr->file : "<stdin>", f->line,
                     "%s%s: %s", strict ? "--strict: " : "not tuned as "
                     "asked: ", report_rule_id(f->rule), f->message);
        }
    }
}

/* mkdir -p DIR (mode 0777 less the umask). 0, or -1 with errno. */
static int make_dirs(const char *dir)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1; ; s++) {
        if (*s != '/' && *s)
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) < 0 && errno != EEXIST)
            rc = -1;
        else if (!is_dir(p)) {
            errno = ENOTDIR;
            rc = -1;
        }
        *s = c;
        if (rc || !c)
            break;
    }
    free(p);
    return rc;
}

/* Writes every job's output file; -o DIR/ is created first when it does
 * not exist, as the run succeeded. */
static int write_outputs(const vt_cli *o, vt_job *jobs, int n)
{
    size_t len = o->out ? strlen(o->out) : 0;
    if (len && o->out[len - 1] == '/' && !is_dir(o->out) &&
        make_dirs(o->out) < 0)
        return vt_fail(VT_EXIT_USAGE, o->out, 0, "cannot create the output "
                       "folder: %s", strerror(errno));
    /* every file staged (written and synced beside its target) before
     * any is put in place: a failure, or a signal (file_signals), on the
     * tenth leaves none of the ten */
    vt_staged *st = xcalloc((size_t)n + 1, sizeof *st);
    int rc = 0, k = 0;
    for (; k < n && !rc; k++) {
        if (!jobs[k].dest || jobs[k].skipped)
            continue;       /* a file passed over is left as it is */
        if (file_stage(jobs[k].dest, jobs[k].out, jobs[k].outlen, &st[k]) < 0)
            rc = vt_fail(VT_EXIT_USAGE, jobs[k].dest, 0, "cannot write "
                         "output: %s", strerror(errno));
    }
    /* the renames with SIGINT, SIGTERM and SIGHUP held: a signal now
     * takes effect after the last, on a run whose outputs are all there */
    sigset_t hold, old;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGHUP);
    sigprocmask(SIG_BLOCK, &hold, &old);
    int failed_at = -1;
    for (int i = 0; i < k; i++) {
        if (!st[i].target)
            continue;
        if (rc)
            file_unstage(&st[i]);
        else if (file_commit(&st[i]) < 0) {
            rc = vt_fail(VT_EXIT_USAGE, jobs[i].dest, 0, "cannot write "
                         "output: %s; the run's other outputs are left as "
                         "they were", strerror(errno));
            failed_at = i;
        }
    }
    /* all or nothing: a failed rename undoes those before it (the files
     * they replaced are put back from their backups) */
    for (int i = 0; i < k; i++)
        if (failed_at >= 0 && i < failed_at)
            file_rollback(&st[i]);
        else
            file_done(&st[i]);
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(st);
    return rc;
}

/* --all: a line per domain on stderr, what the drift check found:
 * tuned (nothing to change), drifted (N changes), or not tuned (why). */
static void print_drift(const vt_cli *o, const vt_job *jobs,
                        const vt_defined *defined)
{
    for (int i = 0; i < o->ninputs; i++) {
        const vt_domain_report *r = jobs[i].rep;
        const char *why = r->error;
        for (int k = 0; !why && k < r->nfindings; k++)
            if (r->findings[k].sev >= SEV_INFEASIBLE)
                why = r->findings[k].message;
        if (!why && !r->tuned && r->nfindings)
            why = r->findings[0].message;
        const char *when = defined[i].active && o->apply && !o->dry_run
                           ? "; running: the new definition takes effect at "
                             "its next start" : "";
        if (jobs[i].changed)
            vt_error(o->inputs[i], 0, "drifted (%d change%s)%s%s%s",
                     r->nedits, r->nedits == 1 ? "" : "s",
                     why ? "; not all as asked: " : "", why ? why : "", when);
        else if (why)
            vt_error(o->inputs[i], 0, "not tuned: %s", why);
        else
            vt_error(o->inputs[i], 0, "tuned");
    }
}

/* A word given as a domain file that is no file but a rule id: someone
 * meant `vtune-xml explain RULE` (--explain takes no value). */
static int rule_not_file(const vt_cli *o)
{
    for (int i = 0; i < o->ninputs; i++) {
        const char *in = o->inputs[i];
        if (!strcmp(in, "-") || access(in, F_OK) == 0)
            continue;
        if (!strcmp(in, "snapshot") || !strcmp(in, "explain"))
            return vt_fail(VT_EXIT_USAGE, in, 0, "no such file; a command "
                           "comes first: vtune-xml %s [options]", in);
        for (int k = 0; k < vt_nrules; k++)
            if (!strcmp(vt_rules[k]->id, in))
                return vt_fail(VT_EXIT_USAGE, in, 0, "no such file; '%s' is "
                               "a rule: `vtune-xml explain %s` tells what it "
                               "does (--explain takes no value: it explains "
                               "a run's changes)", in, in);
    }
    return 0;
}

int cmd_tune(const vt_cli *o)
{
    vt_policy *p;
    int rc = rule_not_file(o);
    if (rc)
        return rc;
    char *policy_source;
    rc = cmd_build_policy(o, &p, &policy_source);
    if (rc)
        return rc;
    vt_host *h;
    vt_conn *conn;
    /* --all on this machine's daemon: the live host (free hugepages,
     * isolcpus), which its capabilities do not tell */
    rc = cmd_load_host_for(o->host, o->uri, o->all, &conn, &h);
    if (rc) {
        policy_free(p);
        free(policy_source);
        return rc;
    }
    /* --all: the domains defined on the connection are the inputs, each
     * named URI#NAME, with its definition as its bytes */
    vt_cli all_cli;
    vt_defined *defined = NULL;
    char **labels = NULL;
    int ndefined = 0;
    if (o->all) {
        ndefined = connection_defined(conn, &defined);
        if (ndefined < 0) {
            connection_close(conn);
            host_free(h);
            policy_free(p);
            free(policy_source);
            return VT_EXIT_HOST;
        }
        labels = xcalloc((size_t)ndefined + 1, sizeof *labels);
        for (int i = 0; i < ndefined; i++)
            labels[i] = xasprintf("%s#%s", o->uri, defined[i].name);
        all_cli = *o;
        all_cli.inputs = labels;
        all_cli.ninputs = ndefined;
        o = &all_cli;
        if (!ndefined && !o->quiet)
            vt_error(o->uri, 0, "no domain is defined there");
    }
    vt_job *jobs = xcalloc((size_t)o->ninputs + 1, sizeof *jobs);
    vt_report rep = {
        .profile = policy_profile_name(p->profile), .host_source = h->source,
        .host_kind = h->kind, .policy_source = policy_source,
        .ndomains = 0,
        .domains = xcalloc((size_t)o->ninputs, sizeof(vt_domain_report *)),
    };
    report_host_pools(&rep, h);
    vt_run run;
    engine_run_init(&run, h, p);
    /* When no file is written (a report, a diff, --check), a file that
     * cannot be taken does not hide the others: each is reported, and the
     * exit code is the first failure's */
    int keep_going = !o->out && !o->inplace && (o->report || o->diff ||
                                                o->check);
    int load_rc = 0;
    /* every destination first: paths are checked before anything is read */
    for (int i = 0; i < o->ninputs && !rc; i++) {
        jobs[i].input = o->inputs[i];
        if (defined) {
            jobs[i].in = defined[i].xml;
            jobs[i].inlen = strlen(defined[i].xml);
            defined[i].xml = NULL;
        }
        rc = destination(o, &jobs[i]);
    }
    if (!rc)
        rc = check_paths(o, jobs, o->ninputs);
    for (int i = 0; i < o->ninputs && !rc; i++) {
        vt_job *j = &jobs[i];
        j->rep = report_domain_new(j->input);
        j->rep->defined = defined != NULL;
        rep.domains[rep.ndomains++] = j->rep;
        /* -o DIR/ keeps base names: two domains must not share one */
        for (int k = 0; !rc && j->dest && k < i; k++)
            if (jobs[k].dest && !strcmp(jobs[k].dest, j->dest))
                rc = vt_fail(VT_EXIT_USAGE, j->input, 0, "would be written "
                             "to %s, as %s is: give them different file "
                             "names, or tune them in separate runs",
                             quoted(j->dest), quoted(jobs[k].input));
        if (!rc)
            rc = job_load(j, o->skip_non_domain ? 1 + o->quiet : 0);
        if (rc && keep_going && j->failed) {
            if (!load_rc)
                load_rc = rc;
            rc = 0;
        }
    }
    /* The domains defined on the connection hold their CPUs and memory;
     * a domain tuned now replaces its old definition of the same name. */
    if (!rc && conn) {
        const char **names = xcalloc((size_t)o->ninputs, sizeof *names);
        for (int i = 0; i < o->ninputs; i++)
            names[i] = jobs[i].doc ? jobs[i].info.name : NULL;
        if (connection_add_usage(conn, h, run.usage, &run.pools, names,
                                 o->ninputs) < 0)
            rc = VT_EXIT_HOST;
        free(names);
    }
    /* --all: a running domain's memory and pages are missing from the
     * host's measured free counts; its tuned definition takes them over
     * at its next start */
    for (int i = 0; !rc && defined && i < o->ninputs; i++)
        if (jobs[i].doc && defined[i].live_xml)
            usage_add_held_xml(run.usage, h, defined[i].live_xml,
                               defined[i].name, &run.pools);
    /* read all it gives: closed before anything is written, so that a
     * connection that stops answering (--timeout) cannot end a run whose
     * outputs are already in place */
    connection_close(conn);
    conn = NULL;
    if (!rc && o->apply)
        rc = distinct_domains(jobs, o->ninputs);
    /* Domains that place themselves are facts of the host: every one of
     * them is accounted before any other is placed, whatever the order. */
    for (int i = 0; i < o->ninputs && !rc; i++)
        if (jobs[i].doc)
            jobs[i].accounted = engine_preaccount(jobs[i].doc, &jobs[i].info,
                                                  h, p, &run);
    for (int i = 0; i < o->ninputs && !rc; i++)
        if (jobs[i].doc)
            job_tune(&jobs[i], h, p, &run);

    /* --validate: libvirt's schema judges the tool's edits (and the
     * input). Off by default: parsing the schema and validating a large
     * domain cost six times what tuning it does (doc/performance.md), and
     * the tests hold every rule to it over the corpus */
    char serr[512];
    if (!rc && o->validate != 0 && schema_load(serr, sizeof serr) < 0)
        rc = vt_fail(VT_EXIT_USAGE, NULL, 0, "--validate: %s", serr);
    for (int i = 0; i < o->ninputs && !rc && o->validate != 0; i++) {
        if (!jobs[i].out)
            continue;
        int v = job_validate(&jobs[i], h, p, o->validate);
        if (v == VT_EXIT_DOMAIN && keep_going) {
            /* an input libvirt's schema refuses is a file not taken, as
             * one that cannot be read: the others are still reported */
            long line;
            const char *msg = vt_last_error(&line);
            report_domain_clear(jobs[i].rep);
            report_domain_error(jobs[i].rep, v, msg, line, 0);
            jobs[i].failed = 1;
            free(jobs[i].out);
            jobs[i].out = NULL;
            jobs[i].changed = 0;
            if (!load_rc)
                load_rc = v;
        } else {
            rc = v;
        }
    }
    /* What kept a domain from being tuned as asked: on stderr under
     * --check and --strict, where a pipeline would otherwise see only an
     * exit code */
    int infeasible = rc ? 0 : report_count_at_least(&rep, SEV_INFEASIBLE);
    if ((o->check || o->strict) && !o->quiet)
        print_infeasible(&rep, o->strict);
    /* Nothing is written unless every domain went through, and, with
     * --strict, every rule could do what it was asked; a diff or a
     * report still shows what would change. */
    int strict_failed = o->strict && infeasible;
    if (strict_failed)
        vt_error(NULL, 0, "--strict: %d finding(s) could not be satisfied "
                 "(%s); %s", infeasible, o->quiet ? "run without -q to see "
                 "them" : "above", o->diff || o->check || o->report
                 ? "the diff or report is still printed, nothing written"
                 : "nothing written");
    /* --apply: every result defined through one connection, libvirt
     * validating, before any file is written: a refusal undoes this
     * run's defines and writes nothing */
    if (!rc && !strict_failed && o->apply && !o->dry_run)
        rc = apply_all(o, jobs, o->ninputs);
    /* --dry-run: what --apply would meet, before -o writes anything */
    if (!rc && !strict_failed && o->apply && o->dry_run)
        rc = dry_run_check(o, jobs, o->ninputs);
    if (!rc && !strict_failed)
        rc = write_outputs(o, jobs, o->ninputs);
    if (!rc && !strict_failed && o->apply && o->dry_run)
        for (int i = 0; i < o->ninputs; i++)
            if (!o->all || jobs[i].changed)
                fprintf(stderr, VT_PROG ": --dry-run: would define %s on "
                        "%s\n", jobs[i].rep->name ? jobs[i].rep->name
                                                 : quoted(jobs[i].input),
                        o->uri ? o->uri : "libvirt's default URI");
    int changes = 0;
    int show = !rc && (!strict_failed || o->diff || o->check || o->report);
    if (show) {
        vt_strbuf out;
        strbuf_init(&out);
        for (int i = 0; i < o->ninputs; i++) {
            vt_job *j = &jobs[i];
            if (!j->out)
                continue;       /* failed or skipped */
            j->rep->in = j->in;
            j->rep->inlen = j->inlen;
            j->rep->out = j->out;
            j->rep->outlen = j->outlen;
            changes += j->changed;
            if ((o->diff || (o->check && !o->report)) && j->changed) {
                char *name = diff_name(j->input);
                diff_unified(&out, name, j->in, j->inlen, j->out, j->outlen,
                             3);
                free(name);
            } else if (!o->diff && !o->check && !o->report && !j->dest &&
                     (!o->apply || (o->dry_run && o->ninputs == 1)))
                strbuf_add(&out, j->out, j->outlen);
        }
        if (o->report)
            report_renderer(o->report)(&rep, &out);
        int is_diff = o->diff || (o->check && !o->report);
        int is_text = o->report && !strcmp(o->report, "text");
        put(stdout, &out, (is_diff || is_text) && use_color(o->color, 1),
            is_diff ? color_diff : color_text);
        strbuf_free(&out);
        if (o->explain) {
            vt_strbuf why;
            strbuf_init(&why);
            report_text(&rep, &why);
            put(stderr, &why, use_color(o->color, 2), color_text);
            strbuf_free(&why);
        }
        if (o->check && changes)
            rc = VT_EXIT_CHANGES;
        if (o->all && !o->report && !o->quiet)
            print_drift(o, jobs, defined);
    }
    if (!rc || rc == VT_EXIT_CHANGES) {
        if (strict_failed)
            rc = VT_EXIT_STRICT;
        if (load_rc)
            rc = load_rc;
    }

    for (int i = 0; i < o->ninputs; i++) {
        if (jobs[i].doc) {
            domain_free(&jobs[i].info);
            domdoc_free(jobs[i].doc);
        }
        free(jobs[i].in);
        free(jobs[i].out);
        free(jobs[i].dest);
        free(jobs[i].name);
        free(jobs[i].uuid);
    }
    for (int i = 0; i < rep.ndomains; i++)
        report_domain_free(rep.domains[i]);
    free(rep.domains);
    free(rep.pools);
    free(jobs);
    for (int i = 0; labels && i < ndefined; i++)
        free(labels[i]);
    free(labels);
    connection_defined_free(defined, ndefined);
    schema_free();          /* loaded by --validate, once a process */
    engine_run_free(&run);
    host_free(h);
    policy_free(p);
    free(policy_source);
    return rc;
}
