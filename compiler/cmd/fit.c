/*
 * fit.c - `vtune-xml fit`: capacity planning. How many copies of each
 * domain, and of their mix in the proportions given (a.xml a.xml b.xml:
 * two a for one b), fit each host when every copy is tuned by the
 * profile, and how they pack: per node the CPUs of the host, dedicated
 * and floated over, the memory and the hugepages taken.
 *
 * The answer is the tuning itself: copies are tuned one after the other
 * in one run (job_load, engine_preaccount, job_tune: what cmd_tune does
 * for a command line of N copies), and the first copy with an infeasible
 * finding (what --strict refuses) is the one that does not fit; its
 * finding names the limit. So `fit` says N exactly when tuning N copies
 * in one run passes --strict and N+1 does not (tests/fit.sh holds it).
 */
#include "cmd.h"
#include "alloc.h"
#include "domdoc.h"
#include "engine.h"
#include "error.h"
#include "file.h"
#include "job.h"
#include "jsonfmt.h"
#include "load.h"
#include "policy.h"
#include "report.h"
#include "stdout.h"
#include "strbuf.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Copies beyond this are not tried: the answer is "at least". */
#define FIT_MAX_COPIES 4096

typedef struct fit_dom {
    const char *file;
    char *bytes;
    size_t len;
    int places_itself;
} fit_dom;

/* What one scenario (a domain alone, or the mix) came to. */
typedef struct fit_result {
    int copies;             /* that fit */
    int *per_dom;           /* of each domain (index as doms) */
    int capped;             /* FIT_MAX_COPIES reached */
    int split;              /* of them, placed over several host nodes */
    int failed_dom;         /* the domain of the copy that did not fit */
    char *why;              /* its first infeasible finding, or NULL */
} fit_result;

/* The first infeasible finding of R as "RULE: message" (owned), or NULL. */
static char *infeasible(const vt_domain_report *r)
{
    for (int k = 0; k < r->nfindings; k++)
        if (r->findings[k].sev >= SEV_INFEASIBLE)
            return xasprintf("%s: %s", r->findings[k].rule
                             ? r->findings[k].rule->id : "vtune-xml",
                             r->findings[k].message);
    return NULL;
}

/* Tunes copy of D in RUN; returns 1 when it fits, 0 when not (*WHY set,
 * unless the caller passes NULL), -1 when it cannot be read (printed). */
static int tune_copy(const fit_dom *d, const vt_host *h, const vt_policy *p,
                     vt_run *run, char **why)
{
    vt_job j;
    memset(&j, 0, sizeof j);
    j.input = d->file;
    j.in = xmalloc(d->len + 1);
    memcpy(j.in, d->bytes, d->len);
    j.in[d->len] = '\0';
    j.inlen = d->len;
    j.rep = report_domain_new(d->file);
    int rc = job_load(&j, 0);
    int fits = -1;
    if (!rc) {
        j.accounted = engine_preaccount(j.doc, &j.info, h, p, run);
        job_tune(&j, h, p, run);
        char *w = infeasible(j.rep);
        fits = w == NULL;
        if (why)
            *why = w;
        else
            free(w);
    }
    if (j.doc) {
        domain_free(&j.info);
        domdoc_free(j.doc);
    }
    free(j.in);
    free(j.out);
    free(j.name);
    free(j.uuid);
    report_domain_free(j.rep);
    return fits;
}

/* KiB of memory bound to host node N in U: ordinary memory and pages. */
static long long node_kib(const vt_host *h, const vt_usage *u, int n)
{
    long long sum = u->mem_kib[n];
    for (int k = 0; k < h->nodes[n].npages; k++)
        sum += u->pages[n][k] * (long long)h->nodes[n].pages[k].size_kib;
    return sum;
}

/* The ordinary memory the nodes of H have left after U's bindings: their
 * memory less their hugepage pools and RESERVE each (numa.place's
 * reserved_memory_mib, in KiB); LLONG_MAX when a node's size is unknown. */
static long long ordinary_left(const vt_host *h, const vt_usage *u,
                               long long reserve)
{
    long long sum = 0;
    for (int n = 0; n < h->nnodes; n++) {
        const vt_host_node *hn = &h->nodes[n];
        if (hn->mem_kib < 0)
            return LLONG_MAX;
        long long room = hn->mem_kib - reserve - host_node_pools_kib(h, n);
        sum += (room > 0 ? room : 0) - u->mem_kib[n];
    }
    return sum;
}

