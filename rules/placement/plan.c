/*
 * plan.c - the placement decision shared by numa.place, cpu.pin,
 * cpu.emulator and numa.guest (see placement.h); doc/rules.md
 * (numa.place) repeats it for users.
 *
 * Decision order:
 *  1. Leave alone domains that place themselves (r_placement): their own
 *     <vcpupin>, <numatune> or <vcpu cpuset> unless numa.place.override
 *     or cpu.pin.override, or placement='auto' (numad).
 *  2. CPU pools (pools.h): pinned vCPUs (cpu.pin) take dedicated CPUs:
 *     online, not housekeeping, in cores no other domain of the run or
 *     the connection has dedicated or floats over (isolated CPUs are for
 *     them). Capacity of a core: `prefer` its usable threads, `require`
 *     the same but only cores with two or more, `isolate` one vCPU on a
 *     core whose every thread is usable. Floating vCPUs (cpu.pin off) may
 *     use the housekeeping and shared CPUs of their nodes: never isolated
 *     ones, never ones dedicated to another domain. Nodes without CPUs
 *     never get vCPUs; with numa.place.memory_only_nodes=use they may give
 *     memory.
 *  3. Memory per node: its size less numa.place.reserved_memory_mib, less
 *     the hugepage pools carved out of it, less what earlier domains took
 *     (place_node_room); in a hugepage size, its free pages of that size
 *     after the run so far. Unknown size is not a limit. A node with not
 *     one unit free in the size takes no vCPUs in it.
 *  4. One search over (node set, page size): the sizes the domain names,
 *     else the host's hugepage sizes mem.hugepages allows (largest first)
 *     and ordinary pages; per size the fewest nodes that hold the vCPUs
 *     and the memory in whole pages (place_search: devices' nodes first,
 *     then the smallest total distance, then the memory on nodes with
 *     CPUs, then pinned: the best fit, floating: the most free memory,
 *     then the lowest ids). Fewest nodes wins, the larger page on a tie:
 *     a domain one node holds with any allowed page size is never split.
 *     When no size holds it, the hugepage sizes again as if the nodes
 *     reserved pages from their ordinary memory.
 *  5. Split: vCPUs proportionally to the nodes' capacity in whole guest
 *     cores (SMT threads per core when the count allows), the cores with
 *     online vCPUs (<vcpu current>) first in every cell; memory as the
 *     vCPUs, each node within its free memory, in whole pages of the
 *     chosen size (2 MiB units for ordinary memory, the wanted page size
 *     when hugepages fell back to ordinary pages, 256 MiB on pseries);
 *     every cell with vCPUs gets memory, DIMMs take room in their cell.
 *     When a split fails, the next (set, size).
 *  6. CPUs within a node (cpus.c): inside one L3 domain when the node's
 *     share fits one (the fullest that fits), else whole L3 domains first;
 *     full cores first; consecutive vCPUs on the SMT siblings of one core.
 *  7. Emulator and iothreads (cpus.c): `share` on the housekeeping CPUs of
 *     the domain's nodes (else of its package, else the host's); `isolate`
 *     on one more whole free core of its nodes.
 *  8. Iothreads (iothreads.c): with cpu.emulator.iothreads=own (the
 *     throughput profile's default) and pinned vCPUs, one CPU each on the
 *     free cores left after steps 6-7, at most two per core: on their
 *     storage's node when known, else the domain's nodes; the rest share
 *     step 7's CPUs.
 * Pinned vCPUs that find no dedicated CPUs float over the shared pool of
 * their nodes instead (a finding of cpu.pin, exit 5 with --strict); with
 * no shared CPU left either, the domain does not fit: its vCPUs are
 * confined to the shared CPUs, overcommitted (confine_unplaced), so that
 * they never float over another domain's dedicated CPUs. A domain with its own guest cells puts each cell on a host
 * node (user_cells.c).
 */
#include "plan_ctx.h"
#include "hostdev_insert.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------------- state */

static void plan_free(void *data);
/* the plan, computed once per domain for the family */
static const vt_family placement_family = {
    sizeof(vt_place_plan), plan_free,
};

static void plan_free(void *data)
{
    vt_place_plan *p = data;
    for (int i = 0; i < p->ncells; i++) {
        hwloc_bitmap_free(p->cells[i].cpus);
        hwloc_bitmap_free(p->cells[i].vcpus);
        hwloc_bitmap_free(p->cells[i].nodes);
    }
    free(p->cells);
    free(p->pin);
    hwloc_bitmap_free(p->nodes);
    hwloc_bitmap_free(p->confine);
    hwloc_bitmap_free(p->emulator);
    free(p->io);
}

static void set_status(vt_place_plan *p, enum vt_place_status st,
                       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_status(vt_place_plan *p, enum vt_place_status st,
                       const char *fmt, ...)
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

/* Capacity of core K for the mode; fills PC. */
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
    hwloc_bitmap_free(x->memonly_skipped);
    x->nodes = NULL;
    x->dm = NULL;
    x->cands = NULL;
    x->avail = x->prefer = x->memonly_skipped = NULL;
    x->nn = 0;
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
        const vt_host_pci *d = host_pci_by_addr(x->h, a);
        if (d && d->node >= 0)
            hwloc_bitmap_set(x->prefer, (unsigned)d->node);
    }
}

