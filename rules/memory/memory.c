/*
 * memory.c - the memory family: mem.hugepages (which pages back the
 * guest), mem.access (shared memory for vhost-user and virtiofs),
 * mem.lock (locked, unshared, preallocated memory) and mem.balloon.
 *
 * mem.hugepages takes its page size from the placement plan: placement
 * tries the page sizes largest first and keeps the one that needs the
 * fewest host nodes (see place_plan.c), so the nodes it chose can back the
 * memory in that size. Without a placement, the rule decides over the
 * nodes the domain may use.
 */
#include "placement/placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *size_name(unsigned long long kib)
{
    return kib == 1048576 ? "1 GiB" : kib == 2048 ? "2 MiB" : "?";
}

/* ---------------------------------------------------------- helpers */

static int has_vfio(xmlNodePtr root)
{
    xmlNodePtr dev = r_child(root, "devices");
    for (xmlNodePtr h = r_child(dev, "hostdev"); h; h = r_next(h, "hostdev")) {
        const char *mode = r_attr(h, "mode"), *type = r_attr(h, "type");
        if ((!mode || !strcmp(mode, "subsystem")) && type &&
            !strcmp(type, "pci"))
            return 1;
    }
    return r_child_with(dev, "interface", "type", "hostdev") != NULL;
}

/* The vhost-user or virtiofs device that needs shared memory, or NULL. */
static const char *shared_memory_user(xmlNodePtr root)
{
    xmlNodePtr dev = r_child(root, "devices");
    if (r_child_with(dev, "interface", "type", "vhostuser"))
        return "a vhost-user interface";
    if (r_child_with(dev, "disk", "type", "vhostuser"))
        return "a vhost-user disk";
    for (xmlNodePtr f = r_child(dev, "filesystem"); f;
         f = r_next(f, "filesystem"))
        if (r_child_with(f, "driver", "type", "virtiofs"))
            return "a virtiofs filesystem";
    return NULL;
}

static xmlNodePtr backing(vt_rule_ctx *c, const char *why)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr mb = r_child(root, "memoryBacking");
    return mb ? mb : r_insert(c, root, "memoryBacking", NULL, "%s", why);
}

/* ----------------------------------------------------- mem.hugepages */

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
    xmlNodePtr mb = backing(c, "holds the guest memory backing");
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
    int n = -1;
    for (int i = 0; i < h->nnodes; i++)
        if (h->nodes[i].id == node)
            n = i;
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
    xmlNodePtr nm = r_child(r_child(r_root(c), "numatune"), "memory");
    hwloc_bitmap_t nodes = r_attr(nm, "nodeset")
                               ? cpulist_parse(r_attr(nm, "nodeset"), CPULIST_LIBVIRT) : NULL;
    unsigned long long sizes[2];
    int ns = 0;
    if (r_param_bool(c, "use_1g") && mem % (1 << 20) == 0 &&
        mem >= (unsigned long long)r_param_int(c, "min_1g_gib") << 20)
        sizes[ns++] = 1 << 20;
    if (r_param_bool(c, "use_2m") && mem % 2048 == 0 && mem)
        sizes[ns++] = 2048;
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

static void run_hugepages(vt_rule_ctx *c)
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
    .run = run_hugepages,
};

/* ------------------------------------------------------- mem.access */

static void run_access(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    const char *user = shared_memory_user(root);
    if (!user)
        return;
    xmlNodePtr mb = backing(c, "holds the memory access mode");
    xmlNodePtr access = r_child(mb, "access");
    if (!access) {
        const char *a[] = {"mode", "shared", NULL};
        r_insert(c, mb, "access", a, "%s reads and writes guest memory from "
                 "another process: the memory must be shared", user);
    } else if (strcmp(r_attr(access, "mode") ? r_attr(access, "mode") : "",
                      "shared") != 0) {
        r_set(c, access, "mode", "shared", "%s needs the guest memory shared "
              "with its backend process", user);
    }
    if (!r_child(mb, "hugepages") && !r_child(mb, "source")) {
        const char *a[] = {"type", "memfd", NULL};
        r_insert(c, mb, "source", a, "shared memory without hugepages needs "
                 "a file-backed source: memfd is anonymous and needs no "
                 "mount");
    }
    xmlNodePtr numa = r_child(r_child(root, "cpu"), "numa");
    for (xmlNodePtr cell = r_child(numa, "cell"); cell;
         cell = r_next(cell, "cell"))
        if (!r_attr(cell, "memAccess"))
            r_set(c, cell, "memAccess", "shared", "each guest cell's memory "
                  "is shared with %s", user);
}

const vt_rule rule_mem_access = {
    .id = "mem.access",
    .summary = "shared memory (memfd without hugepages) for vhost-user and "
               "virtiofs",
    .profiles = PROFILE_ALL,
    .params = r_no_params,
    .reference = "https://libvirt.org/kbase/virtiofs.html",
    .description =
        "A vhost-user interface or disk, or a virtiofs filesystem, runs in "
        "another process that maps the guest memory: without shared memory "
        "the device does not work. Writes <memoryBacking><access "
        "mode='shared'/>, <source type='memfd'/> when no hugepages back the "
        "memory, and memAccess='shared' on every guest cell that does not "
        "set it.",
    .needs = "None: it reads the domain's devices.",
    .run = run_access,
};

/* --------------------------------------------------------- mem.lock */

