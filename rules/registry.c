/*
 * registry.c - every rule, in the order the engine runs them. Placement
 * comes before what depends on it (memory, I/O threads, devices); within
 * the CPU family, the mode first, then what hangs off the <cpu> element.
 */
#include "rule.h"

#include <string.h>

extern const vt_rule rule_cpu_mode, rule_numa_place, rule_cpu_pin,
    rule_cpu_emulator, rule_numa_guest, rule_mem_hugepages, rule_mem_access,
    rule_mem_lock, rule_mem_balloon, rule_cpu_topology, rule_cpu_cache,
    rule_clock_timers, rule_devices_virtio, rule_io_threads,
    rule_net_multiqueue, rule_blk_multiqueue, rule_irq_budget,
    rule_disk_cache, rule_hostdev_insert, rule_domain_check;

const vt_rule *const vt_rules[] = {
    &rule_domain_check,     /* the domain as given, before any edit */
    &rule_cpu_mode,
    &rule_devices_virtio,   /* before the queue rules see the devices */
    &rule_io_threads,       /* before cpu.emulator pins the iothreads */
    &rule_hostdev_insert,   /* placement follows the devices */
    &rule_numa_place,       /* placement decides nodes and CPUs first */
    &rule_cpu_pin,
    &rule_cpu_emulator,
    &rule_numa_guest,
    &rule_mem_hugepages,    /* the page size placement chose */
    &rule_mem_access,
    &rule_mem_lock,         /* reads the backing the rules above wrote */
    &rule_mem_balloon,
    &rule_net_multiqueue,
    &rule_blk_multiqueue,
    &rule_irq_budget,       /* after every rule that sets queues */
    &rule_disk_cache,
    &rule_cpu_topology,     /* derived from the pins and cells */
    &rule_cpu_cache,
    &rule_clock_timers,
};

const vt_rule_param no_params[] = {
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

const int vt_nrules = (int)(sizeof vt_rules / sizeof vt_rules[0]);

const vt_rule *rule_by_id(const char *id)
{
    for (int i = 0; i < vt_nrules; i++)
        if (strcmp(vt_rules[i]->id, id) == 0)
            return vt_rules[i];
    return NULL;
}
