/*
 * fuzz_domain.c - libFuzzer harness: the bytes are a libvirt domain XML,
 * driven through the pipeline that compiler/pipeline/job.c runs for one
 * domain:
 *
 *   domdoc_parse -> domain_inspect -> engine_run_init -> engine_preaccount
 *   -> engine_tune -> domdoc_emit -> diff_unified, report_json, report_text
 *
 * on a fixed synthetic host (2 packages, 1 NUMA node each with 16 GiB,
 * 4 cores x 2 threads) under the latency profile, so every rule family
 * runs. Besides the sanitizers, the harness checks the tool's promises and
 * abort()s when one is broken (libFuzzer then saves the input):
 *
 *   roundtrip   a document that parses is emitted back byte for byte,
 *               with no edit and again after the engine ran with every
 *               rule disabled (--disable all: output = input)
 *   reparse     the tuned output parses and passes domain_inspect again
 *   idempotent  tuning the output again (fresh run state, same host and
 *               policy) changes nothing
 *   diff        diff_unified gives hunks exactly when the bytes differ
 *   report      the JSON report is valid JSON
 *
 * Environment (optional): FUZZ_DOMAIN_HOST: another host for host_load
 * (a path or "synthetic:..."); FUZZ_PROFILE: another profile;
 * FUZZ_VERBOSE=1 keeps vtune-xml's own messages on stderr.
 */
#include "alloc.h"
#include "diff.h"
#include "domain.h"
#include "domdoc.h"
#include "engine.h"
#include "fuzz_common.h"
#include "policy.h"
#include "report.h"
#include "strbuf.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_HOST "synthetic:pack:2 numa:1(memory=16GiB) core:4 pu:2"
#define NAME "fuzz.xml"

static vt_host *fz_host;
static vt_policy *fz_tune;     /* the profile's rules */
static vt_policy *fz_off;      /* every rule disabled */

/* Reports a broken invariant WHAT, with the diff from A to B when A is
 * not NULL, and aborts. */
static _Noreturn void fail(const char *what, const char *a, size_t alen,
                           const char *b, size_t blen)
{
    fz_broken(what);
    if (a) {
        vt_strbuf sb;
        strbuf_init(&sb);
        diff_unified(&sb, NAME, a, alen, b, blen, 3);
        fprintf(fz_log, "%s\n", sb.len ? sb.buf : "(no textual diff)");
        strbuf_free(&sb);
    }
    fz_abort();
}

static vt_policy *make_policy(const char *profile, int all_off)
{
    char err[256];
    vt_policy *p = policy_new();
    if (policy_set_profile(p, profile) < 0)
        fz_fatal("unknown profile %s", profile);
    if (all_off && policy_enable(p, "all", 0, err, sizeof err) < 0)
        fz_fatal("%s", err);
    return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_init("fuzz_domain");
    fz_host = fz_load_host("FUZZ_DOMAIN_HOST", DEFAULT_HOST);
    const char *prof = getenv("FUZZ_PROFILE");
    if (!prof || !*prof)
        prof = "latency";
    fz_tune = make_policy(prof, 0);
    fz_off = make_policy(prof, 1);
    return 0;
}

/* Runs P's rules over D (inspected as INFO) on a fresh run state, as
 * cmd/tune.c does for a one-domain run; returns the report. */
static vt_domain_report *tune(vt_domdoc *d, const vt_domain *info,
                              const vt_policy *p)
{
    vt_domain_report *rep = report_domain_new(NAME);
    rep->name = info->name ? xstrdup(info->name) : NULL;
    vt_run run;
    engine_run_init(&run, fz_host, p);
    int accounted = engine_preaccount(d, info, fz_host, p, &run);
    engine_tune(d, info, fz_host, p, &run, accounted, rep);
    engine_run_free(&run);
    return rep;
}

static int same(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fz_cstring(data, size);

    /* --- 1. roundtrip: no edit, then every rule disabled */
    vt_domdoc *d;
    if (domdoc_parse(NAME, in, size, &d) != 0) {
        free(in);
        return 0;
    }
    size_t len;
    char *out = domdoc_emit(d, &len);
    if (!same(in, size, out, len))
        fail("parse + emit without edits is not the input", in, size, out,
             len);
    free(out);
    vt_domain info;
    if (domain_inspect(d, &info) != 0) {
        domdoc_free(d);
        free(in);
        return 0;
    }
    vt_domain_report *rep = tune(d, &info, fz_off);
    out = domdoc_emit(d, &len);
    if (domdoc_changed(d) || rep->nedits || !same(in, size, out, len))
        fail("--disable all changed the document", in, size, out, len);
    free(out);
    report_domain_free(rep);
    domain_free(&info);
    domdoc_free(d);

    /* --- 2. tune */
    if (domdoc_parse(NAME, in, size, &d) != 0 ||
        domain_inspect(d, &info) != 0)
        fail("a document that parsed once does not parse again", NULL, 0,
             NULL, 0);
    rep = tune(d, &info, fz_tune);
    size_t len1;
    char *out1 = domdoc_emit(d, &len1);
    domain_free(&info);
    domdoc_free(d);

    int changed = !same(in, size, out1, len1);
    if (!changed && rep->nedits)
        fail("edits were reported but the bytes did not change", NULL, 0,
             NULL, 0);

    vt_strbuf sb;
    strbuf_init(&sb);
    int hunks = diff_unified(&sb, NAME, in, size, out1, len1, 3);
    if ((hunks > 0) != changed || (sb.len > 0) != changed)
        fail("diff_unified disagrees with the bytes", in, size, out1, len1);
    strbuf_free(&sb);

    vt_domain_report *reps[1] = {rep};
    vt_report r = {
        .profile = policy_profile_name(fz_tune->profile),
        .host_source = fz_host->source, .host_kind = fz_host->kind,
        .ndomains = 1, .domains = reps,
    };
    strbuf_init(&sb);
    report_json(&r, &sb);
    cJSON *j = cJSON_ParseWithLength(sb.buf, sb.len);
    if (!j)
        fail("report_json is not valid JSON", NULL, 0, NULL, 0);
    cJSON_Delete(j);
    strbuf_free(&sb);
    strbuf_init(&sb);
    report_text(&r, &sb);
    strbuf_free(&sb);
    report_domain_free(rep);

    /* --- 3. idempotence: the output, tuned again, stays as it is */
    if (domdoc_parse(NAME, out1, len1, &d) != 0)
        fail("the tuned output is not accepted by domdoc_parse", in, size,
             out1, len1);
    if (domain_inspect(d, &info) != 0)
        fail("the tuned output is refused by domain_inspect", in, size,
             out1, len1);
    rep = tune(d, &info, fz_tune);
    size_t len2;
    char *out2 = domdoc_emit(d, &len2);
    if (!same(out1, len1, out2, len2))
        fail("not idempotent: tuning the output changed it (diff: first "
             "output -> second output)", out1, len1, out2, len2);
    free(out2);
    report_domain_free(rep);
    domain_free(&info);
    domdoc_free(d);

    free(out1);
    free(in);
    return 0;
}
