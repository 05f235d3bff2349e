/*
 * plan.c - the placement decision shared by numa.place, cpu.pin,
 * cpu.emulator and numa.guest (see placement.h).
 *
 * Decision order (doc/rules.md repeats it):
 *  1. Leave alone domains that place themselves: <vcpupin>, <numatune>,
 *     <vcpu cpuset> (unless numa.place.override or cpu.pin.override), or
 *     placement='auto' (numad).
 *  2. Usable CPUs: online, not housekeeping (policy reserved_cpus, else the
 *     non-isolated CPUs when the host isolates some, else the first core
 *     of each node), not taken by an earlier domain of the run. Capacity of
 *     a core for pinned vCPUs: `prefer` its usable threads, `require` the
 *     same but only cores with two or more, `isolate` one vCPU on a core
 *     whose every thread is usable. Floating vCPUs (cpu.pin off): every
 *     usable CPU. Nodes without CPUs never get vCPUs.
 *  3. Memory per node: its size less numa.place.reserved_memory_mib less
 *     what earlier domains took; unknown size means "not a limit".
 *  4. Nodes: one node if it fits (pinned: the best fit, fewest usable CPUs
 *     left, then the lowest id; floating: the most free memory, then the
 *     lowest id); else the fewest nodes that fit together, with the
 *     smallest sum of pairwise distances, then the same tie-breaks. Sets
 *     are enumerated exactly while a size has at most 4096 of them, beyond
 *     that grown greedily from every seed node (nearest node next).
 *  5. Split: vCPUs proportionally to the nodes' capacity, in whole guest
 *     cores (SMT threads per core when the count allows); memory
 *     proportionally to the nodes' free memory (or to the vCPUs when that
 *     is unknown), in 2 MiB units, each within what its node has.
 *  6. CPUs within a node: inside one L3 domain when the node's share fits
 *     one (the fullest that fits), else whole L3 domains first; full cores
 *     first; consecutive vCPUs on the SMT siblings of one core.
 *  7. Emulator and iothreads: `share` on the housekeeping CPUs of the
 *     domain's nodes; `isolate` on one more whole free core of its nodes.
 */
#include "placement.h"
#include "hostdev_insert.h"
#include "place_search.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* A core of a node as placement sees it. */
typedef struct pcore {
    int core;               /* index in host.cores */
    int first;              /* its lowest CPU id (order) */
    int l3;                 /* L3 group index or -1 */
    int cap;                /* vCPUs it can take */
    int full;               /* every online thread is usable */
    int complete;           /* it has the host's full SMT width usable */
    hwloc_bitmap_t usable;  /* its usable CPUs */
} pcore;

/* A candidate host node. */
typedef struct pnode {
    int id, index;          /* OS id; index in host.nodes */
    int cap;                /* vCPUs it can take */
    long long mem_free;     /* KiB, LLONG_MAX when unknown, in the page
                               size being tried (set_page) */
    long long base_free;    /* KiB in ordinary pages, LLONG_MAX unknown */
    int assumed;            /* free hugepages unknown: total assumed */
    int ncores;
    pcore *cores;
} pnode;

/* Everything the decision reads, gathered once. */
typedef struct pctx {
    vt_rule_ctx *c;
    const vt_host *h;
    int pinned;
    enum vt_threads threads;
    int tpc;                /* SMT threads per core on this host */
    int vcpus;
    unsigned long long mem;
    unsigned long long page;    /* page size being tried; 0: ordinary */
    hwloc_bitmap_t avail;   /* usable CPUs */
    hwloc_const_bitmap_t must;  /* nodes the domain must span: those of
                                   its devices with affinity required */
    hwloc_bitmap_t prefer;  /* nodes of its PCI devices (hostdevs) */
    int nn;
    pnode *nodes;           /* CPU nodes with capacity > 0 */
    vt_place_cand *cands;   /* the same nodes as the search sees them */
    int *dm;                /* nn x nn distances between them (0 unknown):
                               the subset search reads them often */
} pctx;

/* --------------------------------------------------------------- state */

static void plan_free(void *data);
/* the plan, computed once per domain for the family */
static const vt_family placement_family = {
    sizeof(vt_place_plan), plan_free,
};

static void plan_free(void *data)
{
    vt_place_plan *p = data;
    for (int i = 0; i < p->ncells; i++)
        hwloc_bitmap_free(p->cells[i].cpus);
    free(p->cells);
    free(p->pin);
    hwloc_bitmap_free(p->nodes);
    hwloc_bitmap_free(p->emulator);
}

