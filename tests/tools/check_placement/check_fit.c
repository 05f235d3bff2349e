/*
 * check_fit.c - the invariants of the run's placement decisions, judged
 * with the facts of vtune-xml's report (run_report.h) and the host model:
 *   split-fits-one      a domain the tool placed whose memory is bound to
 *                       several host nodes, while one node alone had room
 *                       for it when its turn came (in the run's order):
 *                       CPUs for its vCPUs (pinned 1:1: online, not
 *                       reserved, not in a core another domain pins a
 *                       vCPU or an emulator to, not in a core another
 *                       domain floats over; floating: online, not isolated, not
 *                       pinned 1:1 by another domain, and not reserved
 *                       when it floats because no dedicated CPUs were
 *                       left), and memory in the page size it uses, or in
 *                       any hugepage size the host has on that node when
 *                       the profile lets mem.hugepages choose: free pages
 *                       less those earlier domains take there, or the
 *                       node's memory less --reserve-mib, less its
 *                       hugepage pools, less the ordinary memory earlier
 *                       domains bind there. Its own guest cells (not
 *                       numa.guest's) may span nodes.
 *   floating-unconfined a vCPU the tool placed floats over every host CPU
 *                       (neither a <vcpupin> nor <vcpu cpuset>) while
 *                       another domain of the run pins vCPUs 1:1 or the
 *                       host isolates CPUs; without --report, any domain
 *   host-commands-fit   per host node, its hugepage pools after the run's
 *                       host commands and the ordinary memory domains
 *                       without a host command bind there fit the node's
 *                       memory less --reserve-mib
 * This checker assumes cpu.pin's default thread policy (prefer), where a
 * core holds as many vCPUs as it has usable threads; for the realtime
 * profile, isolate (a core per vCPU). An explicit cpu.pin.threads is not
 * in the report, so the checker does not see it.
 */
#include "checks.h"
#include "page_pools.h"
#include "report.h"

#include "alloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long long reserve_kib = 512ULL * 1024;   /* --reserve-mib */

/* What the run took before the domain being judged. */
typedef struct taken {
    hwloc_bitmap_t owned;       /* whole cores of 1:1 vCPU pins and of
                                   emulator/iothread pins off the
                                   reserved CPUs */
    hwloc_bitmap_t pinned;      /* CPUs pinned 1:1 (not their cores) */
    hwloc_bitmap_t floating;    /* floating sets */
    unsigned long long *mem;    /* per node index: ordinary KiB bound
                                   there, or to a set holding it (it
                                   may all come from there) */
    int npages;
    struct tp { int node; unsigned long long size, pages; } *pages;
} taken;

static void add_cores(const vt_host *h, hwloc_const_bitmap_t set,
                      hwloc_bitmap_t out)
{
    int id;
    hwloc_bitmap_foreach_begin(id, set) {
        const vt_host_cpu *c = host_cpu_by_id(h, id);
        if (c && c->core >= 0)
            hwloc_bitmap_or(out, out, h->cores[c->core]);
        else
            hwloc_bitmap_set(out, (unsigned)id);
    } hwloc_bitmap_foreach_end();
}

static unsigned long long *pages_of(taken *t, int node,
                                    unsigned long long size)
{
    for (int i = 0; i < t->npages; i++)
        if (t->pages[i].node == node && t->pages[i].size == size)
            return &t->pages[i].pages;
    t->pages = xrealloc(t->pages, (size_t)(t->npages + 1) * sizeof *t->pages);
    t->pages[t->npages] = (struct tp){node, size, 0};
    return &t->pages[t->npages++].pages;
}

/* The single host node of NODES, or -1. */
static int one_node(hwloc_const_bitmap_t nodes)
{
    return nodes && hwloc_bitmap_weight(nodes) == 1
        ? hwloc_bitmap_first(nodes) : -1;
}

/* Adds what domain D binds to single nodes: ordinary memory and pages. */
static void take_memory(taken *t, const vt_host *h, const pools *pl,
                        const domain *d)
{
    for (int i = 0; i < d->nparts; i++) {
        const part *pt = &d->parts[i];
        if (!pt->nodes || !pt->kib_ok)
            continue;
        const page *p = pt->page >= 0 && d->pages_ok ? &d->pages[pt->page]
                                                     : NULL;
        unsigned long long size = p ? page_size(p, pl) : 0;
        int huge = p && page_is_huge(p, pl);
        int node;
        /* memory bound to several nodes may all come from any of them:
         * counted on each, so that a node judged to have room has it */
        hwloc_bitmap_foreach_begin(node, pt->nodes) {
            int n = host_node_index(h, node);
            if (n < 0)
                continue;
            if (huge && size)
                *pages_of(t, node, size) += (pt->kib + size - 1) / size;
            else if (!huge)
                t->mem[n] += pt->kib;
        } hwloc_bitmap_foreach_end();
    }
}

