/*
 * cpu_pin.c - cpu.pin: one dedicated host CPU per vCPU (<vcpupin>), as
 * the plan placement/plan.c decides.
 */
#include "placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *thread_words(vt_rule_ctx *c)
{
    int t = r_param_choice(c, "threads");
    if (t == THREADS_ISOLATE)
        return "one vCPU per core, its SMT siblings kept idle";
    if (t == THREADS_REQUIRE)
        return "consecutive vCPUs on the SMT siblings of one core (required)";
    return "consecutive vCPUs on the SMT siblings of one core";
}

static const vt_rule_param pin_params[] = {
    {"threads", PARAM_ENUM, "prefer",
     "SMT thread policy: prefer fills sibling threads, isolate uses one "
     "thread per core, require fails without SMT", "prefer|isolate|require",
     0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

static void run_cpu_pin(vt_rule_ctx *c)
{
    const vt_place_plan *p = place_get(c);
    if (!place_ok(c, p))
        return;
    xmlNodePtr root = r_root(c);
    xmlNodePtr tune = r_ensure(c, root, "cputune", "holds the vCPU pinning");
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
    .run = run_cpu_pin,
};
