/*
 * report_codequality.c - GitLab Code Quality (--report codequality): a JSON
 * array with one issue per change due and per finding (and per file the
 * run could not take), for the merge request widget
 * (artifacts:reports:codequality). Each issue has a description, a
 * check_name (the rule), a severity (info, minor, major, critical,
 * blocker), a location (path, lines.begin) and a fingerprint that stays
 * the same from run to run while the issue does: a hash of the file, the
 * kind, the rule and the XPath, and how many issues before it in the file
 * had that same key.
 */
#include "report.h"
#include "jsonfmt.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A finding's severity: infeasible is what the policy asked and could not
 * be done; a warning is a value kept that costs; advice is information. */
static const char *cq_severity(enum vt_severity sev)
{
    return sev == SEV_INFEASIBLE ? "critical" : sev == SEV_WARNING ? "major"
                                                                    : "info";
}

/* FNV-1a, 64 bits, over the fields (each ended by a NUL so that "ab"+"c"
 * and "a"+"bc" differ). */
static uint64_t fnv_add(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); ; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
        if (!*p)
            return h;
    }
}

/* The stable key of an issue; the count of earlier issues with the same
 * key tells two edits of one node apart (an element added, then its
 * text). */
typedef struct cq_key {
    uint64_t h;
    int n;
} cq_key;

static char *cq_fingerprint(cq_key **keys, int *nkeys, int *cap,
                            const char *path, const char *kind,
                            const char *rule, const char *xpath)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv_add(h, "vtune-xml");
    h = fnv_add(h, path);
    h = fnv_add(h, kind);
    h = fnv_add(h, rule);
    h = fnv_add(h, xpath);
    int seen = 0;
    for (int i = 0; i < *nkeys; i++)
        if ((*keys)[i].h == h) {
            seen = ++(*keys)[i].n;
            break;
        }
    if (!seen) {
        if (*nkeys == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            *keys = xrealloc(*keys, (size_t)*cap * sizeof **keys);
        }
        (*keys)[(*nkeys)++] = (cq_key){h, 0};
    }
    char n[16];
    snprintf(n, sizeof n, "%d", seen);
    uint64_t h2 = fnv_add(h, n);
    /* 128 bits, as hex: the second half also mixes the occurrence in */
    return xasprintf("%016llx%016llx", (unsigned long long)h,
                     (unsigned long long)(h2 ^ (h2 >> 29)));
}

/* A value in a description: ABSENT when there is none, "" when empty. */
static const char *cq_value(const char *v, const char *absent)
{
    return !v ? absent : *v ? v : "\"\"";
}

static void cq_issue(cJSON *arr, const char *check, const char *sev,
                     const char *description, const char *path, long line,
                     char *fingerprint)
{
    /* a file the tool could not take is a risk, not a tuning matter */
    const char *category = !strcmp(sev, "blocker") ? "Bug Risk"
                                                   : "Performance";
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "issue");
    cJSON_AddStringToObject(o, "check_name", check);
    cJSON_AddStringToObject(o, "description", description);
    cJSON *cat = cJSON_AddArrayToObject(o, "categories");
    cJSON_AddItemToArray(cat, cJSON_CreateString(category));
    cJSON_AddStringToObject(o, "severity", sev);
    cJSON_AddStringToObject(o, "fingerprint", fingerprint);
    cJSON *loc = cJSON_AddObjectToObject(o, "location");
    cJSON_AddStringToObject(loc, "path", path);
    cJSON *lines = cJSON_AddObjectToObject(loc, "lines");
    cJSON_AddNumberToObject(lines, "begin", line > 0 ? (double)line : 1);
    cJSON_AddItemToArray(arr, o);
    free(fingerprint);
}

void report_codequality(const vt_report *r, vt_strbuf *out)
{
    cJSON *root = cJSON_CreateArray();
    char *cwd = getcwd(NULL, 0);
    cq_key *keys = NULL;
    int nkeys = 0, cap = 0;
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        /* paths relative to the project root (the directory the job runs
         * in), as GitLab links them; an absolute one under it is made so */
        const char *path = dr->file;
        size_t cl = cwd ? strlen(cwd) : 0;
        if (cl > 1 && !strncmp(path, cwd, cl) && path[cl] == '/')
            path += cl + 1;
        while (path[0] == '.' && path[1] == '/')
            path += 2;
        nkeys = 0;
        if (dr->error_code && !dr->skipped) {
            char *desc = xasprintf("vtune-xml could not take this file: %s",
                                   dr->error ? dr->error : "error");
            cq_issue(root, "vtune-xml", "blocker", desc, path, dr->error_line,
                     cq_fingerprint(&keys, &nkeys, &cap, path, "error",
                                    "vtune-xml", ""));
            free(desc);
        }
        for (int i = 0; i < dr->nedits; i++) {
            const vt_edit *e = &dr->edits[i];
            const char *rule = report_rule_id(e->rule);
            char *desc = xasprintf("%s: change due at %s: %s -> %s: %s", rule,
                                   e->xpath, cq_value(e->old_value, "(none)"),
                                   cq_value(e->new_value, "(removed)"),
                                   e->reason);
            cq_issue(root, rule, "minor", desc, path, e->line,
                     cq_fingerprint(&keys, &nkeys, &cap, path, "edit", rule,
                                    e->xpath));
            free(desc);
        }
        for (int i = 0; i < dr->nfindings; i++) {
            const vt_finding *f = &dr->findings[i];
            const char *rule = report_rule_id(f->rule);
            char *desc = f->action
                ? xasprintf("%s: %s (fix on the host: %s)", rule, f->message,
                            f->action)
                : xasprintf("%s: %s", rule, f->message);
            cq_issue(root, rule, cq_severity(f->sev), desc, path, f->line,
                     cq_fingerprint(&keys, &nkeys, &cap, path, "finding",
                                    rule, f->xpath));
            free(desc);
        }
    }
    free(keys);
    free(cwd);
    jsonfmt_print(out, root, 0);
    cJSON_Delete(root);
}
