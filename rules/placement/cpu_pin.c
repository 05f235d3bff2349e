/*
 * cpu_pin.c - cpu.pin: one dedicated host CPU per vCPU (<vcpupin>), as
 * the plan placement/plan.c decides.
 */
#include "placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What vCPU V's pin shares, in words: the vCPUs of the domain on the
 * same host core (its guest SMT siblings), or why it has the core alone
 * (the siblings offline, the host's, another domain's, or idle). Into
 * WHY (starting ", "). */
static void pin_partners(vt_rule_ctx *c, const vt_place_plan *p, int v,
                         int isolate, char *why, size_t n)
{
    const vt_host *h = r_host(c);
    const vt_host_cpu *hc = host_cpu_by_id(h, p->pin[v]);
    if (!hc || hc->core < 0 || hwloc_bitmap_weight(h->cores[hc->core]) < 2) {
        snprintf(why, n, ", a core of its own (the host has no SMT "
                 "siblings there)");
        return;
    }
    hwloc_const_bitmap_t core = h->cores[hc->core];
    char with[96] = "";
    size_t at = 0;
    int partners = 0;
    hwloc_bitmap_t mine = hwloc_bitmap_alloc();
    for (int w = 0; w < r_domain(c)->vcpus; w++) {
        if (!hwloc_bitmap_isset(core, (unsigned)p->pin[w]))
            continue;
        hwloc_bitmap_set(mine, (unsigned)p->pin[w]);
        if (w != v && at < sizeof with - 16) {
            at += (size_t)snprintf(with + at, sizeof with - at, "%s%d",
                                   partners ? "," : "", w);
            partners++;
        }
    }
    char *cs = cpulist_format(core);
    if (partners) {
        snprintf(why, n, ", on the host core of CPUs %s with vCPU%s %s on "
                 "its SMT sibling%s", cs, partners > 1 ? "s" : "", with,
                 partners > 1 ? "s" : "");
    } else if (isolate) {
        snprintf(why, n, ", alone on the host core of CPUs %s: thread "
                 "policy isolate keeps its SMT siblings idle and from "
                 "other domains", cs);
    } else {
        /* why the siblings run no vCPU of the domain */
        const vt_pools *pools = r_pools(c);
        const vt_usage *u = r_usage(c);
        hwloc_bitmap_t rest = hwloc_bitmap_dup(core);
        hwloc_bitmap_andnot(rest, rest, mine);
        int offline = 0, host = 0, other = 0, idle = 0, t;
        hwloc_bitmap_foreach_begin(t, rest) {
            const vt_host_cpu *tc = host_cpu_by_id(h, t);
            if (!tc || !tc->online)
                offline++;
            else if (hwloc_bitmap_isset(pools->housekeeping, (unsigned)t))
                host++;
            else if (hwloc_bitmap_isset(u->cpus, (unsigned)t) ||
                     hwloc_bitmap_isset(u->floating, (unsigned)t))
                other++;
            else
                idle++;
        } hwloc_bitmap_foreach_end();
        char *rs = cpulist_format(rest);
        int many = hwloc_bitmap_weight(rest) > 1;
        snprintf(why, n, ", alone on the host core of CPUs %s: its SMT "
                 "sibling%s CPU%s %s %s", cs, many ? "s" : "", many ? "s" : "",
                 rs,
                 idle ? (many ? "stay idle, kept from other domains: the "
                                "domain has no vCPU left for them"
                              : "stays idle, kept from other domains: the "
                                "domain has no vCPU left for it")
                 : other ? (many ? "belong to other domains"
                                 : "belongs to another domain")
                 : host ? (many ? "are the host's (housekeeping)"
                                : "is the host's (housekeeping)")
                 : offline ? (many ? "are offline" : "is offline")
                 : "stay idle");
        free(rs);
        hwloc_bitmap_free(rest);
    }
    free(cs);
    hwloc_bitmap_free(mine);
}

static const vt_rule_param pin_params[] = {
    {"threads", PARAM_ENUM, "prefer",
     "SMT thread policy: prefer fills sibling threads, isolate uses one "
     "thread per core, require fails without SMT (the realtime profile: "
     "isolate unless set)", "prefer|isolate|require",
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
    int isolate = p->threads == THREADS_ISOLATE;
    /* in vCPU order, as libvirt writes them back */
    for (int v = 0; v < r_domain(c)->vcpus; v++) {
        const vt_place_cell *cell = NULL;
        for (int i = 0; i < p->ncells && !cell; i++)
            if (hwloc_bitmap_isset(p->cells[i].vcpus, (unsigned)v))
                cell = &p->cells[i];
        if (!cell)
            continue;
        char vs[16], cpu[16], why[256];
        snprintf(vs, sizeof vs, "%d", v);
        snprintf(cpu, sizeof cpu, "%d", p->pin[v]);
        pin_partners(c, p, v, isolate, why, sizeof why);
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
    .profiles = PROFILE_LATENCY | PROFILE_THROUGHPUT | PROFILE_REALTIME,
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
        "its own. Each reason names the vCPUs that share the host core, or "
        "why a vCPU has it alone (its siblings offline, the host's, or "
        "idle). "
        "When no node set has dedicated CPUs left, the vCPUs float over "
        "the shared pool of their nodes (numa.place writes it) and cpu.pin "
        "reports an infeasible finding: exit 5 with --strict.",
    .needs = "Cores and their SMT siblings, L3 domains, online CPUs, isolated CPUs. Unknown L3 domains: the node is one domain; unknown cores: every CPU is its own core (no SMT); capabilities list online CPUs only.",
    .run = run_cpu_pin,
};
