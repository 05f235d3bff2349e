/*
 * report_json.c - the JSON report (--report json), following
 * schemas/report.schema.json.
 */
#include "report.h"
#include "jsonfmt.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

void report_json(const vt_report *r, vt_strbuf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "tool", "vtune-xml");
    cJSON_AddStringToObject(root, "version", VT_VERSION);
    cJSON_AddStringToObject(root, "profile", r->profile);
    cJSON_AddItemToObject(root, "policy", jsonfmt_str_or_null(r->policy_source));
    cJSON *h = cJSON_AddObjectToObject(root, "host");
    cJSON_AddItemToObject(h, "source", jsonfmt_str_or_null(r->host_source));
    cJSON_AddItemToObject(h, "kind", jsonfmt_str_or_null(r->host_kind));
    cJSON *doms = cJSON_AddArrayToObject(root, "domains");
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        cJSON *jd = cJSON_CreateObject();
        cJSON_AddStringToObject(jd, "file", dr->file);
        cJSON_AddItemToObject(jd, "name", jsonfmt_str_or_null(dr->name));
        cJSON_AddBoolToObject(jd, "changed", dr->changed);
        cJSON_AddBoolToObject(jd, "tuned", dr->tuned);
        if (dr->error) {
            cJSON *je = cJSON_AddObjectToObject(jd, dr->skipped ? "skipped"
                                                                : "error");
            cJSON_AddStringToObject(je, "message", dr->error);
            if (!dr->skipped)
                cJSON_AddNumberToObject(je, "exit_code", dr->error_code);
            cJSON_AddNumberToObject(je, "line", (double)dr->error_line);
        }
        cJSON *edits = cJSON_AddArrayToObject(jd, "edits");
        for (int i = 0; i < dr->nedits; i++) {
            const vt_edit *e = &dr->edits[i];
            cJSON *je = cJSON_CreateObject();
            cJSON_AddStringToObject(je, "rule", report_rule_id(e->rule));
            cJSON_AddStringToObject(je, "xpath", e->xpath);
            cJSON_AddItemToObject(je, "old", jsonfmt_str_or_null(e->old_value));
            cJSON_AddItemToObject(je, "new", jsonfmt_str_or_null(e->new_value));
            cJSON_AddStringToObject(je, "reason", e->reason);
            cJSON_AddItemToObject(je, "reference",
                                  jsonfmt_str_or_null(e->rule ? e->rule->reference : NULL));
            cJSON_AddNumberToObject(je, "line", (double)e->line);
            cJSON_AddItemToArray(edits, je);
        }
        cJSON *finds = cJSON_AddArrayToObject(jd, "findings");
        cJSON *acts = cJSON_CreateArray();
        for (int i = 0; i < dr->nfindings; i++) {
            const vt_finding *f = &dr->findings[i];
            cJSON *jf = cJSON_CreateObject();
            cJSON_AddStringToObject(jf, "rule", report_rule_id(f->rule));
            cJSON_AddStringToObject(jf, "severity", report_severity_name(f->sev));
            cJSON_AddStringToObject(jf, "xpath", f->xpath);
            cJSON_AddStringToObject(jf, "message", f->message);
            cJSON_AddItemToObject(jf, "host_action", jsonfmt_str_or_null(f->action));
            cJSON_AddItemToObject(jf, "reference",
                                  jsonfmt_str_or_null(f->rule ? f->rule->reference : NULL));
            cJSON_AddNumberToObject(jf, "line", (double)f->line);
            cJSON_AddItemToArray(finds, jf);
            if (f->action)
                cJSON_AddItemToArray(acts, cJSON_CreateString(f->action));
        }
        cJSON_AddItemToObject(jd, "host_actions", acts);
        cJSON_AddItemToArray(doms, jd);
    }
    int n;
    vt_pages_need *all = report_run_pages(r, &n);
    cJSON *ha = cJSON_AddArrayToObject(root, "host_actions");
    for (int i = 0; i < n; i++) {
        if (all[i].missing <= 0)
            continue;
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
    char *kc = report_kernel_cmdline(all, n);
    cJSON_AddItemToObject(root, "kernel_cmdline", jsonfmt_str_or_null(kc));
    free(kc);
    cJSON *mounts = cJSON_AddArrayToObject(root, "hugetlbfs_mounts");
    char *m;
    for (int k = 0; (m = report_hugetlbfs_mount(all, n, r->default_page_kib, k)); k++) {
        cJSON_AddItemToArray(mounts, cJSON_CreateString(m));
        free(m);
    }
    free(all);
    jsonfmt_print(out, root, 0);
    cJSON_Delete(root);
}
