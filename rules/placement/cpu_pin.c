/*
 * cpu_pin.c - cpu.pin: one dedicated host CPU per vCPU (<vcpupin>), as
 * the plan placement/plan.c decides.
 */
#include "placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What vCPU V's pin shares, in words: the vCPUs of the domain on the
 * same host core (its guest SMT siblings), or why it has the core alone.
 * Into WHY (starting ": "). */
static void pin_partners(const vt_host *h, const vt_place_plan *p,
                         const vt_place_cell *cell, int v, int isolate,
                         char *why, size_t n)
{
    const vt_host_cpu *hc = host_cpu_by_id(h, p->pin[v]);
    hwloc_const_bitmap_t core = hc && hc->core >= 0 ? h->cores[hc->core]
                                                    : NULL;
    int threads = 0, t;
    if (core)
        hwloc_bitmap_foreach_begin(t, core) {
            const vt_host_cpu *tc = host_cpu_by_id(h, t);
            threads += tc && tc->online;
        } hwloc_bitmap_foreach_end();
    if (threads < 2) {
        snprintf(why, n, ", a core of its own (the host has no SMT "
                 "siblings there)");
        return;
    }
    char with[96] = "";
    size_t at = 0;
    int partners = 0, w;
    hwloc_bitmap_foreach_begin(w, cell->vcpus) {
        if (w != v && core && hwloc_bitmap_isset(core, (unsigned)p->pin[w]) &&
            at < sizeof with - 16) {
            at += (size_t)snprintf(with + at, sizeof with - at, "%s%d",
                                   partners ? "," : "", w);
            partners++;
        }
    } hwloc_bitmap_foreach_end();
    char *cs = cpulist_format(core);
    if (partners)
        snprintf(why, n, ", on the host core of CPUs %s with vCPU%s %s on "
                 "its SMT sibling%s", cs, partners > 1 ? "s" : "", with,
                 partners > 1 ? "s" : "");
    else if (isolate)
        snprintf(why, n, ", alone on the host core of CPUs %s: thread "
                 "policy isolate keeps its SMT siblings idle and from "
                 "other domains", cs);
    else
        snprintf(why, n, ", alone on the host core of CPUs %s: the cell's "
                 "vCPU count leaves no guest sibling for it; the core's "
                 "other threads stay idle, kept from other domains", cs);
    free(cs);
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
    if (p->fallback) {
        /* numa.place confined the vCPUs to the shared pool */
        r_finding(c, SEV_INFEASIBLE, NULL, NULL, "%s", p->fallback_why);
        return;
    }
    if (!p->pinned)
        return;
    xmlNodePtr root = r_root(c);
    xmlNodePtr tune = r_ensure(c, root, "cputune", "holds the vCPU pinning");
    for (xmlNodePtr n = r_child(tune, "vcpupin"), next; n; n = next) {
        next = r_next(n, "vcpupin");
        r_remove(c, n, "replaced (cpu.pin.override)");
    }
    const vt_host *h = r_host(c);
    int isolate = r_param_choice(c, "threads") == THREADS_ISOLATE;
    /* in vCPU order, as libvirt writes them back */
    for (int v = 0; v < r_domain(c)->vcpus; v++) {
        const vt_place_cell *cell = NULL;
        for (int i = 0; i < p->ncells && !cell; i++)
            if (hwloc_bitmap_isset(p->cells[i].vcpus, (unsigned)v))
                cell = &p->cells[i];
        if (!cell)
            continue;
        char vs[16], cpu[16], why[192];
        snprintf(vs, sizeof vs, "%d", v);
        snprintf(cpu, sizeof cpu, "%d", p->pin[v]);
        pin_partners(h, p, cell, v, isolate, why, sizeof why);
        const vt_host_cpu *hc = host_cpu_by_id(h, p->pin[v]);
        const char *attrs[] = {"vcpu", vs, "cpuset", cpu, NULL};
        r_insert(c, tune, "vcpupin", attrs, "a dedicated host CPU on node "
                 "%d%s", hc ? hc->node : cell->node, why);
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
        "Pins each vCPU (the offline ones of <vcpu current> too) to one "
        "dedicated host CPU of the nodes numa.place chose (see its CPU "
        "pools): never housekeeping, offline, or another domain's CPUs, "
        "nor CPUs another domain floats over. A node's share goes inside "
        "one L3 domain when it fits (the fullest that fits), else takes "
        "whole L3 domains first; full cores first. Thread policies: prefer "
        "(vCPUs 2k and 2k+1 on the SMT siblings of one core), isolate (one "
        "vCPU per core, the siblings idle and kept from other domains), "
        "require (as prefer; infeasible on a host without SMT). A pinned "
        "domain owns whole cores: the idle sibling of an odd vCPU stays "
        "its own. Each reason names the vCPUs that share the host core. "
        "When no node set has dedicated CPUs left, the vCPUs float over "
        "the shared pool of their nodes (numa.place writes it) and cpu.pin "
        "reports an infeasible finding: exit 5 with --strict.",
    .needs = "Cores and their SMT siblings, L3 domains, online CPUs, isolated CPUs. Unknown L3 domains: the node is one domain; unknown cores: every CPU is its own core (no SMT); capabilities list online CPUs only.",
    .run = run_cpu_pin,
};
