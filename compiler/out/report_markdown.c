/*
 * report_markdown.c - the pull-request comment (--report markdown), as
 * GitHub renders it (cmark-gfm with the table, autolink, strikethrough
 * and tagfilter extensions, raw HTML sanitized):
 *
 *   ## vtune-xml: profile P, host `SOURCE` (KIND)
 *   one sentence: files per status, changes, findings per severity
 *   | # | file | domain | changes | infeasible | warnings | info | status |
 *   ### Files not taken           a line each: file, line, exit, message
 *   ### Changes and findings      per domain with any, one
 *       <details><summary>FILE (NAME): counts</summary>
 *       the findings as a list, each fix command in a fenced block of
 *       its own, then the edits' table (rule, where, was, now, why)
 *       </details>
 *   ### Host actions for this run the run's hugepage commands, kernel
 *                                 command line and mounts, code blocks
 *   "… N domains' details cut …"  only when something was cut
 *
 * Text never leaks into Markdown or HTML syntax: XML in prose (a reason,
 * a message) becomes inline code, other punctuation Markdown would read
 * is backslash-escaped, code spans take a fence longer than any backtick
 * run inside them, pipes are escaped in table cells, and the <summary>
 * line (raw HTML, where Markdown is not read) is HTML-escaped.
 *
 * GitHub refuses a comment over 65,536 characters. The whole output is
 * kept within MD_BUDGET UTF-16 code units (the larger of the counts
 * GitHub could mean; bytes of ASCII), leaving room for a wrapper's
 * marker: when it would not fit, the domains' <details> go first, from
 * the last one back, then the failed files' lines, then table rows from
 * the end, then the host actions, and a last line says what was cut.
 * The details come in the order the cap keeps them: domains with an
 * infeasible finding first, then warnings, then the rest (details_rank).
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define MD_LIMIT 65536
#define MD_BUDGET (MD_LIMIT - 1024)

/* UTF-16 code units of S[0..N): a character above U+FFFF is two, an
 * invalid byte one (as its replacement character would be). */
static size_t utf16_units(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t u = 0, i = 0;
    while (i < n) {
        unsigned char b = p[i];
        size_t len = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2
                   : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
        size_t k = 1;
        while (len && k < len && i + k < n && (p[i + k] & 0xC0) == 0x80)
            k++;
        if (len && k == len) {
            u += len == 4 ? 2 : 1;
            i += len;
        } else {
            u++;
            i++;
        }
    }
    return u;
}

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

static int is_space_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ')
            return 0;
    return 1;
}

/* S[0..N) as one code span: a fence one backtick longer than the longest
 * run inside, padded with a space when the text starts or ends with a
 * backtick (or with spaces, which the span would strip); line breaks
 * become spaces, and in a table cell (TABLE) pipes are escaped. */
static void md_code_n(vt_strbuf *out, const char *s, size_t n, int table)
{
    if (n == 0) {
        strbuf_adds(out, "*(empty)*");
        return;
    }
    size_t run = 0, longest = 0;
    for (size_t i = 0; i < n; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    int pad = s[0] == '`' || s[n - 1] == '`' ||
              (s[0] == ' ' && s[n - 1] == ' ' && !is_space_only(s, n));
    for (size_t i = 0; i <= longest; i++)
        strbuf_adds(out, "`");
    if (pad)
        strbuf_adds(out, " ");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n' || s[i] == '\r')
            strbuf_adds(out, " ");
        else if (s[i] == '|' && table)
            strbuf_adds(out, "\\|");
        else
            strbuf_add(out, s + i, 1);
    }
    if (pad)
        strbuf_adds(out, " ");
    for (size_t i = 0; i <= longest; i++)
        strbuf_adds(out, "`");
}

/* A value as code; NULL is NONE, in plain text. */
static void md_code(vt_strbuf *out, const char *s, int table, const char *none)
{
    if (!s)
        strbuf_adds(out, none);
    else
        md_code_n(out, s, strlen(s), table);
}

/* The length of the XML tag at S ("<cpu>", "</a>", "<memory mode='x'/>"),
 * 0 when S does not start one. */