/* numa.place's reserved_memory_mib under P, in KiB. */
static long long reserve_kib(const vt_policy *p)
{
    for (int k = 0; k < vt_nrules; k++)
        if (!strcmp(vt_rules[k]->id, "numa.place")) {
            const char *text = NULL;
            policy_param(p, k, "reserved_memory_mib", &text, NULL);
            return text ? atoll(text) * 1024 : 0;
        }
    return 0;
}

/* Tunes copies of SEQ (NSEQ indexes into DOMS, in turn) in a fresh run on
 * H, with CONN's domains accounted, until one does not fit or LIMIT
 * copies: into *RES. Leaves the run in RUN (the caller frees it). Returns
 * 0, or an exit code. */
static int fill(const vt_host *h, const vt_policy *p, vt_conn *conn,
                const fit_dom *doms, int ndoms, const int *seq, int nseq,
                int limit, vt_run *run, fit_result *res)
{
    engine_run_init(run, h, p);
    memset(res, 0, sizeof *res);
    res->per_dom = xcalloc((size_t)ndoms + 1, sizeof *res->per_dom);
    res->failed_dom = -1;
    if (conn && connection_add_usage(conn, h, run->usage, &run->pools, NULL,
                                     0) < 0)
        return VT_EXIT_HOST;
    long long reserve = reserve_kib(p);
    for (int k = 0; k < limit; k++) {
        int d = seq[k % nseq];
        /* a domain that places itself takes its own CPUs and nodes: a
         * second copy would take the same */
        if (doms[d].places_itself && res->per_dom[d] >= 1) {
            res->failed_dom = d;
            res->why = xstrdup("it places itself (its own <vcpupin>, "
                               "<numatune> or <vcpu cpuset>): a copy would "
                               "take the same CPUs and nodes");
            return 0;
        }
        char *why = NULL;
        long long *was = xcalloc((size_t)h->nnodes + 1, sizeof *was);
        for (int n = 0; n < h->nnodes; n++)
            was[n] = node_kib(h, run->usage, n);
        int fits = tune_copy(&doms[d], h, p, run, &why);
        if (fits <= 0)
            free(was);
        if (fits < 0)
            return VT_EXIT_DOMAIN;
        if (!fits) {
            res->failed_dom = d;
            res->why = why;
            return 0;
        }
        /* memory no <numatune> binds (a profile that does not place, a
         * domain left floating, a domain of -c) is still the host's: it
         * never overcommits, whichever node the kernel takes it from */
        long long unbound = run->usage->unbound_kib;
        long long left = ordinary_left(h, run->usage, reserve);
        if (left != LLONG_MAX && unbound > left) {
            free(was);
            res->failed_dom = d;
            res->why = xasprintf("host memory: the memory no <numatune> "
                                 "binds to a node (of the copies, and of "
                                 "the domains of -c) takes %lld MiB, more "
                                 "than "
                                 "the %lld MiB of ordinary memory the nodes "
                                 "have left (less their hugepage pools and "
                                 "reserve)", unbound / 1024,
                                 (left > 0 ? left : 0) / 1024);
            return 0;
        }
        int nodes = 0;
        for (int n = 0; n < h->nnodes; n++)
            nodes += node_kib(h, run->usage, n) != was[n];
        free(was);
        res->split += nodes > 1;
        res->copies++;
        res->per_dom[d]++;
    }
    res->capped = 1;
    return 0;
}

/* --- the packing ---------------------------------------------------- */

static int weight_and(hwloc_const_bitmap_t a, hwloc_const_bitmap_t b)
{
    hwloc_bitmap_t x = hwloc_bitmap_alloc();
    hwloc_bitmap_and(x, a, b);
    int w = hwloc_bitmap_weight(x);
    hwloc_bitmap_free(x);
    return w < 0 ? 0 : w;
}

