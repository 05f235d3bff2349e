/*
 * engine.h - runs the rules over one domain in the registry's fixed order.
 *
 * Before any rule, the engine decides whether the domain is one it tunes:
 * KVM domains of the host's architecture. Others (xen, lxc, test, TCG
 * qemu, a foreign architecture) pass through unchanged with one finding
 * saying why.
 */
#ifndef VT_ENGINE_H
#define VT_ENGINE_H

#include "domain.h"
#include "host.h"
#include "policy.h"
#include "report.h"
#include "pools.h"
#include "usage.h"

/* What the domains of one run share: the host's own CPUs and what
 * earlier domains took. */
typedef struct run_state {
    hwloc_bitmap_t housekeeping;
    host_usage *usage;
    int rule_limit;     /* rules vt_rules[0 .. rule_limit-1] may run; all
                           but when finding which rule broke a document */
} run_state;

/* Sets up RUN for host H under P (run_state_free releases it). */
void run_state_init(run_state *run, const host *h, const policy *p);
void run_state_free(run_state *run);

/* When D is tuned on H and places itself (its own <vcpupin>, <numatune>
 * or <vcpu cpuset>, which the placement rules keep unless told to
 * override), adds what it takes to RUN's usage now and returns 1: such
 * domains are accounted before any other domain of the run is placed. */
int engine_preaccount(domdoc *d, const domain_info *info, const host *h,
                      const policy *p, run_state *run);

/* Runs every enabled rule on D, then adds what D takes to RUN's usage
 * (unless ACCOUNTED already). Edits and findings go to REP. */
void engine_run(domdoc *d, const domain_info *info, const host *h,
                const policy *p, run_state *run, int accounted,
                domain_report *rep);

#endif
