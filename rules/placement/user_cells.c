/*
 * user_cells.c - placement of a domain that defines its own guest NUMA
 * cells (<cpu><numa><cell>, memory-hotplug domains with <maxMemory> and
 * DIMMs in a <node>, the XML Nova-style tooling writes): the cells stay
 * as the domain wrote them, and each goes on one host node of its own (as
 * Nova maps an instance's cells to distinct host cells), the closest set
 * of nodes that holds them; cells share a node only when there are not
 * enough; a cell larger than any node takes the fewest, closest nodes.
 * The page size is the one the domain names for a cell, else the largest
 * every cell's memory is whole pages of (mem.hugepages), else ordinary
 * memory.
 */
#include "plan_ctx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Assignments tried before the search turns greedy. */
#define EXACT_LIMIT 200000

typedef struct assign {
    pctx *x;
    int *order;             /* cell indexes, largest first */
    int *node;              /* per cell: candidate index */
    int *best;
    long long bestdist, bestleft;
    int found;
    int distinct;           /* a node holds at most one cell */
    long tried;
    int *capleft;           /* per candidate */
    long long *memleft;
} assign;

/* KiB cell U takes of a node in the page size being tried: whole pages
 * (QEMU backs a cell with whole pages; a remainder takes one more). */
static long long cell_units(const pctx *x, const ucell *u)
{
    long long m = (long long)u->mem;
    if (x->page)
        m = (m + (long long)x->page - 1) / (long long)x->page *
            (long long)x->page;
    return m;
}

/* Memory of cell U in node candidate I's terms: KiB, its free memory is
 * in whole units of the page size (plan_set_page). */
static int fits(const assign *a, int i, const ucell *u)
{
    return a->capleft[i] >= u->nvcpus &&
           (a->memleft[i] == LLONG_MAX ||
            a->memleft[i] >= cell_units(a->x, u));
}

static long long total_distance(const assign *a)
{
    const pctx *x = a->x;
    long long d = 0;
    for (int i = 0; i < x->nucells; i++)
        for (int j = i + 1; j < x->nucells; j++)
            d += x->dm[a->node[i] * x->nn + a->node[j]];
    return d;
}

static void consider(assign *a)
{
    const pctx *x = a->x;
    long long d = total_distance(a), left = 0;
    for (int i = 0; i < x->nn; i++)
        left += a->capleft[i];
    int better = !a->found || d < a->bestdist ||
                 (d == a->bestdist && left < a->bestleft);
    if (!better && a->found && d == a->bestdist && left == a->bestleft)
        for (int i = 0; i < x->nucells; i++)
            if (a->node[i] != a->best[i]) {
                better = x->nodes[a->node[i]].id < x->nodes[a->best[i]].id;
                break;
            }
    if (better) {
        memcpy(a->best, a->node, (size_t)x->nucells * sizeof *a->best);
        a->bestdist = d;
        a->bestleft = left;
        a->found = 1;
    }
}

