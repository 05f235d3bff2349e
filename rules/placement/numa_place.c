/*
 * numa_place.c - numa.place: the host nodes of the domain (<numatune>),
 * and, when the vCPUs float (cpu.pin off), where they may float. Writes
 * its part of the plan placement/plan.c decides.
 */
#include "placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Floating vCPUs (cpu.pin off, or cpu.pin's fallback): confine them to
 * the pool of the chosen nodes. <vcpu cpuset> bounds every vCPU without a
 * pin of its own and the emulator threads (libvirt's default for
 * <emulatorpin>); with several cells, each vCPU also gets its cell's
 * CPUs. A domain without <vcpu> (one vCPU) gets one. */
static void confine_floating(vt_rule_ctx *c, const vt_place_plan *p)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr vcpu = r_child(root, "vcpu");
    hwloc_bitmap_t all = hwloc_bitmap_alloc();
    for (int i = 0; i < p->ncells; i++)
        hwloc_bitmap_or(all, all, p->cells[i].cpus);
    char *cpus = cpulist_format(all), *nodes = cpulist_format(p->nodes);
    int many = hwloc_bitmap_weight(p->nodes) > 1;
    if (!vcpu) {
        const char *attrs[] = {"cpuset", cpus, NULL};
        vcpu = r_insert(c, root, "vcpu", attrs, "the domain's one vCPU "
                        "(libvirt's default without <vcpu>) floats over "
                        "the %s of host node%s %s, where its memory is",
                        p->pool, many ? "s" : "", nodes);
        r_text(c, vcpu, "1", "one vCPU, as libvirt counts a domain "
               "without <vcpu>");
    } else {
        r_set(c, vcpu, "cpuset", cpus, "the vCPUs float over the %s of "
              "host node%s %s, where the memory is, and nowhere else",
              p->pool, many ? "s" : "", nodes);
    }
    free(cpus);
    free(nodes);
    hwloc_bitmap_free(all);
    /* pins of the domain's own (kept only under override) would put its
     * vCPUs elsewhere than its memory */
    xmlNodePtr tune = r_child(root, "cputune");
    for (xmlNodePtr n = r_child(tune, "vcpupin"), next; n; n = next) {
        next = r_next(n, "vcpupin");
        r_remove(c, n, "replaced (override): the vCPUs float next to their "
                 "memory");
    }
    int with_vcpus = 0, pinnable = 0;
    for (int i = 0; i < p->ncells; i++) {
        with_vcpus += p->cells[i].nvcpus > 0;
        pinnable += p->cells[i].nvcpus > 0 &&
                    hwloc_bitmap_weight(p->cells[i].cpus) >= 2;
    }
    /* no <cputune> that would stay empty: cells of one CPU each keep
     * their vCPUs on <vcpu cpuset> (below) */
    if (with_vcpus < 2 || !pinnable)
        return;
    tune = r_ensure(c, root, "cputune", "holds the vCPU placement");
    /* in vCPU order, as libvirt writes them back */
    for (int v = 0; v < r_domain(c)->vcpus; v++) {
        const vt_place_cell *cell = NULL;
        for (int i = 0; i < p->ncells && !cell; i++)
            if (hwloc_bitmap_isset(p->cells[i].vcpus, (unsigned)v))
                cell = &p->cells[i];
        /* a <vcpupin> of one CPU reads as a dedicated CPU (libvirt,
         * vtune-xml and Nova alike): a cell whose pool is one CPU keeps
         * its vCPUs on <vcpu cpuset> */
        if (!cell || hwloc_bitmap_weight(cell->cpus) < 2)
            continue;
        char vs[16];
        char *cc = cpulist_format(cell->cpus);
        char *cn = cpulist_format(cell->nodes);
        snprintf(vs, sizeof vs, "%d", v);
        const char *attrs[] = {"vcpu", vs, "cpuset", cc, NULL};
        r_insert(c, tune, "vcpupin", attrs, "guest cell %d's vCPUs float "
                 "over the %s of host node%s %s, next to its memory",
                 cell->cellid, p->pool,
                 hwloc_bitmap_weight(cell->nodes) > 1 ? "s" : "", cn);
        free(cc);
        free(cn);
    }
}

/* An assigned PCI device on a host node the domain was not placed on: a
 * warning (hostdev affinity preferred or legacy, or the domain's own
 * device), since its DMA and interrupts cross the interconnect. */
