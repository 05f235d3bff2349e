/*
 * numa_place.c - numa.place: the host nodes of the domain (<numatune>),
 * and, when the vCPUs float (cpu.pin off), where they may float. Writes
 * its part of the plan placement/plan.c decides.
 */
#include "placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param place_params[] = {
    {"memory_mode", PARAM_ENUM, "strict",
     "numatune mode for the guest memory", "strict|preferred|restrictive",
     0, 0},
    {"reserved_memory_mib", PARAM_INT, "512",
     "memory per node kept for the host, not given to guests", NULL, 0,
     1048576},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* Floating vCPUs (cpu.pin off): confine them to the chosen nodes. */
static void confine_floating(vt_rule_ctx *c, const vt_place_plan *p)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr vcpu = r_child(root, "vcpu");
    if (p->ncells == 1) {
        if (!vcpu)
            return;
        char *cpus = cpulist_format(p->cells[0].cpus);
        r_set(c, vcpu, "cpuset", cpus, "the vCPUs float over the usable "
              "CPUs of host node %d, where the memory is, and nowhere else",
              p->cells[0].node);
        free(cpus);
        return;
    }
    xmlNodePtr tune = r_ensure(c, root, "cputune", "holds the vCPU placement");
    for (int i = 0; i < p->ncells; i++) {
        char *cpus = cpulist_format(p->cells[i].cpus);
        for (int v = p->cells[i].first_vcpu;
             v < p->cells[i].first_vcpu + p->cells[i].nvcpus; v++) {
            char vs[16];
            snprintf(vs, sizeof vs, "%d", v);
            const char *attrs[] = {"vcpu", vs, "cpuset", cpus, NULL};
            r_insert(c, tune, "vcpupin", attrs, "guest cell %d's vCPUs float "
                     "over host node %d's usable CPUs, next to its memory",
                     i, p->cells[i].node);
        }
        free(cpus);
    }
}

static void run_numa_place(vt_rule_ctx *c)
{
    const vt_place_plan *p = place_get(c);
    if (!place_ok(c, p))
        return;
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
    if (p->ncells > 1 && !p->mem_spread && r_rule_on(c, RULE_numa_guest)) {
        for (int i = 0; i < p->ncells; i++) {
            char id[16], node[16];
            snprintf(id, sizeof id, "%d", i);
            snprintf(node, sizeof node, "%d", p->cells[i].node);
            const char *a[] = {"cellid", id, "mode", mode, "nodeset", node,
                               NULL};
            r_add(c, nt, "memnode", NULL, a, "guest cell %d's memory on host "
                  "node %d, where that cell's vCPUs run", i,
                  p->cells[i].node);
        }
    }
    free(nodes);
    if (!p->pinned)
        confine_floating(c, p);
}

const vt_rule rule_numa_place = {
    .id = "numa.place",
    .summary = "host NUMA nodes for the domain: one if it fits, else the "
               "fewest, closest; <numatune> strict",
    .profiles = PROFILE_BALANCED | PROFILE_LATENCY | PROFILE_THROUGHPUT,
    .params = place_params,
    .reference = "https://libvirt.org/formatdomain.html#numa-node-tuning",
    .description =
        "Chooses the host nodes: one node when the vCPUs (as whole cores "
        "under the thread policy of cpu.pin) and the memory fit there; "
        "else the fewest nodes that hold them, with the smallest sum of "
        "pairwise distances. Ties: pinned domains take the best fit (the "
        "fewest usable CPUs left, packing), floating ones the most free "
        "memory (spreading), then the lowest node id. Sets are searched "
        "exactly while a size has at most 4096 of them, then grown "
        "greedily from each node. vCPUs split proportionally to free "
        "capacity in whole guest cores, memory to free memory in 2 MiB "
        "units. Nodes without CPUs never get vCPUs; unknown node memory is "
        "not a limit. Writes <numatune><memory mode='strict' nodeset/>, "
        "and a <memnode> per guest cell when the domain spans nodes. "
        "Without cpu.pin (balanced), the vCPUs float over the chosen "
        "nodes' usable CPUs (<vcpu cpuset>). A domain that places itself "
        "(<vcpupin>, <numatune>, <vcpu cpuset>) is kept unless override; "
        "placement='auto' is left to numad; a domain that does not fit is "
        "left unpinned with an infeasible finding (exit 5 with --strict).",
    .needs = "NUMA nodes with their CPUs (online, offline), memory sizes and distances; housekeeping CPUs (isolcpus, nohz_full, reserved). Unknown node memory is not a limit; unknown distances make every set of the same size equal (ties by fit, then node id); nodes without CPUs never get vCPUs.",
    .run = run_numa_place,
};