static size_t tag_at(const char *s)
{
    if (s[0] != '<' || !(s[1] == '/' || s[1] == '!' || s[1] == '?' ||
                         (s[1] >= 'a' && s[1] <= 'z') ||
                         (s[1] >= 'A' && s[1] <= 'Z')))
        return 0;
    for (size_t i = 1; s[i]; i++) {
        if (s[i] == '>')
            return i + 1;
        if (s[i] == '<' || s[i] == '\n' || s[i] == '\r')
            return 0;
    }
    return 0;
}

/* Prose: XML tags (a run of adjacent ones together) become inline code;
 * the punctuation Markdown, GFM's extensions or GitHub's math would read
 * is backslash-escaped; line breaks become spaces. */
static void md_text(vt_strbuf *out, const char *s, int table)
{
    if (!s)
        return;
    for (size_t i = 0; s[i];) {
        size_t t = tag_at(s + i);
        if (t) {
            size_t more;
            while ((more = tag_at(s + i + t)))
                t += more;
            md_code_n(out, s + i, t, table);
            i += t;
            continue;
        }
        char c = s[i];
        if (c == '\n' || c == '\r')
            strbuf_adds(out, " ");
        else if (c == '_' && !(i && is_alnum(s[i - 1]) && is_alnum(s[i + 1])))
            strbuf_adds(out, "\\_");
        else if (strchr("\\`*[]<>~|$&", c))
            strbuf_addf(out, "\\%c", c);
        else
            strbuf_add(out, &c, 1);
        i++;
    }
}

/* Text inside raw HTML (the <summary> line): escaped, on one line. */
static void html_text(vt_strbuf *out, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': strbuf_adds(out, "&amp;"); break;
        case '<': strbuf_adds(out, "&lt;"); break;
        case '>': strbuf_adds(out, "&gt;"); break;
        case '"': strbuf_adds(out, "&quot;"); break;
        case '\n': case '\r': strbuf_adds(out, " "); break;
        default: strbuf_add(out, s, 1);
        }
}

/* A fenced code block of S (one line or several), indented by INDENT
 * spaces (inside a list item), its fence longer than any backtick run. */
static void md_block(vt_strbuf *out, const char *s, const char *info,
                     int indent)
{
    size_t run = 0, longest = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    size_t fence = longest < 3 ? 3 : longest + 1;
    for (int pass = 0; pass < 2; pass++) {
        strbuf_addf(out, "%*s", indent, "");
        for (size_t i = 0; i < fence; i++)
            strbuf_adds(out, "`");
        strbuf_addf(out, "%s\n", pass ? "" : info);
        if (pass)
            break;
        for (const char *p = s; *p;) {
            size_t n = strcspn(p, "\r\n");
            strbuf_addf(out, "%*s", indent, "");
            strbuf_add(out, p, n);
            strbuf_adds(out, "\n");
            p += n;
            if (*p == '\r' && p[1] == '\n')
                p++;
            if (*p)
                p++;
        }
    }
}

static const char *plural(int n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void severities(const vt_domain_report *dr, int count[3])
{
    count[0] = count[1] = count[2] = 0;
    for (int i = 0; i < dr->nfindings; i++)
        count[dr->findings[i].sev]++;
}

static int failed(const vt_domain_report *dr)
{
    return dr->skipped || dr->error_code || dr->error;
}

static const char *status(const vt_domain_report *dr)
{
    if (dr->skipped)
        return "skipped";
    if (failed(dr))
        return "could not be read";
    if (dr->changed)
        return "changes due";
    return dr->tuned ? "tuned" : "passed through";
}

/* The sentence under the title: files per status, changes, findings. */
static void overview(const vt_report *r, vt_strbuf *out)
{
    static const char *const names[] = {
        "changes due", "tuned", "passed through", "could not be read",
        "skipped",
    };
    static const char *const said[] = {
        "with changes due", "tuned", "passed through", "could not be read",
        "skipped",
    };
    int nstat[5] = {0}, nchanges = 0, nsev[3] = {0};
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        const char *st = status(dr);
        for (int k = 0; k < 5; k++)
            nstat[k] += !strcmp(st, names[k]);
        nchanges += dr->nedits;
        int c[3];
        severities(dr, c);
        for (int k = 0; k < 3; k++)
            nsev[k] += c[k];
    }
    strbuf_addf(out, "%d %s", r->ndomains, plural(r->ndomains, "file", "files"));
    const char *sep = ": ";
    for (int k = 0; k < 5; k++)
        if (nstat[k]) {
            strbuf_addf(out, "%s%d %s", sep, nstat[k], said[k]);
            sep = ", ";
        }
    strbuf_addf(out, "; %d %s; ", nchanges, plural(nchanges, "change", "changes"));
    int nf = nsev[0] + nsev[1] + nsev[2];
    strbuf_addf(out, "%d %s", nf, plural(nf, "finding", "findings"));
    if (nf)
        strbuf_addf(out, " (%d infeasible, %d %s, %d info)", nsev[SEV_INFEASIBLE],
                    nsev[SEV_WARNING], plural(nsev[SEV_WARNING], "warning",
                                              "warnings"), nsev[SEV_INFO]);
    strbuf_adds(out, ".\n\n");
}