/* PAGES pages of PAGE KiB, in KiB: multiplied in unsigned long long,
 * checked, LLONG_MAX beyond (host_finish bounds every pool so that it is
 * not reached; a sum of them must not wrap either way). */
static long long kib_of(long long pages, unsigned long long page)
{
    unsigned long long kib;
    if (pages <= 0)
        return 0;
    if (__builtin_mul_overflow((unsigned long long)pages, page, &kib) ||
        kib > (unsigned long long)LLONG_MAX)
        return LLONG_MAX;
    return (long long)kib;
}

long long place_node_room(vt_rule_ctx *c, int n)
{
    const vt_host *h = r_host(c);
    const vt_host_node *hn = &h->nodes[n];
    if (hn->mem_kib < 0)
        return LLONG_MAX;
    /* hugepage pools are carved out of the node's memory; the base page
     * "pool" is the ordinary memory itself */
    uint64_t base = host_base_page(h);
    long long pools = host_node_pools_kib(h, n);
    long long reserve = r_int_of(c, RULE_numa_place, "reserved_memory_mib")
                        * 1024LL;
    const vt_usage *u = r_usage(c);
    long long room = hn->mem_kib - reserve - pools - u->mem_kib[n];
    /* where the snapshot measured the node's free memory (the live host:
     * MemFree and the reclaimable caches of nodeN/meminfo), what the
     * host's own processes use is not there either; the domains running
     * now are in neither, but the memory a running domain of the run
     * holds is its own again when it restarts tuned */
    for (int i = 0; i < hn->npages; i++)
        if (hn->pages[i].size_kib == base && hn->pages[i].free >= 0) {
            long long measured = kib_of(hn->pages[i].free, base) - reserve
                                 + u->held_mem_kib[n]
                                 - (u->mem_kib[n] - u->running_mem_kib[n]);
            if (measured < room)
                room = measured;
        }
    return room;
}

/* The CPUs the mode may use: dedicated ones for pinned vCPUs, the
 * floating pool for floating ones, the shared pool for a fallback. */
static hwloc_bitmap_t mode_cpus(const pctx *x)
{
    const vt_pools *pools = r_pools(x->c);
    const vt_usage *u = r_usage(x->c);
    if (x->pinned)
        return pools_dedicable(pools, u->cpus, u->floating);
    if (x->fallback)
        return pools_shared(pools, u->cpus);
    return pools_floating(pools, u->cpus);
}

/* Gathers the usable CPUs and the candidate nodes for the mode. */
static void gather(pctx *x)
{
    vt_rule_ctx *c = x->c;
    const vt_host *h = x->h;
    x->avail = mode_cpus(x);
    int memonly = r_choice_of(c, RULE_numa_place, "memory_only_nodes");
    x->memonly_skipped = hwloc_bitmap_alloc();
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
        pnode pn = {.id = hn->id, .index = n};
        pn.room = place_node_room(c, n);
        pn.mem_free = pn.room;
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
        pn.memonly = hwloc_bitmap_iszero(hn->cpus);
        if (pn.memonly && memonly != MEMONLY_USE)
            hwloc_bitmap_set(x->memonly_skipped, (unsigned)hn->id);
        if (pn.cap > 0 || (pn.memonly && memonly == MEMONLY_USE))
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
    device_nodes(x);
}

/* Whole UNITs of KIB (LLONG_MAX stays unknown). */
static long long whole(long long kib, long long unit)
{
    if (kib == LLONG_MAX)
        return kib;
    return kib > 0 ? kib / unit * unit : 0;
}

