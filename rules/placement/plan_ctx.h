/*
 * plan_ctx.h - private to rules/placement/: what the placement decision
 * gathers once (the host's candidate nodes and cores, the domain's
 * demand) and the steps that share it: plan.c (the decision),
 * user_cells.c (domains with their own guest cells) and cpus.c (which
 * CPUs, and the emulator's).
 */
#ifndef VT_PLAN_CTX_H
#define VT_PLAN_CTX_H

#include "placement.h"
#include "place_search.h"

/* A core of a node as placement sees it. */
typedef struct pcore {
    int core;               /* index in host.cores */
    int first;              /* its lowest CPU id (order) */
    int l3;                 /* L3 group index or -1 */
    int cap;                /* vCPUs it can take */
    int full;               /* every online thread is usable */
    int complete;           /* it has the host's full SMT width usable */
    hwloc_bitmap_t usable;  /* its usable CPUs */
} pcore;

/* A candidate host node. */
typedef struct pnode {
    int id, index;          /* OS id; index in host.nodes */
    int cap;                /* vCPUs it can take */
    int ecap;               /* the same in the page size being tried: 0
                               when the node has no unit of memory free
                               in it (plan_set_page) */
    int memonly;            /* a node without CPUs, for memory only */
    long long room;         /* KiB of ordinary memory free
                               (place_node_room), LLONG_MAX unknown */
    long long mem_free;     /* KiB free in the page size being tried,
                               in whole units (set_page) */
    int assumed;            /* free hugepages unknown: total assumed */
    int ncores;
    pcore *cores;
} pnode;

/* A guest cell the domain defines. */
typedef struct ucell {
    int id;
    hwloc_bitmap_t vcpus;
    int nvcpus;
    unsigned long long mem; /* KiB: the cell and the DIMMs it holds */
    unsigned long long page;    /* the size the domain backs it with */
} ucell;

/* Everything the decision reads, gathered once. */
typedef struct pctx {
    vt_rule_ctx *c;
    const vt_host *h;
    int pinned;             /* one dedicated CPU per vCPU */
    int fallback;           /* pinned wanted, floating in the shared pool */
    enum vt_threads threads;
    int tpc;                /* SMT threads per core on this host */
    int vcpus, online;      /* <vcpu> maximum and current */
    unsigned long long mem;
    unsigned long long page;    /* page size being tried; 0: ordinary */
    long long unit;         /* KiB a cell's memory is a multiple of */
    int reservable;         /* count pages the node could reserve */
    hwloc_bitmap_t avail;   /* usable CPUs for this mode */
    hwloc_const_bitmap_t must;  /* nodes the domain must span: those of
                                   its devices with affinity required */
    hwloc_bitmap_t prefer;  /* nodes of its PCI devices (hostdevs) */
    hwloc_bitmap_t memonly_skipped; /* memory-only nodes left out */
    int nn;
    pnode *nodes;           /* candidate nodes */
    vt_place_cand *cands;   /* the same nodes as the search sees them */
    int *dm;                /* nn x nn distances between them (0 unknown) */
    int nucells;
    ucell *ucells;          /* the domain's own guest cells */
    int ndimms;             /* without own cells: the DIMMs plugged at
                               start, part of <memory>, each in the
                               guest cell its <node> names */
    struct dimm { unsigned long long kib; int cell; } dimms[16];
    unsigned long long dimm_kib;    /* their sum */
} pctx;

/* Sets every candidate's free memory for pages of PAGE KiB (0: ordinary
 * memory) in whole UNITs: free hugepages of that size after the run so
 * far (with X->reservable, those the node could reserve too). */
void plan_set_page(pctx *x, unsigned long long page, long long unit);

/* Pins NEED vCPUs, the next ones of VCPUS from *AT, on node PN: inside one
 * L3 domain if they fit, full cores first, consecutive vCPUs on the SMT
 * siblings of one core; PIN[v] gets vCPU v's CPU, CELLCPUS the CPUs. */
void plan_pick_cpus(pnode *pn, int need, const int *vcpus, int *at,
                    int *pin, hwloc_bitmap_t cellcpus);

/* The emulator's CPUs for the cells of P (cpu.emulator's policy), from
 * CHOSEN (K nodes). */
void plan_emulator(pctx *x, vt_place_plan *p, pnode **chosen, int k);

/* The iothreads' CPUs for P when they get their own (iothreads.c): free
 * cores of CHOSEN (K nodes), after the vCPUs and the emulator. */
void plan_iothreads(pctx *x, vt_place_plan *p, pnode **chosen, int k);

/* Places the domain's own guest cells (X->ucells) on host nodes: each
 * cell on one node, distinct nodes when they hold them, the closest
 * first; a cell larger than any node on the fewest, closest nodes. Fills
 * P's cells, pins and nodes. Returns 1, or 0 when the cells do not fit
 * (P untouched). */
int plan_user_cells(pctx *x, vt_place_plan *p);

#endif