static void remote_devices(vt_rule_ctx *c, const vt_place_plan *p,
                           const char *nodes)
{
    const vt_host *h = r_host(c);
    xmlNodePtr dev = r_child(r_root(c), "devices");
    for (xmlNodePtr e = dev ? dev->children : NULL; e; e = e->next) {
        char a[16];
        if (pciaddr_assigned(e, a) < 0)
            continue;
        const vt_host_pci *d = host_pci_by_addr(h, a);
        if (!d || d->node < 0 || hwloc_bitmap_isset(p->nodes,
                                                    (unsigned)d->node))
            continue;
        r_finding(c, SEV_WARNING, e, NULL, "%s is on host node %d, not on "
                  "the domain's node(s) %s: its DMA and interrupts cross "
                  "the interconnect (hostdev.insert.affinity=required keeps "
                  "the domain beside its devices)", a, d->node, nodes);
    }
}

/* A domain that pins itself, beside the other domains of the run and of
 * -c: a vCPU pinned 1:1 is meant to have its CPU alone, so another
 * domain's pins on the same host cores, or its vCPUs floating over them,
 * are a conflict the user must resolve (the tool keeps the pins). */
static const char *cpus_word(hwloc_const_bitmap_t set)
{
    return hwloc_bitmap_weight(set) == 1 ? "CPU" : "CPUs";
}

static void kept_conflicts(vt_rule_ctx *c)
{
    const vt_usage *u = r_usage(c);
    int self = r_usage_self(c);
    if (self < 0)
        return;
    /* its record: the whole cores of its 1:1 pins, what it floats over */
    const vt_usage_domain *me = &u->domains[self];
    hwloc_bitmap_t ded = hwloc_bitmap_alloc(), flt = hwloc_bitmap_alloc();
    hwloc_bitmap_t over = hwloc_bitmap_alloc();
    usage_others(u, self, ded, flt);
    hwloc_bitmap_and(over, ded, me->floating);
    hwloc_bitmap_and(ded, ded, me->cpus);
    hwloc_bitmap_and(flt, flt, me->cpus);
    xmlNodePtr tune = r_child(r_root(c), "cputune");
    char who[256];
    if (!hwloc_bitmap_iszero(ded)) {
        int n = usage_who(u, self, ded, 0, who, sizeof who);
        char *list = cpulist_format(ded);
        r_finding(c, SEV_WARNING, tune, NULL, "the domain's vCPUs pinned "
                  "1:1 share host cores (%s %s) with the one-core pins "
                  "(vCPUs, emulator or iothreads) of domain%s %s: neither "
                  "has them alone; move one of them (or tune it with "
                  "numa.place.override=true)", cpus_word(ded), list,
                  n > 1 ? "s" : "", who);
        free(list);
    }
    /* its own floating vCPUs (<vcpu cpuset>, wider pins) and threads
     * must keep off the others' dedicated cores */
    if (!hwloc_bitmap_iszero(over)) {
        int n = usage_who(u, self, over, 0, who, sizeof who);
        char *list = cpulist_format(over);
        int confined = r_attr(r_child(r_root(c), "vcpu"), "cpuset") != NULL;
        r_finding(c, SEV_WARNING, NULL, NULL, "the domain's floating vCPUs "
                  "(or emulator threads) may run on %s %s, where domain%s "
                  "%s pin%s to one core: those are no longer alone there; "
                  "%s (or tune it with numa.place.override=true)",
                  cpus_word(over), list, n > 1 ? "s" : "", who,
                  n > 1 ? "" : "s", confined ? "narrow its CPU set"
                  : "it has no <vcpu cpuset> and floats over every CPU: "
                    "give it one");
        free(list);
    }
    if (!hwloc_bitmap_iszero(flt)) {
        int n = usage_who(u, self, flt, 1, who, sizeof who);
        char *list = cpulist_format(flt);
        r_finding(c, SEV_WARNING, tune, NULL, "domain%s %s float%s vCPUs "
                  "over %s %s, in the host cores this domain's vCPUs are "
                  "pinned to 1:1: confine %s to other CPUs (tune %s, or "
                  "virt-xml NAME --edit --vcpus cpuset=LIST)",
                  n > 1 ? "s" : "", who, n > 1 ? "" : "s", cpus_word(flt),
                  list, n > 1 ? "them" : "it", n > 1 ? "them" : "it");
        free(list);
    }
    hwloc_bitmap_free(ded);
    hwloc_bitmap_free(flt);
    hwloc_bitmap_free(over);
}

/* A domain whose own <vcpu cpuset> (and no 1:1 pins) has fewer CPUs
 * than vCPUs runs overcommitted (as numa.place confines a domain that
 * does not fit): say so on every run, that the output, tuned again, does
 * not read as fine. */