void plan_set_page(pctx *x, unsigned long long page, long long unit)
{
    x->page = page;
    x->unit = unit;
    for (int i = 0; i < x->nn; i++) {
        pnode *pn = &x->nodes[i];
        pn->assumed = 0;
        if (!page) {
            pn->mem_free = whole(pn->room, unit);
        } else {
            long long pages = usage_pages_free(r_usage(x->c), x->h, pn->index,
                                               page, &pn->assumed);
            if (x->reservable && pn->room != LLONG_MAX && pn->room > 0 &&
                host_has_huge_size(x->h, page))
                pages += pn->room / (long long)page;
            pn->mem_free = kib_of(pages, page);
        }
        /* a node with not one unit of memory free in this size takes no
         * vCPUs: their guest cell would have no memory */
        pn->ecap = pn->mem_free == LLONG_MAX || pn->mem_free >= unit
                   ? pn->cap : 0;
        x->cands[i].mem_free = pn->mem_free;
        x->cands[i].cap = pn->ecap;
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

/* ------------------------------------------------------- 4. page sizes */

int place_sizes_text(const vt_host *h, char *buf, size_t n, int *assumed)
{
    uint64_t sizes[8];
    int k = host_huge_sizes(h, sizes, 8, assumed);
    size_t at = 0;
    char name[24];
    snprintf(buf, n, "none");
    for (int i = 0; i < k && at + 24 < n; i++)
        at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "",
                               units_name(sizes[i], name, sizeof name));
    return k;
}

int place_huge_sizes(vt_rule_ctx *c, unsigned long long mem,
                     unsigned long long *sizes)
{
    uint64_t host[8];
    int nh = host_huge_sizes(r_host(c), host, 8, NULL), n = 0;
    int use_1g = r_bool_of(c, RULE_mem_hugepages, "use_1g");
    int use_2m = r_bool_of(c, RULE_mem_hugepages, "use_2m");
    for (int i = 0; i < nh; i++) {
        if (!mem || mem % host[i] || !(host[i] >= 1048576 ? use_1g : use_2m))
            continue;
        sizes[n++] = host[i];
    }
    return n;
}

/* The domain's <hugepages>, unless mem.hugepages chooses anew
 * (override). */
static xmlNodePtr user_hugepages(vt_rule_ctx *c)
{
    if (r_rule_on(c, RULE_mem_hugepages) &&
        r_bool_of(c, RULE_mem_hugepages, "override"))
        return NULL;
    return r_child(r_child(r_root(c), "memoryBacking"), "hugepages");
}

/* The page size the domain names for its memory (its <hugepages><page>
 * without nodeset, or a bare <hugepages/>: the host's smallest hugepage
 * size, the kernel's default), or 0. */
static unsigned long long user_page(vt_rule_ctx *c, int *named)
{
    xmlNodePtr hp = user_hugepages(c);
    *named = hp != NULL;
    if (!hp)
        return 0;
    for (xmlNodePtr pg = r_child(hp, "page"); pg; pg = r_next(pg, "page")) {
        unsigned long long kib;
        const char *size = r_attr(pg, "size");
        if (!r_attr(pg, "nodeset") && size &&
            units_kib(size, r_attr(pg, "unit"), &kib) == 0 && kib)
            return kib;
    }
    if (r_child(hp, "page"))
        return 0;           /* sizes per cell only: user_cells.c */
    uint64_t sizes[8];
    int n = host_huge_sizes(r_host(c), sizes, 8, NULL);
    return n ? sizes[n - 1] : 2048;
}

/* The page sizes to try, largest first: the domain's size, else the
 * hugepage sizes then ordinary pages (0). Returns how many. */
static int page_candidates(pctx *x, unsigned long long *cands, int *user)
{
    int named;
    unsigned long long u = user_page(x->c, &named);
    *user = named && u;
    if (*user) {
        cands[0] = u;
        return 1;
    }
    int n = 0;
    if (r_rule_on(x->c, RULE_mem_hugepages) && !named)
        n = place_huge_sizes(x->c, x->mem, cands);
    cands[n++] = 0;
    return n;
}

/* ------------------------------------------------------------ shortage */

static const char *threads_name(enum vt_threads t)
{
    return t == THREADS_ISOLATE ? "isolate" : t == THREADS_REQUIRE
                                              ? "require" : "prefer";
}

/* Returns 1 when what is short is the CPUs alone (the memory would fit). */
static int describe_shortage(pctx *x, vt_place_plan *p, int wanted_pins)
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
    char only[160] = "", in[128] = "", size[24], short_by[224] = "";
    if (x->page)
        snprintf(in, sizeof in, " in %s pages%s%s",
                 units_name(x->page, size, sizeof size), p->page_user
                 ? " (the domain's size)" : "", x->reservable
                 ? ", pages the nodes could reserve included" : "");
    /* in a page size: how many more pages would hold it, and who says
     * how to reserve them */
    if (x->page && p->page_user && mem_known && mem < (long long)x->mem)
        snprintf(short_by, sizeof short_by, " (%llu more %s pages would "
                 "hold it%s)", ((unsigned long long)((long long)x->mem - mem)
                                + x->page - 1) / x->page, size,
                 r_rule_on(x->c, RULE_mem_hugepages) ? ""
                 : "; mem.hugepages, of the latency, throughput and "
                   "realtime profiles, gives the commands that reserve "
                   "them");
    if (!hwloc_bitmap_iszero(x->memonly_skipped)) {
        char *ids = cpulist_format(x->memonly_skipped);
        snprintf(only, sizeof only, "; memory-only node%s %s (HBM, CXL) "
                 "not used for memory (numa.place.memory_only_nodes=use "
                 "allows it)", hwloc_bitmap_weight(x->memonly_skipped) > 1
                 ? "s" : "", ids);
        free(ids);
    }
    /* what is short: the CPUs, else the memory, else their combination
     * (no node set holds both, or the devices' nodes) */
    char cpus[320];
    if (wanted_pins)
        snprintf(cpus, sizeof cpus, "%d vCPUs need as many dedicated CPUs "
                 "under thread policy %s, or shared CPUs to float over; the "
                 "host has %lld shared CPU%s left (at most %lld on one node) "
                 "after the housekeeping, isolated and dedicated CPUs",
                 x->vcpus, threads_name(x->threads), cap, cap == 1 ? "" : "s",
                 best);
    else
        snprintf(cpus, sizeof cpus, "%d vCPUs float over as many CPUs, and "
                 "the host has %lld it may float over (at most %lld on one "
                 "node) after isolated and dedicated CPUs", x->vcpus, cap,
                 best);
    if (x->page && !host_has_huge_size(x->h, x->page)) {
        char list[96];
        int assumed;
        place_sizes_text(x->h, list, sizeof list, &assumed);
        set_status(p, PLACE_INFEASIBLE, "does not fit: the domain names %s "
                   "pages and the host has none (%s %s%s); left as written",
                   units_name(x->page, size, sizeof size), assumed
                   ? "its source lists no pools; the CPU allows" : "its "
                   "hugepage sizes are", list,
                   x->page == 1048576 && r_x86(x->c) &&
                   host_has_flag(x->h, "pdpe1gb") == 0
                   ? ": the CPU lacks pdpe1gb" : "");
    } else if (cap < x->vcpus) {
        set_status(p, PLACE_INFEASIBLE, "does not fit: %s%s; left as "
                   "written", cpus, only);
        return !mem_known || mem >= (long long)x->mem;
    } else if (mem_known && mem < (long long)x->mem)
        set_status(p, PLACE_INFEASIBLE, "does not fit: its %llu MiB of "
                   "memory, and the nodes that have CPUs for it hold %lld "
                   "MiB free%s, after the reserve and what other domains "
                   "take%s%s; left as written", x->mem / 1024, mem / 1024,
                   in, short_by, only);
    else
        set_status(p, PLACE_INFEASIBLE, "does not fit: the host has the "
                   "CPUs (%lld for its %d vCPUs) and the memory in total, "
                   "but no set of nodes has both%s%s; left as written", cap,
                   x->vcpus, x->must && !hwloc_bitmap_iszero(x->must)
                   ? " and the nodes its devices must use"
                   : "", only);
    return 0;
}

