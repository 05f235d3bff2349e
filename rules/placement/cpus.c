/*
 * cpus.c - which host CPUs of a chosen node a domain's vCPUs get (step 6
 * of plan.c's decision), and where its emulator threads go (step 7).
 */
#include "plan_ctx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static int group_cap(const pnode *pn, int l3)
{
    int cap = 0;
    for (int k = 0; k < pn->ncores; k++)
        if (pn->cores[k].l3 == l3)
            cap += pn->cores[k].cap;
    return cap;
}

/* Takes cores of L3 group L3 (complete cores first, so that consecutive
 * vCPUs land on siblings) for up to *NEED vCPUs, the next of VCPUS from
 * *AT; marks the cores used. */
static void take_group(pnode *pn, int l3, int *need, const int *vcpus,
                       int *at, int *pin, hwloc_bitmap_t cellcpus)
{
    for (int pass = 0; pass < 2 && *need > 0; pass++)
        for (int k = 0; k < pn->ncores && *need > 0; k++) {
            pcore *pc = &pn->cores[k];
            if (pc->l3 != l3 || pc->cap <= 0 || pc->complete != !pass)
                continue;
            int take = 0, cpu;
            hwloc_bitmap_foreach_begin(cpu, pc->usable) {
                if (take == pc->cap || *need == 0)
                    break;
                pin[vcpus[(*at)++]] = cpu;
                hwloc_bitmap_set(cellcpus, (unsigned)cpu);
                take++;
                (*need)--;
            } hwloc_bitmap_foreach_end();
            pc->cap = 0;    /* the whole core is this domain's */
        }
}

void plan_pick_cpus(pnode *pn, int need, const int *vcpus, int *at,
                    int *pin, hwloc_bitmap_t cellcpus)
{
    while (need > 0) {
        int best = INT_MIN, bestcap = 0, largest = INT_MIN, largecap = 0;
        for (int k = 0; k < pn->ncores; k++) {
            int l3 = pn->cores[k].l3;
            if (pn->cores[k].cap <= 0 || l3 == best || l3 == largest)
                continue;
            int cap = group_cap(pn, l3);
            if (cap >= need && (best == INT_MIN || cap < bestcap)) {
                best = l3;
                bestcap = cap;
            }
            if (cap > largecap) {
                largest = l3;
                largecap = cap;
            }
        }
        if (best == INT_MIN && largest == INT_MIN)
            return;     /* cannot happen: the node's capacity was checked */
        take_group(pn, best != INT_MIN ? best : largest, &need, vcpus, at,
                   pin, cellcpus);
    }
}

void plan_emulator(pctx *x, vt_place_plan *p, pnode **chosen, int k)
{
    vt_rule_ctx *c = x->c;
    if (!r_rule_on(c, RULE_cpu_emulator))
        return;
    if (r_choice_of(c, RULE_cpu_emulator, "policy") == EMULATOR_ISOLATE &&
        x->pinned) {
        for (int i = 0; i < k; i++)
            for (int j = 0; j < chosen[i]->ncores; j++) {
                pcore *pc = &chosen[i]->cores[j];
                if (pc->cap > 0 && pc->full) {
                    p->emulator = hwloc_bitmap_dup(pc->usable);
                    p->emulator_isolated = 1;
                    pc->cap = 0;
                    return;
                }
            }
        snprintf(p->emu_why, sizeof p->emu_why, "no whole free core is "
                 "left on the domain's nodes for an isolated emulator; it "
                 "shares the housekeeping CPUs instead");
    }
    const vt_pools *pools = r_pools(c);
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
    int id;
    hwloc_bitmap_foreach_begin(id, p->nodes) {
        const vt_host_node *hn = host_node_by_id(x->h, id);
        if (hn)
            hwloc_bitmap_or(cpus, cpus, hn->cpus);
    } hwloc_bitmap_foreach_end();
    hwloc_bitmap_and(cpus, cpus, pools->housekeeping);
    hwloc_bitmap_and(cpus, cpus, pools->online);
    hwloc_bitmap_t hk = hwloc_bitmap_dup(pools->housekeeping);
    hwloc_bitmap_and(hk, hk, pools->online);
    /* nodes that keep no housekeeping core of their own: their package's
     * (one per package on hosts of small nodes), else any */
    hwloc_bitmap_t pkg = hwloc_bitmap_alloc();
    for (int i = 0; i < x->h->ncpus; i++) {
        const vt_host_cpu *hc = &x->h->cpus[i];
        if (hc->package < 0 || hc->node < 0 ||
            !hwloc_bitmap_isset(p->nodes, (unsigned)hc->node))
            continue;
        for (int j = 0; j < x->h->ncpus; j++)
            if (x->h->cpus[j].package == hc->package)
                hwloc_bitmap_set(pkg, (unsigned)x->h->cpus[j].id);
        break;      /* the package of the domain's first CPU */
    }
    hwloc_bitmap_and(pkg, pkg, hk);
    if (!hwloc_bitmap_iszero(pkg))
        hwloc_bitmap_copy(hk, pkg);
    hwloc_bitmap_free(pkg);
    if (!hwloc_bitmap_iszero(cpus)) {
        p->emulator = hwloc_bitmap_dup(cpus);
    } else if (!hwloc_bitmap_iszero(hk)) {
        p->emulator = hwloc_bitmap_dup(hk);
        if (!p->emu_why[0]) {
            /* small nodes keep no housekeeping core of their own */
            char *list = cpulist_format(hk);
            snprintf(p->emu_why, sizeof p->emu_why, "the domain's nodes "
                     "keep no housekeeping CPU (%s): the emulator and I/O "
                     "threads run on the host's housekeeping CPUs %s",
                     pools->why, list);
            free(list);
            p->emu_info = 1;
        }
    } else if (!p->emu_why[0]) {
        snprintf(p->emu_why, sizeof p->emu_why, "the host has no "
                 "housekeeping CPU (reserved_cpus is empty): the emulator "
                 "is left unpinned");
    }
    hwloc_bitmap_free(hk);
    hwloc_bitmap_free(cpus);
}
