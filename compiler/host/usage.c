/*
 * usage.c - what domains already take from the host (see usage.h), read
 * from their XML with libxml2 XPath.
 */
#include "usage.h"
#include "alloc.h"
#include "pciaddr.h"
#include "units.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

vt_usage *usage_new(const vt_host *h)
{
    vt_usage *u = xcalloc(1, sizeof *u);
    u->cpus = hwloc_bitmap_alloc();
    u->floating = hwloc_bitmap_alloc();
    u->mem_kib = xcalloc((size_t)h->nnodes, sizeof *u->mem_kib);
    u->running_mem_kib = xcalloc((size_t)h->nnodes, sizeof *u->running_mem_kib);
    u->held_mem_kib = xcalloc((size_t)h->nnodes, sizeof *u->held_mem_kib);
    u->nnodes = h->nnodes;
    for (int n = 0; n < h->nnodes; n++)
        if (h->nodes[n].npages + 1 > u->pool_stride)
            u->pool_stride = h->nodes[n].npages + 1;
    u->pages = xcalloc((size_t)h->nnodes, sizeof *u->pages);
    u->running_pages = xcalloc((size_t)h->nnodes, sizeof *u->running_pages);
    u->held_pages = xcalloc((size_t)h->nnodes, sizeof *u->held_pages);
    for (int n = 0; n < h->nnodes; n++) {
        u->pages[n] = xcalloc((size_t)h->nodes[n].npages + 1,
                              sizeof **u->pages);
        u->running_pages[n] = xcalloc((size_t)h->nodes[n].npages + 1,
                                      sizeof **u->running_pages);
        u->held_pages[n] = xcalloc((size_t)h->nodes[n].npages + 1,
                                   sizeof **u->held_pages);
    }
    return u;
}

void usage_free(vt_usage *u)
{
    if (!u)
        return;
    hwloc_bitmap_free(u->cpus);
    hwloc_bitmap_free(u->floating);
    free(u->mem_kib);
    free(u->running_mem_kib);
    free(u->held_mem_kib);
    for (int n = 0; n < u->nnodes; n++) {
        free(u->pages[n]);
        free(u->running_pages[n]);
        free(u->held_pages[n]);
    }
    free(u->pages);
    free(u->running_pages);
    free(u->held_pages);
    for (int i = 0; i < u->npci; i++)
        free(u->pci[i]);
    for (int i = 0; i < 4; i++)
        free(u->unconfined[i]);
    for (int i = 0; i < u->ndomains; i++) {
        free(u->domains[i].name);
        hwloc_bitmap_free(u->domains[i].cpus);
        hwloc_bitmap_free(u->domains[i].floating);
        free(u->domains[i].pages);
    }
    free(u->domains);
    free(u->pci);
    free(u);
}

/* All nodes matching XPATH under DOC's root, as an XPath object (caller
 * frees) or NULL. */
static xmlXPathObjectPtr select_nodes(xmlXPathContextPtr x, const char *xp)
{
    xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST xp, x);
    if (r && (!r->nodesetval || r->nodesetval->nodeNr == 0)) {
        xmlXPathFreeObject(r);
        return NULL;
    }
    return r;
}

static char *attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    char *r = v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return r;
}

/* The whole cores of the CPUs of SET, added to OUT. */
static void add_cores(const vt_host *h, hwloc_const_bitmap_t set,
                      hwloc_bitmap_t out)
{
    int cpu;
    hwloc_bitmap_foreach_begin(cpu, set) {
        const vt_host_cpu *c = host_cpu_by_id(h, cpu);
        if (c && c->core >= 0)
            hwloc_bitmap_or(out, out, h->cores[c->core]);
        else
            hwloc_bitmap_set(out, (unsigned)cpu);
    } hwloc_bitmap_foreach_end();
}

/* 1 when SET lies within one host core. */
static int one_core(const vt_host *h, hwloc_const_bitmap_t set)
{
    const vt_host_cpu *c = host_cpu_by_id(h, hwloc_bitmap_first(set));
    if (!c || c->core < 0)
        return hwloc_bitmap_weight(set) == 1;
    return hwloc_bitmap_isincluded(set, h->cores[c->core]);
}

