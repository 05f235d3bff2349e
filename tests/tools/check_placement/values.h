/*
 * values.h - the values of a domain's XML as libvirt reads them:
 * numbers, cpusets / nodesets, memory sizes in units.
 */
#ifndef CKP_VALUES_H
#define CKP_VALUES_H

#include <hwloc.h>

#define MAX_VCPUS 16384         /* above any hypervisor's limit */
#define MAX_ID 65535            /* cpuset / nodeset / cell / iothread ids */

/* A non-negative decimal integer (surrounding blanks allowed); 0 or -1. */
int parse_ull(const char *s, unsigned long long *out);

/* As parse_ull, limited to 0..MAX. */
int parse_id(const char *s, long max, long *out);

/* A libvirt cpuset / nodeset as a new set, or NULL on a syntax error. */
hwloc_bitmap_t parse_set(const char *s);

/* VALUE in UNIT, in KiB rounded up as libvirt stores memory; 0 or -1. */
int parse_kib(const char *value, const char *unit, unsigned long long *kib);

/* Are A and B both present and equal? */
int streq(const char *a, const char *b);

#endif
