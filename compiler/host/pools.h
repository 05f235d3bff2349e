/*
 * pools.h - the host's CPU pools (doc/rules.md, "CPU pools"): which CPUs
 * are the host's own (housekeeping), which the kernel does not balance
 * (isolated), and from those and what the domains of a run take, where a
 * new domain's vCPUs may float and where they may be dedicated.
 *
 *   housekeeping  the host's: its own tasks, QEMU's emulator and I/O
 *                 threads, and floating vCPUs may run there; never a
 *                 dedicated vCPU
 *   isolated      isolcpus / nohz_full: the scheduler does not balance
 *                 them, so only dedicated (pinned 1:1) vCPUs go there
 *   shared        the rest: floating vCPUs, or dedicated ones
 *   dedicated     taken 1:1 by a vCPU of a domain (vt_usage.cpus); no
 *                 other vCPU runs there
 */
#ifndef VT_POOLS_H
#define VT_POOLS_H

#include "host.h"

/* Nodes with fewer cores than this keep no housekeeping core of their
 * own: their package keeps one for all of them (small NUMA nodes: AMD
 * NPS4, Intel SNC, 2-CPU nodes, would otherwise lose half their CPUs). */
#define VT_POOLS_NODE_CORES 4

typedef struct vt_pools {
    const vt_host *host;          /* the host they split */
    hwloc_bitmap_t online;        /* the host's online CPUs */
    hwloc_bitmap_t housekeeping;  /* online CPUs kept for the host */
    hwloc_bitmap_t isolated;      /* online CPUs isolcpus or nohz_full
                                     name (empty when none) */
    const char *why;              /* how housekeeping was chosen, for
                                     reasons (static string) */
    int guessed;                  /* housekeeping is vtune-xml's choice
                                     (one core per node): the host keeps
                                     its own tasks off no CPU */
} vt_pools;

/* The pools of H: housekeeping is RESERVED (the policy's reserved_cpus)
 * when given; else the snapshot's reserved CPUs; else, when the host
 * isolates CPUs, every online CPU it does not isolate; else one core per
 * node (the core of its lowest online CPU), except in a package with a
 * node of fewer than VT_POOLS_NODE_CORES cores: one core for the whole
 * package (the core of its lowest online CPU). Free with pools_free. */
void pools_init(vt_pools *p, const vt_host *h, hwloc_const_bitmap_t reserved);
void pools_free(vt_pools *p);

/* Where a floating vCPU may run: online, not isolated, not DEDICATED
 * (housekeeping and shared CPUs). A new bitmap (caller frees). */
hwloc_bitmap_t pools_floating(const vt_pools *p,
                              hwloc_const_bitmap_t dedicated);

/* The shared pool: online, not housekeeping, not isolated, not DEDICATED.
 * A new bitmap (caller frees). */
hwloc_bitmap_t pools_shared(const vt_pools *p,
                            hwloc_const_bitmap_t dedicated);

/* Where a vCPU may be dedicated: online, not housekeeping, not DEDICATED,
 * and not in a core with a FLOATING CPU (one the floating vCPUs of other
 * domains may run on: a dedicated CPU is one no other vCPU uses, nor its
 * SMT siblings). A new bitmap (caller frees). */
hwloc_bitmap_t pools_dedicable(const vt_pools *p,
                               hwloc_const_bitmap_t dedicated,
                               hwloc_const_bitmap_t floating);

#endif
