/*
 * reserved.h - the host's CPU pools as the checks see them: the CPUs
 * reserved for the host, where no vCPU is pinned 1:1 (floating vCPUs may
 * run there), and the isolated CPUs, where no vCPU floats.
 */
#ifndef CKP_RESERVED_H
#define CKP_RESERVED_H

#include "host.h"

/* --reserved OPT, else what the host model says; NULL after a message
 * (bad option). */
hwloc_bitmap_t reserved_cpus(const vt_host *h, const char *opt);

/* The online CPUs isolcpus= or nohz_full= name, less RESERVED: the
 * kernel does not balance tasks over them. A new set. */
hwloc_bitmap_t isolated_cpus(const vt_host *h, hwloc_const_bitmap_t reserved);

#endif
