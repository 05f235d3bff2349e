/*
 * iothreads.c - where a domain's iothreads run when they get CPUs of
 * their own (cpu.emulator.iothreads=own, the throughput profile's
 * default; step 8 of plan.c's decision), and which host node an
 * iothread's storage is on (cpu.emulator's share policy reads it too).
 *
 * An iothread polls its queues and completes their I/O; on the
 * housekeeping core it competes with the emulator, every other iothread
 * and the host's own tasks, which is what a throughput domain with one
 * iothread per disk cannot afford. Own: after the vCPUs took their cores,
 * each iothread takes one CPU of a free core, at most two iothreads per
 * core (one per SMT thread; two on one CPU on hosts without SMT): on the
 * node of its storage when the host says (the device's completions and
 * interrupts are there), else on the domain's nodes. A core an
 * iothread takes is the domain's alone (usage.h counts a one-core pin
 * outside the housekeeping CPUs as dedicated), so no vCPU of this or a
 * later domain shares it. Iothreads that find no free core share the
 * emulator's CPUs, with a finding.
 */
#include "plan_ctx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The host device name of a disk's block device source: /dev/nvme0n1p2
 * gives nvme0n1, /dev/sdb1 gives sdb; NULL for anything else. */
static char *block_name(xmlNodePtr disk)
{
    const char *dev = r_attr(r_child(disk, "source"), "dev");
    if (!dev || strncmp(dev, "/dev/", 5) != 0 || strchr(dev + 5, '/'))
        return NULL;
    char *name = xstrdup(dev + 5);
    size_t n = strlen(name);
    if (!strncmp(name, "nvme", 4)) {
        char *p = strrchr(name, 'p');        /* nvme0n1p2: partition p2 */
        if (p && p > strchr(name, 'n') && p[1] >= '0' && p[1] <= '9')
            *p = '\0';
    } else {
        while (n > 0 && name[n - 1] >= '0' && name[n - 1] <= '9')
            name[--n] = '\0';
    }
    return name;
}

/* 1 when disk D is served by iothread ID: <driver iothread='ID'>, or an
 * <iothread id='ID'> of its <driver><iothreads> (libvirt 10.0). */
static int serves(xmlNodePtr d, const char *id)
{
    xmlNodePtr drv = r_child(d, "driver");
    const char *it = r_attr(drv, "iothread");
    if (it)
        return strcmp(it, id) == 0;
    return r_child_with(r_child(drv, "iothreads"), "iothread", "id", id)
           != NULL;
}

int place_storage_node(vt_rule_ctx *c, long id)
{
    const vt_host *h = r_host(c);
    char ids[24];
    snprintf(ids, sizeof ids, "%ld", id);
    xmlNodePtr dev = r_child(r_root(c), "devices");
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk")) {
        if (!serves(d, ids))
            continue;
        char *name = block_name(d);
        int node = -1;
        for (int i = 0; name && i < h->npci; i++)
            if (h->pci[i].name && !strcmp(h->pci[i].name, name) &&
                h->pci[i].node >= 0)
                node = h->pci[i].node;
        free(name);
        return node;        /* the iothread's first disk decides */
    }
    return -1;
}

int place_iothreads_own(vt_rule_ctx *c)
{
    if (r_param_given(c, RULE_cpu_emulator, "iothreads"))
        return r_choice_of(c, RULE_cpu_emulator, "iothreads") ==
               IOTHREADS_OWN;
    return r_profile(c) == PROFILE_THROUGHPUT;
}

/* A free core the iothreads may take, and how many took it. */
typedef struct iocore {
    pcore *pc;
    int node;
    int domain;             /* on one of the domain's nodes */
    int dist;               /* its node's distance to the nearest of them */
    int used;
} iocore;

/* The core for an iothread whose storage is on node PREF (-1: unknown):
 * on PREF, a core another iothread half fills, else a free one; then the
 * same on the domain's nodes; then on the nearest other node, rather than
 * crowding the emulator's CPUs. */