static void kept_overcommit(vt_rule_ctx *c)
{
    xmlNodePtr vcpu = r_child(r_root(c), "vcpu");
    const char *cs = r_attr(vcpu, "cpuset");
    hwloc_bitmap_t set = cs ? cpulist_parse(cs, CPULIST_LIBVIRT) : NULL;
    int v = r_domain(c)->vcpus;
    if (set && hwloc_bitmap_weight(set) < v &&
        !r_child(r_child(r_root(c), "cputune"), "vcpupin")) {
        char *l = cpulist_format(set);
        r_finding(c, SEV_WARNING, vcpu, NULL, "overcommitted: its %d vCPUs "
                  "float over %d %s (%s, its <vcpu cpuset>); when the host "
                  "has room, remove the cpuset and tune it again to place "
                  "it", v, hwloc_bitmap_weight(set), cpus_word(set), l);
        free(l);
    }
    hwloc_bitmap_free(set);
}

/* A domain that does not fit: its vCPUs kept off other domains'
 * dedicated CPUs and the isolated ones (plan.c, confine_unplaced). */
static void confine_unplaced(vt_rule_ctx *c, const vt_place_plan *p)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr vcpu = r_child(root, "vcpu");
    char *cpus = cpulist_format(p->confine);
    int n = hwloc_bitmap_weight(p->confine), v = r_domain(c)->vcpus;
    if (!vcpu) {
        const char *attrs[] = {"cpuset", cpus, NULL};
        vcpu = r_insert(c, root, "vcpu", attrs, "the domain does not fit: "
                        "its one vCPU (libvirt's default without <vcpu>) "
                        "floats over the CPUs kept for shared guests, "
                        "never over CPUs dedicated to other domains nor "
                        "isolated ones");
        r_text(c, vcpu, "1", "one vCPU, as libvirt counts a domain "
               "without <vcpu>");
    } else {
        r_set(c, vcpu, "cpuset", cpus, "the domain does not fit: its "
              "vCPUs float over the CPUs kept for shared guests%s, never "
              "over CPUs dedicated to other domains nor isolated ones",
              n < v ? ", overcommitted" : "");
    }
    free(cpus);
}

/* A node of unknown memory size (a snapshot without it) is no limit to
 * the placement: say so, or a domain may be bound to memory that is not
 * there. */
static void unknown_memory(vt_rule_ctx *c, const vt_place_plan *p)
{
    const vt_host *h = r_host(c);
    hwloc_bitmap_t unknown = hwloc_bitmap_alloc();
    int id;
    hwloc_bitmap_foreach_begin(id, p->nodes) {
        const vt_host_node *hn = host_node_by_id(h, id);
        if (hn && hn->mem_kib < 0)
            hwloc_bitmap_set(unknown, (unsigned)id);
    } hwloc_bitmap_foreach_end();
    if (!hwloc_bitmap_iszero(unknown)) {
        char *l = cpulist_format(unknown);
        int many = hwloc_bitmap_weight(unknown) > 1;
        r_finding(c, SEV_INFO, NULL, NULL, "the memory size of host node%s "
                  "%s is unknown (the %s source does not give it), so it "
                  "did not limit the placement: check that the node%s "
                  "hold%s the domain's memory, or tune against a snapshot "
                  "taken on the host (vtune-xml snapshot)", many ? "s" : "",
                  l, h->kind, many ? "s" : "", many ? "" : "s");
        free(l);
    }
    hwloc_bitmap_free(unknown);
}

