/*
 * pools.c - the host's CPU pools (see pools.h).
 */
#include "pools.h"

hwloc_bitmap_t pools_housekeeping(const vt_host *h,
                                  hwloc_const_bitmap_t reserved)
{
    hwloc_bitmap_t hk;
    if (reserved)
        return hwloc_bitmap_dup(reserved);
    if (h->reserved)
        return hwloc_bitmap_dup(h->reserved);
    hk = hwloc_bitmap_alloc();
    if (h->isolated && !hwloc_bitmap_iszero(h->isolated)) {
        for (int i = 0; i < h->ncpus; i++)
            if (h->cpus[i].online &&
                !hwloc_bitmap_isset(h->isolated, (unsigned)h->cpus[i].id))
                hwloc_bitmap_set(hk, (unsigned)h->cpus[i].id);
        return hk;
    }
    for (int n = 0; n < h->nnodes; n++) {
        /* the core holding the node's lowest online CPU */
        for (int i = 0; i < h->ncpus; i++) {
            const vt_host_cpu *c = &h->cpus[i];
            if (c->node != h->nodes[n].id || !c->online)
                continue;
            if (c->core >= 0)
                hwloc_bitmap_or(hk, hk, h->cores[c->core]);
            else
                hwloc_bitmap_set(hk, (unsigned)c->id);
            break;
        }
    }
    return hk;
}