/* The cpuset attributes of the elements XP matches: 1:1 vCPU pins (VCPU
 * 1) are dedicated with their whole cores, wider vCPU pins floating;
 * VCPU -1 (<vcpu cpuset>): floating; other pins (emulator, iothreads,
 * VCPU 0) without the CPUs of SKIP are dedicated when they are one core,
 * else floating. */
static void add_pins(vt_usage_domain *u, xmlXPathContextPtr x,
                     const char *xp, const vt_host *h, int vcpu,
                     hwloc_const_bitmap_t skip)
{
    xmlXPathObjectPtr r = select_nodes(x, xp);
    for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
        char *v = attr(r->nodesetval->nodeTab[i], "cpuset");
        hwloc_bitmap_t set = v ? cpulist_parse(v, CPULIST_LIBVIRT) : NULL;
        free(v);
        if (set && skip)
            hwloc_bitmap_andnot(set, set, skip);
        if (!set || hwloc_bitmap_iszero(set)) {
            hwloc_bitmap_free(set);
            continue;
        }
        if (vcpu < 0)
            hwloc_bitmap_or(u->floating, u->floating, set);
        else if (vcpu ? hwloc_bitmap_weight(set) == 1 : one_core(h, set))
            add_cores(h, set, u->cpus);
        else
            hwloc_bitmap_or(u->floating, u->floating, set);
        hwloc_bitmap_free(set);
    }
    xmlXPathFreeObject(r);
}

static unsigned long long node_memory(xmlNodePtr n, const char *value_attr)
{
    char *v = value_attr ? attr(n, value_attr) : NULL;
    xmlChar *t = value_attr ? NULL : xmlNodeGetContent(n);
    char *unit = attr(n, "unit");
    unsigned long long kib = 0;
    if (units_kib(v ? v : t ? (const char *)t : "", unit, &kib) < 0)
        kib = 0;
    free(v);
    xmlFree(t);
    free(unit);
    return kib;
}

/* KiB of guest cell CELL (id CID): its memory and the DIMMs plugged into
 * it at start (<memory model='dimm'><target><node>). */
static unsigned long long cell_memory(xmlXPathContextPtr x, xmlNodePtr cell,
                                      int cid)
{
    unsigned long long kib = node_memory(cell, "memory");
    char *xp = xasprintf("/domain/devices/memory[@model='dimm']/target"
                         "[number(node)=%d]/size", cid);
    xmlXPathObjectPtr d = select_nodes(x, xp);
    for (int i = 0; d && i < d->nodesetval->nodeNr; i++)
        kib += node_memory(d->nodesetval->nodeTab[i], NULL);
    xmlXPathFreeObject(d);
    free(xp);
    return kib;
}

/* Memory of the domain per host node, from <numatune>: memnodes of cells
 * bound to one node, else a one-node strict <memory nodeset>. */
