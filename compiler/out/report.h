/*
 * report.h - what happened to each domain: the edits (rule, XPath, old,
 * new, reason) and the findings (advice, infeasible, host actions), and
 * their four renderings: text, JSON, Markdown and SARIF (color.h paints
 * the text and the diff for a terminal).
 */
#ifndef VT_REPORT_H
#define VT_REPORT_H

#include "rule.h"
#include "strbuf.h"

typedef struct vt_edit {
    const vt_rule *rule;
    char *xpath;
    char *old_value;    /* NULL when the node is new */
    char *new_value;    /* NULL when the node was removed */
    char *reason;
    long line;          /* input line of the node or its parent */
} vt_edit;

typedef struct vt_finding {
    const vt_rule *rule;   /* NULL for the engine's own findings */
    enum vt_severity sev;
    char *xpath;
    char *message;
    char *action;       /* host command that fixes it, or NULL */
    long line;
} vt_finding;

/* Hugepages a domain takes from a host node's pool, and how many of them
 * the pool does not have free. */
typedef struct vt_pages_need {
    int node;
    unsigned long long size_kib;
    long long missing;      /* pages to add to the pool (0: it has them) */
    long long used;         /* pages the domain takes there */
    long long total_now;    /* the pool's size now, -1 unknown */
} vt_pages_need;

typedef struct vt_domain_report {
    char *file;         /* as given on the command line */
    char *name;         /* <name>, or NULL */
    int changed;
    int tuned;          /* the rules ran on it (a KVM domain this host
                           can run); else it passed through unchanged */
    int nedits, capedits;
    vt_edit *edits;
    int nfindings, capfindings;
    vt_finding *findings;
    int npages;
    vt_pages_need *pages;
    /* A file the run could not take (unreadable, not XML, not a
     * domain): the exit code it gives (0: none), the message, its line
     * (0: none). The other files are still reported. */
    int error_code;
    char *error;
    long error_line;
    int skipped;        /* not a <domain> document, passed over under
                           --skip-non-domain (error says what it is) */
    int defined;        /* a domain defined on a connection (--all): FILE
                           is URI#NAME, not a path */
    /* The input and the tuned bytes, not owned (the caller's, set before
     * rendering; NULL for a file that failed or was skipped): the SARIF
     * fixes are the diff of the two. */
    const char *in, *out;
    size_t inlen, outlen;
} vt_domain_report;

typedef struct vt_report {
    const char *profile;
    const char *host_source;
    const char *host_kind;
    const char *policy_source;  /* the policy file used (--policy or a
                                   .vtune-xml.json), or NULL */
    int npools;
    vt_pages_need *pools;   /* the host's hugepage pools now (missing 0,
                               used: the pages in use), kept on the
                               kernel command line */
    unsigned long long default_page_kib;  /* the kernel's default hugepage
                                             size (the host's smallest) */
    int ndomains;
    vt_domain_report **domains;
} vt_report;

/* A new, empty report for one domain (owned by the caller). */
vt_domain_report *report_domain_new(const char *file);
void report_domain_free(vt_domain_report *r);

/* Drops R's edits, findings and page needs (a file found not to be taken
 * after it was tuned: its input fails libvirt's schema). */
void report_domain_clear(vt_domain_report *r);

/* Records that R's file could not be taken (exit CODE, MESSAGE at
 * LINE); SKIPPED: passed over (--skip-non-domain), not an error. */
void report_domain_error(vt_domain_report *r, int code, const char *message,
                         long line, int skipped);

/* Appends an edit / a finding; strings are copied. */
void report_edit(vt_domain_report *r, const vt_rule *rl, const char *xpath,
                 const char *old_value, const char *new_value,
                 const char *reason, long line);
void report_finding(vt_domain_report *r, const vt_rule *rl, enum vt_severity sev,
                    const char *xpath, const char *message,
                    const char *action, long line);

/* Records that the domain needs MISSING more free pages of SIZE_KIB on
 * host node NODE (whose pool has TOTAL_NOW pages, -1 unknown). */
void report_pages(vt_domain_report *r, int node, unsigned long long size_kib,
                  long long missing, long long used, long long total_now);

/* The command that grows NODE's pool of SIZE_KIB pages by MISSING (to
 * TOTAL_NOW + MISSING when the size is known), owned by the caller. */
char *report_pages_command(int node, unsigned long long size_kib, long long missing,
                           long long total_now);

/* Number of findings of severity SEV or worse across R. */
int report_count_at_least(const vt_report *r, enum vt_severity sev);

const char *report_severity_name(enum vt_severity sev);
/* Appends what follows a domain's file name in a heading: " (NAME): 3
 * changes, 1 finding". */
void report_summary(const vt_domain_report *dr, vt_strbuf *out);
/* The id of rule RL, "vtune-xml" for the engine's own findings. */
const char *report_rule_id(const vt_rule *rl);
/* Records H's hugepage pools (those with pages) and its default size in
 * R, for the run's kernel command line. */
void report_host_pools(vt_report *r, const vt_host *h);
/* The run's hugepage needs summed per node and size, largest size first,
 * then by node; *N gets how many (caller frees). */
vt_pages_need *report_run_pages(const vt_report *r, int *n);
/* How many entries of ALL lack pages (host commands to run). */
int report_pages_missing(const vt_pages_need *all, int n);
/* The kernel command-line alternative, with every size and node the run
 * uses (pages are best reserved at boot, before memory fragments; 1 GiB
 * pages often only then), or NULL when no pool is short; owned by the
 * caller. */
char *report_kernel_cmdline(const vt_pages_need *all, int n);
/* With those pools, the Kth size besides the kernel's default
 * (DEFAULT_KIB) needs a hugetlbfs mount of its own for libvirt (systemd
 * mounts the default size only, at /dev/hugepages): the command, or NULL
 * past the last; owned by the caller. */
char *report_hugetlbfs_mount(const vt_pages_need *all, int n,
                             unsigned long long default_kib, int k);

/* --- the renderings, each appending to OUT --- */
typedef void (*vt_renderer)(const vt_report *r, vt_strbuf *out);
/* The rendering called FORMAT (text, json, markdown, sarif), or NULL. */
vt_renderer report_renderer(const char *format);
/* text (report_text.c): one block per domain, then the host actions */
void report_text(const vt_report *r, vt_strbuf *out);
/* JSON (report_json.c): schemas/report.schema.json, pretty-printed,
 * deterministic, ending in '\n' */
void report_json(const vt_report *r, vt_strbuf *out);
/* Markdown (report_markdown.c): for a pull-request comment */
void report_markdown(const vt_report *r, vt_strbuf *out);
/* SARIF 2.1.0 (report_sarif.c): for CI code scanning */
void report_sarif(const vt_report *r, vt_strbuf *out);
/* GitLab Code Quality (report_codequality.c): for the merge request widget */
void report_codequality(const vt_report *r, vt_strbuf *out);

#endif
