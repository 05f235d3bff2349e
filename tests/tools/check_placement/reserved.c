/*
 * reserved.c - reserved host CPUs (see reserved.h): --reserved, the
 * snapshot's, the CPUs not isolated, or the first core of every node.
 * This repeats host/pools.c's pools_housekeeping on purpose: the checker
 * derives what it checks on its own, so a bug in the tool's pools is
 * seen instead of shared.
 */
#include "reserved.h"
#include "report.h"
#include "values.h"

/* The first core (all its SMT siblings) of every node with an online CPU;
 * first = the core holding the node's lowest-numbered online CPU. */
static hwloc_bitmap_t first_cores(const vt_host *h)
{
    hwloc_bitmap_t r = hwloc_bitmap_alloc();
    for (int i = 0; i < h->nnodes; i++) {
        int id;
        hwloc_bitmap_foreach_begin(id, h->nodes[i].cpus) {
            const vt_host_cpu *c = host_cpu_by_id(h, id);
            if (!c || !c->online)
                continue;
            if (c->core >= 0)
                hwloc_bitmap_or(r, r, h->cores[c->core]);
            else
                hwloc_bitmap_set(r, (unsigned)id);
            break;
        } hwloc_bitmap_foreach_end();
    }
    return r;
}

/* --reserved; else the snapshot's reserved_cpus; else the online CPUs
 * that are not isolated when the host isolates some; else first_cores. NULL after a message (bad option). */
hwloc_bitmap_t reserved_cpus(const vt_host *h, const char *opt)
{
    if (opt) {
        hwloc_bitmap_t r = parse_set(opt);
        if (!r)
            input_error(NULL, "--reserved '%s' is not a CPU list", opt);
        return r;
    }
    if (h->reserved)        /* the snapshot names the host's own CPUs */
        return hwloc_bitmap_dup(h->reserved);
    if (h->isolated && !hwloc_bitmap_iszero(h->isolated)) {
        hwloc_bitmap_t r = hwloc_bitmap_alloc();
        for (int i = 0; i < h->ncpus; i++)
            if (h->cpus[i].online &&
                !hwloc_bitmap_isset(h->isolated, (unsigned)h->cpus[i].id))
                hwloc_bitmap_set(r, (unsigned)h->cpus[i].id);
        return r;
    }
    return first_cores(h);
}