static void set_status(vt_place_plan *p, enum vt_place_status st, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));

static void set_status(vt_place_plan *p, enum vt_place_status st, const char *fmt,
                       ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof p->why, fmt, ap);
    va_end(ap);
    p->status = st;
}

/* ------------------------------------------------------ 1. leave alone */

/* Checks the CPU list in attribute ATTR of every element matched by
 * walking PARENT's NAME children; notes the first CPU the host lacks or
 * has offline in BAD. Returns 1 when one was found. */
static int bad_cpus(vt_rule_ctx *c, xmlNodePtr parent, const char *name,
                    const char *attr, char *bad, size_t n)
{
    for (xmlNodePtr e = r_child(parent, name); e; e = r_next(e, name)) {
        const char *v = r_attr(e, attr);
        hwloc_bitmap_t set = v ? cpulist_parse(v, CPULIST_LIBVIRT) : NULL;
        int cpu, found = 0;
        if (!set)
            continue;
        hwloc_bitmap_foreach_begin(cpu, set) {
            const vt_host_cpu *hc = host_cpu_by_id(r_host(c), cpu);
            if (!found && (!hc || !hc->online)) {
                snprintf(bad, n, "host CPU %d (<%s %s='%s'>), which is %s",
                         cpu, name, attr, v, hc ? "offline" : "not there");
                found = 1;
            }
        } hwloc_bitmap_foreach_end();
        hwloc_bitmap_free(set);
        if (found)
            return 1;
    }
    return 0;
}

static int bad_nodes(vt_rule_ctx *c, xmlNodePtr parent, const char *name,
                     char *bad, size_t n)
{
    for (xmlNodePtr e = r_child(parent, name); e; e = r_next(e, name)) {
        const char *v = r_attr(e, "nodeset");
        hwloc_bitmap_t set = v ? cpulist_parse(v, CPULIST_LIBVIRT) : NULL;
        int id, found = 0;
        if (!set)
            continue;
        hwloc_bitmap_foreach_begin(id, set) {
            if (!found && !host_node_by_id(r_host(c), id)) {
                snprintf(bad, n, "host NUMA node %d (<%s nodeset='%s'>), "
                         "which is not there", id, name, v);
                found = 1;
            }
        } hwloc_bitmap_foreach_end();
        hwloc_bitmap_free(set);
        if (found)
            return 1;
    }
    return 0;
}

/* 1 when the domain's own pins or nodesets name CPUs or nodes the host
 * lacks (or CPUs it has offline); BAD says which. */
static int kept_placement_broken(vt_rule_ctx *c, char *bad, size_t n)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr tune = r_child(root, "cputune");
    xmlNodePtr numatune = r_child(root, "numatune");
    return bad_cpus(c, tune, "vcpupin", "cpuset", bad, n) ||
           bad_cpus(c, tune, "emulatorpin", "cpuset", bad, n) ||
           bad_cpus(c, tune, "iothreadpin", "cpuset", bad, n) ||
           bad_cpus(c, root, "vcpu", "cpuset", bad, n) ||
           bad_nodes(c, numatune, "memory", bad, n) ||
           bad_nodes(c, numatune, "memnode", bad, n);
}

/* 1 when the domain's placement is not the tool's to choose (r_placement;
 * sets the why). */
static int self_placed(vt_rule_ctx *c, vt_place_plan *p)
{
    const char *what;
    enum vt_placement who = r_placement(c, &what);
    if (who == PLACEMENT_AUTO) {
        set_status(p, PLACE_AUTO, "placement='auto' hands placement to numad "
                   "at start-up; left alone (remove it to let vtune-xml "
                   "place the domain)");
        return 1;
    }
    if (who == PLACEMENT_TOOL)
        return 0;
    char bad[256];
    if (kept_placement_broken(c, bad, sizeof bad)) {
        set_status(p, PLACE_INFEASIBLE, "the domain sets its own placement "
                   "(%s) and it names %s: the domain cannot start on this "
                   "host; kept as set (numa.place.override=true replaces "
                   "it)", what, bad);
        return 1;
    }
    set_status(p, PLACE_KEPT, "the domain sets its own placement (%s); "
               "kept (set numa.place.override=true to replace it)", what);
    return 1;
}

