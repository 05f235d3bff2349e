/*
 * check_numa.c - the NUMA invariants of one domain (formatdomain: NUMA
 * node tuning, guest NUMA topology), read from <cpu><numa> and
 * <numatune>:
 *   cell-id          cell ids are unique and below the cell count
 *                    (libvirt)
 *   cells-partition  the cells' cpus partition the vCPUs 0..<vcpu>-1: each
 *                    vCPU in exactly one cell
 *   cells-memory     the cells' memory and the DIMMs' (<memory
 *                    model='dimm'|'nvdimm'> target sizes) sum to <memory>
 *   distances        when some cell has <distances>, every cell has, with
 *                    a sibling per cell, no unknown or repeated sibling,
 *                    10 to itself, 10..255, symmetric between cells
 *   numatune-nodes   the host nodes of <numatune><memory> and of every
 *                    memnode exist on the host
 *   memnode-cell     a memnode names a cell, and a cell has one memnode
 *                    at most
 *   memnode-cpus     the pinned vCPUs of a cell are inside the CPUs of its
 *                    memnode's host nodes
 *   numatune-cpus    without cells, a strict <numatune><memory> nodeset
 *                    holds the CPUs of every pinned vCPU
 */
#include "checks.h"
#include "report.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>

/* Cells: ids unique and below the cell count (libvirt), cpus partition
 * 0..vcpus-1, memory sums to <memory>; fills vcell. */
void check_cells_partition(domain *d)
{
    long n = d->vcpus > 0 ? d->vcpus : 0;
    d->vcell = xmalloc((size_t)(n ? n : 1) * sizeof *d->vcell);
    for (long v = 0; v < n; v++)
        d->vcell[v] = -1;
    hwloc_bitmap_t ids = hwloc_bitmap_alloc();
    for (int i = 0; i < d->ncells; i++) {
        cell *c = &d->cells[i];
        if (c->id >= d->ncells)
            violation(d->file, "cell-id", "cell id %ld is not below the cell "
                      "count %d", c->id, d->ncells);
        else if (c->id >= 0 && hwloc_bitmap_isset(ids, (unsigned)c->id))
            violation(d->file, "cell-id", "cell id %ld is used twice", c->id);
        if (c->id >= 0)
            hwloc_bitmap_set(ids, (unsigned)c->id);
        if (!c->cpus || d->vcpus <= 0)
            continue;
        int v;
        hwloc_bitmap_foreach_begin(v, c->cpus) {
            if (v >= d->vcpus)
                violation(d->file, "cells-partition", "cell %ld lists vCPU "
                          "%d, but <vcpu> is %ld", c->id, v, d->vcpus);
            else if (d->vcell[v] >= 0)
                violation(d->file, "cells-partition", "vCPU %d is in cells "
                          "%ld and %ld", v, d->cells[d->vcell[v]].id, c->id);
            else
                d->vcell[v] = i;
        } hwloc_bitmap_foreach_end();
    }
    hwloc_bitmap_free(ids);
    if (d->ncells == 0)
        return;
    hwloc_bitmap_t gap = hwloc_bitmap_alloc();
    for (long v = 0; v < n; v++)
        if (d->vcell[v] < 0)
            hwloc_bitmap_set(gap, (unsigned)v);
    if (!hwloc_bitmap_iszero(gap)) {
        char *s = fmt_set(gap);
        violation(d->file, "cells-partition", "vCPU(s) %s are in no cell", s);
        free(s);
    }
    hwloc_bitmap_free(gap);
}

void check_cells_memory(const domain *d)
{
    unsigned long long sum = 0;
    for (int i = 0; i < d->ncells; i++) {
        if (!d->cells[i].kib_ok)
            return;
        sum += d->cells[i].kib;
    }
    /* libvirt: <memory> is the cells and the memory devices plugged at
     * start (virDomainDefPostParseMemory) */
    if (d->mem_ok && sum + d->dimm_kib != d->mem_kib)
        violation(d->file, "cells-memory", "the cells hold %llu KiB and "
                  "the DIMMs %llu KiB, <memory> is %llu KiB", sum,
                  d->dimm_kib, d->mem_kib);
}

/* Index of the cell with id ID, or -1. */
static int cell_index(const domain *d, long id)
{
    for (int i = 0; i < d->ncells; i++)
        if (d->cells[i].id == id)
            return i;
    return -1;
}

/* The distance cell A gives for sibling id B, or -1 when not listed. */
static long sibling_value(const cell *a, long b)
{
    for (int k = 0; k < a->nsib; k++)
        if (a->sib[k].id == b)
            return a->sib[k].value;
    return -1;
}

/* Distances of one cell C: a sibling per cell, no unknown or repeated
 * sibling, 10 to itself, 10..255, symmetric with the other cells. */