static void table_row(const vt_domain_report *dr, int number, vt_strbuf *out)
{
    strbuf_addf(out, "| %d | ", number);
    md_code(out, dr->file, 1, "");
    strbuf_adds(out, " | ");
    md_code(out, dr->name, 1, "");
    if (failed(dr)) {
        strbuf_adds(out, " | | | | | ");
    } else {
        int c[3];
        severities(dr, c);
        strbuf_addf(out, " | %d | %d | %d | %d | ", dr->nedits,
                    c[SEV_INFEASIBLE], c[SEV_WARNING], c[SEV_INFO]);
    }
    strbuf_adds(out, status(dr));
    if (!dr->skipped && dr->error_code)
        strbuf_addf(out, " (exit %d)", dr->error_code);
    strbuf_adds(out, " |\n");
}

/* "- `FILE` line 7: could not be read (exit 3): MESSAGE" */
static void failed_line(const vt_domain_report *dr, vt_strbuf *out)
{
    strbuf_adds(out, "- ");
    md_code(out, dr->file, 0, "");
    if (dr->error_line > 0)
        strbuf_addf(out, " line %ld", dr->error_line);
    strbuf_addf(out, ": %s", status(dr));
    if (!dr->skipped && dr->error_code)
        strbuf_addf(out, " (exit %d)", dr->error_code);
    if (dr->error) {
        /* a skipped file's message starts with what its status says */
        const char *msg = dr->error;
        if (dr->skipped && !strncmp(msg, "skipped: ", 9))
            msg += 9;
        strbuf_adds(out, ": ");
        md_text(out, msg, 0);
    }
    strbuf_adds(out, "\n");
}

/* One domain's <details>: nothing when it has neither edits nor
 * findings. OPEN: shown unfolded (a run of one domain). BRIEF: the
 * findings only, the edits' table replaced by a line (under the cap). */
