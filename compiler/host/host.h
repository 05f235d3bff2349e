/*
 * host.h - the host model: what the rules know about the machine a domain
 * will run on. The model has no I/O; load.h fills it from a source.
 *
 * Anything a source lacks is "unknown" (-1, NULL or *_known == 0), never
 * invented: rules that need it record a finding instead of guessing.
 * CPU sets are hwloc bitmaps of OS CPU indexes; node ids are OS indexes.
 */
#ifndef VT_HOST_H
#define VT_HOST_H

#include <hwloc.h>
#include <stddef.h>
#include <stdint.h>

#include "cpulist.h"

/* One hugepage pool of one NUMA node. */
typedef struct vt_host_pages {
    uint64_t size_kib;  /* page size in KiB: 2048, 1048576, ... */
    long long total;    /* pages in the pool; -1 unknown */
    long long free;     /* free pages; -1 unknown (hwloc XML and
                           capabilities only know totals) */
} vt_host_pages;

typedef struct vt_host_node {
    int id;                 /* OS index of the NUMA node */
    hwloc_bitmap_t cpus;    /* CPUs local to the node, online or not;
                               empty for memory-only nodes (CXL, HBM) */
    long long mem_kib;      /* local memory in KiB; -1 unknown */
    int npages;
    vt_host_pages *pages;      /* sorted by size_kib ascending; every pool the
                               source lists, so hwloc and libvirt sources
                               include the base page size (4 KiB on x86)
                               as the smallest pool */
} vt_host_node;

typedef struct vt_host_cpu {
    int id;         /* OS index (the number libvirt's cpuset uses) */
    int online;     /* 1 online, 0 offline */
    int node;       /* NUMA node id; -1 unknown */
    int package;    /* package (socket) OS index; -1 unknown */
    int core;       /* index into host.cores; -1 unknown */
    int l3;         /* index into host.l3; -1 unknown */
} vt_host_cpu;

typedef struct vt_host_pci {
    char addr[16];      /* "0000:81:00.0" */
    unsigned class_id;  /* PCI class << 8 | subclass, e.g. 0x0200 */
    unsigned vendor_id, device_id;
    int node;           /* NUMA node id of its locality; -1 unknown */
    char *name;         /* OS device name (ens2f0, nvme0n1) or NULL */
    char *pf;           /* for an SR-IOV VF: its PF's address; else NULL */
    int boot_vga;       /* 1 the display the firmware booted on (a BMC's
                           or the console's), 0 not, -1 unknown */
    int iommu_group;    /* its IOMMU group; -1 unknown */
} vt_host_pci;

typedef struct vt_host {
    char *source;       /* what was loaded: a path, "live" or the
                           synthetic description */
    const char *kind;   /* "hwloc-xml", "hwloc-live", "hwloc-synthetic",
                           "capabilities", "snapshot" (static string) */
    char *origin;       /* where the data was first read from: equal to
                           source, except for a snapshot, where it is the
                           source recorded in the snapshot */
    const char *origin_kind; /* likewise for kind: a snapshot records the
                           kind it was taken from ("manual" when written by
                           hand); static string */
    char *arch;         /* "x86_64", "aarch64"...; NULL unknown */

    int ncpus;
    vt_host_cpu *cpus;     /* sorted by id */

    int nnodes;
    vt_host_node *nodes;   /* sorted by id */
    int *distances;     /* nnodes*nnodes, row-major, indexed like nodes[];
                           NULL unknown */

    int ncores;
    hwloc_bitmap_t *cores;   /* SMT sibling sets, one per core, sorted by
                                first CPU */
    int nl3;
    hwloc_bitmap_t *l3;      /* CPUs sharing one L3 cache, sorted by first
                                CPU; 0 when unknown */
    int npackages;           /* -1 unknown */

    hwloc_bitmap_t isolated;   /* isolcpus=; NULL unknown */
    hwloc_bitmap_t nohz_full;  /* nohz_full=; NULL unknown */
    hwloc_bitmap_t reserved;   /* reserved for the host by the snapshot;
                                  NULL unknown */

    int flags_known;    /* 1 when flags[] is the CPU's full flag list;
                           0: a flag listed is present, absence proves
                           nothing (libvirt capabilities list only the
                           features beyond the CPU model) */
    int nflags;
    char **flags;       /* /proc/cpuinfo or capabilities feature names,
                           sorted, unique */

    int npci;
    vt_host_pci *pci;      /* sorted by addr */
    int memlock_raisable;  /* 1 libvirt can raise a QEMU's memlock limit
                              here (its daemon, virtqemud or libvirtd,
                              has CAP_SYS_RESOURCE or no hard limit),
                              0 it cannot, -1 unknown (not the live host,
                              or no daemon running) */
    long long memlock_max_kib;  /* when not raisable: the most libvirt can
                                   give a QEMU, its daemon's hard
                                   RLIMIT_MEMLOCK in KiB; -1 unknown */
} vt_host;

