/*
 * model.c - the host model (see host.h): construction and destruction,
 * host_finish (the documented order, derived indexes and consistency
 * checks) and the lookups. No I/O: the sources are read by load.c and the
 * loaders it dispatches to.
 */
#include "host.h"
#include "alloc.h"
#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* construction and destruction                                        */

vt_host *host_new(const char *source, const char *kind)
{
    vt_host *h = xcalloc(1, sizeof *h);
    h->source = xstrdup(source);
    h->kind = kind;
    h->origin = xstrdup(source);
    h->origin_kind = kind;
    h->npackages = -1;
    h->memlock_raisable = -1;
    h->memlock_max_kib = -1;
    return h;
}

static void free_sets(hwloc_bitmap_t *sets, int n)
{
    for (int i = 0; i < n; i++)
        hwloc_bitmap_free(sets[i]);
    free(sets);
}

void host_free(vt_host *h)
{
    if (!h)
        return;
    for (int i = 0; i < h->nnodes; i++) {
        hwloc_bitmap_free(h->nodes[i].cpus);
        free(h->nodes[i].pages);
    }
    free(h->nodes);
    free(h->cpus);
    free(h->distances);
    free_sets(h->cores, h->ncores);
    free_sets(h->l3, h->nl3);
    hwloc_bitmap_free(h->isolated);
    hwloc_bitmap_free(h->nohz_full);
    hwloc_bitmap_free(h->reserved);
    for (int i = 0; i < h->nflags; i++)
        free(h->flags[i]);
    free(h->flags);
    for (int i = 0; i < h->npci; i++) {
        free(h->pci[i].name);
        free(h->pci[i].pf);
    }
    free(h->pci);
    free(h->arch);
    free(h->origin);
    free(h->source);
    free(h);
}

/* ------------------------------------------------------------------ */
/* host_finish                                                         */

