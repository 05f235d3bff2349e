/*
 * page_pools.c - the host's page pools (see page_pools.h): whether they
 * are known, the base page, the default hugepage size; a node's pool of
 * one size; a <page>'s size and whether it is a hugepage. Page sizes are
 * in KiB; the base page is ordinary memory for libvirt.
 */
#include "page_pools.h"

#define MAX_BASE_PAGE_KIB 64    /* the largest base page of any Linux
                                   architecture (arm64, ppc64: 64 KiB) */

pools page_pools_of(const vt_host *h)
{
    pools pl = {0, 0, 0};
    unsigned long long least = 0;
    for (int i = 0; i < h->nnodes; i++) {
        const vt_host_node *n = &h->nodes[i];
        for (int k = 0; k < n->npages; k++) {
            pl.known = 1;
            if (!least || n->pages[k].size_kib < least)
                least = n->pages[k].size_kib;
        }
    }
    if (least && least <= MAX_BASE_PAGE_KIB)
        pl.base = least;
    int several = 0;
    for (int i = 0; i < h->nnodes; i++) {
        const vt_host_node *n = &h->nodes[i];
        for (int k = 0; k < n->npages; k++) {
            unsigned long long sz = n->pages[k].size_kib;
            if (sz == pl.base || sz == pl.dflt)
                continue;
            several |= pl.dflt != 0;
            pl.dflt = sz;
        }
    }
    if (several)
        pl.dflt = 0;
    return pl;
}

/* Node N's pool of SIZE KiB pages, or NULL. */
const vt_host_pages *node_pool(const vt_host_node *n, unsigned long long size)
{
    for (int k = 0; k < n->npages; k++)
        if (n->pages[k].size_kib == size)
            return &n->pages[k];
    return NULL;
}

/* Has node N a pool for pages of SIZE KiB (0: any hugepage pool, as the
 * host's default hugepage size is)? */
int node_has(const vt_host_node *n, unsigned long long size,
             const pools *pl)
{
    if (size)
        return node_pool(n, size) != NULL;
    for (int k = 0; k < n->npages; k++)
        if (n->pages[k].size_kib != pl->base)
            return 1;
    return 0;
}

/* The size of P's pages in KiB; 0 when it is the host's default and that
 * is unknown. */
unsigned long long page_size(const page *p, const pools *pl)
{
    return p->kib ? p->kib : pl->dflt;
}

/* Do P's pages back memory with hugepages? libvirt uses ordinary memory
 * for a <page> of the base page size. */
int page_is_huge(const page *p, const pools *pl)
{
    return !p->kib || p->kib != pl->base;
}