static void add_memory(vt_usage *u, const vt_host *h, xmlXPathContextPtr x)
{
    xmlXPathObjectPtr cells = select_nodes(x, "/domain/cpu/numa/cell");
    int placed_cells = 0;
    for (int i = 0; cells && i < cells->nodesetval->nodeNr; i++) {
        xmlNodePtr cell = cells->nodesetval->nodeTab[i];
        char *id = attr(cell, "id");
        char *xp = xasprintf("/domain/numatune/memnode[@cellid='%s']",
                             id ? id : "");
        xmlXPathObjectPtr mn = select_nodes(x, xp);
        unsigned long long kib = cell_memory(x, cell, id ? atoi(id) : i);
        if (mn && kib) {
            char *ns = attr(mn->nodesetval->nodeTab[0], "nodeset");
            hwloc_bitmap_t nodes = ns ? cpulist_parse(ns, CPULIST_LIBVIRT) : NULL;
            if (nodes && hwloc_bitmap_weight(nodes) == 1) {
                int k = host_node_index(h, hwloc_bitmap_first(nodes));
                if (k >= 0) {
                    u->mem_kib[k] += (long long)kib;
                    if (u->adding_running)
                        u->running_mem_kib[k] += (long long)kib;
                    placed_cells++;
                }
            }
            hwloc_bitmap_free(nodes);
            free(ns);
        }
        xmlXPathFreeObject(mn);
        free(xp);
        free(id);
    }
    xmlXPathFreeObject(cells);
    if (placed_cells)
        return;
    xmlXPathObjectPtr m = select_nodes(x, "/domain/numatune/memory[@nodeset]");
    xmlXPathObjectPtr mem = select_nodes(x, "/domain/memory");
    if (m && mem) {
        char *ns = attr(m->nodesetval->nodeTab[0], "nodeset");
        hwloc_bitmap_t nodes = ns ? cpulist_parse(ns, CPULIST_LIBVIRT) : NULL;
        xmlChar *t = xmlNodeGetContent(mem->nodesetval->nodeTab[0]);
        char *unit = attr(mem->nodesetval->nodeTab[0], "unit");
        unsigned long long kib;
        /* split evenly over the nodeset's nodes the host has */
        int n = 0, id;
        if (nodes)
            hwloc_bitmap_foreach_begin(id, nodes) {
                n += host_node_index(h, id) >= 0;
            } hwloc_bitmap_foreach_end();
        if (n > 0 && t && units_kib((const char *)t, unit, &kib) == 0) {
            hwloc_bitmap_foreach_begin(id, nodes) {
                int k = host_node_index(h, id);
                if (k >= 0) {
                    u->mem_kib[k] += (long long)(kib / (unsigned)n);
                    if (u->adding_running)
                        u->running_mem_kib[k] += (long long)(kib / (unsigned)n);
                }
            } hwloc_bitmap_foreach_end();
        }
        xmlFree(t);
        free(unit);
        free(ns);
        hwloc_bitmap_free(nodes);
    }
    xmlXPathFreeObject(m);
    xmlXPathFreeObject(mem);
}

static int pool_index(const vt_host *h, int n, unsigned long long size_kib)
{
    for (int i = 0; i < h->nodes[n].npages; i++)
        if (h->nodes[n].pages[i].size_kib == size_kib)
            return i;
    return -1;
}

long long usage_pages_left(const vt_usage *u, const vt_host *h, int n,
                           unsigned long long size_kib, int *assumed)
{
    int i = pool_index(h, n, size_kib);
    if (i < 0)
        return 0;
    const vt_host_pages *pg = &h->nodes[n].pages[i];
    long long have = pg->free;
    if (have < 0) {
        have = pg->total < 0 ? 0 : pg->total;
        if (assumed && pg->total >= 0)
            *assumed = 1;
    }
    have -= u->pages[n][i];
    /* a running domain's pages are not in a measured free count; those of
     * a running domain the run tunes are its own again at its restart */
    if (pg->free < 0)
        have -= u->running_pages[n][i];
    else
        have += u->held_pages[n][i];
    return have;
}

long long usage_pages_free(const vt_usage *u, const vt_host *h, int n,
                           unsigned long long size_kib, int *assumed)
{
    long long have = usage_pages_left(u, h, n, size_kib, assumed);
    return have < 0 ? 0 : have;
}

long long usage_pages_held(const vt_usage *u, const vt_host *h, int n,
                           unsigned long long size_kib)
{
    int i = n >= 0 && n < h->nnodes ? pool_index(h, n, size_kib) : -1;
    return i < 0 || h->nodes[n].pages[i].free < 0 ? 0 : u->held_pages[n][i];
}

long long usage_pages_taken(const vt_usage *u, const vt_host *h, int n,
                            unsigned long long size_kib)
{
    int i = n >= 0 && n < h->nnodes ? pool_index(h, n, size_kib) : -1;
    return i < 0 ? 0 : u->pages[n][i] + u->running_pages[n][i];
}

static void claim_pages(vt_usage *u, const vt_host *h, int node_id,
                        unsigned long long size_kib, long long count)
{
    int n = host_node_index(h, node_id);
    int i = n >= 0 ? pool_index(h, n, size_kib) : -1;
    if (i < 0)
        return;
    (u->adding_running ? u->running_pages : u->pages)[n][i] += count;
    /* the domain being added (usage_add_domain) has its record already */
    u->domains[u->ndomains].pages[n * u->pool_stride + i] += count;
}

