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
    {"iothreads", PARAM_ENUM, "share",
     "share: iothreads run where the emulator does; own: each a CPU of a "
     "free core of the domain's nodes, at most two per core, near its "
     "storage (the throughput profile's default)", "share|own", 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* The housekeeping CPUs (online) of the host node whose PCI device holds
 * the storage of iothread ID's first disk, as a list, or NULL when that
 * is unknown or the node has none. *NODE gets the node. */
static char *storage_cpus(vt_rule_ctx *c, int id, int *node)
{
    const vt_host *h = r_host(c);
    *node = place_storage_node(c, id);
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

/* <iothreadpin> on the CPU of a free core the plan gave iothread IO. */
static void own_pin(vt_rule_ctx *c, xmlNodePtr tune, const vt_place_plan *p,
                    const vt_place_io *io)
{
    char id[24], cpu[16], where[160];
    snprintf(id, sizeof id, "%ld", io->id);
    snprintf(cpu, sizeof cpu, "%d", io->cpu);
    if (io->storage == io->node)
        snprintf(where, sizeof where, "host node %d, where its storage "
                 "controller is", io->node);
    else if (io->storage >= 0)
        snprintf(where, sizeof where, "host node %d (its storage is on "
                 "node %d, which has no free core left)", io->node,
                 io->storage);
    else if (hwloc_bitmap_isset(p->nodes, (unsigned)io->node))
        snprintf(where, sizeof where, "host node %d, one of the domain's",
                 io->node);
    else
        snprintf(where, sizeof where, "host node %d, the nearest with a "
                 "free core: the domain's nodes have none left, and a "
                 "remote core beats crowding the emulator's", io->node);
    const char *attrs[] = {"iothread", id, "cpuset", cpu, NULL};
    r_insert(c, tune, "iothreadpin", attrs, "CPU %d of a free core of %s, "
             "kept for this domain's iothreads (at most two per core; "
             "cpu.emulator.iothreads=own): the iothread polls and completes "
             "its queues' I/O without competing with the vCPUs, the "
             "emulator or the host's tasks", io->cpu, where);
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
    if (p->io_why[0])
        r_finding(c, r_param_given(c, RULE_cpu_emulator, "iothreads")
                  ? SEV_WARNING : SEV_INFO, r_child(r_root(c), "iothreads"),
                  NULL, "%s", p->io_why);
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
        const vt_place_io *io = NULL;
        for (int j = 0; j < p->nio; j++)
            if (p->io[j].id == ids[i])
                io = &p->io[j];
        if (io && io->cpu >= 0) {
            own_pin(c, tune, p, io);
            continue;
        }
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
    .summary = "emulator on housekeeping CPUs of the domain's nodes (share) "
               "or a core of its own (isolate); iothreads beside it or, for "
               "throughput, on free cores of their own",
    .profiles = PROFILE_LATENCY | PROFILE_THROUGHPUT | PROFILE_REALTIME,
    .params = emu_params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-tuning; "
                 "https://libvirt.org/kbase/kvm-realtime.html (emulator "
                 "and I/O threads on housekeeping CPUs)",
    .description =
        "Writes <emulatorpin> and an <iothreadpin> per iothread. share "
        "(default): the online housekeeping CPUs of the domain's nodes "
        "(those of other nodes when its nodes have none, as on hosts of "
        "small nodes that keep one housekeeping core per package; "
        "unpinned with a finding when there are none at all). isolate: one more whole free "
        "core on the domain's nodes, never a sibling of a vCPU (falls back "
        "to share with a finding). Never overlaps the vCPU pins. "
        "Iothreads: share (default) pins them where the emulator is, each "
        "on the housekeeping CPUs of its storage's node when the host says "
        "where that is. own (the throughput profile's default, pinned "
        "vCPUs only): each iothread gets one CPU of a free core, at most "
        "two iothreads per core (one per SMT thread, two on one CPU "
        "without SMT), on its storage's node when the host says, else on "
        "the domain's nodes; "
        "such a core belongs to the domain alone (no vCPU of it or of a "
        "later domain goes there). Iothreads that find no free core share "
        "the emulator's CPUs, with a finding (a warning when the policy "
        "asked for own). A pin the domain sets is kept unless override.",
    .needs = "Housekeeping CPUs of the domain's nodes (reserved_cpus, the "
             "non-isolated CPUs, or the first core of each node); online "
             "CPUs; for own, the cores the vCPUs leave free and the PCI "
             "devices' nodes and block device names.",
    .run = run_cpu_emulator,
};
