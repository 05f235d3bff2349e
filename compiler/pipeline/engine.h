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
#include "pools.h"
#include "report.h"
#include "usage.h"

/* What the domains of one run share: the host's own CPUs and what
 * earlier domains took. */
typedef struct vt_run {
    vt_pools pools;         /* the host's CPU pools */
    vt_usage *usage;
    int rule_limit;     /* rules vt_rules[0 .. rule_limit-1] may run; all
                           but when finding which rule broke a document */
} vt_run;

/* Sets up RUN for host H under P (engine_run_free releases it). */
void engine_run_init(vt_run *run, const vt_host *h, const vt_policy *p);
void engine_run_free(vt_run *run);

/* Who decides the placement of the domain ROOT under P (see rule.h):
 * placement='auto' is numad's; a domain with its own <vcpupin>,
 * <numatune> or <vcpu cpuset> keeps it unless numa.place.override or
 * cpu.pin.override; else the placement rules choose. *WHAT (may be NULL)
 * gets the element that decides a kept placement. The one predicate for
 * "the domain places itself": the placement rules ask it through
 * r_placement. */
enum vt_placement engine_placement(xmlNodePtr root, const vt_policy *p,
                                   const char **what);

/* When D is tuned on H and places itself (engine_placement: kept or
 * numad's), adds what it takes to RUN's usage now and returns its index
 * there + 1 (else 0): such domains are accounted before any other domain
 * of the run is placed. */
int engine_preaccount(vt_domdoc *d, const vt_domain *info, const vt_host *h,
                      const vt_policy *p, vt_run *run);

/* Runs every enabled rule on D, then adds what D takes to RUN's usage
 * (unless ACCOUNTED already). Edits and findings go to REP. */
void engine_tune(vt_domdoc *d, const vt_domain *info, const vt_host *h,
                 const vt_policy *p, vt_run *run, int accounted,
                 vt_domain_report *rep);

#endif