long long usage_domain_pages(const vt_usage *u, int self, const vt_host *h,
                             int n, unsigned long long size_kib)
{
    int i = n >= 0 && n < h->nnodes ? pool_index(h, n, size_kib) : -1;
    if (i < 0 || self < 0 || self >= u->ndomains)
        return 0;
    return u->domains[self].pages[n * u->pool_stride + i];
}

/* Hugepages bound to no one node (no <numatune>, or a nodeset of
 * several nodes without cells): the kernel takes them from whichever
 * pools have them, so the usage claims them where most are free (among
 * NODES, NULL: every node), that the pools' total stays right. */
/* Room for a spread claim in pool I of host node index N, in PHASE 0:
 * what the claim may take there first (a running domain's pages, or a
 * held one's, came from the pools that lack pages now: the most used
 * first; any other's from the freest); in PHASE 1, once those are
 * spent: the pool's size less what is claimed there. */
static long long spread_room(const vt_usage *u, const vt_host *h, int n,
                             int i, int phase)
{
    const vt_host_pages *pg = &h->nodes[n].pages[i];
    long long claimed = u->pages[n][i] + u->running_pages[n][i];
    if (phase == 1)
        return (pg->total >= 0 ? pg->total : 0) - claimed;
    if ((u->spread_used || u->adding_running) && pg->free >= 0)
        return (pg->total >= 0 ? pg->total - pg->free : 0) - claimed;
    return usage_pages_free(u, h, n, pg->size_kib, NULL);
}

static void claim_spread(vt_usage *u, const vt_host *h,
                         hwloc_const_bitmap_t nodes,
                         unsigned long long size_kib, long long count)
{
    int phase = 0;
    while (count > 0) {
        int best = -1;
        long long most = 0;
        for (int n = 0; n < h->nnodes; n++) {
            if (nodes && !hwloc_bitmap_isset(nodes, (unsigned)h->nodes[n].id))
                continue;
            int i = pool_index(h, n, size_kib);
            if (i < 0)
                continue;
            long long f = spread_room(u, h, n, i, phase);
            if (best < 0 || f > most) {
                best = n;
                most = f;
            }
        }
        if (best < 0)
            return;         /* no such pool: nothing to claim */
        if (most <= 0 && phase == 0) {
            phase = 1;      /* the first choice is spent */
            continue;
        }
        if (most <= 0) {
            /* no pool has them: not put on one node's account (it would
             * read as that node's shortage), but the domain's */
            vt_usage_domain *d = &u->domains[u->ndomains];
            d->overflow += count;
            d->overflow_kib = size_kib;
            return;
        }
        long long take = most > 0 && most < count ? most : count;
        claim_pages(u, h, h->nodes[best].id, size_kib, take);
        count -= take;
    }
}

/* The host nodes of the nodeset attribute of the first element matched
 * by XP (caller frees), or NULL. */
static hwloc_bitmap_t nodes_of(xmlXPathContextPtr x, const char *xp)
{
    xmlXPathObjectPtr r = select_nodes(x, xp);
    hwloc_bitmap_t set = NULL;
    if (r) {
        char *ns = attr(r->nodesetval->nodeTab[0], "nodeset");
        set = ns ? cpulist_parse(ns, CPULIST_LIBVIRT) : NULL;
        free(ns);
    }
    xmlXPathFreeObject(r);
    return set;
}

/* The single host node of the nodeset attribute of the first element
 * matched by XP, or -1. */
static int single_node_of(xmlXPathContextPtr x, const char *xp)
{
    xmlXPathObjectPtr r = select_nodes(x, xp);
    int node = -1;
    if (r) {
        char *ns = attr(r->nodesetval->nodeTab[0], "nodeset");
        hwloc_bitmap_t set = ns ? cpulist_parse(ns, CPULIST_LIBVIRT) : NULL;
        if (set && hwloc_bitmap_weight(set) == 1)
            node = hwloc_bitmap_first(set);
        hwloc_bitmap_free(set);
        free(ns);
    }
    xmlXPathFreeObject(r);
    return node;
}