/* One node of the packing, as JSON. */
static cJSON *node_json(const vt_host *h, const vt_run *run, int n)
{
    const vt_host_node *hn = &h->nodes[n];
    const vt_usage *u = run->usage;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", hn->id);
    cJSON_AddNumberToObject(o, "cpus", weight_and(hn->cpus, run->pools.online));
    cJSON_AddNumberToObject(o, "housekeeping",
                            weight_and(hn->cpus, run->pools.housekeeping));
    cJSON_AddNumberToObject(o, "isolated",
                            weight_and(hn->cpus, run->pools.isolated));
    cJSON_AddNumberToObject(o, "dedicated", weight_and(hn->cpus, u->cpus));
    cJSON_AddNumberToObject(o, "floated_over",
                            weight_and(hn->cpus, u->floating));
    if (hn->mem_kib >= 0)
        cJSON_AddNumberToObject(o, "memory_kib", (double)hn->mem_kib);
    else
        cJSON_AddNullToObject(o, "memory_kib");
    cJSON_AddNumberToObject(o, "memory_used_kib", (double)u->mem_kib[n]);
    cJSON *pages = cJSON_AddArrayToObject(o, "hugepages");
    uint64_t base = host_base_page(h);
    for (int k = 0; k < hn->npages; k++) {
        if (hn->pages[k].size_kib <= base)
            continue;
        cJSON *pg = cJSON_CreateObject();
        cJSON_AddNumberToObject(pg, "size_kib", (double)hn->pages[k].size_kib);
        if (hn->pages[k].total >= 0)
            cJSON_AddNumberToObject(pg, "total", (double)hn->pages[k].total);
        else
            cJSON_AddNullToObject(pg, "total");
        cJSON_AddNumberToObject(pg, "used", (double)usage_pages_taken(
                                    u, h, n, hn->pages[k].size_kib));
        cJSON_AddItemToArray(pages, pg);
    }
    return o;
}

static cJSON *scenario_json(const fit_dom *doms, int ndoms, const int *seq,
                            int nseq, const fit_result *r, const vt_host *h,
                            const vt_run *run)
{
    cJSON *s = cJSON_CreateObject();
    cJSON *mix = cJSON_AddArrayToObject(s, "domains");
    for (int i = 0; i < nseq; i++)
        cJSON_AddItemToArray(mix, cJSON_CreateString(doms[seq[i]].file));
    cJSON_AddNumberToObject(s, "copies", r->copies);
    cJSON_AddNumberToObject(s, "split", r->split);
    cJSON *per = cJSON_AddObjectToObject(s, "per_domain");
    for (int d = 0; d < ndoms; d++) {
        int in = 0;
        for (int i = 0; i < nseq; i++)
            in |= seq[i] == d;
        if (in)
            cJSON_AddNumberToObject(per, doms[d].file, r->per_dom[d]);
    }
    cJSON_AddBoolToObject(s, "capped", r->capped);
    if (r->why) {
        cJSON *lim = cJSON_AddObjectToObject(s, "limit");
        cJSON_AddNumberToObject(lim, "copy", r->copies + 1);
        cJSON_AddStringToObject(lim, "domain", doms[r->failed_dom].file);
        cJSON_AddStringToObject(lim, "finding", r->why);
    } else {
        cJSON_AddNullToObject(s, "limit");
    }
    cJSON *nodes = cJSON_AddArrayToObject(s, "nodes");
    for (int n = 0; n < h->nnodes; n++)
        cJSON_AddItemToArray(nodes, node_json(h, run, n));
    return s;
}

