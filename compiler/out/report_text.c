/*
 * report_text.c - the text rationale (--report text, --explain): per
 * domain, each edit with its reason, each finding, then the host actions
 * of the run.
 */
#include "report.h"
#include "quote.h"

#include <stdlib.h>

void report_text(const vt_report *r, vt_strbuf *out)
{
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        if (dr->error) {
            strbuf_addf(out, "%s: %s%s\n", quoted(dr->file), dr->skipped ? ""
                        : "not tuned: ", dr->error);
            continue;
        }
        quote_path(out, "", dr->file);
        report_summary(dr, out);
        strbuf_addf(out, " (profile %s)\n", r->profile);
        for (int i = 0; i < dr->nedits; i++) {
            const vt_edit *e = &dr->edits[i];
            strbuf_addf(out, "  %-14s %s\n", report_rule_id(e->rule), e->xpath);
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
            strbuf_addf(out, "  %-14s [%s] %s\n", report_rule_id(f->rule),
                        report_severity_name(f->sev), f->message);
            if (f->action)
                strbuf_addf(out, "  %-14s   fix on the host: %s\n", "", f->action);
        }
    }
    int n;
    vt_pages_need *all = report_run_pages(r, &n);
    if (report_pages_missing(all, n)) {
        strbuf_adds(out, "host actions for this run (hugepages all its domains "
                    "need):\n");
        for (int i = 0; i < n; i++) {
            if (all[i].missing <= 0)
                continue;
            char *cmd = report_pages_command(all[i].node, all[i].size_kib,
                                             all[i].missing, all[i].total_now);
            strbuf_addf(out, "  %s\n", cmd);
            free(cmd);
        }
        strbuf_adds(out, "  then check that each nr_hugepages reads back its "
                    "count (the kernel gives fewer when memory is "
                    "fragmented) and tune again: until then the domains "
                    "that lack pages run on ordinary memory\n");
        char *kc = report_kernel_cmdline(all, n);
        if (kc)
            strbuf_addf(out, "  or, at boot, on the kernel command line (every "
                        "pool the host keeps): %s\n", kc);
        free(kc);
        char *m;
        for (int k = 0; (m = report_hugetlbfs_mount(all, n, r->default_page_kib, k)); k++) {
            strbuf_addf(out, "  %s: %s\n", k ? "and" : "libvirt needs a "
                        "hugetlbfs mount per size (persist it in /etc/fstab, "
                        "then restart libvirtd or virtqemud, which read the "
                        "mounts when they start)", m);
            free(m);
        }
    }
    free(all);
    if (r->policy_source)
        strbuf_addf(out, "policy: %s\n", r->policy_source);
}
