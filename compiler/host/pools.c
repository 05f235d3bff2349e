/*
 * pools.c - the host's CPU pools (see pools.h).
 */
#include "pools.h"
#include "alloc.h"

#include <stdlib.h>

/* Adds the core of CPU C (all its SMT siblings) to SET. */
static void add_core(const vt_host *h, const vt_host_cpu *c,
                     hwloc_bitmap_t set)
{
    if (c->core >= 0)
        hwloc_bitmap_or(set, set, h->cores[c->core]);
    else
        hwloc_bitmap_set(set, (unsigned)c->id);
}

/* The lowest online CPU of node index N, or NULL. */
static const vt_host_cpu *first_online(const vt_host *h, int n)
{
    int id = -1;
    while ((id = hwloc_bitmap_next(h->nodes[n].cpus, id)) != -1) {
        const vt_host_cpu *c = host_cpu_by_id(h, id);
        if (c && c->online)
            return c;
    }
    return NULL;
}

/* Cores of node index N with an online CPU (a CPU of unknown core counts
 * as a core of its own). */
static int online_cores(const vt_host *h, int n)
{
    char *seen = xcalloc((size_t)h->ncores + 1, 1);
    int count = 0, id = -1;
    while ((id = hwloc_bitmap_next(h->nodes[n].cpus, id)) != -1) {
        const vt_host_cpu *c = host_cpu_by_id(h, id);
        if (!c || !c->online)
            continue;
        if (c->core < 0)
            count++;
        else if (!seen[c->core]) {
            seen[c->core] = 1;
            count++;
        }
    }
    free(seen);
    return count;
}

/* The default housekeeping CPUs: a core per node, or per package where
 * one of the package's nodes is small (pools.h): the core of each node's
 * lowest online CPU, and of a small package's lowest online CPU. */
static void default_housekeeping(const vt_host *h, hwloc_bitmap_t hk,
                                 const char **why)
{
    *why = "the first core of each NUMA node";
    /* packages (ids; -1 unknown is one more) that have a small node */
    hwloc_bitmap_t small = hwloc_bitmap_alloc();
    int small_unknown = 0;
    for (int n = 0; n < h->nnodes; n++) {
        if (online_cores(h, n) >= VT_POOLS_NODE_CORES)
            continue;
        int id = -1;
        while ((id = hwloc_bitmap_next(h->nodes[n].cpus, id)) != -1) {
            const vt_host_cpu *c = host_cpu_by_id(h, id);
            if (!c || !c->online)
                continue;
            if (c->package >= 0)
                hwloc_bitmap_set(small, (unsigned)c->package);
            else
                small_unknown = 1;
        }
    }
    for (int n = 0; n < h->nnodes; n++) {
        const vt_host_cpu *f = first_online(h, n);
        int is_small = f && (f->package >= 0
                             ? hwloc_bitmap_isset(small, (unsigned)f->package)
                             : small_unknown);
        if (f && !is_small)
            add_core(h, f, hk);
    }
    /* h->cpus is sorted by id: a package's first online CPU comes first */
    hwloc_bitmap_t done = hwloc_bitmap_alloc();
    int unknown_done = 0;
    for (int i = 0; i < h->ncpus; i++) {
        const vt_host_cpu *c = &h->cpus[i];
        if (!c->online || host_node_index(h, c->node) < 0)
            continue;
        if (c->package >= 0 && hwloc_bitmap_isset(small, (unsigned)c->package)
            && !hwloc_bitmap_isset(done, (unsigned)c->package)) {
            add_core(h, c, hk);
            hwloc_bitmap_set(done, (unsigned)c->package);
            *why = "the first core of each NUMA node, but one core per "
                   "package where a node has fewer than 4 cores";
        } else if (c->package < 0 && small_unknown && !unknown_done) {
            add_core(h, c, hk);
            unknown_done = 1;
            *why = "the first core of each NUMA node, but one core per "
                   "package where a node has fewer than 4 cores";
        }
    }
    hwloc_bitmap_free(done);
    hwloc_bitmap_free(small);
}

void pools_init(vt_pools *p, const vt_host *h, hwloc_const_bitmap_t reserved)
{
    *p = (vt_pools){.host = h};
    p->online = hwloc_bitmap_alloc();
    for (int i = 0; i < h->ncpus; i++)
        if (h->cpus[i].online)
            hwloc_bitmap_set(p->online, (unsigned)h->cpus[i].id);
    p->isolated = hwloc_bitmap_alloc();
    if (h->isolated)
        hwloc_bitmap_or(p->isolated, p->isolated, h->isolated);
    if (h->nohz_full)
        hwloc_bitmap_or(p->isolated, p->isolated, h->nohz_full);
    hwloc_bitmap_and(p->isolated, p->isolated, p->online);
    if (reserved) {
        p->housekeeping = hwloc_bitmap_dup(reserved);
        p->why = "the policy's reserved_cpus";
    } else if (h->reserved) {
        p->housekeeping = hwloc_bitmap_dup(h->reserved);
        p->why = "the CPUs the host snapshot reserves";
    } else if (!hwloc_bitmap_iszero(p->isolated)) {
        p->housekeeping = hwloc_bitmap_dup(p->online);
        hwloc_bitmap_andnot(p->housekeeping, p->housekeeping, p->isolated);
        p->why = "the CPUs isolcpus and nohz_full leave to the host";
    } else {
        p->housekeeping = hwloc_bitmap_alloc();
        default_housekeeping(h, p->housekeeping, &p->why);
        p->guessed = 1;
    }
    /* a CPU kept for the host is not isolated for the guests' sake */
    hwloc_bitmap_andnot(p->isolated, p->isolated, p->housekeeping);
}

void pools_free(vt_pools *p)
{
    hwloc_bitmap_free(p->online);
    hwloc_bitmap_free(p->housekeeping);
    hwloc_bitmap_free(p->isolated);
}

hwloc_bitmap_t pools_floating(const vt_pools *p,
                              hwloc_const_bitmap_t dedicated)
{
    hwloc_bitmap_t s = hwloc_bitmap_dup(p->online);
    hwloc_bitmap_andnot(s, s, p->isolated);
    hwloc_bitmap_andnot(s, s, dedicated);
    return s;
}

hwloc_bitmap_t pools_shared(const vt_pools *p,
                            hwloc_const_bitmap_t dedicated)
{
    hwloc_bitmap_t s = pools_floating(p, dedicated);
    hwloc_bitmap_andnot(s, s, p->housekeeping);
    return s;
}

hwloc_bitmap_t pools_dedicable(const vt_pools *p,
                               hwloc_const_bitmap_t dedicated,
                               hwloc_const_bitmap_t floating)
{
    hwloc_bitmap_t s = hwloc_bitmap_dup(p->online);
    hwloc_bitmap_andnot(s, s, p->housekeeping);
    hwloc_bitmap_andnot(s, s, dedicated);
    /* the whole cores of the floating CPUs */
    int id;
    hwloc_bitmap_foreach_begin(id, floating) {
        const vt_host_cpu *c = host_cpu_by_id(p->host, id);
        if (c && c->core >= 0)
            hwloc_bitmap_andnot(s, s, p->host->cores[c->core]);
        else
            hwloc_bitmap_clr(s, (unsigned)id);
    } hwloc_bitmap_foreach_end();
    return s;
}