/* ------------------------------------------------ 2-3. usable capacity */

static int max_threads_per_core(const vt_host *h)
{
    int t = 1;
    for (int k = 0; k < h->ncores; k++) {
        int n = 0;
        int cpu;
        hwloc_bitmap_foreach_begin(cpu, h->cores[k]) {
            const vt_host_cpu *hc = host_cpu_by_id(h, cpu);
            n += hc && hc->online;
        } hwloc_bitmap_foreach_end();
        if (n > t)
            t = n;
    }
    return t;
}

/* Capacity of core K for the policy; fills PC. */
static void core_capacity(const pctx *x, int k, pcore *pc)
{
    const vt_host *h = x->h;
    pc->core = k;
    pc->first = hwloc_bitmap_first(h->cores[k]);
    const vt_host_cpu *fc = host_cpu_by_id(h, pc->first);
    pc->l3 = fc ? fc->l3 : -1;
    pc->usable = hwloc_bitmap_dup(h->cores[k]);
    hwloc_bitmap_and(pc->usable, pc->usable, x->avail);
    int online = 0, cpu;
    hwloc_bitmap_foreach_begin(cpu, h->cores[k]) {
        const vt_host_cpu *hc = host_cpu_by_id(h, cpu);
        online += hc && hc->online;
    } hwloc_bitmap_foreach_end();
    int u = hwloc_bitmap_weight(pc->usable);
    pc->full = u > 0 && u == online;
    pc->complete = u == x->tpc;
    if (!x->pinned)
        pc->cap = u;
    else if (x->threads == THREADS_ISOLATE)
        pc->cap = pc->full ? 1 : 0;
    else if (x->threads == THREADS_REQUIRE)
        pc->cap = u >= 2 ? u : 0;
    else
        pc->cap = u;
}

static int cmp_pcore(const void *a, const void *b)
{
    const pcore *p = a, *q = b;
    return p->first - q->first;
}

static void free_nodes(pctx *x)
{
    for (int i = 0; i < x->nn; i++) {
        for (int k = 0; k < x->nodes[i].ncores; k++)
            hwloc_bitmap_free(x->nodes[i].cores[k].usable);
        free(x->nodes[i].cores);
    }
    free(x->nodes);
    free(x->dm);
    free(x->cands);
    hwloc_bitmap_free(x->avail);
    hwloc_bitmap_free(x->prefer);
}

/* The nodes of the domain's assigned PCI devices, and those it must span
 * (hostdev.insert's affinity required). */
static void device_nodes(pctx *x)
{
    vt_rule_ctx *c = x->c;
    x->must = hostdev_required_nodes(c);
    x->prefer = hwloc_bitmap_alloc();
    xmlNodePtr dev = r_child(r_root(c), "devices");
    for (xmlNodePtr e = dev ? dev->children : NULL; e; e = e->next) {
        char a[16];
        if (pciaddr_assigned(e, a) < 0)
            continue;
        for (int i = 0; i < x->h->npci; i++)
            if (!strcmp(x->h->pci[i].addr, a) && x->h->pci[i].node >= 0)
                hwloc_bitmap_set(x->prefer, (unsigned)x->h->pci[i].node);
    }
}

