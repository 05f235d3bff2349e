/*
 * report_sarif.c - SARIF 2.1.0 (--report sarif), so that CI code scanning shows
 * the findings on the XML lines.
 */
#include "report.h"
#include "jsonfmt.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

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
            cJSON_AddStringToObject(res, "ruleId", report_rule_id(f->rule));
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
