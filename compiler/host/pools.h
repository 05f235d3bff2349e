/*
 * pools.h - which host CPUs are the host's own (housekeeping) and so are
 * never given to vCPUs.
 */
#ifndef VT_POOLS_H
#define VT_POOLS_H

#include "host.h"

/* The CPUs reserved for the host, never given to vCPUs (caller frees):
 * RESERVED when the policy names them; else the snapshot's reserved CPUs;
 * else, when the host isolates CPUs
 * (isolcpus, nohz_full), every online CPU that is not isolated; else the
 * first core (with its SMT siblings) of each node that has CPUs. */
hwloc_bitmap_t pools_housekeeping(const vt_host *h,
                                  hwloc_const_bitmap_t reserved);

#endif
