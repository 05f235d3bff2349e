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

/* Runs every enabled rule on D. Edits and findings go to REP. */
void engine_run(domdoc *d, const domain_info *info, const host *h,
                const policy *p, domain_report *rep);

#endif