static void run_lock(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr mb = r_child(root, "memoryBacking");
    int huge = r_child(mb, "hugepages") != NULL;
    int vfio = has_vfio(root);
    int latency = r_profile(c) == PROFILE_LATENCY;
    if (latency || (huge && vfio)) {
        const char *why = latency
            ? "the latency profile: no page of the guest is ever swapped "
              "out or faulted in on the host"
            : "hugepages with a VFIO device: the device DMAs into guest "
              "memory, which must stay where it is";
        mb = backing(c, "holds the memory locking");
        if (!r_child(mb, "nosharepages"))
            r_insert(c, mb, "nosharepages", NULL, "KSM off for this guest: "
                     "merging and unmerging its pages costs latency (%s)",
                     latency ? "latency profile" : "locked memory");
        if (!r_child(mb, "locked"))
            r_insert(c, mb, "locked", NULL, "%s; libvirt raises the memlock "
                     "limit for it", why);
    }
    if (huge && !r_child(mb, "allocation")) {
        const char *a[] = {"mode", "immediate", NULL};
        r_insert(c, mb, "allocation", a, "the hugepages are taken when the "
                 "guest starts: a short pool fails the start, not the guest "
                 "later");
    }
}

const vt_rule rule_mem_lock = {
    .id = "mem.lock",
    .summary = "locked, unshared memory for latency and VFIO with "
               "hugepages; immediate allocation with hugepages",
    .profiles = PROFILE_BALANCED | PROFILE_LATENCY | PROFILE_THROUGHPUT,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#memory-backing",
    .description =
        "Writes <locked/> and <nosharepages/> (KSM off) for the latency "
        "profile, and whenever hugepages back a domain with VFIO devices; "
        "<allocation mode='immediate'/> whenever hugepages back the memory. "
        "Elements the domain has are kept.",
    .needs = "None: it reads the domain (memory backing, hostdevs).",
    .run = run_lock,
};

/* ------------------------------------------------------ mem.balloon */

static const vt_rule_param balloon_params[] = {
    {"stats_period", PARAM_INT, "10",
     "seconds between balloon statistics updates", NULL, 1, 3600},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

static xmlNodePtr first_element(xmlNodePtr el)
{
    for (xmlNodePtr k = el->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE)
            return k;
    return NULL;
}

/* Why the domain must not balloon, or NULL. */
static const char *no_balloon(xmlNodePtr root)
{
    xmlNodePtr mb = r_child(root, "memoryBacking");
    if (r_child(mb, "locked"))
        return "the memory is locked: a balloon cannot take it back";
    if (r_child(mb, "hugepages"))
        return "hugepages back the memory: ballooning them frees nothing on "
               "the host and splits them";
    if (has_vfio(root))
        return "a VFIO device DMAs into guest memory: pages the balloon "
               "frees would still be pinned";
    return NULL;
}

static void run_balloon(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr dev = r_child(root, "devices");
    if (!dev)
        dev = r_insert(c, root, "devices", NULL, "holds the balloon");
    xmlNodePtr b = r_child(dev, "memballoon");
    const char *none_why = no_balloon(root);
    if (none_why) {
        if (!b) {
            const char *a[] = {"model", "none", NULL};
            r_add(c, dev, "memballoon", NULL, a, "%s (libvirt adds a virtio "
                  "balloon otherwise)", none_why);
            return;
        }
        const char *model = r_attr(b, "model");
        if (model && !strcmp(model, "none"))
            return;
        r_set(c, b, "model", "none", "%s", none_why);
        if (r_attr(b, "autodeflate"))
            r_set(c, b, "autodeflate", NULL, "no balloon to deflate");
        if (r_attr(b, "freePageReporting"))
            r_set(c, b, "freePageReporting", NULL, "no balloon to report");
        /* removing a child may free the whitespace around it: take the
         * first element child each time */
        for (xmlNodePtr k = first_element(b); k; k = first_element(b))
            r_remove(c, k, "a balloon of model none has no settings or "
                     "address");
        return;
    }
    char period[16];
    snprintf(period, sizeof period, "%ld", r_param_int(c, "stats_period"));
    if (!b) {
        const char *a[] = {"model", "virtio", "autodeflate", "on", NULL};
        b = r_add(c, dev, "memballoon", NULL, a, "a virtio balloon lets the "
                  "host take unused guest memory back under pressure; "
                  "autodeflate gives it back before the guest runs out");
    }
    const char *model = r_attr(b, "model");
    if (!model || strcmp(model, "virtio") != 0)
        return;     /* none or another model: the user's choice */
    if (!r_attr(b, "autodeflate"))
        r_set(c, b, "autodeflate", "on", "the balloon deflates before the "
              "guest's OOM killer would run");
    if (r_profile(c) == PROFILE_LATENCY && !r_attr(b, "freePageReporting"))
        r_set(c, b, "freePageReporting", "off", "the latency profile: no "
              "host work each time the guest frees memory");
    if (!r_child(b, "stats")) {
        const char *a[] = {"period", period, NULL};
        r_insert(c, b, "stats", a, "memory statistics every %s s, so "
                 "virsh dommemstat and the host's tooling see the guest's "
                 "real use", period);
    }
}

const vt_rule rule_mem_balloon = {
    .id = "mem.balloon",
    .summary = "no balloon with locked, hugepage or VFIO memory; else virtio "
               "with stats and autodeflate",
    .profiles = PROFILE_ALL,
    .params = balloon_params,
    .reference = "https://libvirt.org/formatdomain.html#memory-balloon-device",
    .description =
        "Writes <memballoon model='none'/> when the memory is locked, backed "
        "by hugepages, or a VFIO device is assigned (each reason is given); "
        "otherwise keeps (or adds) a virtio balloon with autodeflate='on' "
        "and <stats period='10'/>, and freePageReporting='off' for the "
        "latency profile. A balloon of another model is kept.",
    .needs = "None: it reads the domain (memory backing, hostdevs).",
    .run = run_balloon,
};
