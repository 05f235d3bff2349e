/*
 * placement.h - the placement family's shared decision (plan.c): which
 * host NUMA nodes and CPUs a domain gets, how its vCPUs and memory split
 * into guest cells, the page size that backs them, and where its emulator
 * threads go.
 *
 * The plan is computed once per domain, the first time one of the family's
 * rules (numa.place, cpu.pin, cpu.emulator, numa.guest) asks, from the
 * domain, the host, its CPU pools, what earlier domains of the run took,
 * and the family's parameters; each rule then writes its own part of it.
 * The rules that follow placement (mem.hugepages) read the plan too.
 */
#ifndef VT_PLACEMENT_H
#define VT_PLACEMENT_H

#include "rule.h"

/* cpu.pin.threads, cpu.emulator.policy and numa.place.memory_only_nodes,
 * in the order of their choices (r_choice_of). */
enum vt_threads { THREADS_PREFER, THREADS_ISOLATE, THREADS_REQUIRE };
enum vt_emulator { EMULATOR_SHARE, EMULATOR_ISOLATE };
enum vt_memonly { MEMONLY_AVOID, MEMONLY_USE };
enum vt_iothreads { IOTHREADS_SHARE, IOTHREADS_OWN };

enum vt_place_status {
    PLACE_NONE = 0,     /* not computed yet */
    PLACE_OK,           /* placed: cells, pins, emulator below */
    PLACE_KEPT,         /* the domain pins itself; nothing to do */
    PLACE_AUTO,         /* placement='auto' (numad); left alone */
    PLACE_INFEASIBLE,   /* does not fit: nothing is written */
};

typedef struct vt_place_cell {
    int cellid;             /* the guest cell's id (the domain's own, or
                               0.. for cells the plan makes) */
    int node;               /* its (first) host node id */
    hwloc_bitmap_t nodes;   /* its host nodes (one, but for a guest cell
                               larger than any node) */
    hwloc_bitmap_t vcpus;   /* its guest vCPUs */
    int nvcpus;
    unsigned long long mem_kib;
    unsigned long long page_kib;    /* the page size backing it; 0:
                                       ordinary memory */
    unsigned long long dimm_kib;    /* DIMMs plugged into it at start
                                       (beyond mem_kib, on its node) */
    hwloc_bitmap_t cpus;    /* host CPUs of its vCPUs (pinned: one each;
                               floating: where they may float) */
} vt_place_cell;

/* An iothread the plan gives a CPU of its own (cpu.emulator.iothreads). */
typedef struct vt_place_io {
    long id;                /* the iothread's id */
    int cpu;                /* its CPU, or -1: it shares the emulator's */
    int node;               /* the host node of that CPU */
    int storage;            /* the host node of its storage, -1 unknown */
} vt_place_io;

typedef struct vt_place_plan {
    enum vt_place_status status;
    char why[512];          /* KEPT, AUTO, INFEASIBLE: the reason */
    int reported;           /* the reason was recorded as a finding */
    int pinned;             /* 1: one dedicated host CPU per vCPU */
    enum vt_threads threads;    /* the thread policy in force (cpu.pin's,
                                   isolate for the realtime profile) */
    int fallback;           /* dedicated CPUs were wanted (cpu.pin) but
                               none were left: the vCPUs float over the
                               shared pool of their nodes */
    char fallback_why[640]; /* FALLBACK: what cpu.pin reports */
    int user_cells;         /* the cells are the domain's own */
    int ncells;
    vt_place_cell *cells;   /* tool cells: one per host node (those
                               without vCPUs hold memory only); user
                               cells: one per guest cell */
    int mem_spread;         /* the memory also needs nodes without the
                               domain's vCPUs (fewer vCPUs than nodes, or
                               memory-only nodes): one nodeset for all
                               memory, no guest cells written */
    int *pin;               /* pinned: pin[v] is vCPU v's host CPU */
    hwloc_bitmap_t nodes;   /* host nodes used */
    hwloc_bitmap_t confine; /* INFEASIBLE: the CPUs its vCPUs are
                               confined to instead of every online CPU
                               (the floating pool, when isolated CPUs or
                               other domains' dedicated ones are not in
                               it); NULL when nothing is to be kept off
                               or no CPU is left */
    char pool[256];         /* floating: the pool the vCPUs float over,
                               in words ("online CPUs", "housekeeping
                               and shared CPUs (not ...)") */
    hwloc_bitmap_t emulator;  /* emulator and iothread CPUs, or NULL */
    int emulator_isolated;  /* emulator has a core of its own */
    char emu_why[256];      /* why the emulator is not where asked */
    int emu_info;           /* emu_why is an explanation, not a warning */
    int nio;                /* iothreads:own: the iothreads it places
                               (those without a pin the user keeps) */
    vt_place_io *io;
    char io_why[256];       /* why some share the emulator's CPUs */
    char summary[256];      /* one line: nodes and why them */
    unsigned long long page_kib;    /* hugepage size backing the memory;
                                       0: ordinary pages */
    unsigned long long page_wanted; /* the largest size mem.hugepages
                                       would have used; 0: none */
    int page_user;          /* page_kib is the size the domain names */
    int page_short;         /* the nodes have not enough free pages of
                               page_kib: placed as if the pages were
                               reserved (the domain names the size) */
    int page_assumed;       /* free pages unknown on a chosen node: its
                               pool's total was taken as free */
} vt_place_plan;

/* The hugepage sizes mem.hugepages may back MEM KiB with, largest first:
 * the host's hugepage sizes (host_huge_sizes) MEM is a multiple of, those
 * of 1 GiB and more only with use_1g, smaller ones only with use_2m.
 * SIZES holds 8; returns how many. */
int place_huge_sizes(vt_rule_ctx *c, unsigned long long mem,
                     unsigned long long *sizes);

/* The host's hugepage sizes (host_huge_sizes) in words, largest first
 * ("1 GiB, 2 MiB"; "none"), into BUF (N); *ASSUMED as host_huge_sizes.
 * Returns how many. */
int place_sizes_text(const vt_host *h, char *buf, size_t n, int *assumed);

/* KiB of ordinary memory host node index N has for a new domain: its
 * memory less numa.place.reserved_memory_mib, less the hugepage pools
 * carved out of it, less what the domains of the run took there;
 * LLONG_MAX when its size is unknown. Hugepages can be reserved from it
 * (a host command never asks for more). */
long long place_node_room(vt_rule_ctx *c, int n);

/* The host node of the storage iothread ID serves (its first disk's
 * block device, by the host's PCI devices), or -1 when unknown. */
int place_storage_node(vt_rule_ctx *c, long id);

/* 1 when iothreads get CPUs of their own: cpu.emulator.iothreads=own, or
 * the throughput profile when the policy does not say. */
int place_iothreads_own(vt_rule_ctx *c);

/* NULL when every vCPU of the domain has a host CPU of its own (placed
 * and pinned 1:1, shared with no emulator, iothread or other domain),
 * else why not. cpu.dedicated gives Linux KVM's hint then (on x86
 * host-passthrough); hyperv leaves Windows' spinlocks at QEMU's default,
 * never notify. */
const char *place_dedicated_why_not(vt_rule_ctx *c);

/* The plan for the domain being tuned (owned by the rule context). */
const vt_place_plan *place_get(vt_rule_ctx *c);

/* Records the plan's reason once, as a finding of the asking rule, when
 * it is KEPT, AUTO or INFEASIBLE. Returns 1 when the plan is OK. */
int place_ok(vt_rule_ctx *c, const vt_place_plan *p);

#endif