static void run_numa_place(vt_rule_ctx *c)
{
    const vt_place_plan *p = place_get(c);
    if (p->status == PLACE_KEPT) {
        kept_conflicts(c);
        kept_overcommit(c);
    }
    if (!place_ok(c, p)) {
        if (p->status == PLACE_INFEASIBLE && p->confine)
            confine_unplaced(c, p);
        return;
    }
    xmlNodePtr root = r_root(c);
    xmlNodePtr old = r_child(root, "numatune");
    if (old)
        r_remove(c, old, "replaced (numa.place.override)");
    const char *mode = r_param_str(c, "memory_mode");
    char *nodes = cpulist_format(p->nodes);
    xmlNodePtr nt = r_insert(c, root, "numatune", NULL,
                             "binds guest memory to the host nodes its "
                             "vCPUs run on: remote memory costs 1.5-2x the "
                             "latency of local");
    const char *mattrs[] = {"mode", mode, "nodeset", nodes, NULL};
    r_add(c, nt, "memory", NULL, mattrs, "%s", p->summary);
    /* one <memnode> per guest cell: the domain's own cells always, the
     * plan's when numa.guest writes them */
    int hotplug = r_child(root, "maxMemory") != NULL;
    if (p->user_cells || ((p->ncells > 1 || hotplug) &&
                          r_rule_on(c, RULE_numa_guest))) {
        for (int i = 0; i < p->ncells; i++) {
            const vt_place_cell *cell = &p->cells[i];
            char id[16];
            char *cn = cpulist_format(cell->nodes);
            snprintf(id, sizeof id, "%d", cell->cellid);
            const char *a[] = {"cellid", id, "mode", mode, "nodeset", cn,
                               NULL};
            r_add(c, nt, "memnode", NULL, a, "guest cell %d's memory on "
                  "host node%s %s, where that cell's vCPUs run",
                  cell->cellid, hwloc_bitmap_weight(cell->nodes) > 1
                  ? "s" : "", cn);
            free(cn);
        }
    }
    remote_devices(c, p, nodes);
    unknown_memory(c, p);
    free(nodes);
    if (!p->pinned)
        confine_floating(c, p);
}