static void details(const vt_domain_report *dr, int open, int brief,
                    vt_strbuf *out)
{
    if (failed(dr) || (!dr->nedits && !dr->nfindings))
        return;
    int c[3];
    severities(dr, c);
    strbuf_addf(out, "<details%s><summary><code>", open ? " open" : "");
    html_text(out, dr->file);
    strbuf_adds(out, "</code>");
    if (dr->name) {
        strbuf_adds(out, " (");
        html_text(out, dr->name);
        strbuf_adds(out, ")");
    }
    strbuf_addf(out, ": %d %s, %d %s", dr->nedits,
                plural(dr->nedits, "change", "changes"), dr->nfindings,
                plural(dr->nfindings, "finding", "findings"));
    const char *sep = " (";
    for (int k = SEV_INFEASIBLE; k >= SEV_INFO; k--)
        if (c[k] && dr->nfindings) {
            strbuf_addf(out, "%s%d %s", sep, c[k],
                        k == SEV_WARNING ? plural(c[k], "warning", "warnings")
                                         : report_severity_name(k));
            sep = ", ";
        }
    strbuf_addf(out, "%s</summary>\n\n", dr->nfindings ? ")" : "");
    /* what needs the reader first: the findings, then the edits */
    for (int i = 0; i < dr->nfindings; i++) {
        const vt_finding *f = &dr->findings[i];
        strbuf_addf(out, "- **%s** ", report_severity_name(f->sev));
        md_code(out, report_rule_id(f->rule), 0, "");
        if (f->line > 0)
            strbuf_addf(out, " (line %ld)", f->line);
        strbuf_adds(out, ": ");
        md_text(out, f->message, 0);
        strbuf_adds(out, "\n");
        if (f->action) {
            strbuf_adds(out, "\n  Fix on the host:\n\n");
            md_block(out, f->action, "sh", 2);
            if (i + 1 < dr->nfindings)
                strbuf_adds(out, "\n");
        }
    }
    if (dr->nfindings)
        strbuf_adds(out, "\n");
    if (dr->nedits && brief) {
        strbuf_addf(out, "*The table of its %d %s was cut to stay under "
                    "the comment limit.*\n\n", dr->nedits,
                    plural(dr->nedits, "change", "changes"));
    } else if (dr->nedits) {
        strbuf_adds(out, "| rule | where | was | now | why |\n"
                    "|---|---|---|---|---|\n");
        for (int i = 0; i < dr->nedits; i++) {
            const vt_edit *e = &dr->edits[i];
            strbuf_adds(out, "| ");
            md_code(out, report_rule_id(e->rule), 1, "");
            strbuf_adds(out, " | ");
            md_code(out, e->xpath, 1, "");
            strbuf_adds(out, " | ");
            md_code(out, e->old_value, 1, "(none)");
            strbuf_adds(out, " | ");
            md_code(out, e->new_value, 1, "(removed)");
            strbuf_adds(out, " | ");
            /* the same reason as the row above, said once */
            if (i && !strcmp(e->reason, dr->edits[i - 1].reason))
                strbuf_adds(out, "(as above)");
            else
                md_text(out, e->reason, 1);
            strbuf_adds(out, " |\n");
        }
        strbuf_adds(out, "\n");
    }
    strbuf_adds(out, "</details>\n\n");
}

/* The run's host actions (report_text's), as code blocks. */
static void host_actions(const vt_report *r, vt_strbuf *out)
{
    int n;
    vt_pages_need *all = report_run_pages(r, &n);
    if (!report_pages_missing(all, n)) {
        free(all);
        return;
    }
    vt_strbuf cmds;
    strbuf_init(&cmds);
    for (int i = 0; i < n; i++) {
        if (all[i].missing <= 0)
            continue;
        char *cmd = report_pages_command(all[i].node, all[i].size_kib,
                                         all[i].missing, all[i].total_now);
        strbuf_addf(&cmds, "%s\n", cmd);
        free(cmd);
    }
    strbuf_adds(out, "### Host actions for this run\n\n"
                "The hugepages all its domains need:\n\n");
    md_block(out, cmds.buf, "sh", 0);
    strbuf_adds(out, "\nThen check that each `nr_hugepages` reads back its "
                "count (the kernel gives fewer when memory is fragmented) "
                "and tune again: until then the domains that lack pages run "
                "on ordinary memory.\n");
    char *kc = report_kernel_cmdline(all, n);
    if (kc) {
        strbuf_adds(out, "\nOr at boot, on the kernel command line (every "
                    "pool the host keeps):\n\n");
        md_block(out, kc, "", 0);
    }
    free(kc);
    char *m;
    cmds.len = 0;
    for (int k = 0; (m = report_hugetlbfs_mount(all, n, r->default_page_kib, k)); k++) {
        strbuf_addf(&cmds, "%s\n", m);
        free(m);
    }
    if (cmds.len) {
        strbuf_adds(out, "\nlibvirt needs a hugetlbfs mount per size "
                    "(persist it in /etc/fstab, then restart libvirtd or "
                    "virtqemud, which read the mounts when they start):\n\n");
        md_block(out, cmds.buf, "sh", 0);
    }
    strbuf_adds(out, "\n");
    strbuf_free(&cmds);
    free(all);
}

/* "N things" for the cut line, joined with commas and a final "and". */
static void cut_part(vt_strbuf *out, int n, const char *one, const char *many,
                     int *nparts, int last)
{
    if (!n)
        return;
    if (*nparts)
        strbuf_adds(out, last ? " and " : ", ");
    strbuf_addf(out, "%d %s", n, plural(n, one, many));
    (*nparts)++;
}

