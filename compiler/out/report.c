/*
 * report.c - collects edits and findings per domain and renders them as
 * the text rationale and the JSON report (schemas/report.schema.json).
 */
#include "report.h"
#include "units.h"
#include "jsonfmt.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

vt_domain_report *report_domain_new(const char *file)
{
    vt_domain_report *r = xcalloc(1, sizeof *r);
    r->file = xstrdup(file);
    return r;
}

void report_domain_error(vt_domain_report *r, int code, const char *message,
                         long line, int skipped)
{
    free(r->error);
    r->error_code = skipped ? 0 : code;
    r->error = xstrdup(message);
    r->error_line = line;
    r->skipped = skipped;
}

void report_domain_clear(vt_domain_report *r)
{
    for (int i = 0; i < r->nedits; i++) {
        free(r->edits[i].xpath);
        free(r->edits[i].old_value);
        free(r->edits[i].new_value);
        free(r->edits[i].reason);
    }
    for (int i = 0; i < r->nfindings; i++) {
        free(r->findings[i].xpath);
        free(r->findings[i].message);
        free(r->findings[i].action);
    }
    free(r->edits);
    free(r->findings);
    free(r->pages);
    r->edits = NULL;
    r->findings = NULL;
    r->pages = NULL;
    r->nedits = r->capedits = r->nfindings = r->capfindings = r->npages = 0;
    r->changed = r->tuned = 0;
}

void report_domain_free(vt_domain_report *r)
{
    if (!r)
        return;
    free(r->error);
    report_domain_clear(r);
    free(r->file);
    free(r->name);
    free(r);
}

void report_edit(vt_domain_report *r, const vt_rule *rl, const char *xpath,
                 const char *old_value, const char *new_value,
                 const char *reason, long line)
{
    if (r->nedits == r->capedits) {
        r->capedits = r->capedits ? 2 * r->capedits : 8;
        r->edits = xrealloc(r->edits, (size_t)r->capedits * sizeof *r->edits);
    }
    r->edits[r->nedits++] = (vt_edit){
        .rule = rl, .xpath = xstrdup(xpath),
        .old_value = dup_or_null(old_value),
        .new_value = dup_or_null(new_value), .reason = xstrdup(reason),
        .line = line,
    };
    r->changed = 1;
}

void report_finding(vt_domain_report *r, const vt_rule *rl, enum vt_severity sev,
                    const char *xpath, const char *message,
                    const char *action, long line)
{
    if (r->nfindings == r->capfindings) {
        r->capfindings = r->capfindings ? 2 * r->capfindings : 8;
        r->findings = xrealloc(r->findings,
                               (size_t)r->capfindings * sizeof *r->findings);
    }
    r->findings[r->nfindings++] = (vt_finding){
        .rule = rl, .sev = sev, .xpath = xstrdup(xpath),
        .message = xstrdup(message), .action = dup_or_null(action),
        .line = line,
    };
}

void report_pages(vt_domain_report *r, int node, unsigned long long size_kib,
                  long long missing, long long used, long long total_now)
{
    r->pages = xrealloc(r->pages, (size_t)(r->npages + 1) * sizeof *r->pages);
    r->pages[r->npages++] = (vt_pages_need){node, size_kib, missing, used,
                                            total_now};
}

char *report_pages_command(int node, unsigned long long size_kib, long long missing,
                           long long total_now)
{
    char *f = xasprintf("/sys/devices/system/node/node%d/hugepages/"
                        "hugepages-%llukB/nr_hugepages", node, size_kib);
    char *cmd = total_now >= 0
                    ? xasprintf("echo %lld > %s", total_now + missing, f)
                    : xasprintf("echo $(( $(cat %s) + %lld )) > %s", f,
                                missing, f);
    free(f);
    return cmd;
}

void report_host_pools(vt_report *r, const vt_host *h)
{
    uint64_t base = host_base_page(h), sizes[8];
    int ns = host_huge_sizes(h, sizes, 8, NULL);
    r->default_page_kib = ns ? sizes[ns - 1] : 0;
    for (int i = 0; i < h->nnodes; i++)
        for (int k = 0; k < h->nodes[i].npages; k++) {
            const vt_host_pages *pg = &h->nodes[i].pages[k];
            if (pg->size_kib <= base || pg->total <= 0)
                continue;
            r->pools = xrealloc(r->pools, (size_t)(r->npools + 1) *
                                              sizeof *r->pools);
            r->pools[r->npools++] = (vt_pages_need){
                h->nodes[i].id, pg->size_kib, 0,
                pg->free >= 0 ? pg->total - pg->free : pg->total, pg->total,
            };
        }
}

