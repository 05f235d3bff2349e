/*
 * report.c - collects edits and findings per domain and renders them as
 * the text rationale and the JSON report (schemas/report.schema.json).
 */
#include "report.h"
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

void report_domain_free(vt_domain_report *r)
{
    if (!r)
        return;
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
                  long long missing, long long total_now)
{
    r->pages = xrealloc(r->pages, (size_t)(r->npages + 1) * sizeof *r->pages);
    r->pages[r->npages++] = (vt_pages_need){node, size_kib, missing, total_now};
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

/* The run's hugepage needs summed per node and size, sorted; caller
 * frees. */
static vt_pages_need *run_pages(const vt_report *r, int *n)
{
    vt_pages_need *all = NULL;
    *n = 0;
    for (int d = 0; d < r->ndomains; d++)
        for (int i = 0; i < r->domains[d]->npages; i++) {
            const vt_pages_need *p = &r->domains[d]->pages[i];
            int k = 0;
            while (k < *n && (all[k].node != p->node ||
                              all[k].size_kib != p->size_kib))
                k++;
            if (k == *n) {
                all = xrealloc(all, (size_t)(*n + 1) * sizeof *all);
                all[(*n)++] = *p;
            } else {
                all[k].missing += p->missing;
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

/* The kernel command-line alternative for 1 GiB pages (they are best
 * reserved at boot, before memory fragments), or NULL. */
static char *gigantic_cmdline(const vt_pages_need *all, int n)
{
    vt_strbuf sb;
    int any = 0;
    strbuf_init(&sb);
    for (int i = 0; i < n; i++) {
        if (all[i].size_kib != 1048576)
            continue;
        long long want = (all[i].total_now > 0 ? all[i].total_now : 0) +
                         all[i].missing;
        strbuf_addf(&sb, "%s%d:%lld", any ? "," : "default_hugepagesz=1G "
                "hugepagesz=1G hugepages=", all[i].node, want);
        any = 1;
    }
    if (!any) {
        strbuf_free(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
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

int report_count_at_least(const vt_report *r, enum vt_severity sev)
{
    int n = 0;
    for (int d = 0; d < r->ndomains; d++)
        for (int i = 0; i < r->domains[d]->nfindings; i++)
            n += r->domains[d]->findings[i].sev >= sev;
    return n;
}

static const char *rule_id(const vt_rule *rl) { return rl ? rl->id : "vtune-xml"; }

void report_text(const vt_report *r, vt_strbuf *out)
{
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        strbuf_addf(out, "%s%s%s%s: %d change%s, %d finding%s (profile %s)\n",
                dr->file, dr->name ? " (" : "", dr->name ? dr->name : "",
                dr->name ? ")" : "", dr->nedits, dr->nedits == 1 ? "" : "s",
                dr->nfindings, dr->nfindings == 1 ? "" : "s", r->profile);
        for (int i = 0; i < dr->nedits; i++) {
            const vt_edit *e = &dr->edits[i];
            strbuf_addf(out, "  %-14s %s\n", rule_id(e->rule), e->xpath);
            if (e->old_value && e->new_value)
                strbuf_addf(out, "  %-14s   %s -> %s\n", "", e->old_value,
                        e->new_value);
            else if (e->new_value)
                strbuf_addf(out, "  %-14s   added %s\n", "", e->new_value);
            else
                strbuf_addf(out, "  %-14s   removed %s\n", "", e->old_value);
            strbuf_addf(out, "  %-14s   why: %s\n", "", e->reason);
        }
        for (int i = 0; i < dr->nfindings; i++) {
            const vt_finding *f = &dr->findings[i];
            strbuf_addf(out, "  %-14s [%s] %s\n", rule_id(f->rule),
                    report_severity_name(f->sev), f->message);
            if (f->action)
                strbuf_addf(out, "  %-14s   fix on the host: %s\n", "", f->action);
        }
    }
    int n;
    vt_pages_need *all = run_pages(r, &n);
    if (n) {
        strbuf_adds(out, "host actions for this run (hugepages all its domains "
                "need):\n");
        for (int i = 0; i < n; i++) {
            char *cmd = report_pages_command(all[i].node, all[i].size_kib,
                                      all[i].missing, all[i].total_now);
            strbuf_addf(out, "  %s\n", cmd);
            free(cmd);
        }
        char *kc = gigantic_cmdline(all, n);
        if (kc)
            strbuf_addf(out, "  or, at boot, on the kernel command line: %s\n", kc);
        free(kc);
    }
    free(all);
}

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

void report_json(const vt_report *r, vt_strbuf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "tool", "vtune-xml");
    cJSON_AddStringToObject(root, "version", VT_VERSION);
    cJSON_AddStringToObject(root, "profile", r->profile);
    cJSON *h = cJSON_AddObjectToObject(root, "host");
    cJSON_AddItemToObject(h, "source", str_or_null(r->host_source));
    cJSON_AddItemToObject(h, "kind", str_or_null(r->host_kind));
    cJSON *doms = cJSON_AddArrayToObject(root, "domains");
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        cJSON *jd = cJSON_CreateObject();
        cJSON_AddStringToObject(jd, "file", dr->file);
        cJSON_AddItemToObject(jd, "name", str_or_null(dr->name));
        cJSON_AddBoolToObject(jd, "changed", dr->changed);
        cJSON *edits = cJSON_AddArrayToObject(jd, "edits");
        for (int i = 0; i < dr->nedits; i++) {
            const vt_edit *e = &dr->edits[i];
            cJSON *je = cJSON_CreateObject();
            cJSON_AddStringToObject(je, "rule", rule_id(e->rule));
            cJSON_AddStringToObject(je, "xpath", e->xpath);
            cJSON_AddItemToObject(je, "old", str_or_null(e->old_value));
            cJSON_AddItemToObject(je, "new", str_or_null(e->new_value));
            cJSON_AddStringToObject(je, "reason", e->reason);
            cJSON_AddItemToObject(je, "reference",
                                  str_or_null(e->rule ? e->rule->reference : NULL));
            cJSON_AddNumberToObject(je, "line", (double)e->line);
            cJSON_AddItemToArray(edits, je);
        }
        cJSON *finds = cJSON_AddArrayToObject(jd, "findings");
        cJSON *acts = cJSON_CreateArray();
        for (int i = 0; i < dr->nfindings; i++) {
            const vt_finding *f = &dr->findings[i];
            cJSON *jf = cJSON_CreateObject();
            cJSON_AddStringToObject(jf, "rule", rule_id(f->rule));
            cJSON_AddStringToObject(jf, "severity", report_severity_name(f->sev));
            cJSON_AddStringToObject(jf, "xpath", f->xpath);
            cJSON_AddStringToObject(jf, "message", f->message);
            cJSON_AddItemToObject(jf, "host_action", str_or_null(f->action));
            cJSON_AddItemToObject(jf, "reference",
                                  str_or_null(f->rule ? f->rule->reference : NULL));
            cJSON_AddNumberToObject(jf, "line", (double)f->line);
            cJSON_AddItemToArray(finds, jf);
            if (f->action)
                cJSON_AddItemToArray(acts, cJSON_CreateString(f->action));
        }
        cJSON_AddItemToObject(jd, "host_actions", acts);
        cJSON_AddItemToArray(doms, jd);
    }
    int n;
    vt_pages_need *all = run_pages(r, &n);
    cJSON *ha = cJSON_AddArrayToObject(root, "host_actions");
    for (int i = 0; i < n; i++) {
        cJSON *a = cJSON_CreateObject();
        char *cmd = report_pages_command(all[i].node, all[i].size_kib,
                                  all[i].missing, all[i].total_now);
        cJSON_AddNumberToObject(a, "node", all[i].node);
        cJSON_AddNumberToObject(a, "size_kib", (double)all[i].size_kib);
        cJSON_AddNumberToObject(a, "pages_missing", (double)all[i].missing);
        cJSON_AddStringToObject(a, "command", cmd);
        cJSON_AddItemToArray(ha, a);
        free(cmd);
    }
    char *kc = gigantic_cmdline(all, n);
    cJSON_AddItemToObject(root, "kernel_cmdline", str_or_null(kc));
    free(kc);
    free(all);
    jsonfmt_print(out, root, 0);
    cJSON_Delete(root);
}

/* Markdown table cell: pipes escaped, newlines flattened. */
static void md_cell(vt_strbuf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            strbuf_adds(out, "\\|");
        else if (*s == '\n')
            strbuf_adds(out, " ");
        else
            strbuf_add(out, s, 1);
    }
}

static void md_code(vt_strbuf *out, const char *s)
{
    if (!s) {
        strbuf_adds(out, "(none)");
        return;
    }
    strbuf_adds(out, "`");
    md_cell(out, s);
    strbuf_adds(out, "`");
}

void report_markdown(const vt_report *r, vt_strbuf *out)
{
    strbuf_addf(out, "## vtune-xml: profile %s, host %s (%s)\n\n", r->profile,
            r->host_source ? r->host_source : "?", r->host_kind);
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        strbuf_addf(out, "### `%s`%s%s%s: %d change%s, %d finding%s\n\n",
                dr->file, dr->name ? " (" : "", dr->name ? dr->name : "",
                dr->name ? ")" : "", dr->nedits, dr->nedits == 1 ? "" : "s",
                dr->nfindings, dr->nfindings == 1 ? "" : "s");
        if (dr->nedits) {
            strbuf_adds(out, "| rule | where | was | now | why |\n"
                         "|---|---|---|---|---|\n");
            for (int i = 0; i < dr->nedits; i++) {
                const vt_edit *e = &dr->edits[i];
                strbuf_addf(out, "| `%s` | ", rule_id(e->rule));
                md_code(out, e->xpath);
                strbuf_adds(out, " | ");
                md_code(out, e->old_value);
                strbuf_adds(out, " | ");
                md_code(out, e->new_value);
                strbuf_adds(out, " | ");
                md_cell(out, e->reason);
                strbuf_adds(out, " |\n");
            }
            strbuf_adds(out, "\n");
        }
        for (int i = 0; i < dr->nfindings; i++) {
            const vt_finding *f = &dr->findings[i];
            strbuf_addf(out, "- **%s** `%s`: ", report_severity_name(f->sev),
                    rule_id(f->rule));
            md_cell(out, f->message);
            if (f->action) {
                strbuf_adds(out, "\n  fix on the host: ");
                md_code(out, f->action);
            }
            strbuf_adds(out, "\n");
        }
        if (dr->nfindings)
            strbuf_adds(out, "\n");
    }
    int n;
    vt_pages_need *all = run_pages(r, &n);
    if (n) {
        strbuf_adds(out, "### Host actions for this run\n\n```sh\n");
        for (int i = 0; i < n; i++) {
            char *cmd = report_pages_command(all[i].node, all[i].size_kib,
                                      all[i].missing, all[i].total_now);
            strbuf_addf(out, "%s\n", cmd);
            free(cmd);
        }
        strbuf_adds(out, "```\n");
        char *kc = gigantic_cmdline(all, n);
        if (kc)
            strbuf_addf(out, "\nOr at boot, on the kernel command line: `%s`\n",
                    kc);
        free(kc);
    }
    free(all);
}

static const char *sarif_level(enum vt_severity sev)
{
    return sev == SEV_INFEASIBLE ? "error" : sev == SEV_WARNING ? "warning"
                                                                 : "note";
}

void report_sarif(const vt_report *r, vt_strbuf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema",
        "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON *tool = cJSON_AddObjectToObject(run, "tool");
    cJSON *driver = cJSON_AddObjectToObject(tool, "driver");
    cJSON_AddStringToObject(driver, "name", "vtune-xml");
    cJSON_AddStringToObject(driver, "version", VT_VERSION);
    cJSON_AddStringToObject(driver, "informationUri",
                            "https://libvirt.org/formatdomain.html");
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    cJSON *engine = cJSON_CreateObject();
    cJSON_AddStringToObject(engine, "id", "vtune-xml");
    cJSON *ed = cJSON_AddObjectToObject(engine, "shortDescription");
    cJSON_AddStringToObject(ed, "text", "which domains vtune-xml tunes");
    cJSON_AddItemToArray(rules, engine);
    for (int i = 0; i < vt_nrules; i++) {
        cJSON *jr = cJSON_CreateObject();
        cJSON_AddStringToObject(jr, "id", vt_rules[i]->id);
        cJSON *sd = cJSON_AddObjectToObject(jr, "shortDescription");
        cJSON_AddStringToObject(sd, "text", vt_rules[i]->summary);
        cJSON *fd = cJSON_AddObjectToObject(jr, "fullDescription");
        cJSON_AddStringToObject(fd, "text", vt_rules[i]->description);
        cJSON_AddStringToObject(jr, "helpUri", vt_rules[i]->reference);
        cJSON_AddItemToArray(rules, jr);
    }
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        for (int i = 0; i < dr->nfindings; i++) {
            const vt_finding *f = &dr->findings[i];
            cJSON *res = cJSON_CreateObject();
            cJSON_AddStringToObject(res, "ruleId", rule_id(f->rule));
            cJSON_AddStringToObject(res, "level", sarif_level(f->sev));
            cJSON *msg = cJSON_AddObjectToObject(res, "message");
            char *text = f->action ? xasprintf("%s (fix on the host: %s)",
                                               f->message, f->action)
                                   : xstrdup(f->message);
            cJSON_AddStringToObject(msg, "text", text);
            free(text);
            cJSON *locs = cJSON_AddArrayToObject(res, "locations");
            cJSON *loc = cJSON_CreateObject();
            cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
            cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
            cJSON_AddStringToObject(art, "uri", dr->file);
            cJSON *region = cJSON_AddObjectToObject(phys, "region");
            cJSON_AddNumberToObject(region, "startLine",
                                    f->line > 0 ? (double)f->line : 1);
            cJSON *logical = cJSON_AddArrayToObject(loc, "logicalLocations");
            cJSON *ll = cJSON_CreateObject();
            cJSON_AddStringToObject(ll, "fullyQualifiedName", f->xpath);
            cJSON_AddStringToObject(ll, "kind", "element");
            cJSON_AddItemToArray(logical, ll);
            cJSON_AddItemToArray(locs, loc);
            cJSON_AddItemToArray(results, res);
        }
    }
    jsonfmt_print(out, root, 0);
    cJSON_Delete(root);
}

#define C_RESET "\033[0m"

/* Calls PAINT on each line of IN (without its newline). */
static void each_line(const vt_strbuf *in, vt_strbuf *out,
                      const char *(*color)(const char *line, size_t n))
{
    const char *p = in->buf, *end = in->buf + in->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *c = color(p, n);
        if (c)
            strbuf_adds(out, c);
        strbuf_add(out, p, n);
        if (c)
            strbuf_adds(out, C_RESET);
        if (nl)
            strbuf_add(out, "\n", 1);
        p += n + (nl != NULL);
    }
}

static const char *diff_color(const char *l, size_t n)
{
    if (n >= 3 && (!strncmp(l, "---", 3) || !strncmp(l, "+++", 3)))
        return "\033[1m";
    if (n >= 2 && !strncmp(l, "@@", 2))
        return "\033[36m";
    if (n && *l == '-')
        return "\033[31m";
    if (n && *l == '+')
        return "\033[32m";
    return NULL;
}

static const char *text_color(const char *l, size_t n)
{
    size_t k = 0;
    while (k < n && l[k] == ' ')
        k++;
    if (k == 0)
        return "\033[1m";                     /* a domain's headline */
    if (memmem(l, n, "[infeasible]", 12))
        return "\033[31m";
    if (memmem(l, n, "[warning]", 9))
        return "\033[33m";
    if (memmem(l, n, "why: ", 5) || memmem(l, n, "fix on the host:", 16))
        return "\033[2m";
    return NULL;
}

void color_diff(const vt_strbuf *in, vt_strbuf *out) { each_line(in, out, diff_color); }
void color_text(const vt_strbuf *in, vt_strbuf *out) { each_line(in, out, text_color); }