static void check_cell_distances(const domain *d, const cell *c)
{
    for (int k = 0; k < c->nsib; k++) {
        const sibling *s = &c->sib[k];
        if (s->id < 0 || s->value < 0)
            continue;
        if (cell_index(d, s->id) < 0)
            violation(d->file, "distances", "cell %ld: sibling %ld is not a "
                      "cell", c->id, s->id);
        for (int m = 0; m < k; m++)
            if (c->sib[m].id == s->id)
                violation(d->file, "distances", "cell %ld: sibling %ld is "
                          "listed twice", c->id, s->id);
        if (s->id == c->id && s->value != 10)
            violation(d->file, "distances", "cell %ld: distance to itself is "
                      "%ld, not 10", c->id, s->value);
        if (s->value < 10 || s->value > 255)
            violation(d->file, "distances", "cell %ld: distance %ld to cell "
                      "%ld is outside 10..255", c->id, s->value, s->id);
    }
    for (int j = 0; j < d->ncells; j++) {
        const cell *o = &d->cells[j];
        if (o->id < 0)
            continue;
        long there = sibling_value(c, o->id);
        long back = o->has_dist ? sibling_value(o, c->id) : -1;
        if (there < 0)
            violation(d->file, "distances", "cell %ld has no distance to "
                      "cell %ld", c->id, o->id);
        else if (back >= 0 && o->id > c->id && back != there)
            violation(d->file, "distances", "cells %ld and %ld: distance "
                      "%ld one way, %ld the other", c->id, o->id, there,
                      back);
    }
}

void check_distances(const domain *d)
{
    int with = 0;
    for (int i = 0; i < d->ncells; i++)
        with += d->cells[i].has_dist;
    if (!with)
        return;
    for (int i = 0; i < d->ncells; i++) {
        const cell *c = &d->cells[i];
        if (!c->has_dist)
            violation(d->file, "distances", "cell %ld has no <distances> "
                      "while other cells do", c->id);
        else if (c->id >= 0)
            check_cell_distances(d, c);
    }
}

/* Host nodes of NODES the host lacks are reported under INV. */
static void check_nodes_exist(const domain *d, const vt_host *h,
                              hwloc_const_bitmap_t nodes, const char *what)
{
    int id;
    hwloc_bitmap_foreach_begin(id, nodes) {
        if (!host_node_by_id(h, id))
            violation(d->file, "numatune-nodes", "%s names host node %d, "
                      "which the host does not have", what, id);
    } hwloc_bitmap_foreach_end();
}

/* The CPUs of the host nodes in NODES. */
static hwloc_bitmap_t nodes_cpus(const vt_host *h, hwloc_const_bitmap_t nodes)
{
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
    int id;
    hwloc_bitmap_foreach_begin(id, nodes) {
        const vt_host_node *n = host_node_by_id(h, id);
        if (n)
            hwloc_bitmap_or(cpus, cpus, n->cpus);
    } hwloc_bitmap_foreach_end();
    return cpus;
}

/* Every pinned vCPU of VCPUS (a set of vCPU ids; NULL = all) is pinned
 * inside the CPUs of host NODES; reported under INV with WHAT. */
static void check_pins_in_nodes(const domain *d, const vt_host *h,
                                hwloc_const_bitmap_t vcpus,
                                hwloc_const_bitmap_t nodes, const char *inv,
                                const char *what)
{
    hwloc_bitmap_t allowed = nodes_cpus(h, nodes);
    char *ns = fmt_set(nodes);
    for (long v = 0; v < d->vcpus; v++) {
        if (!d->vset[v] || (vcpus && !hwloc_bitmap_isset(vcpus, (unsigned)v)))
            continue;
        if (hwloc_bitmap_isincluded(d->vset[v], allowed))
            continue;
        char *s = fmt_set(d->vset[v]);
        violation(d->file, inv, "vCPU %ld is pinned to host CPU(s) %s, not "
                  "all in host node(s) %s of %s", v, s, ns, what);
        free(s);
    }
    free(ns);
    hwloc_bitmap_free(allowed);
}

/* memnodes: a known cell each, nodes on the host, and the cell's pinned
 * vCPUs inside the memnode's nodes. */
void check_memnodes(domain *d, const vt_host *h)
{
    for (int i = 0; i < d->nmemnodes; i++) {
        memnode *m = &d->memnodes[i];
        if (m->cellid < 0 || !m->nodes)
            continue;
        int ci = cell_index(d, m->cellid);
        char what[48];
        snprintf(what, sizeof what, "memnode cellid=%ld", m->cellid);
        check_nodes_exist(d, h, m->nodes, what);
        if (ci < 0) {
            violation(d->file, "memnode-cell", "memnode cellid=%ld names no "
                      "cell", m->cellid);
            continue;
        }
        if (d->cells[ci].memnode >= 0) {
            violation(d->file, "memnode-cell", "cell %ld has two memnodes",
                      m->cellid);
            continue;
        }
        d->cells[ci].memnode = i;
        if (d->cells[ci].cpus && d->vcpus > 0)
            check_pins_in_nodes(d, h, d->cells[ci].cpus, m->nodes,
                                "memnode-cpus", what);
    }
}

/* <numatune><memory mode='strict' nodeset>, no cells: every pinned vCPU
 * inside those nodes. */
void check_numatune(const domain *d, const vt_host *h)
{
    if (!d->numa_nodes)
        return;
    check_nodes_exist(d, h, d->numa_nodes, "numatune memory");
    if (d->ncells == 0 && d->numa_strict && d->vcpus > 0)
        check_pins_in_nodes(d, h, NULL, d->numa_nodes, "numatune-cpus",
                            "numatune memory");
}