static void take_domain(taken *t, const vt_host *h, const pools *pl,
                        const domain *d)
{
    add_cores(h, d->dedicated, t->owned);
    add_cores(h, d->excl, t->owned);
    hwloc_bitmap_or(t->pinned, t->pinned, d->dedicated);
    hwloc_bitmap_or(t->floating, t->floating, d->floating);
    hwloc_bitmap_or(t->floating, t->floating, d->unconfined_set);
    take_memory(t, h, pl, d);
}

/* Free pages of SIZE on node index N before domain D's turn. */
static long long free_pages(taken *t, const vt_host *h, int n,
                            unsigned long long size)
{
    const vt_host_pages *pool = node_pool(&h->nodes[n], size);
    if (!pool)
        return 0;
    long long have = pool->free >= 0 ? pool->free : pool->total;
    if (have < 0)
        return 0;
    return have - (long long)*pages_of(t, h->nodes[n].id, size);
}

/* KiB of ordinary memory node index N has before D's turn (negative:
 * none); LLONG_MAX unknown. */
static long long room(const taken *t, const vt_host *h, const pools *pl,
                      int n)
{
    const vt_host_node *hn = &h->nodes[n];
    if (hn->mem_kib < 0)
        return LLONG_MAX;
    long long r = hn->mem_kib - (long long)reserve_kib - (long long)t->mem[n];
    for (int k = 0; k < hn->npages; k++)
        if (hn->pages[k].size_kib != pl->base && hn->pages[k].total > 0)
            r -= hn->pages[k].total * (long long)hn->pages[k].size_kib;
    return r;
}

/* Does node index N hold D's memory in some size it may use? SIZE gets
 * the size (0 ordinary). */
static int memory_fits(taken *t, const vt_host *h, const pools *pl,
                       const domain *d, int hugepages_free, int n,
                       unsigned long long *size)
{
    /* the size the output uses: that of its first part */
    const part *pt = d->nparts ? &d->parts[0] : NULL;
    const page *p = pt && pt->page >= 0 && d->pages_ok
                    ? &d->pages[pt->page] : NULL;
    unsigned long long own = p && page_is_huge(p, pl) ? page_size(p, pl) : 0;
    unsigned long long mem = d->mem_kib;
    const vt_host_node *hn = &h->nodes[n];
    /* its own size; with mem.hugepages choosing, ordinary memory and
     * every hugepage size of the node too (the tool tries them all) */
    for (int k = -2; k < hn->npages; k++) {
        unsigned long long s = k == -2 ? own : k == -1 ? 0
                               : hn->pages[k].size_kib;
        if (k > -2 && (!hugepages_free || s == own ||
                       (k >= 0 && (s == pl->base || mem % s))))
            continue;
        *size = s;
        if (s == 0) {
            long long r = room(t, h, pl, n);
            if (r == LLONG_MAX || (r > 0 && (unsigned long long)r >= mem))
                return 1;
        } else if (free_pages(t, h, n, s) >= (long long)((mem + s - 1) / s)) {
            return 1;
        }
    }
    return 0;
}

/* vCPUs node index N can take for D before its turn. */
static int cpus_fit(const taken *t, const vt_host *h,
                    hwloc_const_bitmap_t reserved,
                    hwloc_const_bitmap_t isolated, int pinned, int fallback,
                    int isolate, int n)
{
    hwloc_bitmap_t s = hwloc_bitmap_dup(h->nodes[n].cpus);
    int id;
    hwloc_bitmap_foreach_begin(id, h->nodes[n].cpus) {
        const vt_host_cpu *c = host_cpu_by_id(h, id);
        if (!c || !c->online)
            hwloc_bitmap_clr(s, (unsigned)id);
    } hwloc_bitmap_foreach_end();
    if (pinned) {
        hwloc_bitmap_andnot(s, s, reserved);
        hwloc_bitmap_andnot(s, s, t->owned);
        /* a core someone floats over is nobody's to own */
        hwloc_bitmap_t fc = hwloc_bitmap_alloc();
        add_cores(h, t->floating, fc);
        hwloc_bitmap_andnot(s, s, fc);
        hwloc_bitmap_free(fc);
    } else {
        hwloc_bitmap_andnot(s, s, isolated);
        hwloc_bitmap_andnot(s, s, t->pinned);
        if (fallback)
            hwloc_bitmap_andnot(s, s, reserved);
    }
    int w = hwloc_bitmap_weight(s);
    if (pinned && isolate) {
        /* a vCPU a core: count the cores with a usable CPU */
        hwloc_bitmap_t seen = hwloc_bitmap_alloc();
        w = 0;
        hwloc_bitmap_foreach_begin(id, s) {
            if (hwloc_bitmap_isset(seen, (unsigned)id))
                continue;
            hwloc_bitmap_t one = hwloc_bitmap_alloc();
            hwloc_bitmap_set(one, (unsigned)id);
            add_cores(h, one, seen);
            hwloc_bitmap_free(one);
            w++;
        } hwloc_bitmap_foreach_end();
        hwloc_bitmap_free(seen);
    }
    hwloc_bitmap_free(s);
    return w;
}

