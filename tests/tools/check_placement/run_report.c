/*
 * run_report.c - vtune-xml's JSON report of the run, read with cJSON
 * (see run_report.h; its shape: schemas/report.schema.json).
 */
#include "run_report.h"
#include "report.h"

#include "alloc.h"
#include "file.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int by_rule(const cJSON *list, const char *rule, const char *sev)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        const char *r = str_of(e, "rule"), *s = str_of(e, "severity");
        if (r && !strcmp(r, rule) && (!sev || (s && !strcmp(s, sev))))
            return 1;
    }
    return 0;
}

static void read_domain(const cJSON *jd, rr_domain *d)
{
    const cJSON *edits = cJSON_GetObjectItemCaseSensitive(jd, "edits");
    const cJSON *finds = cJSON_GetObjectItemCaseSensitive(jd, "findings");
    const cJSON *acts = cJSON_GetObjectItemCaseSensitive(jd, "host_actions");
    d->base = xstrdup(base_of(str_of(jd, "file") ? str_of(jd, "file") : ""));
    d->tuned = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(jd, "tuned"));
    d->placed = by_rule(edits, "numa.place", NULL) ||
                by_rule(edits, "cpu.pin", NULL);
    d->fallback = by_rule(finds, "cpu.pin", "infeasible") &&
                  by_rule(edits, "numa.place", NULL);
    d->infeasible = !d->placed && (by_rule(finds, "numa.place", "infeasible") ||
                                   by_rule(finds, "cpu.pin", "infeasible"));
    d->tool_cells = by_rule(edits, "numa.guest", NULL);
    d->tool_pages = by_rule(edits, "mem.hugepages", NULL);
    d->has_actions = cJSON_GetArraySize(acts) > 0;
}

int run_report_read(const char *file, run_report *r)
{
    memset(r, 0, sizeof *r);
    size_t len;
    char *text = file_read(file, &len);
    if (!text) {
        input_error(file, "cannot read the report");
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *doms = cJSON_GetObjectItemCaseSensitive(root, "domains");
    const cJSON *acts = cJSON_GetObjectItemCaseSensitive(root, "host_actions");
    const char *profile = str_of(root, "profile");
    if (!root || !cJSON_IsArray(doms) || !cJSON_IsArray(acts) || !profile) {
        input_error(file, "not a vtune-xml JSON report (--report json)");
        cJSON_Delete(root);
        return -1;
    }
    r->loaded = 1;
    r->hugepage_profile = !strcmp(profile, "latency") ||
                          !strcmp(profile, "throughput") ||
                          !strcmp(profile, "realtime");
    r->isolate = !strcmp(profile, "realtime");
    r->ndomains = cJSON_GetArraySize(doms);
    r->domains = xcalloc((size_t)(r->ndomains ? r->ndomains : 1),
                         sizeof *r->domains);
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, doms)
        read_domain(e, &r->domains[i++]);
    r->nactions = cJSON_GetArraySize(acts);
    r->actions = xcalloc((size_t)(r->nactions ? r->nactions : 1),
                         sizeof *r->actions);
    i = 0;
    cJSON_ArrayForEach(e, acts) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "node");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "size_kib");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "pages_missing");
        r->actions[i++] = (rr_action){
            cJSON_IsNumber(n) ? n->valueint : -1,
            cJSON_IsNumber(s) ? (unsigned long long)s->valuedouble : 0,
            cJSON_IsNumber(m) ? (long long)m->valuedouble : 0,
        };
    }
    cJSON_Delete(root);
    return 0;
}

const rr_domain *run_report_domain(const run_report *r, int index, int n,
                                   const char *file)
{
    if (r->loaded && r->ndomains == n && index < n)
        return &r->domains[index];
    const char *b = base_of(file);
    for (int i = 0; r->loaded && i < r->ndomains; i++)
        if (!strcmp(r->domains[i].base, b))
            return &r->domains[i];
    return NULL;
}

void run_report_free(run_report *r)
{
    for (int i = 0; i < r->ndomains; i++)
        free(r->domains[i].base);
    free(r->domains);
    free(r->actions);
    memset(r, 0, sizeof *r);
}