/* ------------------------------------------------------------ 5. split */

/* The order in which vCPUs go to cells of SHARE[i] guest cores of G
 * threads (guest core j is vCPUs j*G .. j*G+G-1): every cell gets its
 * share of the cores that hold the online vCPUs (0 .. ONLINE-1, the last
 * core maybe partly online) first, then its share of the others, so
 * each cell has online vCPUs and guest cores stay whole. ORDER gets the
 * vCPU ids cell by cell. */
static void vcpu_order(int k, const long long *share, int g, int online,
                       int *order)
{
    long long *on = xcalloc((size_t)k, sizeof *on);
    long long oc = (online + g - 1) / g;    /* cores with online vCPUs */
    if (place_split(oc, k, share, share, on) < 0)
        on[0] = oc;     /* cannot happen: the shares hold every core */
    long long next_on = 0, next_off = oc;
    int at = 0;
    for (int i = 0; i < k; i++) {
        for (long long j = 0; j < share[i]; j++) {
            long long core = j < on[i] ? next_on++ : next_off++;
            for (int t = 0; t < g; t++)
                order[at++] = (int)(core * g + t);
        }
    }
    free(on);
}

/* Splits the domain over the K chosen candidates SET into P's cells, the
 * memory in whole UNITs. 0, or -1 when the memory does not split so. */