static const vt_rule_param place_params[] = {
    {"memory_mode", PARAM_ENUM, "strict",
     "numatune mode for the guest memory", "strict|preferred|restrictive",
     0, 0},
    {"reserved_memory_mib", PARAM_INT, "512",
     "memory per node kept for the host, not given to guests", NULL, 0,
     1048576},
    {"memory_only_nodes", PARAM_ENUM, "avoid",
     "nodes without CPUs (HBM, MCDRAM, CXL): avoid, or use them for memory "
     "when the domain does not fit otherwise", "avoid|use", 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

const vt_rule rule_numa_place = {
    .id = "numa.place",
    .summary = "host NUMA nodes and page size for the domain: one node "
               "whenever one holds it, else the fewest, closest; <numatune> "
               "strict",
    .profiles = PROFILE_BALANCED | PROFILE_LATENCY | PROFILE_THROUGHPUT |
                PROFILE_REALTIME,
    .params = place_params,
    .reference = "https://libvirt.org/formatdomain.html#numa-node-tuning; "
                 "https://libvirt.org/formatdomain.html#cpu-tuning",
    .description =
        "**CPU pools.** Every online host CPU is in one pool. "
        "*Housekeeping*: the policy's reserved_cpus; else the snapshot's "
        "reserved CPUs; else, when the host isolates CPUs (isolcpus, "
        "nohz_full), every CPU it does not isolate; else the first core of "
        "each NUMA node, except that a package with a node of fewer than 4 "
        "cores (AMD NPS4, Intel SNC, 2-CPU nodes) keeps one core for the "
        "whole package, so that small nodes stay usable. The host's tasks "
        "and QEMU's emulator and I/O threads run there; floating vCPUs may; "
        "no vCPU is dedicated there. *Isolated*: the isolcpus and nohz_full "
        "CPUs (not housekeeping): the kernel does not balance tasks over "
        "them, so only dedicated vCPUs go there, never floating ones. "
        "*Shared*: the rest. *Dedicated*: CPUs pinned 1:1 to a vCPU (cpu.pin), "
        "with their SMT siblings: no other vCPU, of any domain, runs there. "
        "Dedicated vCPUs take shared or isolated CPUs in cores no other "
        "domain of the run or of -c URI has dedicated or floats over; "
        "floating vCPUs take housekeeping and shared CPUs no domain has "
        "dedicated. A domain's vCPUs float over its <vcpu cpuset> or "
        "<vcpupin> sets, and vCPUs with neither over where libvirt lets "
        "QEMU run (every CPU not isolated; a <numatune> binds only memory): "
        "an unpinned domain on the host leaves nothing to "
        "dedicate there, and the finding names it. A "
        "domain that wanted dedicated CPUs (cpu.pin) and finds none floats "
        "over the shared pool of its nodes instead (not housekeeping): "
        "cpu.pin says so with an infeasible finding (exit 5 with "
        "--strict); with no shared CPU left either, the domain does not "
        "fit (an infeasible finding). A domain that does not fit is not "
        "left floating over every CPU, other domains' dedicated ones "
        "included: its <vcpu cpuset> confines it to the shared CPUs (the "
        "housekeeping ones only when no shared CPU is left), "
        "overcommitted if it must be, not pinned and with its memory "
        "unbound; from then on it is a domain with a CPU set of its own, "
        "and the memory rules tune it as one (so its output, tuned again, "
        "does not change), and a domain whose <vcpu cpuset> has fewer "
        "CPUs than vCPUs gets a warning on every run. When no CPU is "
        "dedicated or isolated it is left as written. A domain that pins "
        "itself is kept, with a warning when its 1:1 pins share host cores "
        "with another domain's one-core pins (of the run or of -c), when "
        "another domain's vCPUs float over them, or when its own floating "
        "vCPUs may run on another domain's; each names the domains.\n\n"
        "**The search.** One search over (host node set, page size). Page "
        "sizes: the one the domain names (<hugepages><page>), else the "
        "host's hugepage sizes that mem.hugepages allows and the memory is "
        "a whole number of, largest first, then ordinary pages. A node set "
        "holds the domain when its usable CPUs (whole cores under "
        "cpu.pin.threads) take the vCPUs and its free memory takes the "
        "memory: free pages of the size after what earlier domains take "
        "(a size the domain names may count the pages its nodes could "
        "reserve), or for ordinary pages the node's memory less "
        "reserved_memory_mib, less its hugepage pools, less what earlier "
        "domains bind there. Order: the fewest nodes; among equal counts "
        "the largest page size; then the most nodes of the domain's "
        "assigned PCI devices (required ones must be in); then the "
        "smallest sum of pairwise distances; then the most free memory on "
        "the nodes with CPUs (memory next to the vCPUs); then pinned "
        "domains the best fit (fewest usable CPUs left), floating ones the "
        "most free memory; then the lowest node ids. A node with not one "
        "page of a size free takes no vCPUs in that size (a guest cell "
        "needs local memory). When no size holds the domain, the hugepage "
        "sizes are tried again as if the nodes reserved pages from their "
        "ordinary memory: the domain is placed so, and mem.hugepages gives "
        "the commands (only where mem.hugepages runs: without it nobody "
        "reserves them, and a domain whose own page size its nodes lack "
        "does not fit). Sets of one size are tried "
        "exactly while there are at most 4096, then grown greedily from "
        "each node. A domain one node holds with any allowed page size is "
        "never split. Nodes without CPUs (HBM, CXL) never get vCPUs and "
        "give memory only with memory_only_nodes=use; when a domain does "
        "not fit, the finding names them.\n\n"
        "**The split.** vCPUs go to the chosen nodes in proportion to "
        "their usable CPUs, in whole guest cores; with <vcpu current> "
        "below the maximum, every cell gets its share of the online vCPUs "
        "first (the offline ones are pinned too: libvirt pins them when "
        "they come online). Memory follows the vCPUs (a cell's memory "
        "serves its vCPUs), each node within its free memory, in whole "
        "pages of the chosen size (2 MiB units for ordinary memory; the "
        "size mem.hugepages wanted when it falls back to ordinary pages, "
        "so that the pages its host commands reserve back the same "
        "cells; on ppc64 pseries in 256 MiB units, as QEMU requires). Every "
        "cell with vCPUs gets memory. A node that holds memory but none of "
        "the vCPUs becomes a memory-only guest cell (numa.guest). Memory a "
        "named page size does not divide goes to one cell, which QEMU backs "
        "with one more page (mem.hugepages warns). DIMMs plugged at start "
        "(<memory model='dimm'>) are part of <memory> but not of the "
        "cells: each takes room in the cell its <node> names.\n\n"
        "**Domains with their own cells** (<cpu><numa><cell>, "
        "memory-hotplug domains with DIMMs in a <node>): the cells stay as "
        "written; each goes on one host node of its own, the closest set "
        "that holds them (exactly while under 200000 assignments, then "
        "greedily), sharing nodes only when there are too few; a cell no "
        "node holds takes the fewest, closest nodes. One <memnode> per "
        "cell, its vCPUs pinned or confined to its node(s).\n\n"
        "**Writes** <numatune><memory mode nodeset/> and a <memnode> per "
        "guest cell. Floating vCPUs (cpu.pin off, or its fallback) are "
        "confined: <vcpu cpuset> (created for a domain without <vcpu>), and "
        "with several cells a <vcpupin> per vCPU over its cell's pool. A "
        "domain that places itself (<vcpupin>, <numatune>, <vcpu cpuset>) "
        "is kept unless override; placement='auto' is left to numad.",
    .needs = "NUMA nodes with their CPUs (online, offline), memory sizes, hugepage pools with free counts, and distances; isolated CPUs (isolcpus, nohz_full) and reserved ones. Unknown node memory is not a limit; unknown free pages: the pool's total is taken as free (with a finding); unknown distances make every set of one size equal; nodes without CPUs never get vCPUs.",
    .run = run_numa_place,
};
