/*
 * numa_guest.c - numa.guest: guest NUMA cells mirroring the host nodes
 * the plan (placement/plan.c) splits the domain over, with the host's
 * distances.
 */
#include "placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The host distance between the nodes of cells I and J in ACPI SLIT
 * terms, as libvirt takes them (10 local, 11..255 remote): sources such as
 * hwloc may give relative values (1, 2, 4) or latencies, which are scaled
 * so that local is 10. -1 when unknown. */
static int slit_distance(vt_rule_ctx *c, const vt_place_plan *p, int i, int j)
{
    const vt_host *h = r_host(c);
    int d = host_distance(h, p->cells[i].node, p->cells[j].node);
    int local = host_distance(h, p->cells[i].node, p->cells[i].node);
    if (d < 0 || local <= 0)
        return -1;
    if (local == 10)
        return d < 10 ? 10 : d > 255 ? 255 : d;
    long v = ((long)d * 10 + local / 2) / local;
    if (i != j && v <= 10)
        v = 11;
    return v > 255 ? 255 : (int)v;
}

static void add_distances(vt_rule_ctx *c, xmlNodePtr cell, const vt_place_plan *p,
                          int i)
{
    for (int j = 0; j < p->ncells; j++)
        if (slit_distance(c, p, i, j) < 0)
            return;     /* unknown: libvirt's defaults (10 / 20) apply */
    xmlNodePtr d = r_add(c, cell, "distances", NULL, NULL, "the guest sees "
                         "the host's distances between its cells' nodes "
                         "(scaled so that local is 10, as ACPI's SLIT)");
    for (int j = 0; j < p->ncells; j++) {
        char id[16], val[16];
        snprintf(id, sizeof id, "%d", j);
        snprintf(val, sizeof val, "%d", slit_distance(c, p, i, j));
        const char *a[] = {"id", id, "value", val, NULL};
        r_add(c, d, "sibling", NULL, a, "host distance from node %d to %d",
              p->cells[i].node, p->cells[j].node);
    }
}

static void run_numa_guest(vt_rule_ctx *c)
{
    const vt_place_plan *p = place_get(c);
    /* the domain's own cells stay as written; one node needs no cell,
     * but memory hotplug does (libvirt refuses <maxMemory> without) */
    xmlNodePtr root = r_root(c);
    int hotplug = r_child(root, "maxMemory") != NULL;
    if (!place_ok(c, p) || p->user_cells || (p->ncells < 2 && !hotplug))
        return;
    xmlNodePtr cpu = r_child(root, "cpu");
    if (!cpu)
        cpu = r_insert(c, root, "cpu", NULL, "holds the guest NUMA cells");
    xmlNodePtr numa = p->ncells < 2
        ? r_insert(c, cpu, "numa", NULL, "memory hotplug (<maxMemory>) "
                   "needs a guest NUMA cell for its DIMMs: libvirt refuses "
                   "the domain without one")
        : r_insert(c, cpu, "numa", NULL, "the domain spans %d host nodes: "
                   "the guest sees one NUMA cell per node, so its kernel "
                   "keeps each task's memory next to its vCPU", p->ncells);
    for (int i = 0; i < p->ncells; i++) {
        const vt_place_cell *cell = &p->cells[i];
        char id[16], mem[32];
        char *cpus = cpulist_format(cell->vcpus);
        snprintf(id, sizeof id, "%d", cell->cellid);
        snprintf(mem, sizeof mem, "%llu", cell->mem_kib);
        xmlNodePtr el;
        if (cell->nvcpus) {
            const char *a[] = {"id", id, "cpus", cpus, "memory", mem, "unit",
                               "KiB", NULL};
            el = r_add(c, numa, "cell", NULL, a, "mirrors host node %d: %d "
                       "vCPUs and %llu MiB", cell->node, cell->nvcpus,
                       cell->mem_kib / 1024);
        } else {
            /* libvirt 6.6 and later: a cell without cpus */
            const char *a[] = {"id", id, "memory", mem, "unit", "KiB", NULL};
            el = r_add(c, numa, "cell", NULL, a, "mirrors host node %d, "
                       "which holds %llu MiB of the memory and none of the "
                       "vCPUs: a memory-only guest node, so the guest "
                       "kernel knows that memory is far", cell->node,
                       cell->mem_kib / 1024);
        }
        add_distances(c, el, p, i);
        free(cpus);
        const char *arch = r_arch(c);
        if (arch && !strncmp(arch, "ppc64", 5) && cell->mem_kib % 262144)
            r_finding(c, SEV_WARNING, el, NULL, "pseries: libvirt rounds "
                      "every guest node's memory up to 256 MiB (QEMU "
                      "requires it), so this cell gets %llu KiB, %llu more "
                      "than <memory> says; make <memory> a multiple of "
                      "256 MiB", (cell->mem_kib + 262143) / 262144 * 262144,
                      262144 - cell->mem_kib % 262144);
    }
}

const vt_rule rule_numa_guest = {
    .id = "numa.guest",
    .summary = "guest NUMA cells mirroring the host split, with the host's "
               "distances",
    .profiles = PROFILE_BALANCED | PROFILE_LATENCY | PROFILE_THROUGHPUT |
                PROFILE_REALTIME,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-model-and-topology",
    .description =
        "When the domain spans more than one host node, writes <cpu><numa> "
        "with one <cell id cpus memory unit='KiB'> per host node, in the "
        "order numa.place chose them, the vCPUs and memory as it split "
        "them (the online vCPUs of <vcpu current> first in every cell); a "
        "node that holds memory but no vCPU gets a cell without cpus "
        "(memory-only, libvirt 6.6 and later); <distances> copied from the "
        "host when it knows them. One node needs no cell, except for memory "
        "hotplug (<maxMemory>), which libvirt refuses without one; a "
        "domain's own cells are kept as written. The cells hold <memory> "
        "less the DIMMs plugged at start.",
    .needs = "The distances between the chosen nodes, scaled so that local is 10 (ACPI SLIT). Unknown distances: no <distances> (libvirt's 10/20 apply).",
    .run = run_numa_guest,
};