/* Claims pages of SIZE for the cells WHICH names (NULL: all), or for the
 * whole memory of a domain without cells: a cell's pages on its
 * memnode's host node, a domain without cells on its one-node <numatune>
 * nodeset. */
static void claim_for(vt_usage *u, const vt_host *h, xmlXPathContextPtr x,
                      xmlXPathObjectPtr cells, unsigned long long size,
                      hwloc_const_bitmap_t which)
{
    if (!cells) {
        unsigned long long mem = 0;
        xmlXPathObjectPtr m = select_nodes(x, "/domain/memory");
        if (m)
            mem = node_memory(m->nodesetval->nodeTab[0], NULL);
        xmlXPathFreeObject(m);
        int node = single_node_of(x, "/domain/numatune/memory");
        long long count = (long long)((mem + size - 1) / size);
        if (node >= 0) {
            claim_pages(u, h, node, size, count);
        } else {
            hwloc_bitmap_t ns = nodes_of(x, "/domain/numatune/memory");
            claim_spread(u, h, ns, size, count);
            hwloc_bitmap_free(ns);
        }
        return;
    }
    for (int c = 0; c < cells->nodesetval->nodeNr; c++) {
        xmlNodePtr cell = cells->nodesetval->nodeTab[c];
        char *id = attr(cell, "id");
        int cid = id ? atoi(id) : c;
        free(id);
        if (which && !hwloc_bitmap_isset(which, (unsigned)cid))
            continue;
        char *xp = xasprintf("/domain/numatune/memnode[@cellid='%d']", cid);
        int node = single_node_of(x, xp);
        unsigned long long mem = cell_memory(x, cell, cid);
        long long count = (long long)((mem + size - 1) / size);
        if (node >= 0) {
            claim_pages(u, h, node, size, count);
        } else {
            /* the cell's memnode, else the domain's nodeset */
            hwloc_bitmap_t ns = nodes_of(x, xp);
            if (!ns)
                ns = nodes_of(x, "/domain/numatune/memory");
            claim_spread(u, h, ns, size, count);
            hwloc_bitmap_free(ns);
        }
        free(xp);
    }
}

/* Hugepages: <page size nodeset> covers guest cells (by id), or all the
 * memory when it has no nodeset; a bare <hugepages/> takes the host's
 * default hugepage size (its smallest). */
static void add_pages(vt_usage *u, const vt_host *h, xmlXPathContextPtr x)
{
    xmlXPathObjectPtr pages = select_nodes(x,
        "/domain/memoryBacking/hugepages/page[@size]");
    xmlXPathObjectPtr cells = select_nodes(x, "/domain/cpu/numa/cell");
    if (!pages) {
        uint64_t sizes[8];
        int n = host_huge_sizes(h, sizes, 8, NULL);
        if (n)
            claim_for(u, h, x, cells, sizes[n - 1], NULL);
    }
    for (int i = 0; pages && i < pages->nodesetval->nodeNr; i++) {
        xmlNodePtr pg = pages->nodesetval->nodeTab[i];
        unsigned long long size = node_memory(pg, "size");
        char *ns = attr(pg, "nodeset");
        hwloc_bitmap_t which = ns ? cpulist_parse(ns, CPULIST_LIBVIRT) : NULL;
        free(ns);
        if (size)
            claim_for(u, h, x, cells, size, which);
        hwloc_bitmap_free(which);
    }
    xmlXPathFreeObject(pages);
    xmlXPathFreeObject(cells);
}

int usage_pci_used(const vt_usage *u, const char *addr)
{
    for (int i = 0; i < u->npci; i++)
        if (strcmp(u->pci[i], addr) == 0)
            return 1;
    return 0;
}

static void add_pci(vt_usage *u, xmlXPathContextPtr x)
{
    xmlXPathObjectPtr r = select_nodes(x, "/domain/devices/*");
    for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
        char addr[16];
        if (pciaddr_assigned(r->nodesetval->nodeTab[i], addr) < 0 ||
            usage_pci_used(u, addr))
            continue;
        u->pci = xrealloc(u->pci, (size_t)(u->npci + 1) * sizeof *u->pci);
        u->pci[u->npci++] = xstrdup(addr);
    }
    xmlXPathFreeObject(r);
}