/* Gathers the usable CPUs and the candidate nodes. */
static void gather(pctx *x)
{
    vt_rule_ctx *c = x->c;
    const vt_host *h = x->h;
    x->avail = hwloc_bitmap_alloc();
    for (int i = 0; i < h->ncpus; i++)
        if (h->cpus[i].online)
            hwloc_bitmap_set(x->avail, (unsigned)h->cpus[i].id);
    hwloc_bitmap_andnot(x->avail, x->avail, r_housekeeping(c));
    hwloc_bitmap_andnot(x->avail, x->avail, r_usage(c)->cpus);

    long reserve = r_int_of(c, RULE_numa_place, "reserved_memory_mib") * 1024L;
    /* the cores of each node, from their CPUs' nodes (a core is in every
     * node one of its CPUs is in): one pass over the CPUs, not a bitmap
     * test per node and core */
    int *nc = xcalloc((size_t)h->nnodes, sizeof *nc);
    int *ncore = xcalloc((size_t)h->nnodes * (size_t)(h->ncores ? h->ncores : 1),
                         sizeof *ncore);
    for (int k = 0; k < h->ncores; k++) {
        int id = -1;
        while ((id = hwloc_bitmap_next(h->cores[k], id)) != -1) {
            const vt_host_cpu *cpu = host_cpu_by_id(h, id);
            int n = cpu ? host_node_index(h, cpu->node) : -1;
            if (n < 0)
                continue;
            if (nc[n] == 0 || ncore[(size_t)n * h->ncores + nc[n] - 1] != k)
                ncore[(size_t)n * h->ncores + nc[n]++] = k;
        }
    }
    x->nodes = xcalloc((size_t)h->nnodes, sizeof *x->nodes);
    for (int n = 0; n < h->nnodes; n++) {
        const vt_host_node *hn = &h->nodes[n];
        pnode pn = {.id = hn->id, .index = n, .mem_free = LLONG_MAX};
        if (hn->mem_kib >= 0) {
            /* hugepage pools are carved out of the node's memory */
            long long pools = 0;
            for (int i = 0; i < hn->npages; i++)
                if (hn->pages[i].size_kib > 4 && hn->pages[i].total > 0)
                    pools += hn->pages[i].total * (long long)hn->pages[i].size_kib;
            pn.mem_free = hn->mem_kib - reserve - pools -
                          r_usage(c)->mem_kib[n];
        }
        pn.base_free = pn.mem_free;
        pn.cores = xcalloc((size_t)(nc[n] ? nc[n] : 1), sizeof *pn.cores);
        for (int j = 0; j < nc[n]; j++) {
            int k = ncore[(size_t)n * h->ncores + j];
            pcore pc;
            core_capacity(x, k, &pc);
            if (pc.cap <= 0) {
                hwloc_bitmap_free(pc.usable);
                continue;
            }
            pn.cores[pn.ncores++] = pc;
            pn.cap += pc.cap;
        }
        qsort(pn.cores, (size_t)pn.ncores, sizeof *pn.cores, cmp_pcore);
        if (pn.cap > 0)
            x->nodes[x->nn++] = pn;
        else
            free(pn.cores);
    }
    free(nc);
    free(ncore);
    x->cands = xcalloc((size_t)(x->nn ? x->nn : 1), sizeof *x->cands);
    for (int i = 0; i < x->nn; i++)
        x->cands[i] = (vt_place_cand){x->nodes[i].id, x->nodes[i].cap,
                                      x->nodes[i].mem_free};
    x->dm = xmalloc((size_t)(x->nn ? x->nn * x->nn : 1) * sizeof *x->dm);
    for (int a = 0; a < x->nn; a++)
        for (int b = 0; b < x->nn; b++) {
            int d = host_distance(h, x->nodes[a].id, x->nodes[b].id);
            x->dm[a * x->nn + b] = d < 0 ? 0 : d;
        }
}

/* Sets every candidate node's free memory for pages of PAGE KiB (0: the
 * ordinary pages): its free hugepages of that size after the run so far. */
static void set_page(pctx *x, unsigned long long page)
{
    x->page = page;
    for (int i = 0; i < x->nn; i++) {
        pnode *pn = &x->nodes[i];
        pn->assumed = 0;
        pn->mem_free = page ? usage_pages_free(r_usage(x->c), x->h, pn->index,
                                               page, &pn->assumed) *
                                  (long long)page
                            : pn->base_free;
        x->cands[i].mem_free = pn->mem_free;
    }
}

/* The search over the candidates for the page size set last. */
static int choose_nodes(const pctx *x, int *best)
{
    vt_place_search s = {
        .nn = x->nn, .nodes = x->cands, .dm = x->dm, .vcpus = x->vcpus,
        .mem = x->mem, .must = x->must, .prefer = x->prefer,
        .pack = x->pinned,
    };
    return place_search(&s, best);
}

/* ------------------------------------------------------------ 6. CPUs */

static int group_cap(const pnode *pn, int l3)
{
    int cap = 0;
    for (int k = 0; k < pn->ncores; k++)
        if (pn->cores[k].l3 == l3)
            cap += pn->cores[k].cap;
    return cap;
}

/* Takes cores of L3 group L3 (complete cores first, so that consecutive
 * vCPUs land on siblings) for up to *NEED vCPUs,
 * assigning vCPUs from *V; marks the cores used. */
