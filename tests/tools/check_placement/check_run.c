/*
 * check_run.c - the invariants of all domains of one run together.
 *
 * All domains of one run share the host: a host CPU serves at most one
 * vCPU of one domain, and node memory and free hugepages are budgets for
 * the run:
 *   cross-domain-overlap  no CPU a vCPU of one domain owns (1:1 pin) runs
 *                         a vCPU of another (vCPUs without a pin nor <vcpu
 *                         cpuset> run on every CPU not isolated: libvirt
 *                         gives QEMU every online CPU; with --report, not
 *                         for a domain left as written because it does
 *                         not fit)
 *   core-shared           nor runs on an SMT sibling of it: a domain
 *                         pinned 1:1 owns whole cores (not checked between
 *                         two domains that both place themselves)
 *   exclusive-overlap     emulator/iothread CPUs that are not reserved
 *                         belong to their domain alone: no other domain's
 *                         emulator/iothread pins and no vCPU pins of any
 *                         domain there
 *   node-memory           the memory the domains pin to one host node fits
 *                         its memory: per cell with a single-node memnode
 *                         (or, without a memnode, a strict single-node
 *                         <numatune><memory>); without cells, all of
 *                         <memory> under a strict single-node
 *                         <numatune><memory>
 *   hugepages-budget      per host node and page size, the hugepages the
 *                         run needs fit the pool, with what the report's
 *                         host commands add to it (check_backing.c lists
 *                         it with the memory backing invariants)
 */
#include "checks.h"
#include "page_pools.h"
#include "report.h"

#include "alloc.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

static void report_shared(const domain *a, const domain *b,
                          hwloc_const_bitmap_t x, hwloc_const_bitmap_t y,
                          const char *inv, const char *what)
{
    hwloc_bitmap_t both = hwloc_bitmap_alloc();
    hwloc_bitmap_and(both, x, y);
    if (!hwloc_bitmap_iszero(both)) {
        char *s = fmt_set(both);
        if (a == b)
            violation(b->file, inv, "host CPU(s) %s: %s", s, what);
        else
            violation(b->file, inv, "host CPU(s) %s: %s (with %s)", s, what,
                      a->file);
        free(s);
    }
    hwloc_bitmap_free(both);
}

/* Where domain D's vCPUs may run: its vcpupins and <vcpu cpuset>, and
 * for vCPUs with neither, where libvirt lets them run (unconfined_set),
 * unless the report says the domain was left as its user wrote it
 * because it does not fit (then it is the user's to fix). New set. */
static hwloc_bitmap_t runs_on(const domain *d, const rr_domain *rd)
{
    hwloc_bitmap_t s = hwloc_bitmap_dup(d->vunion);
    if (!(rd && rd->infeasible))
        hwloc_bitmap_or(s, s, d->unconfined_set);
    return s;
}

/* The whole cores of SET, less SET: its SMT siblings. New set. */
static hwloc_bitmap_t siblings_of(const vt_host *h, hwloc_const_bitmap_t set)
{
    hwloc_bitmap_t s = hwloc_bitmap_alloc();
    int id;
    hwloc_bitmap_foreach_begin(id, set) {
        const vt_host_cpu *c = host_cpu_by_id(h, id);
        if (c && c->core >= 0)
            hwloc_bitmap_or(s, s, h->cores[c->core]);
    } hwloc_bitmap_foreach_end();
    hwloc_bitmap_andnot(s, s, set);
    return s;
}