/* vCPUs with neither a <vcpupin> nor <vcpu cpuset> float over every CPU
 * the kernel balances over (online, not isolated): without those libvirt
 * gives the QEMU threads every online CPU (qemuProcessGetAllCpuAffinity);
 * a strict <numatune> sets only the memory nodes (cpuset.mems). */
static void add_unconfined(vt_usage *u, vt_usage_domain *d,
                           xmlXPathContextPtr x, const vt_pools *p)
{
    xmlXPathObjectPtr v = select_nodes(x, "/domain/vcpu");
    char *cs = v ? attr(v->nodesetval->nodeTab[0], "cpuset") : NULL;
    xmlChar *t = v ? xmlNodeGetContent(v->nodesetval->nodeTab[0]) : NULL;
    unsigned long long n = 1;       /* libvirt's default */
    if (t && units_count((const char *)t, &n) < 0)
        n = 0;
    xmlFree(t);
    xmlXPathFreeObject(v);
    if (cs) {
        free(cs);
        return;                     /* add_pins counted <vcpu cpuset> */
    }
    xmlXPathObjectPtr pins = select_nodes(x, "/domain/cputune/vcpupin");
    unsigned long long pinned = pins ? (unsigned)pins->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(pins);
    if (pinned >= n)
        return;
    hwloc_bitmap_t set = hwloc_bitmap_dup(p->online);
    hwloc_bitmap_andnot(set, set, p->isolated);
    hwloc_bitmap_or(d->floating, d->floating, set);
    hwloc_bitmap_free(set);
    d->unconfined = 1;
    if (u->nunconfined < 4)
        u->unconfined[u->nunconfined] = xstrdup(d->name);
    u->nunconfined++;
}

/* The domain's <name>, or "(unnamed)". */
static char *domain_name(xmlXPathContextPtr x)
{
    xmlXPathObjectPtr nm = select_nodes(x, "/domain/name");
    xmlChar *name = nm ? xmlNodeGetContent(nm->nodesetval->nodeTab[0]) : NULL;
    char *r = xstrdup(name && *name ? (const char *)name : "(unnamed)");
    xmlFree(name);
    xmlXPathFreeObject(nm);
    return r;
}

int usage_others(const vt_usage *u, int self, hwloc_bitmap_t ded,
                 hwloc_bitmap_t flt)
{
    int unconfined = 0;
    for (int i = 0; i < u->ndomains; i++) {
        if (i == self)
            continue;
        if (ded)
            hwloc_bitmap_or(ded, ded, u->domains[i].cpus);
        if (flt)
            hwloc_bitmap_or(flt, flt, u->domains[i].floating);
        unconfined += u->domains[i].unconfined;
    }
    return unconfined;
}

int usage_who(const vt_usage *u, int self, hwloc_const_bitmap_t set,
              int floating, char *buf, size_t n)
{
    int found = 0;
    size_t at = 0;
    if (n)
        buf[0] = '\0';
    for (int i = 0; i < u->ndomains; i++) {
        const vt_usage_domain *d = &u->domains[i];
        if (i == self ||
            !hwloc_bitmap_intersects(floating ? d->floating : d->cpus, set))
            continue;
        if (found < 4 && at < n)
            at += (size_t)snprintf(buf + at, n - at, "%s'%s'",
                                   found ? ", " : "", d->name);
        found++;
    }
    if (found > 4 && at < n)
        snprintf(buf + at, n - at, " and %d more", found - 4);
    return found;
}

/* KiB U binds to host nodes: ordinary memory and hugepages. */
static long long bound_kib(const vt_usage *u, const vt_host *h)
{
    long long sum = 0;
    for (int n = 0; n < h->nnodes; n++) {
        sum += u->mem_kib[n];
        for (int i = 0; i < h->nodes[n].npages; i++)
            sum += (u->pages[n][i] + u->running_pages[n][i])
                   * (long long)h->nodes[n].pages[i].size_kib;
    }
    return sum;
}