/* The closing line when something was cut; empty otherwise. */
static void cut_line(vt_strbuf *out, int ntab, int ndet, int nerr,
                     int nrows, int actions)
{
    out->len = 0;
    out->buf[0] = '\0';
    if (!ntab && !ndet && !nerr && !nrows && !actions)
        return;
    int total = (ntab > 0) + (ndet > 0) + (nerr > 0) + (nrows > 0) +
                (actions > 0), k = 0;
    strbuf_adds(out, "\xe2\x80\xa6 ");      /* U+2026, one code unit */
    cut_part(out, ntab, "domain's table of changes", "domains' tables of "
             "changes", &k, k + 1 == total);
    cut_part(out, ndet, "domain's details", "domains' details", &k, k + 1 == total);
    cut_part(out, nerr, "failed file's line", "failed files' lines", &k,
             k + 1 == total);
    cut_part(out, nrows, "table row", "table rows", &k, k + 1 == total);
    if (actions)
        strbuf_addf(out, "%sthe host actions", k ? " and " : "");
    strbuf_adds(out, " cut to stay under GitHub's 65,536-character limit; "
                "run `vtune-xml --report text` with the same arguments for "
                "all.\n");
}

typedef struct {
    vt_strbuf sb;
    size_t units;
    int rank;           /* details: what the budget keeps first */
} piece;

/* The order details are kept in under the cap: domains with an
 * infeasible finding first (what kept them from being tuned), then those
 * with warnings, then the other tuned ones, then those passed through;
 * the command line's order within each. */
static int details_rank(const vt_domain_report *dr)
{
    int inf = 0, warn = 0;
    for (int i = 0; i < dr->nfindings; i++) {
        inf += dr->findings[i].sev == SEV_INFEASIBLE;
        warn += dr->findings[i].sev == SEV_WARNING;
    }
    return inf ? 0 : warn ? 1 : dr->tuned ? 2 : 3;
}

static void piece_done(piece *p)
{
    p->units = utf16_units(p->sb.buf, p->sb.len);
}

