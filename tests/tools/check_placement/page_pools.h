/*
 * page_pools.h - what the host model says about its page pools, and what
 * a <page> of the domain means against them (memory backing and the
 * run's hugepage budget).
 */
#ifndef CKP_PAGE_POOLS_H
#define CKP_PAGE_POOLS_H

#include "domain.h"

#include "host.h"

/* What the host model says about its page pools. */
typedef struct pools {
    int known;                  /* some node lists a pool */
    unsigned long long base;    /* base page size in KiB: the smallest
                                   pool when at most 64 KiB; 0 unknown */
    unsigned long long dflt;    /* the host's only hugepage size (then
                                   necessarily its default); 0 when it
                                   has none or several */
} pools;

/* The page pools of host H. */
pools page_pools_of(const vt_host *h);

/* Node N's pool of SIZE KiB pages, or NULL. */
const vt_host_pages *node_pool(const vt_host_node *n, unsigned long long size);

/* Has node N a pool for pages of SIZE KiB (0: any hugepage pool)? */
int node_has(const vt_host_node *n, unsigned long long size,
             const pools *pl);

/* The size of P's pages in KiB; 0 when it is the host's default and that
 * is unknown. */
unsigned long long page_size(const page *p, const pools *pl);

/* Do P's pages back memory with hugepages (not the base page size)? */
int page_is_huge(const page *p, const pools *pl);

#endif
