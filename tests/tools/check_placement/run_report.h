/*
 * run_report.h - what the checks take from vtune-xml's JSON report of the
 * run (--report FILE, `vtune-xml --report json`): which domains the tool
 * placed (the others are as their user wrote them), which guest cells and
 * hugepages are the tool's, the profile, and the host commands. Facts the
 * output XML alone does not tell; the checks judge them against the host
 * model, never against the tool's reasons.
 */
#ifndef CKP_RUN_REPORT_H
#define CKP_RUN_REPORT_H

/* One domain of the report. */
typedef struct rr_domain {
    char *base;             /* the file's base name */
    int tuned;              /* false: passed through unchanged (not KVM,
                               another architecture): not on this host */
    int placed;             /* numa.place or cpu.pin edited it */
    int infeasible;         /* placement found no room (or the domain's
                               own placement cannot start here): left
                               as written, the user's to fix */
    int fallback;           /* cpu.pin wanted dedicated CPUs and reported
                               it could not (infeasible): it floats */
    int tool_cells;         /* numa.guest wrote its guest cells */
    int tool_pages;         /* mem.hugepages wrote its <hugepages> */
    int has_actions;        /* a finding gives a host command */
} rr_domain;

/* One host command of the run: grow a node's pool. */
typedef struct rr_action {
    int node;
    unsigned long long size_kib;
    long long missing;
} rr_action;

typedef struct run_report {
    int loaded;             /* a report was given and read */
    int hugepage_profile;   /* latency, throughput or realtime:
                               mem.hugepages runs */
    int isolate;            /* realtime: cpu.pin's threads isolate */
    int ndomains;
    rr_domain *domains;
    int nactions;
    rr_action *actions;
} run_report;

/* Reads FILE into R; 0, or -1 after a message (unreadable, not the
 * report's shape). */
int run_report_read(const char *file, run_report *r);

/* The report's domain for output file FILE, domain INDEX of the N the
 * checker was given: the report's INDEXth when it has N domains (the
 * same run, in order), else the one of FILE's base name; NULL (no report,
 * or not in it). */
const rr_domain *run_report_domain(const run_report *r, int index, int n,
                                   const char *file);

void run_report_free(run_report *r);

#endif