static int split_cells(pctx *x, vt_place_plan *p, const int *set, int k,
                       long long unit)
{
    int rc = -1;
    pnode **chosen = xmalloc((size_t)k * sizeof *chosen);
    long long *w = xmalloc((size_t)k * sizeof *w);
    long long *lim = xmalloc((size_t)k * sizeof *lim);
    long long *vshare = xcalloc((size_t)k, sizeof *vshare);
    long long *mshare = xmalloc((size_t)k * sizeof *mshare);
    int *order = xmalloc((size_t)x->vcpus * sizeof *order);
    for (int i = 0; i < k; i++)
        chosen[i] = &x->nodes[set[i]];

    /* vCPUs in whole guest cores where the count allows */
    int g = (x->pinned && x->threads != THREADS_ISOLATE &&
             x->vcpus % x->tpc == 0) ? x->tpc : 1;
    for (int i = 0; i < k; i++) {
        w[i] = chosen[i]->ecap;
        lim[i] = chosen[i]->ecap / g;
    }
    if (k > 1 && place_split(x->vcpus / g, k, w, lim, vshare) < 0) {
        g = 1;
        for (int i = 0; i < k; i++)
            lim[i] = chosen[i]->ecap;
        place_split(x->vcpus, k, w, lim, vshare);
    } else if (k == 1) {
        vshare[0] = x->vcpus / g;
    }
    /* memory as the vCPUs split (a guest cell's memory serves its
     * vCPUs' tasks), each node within its free memory; nodes that hold
     * memory only take what the others cannot */
    int known = 1;
    for (int i = 0; i < k; i++)
        known &= chosen[i]->mem_free != LLONG_MAX;
    for (int i = 0; i < k; i++) {
        w[i] = vshare[i];
        lim[i] = known ? (chosen[i]->mem_free > 0 ? chosen[i]->mem_free : 0)
                         / unit
                       : (long long)x->mem / unit;
    }
    /* pseries: every guest node's memory is a multiple of 256 MiB (QEMU's
     * spapr_validate_node_memory; libvirt rounds cells up to it): cells
     * in 256 MiB units, a remainder in one of them (rounded up anyway) */
    const char *arch = r_arch(x->c);
    if (k > 1 && arch && !strncmp(arch, "ppc64", 5) && unit < 262144 &&
        262144 % unit == 0) {
        unit = 262144;
        for (int i = 0; i < k; i++)
            lim[i] = known ? (chosen[i]->mem_free > 0 ? chosen[i]->mem_free
                                                      : 0) / unit
                           : (long long)x->mem / unit;
    }
    /* DIMMs plugged at start are part of <memory> but not of the cells:
     * each takes room on its cell's node first */
    for (int d = 0; d < x->ndimms; d++) {
        int t = x->dimms[d].cell < k ? x->dimms[d].cell : 0;
        lim[t] -= (long long)((x->dimms[d].kib + unit - 1) / unit);
        if (lim[t] < 0)
            goto out;
    }
    long long units = (long long)(x->mem - x->dimm_kib) / unit;
    if (place_split(units, k, w, lim, mshare) < 0)
        goto out;
    /* a guest cell needs memory: a cell of vCPUs the proportions left
     * without takes a unit from the cell with the most */
    for (int i = 0; i < k; i++) {
        if (vshare[i] == 0 || mshare[i] > 0)
            continue;
        int from = -1;
        for (int j = 0; j < k; j++)
            if (mshare[j] > 1 && (from < 0 || mshare[j] > mshare[from]))
                from = j;
        if (from < 0 || lim[i] < 1)
            goto out;
        mshare[from]--;
        mshare[i]++;
    }
    /* memory that is no whole number of units (a page size the domain
     * names that does not divide it): the remainder goes to a cell with
     * room for one more unit, as QEMU backs it with one more page */
    long long rem = (long long)(x->mem - x->dimm_kib) - units * unit;
    int remcell = -1;
    for (int i = 0; rem > 0 && i < k && remcell < 0; i++)
        if (mshare[i] > 0 && mshare[i] < lim[i])
            remcell = i;
    if (rem > 0 && remcell < 0)
        goto out;

    vcpu_order(k, vshare, g, x->online, order);
    p->pinned = x->pinned;
    p->fallback = x->fallback;
    p->cells = xcalloc((size_t)k, sizeof *p->cells);
    p->pin = xcalloc((size_t)x->vcpus, sizeof *p->pin);
    p->nodes = hwloc_bitmap_alloc();
    int at = 0;
    for (int i = 0; i < k; i++) {
        hwloc_bitmap_set(p->nodes, (unsigned)chosen[i]->id);
        /* a node chosen for its memory only (fewer vCPUs than nodes, or a
         * memory-only node) is a cell without vCPUs: its memory share
         * still counts there */
        p->mem_spread |= vshare[i] == 0;
        vt_place_cell *cell = &p->cells[p->ncells];
        cell->cellid = p->ncells++;
        cell->node = chosen[i]->id;
        cell->nodes = hwloc_bitmap_alloc();
        hwloc_bitmap_set(cell->nodes, (unsigned)cell->node);
        cell->nvcpus = (int)(vshare[i] * g);
        cell->vcpus = hwloc_bitmap_alloc();
        for (int j = 0; j < cell->nvcpus; j++)
            hwloc_bitmap_set(cell->vcpus, (unsigned)order[at + j]);
        cell->mem_kib = (unsigned long long)(mshare[i] * unit) +
                        (i == remcell ? (unsigned long long)rem : 0);
        cell->page_kib = x->page;
        for (int d = 0; d < x->ndimms; d++)
            if ((x->dimms[d].cell < k ? x->dimms[d].cell : 0) == i)
                cell->dimm_kib += x->dimms[d].kib;
        cell->cpus = hwloc_bitmap_alloc();
        if (x->pinned) {
            plan_pick_cpus(chosen[i], cell->nvcpus, order, &at, p->pin,
                           cell->cpus);
        } else {
            for (int j = 0; j < chosen[i]->ncores; j++)
                hwloc_bitmap_or(cell->cpus, cell->cpus,
                                chosen[i]->cores[j].usable);
            at += cell->nvcpus;
        }
    }
    plan_emulator(x, p, chosen, k);
    plan_iothreads(x, p, chosen, k);
    char *nodes = cpulist_format(p->nodes);
    snprintf(p->summary, sizeof p->summary, "host node%s %s: %s",
             k > 1 ? "s" : "", nodes, k == 1 ? "the domain fits one node"
             : "no single node holds it; the fewest, closest nodes that do");
    free(nodes);
    rc = 0;
out:
    free(chosen);
    free(w);
    free(lim);
    free(vshare);
    free(mshare);
    free(order);
    return rc;
}

/* ----------------------------------------------------------- compute */

/* Tries the page sizes over the mode's candidates and, when a node set
 * holds the domain, splits it into P. 1 placed, 0 not. */
/* A (node set, page size) the search found. */
typedef struct place_option {
    int k;
    unsigned long long page;
    int reserve;            /* counts pages the nodes could reserve */
    int *set;
} place_option;

static int cmp_option(const void *pa, const void *pb)
{
    const place_option *a = pa, *b = pb;
    if (a->k != b->k)
        return a->k - b->k;             /* the fewest nodes */
    if (a->page != b->page)
        return a->page > b->page ? -1 : 1;  /* then the larger page */
    return 0;
}