static void take_group(pnode *pn, int l3, int *need, int *v,
                       int *pin, hwloc_bitmap_t cellcpus)
{
    for (int pass = 0; pass < 2 && *need > 0; pass++)
        for (int k = 0; k < pn->ncores && *need > 0; k++) {
            pcore *pc = &pn->cores[k];
            if (pc->l3 != l3 || pc->cap <= 0 || pc->complete != !pass)
                continue;
            int take = 0, cpu;
            hwloc_bitmap_foreach_begin(cpu, pc->usable) {
                if (take == pc->cap || *need == 0)
                    break;
                pin[(*v)++] = cpu;
                hwloc_bitmap_set(cellcpus, (unsigned)cpu);
                take++;
                (*need)--;
            } hwloc_bitmap_foreach_end();
            pc->cap = 0;    /* the whole core is this domain's */
        }
}

/* Pins NEED vCPUs from *V on node PN, inside one L3 domain if they fit. */
static void pick_cpus(pnode *pn, int need, int *v, int *pin,
                      hwloc_bitmap_t cellcpus)
{
    while (need > 0) {
        int best = INT_MIN, bestcap = 0, largest = INT_MIN, largecap = 0;
        for (int k = 0; k < pn->ncores; k++) {
            int l3 = pn->cores[k].l3;
            if (pn->cores[k].cap <= 0 || l3 == best || l3 == largest)
                continue;
            int cap = group_cap(pn, l3);
            if (cap >= need && (best == INT_MIN || cap < bestcap)) {
                best = l3;
                bestcap = cap;
            }
            if (cap > largecap) {
                largest = l3;
                largecap = cap;
            }
        }
        if (best == INT_MIN && largest == INT_MIN)
            return;     /* cannot happen: the node's capacity was checked */
        take_group(pn, best != INT_MIN ? best : largest, &need, v, pin,
                   cellcpus);
    }
}

/* ------------------------------------------------------ 7. emulator */

static void place_emulator(pctx *x, vt_place_plan *p, pnode **chosen, int k)
{
    vt_rule_ctx *c = x->c;
    if (!r_rule_on(c, RULE_cpu_emulator))
        return;
    if (r_choice_of(c, RULE_cpu_emulator, "policy") == EMULATOR_ISOLATE &&
        x->pinned) {
        for (int i = 0; i < k; i++)
            for (int j = 0; j < chosen[i]->ncores; j++) {
                pcore *pc = &chosen[i]->cores[j];
                if (pc->cap > 0 && pc->full) {
                    p->emulator = hwloc_bitmap_dup(pc->usable);
                    p->emulator_isolated = 1;
                    pc->cap = 0;
                    return;
                }
            }
        snprintf(p->emu_why, sizeof p->emu_why, "no whole free core is "
                 "left on the domain's nodes for an isolated emulator; it "
                 "shares the housekeeping CPUs instead");
    }
    hwloc_bitmap_t hk = hwloc_bitmap_dup(r_housekeeping(c));
    hwloc_bitmap_t local = hwloc_bitmap_alloc();
    for (int i = 0; i < p->ncells; i++) {
        const vt_host_node *hn = host_node_by_id(x->h, p->cells[i].node);
        if (hn)
            hwloc_bitmap_or(local, local, hn->cpus);
    }
    hwloc_bitmap_t online = hwloc_bitmap_alloc();
    for (int i = 0; i < x->h->ncpus; i++)
        if (x->h->cpus[i].online)
            hwloc_bitmap_set(online, (unsigned)x->h->cpus[i].id);
    hwloc_bitmap_and(hk, hk, online);
    hwloc_bitmap_and(local, local, hk);
    if (!hwloc_bitmap_iszero(local)) {
        p->emulator = hwloc_bitmap_dup(local);
    } else if (!hwloc_bitmap_iszero(hk)) {
        p->emulator = hwloc_bitmap_dup(hk);
        if (!p->emu_why[0])
            snprintf(p->emu_why, sizeof p->emu_why, "the domain's nodes have "
                     "no housekeeping CPU; the emulator uses those of other "
                     "nodes");
    } else if (!p->emu_why[0]) {
        snprintf(p->emu_why, sizeof p->emu_why, "the host has no "
                 "housekeeping CPU (reserved_cpus is empty): the emulator "
                 "is left unpinned");
    }
    hwloc_bitmap_free(hk);
    hwloc_bitmap_free(local);
    hwloc_bitmap_free(online);
}

/* ----------------------------------------------------------- compute */

