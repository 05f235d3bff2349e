/*
 * reserved.h - the host CPUs reserved for the host, which no vCPU may
 * use.
 */
#ifndef CKP_RESERVED_H
#define CKP_RESERVED_H

#include "host.h"

/* --reserved OPT, else what the host model says; NULL after a message
 * (bad option). */
hwloc_bitmap_t reserved_cpus(const vt_host *h, const char *opt);

#endif
