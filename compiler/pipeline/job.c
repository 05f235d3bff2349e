/*
 * job.c - one domain's journey through the pipeline (see job.h).
 */
#include "job.h"
#include "quote.h"
#include "domdoc.h"
#include "error.h"
#include "file.h"
#include "schema.h"

#include <errno.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records the error just printed in J's report. */
static int failed(vt_job *j, int rc)
{
    long line;
    const char *msg = vt_last_error(&line);
    report_domain_error(j->rep, rc, msg, line, 0);
    j->failed = 1;
    return rc;
}

int job_load(vt_job *j, int skip_non_domain)
{
    const char *shown = strcmp(j->input, "-") == 0 ? "<stdin>" : j->input;
    if (!j->in)             /* --all gives the bytes of each domain */
        j->in = file_read(j->input, &j->inlen);
    if (!j->in)
        return failed(j, vt_fail(VT_EXIT_DOMAIN, shown, 0, "cannot read "
                                 "domain: %s", strerror(errno)));
    int rc = domdoc_parse(j->input, j->in, j->inlen, &j->doc);
    if (rc)
        return failed(j, rc);
    xmlNodePtr root = domdoc_root(j->doc);
    if (skip_non_domain && (root->ns || !xmlStrEqual(root->name,
                                                     BAD_CAST "domain"))) {
        char msg[160];
        snprintf(msg, sizeof msg, "skipped: its root element is <%.60s>, "
                 "not a libvirt <domain> (--skip-non-domain)", root->name);
        if (skip_non_domain == 1)
            fprintf(stderr, VT_PROG ": %s: %s\n", quoted(shown), msg);
        report_domain_error(j->rep, 0, msg, xmlGetLineNo(root), 1);
        domdoc_free(j->doc);
        j->doc = NULL;
        j->skipped = 1;
        return 0;
    }
    rc = domain_inspect(j->doc, &j->info);
    if (rc) {
        domdoc_free(j->doc);
        j->doc = NULL;
        return failed(j, rc);
    }
    j->rep->name = j->info.name ? xstrdup(j->info.name) : NULL;
    j->name = j->info.name ? xstrdup(j->info.name) : NULL;
    j->uuid = j->info.uuid ? xstrdup(j->info.uuid) : NULL;
    return 0;
}

void job_tune(vt_job *j, const vt_host *h, const vt_policy *p, vt_run *run)
{
    /* the policy names the OS of guests whose metadata does not */
    if (p->guest_os && j->info.os == OS_UNKNOWN)
        j->info.os = (enum vt_os)p->guest_os;
    engine_tune(j->doc, &j->info, h, p, run, j->accounted, j->rep);
    j->out = domdoc_emit(j->doc, &j->outlen);
    j->changed = j->outlen != j->inlen || memcmp(j->out, j->in, j->inlen);
    domain_free(&j->info);
    domdoc_free(j->doc);
    j->doc = NULL;
}

/* Which enabled rule's edits make J's output invalid: reruns the rules
 * over the input, one more each time, on a fresh run (the domains before
 * it are not there). Returns the rule, or NULL when no prefix fails. */
static const vt_rule *blame(const vt_job *j, const vt_host *h, const vt_policy *p)
{
    for (int k = 1; k <= vt_nrules; k++) {
        if (!policy_rule_on(p, k - 1))
            continue;
        vt_domdoc *d;
        vt_domain info;
        if (domdoc_parse(j->input, j->in, j->inlen, &d))
            return NULL;
        if (domain_inspect(d, &info)) {
            domdoc_free(d);
            return NULL;
        }
        vt_run run;
        engine_run_init(&run, h, p);
        run.rule_limit = k;
        vt_domain_report *rep = report_domain_new(j->input);
        engine_tune(d, &info, h, p, &run, 0, rep);
        size_t len;
        char err[512];
        char *out = domdoc_emit(d, &len);
        int valid = schema_valid(out, len, err, sizeof err);
        free(out);
        report_domain_free(rep);
        engine_run_free(&run);
        domain_free(&info);
        domdoc_free(d);
        if (valid == 0)
            return vt_rules[k - 1];
    }
    return NULL;
}

int job_validate(const vt_job *j, const vt_host *h, const vt_policy *p,
                 int mode)
{
    const char *shown = strcmp(j->input, "-") == 0 ? "<stdin>" : j->input;
    char err[512];
    if (mode == 1) {
        if (schema_valid(j->in, j->inlen, err, sizeof err) == 0)
            return vt_fail(VT_EXIT_DOMAIN, shown, schema_error_line(), "not "
                           "valid against libvirt's domain schema (%s): %s",
                           schema_path(), err);
    }
    if (!j->changed)
        return 0;
    if (schema_valid(j->out, j->outlen, err, sizeof err) == 1)
        return 0;
    long oline = schema_error_line();
    char at[48] = "";
    if (oline > 0) {
        snprintf(at, sizeof at, " at line %ld of the tuned XML", oline);
        size_t n = strlen(err);
        snprintf(err + n, sizeof err - n, "%s", at);
    }
    char ierr[512];
    if (schema_valid(j->in, j->inlen, ierr, sizeof ierr) == 0 &&
        schema_changes_valid(j->in, j->inlen, j->out, j->outlen, err,
                             sizeof err) == 1)
        return 0;       /* the input's own errors, none of ours */
    char what[128], have[32];
    if (schema_newer_construct(j->out, j->outlen, what, sizeof what, have,
                               sizeof have))
        return vt_fail(VT_EXIT_USAGE, shown, 0, "--validate=output cannot "
                       "judge this output: it uses %s, and the installed "
                       "libvirt is %s (schema %s: %s); nothing written. "
                       "That libvirt would also drop the element on "
                       "define: for it, leave the option that asks for it "
                       "(io.threads.per_disk=1 before libvirt 10.0 and "
                       "QEMU 9.0), or validate where the newer libvirt "
                       "runs", what, have, schema_path(), err);
    const vt_rule *r = blame(j, h, p);
    return vt_fail(VT_EXIT_INTERNAL, shown, 0, "internal error: the tuned "
                   "domain is not valid libvirt XML (%s)%s%s%s; nothing "
                   "written. Please report it with the input and host.",
                   err, r ? "; the edits of rule " : "", r ? r->id : "",
                   r ? " broke it" : "");
}