vt_pages_need *report_run_pages(const vt_report *r, int *n)
{
    vt_pages_need *all = NULL;
    *n = 0;
    /* the host's pools first: a command line for the run keeps them */
    for (int d = -1; d < r->ndomains; d++)
        for (int i = 0; i < (d < 0 ? r->npools : r->domains[d]->npages); i++) {
            const vt_pages_need *p = d < 0 ? &r->pools[i]
                                           : &r->domains[d]->pages[i];
            int k = 0;
            while (k < *n && (all[k].node != p->node ||
                              all[k].size_kib != p->size_kib))
                k++;
            if (k == *n) {
                all = xrealloc(all, (size_t)(*n + 1) * sizeof *all);
                all[(*n)++] = *p;
            } else {
                all[k].missing += p->missing;
                all[k].used += p->used;
                if (all[k].total_now < 0)
                    all[k].total_now = p->total_now;
            }
        }
    for (int i = 1; i < *n; i++)        /* insertion sort: few entries */
        for (int j = i; j > 0 && (all[j].size_kib > all[j - 1].size_kib ||
                                  (all[j].size_kib == all[j - 1].size_kib &&
                                   all[j].node < all[j - 1].node)); j--) {
            vt_pages_need t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    return all;
}

int report_pages_missing(const vt_pages_need *all, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += all[i].missing > 0;
    return k;
}

char *report_kernel_cmdline(const vt_pages_need *all, int n)
{
    /* ALL is sorted by size, largest first: one hugepagesz= per size the
     * host has or the run uses, with its per-node counts (Linux 5.16 and
     * later read "node:count"): the pool as it is now plus what is
     * missing, or what the run takes when the pool's size is unknown.
     * No default_hugepagesz: changing the default would change what a
     * bare <hugepages/> and /dev/hugepages mean. Nothing when no pool is
     * short. */
    if (!report_pages_missing(all, n))
        return NULL;
    vt_strbuf sb;
    char name[32];
    strbuf_init(&sb);
    for (int i = 0; i < n; i++) {
        long long want = all[i].total_now >= 0
                             ? all[i].total_now + all[i].missing
                             : all[i].used;
        units_kernel(all[i].size_kib, name, sizeof name);
        if (i == 0 || all[i].size_kib != all[i - 1].size_kib)
            strbuf_addf(&sb, "%shugepagesz=%s hugepages=", i ? " " : "",
                        name);
        else
            strbuf_adds(&sb, ",");
        strbuf_addf(&sb, "%d:%lld", all[i].node, want);
    }
    return strbuf_detach(&sb, NULL);
}

char *report_hugetlbfs_mount(const vt_pages_need *all, int n,
                             unsigned long long default_kib, int k)
{
    /* the sizes but the kernel's default, which systemd mounts at
     * /dev/hugepages */
    if (!report_pages_missing(all, n))
        return NULL;
    int seen = 0;
    for (int i = 0; i < n; i++) {
        if ((i && all[i].size_kib == all[i - 1].size_kib) ||
            all[i].size_kib == default_kib)
            continue;
        if (seen++ == k) {
            char name[32];
            units_kernel(all[i].size_kib, name, sizeof name);
            return xasprintf("mkdir -p /dev/hugepages-%s && mount -t "
                             "hugetlbfs -o pagesize=%s hugetlbfs "
                             "/dev/hugepages-%s", name, name, name);
        }
    }
    return NULL;
}

const char *report_severity_name(enum vt_severity sev)
{
    switch (sev) {
    case SEV_INFO: return "info";
    case SEV_WARNING: return "warning";
    case SEV_INFEASIBLE: return "infeasible";
    }
    return "?";
}

void report_summary(const vt_domain_report *dr, vt_strbuf *out)
{
    if (dr->name)
        strbuf_addf(out, " (%s)", dr->name);
    strbuf_addf(out, ": %d change%s, %d finding%s", dr->nedits,
                dr->nedits == 1 ? "" : "s", dr->nfindings,
                dr->nfindings == 1 ? "" : "s");
}

int report_count_at_least(const vt_report *r, enum vt_severity sev)
{
    int n = 0;
    for (int d = 0; d < r->ndomains; d++)
        for (int i = 0; i < r->domains[d]->nfindings; i++)
            n += r->domains[d]->findings[i].sev >= sev;
    return n;
}

const char *report_rule_id(const vt_rule *rl)
{
    return rl ? rl->id : "vtune-xml";
}


vt_renderer report_renderer(const char *format)
{
    static const struct {
        const char *name;
        vt_renderer render;
    } formats[] = {
        {"text", report_text}, {"json", report_json},
        {"markdown", report_markdown}, {"sarif", report_sarif},
        {"codequality", report_codequality},
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!strcmp(formats[i].name, format))
            return formats[i].render;
    return NULL;
}
