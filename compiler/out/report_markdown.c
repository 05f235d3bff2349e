/*
 * report_markdown.c - the Markdown summary for a pull-request comment (--report
 * markdown): a table of changes with their reasons, then the findings and
 * the host actions.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

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
        strbuf_addf(out, "### `%s`", dr->file);
        report_summary(dr, out);
        strbuf_adds(out, "\n\n");
        if (dr->nedits) {
            strbuf_adds(out, "| rule | where | was | now | why |\n"
                        "|---|---|---|---|---|\n");
            for (int i = 0; i < dr->nedits; i++) {
                const vt_edit *e = &dr->edits[i];
                strbuf_addf(out, "| `%s` | ", report_rule_id(e->rule));
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
                        report_rule_id(f->rule));
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
    vt_pages_need *all = report_run_pages(r, &n);
    if (report_pages_missing(all, n)) {
        strbuf_adds(out, "### Host actions for this run\n\n```sh\n");
        for (int i = 0; i < n; i++) {
            if (all[i].missing <= 0)
                continue;
            char *cmd = report_pages_command(all[i].node, all[i].size_kib,
                                             all[i].missing, all[i].total_now);
            strbuf_addf(out, "%s\n", cmd);
            free(cmd);
        }
        strbuf_adds(out, "```\n");
        strbuf_adds(out, "\nThen check that each `nr_hugepages` reads back "
                    "its count (the kernel gives fewer when memory is "
                    "fragmented) and tune again: until then the domains "
                    "that lack pages run on ordinary memory.\n");
        char *kc = report_kernel_cmdline(all, n);
        if (kc)
            strbuf_addf(out, "\nOr at boot, on the kernel command line (every "
                        "pool the host keeps): `%s`\n", kc);
        free(kc);
        char *m;
        for (int k = 0; (m = report_hugetlbfs_mount(all, n, r->default_page_kib, k)); k++) {
            strbuf_addf(out, "%s`%s`\n", k ? "and " : "\nlibvirt needs a "
                        "hugetlbfs mount per size (persist it in /etc/fstab, "
                        "then restart libvirtd or virtqemud): ", m);
            free(m);
        }
    }
    free(all);
}