/* Depth-first over the cells in order; -1 when the limit is reached. */
static int dfs(assign *a, int depth)
{
    pctx *x = a->x;
    if (++a->tried > EXACT_LIMIT)
        return -1;
    if (depth == x->nucells) {
        consider(a);
        return 0;
    }
    int ci = a->order[depth];
    const ucell *u = &x->ucells[ci];
    for (int i = 0; i < x->nn; i++) {
        if (!fits(a, i, u) || (u->nvcpus && !x->nodes[i].cap))
            continue;
        if (a->distinct) {
            int used = 0;
            for (int d = 0; d < depth && !used; d++)
                used = a->node[a->order[d]] == i;
            if (used)
                continue;
        }
        a->node[ci] = i;
        a->capleft[i] -= u->nvcpus;
        if (a->memleft[i] != LLONG_MAX)
            a->memleft[i] -= cell_units(x, u);
        int rc = dfs(a, depth + 1);
        a->capleft[i] += u->nvcpus;
        if (a->memleft[i] != LLONG_MAX)
            a->memleft[i] += cell_units(x, u);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int cmp_size_desc(const void *pa, const void *pb, const pctx *x)
{
    const ucell *a = &x->ucells[*(const int *)pa];
    const ucell *b = &x->ucells[*(const int *)pb];
    if (a->nvcpus != b->nvcpus)
        return b->nvcpus - a->nvcpus;
    return (b->mem > a->mem) - (b->mem < a->mem);
}

static const pctx *sort_ctx;
static int cmp_cells(const void *pa, const void *pb)
{
    return cmp_size_desc(pa, pb, sort_ctx);
}

static void reset(assign *a)
{
    for (int i = 0; i < a->x->nn; i++) {
        a->capleft[i] = a->x->nodes[i].cap;
        a->memleft[i] = a->x->nodes[i].mem_free;
    }
}

/* Greedy, largest cell first: the node that holds it, nearest to the
 * nodes taken so far, a node of its own while there is one; a cell no
 * node holds takes the fewest, closest nodes (place_search) of what is
 * left. MULTI[ci] gets those sets (NULL: one node, node[ci]). */
static int greedy(assign *a, hwloc_bitmap_t *multi)
{
    pctx *x = a->x;
    reset(a);
    for (int d = 0; d < x->nucells; d++) {
        int ci = a->order[d];
        const ucell *u = &x->ucells[ci];
        int pick = -1;
        long long pd = 0;
        for (int pass = 0; pass < 2 && pick < 0; pass++)
            for (int i = 0; i < x->nn; i++) {
                if (!fits(a, i, u) || (u->nvcpus && !x->nodes[i].cap))
                    continue;
                int used = 0;
                for (int e = 0; e < d && !used; e++) {
                    int ce = a->order[e];
                    used = multi[ce] ? hwloc_bitmap_isset(multi[ce],
                                                          (unsigned)i)
                                     : a->node[ce] == i;
                }
                if (used && pass == 0)
                    continue;
                long long dist = 0;
                for (int e = 0; e < d; e++)
                    dist += x->dm[i * x->nn + a->node[a->order[e]]];
                if (pick < 0 || dist < pd) {
                    pick = i;
                    pd = dist;
                }
            }
        if (pick >= 0) {
            a->node[ci] = pick;
            a->capleft[pick] -= u->nvcpus;
            if (a->memleft[pick] != LLONG_MAX)
                a->memleft[pick] -= cell_units(x, u);
            continue;
        }
        /* larger than any node: the fewest, closest nodes of what is left */
        vt_place_cand *cands = xcalloc((size_t)x->nn, sizeof *cands);
        for (int i = 0; i < x->nn; i++)
            cands[i] = (vt_place_cand){x->nodes[i].id, a->capleft[i],
                                       a->memleft[i]};
        int *set = xmalloc((size_t)x->nn * sizeof *set);
        vt_place_search s = {
            .nn = x->nn, .nodes = cands, .dm = x->dm, .vcpus = u->nvcpus,
            .mem = u->mem, .pack = x->pinned,
        };
        int k = place_search(&s, set);
        if (k) {
            multi[ci] = hwloc_bitmap_alloc();
            long long need_c = u->nvcpus, need_m = (long long)u->mem;
            for (int j = 0; j < k; j++) {
                int i = set[j];
                hwloc_bitmap_set(multi[ci], (unsigned)i);
                long long tc = need_c < a->capleft[i] ? need_c : a->capleft[i];
                a->capleft[i] -= (int)tc;
                need_c -= tc;
                if (a->memleft[i] != LLONG_MAX) {
                    long long tm = need_m < a->memleft[i] ? need_m
                                                          : a->memleft[i];
                    a->memleft[i] -= tm;
                    need_m -= tm;
                }
            }
            a->node[ci] = set[0];
        }
        free(set);
        free(cands);
        if (!k)
            return 0;
    }
    memcpy(a->best, a->node, (size_t)x->nucells * sizeof *a->best);
    return 1;
}

/* The page sizes to try for all cells, largest first, 0 last: the
 * domain's own sizes (then one try, SIZES[0] = ~0: per cell), else
 * mem.hugepages' sizes that every cell is whole pages of. */
static int cell_pages(pctx *x, unsigned long long *sizes, int *user)
{
    *user = 0;
    for (int i = 0; i < x->nucells; i++)
        *user |= x->ucells[i].page != 0;
    if (*user) {
        sizes[0] = ~0ULL;
        return 1;
    }
    int n = 0;
    if (r_rule_on(x->c, RULE_mem_hugepages)) {
        unsigned long long all[8];
        int na = place_huge_sizes(x->c, x->mem, all);
        for (int s = 0; s < na; s++) {
            int ok = 1;
            for (int i = 0; i < x->nucells && ok; i++)
                ok = x->ucells[i].mem % all[s] == 0;
            if (ok)
                sizes[n++] = all[s];
        }
    }
    sizes[n++] = 0;
    return n;
}

/* The cell's host CPUs and pins on its node(s). */
static void cell_cpus(pctx *x, vt_place_plan *p, vt_place_cell *cell,
                      hwloc_const_bitmap_t nodes)
{
    int *order = xmalloc((size_t)(cell->nvcpus ? cell->nvcpus : 1) *
                         sizeof *order);
    int n = 0, v;
    hwloc_bitmap_foreach_begin(v, cell->vcpus) {
        order[n++] = v;
    } hwloc_bitmap_foreach_end();
    int at = 0, i;
    hwloc_bitmap_foreach_begin(i, nodes) {
        pnode *pn = &x->nodes[i];
        if (x->pinned) {
            int take = cell->nvcpus - at < pn->cap ? cell->nvcpus - at
                                                   : pn->cap;
            plan_pick_cpus(pn, take, order, &at, p->pin, cell->cpus);
        } else {
            for (int j = 0; j < pn->ncores; j++)
                hwloc_bitmap_or(cell->cpus, cell->cpus, pn->cores[j].usable);
        }
    } hwloc_bitmap_foreach_end();
    free(order);
}

int plan_user_cells(pctx *x, vt_place_plan *p)
{
    unsigned long long sizes[9];
    int user, ns = cell_pages(x, sizes, &user);
    assign a = {.x = x};
    a.order = xmalloc((size_t)x->nucells * sizeof *a.order);
    a.node = xcalloc((size_t)x->nucells, sizeof *a.node);
    a.best = xcalloc((size_t)x->nucells, sizeof *a.best);
    a.capleft = xcalloc((size_t)(x->nn ? x->nn : 1), sizeof *a.capleft);
    a.memleft = xcalloc((size_t)(x->nn ? x->nn : 1), sizeof *a.memleft);
    hwloc_bitmap_t *multi = xcalloc((size_t)x->nucells, sizeof *multi);
    for (int i = 0; i < x->nucells; i++)
        a.order[i] = i;
    sort_ctx = x;
    qsort(a.order, (size_t)x->nucells, sizeof *a.order, cmp_cells);
    unsigned long long page = 0;
    int ok = 0;
    /* the domain's own sizes: when the free pages do not hold the cells,
     * a second pass as if the nodes reserved what they can */
    /* (only where mem.hugepages runs and gives the commands, as in
     * place_mode) */
    int again = user && r_rule_on(x->c, RULE_mem_hugepages);
    for (int pass = 0; pass < 1 + again && !ok; pass++) {
        x->reservable = pass == 1;
        for (int s = 0; s < ns && !ok && x->nn; s++) {
            /* the free pages of the first cell's size (libvirt backs the
             * cells of one domain alike in practice) */
            page = sizes[s] == ~0ULL ? x->ucells[0].page : sizes[s];
            plan_set_page(x, page, page ? (long long)page : 1);
            for (a.distinct = 1; a.distinct >= 0 && !ok; a.distinct--) {
                reset(&a);
                a.found = 0;
                a.tried = 0;
                if (dfs(&a, 0) < 0)
                    break;          /* too many: the greedy one below */
                ok = a.found;
            }
            /* too many assignments to try, or a cell no node holds: the
             * greedy one, which gives such a cell the fewest, closest
             * nodes */
            if (!ok) {
                for (int ci = 0; ci < x->nucells; ci++) {
                    hwloc_bitmap_free(multi[ci]);
                    multi[ci] = NULL;
                }
                ok = greedy(&a, multi);
            }
        }
        p->page_short = ok && pass == 1;
    }
    x->reservable = 0;
    if (ok) {
        p->user_cells = 1;
        p->pinned = x->pinned;
        p->fallback = x->fallback;
        p->page_kib = page;
        p->page_user = user;
        /* ordinary memory where mem.hugepages wanted pages: it says so */
        p->page_wanted = !user && ns > 1 ? sizes[0] : 0;
        p->cells = xcalloc((size_t)x->nucells, sizeof *p->cells);
        p->pin = xcalloc((size_t)x->vcpus, sizeof *p->pin);
        p->nodes = hwloc_bitmap_alloc();
        pnode **chosen = xmalloc((size_t)x->nn * sizeof *chosen);
        int k = 0;
        hwloc_bitmap_t covered = hwloc_bitmap_alloc();
        for (int ci = 0; ci < x->nucells; ci++)
            hwloc_bitmap_or(covered, covered, x->ucells[ci].vcpus);
        for (int ci = 0; ci < x->nucells; ci++) {
            const ucell *u = &x->ucells[ci];
            vt_place_cell *cell = &p->cells[p->ncells++];
            hwloc_bitmap_t nodes = multi[ci] ? hwloc_bitmap_dup(multi[ci])
                                             : hwloc_bitmap_alloc();
            if (!multi[ci])
                hwloc_bitmap_set(nodes, (unsigned)a.best[ci]);
            cell->cellid = u->id;
            cell->vcpus = hwloc_bitmap_dup(u->vcpus);
            if (ci == 0) {
                /* vCPUs no cell names go with the first cell */
                for (int v = 0; v < x->vcpus; v++)
                    if (!hwloc_bitmap_isset(covered, (unsigned)v))
                        hwloc_bitmap_set(cell->vcpus, (unsigned)v);
            }
            cell->nvcpus = hwloc_bitmap_weight(cell->vcpus);
            cell->mem_kib = u->mem;
            cell->page_kib = user ? u->page : page;
            cell->cpus = hwloc_bitmap_alloc();
            cell->nodes = hwloc_bitmap_alloc();
            int i;
            hwloc_bitmap_foreach_begin(i, nodes) {
                hwloc_bitmap_set(cell->nodes, (unsigned)x->nodes[i].id);
                hwloc_bitmap_set(p->nodes, (unsigned)x->nodes[i].id);
                int seen = 0;
                for (int j = 0; j < k && !seen; j++)
                    seen = chosen[j] == &x->nodes[i];
                if (!seen)
                    chosen[k++] = &x->nodes[i];
            } hwloc_bitmap_foreach_end();
            cell->node = hwloc_bitmap_first(cell->nodes);
            cell_cpus(x, p, cell, nodes);
            hwloc_bitmap_free(nodes);
        }
        hwloc_bitmap_free(covered);
        for (int j = 0; j < k; j++)
            p->page_assumed |= page && chosen[j]->assumed;
        plan_emulator(x, p, chosen, k);
        plan_iothreads(x, p, chosen, k);
        free(chosen);
        char *nodes = cpulist_format(p->nodes);
        snprintf(p->summary, sizeof p->summary, "host node%s %s: the "
                 "domain's %d guest cell%s, %s", k > 1 ? "s" : "", nodes,
                 x->nucells, x->nucells > 1 ? "s" : "", x->nucells == 1
                 ? "on one node" : hwloc_bitmap_weight(p->nodes) >=
                 x->nucells ? "each on a host node of its own, the closest "
                 "set that holds them" : "more cells than free nodes: "
                 "cells share nodes");
        free(nodes);
    }
    for (int ci = 0; ci < x->nucells; ci++)
        hwloc_bitmap_free(multi[ci]);
    free(multi);
    free(a.order);
    free(a.node);
    free(a.best);
    free(a.capleft);
    free(a.memleft);
    return ok;
}
