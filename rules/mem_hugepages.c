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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *size_name(unsigned long long kib)
{
    return kib == 1048576 ? "1 GiB" : kib == 2048 ? "2 MiB" : "?";
}

static const vt_rule_param hp_params[] = {
    {"use_1g", PARAM_BOOL, "true", "back large guests with 1 GiB pages",
     NULL, 0, 0},
    {"use_2m", PARAM_BOOL, "true", "back guests with 2 MiB pages", NULL, 0,
     0},
    {"min_1g_gib", PARAM_INT, "16",
     "the smallest guest memory (GiB) worth 1 GiB pages", NULL, 1, 1048576},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* Writes <hugepages> with one <page> per guest cell (nodeset = the guest
 * cell) when the domain has cells, else one <page> for all memory. */
static void write_pages(vt_rule_ctx *c, unsigned long long page, int ncells,
                        const char *why)
{
    xmlNodePtr mb = r_ensure(c, r_root(c), "memoryBacking",
                             "holds the guest memory backing");
    xmlNodePtr hp = r_insert(c, mb, "hugepages", NULL, "%s", why);
    char size[32];
    snprintf(size, sizeof size, "%llu", page);
    if (ncells < 2) {
        const char *a[] = {"size", size, "unit", "KiB", NULL};
        r_add(c, hp, "page", NULL, a, "all guest memory in %s pages",
              size_name(page));
        return;
    }
    for (int i = 0; i < ncells; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", i);
        const char *a[] = {"size", size, "unit", "KiB", "nodeset", id, NULL};
        r_add(c, hp, "page", NULL, a, "guest cell %d in %s pages from its "
              "host node's pool", i, size_name(page));
    }
}

/* The pages of size PAGE that host node NODE (OS id) lacks for KIB. */
static void need_pages(vt_rule_ctx *c, int node, unsigned long long page,
                       unsigned long long kib, vt_strbuf *actions)
{
    const vt_host *h = r_host(c);
    int n = host_node_index(h, node);
    if (n < 0)
        return;
    long long need = (long long)((kib + page - 1) / page);
    long long have = usage_pages_free(r_usage(c), h, n, page, NULL);
    if (need <= have)
        return;
    long long total = -1;
    for (int i = 0; i < h->nodes[n].npages; i++)
        if (h->nodes[n].pages[i].size_kib == page)
            total = h->nodes[n].pages[i].total;
    r_host_pages(c, node, page, need - have, total);
    char *cmd = r_pages_command(node, page, need - have, total);
    strbuf_addf(actions, "%s%s", actions->len ? "; " : "", cmd);
    free(cmd);
}

/* Hugepages were wanted but placement found none free: say what the host
 * lacks on the nodes the domain got, and how to add it. */
static void report_missing(vt_rule_ctx *c, const vt_place_plan *p)
{
    unsigned long long want = p->page_wanted;
    vt_strbuf actions;
    strbuf_init(&actions);
    for (int i = 0; i < p->ncells; i++)
        need_pages(c, p->cells[i].node, want, p->cells[i].mem_kib, &actions);
    if (actions.len)
        r_finding(c, SEV_WARNING, NULL, actions.buf,
                  "no host node set the domain can use has enough free %s "
                  "pages for its memory, so it runs on ordinary pages (more "
                  "TLB misses, memory that can be swapped or moved); "
                  "reserve the pages on its nodes and tune it again",
                  size_name(want));
    else
        r_finding(c, SEV_INFO, NULL, NULL, "%s pages would need more host "
                  "nodes than ordinary pages, so the domain keeps ordinary "
                  "pages on fewer nodes (locality first)", size_name(want));
    strbuf_free(&actions);
}

/* Without a placement: the largest eligible size the domain's nodes (its
 * <numatune> nodeset, else every node) have enough free pages of. */
static void hugepages_unplaced(vt_rule_ctx *c)
{
    const vt_host *h = r_host(c);
    unsigned long long mem = r_domain(c)->memory_kib;
    hwloc_bitmap_t nodes = domain_numatune_nodes(r_root(c));
    unsigned long long sizes[2];
    int ns = place_huge_sizes(c, mem, sizes);
    for (int s = 0; s < ns; s++) {
        long long free_pages = 0;
        int assumed = 0;
        for (int n = 0; n < h->nnodes; n++)
            if (!nodes || hwloc_bitmap_isset(nodes, (unsigned)h->nodes[n].id))
                free_pages += usage_pages_free(r_usage(c), h, n, sizes[s],
                                               &assumed);
        if (free_pages >= (long long)(mem / sizes[s])) {
            write_pages(c, sizes[s], 0, "the host has enough free pages of "
                        "this size on the domain's nodes: fewer TLB misses "
                        "and page-table walks than 4 KiB pages");
            if (assumed)
                r_finding(c, SEV_INFO, NULL, NULL, "free %s pages are "
                          "unknown (%s source records pool totals only); "
                          "all of them were assumed free", size_name(sizes[s]),
                          h->kind);
            hwloc_bitmap_free(nodes);
            return;
        }
    }
    if (ns) {
        int first = nodes ? hwloc_bitmap_first(nodes) : h->nodes[0].id;
        vt_strbuf actions;
        strbuf_init(&actions);
        need_pages(c, first, sizes[0], mem, &actions);
        r_finding(c, SEV_WARNING, NULL, actions.len ? actions.buf : NULL,
                  "the host has not enough free %s pages for the domain's "
                  "%llu MiB: ordinary pages kept", size_name(sizes[0]),
                  mem / 1024);
        strbuf_free(&actions);
    }
    hwloc_bitmap_free(nodes);
}

/* A page size the domain sets that no node of the host has a pool of
 * cannot start there. */
static void check_kept_sizes(vt_rule_ctx *c, xmlNodePtr hp)
{
    const vt_host *h = r_host(c);
    int any_pool = 0;
    for (int n = 0; n < h->nnodes; n++)
        for (int i = 0; i < h->nodes[n].npages; i++)
            any_pool |= h->nodes[n].pages[i].size_kib > 4;
    if (!any_pool)
        return;     /* the source knows no pools: nothing to say */
    for (xmlNodePtr pg = r_child(hp, "page"); pg; pg = r_next(pg, "page")) {
        unsigned long long kib;
        const char *size = r_attr(pg, "size");
        if (!size || units_kib(size, r_attr(pg, "unit"), &kib) < 0)
            continue;
        int found = 0;
        for (int n = 0; n < h->nnodes; n++)
            for (int i = 0; i < h->nodes[n].npages; i++)
                found |= h->nodes[n].pages[i].size_kib == kib;
        if (!found)
            r_finding(c, SEV_INFEASIBLE, pg, NULL, "hugepages of %llu KiB: "
                      "the host has no pool of that size, so the domain "
                      "cannot start there", kib);
    }
}

static void run_mem_hugepages(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr mb = r_child(root, "memoryBacking");
    xmlNodePtr old = r_child(mb, "hugepages");
    if (old && !r_override(c)) {
        r_finding(c, SEV_INFO, old, NULL, "hugepages set explicitly; kept "
                  "(set mem.hugepages.override=true to choose them anew)");
        check_kept_sizes(c, old);
        return;
    }
    if (old)
        r_remove(c, old, "replaced (mem.hugepages.override)");
    if (!r_rule_on(c, RULE_numa_place)) {
        hugepages_unplaced(c);
        return;
    }
    const vt_place_plan *p = place_get(c);
    if (p->status != PLACE_OK) {
        hugepages_unplaced(c);
        return;
    }
    if (!p->page_kib) {
        if (p->page_wanted)
            report_missing(c, p);
        return;
    }
    int cells = p->ncells > 1 && !p->mem_spread && r_rule_on(c, RULE_numa_guest)
                    ? p->ncells : 0;
    char why[256];
    snprintf(why, sizeof why, "%s pages from the pools of the domain's host "
             "nodes (%s): one TLB entry maps %s, so the guest walks far "
             "fewer page tables", size_name(p->page_kib),
             cells ? "one per guest cell" : "all on its node",
             size_name(p->page_kib));
    write_pages(c, p->page_kib, cells, why);
    if (p->page_assumed)
        r_finding(c, SEV_INFO, NULL, NULL, "free %s pages are unknown on "
                  "the chosen nodes (%s source records pool totals only): "
                  "the whole pool was assumed free; a snapshot taken on the "
                  "host (vtune-xml snapshot) has the free counts",
                  size_name(p->page_kib), r_host(c)->kind);
}

const vt_rule rule_mem_hugepages = {
    .id = "mem.hugepages",
    .summary = "1 GiB or 2 MiB hugepages from the chosen nodes' free pools; "
               "host commands when they are missing",
    .profiles = PROFILE_LATENCY | PROFILE_THROUGHPUT,
    .params = hp_params,
    .reference = "https://libvirt.org/formatdomain.html#memory-backing",
    .description =
        "Backs guest memory with hugepages. Candidates, largest first: 1 GiB "
        "when the memory is at least min_1g_gib GiB and a multiple of 1 GiB; "
        "2 MiB when a multiple of 2 MiB; then ordinary pages. Placement "
        "(numa.place) tries each and keeps the one that needs the fewest "
        "host nodes, the larger page on a tie: smaller pages before "
        "spreading further, and ordinary pages rather than more nodes. "
        "Each guest cell's memory is whole pages from its own node's free "
        "pool (pages needed are rounded up); one size a cell. Writes "
        "<memoryBacking><hugepages><page size unit='KiB' nodeset/> per guest "
        "cell (one <page> without nodeset on one node). When the pools are "
        "short, the domain keeps ordinary pages and a finding gives the "
        "commands per node and size (echo N > /sys/devices/system/node/"
        "nodeX/hugepages/hugepages-SIZEkB/nr_hugepages); the report sums "
        "the run's needs and gives the kernel command line for 1 GiB pages. "
        "Without a placement, the domain's <numatune> nodes (or all nodes) "
        "together must hold the pages.",
    .needs = "Hugepage pools per node and size with free counts (JSON "
             "snapshot or live sysfs). hwloc XML and capabilities know only "
             "pool totals: the whole pool is assumed free, with a finding. "
             "A node without a pool of a size has none of it.",
    .run = run_mem_hugepages,
};