static void describe_shortage(pctx *x, vt_place_plan *p)
{
    long long cap = 0, mem = 0, best = 0;
    int mem_known = 1;
    for (int i = 0; i < x->nn; i++) {
        cap += x->nodes[i].cap;
        if (x->nodes[i].mem_free == LLONG_MAX)
            mem_known = 0;
        else if (x->nodes[i].mem_free > 0)
            mem += x->nodes[i].mem_free;
        if (x->nodes[i].cap > best)
            best = x->nodes[i].cap;
    }
    char memtxt[128] = "";
    if (mem_known)
        snprintf(memtxt, sizeof memtxt, ", %lld MiB of memory free for its "
                 "%llu MiB", mem / 1024, x->mem / 1024);
    set_status(p, PLACE_INFEASIBLE, "does not fit: %d vCPUs need as many "
               "dedicated CPUs under thread policy %s; the host has %lld "
               "usable (at most %lld on one node) after the housekeeping "
               "CPUs and earlier domains%s; the domain is left unpinned",
               x->vcpus, r_str_of(x->c, RULE_cpu_pin, "threads"), cap, best,
               memtxt);
}

int place_huge_sizes(vt_rule_ctx *c, unsigned long long mem,
                     unsigned long long *sizes)
{
    int n = 0;
    long min1g = r_int_of(c, RULE_mem_hugepages, "min_1g_gib");
    if (r_bool_of(c, RULE_mem_hugepages, "use_1g") &&
        mem >= (unsigned long long)min1g << 20 && mem % (1 << 20) == 0)
        sizes[n++] = 1 << 20;
    if (r_bool_of(c, RULE_mem_hugepages, "use_2m") && mem % 2048 == 0 &&
        mem > 0)
        sizes[n++] = 2048;
    return n;
}

/* The page sizes placement tries, largest first: the hugepage sizes when
 * mem.hugepages runs, then ordinary pages (0). Returns how many. */
static int page_candidates(const pctx *x, unsigned long long *cands)
{
    int n = r_rule_on(x->c, RULE_mem_hugepages)
                ? place_huge_sizes(x->c, x->mem, cands) : 0;
    cands[n++] = 0;
    return n;
}