static int seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int cmp_cpu(const void *a, const void *b)
{
    int x = ((const vt_host_cpu *)a)->id, y = ((const vt_host_cpu *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_pages(const void *a, const void *b)
{
    uint64_t x = ((const vt_host_pages *)a)->size_kib;
    uint64_t y = ((const vt_host_pages *)b)->size_kib;
    return (x > y) - (x < y);
}

static int cmp_set(const void *a, const void *b)
{
    return hwloc_bitmap_compare_first(*(const hwloc_const_bitmap_t *)a,
                                      *(const hwloc_const_bitmap_t *)b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_pci(const void *a, const void *b)
{
    return strcmp(((const vt_host_pci *)a)->addr, ((const vt_host_pci *)b)->addr);
}

typedef struct node_order {
    int id, index;
} node_order;

static int cmp_node_order(const void *a, const void *b)
{
    int x = ((const node_order *)a)->id, y = ((const node_order *)b)->id;
    return (x > y) - (x < y);
}

/* Sorts nodes by id, permuting the distance matrix along. */
static void sort_nodes(vt_host *h)
{
    int n = h->nnodes;
    node_order *ord = xmalloc((size_t)n * sizeof *ord);
    for (int i = 0; i < n; i++)
        ord[i] = (node_order){h->nodes[i].id, i};
    qsort(ord, (size_t)n, sizeof *ord, cmp_node_order);
    vt_host_node *nodes = xmalloc((size_t)n * sizeof *nodes);
    for (int i = 0; i < n; i++)
        nodes[i] = h->nodes[ord[i].index];
    free(h->nodes);
    h->nodes = nodes;
    if (h->distances) {
        int *d = xmalloc((size_t)n * (size_t)n * sizeof *d);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                d[i * n + j] = h->distances[ord[i].index * n + ord[j].index];
        free(h->distances);
        h->distances = d;
    }
    free(ord);
}

/* Lookups by id are a binary search over the sorted, unique ids, after
 * a first look at index ID: ids are dense from 0 on nearly every host,
 * and placement looks CPUs and node distances up hundreds of thousands
 * of times in a batch (a third of its cost as a search alone). */
static int cpu_index(const vt_host *h, int id)
{
    if (id >= 0 && id < h->ncpus && h->cpus[id].id == id)
        return id;
    vt_host_cpu key = {.id = id};
    const vt_host_cpu *c = bsearch(&key, h->cpus, (size_t)h->ncpus,
                                   sizeof *h->cpus, cmp_cpu);
    return c ? (int)(c - h->cpus) : -1;
}

static vt_host_cpu *cpu_by_id(vt_host *h, int id)
{
    int i = cpu_index(h, id);
    return i < 0 ? NULL : &h->cpus[i];
}

static int finish_cpus(vt_host *h, char *err, size_t errlen)
{
    if (h->ncpus == 0)
        return seterr(err, errlen, "no CPU");
    qsort(h->cpus, (size_t)h->ncpus, sizeof *h->cpus, cmp_cpu);
    int online = 0;
    for (int i = 0; i < h->ncpus; i++) {
        if (h->cpus[i].id < 0 || h->cpus[i].id > VT_HOST_MAX_CPU)
            return seterr(err, errlen, "CPU id %d out of range",
                          h->cpus[i].id);
        if (i > 0 && h->cpus[i].id == h->cpus[i - 1].id)
            return seterr(err, errlen, "CPU %d listed twice", h->cpus[i].id);
        online += h->cpus[i].online != 0;
        h->cpus[i].node = h->cpus[i].core = h->cpus[i].l3 = -1;
    }
    if (!online)
        return seterr(err, errlen, "no online CPU");
    return 0;
}

/* Checks that every CPU of SET is a known CPU; WHAT names the set. */
static int check_cpus_known(vt_host *h, hwloc_const_bitmap_t set,
                            const char *what, int which,
                            char *err, size_t errlen)
{
    int id;
    hwloc_bitmap_foreach_begin(id, set) {
        if (!cpu_by_id(h, id))
            return seterr(err, errlen, "%s %d lists CPU %d, which is not in "
                          "the CPU list", what, which, id);
    } hwloc_bitmap_foreach_end();
    return 0;
}

int host_page_size_known(const char *arch, uint64_t size_kib)
{
    static const struct { const char *prefix; uint64_t sizes[10]; } archs[] = {
        {"x86_64", {4, 2048, 1048576}},
        {"i686", {4, 2048, 4096, 1048576}},
        {"i386", {4, 2048, 4096, 1048576}},
        {"aarch64", {4, 16, 64, 2048, 32768, 524288, 1048576, 16777216}},
        {"arm", {4, 16, 64, 1024, 2048, 32768, 524288, 1048576, 16777216}},
        {"ppc64", {4, 64, 2048, 16384, 1048576, 16777216}},
        {"s390", {4, 1024, 2097152}},
        {"riscv64", {4, 64, 2048, 1048576, 536870912}},
    };
    if (size_kib < 4 || size_kib > (1ULL << 30) || (size_kib & (size_kib - 1)))
        return 0;
    for (size_t i = 0; arch && i < sizeof archs / sizeof *archs; i++)
        if (!strncmp(arch, archs[i].prefix, strlen(archs[i].prefix))) {
            for (int k = 0; k < 10 && archs[i].sizes[k]; k++)
                if (archs[i].sizes[k] == size_kib)
                    return 1;
            return 0;
        }
    return 1;
}

/* The pools of node N against the bounds of host.h and its memory: each
 * count at most 2^40, each hugepage size one the architecture has, and
 * the hugepages of all pools together (multiplied without overflow)
 * within the node's memory, of which the kernel carves them (hwloc's
 * local_memory and libvirt's cell memory are MemTotal, which counts
 * them; place_node_room subtracts them). */
static int finish_pools(const vt_host *h, const vt_host_node *n, char *err,
                        size_t errlen)
{
    unsigned long long sum = 0;
    for (int k = 0; k < n->npages; k++) {
        const vt_host_pages *p = &n->pages[k];
        /* the base page (the smallest pool, sorted first) is the node's
         * ordinary memory, of a size that varies more than hugepages do
         * (8 KiB on sparc64, and in libvirt's test driver) */
        int base = k == 0 && p->size_kib <= 64;
        if (base ? p->size_kib < 4 || (p->size_kib & (p->size_kib - 1))
                 : !host_page_size_known(h->arch, p->size_kib))
            return seterr(err, errlen, "NUMA node %d: a page size of %llu KiB "
                          "is not one %s has", n->id,
                          (unsigned long long)p->size_kib, h->arch ? h->arch
                          : "any architecture");
        if (p->total > VT_HOST_MAX_PAGES || p->free > VT_HOST_MAX_PAGES)
            return seterr(err, errlen, "NUMA node %d: the %llu KiB page pool "
                          "counts %lld pages, more than 2^40", n->id,
                          (unsigned long long)p->size_kib,
                          p->total > VT_HOST_MAX_PAGES ? p->total : p->free);
        unsigned long long kib;
        if (base)
            continue;       /* the ordinary memory: not carved of it */
        /* a pool of unknown total is as large as its free count */
        long long count = p->total >= 0 ? p->total : p->free;
        if (count > 0 &&
            (__builtin_mul_overflow((unsigned long long)count,
                                    (unsigned long long)p->size_kib, &kib) ||
             __builtin_add_overflow(sum, kib, &sum) ||
             sum > (unsigned long long)VT_HOST_MAX_MEM_KIB))
            return seterr(err, errlen, "NUMA node %d: the %llu KiB page pool "
                          "of %lld pages is more memory than any node has",
                          n->id, (unsigned long long)p->size_kib, count);
        if (n->mem_kib >= 0 && sum > (unsigned long long)n->mem_kib)
            return seterr(err, errlen, "NUMA node %d: its page pools hold "
                          "%llu KiB, more than its %lld KiB of memory (the "
                          "%llu KiB pool of %lld pages)", n->id, sum,
                          n->mem_kib, (unsigned long long)p->size_kib,
                          count);
    }
    return 0;
}

/* The kernel has one base page size: a node that lists a larger base
 * "pool" than the others (libvirt's test driver gives node 1 8 KiB pages,
 * node 0 4 KiB) has its ordinary memory counted in the host's smallest,
 * so that no node's ordinary memory reads as a hugepage pool. */
static void one_base_page(vt_host *h)
{
    uint64_t base = host_base_page(h);      /* each node's pages sorted */
    for (int i = 0; i < h->nnodes; i++) {
        vt_host_node *n = &h->nodes[i];
        /* its smallest pool: a base page larger than the host's, so the
         * node has none of the host's size */
        vt_host_pages *p = n->npages ? &n->pages[0] : NULL;
        if (!p || p->size_kib > 64 || p->size_kib <= base ||
            p->size_kib % base)
            continue;
        long long f = (long long)(p->size_kib / base);
        p->size_kib = base;
        if (p->total > 0 && p->total <= VT_HOST_MAX_PAGES)
            p->total *= f;
        if (p->free > 0 && p->free <= VT_HOST_MAX_PAGES)
            p->free *= f;
    }
}

static int finish_nodes(vt_host *h, char *err, size_t errlen)
{
    if (h->nnodes == 0)
        return seterr(err, errlen, "no NUMA node");
    sort_nodes(h);
    for (int i = 0; i < h->nnodes; i++)
        if (h->nodes[i].npages > 1)
            qsort(h->nodes[i].pages, (size_t)h->nodes[i].npages,
                  sizeof *h->nodes[i].pages, cmp_pages);
    one_base_page(h);
    for (int i = 0; i < h->nnodes; i++) {
        vt_host_node *n = &h->nodes[i];
        if (n->id < 0 || n->id > VT_HOST_MAX_NODE)
            return seterr(err, errlen, "NUMA node id %d out of range", n->id);
        if (n->mem_kib > VT_HOST_MAX_MEM_KIB)
            return seterr(err, errlen, "NUMA node %d: memory size out of "
                          "range", n->id);
        if (i > 0 && n->id == h->nodes[i - 1].id)
            return seterr(err, errlen, "NUMA node %d listed twice", n->id);
        for (int k = 0; k < n->npages; k++)
            if (n->pages[k].size_kib < 1 ||
                n->pages[k].size_kib > (uint64_t)VT_HOST_MAX_COUNT ||
                n->pages[k].total > VT_HOST_MAX_COUNT ||
                n->pages[k].free > VT_HOST_MAX_COUNT)
                return seterr(err, errlen, "NUMA node %d: page pool value out "
                              "of range", n->id);
        for (int k = 1; k < n->npages; k++)
            if (n->pages[k].size_kib == n->pages[k - 1].size_kib)
                return seterr(err, errlen, "NUMA node %d lists the %llu KiB "
                              "page pool twice", n->id,
                              (unsigned long long)n->pages[k].size_kib);
        if (finish_pools(h, n, err, errlen))
            return -1;
        if (!n->cpus)
            n->cpus = hwloc_bitmap_alloc();
        if (check_cpus_known(h, n->cpus, "NUMA node", n->id, err, errlen))
            return -1;
        int id;
        hwloc_bitmap_foreach_begin(id, n->cpus) {
            vt_host_cpu *c = cpu_by_id(h, id);
            if (c->node >= 0)
                return seterr(err, errlen, "CPU %d is in NUMA nodes %d and %d",
                              id, c->node, n->id);
            c->node = n->id;
        } hwloc_bitmap_foreach_end();
    }
    return 0;
}

/* Sorts SETS (cores when IS_CORE, else L3 groups), checks them and fills
 * the per-CPU index (cpu.core or cpu.l3). */
static int finish_sets(vt_host *h, hwloc_bitmap_t *sets, int n, const char *what,
                       int is_core, char *err, size_t errlen)
{
    if (n == 0)
        return 0;
    qsort(sets, (size_t)n, sizeof *sets, cmp_set);
    for (int i = 0; i < n; i++) {
        if (hwloc_bitmap_iszero(sets[i]))
            return seterr(err, errlen, "an empty %s", what);
        if (check_cpus_known(h, sets[i], what, hwloc_bitmap_first(sets[i]),
                             err, errlen))
            return -1;
        int id;
        hwloc_bitmap_foreach_begin(id, sets[i]) {
            vt_host_cpu *c = cpu_by_id(h, id);
            int *slot = is_core ? &c->core : &c->l3;
            if (*slot >= 0)
                return seterr(err, errlen, "CPU %d is in two %ss", id, what);
            *slot = i;
        } hwloc_bitmap_foreach_end();
    }
    return 0;
}

void host_sort_flags(vt_host *h)
{
    if (h->nflags == 0)
        return;
    qsort(h->flags, (size_t)h->nflags, sizeof *h->flags, cmp_str);
    int k = 1;
    for (int i = 1; i < h->nflags; i++) {
        if (!strcmp(h->flags[i], h->flags[k - 1]))
            free(h->flags[i]);
        else
            h->flags[k++] = h->flags[i];
    }
    h->nflags = k;
}

static int finish_pci(vt_host *h, char *err, size_t errlen)
{
    if (h->npci == 0)
        return 0;
    qsort(h->pci, (size_t)h->npci, sizeof *h->pci, cmp_pci);
    for (int i = 1; i < h->npci; i++)
        if (!strcmp(h->pci[i].addr, h->pci[i - 1].addr))
            return seterr(err, errlen, "PCI device %s listed twice",
                          h->pci[i].addr);
    return 0;
}

int host_finish(vt_host *h, char *err, size_t errlen)
{
    if (finish_cpus(h, err, errlen) || finish_nodes(h, err, errlen) ||
        finish_sets(h, h->cores, h->ncores, "core", 1, err, errlen) ||
        finish_sets(h, h->l3, h->nl3, "L3 cache", 0, err, errlen) ||
        finish_pci(h, err, errlen))
        return -1;
    host_sort_flags(h);
    if (h->distances)
        for (int i = 0; i < h->nnodes * h->nnodes; i++)
            if (h->distances[i] < 0)
                return seterr(err, errlen, "negative NUMA distance");
    return 0;
}

/* ------------------------------------------------------------------ */
/* lookups                                                             */

int host_has_flag(const vt_host *h, const char *flag)
{
    if (h->nflags && bsearch(&flag, h->flags, (size_t)h->nflags,
                             sizeof *h->flags, cmp_str))
        return 1;
    return h->flags_known ? 0 : -1;
}

/* Same as cpu_index, for nodes. */
int host_node_index(const vt_host *h, int id)
{
    if (id >= 0 && id < h->nnodes && h->nodes[id].id == id)
        return id;
    int lo = 0, hi = h->nnodes - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (h->nodes[mid].id == id)
            return mid;
        if (h->nodes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

const vt_host_node *host_node_by_id(const vt_host *h, int id)
{
    int i = host_node_index(h, id);
    return i < 0 ? NULL : &h->nodes[i];
}

const vt_host_cpu *host_cpu_by_id(const vt_host *h, int id)
{
    int i = cpu_index(h, id);
    return i < 0 ? NULL : &h->cpus[i];
}

const vt_host_pci *host_pci_by_addr(const vt_host *h, const char *addr)
{
    for (int i = 0; i < h->npci; i++)
        if (!strcmp(h->pci[i].addr, addr))
            return &h->pci[i];
    return NULL;
}

int host_distance(const vt_host *h, int a, int b)
{
    int i = host_node_index(h, a), j = host_node_index(h, b);
    if (!h->distances || i < 0 || j < 0)
        return -1;
    return h->distances[i * h->nnodes + j];
}

uint64_t host_base_page(const vt_host *h)
{
    uint64_t base = 0;
    for (int n = 0; n < h->nnodes; n++)
        if (h->nodes[n].npages && h->nodes[n].pages[0].size_kib <= 64 &&
            (!base || h->nodes[n].pages[0].size_kib < base))
            base = h->nodes[n].pages[0].size_kib;   /* pages[] ascending */
    if (base)
        return base;
    return h->arch && !strncmp(h->arch, "ppc64", 5) ? 64 : 4;
}

long long host_node_pools_kib(const vt_host *h, int n)
{
    uint64_t base = host_base_page(h);
    const vt_host_node *hn = &h->nodes[n];
    long long sum = 0;
    for (int i = 0; i < hn->npages; i++) {
        unsigned long long kib;
        if (hn->pages[i].size_kib <= base || hn->pages[i].total <= 0)
            continue;
        if (__builtin_mul_overflow((unsigned long long)hn->pages[i].total,
                                   hn->pages[i].size_kib, &kib) ||
            kib > (unsigned long long)(LLONG_MAX - sum))
            return LLONG_MAX;
        sum += (long long)kib;
    }
    return sum;
}

int host_huge_sizes(const vt_host *h, uint64_t *sizes, int max, int *assumed)
{
    uint64_t base = host_base_page(h);
    int n = 0;
    if (assumed)
        *assumed = 0;
    for (int i = 0; i < h->nnodes; i++)
        for (int k = 0; k < h->nodes[i].npages; k++) {
            uint64_t s = h->nodes[i].pages[k].size_kib;
            int seen = s <= base;
            for (int j = 0; j < n && !seen; j++)
                seen = sizes[j] == s;
            if (!seen && n < max)
                sizes[n++] = s;
        }
    if (!n && (!h->arch || !strcmp(h->arch, "x86_64") ||
               !strcmp(h->arch, "i686"))) {
        /* 1 GiB pages need the CPU's pdpe1gb (unknown flags: assumed) */
        if (max > n && host_has_flag(h, "pdpe1gb") != 0)
            sizes[n++] = 1048576;
        if (max > n)
            sizes[n++] = 2048;
        if (assumed)
            *assumed = 1;
    }
    for (int i = 1; i < n; i++)         /* largest first */
        for (int j = i; j > 0 && sizes[j] > sizes[j - 1]; j--) {
            uint64_t t = sizes[j];
            sizes[j] = sizes[j - 1];
            sizes[j - 1] = t;
        }
    return n;
}

int host_has_huge_size(const vt_host *h, uint64_t size_kib)
{
    uint64_t sizes[8];
    int n = host_huge_sizes(h, sizes, 8, NULL);
    for (int i = 0; i < n; i++)
        if (sizes[i] == size_kib)
            return 1;
    return 0;
}

const vt_host_pages *host_pool(const vt_host_node *n, uint64_t size_kib)
{
    for (int i = 0; i < n->npages; i++)
        if (n->pages[i].size_kib == size_kib)
            return &n->pages[i];
    return NULL;
}