static iocore *pick(iocore *cores, int n, int pref)
{
    for (int pass = 0; pass < 6; pass++) {
        int want_used = pass % 2 == 0;
        if (pass < 2 && pref < 0)
            continue;
        iocore *best = NULL;
        for (int i = 0; i < n; i++) {
            iocore *ic = &cores[i];
            if (ic->used >= 2 || (ic->used > 0) != want_used)
                continue;
            if (pass < 2 ? ic->node != pref
                : pass < 4 ? !ic->domain : ic->domain)
                continue;
            if (pass < 4)
                return ic;
            if (!best || ic->dist < best->dist)
                best = ic;
        }
        if (best)
            return best;
    }
    return NULL;
}

void plan_iothreads(pctx *x, vt_place_plan *p, pnode **chosen, int k)
{
    vt_rule_ctx *c = x->c;
    if (!r_rule_on(c, RULE_cpu_emulator) || !place_iothreads_own(c) ||
        !x->pinned)
        return;
    xmlNodePtr root = r_root(c);
    enum { MAX_IO = 1024 };
    long *ids = xmalloc((MAX_IO + 1) * sizeof *ids);
    int n = domain_iothread_ids(root, ids, MAX_IO);
    int override = r_bool_of(c, RULE_cpu_emulator, "override");
    xmlNodePtr tune = r_child(root, "cputune");
    /* the free cores of every candidate node: the domain's nodes, and
     * any node that holds an iothread's storage */
    int ncores = 0;
    for (int i = 0; i < x->nn; i++)
        ncores += x->nodes[i].ncores;
    iocore *cores = xcalloc((size_t)(ncores ? ncores : 1), sizeof *cores);
    int nc = 0;
    for (int i = 0; i < x->nn; i++) {
        pnode *pn = &x->nodes[i];
        int mine = 0, dist = INT_MAX;
        for (int j = 0; j < k; j++) {
            mine |= chosen[j] == pn;
            int d = x->dm ? x->dm[i * x->nn + (int)(chosen[j] - x->nodes)]
                          : 0;
            if (d > 0 && d < dist)
                dist = d;
        }
        for (int j = 0; j < pn->ncores; j++) {
            pcore *pc = &pn->cores[j];
            if (pc->cap > 0 && !hwloc_bitmap_iszero(pc->usable))
                cores[nc++] = (iocore){pc, pn->id, mine, dist, 0};
        }
    }
    p->io = xcalloc((size_t)(n ? n : 1), sizeof *p->io);
    int wanted = 0, short_of = 0;
    for (int i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%ld", ids[i]);
        if (!override && r_child_with(tune, "iothreadpin", "iothread", id))
            continue;       /* the user's pin stays (cpu.emulator) */
        vt_place_io *io = &p->io[p->nio++];
        io->id = ids[i];
        io->storage = place_storage_node(c, ids[i]);
        io->cpu = io->node = -1;
        wanted++;
        iocore *ic = pick(cores, nc, io->storage);
        if (!ic) {
            short_of++;
            continue;
        }
        /* the next thread of the core; two on one CPU without SMT */
        int cpu = hwloc_bitmap_first(ic->pc->usable);
        for (int t = 0; t < ic->used; t++) {
            int next = hwloc_bitmap_next(ic->pc->usable, cpu);
            if (next >= 0)
                cpu = next;
        }
        io->cpu = cpu;
        io->node = ic->node;
        ic->used++;
        ic->pc->cap = 0;    /* the whole core is this domain's */
    }
    if (short_of) {
        char *nodes = cpulist_format(p->nodes);
        snprintf(p->io_why, sizeof p->io_why, "%d of %d iothreads found no "
                 "free core on the host (cpu.emulator.iothreads=own gives "
                 "each a CPU of its own, at most two per core, on the "
                 "domain's node%s %s first): %s the emulator's CPUs",
                 short_of, wanted,
                 hwloc_bitmap_weight(p->nodes) > 1 ? "s" : "", nodes,
                 short_of > 1 ? "they share" : "it shares");
        free(nodes);
    }
    free(cores);
    free(ids);
}
