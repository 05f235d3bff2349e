/*
 * rulectx.h - the state behind the rule API's opaque rule_ctx, shared by
 * the engine (which fills it) and ruleapi.c (which implements rule.h).
 * Rules never see it.
 */
#ifndef VT_RULECTX_H
#define VT_RULECTX_H

#include "engine.h"

struct rule_ctx {
    domdoc *doc;
    const domain_info *dom;
    const host *host;
    const policy *pol;
    int rule_index;         /* index in vt_rules of the running rule */
    const rule *cur;        /* NULL while the engine itself speaks */
    domain_report *rep;
};

#endif