void report_markdown(const vt_report *r, vt_strbuf *out)
{
    int nd = r->ndomains;
    piece head, fail_head, det_head, actions, cut;
    piece *rows = xcalloc((size_t)nd + 1, sizeof *rows);
    piece *fails = xcalloc((size_t)nd + 1, sizeof *fails);
    piece *dets = xcalloc((size_t)nd + 1, sizeof *dets);
    piece *briefs = xcalloc((size_t)nd + 1, sizeof *briefs);
    strbuf_init(&head.sb);
    strbuf_addf(&head.sb, "## vtune-xml: profile %s, host ", r->profile);
    md_code(&head.sb, r->host_source, 0, "(live)");
    if (r->host_kind)
        strbuf_addf(&head.sb, " (%s)", r->host_kind);
    strbuf_adds(&head.sb, "\n\n");
    overview(r, &head.sb);
    if (nd)
        strbuf_adds(&head.sb, "| # | file | domain | changes | infeasible | "
                    "warnings | info | status |\n"
                    "|--:|---|---|--:|--:|--:|--:|---|\n");
    piece_done(&head);
    int nfail = 0, ndet = 0;
    for (int d = 0; d < nd; d++) {
        const vt_domain_report *dr = r->domains[d];
        strbuf_init(&rows[d].sb);
        table_row(dr, d + 1, &rows[d].sb);
        if (d == nd - 1)
            strbuf_adds(&rows[d].sb, "\n");
        piece_done(&rows[d]);
        if (failed(dr)) {
            strbuf_init(&fails[nfail].sb);
            failed_line(dr, &fails[nfail].sb);
            piece_done(&fails[nfail++]);
        }
        vt_strbuf sb;
        strbuf_init(&sb);
        details(dr, nd == 1, 0, &sb);
        if (sb.len) {
            dets[ndet].sb = sb;
            dets[ndet].rank = details_rank(dr);
            piece_done(&dets[ndet]);
            strbuf_init(&briefs[ndet].sb);
            details(dr, nd == 1, 1, &briefs[ndet].sb);
            briefs[ndet].rank = dets[ndet].rank;
            piece_done(&briefs[ndet++]);
        } else {
            strbuf_free(&sb);
        }
    }
    /* stable: insertion sort by rank */
    for (int i = 1; i < ndet; i++)
        for (int j = i; j > 0 && dets[j].rank < dets[j - 1].rank; j--) {
            piece t = dets[j];
            dets[j] = dets[j - 1];
            dets[j - 1] = t;
            t = briefs[j];
            briefs[j] = briefs[j - 1];
            briefs[j - 1] = t;
        }
    strbuf_init(&fail_head.sb);
    strbuf_adds(&fail_head.sb, "### Files not taken\n\n");
    piece_done(&fail_head);
    /* the list's blank line after it belongs to the section */
    strbuf_init(&det_head.sb);
    strbuf_adds(&det_head.sb, "### Changes and findings\n\n");
    piece_done(&det_head);
    strbuf_init(&actions.sb);
    host_actions(r, &actions.sb);
    piece_done(&actions);
    strbuf_init(&cut.sb);

    /* How much of each kind is kept: a prefix of each list; of the
     * details, the first KFULL whole, the rest up to KDET brief (their
     * findings, without the table of changes). */
    int krows = nd, kfail = nfail, kdet = ndet, kfull = ndet, kact = 1;
    size_t sum_rows = 0, sum_fail = 0, sum_det = 0;
    for (int i = 0; i < nd; i++)
        sum_rows += rows[i].units;
    for (int i = 0; i < nfail; i++)
        sum_fail += fails[i].units;
    for (int i = 0; i < ndet; i++)
        sum_det += dets[i].units;
    for (;;) {
        cut_line(&cut.sb, kdet - kfull, ndet - kdet, nfail - kfail,
                 nd - krows, !kact && actions.sb.len);
        piece_done(&cut);
        /* a blank line ends the last kept list before the cut line */
        size_t total = head.units + sum_rows + (krows < nd) +
                       (kfail ? fail_head.units + sum_fail + 1 : 0) +
                       (kdet ? det_head.units + sum_det : 0) +
                       (kact ? actions.units : 0) + cut.units;
        if (total <= MD_BUDGET)
            break;
        if (kfull) {
            kfull--;
            sum_det -= dets[kfull].units - briefs[kfull].units;
        } else if (kdet)
            sum_det -= briefs[--kdet].units;
        else if (kfail)
            sum_fail -= fails[--kfail].units;
        else if (krows)
            sum_rows -= rows[--krows].units;
        else if (kact)
            kact = 0;
        else
            break;      /* the title alone is too long: cannot happen
                           with real paths; the cut line still says so */
    }
    size_t start = out->len;
    strbuf_add(out, head.sb.buf, head.sb.len);
    for (int i = 0; i < krows; i++)
        strbuf_add(out, rows[i].sb.buf, rows[i].sb.len);
    if (krows < nd)
        strbuf_adds(out, "\n");
    if (kfail) {
        strbuf_add(out, fail_head.sb.buf, fail_head.sb.len);
        for (int i = 0; i < kfail; i++)
            strbuf_add(out, fails[i].sb.buf, fails[i].sb.len);
        strbuf_adds(out, "\n");
    }
    if (kdet) {
        strbuf_add(out, det_head.sb.buf, det_head.sb.len);
        for (int i = 0; i < kdet; i++) {
            const piece *pc = i < kfull ? &dets[i] : &briefs[i];
            strbuf_add(out, pc->sb.buf, pc->sb.len);
        }
    }
    if (kact)
        strbuf_add(out, actions.sb.buf, actions.sb.len);
    strbuf_add(out, cut.sb.buf, cut.sb.len);
    if (utf16_units(out->buf + start, out->len - start) > MD_BUDGET) {
        /* the header alone was too long (paths of thousands of
         * characters): a title and the cut line only */
        out->len = start;
        out->buf[start] = '\0';
        strbuf_adds(out, "## vtune-xml\n\n");
        strbuf_add(out, cut.sb.buf, cut.sb.len);
    }

    for (int i = 0; i < nd; i++)
        strbuf_free(&rows[i].sb);
    for (int i = 0; i < nfail; i++)
        strbuf_free(&fails[i].sb);
    for (int i = 0; i < ndet; i++) {
        strbuf_free(&dets[i].sb);
        strbuf_free(&briefs[i].sb);
    }
    free(briefs);
    free(rows);
    free(fails);
    free(dets);
    strbuf_free(&head.sb);
    strbuf_free(&fail_head.sb);
    strbuf_free(&det_head.sb);
    strbuf_free(&actions.sb);
    strbuf_free(&cut.sb);
}