/* The text of one scenario: its answer, then the packing table. */
static void scenario_text(vt_strbuf *out, const cJSON *s)
{
    const cJSON *doms = cJSON_GetObjectItem(s, "domains");
    int n = cJSON_GetArraySize(doms);
    int copies = cJSON_GetObjectItem(s, "copies")->valueint;
    if (n == 1) {
        strbuf_addf(out, "  %s: %d cop%s", cJSON_GetArrayItem(doms, 0)
                    ->valuestring, copies, copies == 1 ? "y" : "ies");
    } else {
        strbuf_adds(out, "  the mix");
        for (int i = 0; i < n; i++)
            strbuf_addf(out, "%s%s", i ? ", " : " (",
                        cJSON_GetArrayItem(doms, i)->valuestring);
        strbuf_addf(out, "): %d cop%s", copies, copies == 1 ? "y" : "ies");
        const cJSON *e;
        int first = 1;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(s, "per_domain")) {
            strbuf_addf(out, "%s%s %d", first ? " (" : ", ", e->string,
                        e->valueint);
            first = 0;
        }
        strbuf_adds(out, first ? "" : ")");
    }
    int split = cJSON_GetObjectItem(s, "split")->valueint;
    if (split)
        strbuf_addf(out, " (%d of them split over host nodes)", split);
    const cJSON *lim = cJSON_GetObjectItem(s, "limit");
    if (cJSON_IsObject(lim))
        strbuf_addf(out, "; copy %d (%s) does not fit: %s\n",
                    cJSON_GetObjectItem(lim, "copy")->valueint,
                    cJSON_GetObjectItem(lim, "domain")->valuestring,
                    cJSON_GetObjectItem(lim, "finding")->valuestring);
    else
        strbuf_addf(out, " or more (tried up to %d)\n", FIT_MAX_COPIES);
    strbuf_addf(out, "    %-5s %5s %5s %5s %9s %7s %21s  %s\n", "node",
                "CPUs", "host", "isol", "dedicated", "floated",
                "memory MiB bound/size", "hugepages used/pool");
    const cJSON *nd;
    cJSON_ArrayForEach(nd, cJSON_GetObjectItem(s, "nodes")) {
        const cJSON *mem = cJSON_GetObjectItem(nd, "memory_kib");
        char m[48];
        if (cJSON_IsNumber(mem))
            snprintf(m, sizeof m, "%.0f/%.0f",
                     cJSON_GetObjectItem(nd, "memory_used_kib")->valuedouble
                     / 1024, mem->valuedouble / 1024);
        else
            snprintf(m, sizeof m, "%.0f/?", cJSON_GetObjectItem(
                         nd, "memory_used_kib")->valuedouble / 1024);
        strbuf_addf(out, "    %-5d %5d %5d %5d %9d %7d %21s ",
                    cJSON_GetObjectItem(nd, "id")->valueint,
                    cJSON_GetObjectItem(nd, "cpus")->valueint,
                    cJSON_GetObjectItem(nd, "housekeeping")->valueint,
                    cJSON_GetObjectItem(nd, "isolated")->valueint,
                    cJSON_GetObjectItem(nd, "dedicated")->valueint,
                    cJSON_GetObjectItem(nd, "floated_over")->valueint, m);
        const cJSON *pg;
        int any = 0;
        cJSON_ArrayForEach(pg, cJSON_GetObjectItem(nd, "hugepages")) {
            double kib = cJSON_GetObjectItem(pg, "size_kib")->valuedouble;
            const cJSON *tot = cJSON_GetObjectItem(pg, "total");
            char size[16];
            if (kib >= 1048576)
                snprintf(size, sizeof size, "%.0fG", kib / 1048576);
            else
                snprintf(size, sizeof size, "%.0fM", kib / 1024);
            if (cJSON_IsNumber(tot))
                strbuf_addf(out, " %s %d/%d", size,
                            cJSON_GetObjectItem(pg, "used")->valueint,
                            tot->valueint);
            else
                strbuf_addf(out, " %s %d/?", size,
                            cJSON_GetObjectItem(pg, "used")->valueint);
            any = 1;
        }
        strbuf_adds(out, any ? "\n" : " -\n");
    }
}

/* --- the command ---------------------------------------------------- */

/* Every scenario on host SRC, as a JSON object added to HOSTS. */
static int fit_host(const vt_cli *o, const char *src, const vt_policy *p,
                    fit_dom *doms, int ndoms, cJSON *hosts)
{
    vt_host *h;
    vt_conn *conn;
    int rc = cmd_load_host(src, o->uri, &conn, &h);
    if (rc)
        return rc;
    cJSON *ho = cJSON_CreateObject();
    cJSON_AddStringToObject(ho, "host", h->source ? h->source : "live");
    cJSON_AddStringToObject(ho, "profile", policy_profile_name(p->profile));
    cJSON *scen = cJSON_AddArrayToObject(ho, "scenarios");
    /* which domains place themselves: read once */
    for (int d = 0; d < ndoms && !rc; d++) {
        vt_domdoc *doc;
        rc = domdoc_parse(doms[d].file, doms[d].bytes, doms[d].len, &doc);
        if (!rc) {
            doms[d].places_itself =
                engine_placement(domdoc_root(doc), p, NULL) != PLACEMENT_TOOL;
            domdoc_free(doc);
        }
    }
    /* each distinct domain alone, then the mix when there are several */
    int *seq = xcalloc((size_t)o->ninputs + 1, sizeof *seq);
    int nscen = 0;
    for (int d = 0; d <= ndoms && !rc; d++) {
        int nseq;
        if (d < ndoms) {
            seq[0] = d;
            nseq = 1;
        } else if (o->ninputs > 1) {
            /* the mix: the command line's order, repeats as proportions */
            for (int i = 0; i < o->ninputs; i++)
                for (int k = 0; k < ndoms; k++)
                    if (!strcmp(o->inputs[i], doms[k].file))
                        seq[i] = k;
            nseq = o->ninputs;
            if (ndoms == 1)
                break;      /* a.xml a.xml: the same as a.xml alone */
        } else {
            break;
        }
        vt_run run;
        fit_result r;
        rc = fill(h, p, conn, doms, ndoms, seq, nseq, FIT_MAX_COPIES, &run,
                  &r);
        if (!rc) {
            /* the packing of exactly the copies that fit */
            engine_run_free(&run);
            fit_result again;
            rc = fill(h, p, conn, doms, ndoms, seq, nseq, r.copies, &run,
                      &again);
            free(again.per_dom);
            free(again.why);
            if (!rc)
                cJSON_AddItemToArray(scen, scenario_json(doms, ndoms, seq,
                                                         nseq, &r, h, &run));
            nscen++;
        }
        engine_run_free(&run);
        free(r.per_dom);
        free(r.why);
    }
    free(seq);
    connection_close(conn);
    host_free(h);
    if (rc) {
        cJSON_Delete(ho);
        return rc;
    }
    cJSON_AddItemToArray(hosts, ho);
    return 0;
}