static int place_mode(pctx *x, vt_place_plan *p)
{
    gather(x);
    p->page_kib = p->page_wanted = 0;
    p->page_user = p->page_short = p->page_assumed = 0;
    if (x->nucells)
        return plan_user_cells(x, p);
    unsigned long long cands[9];
    int user, nc = page_candidates(x, cands, &user);
    p->page_wanted = nc > 1 ? cands[0] : 0;
    p->page_user = user;
    long long base_unit = x->mem % 2048 == 0 ? 2048 : 1;
    place_option *opt = xcalloc((size_t)(2 * nc + 1), sizeof *opt);
    int nopt = 0, placed = 0;
    /* every size's best node set; when none holds the domain, the
     * hugepage sizes again, as if the nodes reserved what their ordinary
     * memory can give (mem.hugepages gives the commands) */
    /* (only where mem.hugepages runs: without it nobody gives the
     * commands, and a domain placed on pages its nodes lack would pass
     * --strict and fail at start: QEMU cannot allocate its memory) */
    int passes = r_rule_on(x->c, RULE_mem_hugepages) ? 2 : 1;
    for (int pass = 0; pass < passes && !nopt; pass++) {
        x->reservable = pass == 1;
        for (int i = 0; i < nc && x->nn; i++) {
            if (pass == 1 && !cands[i])
                continue;
            plan_set_page(x, cands[i], cands[i] ? (long long)cands[i]
                                                : base_unit);
            int *set = xmalloc((size_t)x->nn * sizeof *set);
            int kk = choose_nodes(x, set);
            if (kk)
                opt[nopt++] = (place_option){kk, cands[i], pass, set};
            else
                free(set);
        }
    }
    qsort(opt, (size_t)nopt, sizeof *opt, cmp_option);
    /* the first that splits into cells with memory each */
    for (int o = 0; o < nopt && !placed; o++) {
        unsigned long long page = opt[o].page;
        x->reservable = opt[o].reserve;
        plan_set_page(x, page, page ? (long long)page : base_unit);
        /* ordinary memory where hugepages were wanted: split in whole
         * pages of that size when the nodes allow, so that the pages the
         * host commands reserve back these very cells */
        placed = (!page && p->page_wanted &&
                  split_cells(x, p, opt[o].set, opt[o].k,
                              (long long)p->page_wanted) == 0) ||
                 split_cells(x, p, opt[o].set, opt[o].k,
                             page ? (long long)page : base_unit) == 0;
        if (placed) {
            p->page_kib = page;
            p->page_short = opt[o].reserve;
            for (int i = 0; i < opt[o].k; i++)
                p->page_assumed |= x->nodes[opt[o].set[i]].assumed;
        }
    }
    for (int o = 0; o < nopt; o++)
        free(opt[o].set);
    free(opt);
    return placed;
}

/* The guest cells the domain defines, into X (and their DIMMs' memory);
 * returns how many. */
static int read_user_cells(pctx *x)
{
    xmlNodePtr root = r_root(x->c);
    xmlNodePtr numa = r_child(r_child(root, "cpu"), "numa");
    int n = 0;
    for (xmlNodePtr cl = r_child(numa, "cell"); cl; cl = r_next(cl, "cell"))
        n++;
    if (!n)
        return 0;
    x->ucells = xcalloc((size_t)n, sizeof *x->ucells);
    for (xmlNodePtr cl = r_child(numa, "cell"); cl; cl = r_next(cl, "cell")) {
        ucell *u = &x->ucells[x->nucells++];
        const char *id = r_attr(cl, "id"), *cpus = r_attr(cl, "cpus");
        u->id = id ? atoi(id) : x->nucells - 1;
        u->vcpus = cpus ? cpulist_parse(cpus, CPULIST_LIBVIRT) : NULL;
        if (!u->vcpus)
            u->vcpus = hwloc_bitmap_alloc();
        /* vCPUs beyond <vcpu> are libvirt's error (domain.check), not
         * CPUs to place */
        hwloc_bitmap_clr_range(u->vcpus, (unsigned)x->vcpus, -1);
        u->nvcpus = hwloc_bitmap_weight(u->vcpus);
        const char *mem = r_attr(cl, "memory");
        if (!mem || units_kib(mem, r_attr(cl, "unit"), &u->mem) < 0)
            u->mem = 0;
    }
    /* DIMMs plugged at start belong to their target cell */
    xmlNodePtr dev = r_child(root, "devices");
    for (xmlNodePtr m = r_child(dev, "memory"); m; m = r_next(m, "memory")) {
        xmlNodePtr t = r_child(m, "target");
        xmlNodePtr size = r_child(t, "size"), node = r_child(t, "node");
        if (!size || !node)
            continue;
        xmlChar *sv = xmlNodeGetContent(size), *nv = xmlNodeGetContent(node);
        unsigned long long kib;
        if (sv && nv && units_kib((const char *)sv, r_attr(size, "unit"),
                                  &kib) == 0)
            for (int i = 0; i < x->nucells; i++)
                if (x->ucells[i].id == atoi((const char *)nv))
                    x->ucells[i].mem += kib;
        xmlFree(sv);
        xmlFree(nv);
    }
    /* the sizes the domain backs each cell with: a <page> without nodeset
     * for every cell, one with a nodeset for its cells; the host's
     * default hugepage size (its smallest) for the rest */
    xmlNodePtr hp = user_hugepages(x->c);
    for (int pass = 0; hp && pass < 2; pass++)
        for (xmlNodePtr pg = r_child(hp, "page"); pg; pg = r_next(pg, "page")) {
            unsigned long long kib;
            const char *size = r_attr(pg, "size"), *ns = r_attr(pg, "nodeset");
            if (!size || units_kib(size, r_attr(pg, "unit"), &kib) < 0 ||
                !kib || (pass == 0) != !ns)
                continue;
            hwloc_bitmap_t cells = ns ? cpulist_parse(ns, CPULIST_LIBVIRT)
                                      : NULL;
            for (int i = 0; i < x->nucells; i++)
                if (!ns || (cells && hwloc_bitmap_isset(
                                         cells, (unsigned)x->ucells[i].id)))
                    x->ucells[i].page = kib;
            hwloc_bitmap_free(cells);
        }
    if (hp) {
        uint64_t sizes[8];
        int nh = host_huge_sizes(x->h, sizes, 8, NULL);
        for (int i = 0; i < x->nucells; i++)
            if (!x->ucells[i].page)
                x->ucells[i].page = nh ? sizes[nh - 1] : 2048;
    }
    return x->nucells;
}