static void judge_split(taken *t, const vt_host *h, const pools *pl,
                        hwloc_const_bitmap_t reserved,
                        hwloc_const_bitmap_t isolated, const domain *d,
                        const rr_domain *rd, int hugepage_profile,
                        int isolate)
{
    if (!d->numa_nodes || hwloc_bitmap_weight(d->numa_nodes) < 2 ||
        d->vcpus <= 0 || !d->mem_ok || (rd && !rd->placed))
        return;
    if (d->ncells && !(rd && rd->tool_cells))
        return;     /* the domain's own cells may span nodes */
    int pinned = 1;
    for (long v = 0; v < d->vcpus; v++)
        pinned &= d->vset[v] && hwloc_bitmap_weight(d->vset[v]) == 1;
    int hp_free = hugepage_profile && (!d->hugepages || (rd && rd->tool_pages));
    for (int n = 0; n < h->nnodes; n++) {
        unsigned long long size = 0;
        int cap = cpus_fit(t, h, reserved, isolated, pinned,
                           rd && rd->fallback, isolate, n);
        if (cap < d->vcpus ||
            !memory_fits(t, h, pl, d, hp_free, n, &size))
            continue;
        char *nodes = fmt_set(d->numa_nodes);
        char in[48] = "ordinary memory";
        if (size)
            snprintf(in, sizeof in, "%llu KiB pages", size);
        violation(d->file, "split-fits-one", "memory on host nodes %s, but "
                  "node %d alone had %d CPUs for its %ld %s vCPUs and room "
                  "for its %llu KiB in %s when its turn came", nodes,
                  h->nodes[n].id, cap, d->vcpus, pinned ? "pinned"
                  : "floating", d->mem_kib, in);
        free(nodes);
        return;
    }
}

void check_fit(const domain *d, int n, const vt_host *h, const pools *pl,
               hwloc_const_bitmap_t reserved, hwloc_const_bitmap_t isolated,
               const run_report *rr, const rr_domain *const *rds)
{
    taken t = {hwloc_bitmap_alloc(), hwloc_bitmap_alloc(),
               hwloc_bitmap_alloc(),
               xcalloc((size_t)h->nnodes + 1, sizeof *t.mem), 0, NULL};
    for (int k = 0; k < n; k++) {
        const rr_domain *rd = rds[k];
        judge_split(&t, h, pl, reserved, isolated, &d[k], rd,
                    rr->hugepage_profile, rr->isolate);
        take_domain(&t, h, pl, &d[k]);
        int others = 0;
        for (int j = 0; j < n; j++)
            others |= j != k && !hwloc_bitmap_iszero(d[j].dedicated);
        if (d[k].unconfined && (!rr->loaded || (rd && rd->placed)) &&
            (others || !hwloc_bitmap_iszero(isolated)))
            violation(d[k].file, "floating-unconfined", "a vCPU floats over "
                      "every host CPU (no <vcpupin>, no <vcpu cpuset>) while "
                      "%s", others ? "other domains of the run pin vCPUs "
                      "1:1" : "the host isolates CPUs");
    }
    /* host commands: pools after them and ordinary memory per node */
    for (int i = 0; rr->loaded && i < h->nnodes; i++) {
        const vt_host_node *hn = &h->nodes[i];
        if (hn->mem_kib < 0)
            continue;
        unsigned long long used = 0, acts = 0;
        for (int k = 0; k < hn->npages; k++)
            if (hn->pages[k].size_kib != pl->base && hn->pages[k].total > 0)
                used += (unsigned long long)hn->pages[k].total *
                        hn->pages[k].size_kib;
        for (int a = 0; a < rr->nactions; a++)
            if (rr->actions[a].node == hn->id && rr->actions[a].missing > 0)
                acts += (unsigned long long)rr->actions[a].missing *
                        rr->actions[a].size_kib;
        if (!acts)
            continue;
        for (int k = 0; k < n; k++) {
            const rr_domain *rd = rds[k];
            for (int p = 0; !(rd && rd->has_actions) && p < d[k].nparts; p++) {
                const part *pt = &d[k].parts[p];
                const page *pg = pt->page >= 0 && d[k].pages_ok
                                 ? &d[k].pages[pt->page] : NULL;
                if (one_node(pt->nodes) == hn->id && pt->kib_ok &&
                    (!pg || !page_is_huge(pg, pl)))
                    used += pt->kib;
            }
        }
        if (used + acts + reserve_kib > (unsigned long long)hn->mem_kib)
            violation(d[n - 1].file, "host-commands-fit", "host node %d: "
                      "its pools after the host commands (%llu KiB more) "
                      "and the ordinary memory bound there (with the pools "
                      "now: %llu KiB) exceed its %lld KiB less the %llu KiB "
                      "reserve", hn->id, acts, used, hn->mem_kib,
                      reserve_kib);
    }
    hwloc_bitmap_free(t.owned);
    hwloc_bitmap_free(t.pinned);
    hwloc_bitmap_free(t.floating);
    free(t.mem);
    free(t.pages);
}
