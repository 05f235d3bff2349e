/*
 * rulectx.h - the state behind the rule API's opaque rule_ctx, shared by
 * the engine (which fills it) and ruleapi.c (which implements rule.h).
 * Rules never see it.
 */
#ifndef VT_RULECTX_H
#define VT_RULECTX_H

#include "engine.h"

/* One family's per-domain scratch (r_family_state). */
typedef struct family_state {
    const char *key;
    void *data;
    void (*destroy)(void *);
} family_state;

struct vt_rule_ctx {
    vt_domdoc *doc;
    const vt_domain *dom;
    const vt_host *host;
    const vt_policy *pol;
    int rule_index;         /* index in vt_rules of the running rule */
    const vt_rule *cur;        /* NULL while the engine itself speaks */
    vt_domain_report *rep;
    const vt_run *run;   /* shared by the domains of the run */
    family_state states[4];
    int nstates;
};

#endif
