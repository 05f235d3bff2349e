/*
 * placement.c - the placement family: numa.place (host nodes, <numatune>),
 * cpu.pin (<vcpupin>), cpu.emulator (<emulatorpin>, <iothreadpin>) and
 * numa.guest (guest NUMA cells). Each writes its part of the one plan that
 * place_plan.c decides; the decision order is documented there and in
 * doc/rules.md.
 */
#include "placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *thread_words(vt_rule_ctx *c)
{
    int t = r_choice_of(c, RULE_cpu_pin, "threads");
    if (t == 1)     /* isolate */
        return "one vCPU per core, its SMT siblings kept idle";
    if (t == 2)     /* require */
        return "consecutive vCPUs on the SMT siblings of one core (required)";
    return "consecutive vCPUs on the SMT siblings of one core";
}

/* ------------------------------------------------------------ numa.place */

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
    xmlNodePtr tune = r_child(root, "cputune");
    if (!tune)
        tune = r_insert(c, root, "cputune", NULL, "holds the vCPU placement");
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

static void run_place(vt_rule_ctx *c)
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
    .run = run_place,
};

/* --------------------------------------------------------------- cpu.pin */

static const vt_rule_param pin_params[] = {
    {"threads", PARAM_ENUM, "prefer",
     "SMT thread policy: prefer fills sibling threads, isolate uses one "
     "thread per core, require fails without SMT", "prefer|isolate|require",
     0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

static void run_pin(vt_rule_ctx *c)
{
    const vt_place_plan *p = place_get(c);
    if (!place_ok(c, p))
        return;
    xmlNodePtr root = r_root(c);
    xmlNodePtr tune = r_child(root, "cputune");
    if (!tune)
        tune = r_insert(c, root, "cputune", NULL, "holds the vCPU pinning");
    for (xmlNodePtr n = r_child(tune, "vcpupin"), next; n; n = next) {
        next = r_next(n, "vcpupin");
        r_remove(c, n, "replaced (cpu.pin.override)");
    }
    for (int i = 0; i < p->ncells; i++) {
        const vt_place_cell *cell = &p->cells[i];
        for (int v = cell->first_vcpu; v < cell->first_vcpu + cell->nvcpus;
             v++) {
            char vs[16], cpu[16];
            snprintf(vs, sizeof vs, "%d", v);
            snprintf(cpu, sizeof cpu, "%d", p->pin[v]);
            const char *attrs[] = {"vcpu", vs, "cpuset", cpu, NULL};
            r_insert(c, tune, "vcpupin", attrs, "a dedicated host CPU on "
                     "node %d (%s)", cell->node, thread_words(c));
        }
    }
}

const vt_rule rule_cpu_pin = {
    .id = "cpu.pin",
    .summary = "one dedicated host CPU per vCPU: SMT siblings for guest "
               "threads, one L3 domain when it fits",
    .profiles = PROFILE_LATENCY | PROFILE_THROUGHPUT,
    .params = pin_params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-tuning",
    .description =
        "Pins each vCPU to one host CPU of the nodes numa.place chose, "
        "never on housekeeping CPUs (policy reserved_cpus; by default the "
        "first core of each node, or every non-isolated CPU when the host "
        "isolates some with isolcpus/nohz_full), never on offline CPUs, "
        "never on a CPU an earlier domain of the run has. A node's share "
        "goes inside one L3 domain when it fits (the fullest that fits), "
        "else takes whole L3 domains first; full cores first. Thread "
        "policies: prefer (vCPUs 2k and 2k+1 on the SMT siblings of one "
        "core), isolate (one vCPU per core, the siblings idle and kept "
        "from other domains), require (as prefer; infeasible on a host "
        "without SMT). A pinned domain owns whole cores.",
    .needs = "Cores and their SMT siblings, L3 domains, online CPUs, isolated CPUs. Unknown L3 domains: the node is one domain; unknown cores: every CPU is its own core (no SMT); capabilities list online CPUs only.",
    .run = run_pin,
};

/* ---------------------------------------------------------- cpu.emulator */

static const vt_rule_param emu_params[] = {
    {"policy", PARAM_ENUM, "share",
     "share: the housekeeping CPUs of the domain's nodes; isolate: one more "
     "whole core of its own", "share|isolate", 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* The iothread ids of the domain: <iothreadids> or 1..<iothreads>. */
static int iothread_ids(xmlNodePtr root, int *ids, int max)
{
    int n = 0;
    xmlNodePtr idsel = r_child(root, "iothreadids");
    for (xmlNodePtr t = r_child(idsel, "iothread"); t && n < max;
         t = r_next(t, "iothread")) {
        const char *id = r_attr(t, "id");
        if (id)
            ids[n++] = atoi(id);
    }
    if (n)
        return n;
    xmlNodePtr cnt = r_child(root, "iothreads");
    if (!cnt)
        return 0;
    xmlChar *t = xmlNodeGetContent(cnt);
    long k = t ? strtol((const char *)t, NULL, 10) : 0;
    xmlFree(t);
    for (long i = 1; i <= k && n < max; i++)
        ids[n++] = (int)i;
    return n;
}

/* The host device name of a disk's block device source: /dev/nvme0n1p2
 * gives nvme0n1, /dev/sdb1 gives sdb; NULL for anything else. */
static char *block_name(xmlNodePtr disk)
{
    const char *dev = r_attr(r_child(disk, "source"), "dev");
    if (!dev || strncmp(dev, "/dev/", 5) != 0 || strchr(dev + 5, '/'))
        return NULL;
    char *name = xstrdup(dev + 5);
    size_t n = strlen(name);
    if (!strncmp(name, "nvme", 4)) {
        char *p = strrchr(name, 'p');        /* nvme0n1p2: partition p2 */
        if (p && p > strchr(name, 'n') && p[1] >= '0' && p[1] <= '9')
            *p = '\0';
    } else {
        while (n > 0 && name[n - 1] >= '0' && name[n - 1] <= '9')
            name[--n] = '\0';
    }
    return name;
}

/* The housekeeping CPUs (online) of the host node whose PCI device holds
 * the storage of iothread ID's first disk, as a list, or NULL when that
 * is unknown or the node has none. *NODE gets the node. */
static char *storage_cpus(vt_rule_ctx *c, int id, int *node)
{
    const vt_host *h = r_host(c);
    char ids[16];
    snprintf(ids, sizeof ids, "%d", id);
    xmlNodePtr dev = r_child(r_root(c), "devices");
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk")) {
        const char *it = r_attr(r_child(d, "driver"), "iothread");
        if (!it || strcmp(it, ids) != 0)
            continue;
        char *name = block_name(d);
        for (int i = 0; name && i < h->npci; i++)
            if (h->pci[i].name && !strcmp(h->pci[i].name, name) &&
                h->pci[i].node >= 0)
                *node = h->pci[i].node;
        free(name);
        break;
    }
    const vt_host_node *hn = *node >= 0 ? host_node_by_id(h, *node) : NULL;
    if (!hn)
        return NULL;
    hwloc_bitmap_t set = hwloc_bitmap_dup(hn->cpus);
    hwloc_bitmap_and(set, set, r_housekeeping(c));
    int cpu;
    hwloc_bitmap_foreach_begin(cpu, set) {
        const vt_host_cpu *hc = host_cpu_by_id(h, cpu);
        if (!hc || !hc->online)
            hwloc_bitmap_clr(set, (unsigned)cpu);
    } hwloc_bitmap_foreach_end();
    char *list = hwloc_bitmap_iszero(set) ? NULL : cpulist_format(set);
    hwloc_bitmap_free(set);
    return list;
}

static void run_emulator(vt_rule_ctx *c)
{
    const vt_place_plan *p = place_get(c);
    if (!place_ok(c, p))
        return;
    if (!p->emulator) {
        r_finding(c, SEV_WARNING, NULL, NULL, "%s", p->emu_why);
        return;
    }
    if (p->emu_why[0])
        r_finding(c, SEV_WARNING, NULL, NULL, "%s", p->emu_why);
    xmlNodePtr root = r_root(c);
    xmlNodePtr tune = r_child(root, "cputune");
    if (!tune)
        tune = r_insert(c, root, "cputune", NULL, "holds the emulator "
                        "pinning");
    char *cpus = cpulist_format(p->emulator);
    const char *why = p->emulator_isolated
        ? "a whole core of its own, so QEMU's emulator and I/O threads "
          "never preempt a vCPU nor share its core's SMT siblings"
        : "the housekeeping CPUs of the domain's nodes: QEMU's emulator and "
          "I/O threads stay off the vCPUs' dedicated CPUs yet near their "
          "memory";
    xmlNodePtr old = r_child(tune, "emulatorpin");
    if (old && !r_override(c))
        r_finding(c, SEV_INFO, old, NULL, "emulatorpin set explicitly; kept "
                  "(set cpu.emulator.override=true to replace it)");
    else {
        if (old)
            r_remove(c, old, "replaced (cpu.emulator.override)");
        const char *attrs[] = {"cpuset", cpus, NULL};
        r_insert(c, tune, "emulatorpin", attrs, "%s", why);
    }
    int ids[256];
    int n = iothread_ids(root, ids, 256);
    for (int i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", ids[i]);
        xmlNodePtr have = r_child_with(tune, "iothreadpin", "iothread", id);
        if (have && !r_override(c))
            continue;
        if (have)
            r_remove(c, have, "replaced (cpu.emulator.override)");
        int node = -1;
        char *near = storage_cpus(c, ids[i], &node);
        const char *attrs[] = {"iothread", id, "cpuset", near ? near : cpus,
                               NULL};
        if (near)
            r_insert(c, tune, "iothreadpin", attrs, "the housekeeping CPUs "
                     "of host node %d, where this iothread's storage "
                     "controller is: completions are handled next to the "
                     "device", node);
        else
            r_insert(c, tune, "iothreadpin", attrs, "%s", why);
        free(near);
    }
    free(cpus);
}

const vt_rule rule_cpu_emulator = {
    .id = "cpu.emulator",
    .summary = "emulator and iothreads on housekeeping CPUs of the domain's "
               "nodes (share) or a core of their own (isolate)",
    .profiles = PROFILE_LATENCY | PROFILE_THROUGHPUT,
    .params = emu_params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-tuning",
    .description =
        "Writes <emulatorpin> and an <iothreadpin> per iothread. share "
        "(default): the online housekeeping CPUs of the domain's nodes "
        "(those of other nodes when its nodes have none; unpinned with a "
        "finding when there are none at all). isolate: one more whole free "
        "core on the domain's nodes, never a sibling of a vCPU (falls back "
        "to share with a finding). Never overlaps the vCPU pins.",
    .needs = "Housekeeping CPUs of the domain's nodes (reserved_cpus, the non-isolated CPUs, or the first core of each node); online CPUs.",
    .run = run_emulator,
};

/* ------------------------------------------------------------ numa.guest */

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

static void run_guest(vt_rule_ctx *c)
{
    const vt_place_plan *p = place_get(c);
    if (!place_ok(c, p) || p->ncells < 2 || p->mem_spread)
        return;
    xmlNodePtr root = r_root(c);
    xmlNodePtr cpu = r_child(root, "cpu");
    if (!cpu)
        cpu = r_insert(c, root, "cpu", NULL, "holds the guest NUMA cells");
    xmlNodePtr numa = r_insert(c, cpu, "numa", NULL, "the domain spans %d "
                               "host nodes: the guest sees one NUMA cell "
                               "per node, so its kernel keeps each task's "
                               "memory next to its vCPU", p->ncells);
    for (int i = 0; i < p->ncells; i++) {
        const vt_place_cell *cell = &p->cells[i];
        char id[16], cpus[48], mem[32];
        snprintf(id, sizeof id, "%d", i);
        if (cell->nvcpus == 1)
            snprintf(cpus, sizeof cpus, "%d", cell->first_vcpu);
        else
            snprintf(cpus, sizeof cpus, "%d-%d", cell->first_vcpu,
                     cell->first_vcpu + cell->nvcpus - 1);
        snprintf(mem, sizeof mem, "%llu", cell->mem_kib);
        const char *a[] = {"id", id, "cpus", cpus, "memory", mem, "unit",
                           "KiB", NULL};
        xmlNodePtr el = r_add(c, numa, "cell", NULL, a, "mirrors host node "
                              "%d: %d vCPUs and %llu MiB", cell->node,
                              cell->nvcpus, cell->mem_kib / 1024);
        add_distances(c, el, p, i);
    }
}

const vt_rule rule_numa_guest = {
    .id = "numa.guest",
    .summary = "guest NUMA cells mirroring the host split, with the host's "
               "distances",
    .profiles = PROFILE_BALANCED | PROFILE_LATENCY | PROFILE_THROUGHPUT,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-model-and-topology",
    .description =
        "When the domain spans more than one host node, writes <cpu><numa> "
        "with one <cell id cpus memory unit='KiB'> per host node, in the "
        "order numa.place chose them, the vCPUs contiguous per cell and the "
        "memory as split; <distances> copied from the host when it knows "
        "them. One node needs no cell.",
    .needs = "The distances between the chosen nodes, scaled so that local is 10 (ACPI SLIT). Unknown distances: no <distances> (libvirt's 10/20 apply).",
    .run = run_guest,
};
