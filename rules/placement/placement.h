/*
 * placement.h - the placement family's shared decision (plan.c): which
 * host NUMA nodes and CPUs a domain gets, how its vCPUs and memory split
 * into guest cells, and where its emulator threads go.
 *
 * The plan is computed once per domain, the first time one of the family's
 * rules (numa.place, cpu.pin, cpu.emulator, numa.guest) asks, from the
 * domain, the host, what earlier domains of the run took, and the family's
 * parameters; each rule then writes its own part of it. The rules that
 * follow placement (mem.hugepages) read the plan too.
 */
#ifndef VT_PLACEMENT_H
#define VT_PLACEMENT_H

#include "rule.h"

/* cpu.pin.threads and cpu.emulator.policy, in the order of their choices
 * (r_choice_of). */
enum vt_threads { THREADS_PREFER, THREADS_ISOLATE, THREADS_REQUIRE };
enum vt_emulator { EMULATOR_SHARE, EMULATOR_ISOLATE };

enum vt_place_status {
    PLACE_NONE = 0,     /* not computed yet */
    PLACE_OK,           /* placed: cells, pins, emulator below */
    PLACE_KEPT,         /* the domain pins itself; nothing to do */
    PLACE_AUTO,         /* placement='auto' (numad); left alone */
    PLACE_INFEASIBLE,   /* does not fit: nothing is written */
};

typedef struct vt_place_cell {
    int node;               /* host node id */
    int first_vcpu;         /* guest vCPUs first_vcpu .. + nvcpus - 1 */
    int nvcpus;
    unsigned long long mem_kib;
    hwloc_bitmap_t cpus;    /* host CPUs of its vCPUs (pinned: one each;
                               floating: the node's usable CPUs) */
} vt_place_cell;

typedef struct vt_place_plan {
    enum vt_place_status status;
    char why[512];          /* KEPT, AUTO, INFEASIBLE: the reason */
    int reported;           /* the reason was recorded as a finding */
    int pinned;             /* 1: one host CPU per vCPU (cpu.pin is on) */
    int user_cells;         /* the cells came from the domain */
    int ncells;
    vt_place_cell *cells;      /* one per host node that runs vCPUs */
    int mem_spread;         /* the memory also needs nodes without the
                               domain's vCPUs (fewer vCPUs than nodes):
                               one nodeset for all memory, no guest cells */
    int *pin;               /* pinned: pin[v] is vCPU v's host CPU */
    hwloc_bitmap_t nodes;   /* host nodes used */
    hwloc_bitmap_t emulator;  /* emulator and iothread CPUs, or NULL */
    int emulator_isolated;  /* emulator has a core of its own */
    char emu_why[256];      /* why the emulator is not where asked */
    char summary[256];      /* one line: nodes and why them */
    unsigned long long page_kib;    /* hugepage size backing the memory;
                                       0: ordinary pages */
    unsigned long long page_wanted; /* the largest size mem.hugepages
                                       would have used; 0: none */
    int page_assumed;       /* free pages unknown on a chosen node: its
                               pool's total was taken as free */
} vt_place_plan;

/* The hugepage sizes mem.hugepages may back MEM KiB with, largest first
 * (its use_1g, use_2m and min_1g_gib): 1 GiB when the memory is at least
 * min_1g_gib GiB and a multiple of 1 GiB, 2 MiB when a multiple of 2 MiB.
 * SIZES holds 2; returns how many. */
int place_huge_sizes(vt_rule_ctx *c, unsigned long long mem,
                     unsigned long long *sizes);

/* The plan for the domain being tuned (owned by the rule context). */
const vt_place_plan *place_get(vt_rule_ctx *c);

/* Records the plan's reason once, as a finding of the asking rule, when
 * it is KEPT, AUTO or INFEASIBLE. Returns 1 when the plan is OK. */
int place_ok(vt_rule_ctx *c, const vt_place_plan *p);

#endif
