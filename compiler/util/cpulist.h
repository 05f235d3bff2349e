/*
 * cpulist.h - CPU and node lists ("0-3,8,10-11") to hwloc bitmaps and
 * back: the one parser of the tool, with the two grammars it meets.
 */
#ifndef VT_CPULIST_H
#define VT_CPULIST_H

#include <hwloc.h>

/* The largest CPU or node id a list may name (bounds memory use). */
#define VT_CPULIST_MAX 65535

enum cpulist_syntax {
    /* the kernel's and the snapshot's lists (isolcpus, sysfs, JSON):
     * ids and ranges low-high separated by commas, blanks only around
     * the whole list; "" is the empty set */
    CPULIST_STRICT,
    /* libvirt's cpuset and nodeset attributes: also "^N" to exclude an
     * id, blanks around each item and empty items; "" names nothing and
     * is not a list */
    CPULIST_LIBVIRT,
};

/* Parses S; returns a new bitmap owned by the caller (hwloc_bitmap_free),
 * or NULL when S is not a list of that syntax. */
hwloc_bitmap_t cpulist_parse(const char *s, enum cpulist_syntax syntax);

/* Formats SET as a list ("0-3,8"; "" when empty), owned by the caller. */
char *cpulist_format(hwloc_const_bitmap_t set);

#endif
