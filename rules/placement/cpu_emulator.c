/*
 * cpu_emulator.c - cpu.emulator: where QEMU's emulator and I/O threads
 * run (<emulatorpin>, <iothreadpin>), as the plan placement/plan.c
 * decides, each iothread near its storage when the host says where that
 * is.
 */
#include "placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param emu_params[] = {
    {"policy", PARAM_ENUM, "share",
     "share: the housekeeping CPUs of the domain's nodes; isolate: one more "
     "whole core of its own", "share|isolate", 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

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

static void run_cpu_emulator(vt_rule_ctx *c)
{
    const vt_place_plan *p = place_get(c);
    if (!place_ok(c, p))
        return;
    if (!p->emulator) {
        r_finding(c, SEV_WARNING, NULL, NULL, "%s", p->emu_why);
        return;
    }
    if (p->emu_why[0])
        r_finding(c, p->emu_info ? SEV_INFO : SEV_WARNING, NULL, NULL, "%s",
                  p->emu_why);
    xmlNodePtr root = r_root(c);
    xmlNodePtr tune = r_ensure(c, root, "cputune", "holds the emulator "
                               "pinning");
    char *cpus = cpulist_format(p->emulator);
    const char *why = p->emulator_isolated
        ? "a whole core of its own, so QEMU's emulator and I/O threads "
          "never preempt a vCPU nor share its core's SMT siblings"
        : p->emu_info
        ? "the host's housekeeping CPUs (the domain's nodes keep none): "
          "QEMU's emulator and I/O threads stay off the dedicated CPUs"
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
    /* libvirt sets no limit on iothreads; pinning more than this many
     * (each a QEMU thread) would be a domain nobody meant */
    enum { MAX_PINNED = 1024 };
    long ids[MAX_PINNED + 1];
    int n = domain_iothread_ids(root, ids, MAX_PINNED + 1);
    if (n > MAX_PINNED) {
        r_finding(c, SEV_WARNING, r_child(root, "iothreads"), NULL, "more "
                  "than %d iothreads: only the first %d are pinned",
                  MAX_PINNED, MAX_PINNED);
        n = MAX_PINNED;
    }
    for (int i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "%ld", ids[i]);
        xmlNodePtr have = r_child_with(tune, "iothreadpin", "iothread", id);
        if (have && !r_override(c))
            continue;
        if (have)
            r_remove(c, have, "replaced (cpu.emulator.override)");
        int node = -1;
        char *near = storage_cpus(c, (int)ids[i], &node);
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
        "(those of other nodes when its nodes have none, as on hosts of "
        "small nodes that keep one housekeeping core per package; "
        "unpinned with a finding when there are none at all). isolate: one more whole free "
        "core on the domain's nodes, never a sibling of a vCPU (falls back "
        "to share with a finding). Never overlaps the vCPU pins.",
    .needs = "Housekeeping CPUs of the domain's nodes (reserved_cpus, the non-isolated CPUs, or the first core of each node); online CPUs.",
    .run = run_cpu_emulator,
};
