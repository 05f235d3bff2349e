/*
 * job.h - one domain's journey through the pipeline: read, parse and
 * inspect it (job_load), run the rules and emit it (job_tune), and check
 * the result against libvirt's schema (job_validate). cmd/tune.c runs the
 * jobs of a command line and writes their outputs.
 */
#ifndef VT_JOB_H
#define VT_JOB_H

#include "engine.h"

/* One domain's journey through the pipeline. */
typedef struct vt_job {
    const char *input;      /* as given; "-" is stdin */
    char *in;               /* input bytes */
    size_t inlen;
    char *out;              /* tuned bytes */
    size_t outlen;
    char *dest;             /* file to write, or NULL for stdout */
    vt_domdoc *doc;            /* parsed input, until emitted */
    vt_domain info;
    int accounted;          /* its own placement is already in the usage
                               (engine_preaccount: its index + 1) */
    int changed;            /* out differs from in (job_tune sets it) */
    int failed;             /* job_load failed (exit code in rep) */
    char *name, *uuid;      /* the domain's <name> and <uuid>, kept past
                               job_tune for --apply (NULL: none) */
    int skipped;            /* not a <domain>, passed over */
    vt_domain_report *rep;
} vt_job;

/* Reads, parses and checks J->input into J (J->rep must be set).
 * Returns 0, or an exit code after printing why (recorded in J->rep,
 * J->failed set). With SKIP_NON_DOMAIN, a well-formed document whose
 * root is not <domain> (a host topology, a network) is passed over: a
 * note on stderr (none when SKIP_NON_DOMAIN is 2: --quiet), J->skipped
 * set, and 0. */
int job_load(vt_job *j, int skip_non_domain);

/* Runs the rules over the loaded J on H under P, in RUN, and emits the
 * tuned bytes into J->out; the document is freed. */
void job_tune(vt_job *j, const vt_host *h, const vt_policy *p, vt_run *run);

/* Checks J against libvirt's schema, loaded by the caller (MODE: 1
 * --validate, the input must be valid too; 2 --validate=output, only the
 * tool's edits are judged). Returns 0, 3 for an invalid input under
 * --validate, or 70 when the tool's edits broke the document (naming the
 * rule whose edits did, by tuning the input again with one more rule each
 * time). */
int job_validate(const vt_job *j, const vt_host *h, const vt_policy *p,
                 int mode);

#endif
