/*
 * checks.h - the invariant families, one file each, as main.c runs them:
 * per domain in this order, then across the run. Each file's header
 * lists its invariants.
 */
#ifndef CKP_CHECKS_H
#define CKP_CHECKS_H

#include "domain.h"
#include "page_pools.h"
#include "run_report.h"

#include "host.h"

/* check_cpu.c: the vCPU, emulator and iothread pins, the guest topology */

/* vcpupin: vCPU ids below <vcpu>, none twice, CPUs usable, floating
 * vCPUs off ISOLATED; fills vset, vunion, floating, dedicated and
 * unconfined. */
void check_vcpupins(domain *d, const vt_host *h,
                    hwloc_const_bitmap_t reserved,
                    hwloc_const_bitmap_t isolated);
/* No host CPU a vCPU is pinned to 1:1 is in the vcpupin of another vCPU
 * of the domain. */
void check_vcpu_overlap(const domain *d);
/* emulatorpin / iothreadpin: CPUs exist and are online, iothread ids are
 * defined and pinned once; fills excl. */
void check_aux_pins(domain *d, const vt_host *h,
                    hwloc_const_bitmap_t reserved);
/* <cpu><topology>: its product is <vcpu>, guest threads on host SMT
 * siblings, no guest socket across cells. Needs vset and vcell. */
void check_topology(const domain *d, const vt_host *h);

/* check_numa.c: guest cells, their distances, <numatune> */

/* Cell ids, the cells' cpus partition the vCPUs; fills vcell. */
void check_cells_partition(domain *d);
/* The cells' memory sums to <memory>. */
void check_cells_memory(const domain *d);
/* The cells' <distances>. */
void check_distances(const domain *d);
/* memnodes: a known cell each, nodes on the host, the cell's pinned
 * vCPUs inside the memnode's nodes; matches cells to memnodes. */
void check_memnodes(domain *d, const vt_host *h);
/* <numatune><memory>: nodes on the host; without cells (strict), every
 * pinned vCPU inside them. */
void check_numatune(const domain *d, const vt_host *h);

/* check_backing.c: memory backing; fills parts. Needs memnodes matched. */
void check_backing(domain *d, const vt_host *h, const pools *pl);

/* check_io.c: disks, interfaces and controllers */

extern unsigned long long irq_budget;   /* --irq-budget */
void check_io(const domain *d);

/* check_run.c: the N domains D of one run together */

/* No CPU owned by one domain runs vCPUs of another, nor its SMT
 * siblings; unreserved emulator/iothread CPUs belong to their domain
 * alone. RDS[k]: domain k's entry in the report, or NULL. */
void check_across(const domain *d, int n, const vt_host *h,
                  const rr_domain *const *rds);
/* The memory the domains pin to a node fits it. */
void check_node_memory(const domain *d, int n, const vt_host *h);
/* The hugepages the run takes from each pool fit it. */
void check_hugepage_budget(const domain *d, int n, const vt_host *h,
                           const pools *pl, const run_report *rr);

/* check_fit.c: the run's decisions, with the report's facts */

extern unsigned long long reserve_kib;  /* --reserve-mib, in KiB */
/* split-fits-one, floating-unconfined, host-commands-fit over the N
 * domains D of the run, in order; RR may be an empty report (none
 * given); RDS[k] is domain k's entry in it, or NULL. */
void check_fit(const domain *d, int n, const vt_host *h, const pools *pl,
               hwloc_const_bitmap_t reserved, hwloc_const_bitmap_t isolated,
               const run_report *rr, const rr_domain *const *rds);

#endif
