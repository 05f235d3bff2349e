/*
 * reserved.c - the host's CPU pools as the checks see them (see
 * reserved.h): the CPUs reserved for the host (--reserved, the
 * snapshot's, the CPUs not isolated, or by default one core per node and
 * one per package of small nodes) and the isolated ones. This repeats
 * host/pools.c on purpose, written from doc/rules.md ("CPU pools")
 * rather than from that code: the checker derives what it checks on its
 * own, so a bug in the tool's pools is seen instead of shared.
 */
#include "reserved.h"
#include "report.h"
#include "values.h"

#include "alloc.h"

#include <stdlib.h>

/* Adds the core of CPU C (all its SMT siblings) to R. */
static void add_core_of(const vt_host *h, const vt_host_cpu *c,
                        hwloc_bitmap_t r)
{
    if (c->core >= 0)
        hwloc_bitmap_or(r, r, h->cores[c->core]);
    else
        hwloc_bitmap_set(r, (unsigned)c->id);
}

/* The default: per package, when every node holding its CPUs has at
 * least SMALL_NODE_CORES cores with an online CPU, the core of each
 * node's lowest online CPU; else only the core of the package's lowest
 * online CPU. Walks the CPUs in id order (h->cpus is sorted). */
enum { SMALL_NODE_CORES = 4 };

static hwloc_bitmap_t default_reserved(const vt_host *h)
{
    hwloc_bitmap_t r = hwloc_bitmap_alloc();
    /* cores with an online CPU, per node */
    int *cores = xcalloc((size_t)h->nnodes + 1, sizeof *cores);
    hwloc_bitmap_t seen = hwloc_bitmap_alloc();
    for (int i = 0; i < h->ncpus; i++) {
        const vt_host_cpu *c = &h->cpus[i];
        int n = host_node_index(h, c->node);
        if (!c->online || n < 0)
            continue;
        /* a core is counted once per node: its first CPU there */
        long key = (long)(c->core >= 0 ? c->core : h->ncores + c->id) *
                   (h->nnodes + 1) + n;
        if (key >= 0 && key < (1L << 30) &&
            !hwloc_bitmap_isset(seen, (unsigned)key)) {
            hwloc_bitmap_set(seen, (unsigned)key);
            cores[n]++;
        }
    }
    hwloc_bitmap_free(seen);
    /* packages with a small node */
    hwloc_bitmap_t small_pkg = hwloc_bitmap_alloc();
    int small_unknown = 0;
    for (int i = 0; i < h->ncpus; i++) {
        const vt_host_cpu *c = &h->cpus[i];
        int n = host_node_index(h, c->node);
        if (!c->online || n < 0 || cores[n] >= SMALL_NODE_CORES)
            continue;
        if (c->package >= 0)
            hwloc_bitmap_set(small_pkg, (unsigned)c->package);
        else
            small_unknown = 1;
    }
    hwloc_bitmap_t node_done = hwloc_bitmap_alloc();
    hwloc_bitmap_t pkg_done = hwloc_bitmap_alloc();
    int unknown_done = 0;
    for (int i = 0; i < h->ncpus; i++) {
        const vt_host_cpu *c = &h->cpus[i];
        int n = host_node_index(h, c->node);
        if (!c->online || n < 0)
            continue;
        int small = c->package >= 0
            ? hwloc_bitmap_isset(small_pkg, (unsigned)c->package)
            : small_unknown;
        if (small) {
            int done = c->package >= 0
                ? hwloc_bitmap_isset(pkg_done, (unsigned)c->package)
                : unknown_done;
            if (!done)
                add_core_of(h, c, r);
            if (c->package >= 0)
                hwloc_bitmap_set(pkg_done, (unsigned)c->package);
            else
                unknown_done = 1;
        } else if (!hwloc_bitmap_isset(node_done, (unsigned)n)) {
            add_core_of(h, c, r);
            hwloc_bitmap_set(node_done, (unsigned)n);
        }
    }
    hwloc_bitmap_free(node_done);
    hwloc_bitmap_free(pkg_done);
    hwloc_bitmap_free(small_pkg);
    free(cores);
    return r;
}

/* The CPUs isolcpus= or nohz_full= name, online. */
static hwloc_bitmap_t isolated_of(const vt_host *h)
{
    hwloc_bitmap_t r = hwloc_bitmap_alloc();
    for (int i = 0; i < h->ncpus; i++) {
        unsigned id = (unsigned)h->cpus[i].id;
        if (h->cpus[i].online &&
            ((h->isolated && hwloc_bitmap_isset(h->isolated, id)) ||
             (h->nohz_full && hwloc_bitmap_isset(h->nohz_full, id))))
            hwloc_bitmap_set(r, id);
    }
    return r;
}

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
    hwloc_bitmap_t iso = isolated_of(h);
    if (!hwloc_bitmap_iszero(iso)) {
        hwloc_bitmap_t r = hwloc_bitmap_alloc();
        for (int i = 0; i < h->ncpus; i++)
            if (h->cpus[i].online &&
                !hwloc_bitmap_isset(iso, (unsigned)h->cpus[i].id))
                hwloc_bitmap_set(r, (unsigned)h->cpus[i].id);
        hwloc_bitmap_free(iso);
        return r;
    }
    hwloc_bitmap_free(iso);
    return default_reserved(h);
}

hwloc_bitmap_t isolated_cpus(const vt_host *h, hwloc_const_bitmap_t reserved)
{
    hwloc_bitmap_t r = isolated_of(h);
    hwloc_bitmap_andnot(r, r, reserved);
    return r;
}