/* Frees a host and everything it owns; NULL is fine. */
void host_free(vt_host *h);

/* Returns a new, empty host (all unknown) owned by the caller; loaders
 * fill it. Never NULL (aborts on out-of-memory). */
vt_host *host_new(const char *source, const char *kind);

/* Sorts cpus, nodes, cores, l3, flags and pci into the documented order and
 * fills the derived indexes (cpu.core, cpu.l3); loaders call it last.
 * Returns 0, or -1 with a message in err (size errlen) when the model is
 * inconsistent (no NUMA node, no CPU, a CPU in two nodes, ...). */
int host_finish(vt_host *h, char *err, size_t errlen);

/* Sorts H's flags and drops duplicates (loaders and host_finish). */
void host_sort_flags(vt_host *h);

/* Returns 1 when the host CPU has FLAG, 0 when it does not, -1 when the
 * flags are unknown. */
int host_has_flag(const vt_host *h, const char *flag);

/* Returns the node with OS index ID, or NULL. */
const vt_host_node *host_node_by_id(const vt_host *h, int id);

/* The position in h->nodes of the node with OS index ID, or -1. */
int host_node_index(const vt_host *h, int id);

/* Returns the cpu with OS index ID, or NULL. */
const vt_host_cpu *host_cpu_by_id(const vt_host *h, int id);

/* Returns the PCI device at ADDR ("0000:81:00.0"), or NULL. */
const vt_host_pci *host_pci_by_addr(const vt_host *h, const char *addr);

/* The base page size of H in KiB: the smallest pool a node lists when it
 * is at most 64 KiB, else the architecture's (64 KiB on ppc64 and
 * ppc64le, 4 KiB elsewhere). */
uint64_t host_base_page(const vt_host *h);

/* KiB of host node index N's memory carved out for its hugepage pools
 * (every pool above the base page, by its total). */
long long host_node_pools_kib(const vt_host *h, int n);

/* The hugepage sizes of H (KiB), largest first, into SIZES (MAX): the
 * pool sizes its nodes list above the base page; when no node lists one
 * and the host is x86 or of unknown architecture, x86's 1 GiB (when the
 * CPU has pdpe1gb or its flags are unknown) and 2 MiB with *ASSUMED set
 * (may be NULL). Returns how many. */
int host_huge_sizes(const vt_host *h, uint64_t *sizes, int max,
                    int *assumed);

/* 1 when SIZE_KIB is one of host_huge_sizes (a size the host has or, on
 * an x86 source that lists none, is assumed to have). */
int host_has_huge_size(const vt_host *h, uint64_t size_kib);

/* The pool of SIZE_KIB of node N (a vt_host_node), or NULL. */
const vt_host_pages *host_pool(const vt_host_node *n, uint64_t size_kib);

/* Distance between nodes of OS index A and B, or -1 when unknown. */
int host_distance(const vt_host *h, int a, int b);

/* Limits every source is held to by host_finish, so that any loaded host
 * survives the JSON snapshot round trip: CPU ids (also bounds memory
 * use), node ids, and counts (memory, pages: exact in JSON). */
#define VT_HOST_MAX_CPU VT_CPULIST_MAX
#define VT_HOST_MAX_NODE 65535
#define VT_HOST_MAX_COUNT 9007199254740991LL
/* Pool counts (total, free) are at most 2^40 pages, and a node's memory,
 * and the pages of all its pools together, at most 2^50 KiB (1 EiB):
 * so that no product of them overflows (host_finish checks each). */
#define VT_HOST_MAX_PAGES (1LL << 40)
#define VT_HOST_MAX_MEM_KIB (1LL << 50)

/* 1 when SIZE_KIB is a page size the kernel of architecture ARCH (NULL:
 * unknown) can have: a power of two from the sets of Linux's
 * arch/STAR/mm/hugetlbpage.c and Documentation/arch/arm64/hugetlbpage.rst
 * (x86 4 KiB, 2 MiB, 1 GiB; arm64 with 4, 16 or 64 KiB granules up to
 * 16 GiB; ppc64 4 or 64 KiB, 2 MiB, 16 MiB, 1 GiB, 16 GiB; s390x 4 KiB,
 * 1 MiB, 2 GiB; riscv64 up to 512 GiB), any power of two from 4 KiB to
 * 1 TiB elsewhere. */
int host_page_size_known(const char *arch, uint64_t size_kib);


#endif