static void compute(vt_rule_ctx *c, vt_place_plan *p)
{
    if (self_placed(c, p))
        return;
    const vt_host *h = r_host(c);
    pctx x = {
        .c = c, .h = h, .pinned = r_rule_on(c, RULE_cpu_pin),
        .vcpus = r_domain(c)->vcpus, .mem = r_domain(c)->memory_kib,
    };
    x.threads = (enum vt_threads)r_choice_of(c, RULE_cpu_pin, "threads");
    x.tpc = max_threads_per_core(h);
    if (x.pinned && x.threads == THREADS_REQUIRE && x.tpc < 2) {
        set_status(p, PLACE_INFEASIBLE, "thread policy 'require' needs SMT "
                   "siblings and this host has one thread per core; the "
                   "domain is left unpinned (use threads=prefer)");
        return;
    }
    if (r_child(r_child(r_root(c), "cpu"), "numa")) {
        set_status(p, PLACE_KEPT, "the domain defines its own guest NUMA "
                   "cells; vtune-xml does not place domains with given cells "
                   "yet, so it is left unpinned");
        return;
    }
    gather(&x);
    device_nodes(&x);
    int *set = xmalloc((size_t)(x.nn ? x.nn : 1) * sizeof *set);
    int *tryset = xmalloc((size_t)(x.nn ? x.nn : 1) * sizeof *tryset);
    /* the page sizes to try, largest first; ordinary pages last */
    unsigned long long cands[3];
    int nc = page_candidates(&x, cands);
    p->page_wanted = nc > 1 ? cands[0] : 0;
    int k = 0;
    unsigned long long page = 0;
    for (int i = 0; i < nc && x.nn; i++) {
        set_page(&x, cands[i]);
        int kk = choose_nodes(&x, tryset);
        if (kk && (!k || kk < k)) {   /* fewer nodes wins; ties: larger */
            k = kk;
            page = cands[i];
            memcpy(set, tryset, (size_t)kk * sizeof *set);
        }
    }
    free(tryset);
    set_page(&x, page);
    if (!k) {
        describe_shortage(&x, p);
        free(set);
        free_nodes(&x);
        return;
    }
    p->page_kib = page;
    for (int i = 0; i < k; i++)
        p->page_assumed |= x.nodes[set[i]].assumed;
    pnode **chosen = xmalloc((size_t)k * sizeof *chosen);
    long long *w = xmalloc((size_t)k * sizeof *w), *lim = xmalloc((size_t)k * sizeof *lim),
              *vshare = xmalloc((size_t)k * sizeof *vshare),
              *mshare = xmalloc((size_t)k * sizeof *mshare);
    for (int i = 0; i < k; i++)
        chosen[i] = &x.nodes[set[i]];

    /* vCPUs in whole guest cores where the count allows */
    int g = (x.pinned && x.threads != THREADS_ISOLATE && x.vcpus % x.tpc == 0)
                ? x.tpc : 1;
    for (int i = 0; i < k; i++) {
        w[i] = chosen[i]->cap;
        lim[i] = chosen[i]->cap / g;
    }
    if (k > 1 && place_split(x.vcpus / g, k, w, lim, vshare) < 0) {
        g = 1;
        for (int i = 0; i < k; i++)
            lim[i] = chosen[i]->cap;
        place_split(x.vcpus, k, w, lim, vshare);
    } else if (k == 1) {
        vshare[0] = x.vcpus / g;
    }
    /* memory in whole pages: the hugepage size, else 2 MiB units (or KiB
     * when the size is not a multiple) */
    long long unit = page ? (long long)page : x.mem % 2048 == 0 ? 2048 : 1;
    int known = 1;
    for (int i = 0; i < k; i++)
        known &= chosen[i]->mem_free != LLONG_MAX;
    for (int i = 0; i < k; i++) {
        w[i] = known ? (chosen[i]->mem_free > 0 ? chosen[i]->mem_free : 0)
                     : vshare[i];
        lim[i] = known ? w[i] / unit : (long long)x.mem / unit;
    }
    if (place_split((long long)x.mem / unit, k, w, lim, mshare) < 0) {
        describe_shortage(&x, p);
        goto out;
    }

    p->pinned = x.pinned;
    p->cells = xcalloc((size_t)k, sizeof *p->cells);
    p->pin = xcalloc((size_t)x.vcpus, sizeof *p->pin);
    p->nodes = hwloc_bitmap_alloc();
    int v = 0;
    for (int i = 0; i < k; i++) {
        hwloc_bitmap_set(p->nodes, (unsigned)chosen[i]->id);
        if (vshare[i] == 0) {
            /* a node chosen for its memory only: fewer vCPUs than nodes */
            p->mem_spread = 1;
            continue;
        }
        vt_place_cell *cell = &p->cells[p->ncells++];
        cell->node = chosen[i]->id;
        cell->first_vcpu = v;
        cell->nvcpus = (int)(vshare[i] * g);
        cell->mem_kib = (unsigned long long)(mshare[i] * unit);
        cell->cpus = hwloc_bitmap_alloc();
        if (x.pinned) {
            pick_cpus(chosen[i], cell->nvcpus, &v, p->pin, cell->cpus);
        } else {
            for (int j = 0; j < chosen[i]->ncores; j++)
                hwloc_bitmap_or(cell->cpus, cell->cpus,
                                chosen[i]->cores[j].usable);
            v += cell->nvcpus;
        }
    }
    place_emulator(&x, p, chosen, k);
    char *nodes = cpulist_format(p->nodes);
    snprintf(p->summary, sizeof p->summary, "host node%s %s: %s",
             k > 1 ? "s" : "", nodes, k == 1 ? "the domain fits one node"
             : "no single node holds it; the fewest, closest nodes that do");
    free(nodes);
    p->status = PLACE_OK;
out:
    free(chosen);
    free(w);
    free(lim);
    free(vshare);
    free(mshare);
    free(set);
    free_nodes(&x);
}

const vt_place_plan *place_get(vt_rule_ctx *c)
{
    vt_place_plan *p = r_state(c, &placement_family);
    if (p->status == PLACE_NONE)
        compute(c, p);
    return p;
}

int place_ok(vt_rule_ctx *c, const vt_place_plan *p)
{
    if (p->status == PLACE_OK)
        return 1;
    vt_place_plan *plan = r_state(c, &placement_family);   /* P itself */
    if (!plan->reported) {
        plan->reported = 1;
        r_finding(c, p->status == PLACE_INFEASIBLE ? SEV_INFEASIBLE : SEV_INFO,
                  NULL, NULL, "%s", p->why);
    }
    return 0;
}