void check_across(const domain *d, int n, const vt_host *h,
                  const rr_domain *const *rds)
{
    hwloc_bitmap_t *on = xcalloc((size_t)(n ? n : 1), sizeof *on);
    hwloc_bitmap_t *sib = xcalloc((size_t)(n ? n : 1), sizeof *sib);
    for (int i = 0; i < n; i++) {
        on[i] = runs_on(&d[i], rds[i]);
        sib[i] = siblings_of(h, d[i].dedicated);
    }
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (i < j) {
                /* CPUs one of the two owns and the other runs vCPUs on */
                hwloc_bitmap_t owned = hwloc_bitmap_alloc(),
                               t = hwloc_bitmap_alloc();
                hwloc_bitmap_and(owned, d[i].dedicated, on[j]);
                hwloc_bitmap_and(t, d[j].dedicated, on[i]);
                hwloc_bitmap_or(owned, owned, t);
                report_shared(&d[i], &d[j], owned, owned,
                              "cross-domain-overlap",
                              "vCPUs of two domains run there, one of them "
                              "pinned 1:1");
                hwloc_bitmap_free(owned);
                hwloc_bitmap_free(t);
                report_shared(&d[i], &d[j], d[i].excl, d[j].excl,
                              "exclusive-overlap", "emulator/iothread pins "
                              "of two domains on CPUs that are not reserved");
            }
            /* a domain pinned 1:1 owns whole cores: no other domain's
             * vCPU on their SMT siblings (two domains that both place
             * themselves are their users' concern) */
            if (i != j && !(rds[i] && !rds[i]->placed && rds[j] &&
                            !rds[j]->placed))
                report_shared(&d[i], &d[j], sib[i], on[j], "core-shared",
                              "SMT siblings of CPUs pinned 1:1 to the "
                              "other domain's vCPUs run vCPUs here");
            report_shared(&d[i], &d[j], d[i].excl, d[j].vunion,
                          "exclusive-overlap", i == j
                          ? "emulator/iothread pin on CPUs that are not "
                            "reserved, also pinned to vCPUs"
                          : "emulator/iothread pin of the other domain on "
                            "CPUs that are not reserved, pinned to vCPUs "
                            "here");
        }
    }
    for (int i = 0; i < n; i++) {
        hwloc_bitmap_free(on[i]);
        hwloc_bitmap_free(sib[i]);
    }
    free(on);
    free(sib);
}

/* The single host node of NODES, or -1 when it is not exactly one. */
static int single_node(hwloc_const_bitmap_t nodes)
{
    return nodes && hwloc_bitmap_weight(nodes) == 1
        ? hwloc_bitmap_first(nodes) : -1;
}

typedef struct budget {
    unsigned long long used;
    int last;               /* last domain placing memory there, -1 */
    vt_strbuf who;
} budget;

static void place(budget *b, const vt_host *h, int node, unsigned long long kib,
                  int dom, const char *file)
{
    for (int i = 0; i < h->nnodes; i++) {
        if (h->nodes[i].id != node)
            continue;
        b[i].used += kib;
        b[i].last = dom;
        strbuf_addf(&b[i].who, "%s%s %llu KiB", b[i].who.len ? ", " : "", file,
                kib);
    }
}

/* Memory each domain pins to one node: per cell with a single-node
 * memnode (or, without a memnode, a strict single-node <numatune>
 * <memory>); without cells, all of <memory> under a strict single-node
 * <numatune><memory>. */
static void place_domain(budget *b, const vt_host *h, const domain *d, int dom)
{
    int global = d->numa_strict ? single_node(d->numa_nodes) : -1;
    if (d->ncells == 0) {
        if (global >= 0 && d->mem_ok)
            place(b, h, global, d->mem_kib, dom, d->file);
        return;
    }
    for (int i = 0; i < d->ncells; i++) {
        const cell *c = &d->cells[i];
        int node = c->memnode >= 0
            ? single_node(d->memnodes[c->memnode].nodes) : global;
        if (node >= 0 && c->kib_ok)
            place(b, h, node, c->kib, dom, d->file);
    }
}

void check_node_memory(const domain *d, int n, const vt_host *h)
{
    budget *b = xcalloc((size_t)h->nnodes, sizeof *b);
    for (int i = 0; i < h->nnodes; i++) {
        b[i].last = -1;
        strbuf_init(&b[i].who);
    }
    for (int k = 0; k < n; k++)
        place_domain(b, h, &d[k], k);
    for (int i = 0; i < h->nnodes; i++) {
        long long cap = h->nodes[i].mem_kib;
        if (cap >= 0 && b[i].used > (unsigned long long)cap)
            violation(d[b[i].last].file, "node-memory", "host node %d holds "
                      "%lld KiB, the domains place %llu KiB there (%s)",
                      h->nodes[i].id, cap, b[i].used, b[i].who.buf);
        strbuf_free(&b[i].who);
    }
    free(b);
}

/* Hugepages the run takes from one pool of one host node. */
typedef struct hp_need {
    int node;
    unsigned long long size, pages;
    int last;               /* last domain taking pages there */
    vt_strbuf who;
} hp_need;

