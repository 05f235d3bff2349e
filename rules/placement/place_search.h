/*
 * place_search.h - private to rules/placement/: the node-set search and the
 * proportional split of plan.c, pure functions of their inputs, so that
 * tests/unit/test_placement.c tries them on small hosts directly.
 */
#ifndef VT_PLACE_SEARCH_H
#define VT_PLACE_SEARCH_H

#include "rule.h"

/* A host node placement may use, as the search sees it. */
typedef struct vt_place_cand {
    int id;                 /* OS id of the host node */
    int cap;                /* vCPUs it can take */
    long long mem_free;     /* KiB free in the page size being tried;
                               LLONG_MAX when unknown (not a limit) */
} vt_place_cand;

/* What the domain needs, and the candidates. */
typedef struct vt_place_search {
    int nn;
    const vt_place_cand *nodes;
    const int *dm;          /* nn x nn distances between the candidates,
                               0 when unknown */
    int vcpus;
    unsigned long long mem; /* KiB */
    hwloc_const_bitmap_t must;    /* node ids the set must include (devices
                                     with affinity required), or NULL */
    hwloc_const_bitmap_t prefer;  /* node ids of the domain's devices, or
                                     NULL */
    int pack;               /* ties: 1 the best fit (pinned vCPUs, fewest
                               usable CPUs left); 0 the most free memory
                               (floating vCPUs, spread) */
} vt_place_search;

/* The fewest candidates that together hold the vCPUs and the memory and
 * include MUST: among sets of that size, the most nodes in PREFER, then
 * the smallest sum of pairwise distances, then the most memory free on
 * the nodes with CPUs (up to the domain's), then the PACK tie-break, then
 * the lowest node ids. Sets are enumerated exactly while a size has at
 * most 4096 of them; beyond that, grown greedily from every seed (the
 * nearest node next). BEST (S->nn entries) gets the candidate indexes of
 * the set, ascending. Returns its size, 0 when no set holds the domain. */
int place_search(const vt_place_search *s, int *best);

/* Splits TOTAL units over N parts proportionally to WEIGHT, none above
 * LIMIT; largest remainders first, ties to the lower index. Returns 0, or
 * -1 when the limits cannot hold TOTAL. */
int place_split(long long total, int n, const long long *weight,
                const long long *limit, long long *out);

#endif