/* The pool floating vCPUs use, in words, naming what it leaves out on
 * the domain's nodes. */
static void pool_words(const pctx *x, vt_place_plan *p)
{
    const vt_pools *pools = r_pools(x->c);
    hwloc_bitmap_t on = hwloc_bitmap_alloc(), iso = hwloc_bitmap_alloc();
    hwloc_bitmap_t ded = hwloc_bitmap_alloc();
    int id;
    hwloc_bitmap_foreach_begin(id, p->nodes) {
        const vt_host_node *hn = host_node_by_id(x->h, id);
        if (hn)
            hwloc_bitmap_or(on, on, hn->cpus);
    } hwloc_bitmap_foreach_end();
    hwloc_bitmap_and(on, on, pools->online);
    hwloc_bitmap_and(iso, on, pools->isolated);
    hwloc_bitmap_and(ded, on, r_usage(x->c)->cpus);
    char *i = cpulist_format(iso), *d = cpulist_format(ded);
    char left[192] = "";
    if (!hwloc_bitmap_iszero(iso) || !hwloc_bitmap_iszero(ded))
        snprintf(left, sizeof left, " (not %s%s%s%s%s)",
                 hwloc_bitmap_iszero(iso) ? "" : "the isolated CPUs ",
                 hwloc_bitmap_iszero(iso) ? "" : i,
                 !hwloc_bitmap_iszero(iso) && !hwloc_bitmap_iszero(ded)
                 ? ", nor " : "",
                 hwloc_bitmap_iszero(ded) ? "" : "CPUs dedicated to other "
                 "domains: ", hwloc_bitmap_iszero(ded) ? "" : d);
    if (x->fallback)
        snprintf(p->pool, sizeof p->pool, "shared CPUs (neither "
                 "housekeeping, isolated nor dedicated)");
    else if (left[0])
        snprintf(p->pool, sizeof p->pool, "housekeeping and shared CPUs%s",
                 left);
    else
        snprintf(p->pool, sizeof p->pool, "online CPUs");
    free(i);
    free(d);
    hwloc_bitmap_free(on);
    hwloc_bitmap_free(iso);
    hwloc_bitmap_free(ded);
}

/* The DIMMs of a domain without its own cells (<memory model='dimm'>
 * with a <target><size>, <node> 0 when absent): part of <memory>, not of
 * the cells the plan writes. */
static void read_dimms(pctx *x)
{
    xmlNodePtr dev = r_child(r_root(x->c), "devices");
    for (xmlNodePtr m = r_child(dev, "memory"); m; m = r_next(m, "memory")) {
        xmlNodePtr t = r_child(m, "target");
        xmlNodePtr size = r_child(t, "size"), node = r_child(t, "node");
        if (!size || x->ndimms == (int)(sizeof x->dimms / sizeof x->dimms[0]))
            continue;
        xmlChar *sv = xmlNodeGetContent(size);
        xmlChar *nv = node ? xmlNodeGetContent(node) : NULL;
        unsigned long long kib;
        if (sv && units_kib((const char *)sv, r_attr(size, "unit"),
                            &kib) == 0 && kib < x->mem - x->dimm_kib) {
            x->dimms[x->ndimms++] = (struct dimm){kib,
                                                 nv ? atoi((const char *)nv)
                                                    : 0};
            x->dimm_kib += kib;
        }
        xmlFree(sv);
        xmlFree(nv);
    }
}

/* A domain that does not fit would, left as written, float over every
 * online CPU: over the CPUs other domains have dedicated (their vCPUs
 * are no longer alone there) and the isolated ones. Its vCPUs go to the
 * shared CPUs instead (the housekeeping ones, which hold the others'
 * emulator threads, only when no shared CPU is left), overcommitted if
 * they must be: a guest that runs slowly rather than one that slows its
 * neighbours. Not when the domain pins vCPUs of its own (kept under
 * override), nor when nothing is to be kept off or nothing is left. */
