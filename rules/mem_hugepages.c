/*
 * mem_hugepages.c - mem.hugepages: which pages back the guest memory.
 *
 * The page size comes from the placement plan: placement tries the page
 * sizes largest first and keeps the one that needs the fewest host nodes
 * (see placement/plan.c), so the nodes it chose can back the memory in
 * that size. Without a placement, the rule decides over the nodes the
 * domain may use.
 */
#include "placement/placement.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param hp_params[] = {
    {"use_1g", PARAM_BOOL, "true", "back guests with 1 GiB (and larger) "
     "pages", NULL, 0, 0},
    {"use_2m", PARAM_BOOL, "true", "back guests with 2 MiB (and other "
     "sizes below 1 GiB) pages", NULL, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* Writes <hugepages>: one <page> for all memory when the cells (or the
 * one node) share a size and the plan made them; else one <page
 * nodeset> per guest cell. */
static void write_pages(vt_rule_ctx *c, const vt_place_plan *p, int percell,
                        const char *why)
{
    xmlNodePtr mb = r_ensure(c, r_root(c), "memoryBacking",
                             "holds the guest memory backing");
    xmlNodePtr hp = r_insert(c, mb, "hugepages", NULL, "%s", why);
    char size[32], name[32];
    if (!percell) {
        snprintf(size, sizeof size, "%llu", p->page_kib);
        const char *a[] = {"size", size, "unit", "KiB", NULL};
        r_add(c, hp, "page", NULL, a, "all guest memory in %s pages",
              units_name(p->page_kib, name, sizeof name));
        return;
    }
    for (int i = 0; i < p->ncells; i++) {
        const vt_place_cell *cell = &p->cells[i];
        char id[16];
        char *nodes = cpulist_format(cell->nodes);
        snprintf(id, sizeof id, "%d", cell->cellid);
        snprintf(size, sizeof size, "%llu", cell->page_kib);
        const char *a[] = {"size", size, "unit", "KiB", "nodeset", id, NULL};
        r_add(c, hp, "page", NULL, a, "guest cell %d in %s pages from the "
              "pool of host node%s %s", cell->cellid,
              units_name(cell->page_kib, name, sizeof name),
              hwloc_bitmap_weight(cell->nodes) > 1 ? "s" : "", nodes);
        free(nodes);
    }
}

/* 1 when the host source lists hugepage pools (their sizes and counts
 * are known; a size it does not list has none). */
static int lists_pools(const vt_host *h)
{
    uint64_t base = host_base_page(h);
    for (int n = 0; n < h->nnodes; n++)
        for (int i = 0; i < h->nodes[n].npages; i++)
            if (h->nodes[n].pages[i].size_kib > base)
                return 1;
    return 0;
}

/* The pages a domain needs per host node and size, summed before they
 * are compared with what the node has (two cells may share a node). */
typedef struct page_needs {
    int n;
    struct page_need { int node; unsigned long long page; long long pages; }
        v[64];
} page_needs;

/* Host node NODE (OS id) must give KIB in whole PAGE-KiB pages. */
static void need_pages(page_needs *pn, int node, unsigned long long page,
                       unsigned long long kib)
{
    if (!page || !kib)
        return;
    long long pages = (long long)((kib + page - 1) / page);
    for (int i = 0; i < pn->n; i++)
        if (pn->v[i].node == node && pn->v[i].page == page) {
            pn->v[i].pages += pages;
            return;
        }
    if (pn->n < (int)(sizeof pn->v / sizeof pn->v[0]))
        pn->v[pn->n++] = (struct page_need){node, page, pages};
}

/* Compares the needs with the free pages: when every node that lacks
 * pages can reserve them from its ordinary memory (place_node_room, and
 * the domain's own memory there when the run counts it), records them
 * with the commands in ACTIONS and returns 0; else records nothing, says
 * which nodes cannot in NOROOM and returns -1. */
static int commit_needs(vt_rule_ctx *c, const page_needs *pn,
                        vt_strbuf *actions, vt_strbuf *noroom)
{
    const vt_host *h = r_host(c);
    long long missing[64];
    for (int i = 0; i < pn->n; i++) {
        int n = host_node_index(h, pn->v[i].node);
        unsigned long long page = pn->v[i].page;
        missing[i] = 0;
        if (n < 0)
            continue;
        long long have = usage_pages_free(r_usage(c), h, n, page, NULL);
        if (pn->v[i].pages <= have)
            continue;
        missing[i] = pn->v[i].pages - have;
        long long room = place_node_room(c, n);
        if (room != LLONG_MAX)
            room += r_own_memory(c, n);
        if (room != LLONG_MAX && missing[i] > (room > 0 ? room : 0) /
                                                 (long long)page) {
            char name[32];
            strbuf_addf(noroom, "%snode %d has room for %lld more %s pages, "
                        "%lld needed", noroom->len ? "; " : "",
                        pn->v[i].node, room > 0 ? room / (long long)page : 0,
                        units_name(page, name, sizeof name), missing[i]);
        }
    }
    if (noroom->len)
        return -1;
    for (int i = 0; i < pn->n; i++) {
        int n = host_node_index(h, pn->v[i].node);
        if (n < 0)
            continue;
        const vt_host_pages *pool = host_pool(&h->nodes[n], pn->v[i].page);
        /* a pool the source does not list: none when it lists others,
         * else unknown */
        long long total = pool ? pool->total : lists_pools(h) ? 0 : -1;
        r_host_pages(c, pn->v[i].node, pn->v[i].page, missing[i],
                     pn->v[i].pages, total);
        if (!missing[i])
            continue;
        /* relative: the domains of a run each add theirs (the run's
         * summary gives the final counts) */
        char *cmd = r_pages_command(pn->v[i].node, pn->v[i].page, missing[i],
                                    -1);
        strbuf_addf(actions, "%s%s", actions->len ? "; " : "", cmd);
        free(cmd);
    }
    return 0;
}

/* The pages the plan's cells lack (of their own sizes, or of SIZE when
 * not 0), with the commands; -1 when a node has no room for them
 * (NOROOM says which). */
static int cells_need(vt_rule_ctx *c, const vt_place_plan *p,
                      unsigned long long size, vt_strbuf *actions,
                      vt_strbuf *noroom)
{
    page_needs pn = {0};
    for (int i = 0; i < p->ncells; i++)
        need_pages(&pn, p->cells[i].node,
                   size ? size : p->cells[i].page_kib,
                   p->cells[i].mem_kib + p->cells[i].dimm_kib);
    return commit_needs(c, &pn, actions, noroom);
}

/* The pages a placed domain takes from its nodes' pools, for the run's
 * kernel command line (nothing is missing). */
static void record_used(vt_rule_ctx *c, const vt_place_plan *p)
{
    vt_strbuf actions, noroom;
    strbuf_init(&actions);
    strbuf_init(&noroom);
    cells_need(c, p, 0, &actions, &noroom);
    strbuf_free(&actions);
    strbuf_free(&noroom);
}

/* Hugepages were wanted but no node set held the domain in the fewest
 * nodes with the free pages: say what its nodes lack, and how to add
 * it when they have the memory. */
static void report_missing(vt_rule_ctx *c, const vt_place_plan *p)
{
    /* the largest size the cells are whole pages of (placement splits
     * them in pages of the size it wanted when the nodes allow) */
    unsigned long long want = p->page_wanted, sizes[8];
    int ns = place_huge_sizes(c, r_domain(c)->memory_kib, sizes);
    for (int k = 0; k < ns; k++) {
        int whole = sizes[k] <= p->page_wanted;
        for (int i = 0; whole && i < p->ncells; i++)
            whole = p->cells[i].mem_kib % sizes[k] == 0;
        if (whole) {
            want = sizes[k];
            break;
        }
    }
    char name[32];
    units_name(want, name, sizeof name);
    vt_strbuf actions, noroom;
    strbuf_init(&actions);
    strbuf_init(&noroom);
    int rc = cells_need(c, p, want, &actions, &noroom);
    if (rc < 0)
        r_finding(c, SEV_WARNING, NULL, NULL, "no host node set the domain "
                  "can use has enough free %s pages for its memory, and "
                  "its nodes cannot reserve them (%s): it runs on "
                  "ordinary pages", name, noroom.buf);
    else if (actions.len)
        r_finding(c, SEV_WARNING, NULL, actions.buf,
                  "no host node set the domain can use has enough free %s "
                  "pages for its memory, so it runs on ordinary pages (more "
                  "TLB misses, memory that can be swapped or moved); "
                  "reserve the pages on its nodes and tune it again", name);
    else
        r_finding(c, SEV_INFO, NULL, NULL, "%s pages would need more host "
                  "nodes than ordinary pages, so the domain keeps ordinary "
                  "pages on fewer nodes (locality first)", name);
    strbuf_free(&actions);
    strbuf_free(&noroom);
}

/* The domain names its page size and its nodes have too few free pages
 * of it (placed as if they were reserved): the commands. */
static void report_short(vt_rule_ctx *c, const vt_place_plan *p)
{
    vt_strbuf actions, noroom;
    strbuf_init(&actions);
    strbuf_init(&noroom);
    cells_need(c, p, 0, &actions, &noroom);
    if (actions.len || noroom.len)
        r_finding(c, SEV_INFEASIBLE, NULL, actions.len ? actions.buf : NULL,
                  "%s needs more free pages than its host nodes have: it "
                  "cannot start until they are reserved%s%s",
                  p->page_user ? "the domain's page size"
                  : "no node set holds the domain in free pages or ordinary "
                    "memory; placed as if its nodes reserved the pages, it",
                  noroom.len ? "; no room on " : "",
                  noroom.len ? noroom.buf : "");
    strbuf_free(&actions);
    strbuf_free(&noroom);
}

/* Without a placement: the largest eligible size the domain's nodes (its
 * <numatune> nodeset, else every node) have enough free pages of. */
static void hugepages_unplaced(vt_rule_ctx *c)
{
    const vt_host *h = r_host(c);
    unsigned long long mem = r_domain(c)->memory_kib;
    hwloc_bitmap_t nodes = domain_numatune_nodes(r_root(c));
    unsigned long long sizes[8];
    int ns = place_huge_sizes(c, mem, sizes);
    char name[32];
    for (int s = 0; s < ns; s++) {
        long long free_pages = 0;
        int assumed = 0;
        for (int n = 0; n < h->nnodes; n++)
            if (!nodes || hwloc_bitmap_isset(nodes, (unsigned)h->nodes[n].id))
                free_pages += usage_pages_free(r_usage(c), h, n, sizes[s],
                                               &assumed);
        if (free_pages >= (long long)(mem / sizes[s])) {
            vt_place_plan one = {.page_kib = sizes[s]};
            write_pages(c, &one, 0, "the host has enough free pages of "
                        "this size on the domain's nodes: fewer TLB misses "
                        "and page-table walks than ordinary pages");
            if (assumed)
                r_finding(c, SEV_INFO, NULL, NULL, "free %s pages are "
                          "unknown (%s source records pool totals only); "
                          "all of them were assumed free",
                          units_name(sizes[s], name, sizeof name), h->kind);
            hwloc_bitmap_free(nodes);
            return;
        }
    }
    if (ns && !nodes) {
        r_finding(c, SEV_WARNING, NULL, NULL, "the host has not enough free "
                  "%s pages for the domain's %llu MiB: ordinary pages kept; "
                  "its memory is bound to no host node, so which node's "
                  "pool it would draw from is the kernel's choice: no host "
                  "command (bind it with <numatune>, or let numa.place "
                  "place it)", units_name(sizes[0], name, sizeof name),
                  mem / 1024);
    } else if (ns) {
        /* the pages on its nodes, split evenly (as the run counts its
         * memory there) */
        vt_strbuf actions, noroom;
        strbuf_init(&actions);
        strbuf_init(&noroom);
        int k = 0, id;
        hwloc_bitmap_foreach_begin(id, nodes) {
            k += host_node_by_id(h, id) != NULL;
        } hwloc_bitmap_foreach_end();
        page_needs pn = {0};
        hwloc_bitmap_foreach_begin(id, nodes) {
            if (host_node_by_id(h, id))
                need_pages(&pn, id, sizes[0], mem / (unsigned)k);
        } hwloc_bitmap_foreach_end();
        commit_needs(c, &pn, &actions, &noroom);
        units_name(sizes[0], name, sizeof name);
        if (noroom.len || !k)
            r_finding(c, SEV_WARNING, NULL, NULL, "the host has not enough "
                      "free %s pages for the domain's %llu MiB, and its "
                      "nodes cannot reserve them (%s): ordinary pages kept",
                      name, mem / 1024, noroom.len ? noroom.buf : "none on "
                      "the host");
        else
            r_finding(c, SEV_WARNING, NULL, actions.len ? actions.buf : NULL,
                      "the host has not enough free %s pages for the "
                      "domain's %llu MiB: ordinary pages kept", name,
                      mem / 1024);
        strbuf_free(&actions);
        strbuf_free(&noroom);
    }
    hwloc_bitmap_free(nodes);
}

/* A page size the domain sets that the host does not have (no node lists
 * a pool of it, or an x86 CPU without pdpe1gb for 1 GiB) cannot start
 * there. Returns 1 when every size is one the host has. */
static int check_kept_sizes(vt_rule_ctx *c, xmlNodePtr hp)
{
    const vt_host *h = r_host(c);
    char list[128], name[32];
    int assumed, k = place_sizes_text(h, list, sizeof list, &assumed), ok = 1;
    if (!k && !lists_pools(h))
        return 1;   /* the source knows no sizes: nothing to say */
    for (xmlNodePtr pg = r_child(hp, "page"); pg; pg = r_next(pg, "page")) {
        unsigned long long kib;
        const char *size = r_attr(pg, "size");
        if (!size || units_kib(size, r_attr(pg, "unit"), &kib) < 0 ||
            kib == host_base_page(h) || host_has_huge_size(h, kib))
            continue;
        ok = 0;
        r_finding(c, SEV_INFEASIBLE, pg, NULL, "hugepages of %s: the host "
                  "has no such pages (%s %s), so the domain cannot start "
                  "there", units_name(kib, name, sizeof name),
                  assumed ? "its CPU and the source allow only"
                          : "its pools are", list);
    }
    return ok;
}

/* The domain's own page sizes: memory that is no whole number of pages
 * takes one page more than it holds (QEMU rounds the backing up). */
static void check_whole_pages(vt_rule_ctx *c, const vt_place_plan *p)
{
    for (int i = 0; i < p->ncells; i++) {
        const vt_place_cell *cell = &p->cells[i];
        unsigned long long kib = cell->mem_kib + cell->dimm_kib;
        if (!cell->page_kib || kib % cell->page_kib == 0)
            continue;
        char name[32];
        r_finding(c, SEV_WARNING, NULL, NULL, "%s%llu KiB of memory is no "
                  "whole number of %s pages: QEMU rounds its backing up to "
                  "%llu pages, %llu KiB more than the guest sees",
                  p->ncells > 1 ? "a guest cell's " : "",
                  kib, units_name(cell->page_kib, name, sizeof name),
                  (kib + cell->page_kib - 1) / cell->page_kib,
                  cell->page_kib - kib % cell->page_kib);
    }
}

/* A domain that places itself and names its pages: the pages its nodes
 * lack (it cannot start without them), with the commands. */
static void check_self_placed_pages(vt_rule_ctx *c)
{
    const vt_host *h = r_host(c);
    vt_strbuf actions;
    strbuf_init(&actions);
    int short_nodes = 0;
    for (int n = 0; n < h->nnodes; n++)
        for (int k = 0; k < h->nodes[n].npages; k++) {
            unsigned long long size = h->nodes[n].pages[k].size_kib;
            int accounted;
            long long own = r_own_pages(c, n, size, &accounted);
            if (own <= 0)
                continue;
            /* the run counts them already: what the others leave */
            long long free_pages = accounted
                ? usage_pages_left(r_usage(c), h, n, size, NULL) + own
                : usage_pages_free(r_usage(c), h, n, size, NULL);
            const vt_host_pages *pg = &h->nodes[n].pages[k];
            long long have = pg->free >= 0
                ? pg->free + usage_pages_held(r_usage(c), h, n, size)
                : pg->total;
            if (free_pages > have)
                free_pages = have;
            if (own <= free_pages) {
                r_host_pages(c, h->nodes[n].id, size, 0, own, pg->total);
                continue;
            }
            r_host_pages(c, h->nodes[n].id, size, own - free_pages, own,
                         pg->total);
            char *cmd = r_pages_command(h->nodes[n].id, size,
                                        own - free_pages, -1);
            strbuf_addf(&actions, "%s%s", actions.len ? "; " : "", cmd);
            free(cmd);
            short_nodes++;
        }
    /* pages bound to no node that no pool had room for */
    int self = r_usage_self(c);
    const vt_usage *u = r_usage(c);
    if (self >= 0 && u->domains[self].overflow > 0) {
        char name[32];
        strbuf_addf(&actions, "%sreserve %lld more %s pages on the host's "
                    "nodes (its memory is bound to none of them)",
                    actions.len ? "; " : "", u->domains[self].overflow,
                    units_name(u->domains[self].overflow_kib, name,
                               sizeof name));
        short_nodes++;
    }
    if (short_nodes)
        r_finding(c, SEV_INFEASIBLE, NULL, actions.buf, "the domain's own "
                  "placement and page size need more free hugepages than "
                  "its host node%s ha%s: it cannot start until they are "
                  "reserved", short_nodes > 1 ? "s" : "",
                  short_nodes > 1 ? "ve" : "s");
    strbuf_free(&actions);
}

static void run_mem_hugepages(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr mb = r_child(root, "memoryBacking");
    xmlNodePtr old = r_child(mb, "hugepages");
    const vt_place_plan *p = r_rule_on(c, RULE_numa_place) ? place_get(c)
                                                            : NULL;
    /* a domain placement found no room for (or that cannot start here)
     * gets no hugepages and no host commands: numa.place says why; one
     * it confined to the shared CPUs instead is a domain with a CPU set
     * of its own from now on, tuned as one (and as its output is tuned
     * again) */
    if (p && p->status == PLACE_INFEASIBLE && !p->confine)
        return;
    if (p && p->status != PLACE_OK)
        p = NULL;
    if (old && !r_override(c)) {
        r_finding(c, SEV_INFO, old, NULL, "hugepages set explicitly; kept "
                  "(set mem.hugepages.override=true to choose them anew)");
        int known = check_kept_sizes(c, old);
        if (p)
            check_whole_pages(c, p);
        if (p && p->page_short && known)
            report_short(c, p);
        else if (p && known)
            record_used(c, p);
        else if (!p && known && r_rule_on(c, RULE_numa_place) &&
                 place_get(c)->status == PLACE_KEPT)
            check_self_placed_pages(c);
        return;
    }
    if (old)
        r_remove(c, old, "replaced (mem.hugepages.override)");
    if (!p) {
        hugepages_unplaced(c);
        return;
    }
    if (!p->page_kib) {
        if (p->page_wanted)
            report_missing(c, p);
        return;
    }
    int percell = p->user_cells ||
                  (p->ncells > 1 && r_rule_on(c, RULE_numa_guest));
    char why[256], name[32];
    units_name(p->page_kib, name, sizeof name);
    snprintf(why, sizeof why, "%s pages from the pools of the domain's host "
             "nodes (%s): one TLB entry maps %s, so the guest walks far "
             "fewer page tables", name,
             percell ? "one per guest cell" : "all on its node", name);
    write_pages(c, p, percell, why);
    if (p->page_short)
        report_short(c, p);
    else
        record_used(c, p);
    if (p->page_assumed)
        r_finding(c, SEV_INFO, NULL, NULL, "free %s pages are unknown on "
                  "the chosen nodes (%s source records pool totals only): "
                  "the whole pool was assumed free; a snapshot taken on the "
                  "host (vtune-xml snapshot) has the free counts", name,
                  r_host(c)->kind);
}

const vt_rule rule_mem_hugepages = {
    .id = "mem.hugepages",
    .summary = "the largest hugepages the chosen nodes' free pools hold; "
               "feasible host commands when they are missing",
    .profiles = PROFILE_LATENCY | PROFILE_THROUGHPUT | PROFILE_REALTIME,
    .params = hp_params,
    .reference = "https://libvirt.org/formatdomain.html#memory-backing; https://docs.kernel.org/admin-guide/mm/hugetlbpage.html",
    .description =
        "Backs guest memory with hugepages. Sizes: those the host lists "
        "(its pools above the base page: x86 2 MiB and 1 GiB, POWER 16 MiB "
        "and 16 GiB, arm64 64 KiB/2 MiB/32 MiB/512 MiB/1 GiB by kernel "
        "granule; x86 sources that list none: 1 GiB, with the CPU's "
        "pdpe1gb, and 2 MiB), the ones of 1 GiB and more with use_1g, the "
        "smaller ones with use_2m, and only sizes the memory is a whole "
        "number of. Placement (numa.place) tries each, largest first, then "
        "ordinary pages, and keeps the one that needs the fewest host "
        "nodes, the larger page on a tie: a domain one node holds with any "
        "size is never split for a larger page, nor spread for one. Each "
        "guest cell is whole pages from its own node's free pool. Writes "
        "<memoryBacking><hugepages> with one <page size unit='KiB'/> (one "
        "node), or one <page nodeset> per guest cell. A domain that names "
        "its size keeps it (placement counts that size; when its nodes "
        "lack pages, a warning gives the commands). When the pools are "
        "short, the domain keeps ordinary pages and a finding gives the "
        "commands per node and size (echo N > /sys/devices/system/node/"
        "nodeX/hugepages/hugepages-SIZEkB/nr_hugepages), never more pages "
        "than the node's memory less the reserve and what the run took "
        "(else no command, and the finding says so); the report sums the "
        "run's needs and gives a kernel command line with every size and "
        "node the host keeps or the run uses, not only those short "
        "(hugepagesz=SIZE hugepages=NODE:COUNT,...: the node format needs "
        "Linux 5.16 or later; older kernels split hugepages=N evenly over "
        "the nodes; no default_hugepagesz, which would change what a bare "
        "<hugepages/> means), and a hugetlbfs mount for each size but the "
        "kernel's default (systemd mounts that one only, and libvirt "
        "needs a mount per size). A domain's own finding gives relative "
        "commands (+N pages), the run's summary the final counts; a domain "
        "that cannot start until pages are reserved is an infeasible "
        "finding (--strict: exit 5), also when it places itself. A named size the host does not have "
        "(no pool of it, or 1 GiB on an x86 CPU without pdpe1gb) gets no "
        "command: placement finds the domain infeasible. Memory that is "
        "no whole number of the named size gets a warning: QEMU backs it "
        "with one page more. Without a placement, "
        "the domain's <numatune> nodes (or all nodes) together must hold "
        "the pages.",
    .needs = "Hugepage pools per node and size with free counts (JSON "
             "snapshot or live sysfs). hwloc XML and capabilities know only "
             "pool totals: the whole pool is assumed free, with a finding. "
             "A node without a pool of a size has none of it.",
    .run = run_mem_hugepages,
};