int usage_add_running_domain(vt_usage *u, const vt_host *h, xmlDocPtr doc,
                             const vt_pools *p)
{
    u->adding_running = 1;
    int i = usage_add_domain(u, h, doc, p);
    u->adding_running = 0;
    return i;
}

void usage_add_held(vt_usage *u, const vt_host *h, xmlDocPtr doc,
                    const vt_pools *p)
{
    vt_usage *t = usage_new(h);
    t->spread_used = 1;
    usage_add_domain(t, h, doc, p);
    for (int n = 0; n < h->nnodes; n++) {
        u->held_mem_kib[n] += t->mem_kib[n];
        for (int i = 0; i < h->nodes[n].npages; i++)
            u->held_pages[n][i] += t->pages[n][i];
    }
    /* ordinary memory bound to no node: it is missing from the measured
     * free memory of the nodes that use the most */
    uint64_t base = host_base_page(h);
    long long left = t->unbound_kib;
    while (left > 0) {
        int best = -1;
        long long most = 0;
        for (int n = 0; n < h->nnodes; n++) {
            const vt_host_node *hn = &h->nodes[n];
            int b = pool_index(h, n, base);
            const vt_host_pages *bp = b >= 0 ? &hn->pages[b] : NULL;
            if (!bp || bp->free < 0 || hn->mem_kib < 0)
                continue;
            long long used = hn->mem_kib - host_node_pools_kib(h, n)
                             - bp->free * (long long)base - u->held_mem_kib[n];
            if (used > most) {
                best = n;
                most = used;
            }
        }
        if (best < 0)
            break;
        long long take = most < left ? most : left;
        u->held_mem_kib[best] += take;
        left -= take;
    }
    usage_free(t);
}

void usage_add_held_xml(vt_usage *u, const vt_host *h, const char *xml,
                        const char *name, const vt_pools *p)
{
    xmlDocPtr doc = xml ? xmlReadMemory(xml, (int)strlen(xml), name, NULL,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                                        XML_PARSE_NOWARNING) : NULL;
    if (doc)
        usage_add_held(u, h, doc, p);
    xmlFreeDoc(doc);
}

int usage_add_domain(vt_usage *u, const vt_host *h, xmlDocPtr doc,
                     const vt_pools *p)
{
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    if (!x)
        return -1;
    u->domains = xrealloc(u->domains, (size_t)(u->ndomains + 1)
                                      * sizeof *u->domains);
    vt_usage_domain *d = &u->domains[u->ndomains];
    *d = (vt_usage_domain){domain_name(x), hwloc_bitmap_alloc(),
                           hwloc_bitmap_alloc(), 0,
                           xcalloc((size_t)u->nnodes * (size_t)u->pool_stride
                                   + 1, sizeof *d->pages), 0, 0};
    add_pins(d, x, "/domain/cputune/vcpupin", h, 1, NULL);
    /* <vcpu cpuset> is where vCPUs without a pin (and, by default, the
     * emulator) float, even when it is one CPU */
    add_pins(d, x, "/domain/vcpu", h, -1, NULL);
    add_unconfined(u, d, x, p);
    add_pins(d, x, "/domain/cputune/emulatorpin | /domain/cputune/iothreadpin",
             h, 0, p->housekeeping);
    hwloc_bitmap_or(u->cpus, u->cpus, d->cpus);
    hwloc_bitmap_or(u->floating, u->floating, d->floating);
    /* hugepage-backed memory comes from the pools, not the node's
     * ordinary memory */
    long long before = bound_kib(u, h);
    xmlXPathObjectPtr hp = select_nodes(x, "/domain/memoryBacking/hugepages");
    if (hp)
        add_pages(u, h, x);
    else
        add_memory(u, h, x);
    xmlXPathFreeObject(hp);
    xmlXPathObjectPtr mem = select_nodes(x, "/domain/memory");
    long long total = mem ? (long long)node_memory(mem->nodesetval->nodeTab[0],
                                                   NULL) : 0;
    xmlXPathFreeObject(mem);
    long long bound = bound_kib(u, h) - before;
    if (total > bound)
        u->unbound_kib += total - bound;
    add_pci(u, x);
    xmlXPathFreeContext(x);
    return u->ndomains++;
}