static void confine_unplaced(pctx *x, vt_place_plan *p)
{
    xmlNodePtr root = r_root(x->c);
    if (r_child(r_child(root, "cputune"), "vcpupin"))
        return;
    const vt_pools *pools = r_pools(x->c);
    hwloc_bitmap_t all = pools_floating(pools, r_usage(x->c)->cpus);
    hwloc_bitmap_t pool = pools_shared(pools, r_usage(x->c)->cpus);
    const char *what = "shared CPUs";
    if (hwloc_bitmap_isequal(all, pools->online)) {
        hwloc_bitmap_free(all);     /* nothing to keep it off */
        hwloc_bitmap_free(pool);
        return;
    }
    if (hwloc_bitmap_iszero(pool)) {
        hwloc_bitmap_free(pool);    /* no shared CPU left */
        pool = all;
        what = "housekeeping CPUs (no shared CPU is left)";
    } else {
        hwloc_bitmap_free(all);
    }
    if (hwloc_bitmap_iszero(pool)) {
        hwloc_bitmap_free(pool);
        return;
    }
    p->confine = pool;
    size_t at = strlen(p->why);
    const char *tail = "; left as written";
    size_t tl = strlen(tail);
    if (at >= tl && !strcmp(p->why + at - tl, tail))
        at -= tl;
    char *list = cpulist_format(pool);
    int n = hwloc_bitmap_weight(pool);
    char over[96] = "";
    if (n < x->vcpus)
        snprintf(over, sizeof over, ", overcommitted (%d vCPUs on %d CPU%s)",
                 x->vcpus, n, n == 1 ? "" : "s");
    snprintf(p->why + at, sizeof p->why - at, "; its vCPUs float over the "
             "%s %s instead%s, never over other domains' dedicated CPUs nor "
             "isolated ones; not pinned, memory not bound", what, list, over);
    free(list);
}

static void compute(vt_rule_ctx *c, vt_place_plan *p)
{
    if (self_placed(c, p))
        return;
    const vt_host *h = r_host(c);
    pctx x = {
        .c = c, .h = h, .pinned = r_rule_on(c, RULE_cpu_pin),
        .vcpus = r_domain(c)->vcpus, .online = r_domain(c)->vcpus_current,
        .mem = r_domain(c)->memory_kib,
    };
    x.threads = (enum vt_threads)r_choice_of(c, RULE_cpu_pin, "threads");
    /* the realtime profile: one vCPU per core, unless the policy says */
    if (r_profile(c) == PROFILE_REALTIME &&
        !r_param_given(c, RULE_cpu_pin, "threads"))
        x.threads = THREADS_ISOLATE;
    p->threads = x.threads;
    x.tpc = max_threads_per_core(h);
    if (!read_user_cells(&x))
        read_dimms(&x);
    int wanted_pins = x.pinned, placed = 0;
    char nopin[512] = "";
    if (x.pinned && x.threads == THREADS_REQUIRE && x.tpc < 2)
        snprintf(nopin, sizeof nopin, "thread policy 'require' needs SMT "
                 "siblings and this host has one thread per core");
    else
        placed = place_mode(&x, p);
    if (!placed && wanted_pins) {
        /* no dedicated CPUs: float over the shared pool instead */
        if (!nopin[0]) {
            const vt_usage *u = r_usage(c);
            char who[320] = "";
            if (u->nunconfined) {
                size_t at = (size_t)snprintf(who, sizeof who, " (domain%s ",
                                             u->nunconfined > 1 ? "s" : "");
                for (int i = 0; i < u->nunconfined && i < 4; i++)
                    at += (size_t)snprintf(who + at, at < sizeof who
                                           ? sizeof who - at : 0, "%s%s",
                                           i ? ", " : "", u->unconfined[i]);
                if (at < sizeof who)
                    snprintf(who + at, sizeof who - at, "%s float%s over "
                             "every CPU libvirt lets %s use: no <vcpupin>, "
                             "no <vcpu cpuset>; confine %s to the CPUs kept "
                             "for shared guests, e.g. virt-xml NAME --edit "
                             "--vcpus cpuset=LIST, and tune again)",
                             u->nunconfined > 4 ? " and more" : "",
                             u->nunconfined > 1 ? "" : "s",
                             u->nunconfined > 1 ? "them" : "it",
                             u->nunconfined > 1 ? "them" : "it");
            }
            snprintf(nopin, sizeof nopin, "no node set has %d dedicated "
                     "CPUs free under thread policy %s%s", x.vcpus,
                     threads_name(x.threads), who);
        }
        free_nodes(&x);
        x.pinned = 0;
        x.fallback = 1;
        placed = place_mode(&x, p);
    }
    if (!placed) {
        /* a domain short of memory cannot start: nothing to confine */
        if (describe_shortage(&x, p, wanted_pins))
            confine_unplaced(&x, p);
    } else {
        pool_words(&x, p);
        if (x.fallback) {
            char *nodes = cpulist_format(p->nodes);
            snprintf(p->fallback_why, sizeof p->fallback_why, "%s: the "
                     "domain runs unpinned, its vCPUs floating over the "
                     "shared CPUs of host node%s %s, where no vCPU is "
                     "dedicated", nopin,
                     hwloc_bitmap_weight(p->nodes) > 1 ? "s" : "", nodes);
            free(nodes);
        }
        p->status = PLACE_OK;
    }
    for (int i = 0; i < x.nucells; i++)
        hwloc_bitmap_free(x.ucells[i].vcpus);
    free(x.ucells);
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