int cmd_fit(const vt_cli *o)
{
    vt_policy *p;
    char *policy_source;
    int rc = cmd_build_policy(o, &p, &policy_source);
    if (rc)
        return rc;
    /* the distinct domains, read once */
    fit_dom *doms = xcalloc((size_t)o->ninputs + 1, sizeof *doms);
    int ndoms = 0;
    for (int i = 0; i < o->ninputs && !rc; i++) {
        int seen = 0;
        for (int k = 0; k < ndoms; k++)
            seen |= !strcmp(doms[k].file, o->inputs[i]);
        if (seen)
            continue;
        fit_dom *d = &doms[ndoms];
        d->file = o->inputs[i];
        d->bytes = file_read(d->file, &d->len);
        if (!d->bytes)
            rc = vt_fail(VT_EXIT_DOMAIN, d->file, 0, "cannot read domain: %s",
                         strerror(errno));
        else
            ndoms++;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON *hosts = cJSON_AddArrayToObject(root, "hosts");
    if (!rc && o->nhosts == 0)
        rc = fit_host(o, NULL, p, doms, ndoms, hosts);
    for (int i = 0; i < o->nhosts && !rc; i++)
        rc = fit_host(o, o->hosts[i], p, doms, ndoms, hosts);
    if (!rc && cJSON_GetArraySize(hosts) > 1) {
        /* every host together: the copies of each scenario summed */
        cJSON *total = cJSON_AddArrayToObject(root, "total");
        const cJSON *first = cJSON_GetArrayItem(hosts, 0);
        int ns = cJSON_GetArraySize(cJSON_GetObjectItem(first, "scenarios"));
        for (int s = 0; s < ns; s++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddItemToObject(t, "domains", cJSON_Duplicate(
                cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
                    first, "scenarios"), s), "domains"), 1));
            int sum = 0;
            const cJSON *ho;
            cJSON_ArrayForEach(ho, hosts)
                sum += cJSON_GetObjectItem(cJSON_GetArrayItem(
                    cJSON_GetObjectItem(ho, "scenarios"), s), "copies")
                    ->valueint;
            cJSON_AddNumberToObject(t, "copies", sum);
            cJSON_AddItemToArray(total, t);
        }
    }
    if (!rc) {
        vt_strbuf out;
        strbuf_init(&out);
        if (o->report && !strcmp(o->report, "json")) {
            jsonfmt_print(&out, root, 0);
        } else {
            const cJSON *ho;
            cJSON_ArrayForEach(ho, hosts) {
                strbuf_addf(&out, "host %s, profile %s\n",
                            cJSON_GetObjectItem(ho, "host")->valuestring,
                            cJSON_GetObjectItem(ho, "profile")->valuestring);
                const cJSON *s;
                cJSON_ArrayForEach(s, cJSON_GetObjectItem(ho, "scenarios"))
                    scenario_text(&out, s);
            }
            const cJSON *t;
            int first = 1;
            cJSON_ArrayForEach(t, cJSON_GetObjectItem(root, "total")) {
                if (first)
                    strbuf_adds(&out, "every host:\n");
                first = 0;
                const cJSON *ds = cJSON_GetObjectItem(t, "domains");
                strbuf_adds(&out, "  ");
                for (int i = 0; i < cJSON_GetArraySize(ds); i++)
                    strbuf_addf(&out, "%s%s", i ? ", " : "",
                                cJSON_GetArrayItem(ds, i)->valuestring);
                strbuf_addf(&out, ": %d copies\n",
                            cJSON_GetObjectItem(t, "copies")->valueint);
            }
        }
        stdout_write(out.buf, out.len);
        strbuf_free(&out);
    }
    cJSON_Delete(root);
    for (int d = 0; d < ndoms; d++)
        free(doms[d].bytes);
    free(doms);
    policy_free(p);
    free(policy_source);
    return rc;
}
