/*
 * rulectx.h - private to compiler/pipeline/: the state behind the rule
 * API's opaque vt_rule_ctx, shared by the engine (which fills it) and
 * ruleapi.c (which implements rule.h). Rules never see it.
 */
#ifndef VT_RULECTX_H
#define VT_RULECTX_H

#include "engine.h"

/* One family's state for the domain being tuned (r_state). */
typedef struct vt_family_state {
    const vt_family *family;
    void *data;
} vt_family_state;

struct vt_rule_ctx {
    vt_domdoc *doc;
    const vt_domain *dom;
    const vt_host *host;
    const vt_policy *pol;
    int rule_index;         /* index in vt_rules of the running rule */
    const vt_rule *cur;     /* NULL while the engine itself speaks */
    vt_domain_report *rep;
    const vt_run *run;      /* shared by the domains of the run */
    int accounted;          /* the run's usage already holds this domain
                               (engine_preaccount): its index there + 1,
                               or 0 */
    vt_family_state *states;    /* the families' states, in first use */
    int nstates;
};

/* Destroys and frees the families' states of C (the domain is done). */
void ruleapi_release(vt_rule_ctx *c);

#endif