typedef struct hp_needs {
    int n, cap;
    hp_need *v;
} hp_needs;

static void take_pages(hp_needs *nd, int node, unsigned long long size,
                       unsigned long long pages, int dom, const domain *d,
                       const part *pt)
{
    hp_need *e = NULL;
    for (int i = 0; i < nd->n && !e; i++)
        if (nd->v[i].node == node && nd->v[i].size == size)
            e = &nd->v[i];
    if (!e) {
        if (nd->n == nd->cap) {
            nd->cap = nd->cap ? 2 * nd->cap : 8;
            nd->v = xrealloc(nd->v, (size_t)nd->cap * sizeof *nd->v);
        }
        e = &nd->v[nd->n++];
        memset(e, 0, sizeof *e);
        e->node = node;
        e->size = size;
        strbuf_init(&e->who);
    }
    e->pages += pages;
    e->last = dom;
    strbuf_addf(&e->who, "%s%s %s: %llu", e->who.len ? ", " : "", d->file,
            pt->label, pages);
}

/* The hugepages of domain D (index DOM): each part backed by a hugepage
 * size takes ceil(memory / size) pages from the host nodes it is bound
 * to, split evenly (the first nodes take the remainder); unbound memory
 * (no <numatune> nodeset for it) and sizes that are unknown are not
 * counted. */
static void take_domain_pages(hp_needs *nd, const vt_host *h, const pools *pl,
                              const domain *d, int dom)
{
    if (!d->pages_ok)
        return;
    for (int i = 0; i < d->nparts; i++) {
        const part *pt = &d->parts[i];
        if (pt->page < 0 || !pt->kib_ok || !pt->nodes)
            continue;
        const page *p = &d->pages[pt->page];
        unsigned long long size = page_size(p, pl);
        if (!size || !page_is_huge(p, pl))
            continue;
        unsigned long long pages = pt->kib / size + (pt->kib % size != 0);
        unsigned long long k = 0, j = 0;
        int id;
        hwloc_bitmap_foreach_begin(id, pt->nodes) {
            k += host_node_by_id(h, id) != NULL;
        } hwloc_bitmap_foreach_end();
        if (!k)
            continue;
        hwloc_bitmap_foreach_begin(id, pt->nodes) {
            if (!host_node_by_id(h, id))
                continue;
            unsigned long long share = pages / k + (j++ < pages % k);
            if (share)
                take_pages(nd, id, size, share, dom, d, pt);
        } hwloc_bitmap_foreach_end();
    }
}

/* The pages the run takes from each pool fit its free pages (its total
 * when free is unknown; none without a pool). */
void check_hugepage_budget(const domain *d, int n, const vt_host *h,
                           const pools *pl, const run_report *rr)
{
    if (!pl->known)
        return;
    hp_needs nd = {0, 0, NULL};
    for (int k = 0; k < n; k++)
        take_domain_pages(&nd, h, pl, &d[k], k);
    for (int i = 0; i < nd.n; i++) {
        hp_need *e = &nd.v[i];
        const vt_host_pages *pool = node_pool(host_node_by_id(h, e->node),
                                           e->size);
        long long have = !pool ? 0 : pool->free >= 0 ? pool->free
                                                     : pool->total;
        /* the pages the report's host commands add (host-commands-fit
         * checks that the node can give them) */
        long long added = 0;
        for (int a = 0; a < rr->nactions; a++)
            if (rr->actions[a].node == e->node &&
                rr->actions[a].size_kib == e->size)
                added += rr->actions[a].missing;
        if (added && have >= 0)
            have += added;
        if (!pool)
            violation(d[e->last].file, "hugepages-budget", "host node %d "
                      "has no %llu KiB page pool, the domains need %llu "
                      "such page(s) there (%s)", e->node, e->size, e->pages,
                      e->who.buf);
        else if (have >= 0 && e->pages > (unsigned long long)have)
            violation(d[e->last].file, "hugepages-budget", "host node %d "
                      "has %lld %s %llu KiB pages, the domains need %llu "
                      "(%s)", e->node, have,
                      pool->free >= 0 ? "free" : "(total, free unknown)",
                      e->size, e->pages, e->who.buf);
        strbuf_free(&e->who);
    }
    free(nd.v);
}
