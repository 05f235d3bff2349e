/*
 * cpu_topology.c - cpu.topology: a guest CPU topology that multiplies out
 * to the vCPU count and tells the truth about where the vCPUs run.
 *
 * Derived from the document as the earlier rules left it: threads = the
 * SMT siblings per host core the pins actually give each guest core (1
 * when vCPUs float: advertising SMT to floating vCPUs makes the guest
 * scheduler treat two vCPUs as siblings that are not); sockets so that no
 * socket spans two guest NUMA cells (one socket per cell when the cells
 * are equal). libvirt rejects a topology whose product is not <vcpu>.
 */
#include "rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Positive integer attribute NAME of EL; DEF when absent; -1 invalid. */
static long attr_count(xmlNodePtr el, const char *name, long def)
{
    const char *v = r_attr(el, name);
    if (!v)
        return def;
    char *end;
    long n = strtol(v, &end, 10);
    return (end == v || *end || n < 1 || n > 65536) ? -1 : n;
}

/* pin[v] = the one host CPU vCPU v is pinned to, or -1. Returns the number
 * of vCPUs pinned to exactly one CPU. */
static int read_pins(vt_rule_ctx *c, int vcpus, int *pin)
{
    int n = 0;
    for (int v = 0; v < vcpus; v++)
        pin[v] = -1;
    xmlNodePtr tune = r_child(r_root(c), "cputune");
    for (xmlNodePtr p = r_child(tune, "vcpupin"); p; p = r_next(p, "vcpupin")) {
        const char *vs = r_attr(p, "vcpu"), *cs = r_attr(p, "cpuset");
        hwloc_bitmap_t set = cs ? cpulist_parse(cs, CPULIST_LIBVIRT) : NULL;
        int v = vs ? atoi(vs) : -1;
        if (set && v >= 0 && v < vcpus && hwloc_bitmap_weight(set) == 1 &&
            pin[v] < 0) {
            pin[v] = hwloc_bitmap_first(set);
            n++;
        }
        hwloc_bitmap_free(set);
    }
    return n;
}

/* Guest threads per core the pins support: T when every group of T
 * consecutive vCPUs sits on T distinct siblings of one host core and no
 * two groups share a core; else 1. */
static int pinned_threads(const vt_host *h, int vcpus, const int *pin)
{
    int t = 1;
    for (int k = 0; k < h->ncores; k++)
        if (hwloc_bitmap_weight(h->cores[k]) > t)
            t = hwloc_bitmap_weight(h->cores[k]);
    for (; t > 1; t--) {
        if (vcpus % t)
            continue;
        int ok = 1;
        int *used = xcalloc((size_t)h->ncores + 1, sizeof *used);
        for (int g = 0; ok && g < vcpus / t; g++) {
            const vt_host_cpu *first = host_cpu_by_id(h, pin[g * t]);
            int core = first ? first->core : -1;
            if (core < 0 || used[core])
                ok = 0;
            for (int i = 1; ok && i < t; i++) {
                const vt_host_cpu *o = host_cpu_by_id(h, pin[g * t + i]);
                if (!o || o->core != core || pin[g * t + i] == pin[g * t])
                    ok = 0;
            }
            if (ok)
                used[core] = 1;
        }
        free(used);
        if (ok)
            return t;
    }
    return 1;
}

static long gcd(long a, long b)
{
    while (b) {
        long r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* Cores per socket so that no socket spans two cells: the gcd of the
 * cells' guest cores, when the cells are contiguous vCPU ranges in order
 * and each holds whole guest cores; else 0 (no constraint known). */
static long cores_per_socket(xmlNodePtr cpu, int vcpus, int threads)
{
    xmlNodePtr numa = r_child(cpu, "numa");
    long g = 0;
    int next = 0;
    for (xmlNodePtr cell = r_child(numa, "cell"); cell;
         cell = r_next(cell, "cell")) {
        const char *cs = r_attr(cell, "cpus");
        hwloc_bitmap_t set = cs ? cpulist_parse(cs, CPULIST_LIBVIRT) : NULL;
        int n = set ? hwloc_bitmap_weight(set) : -1;
        int first = set ? hwloc_bitmap_first(set) : -1;
        int contiguous = set && hwloc_bitmap_last(set) == first + n - 1;
        hwloc_bitmap_free(set);
        if (!contiguous || first != next || n % threads)
            return 0;
        next += n;
        g = gcd(g, n / threads);
    }
    return next == vcpus ? g : 0;
}

/* Dies per socket that mirror the host's L3 domains: D when every socket
 * (CPS guest cores of T threads) spans D host L3 domains, each holding the
 * same number of its consecutive guest cores; else 1. QEMU gives each
 * die its own L3, so the guest sees the cache sharing the pins give. */
static long l3_dies(const vt_host *h, const int *pin, int vcpus, int t, long cps)
{
    long dies = 0;
    for (int s = 0; s * cps * t < vcpus; s++) {
        long runs = 0, run_len = 0, len = 0, first_len = 0;
        int prev = -2;
        for (long k = s * cps; k < (s + 1) * cps; k++) {
            const vt_host_cpu *hc = host_cpu_by_id(h, pin[k * t]);
            int l3 = hc ? hc->l3 : -1;
            if (l3 < 0)
                return 1;
            if (l3 != prev) {
                if (runs == 1)
                    first_len = len;
                else if (runs > 1 && len != first_len)
                    return 1;
                runs++;
                len = 0;
                prev = l3;
            }
            len++;
        }
        run_len = runs == 1 ? len : first_len;
        if (len != run_len || (dies && runs != dies))
            return 1;
        dies = runs;
    }
    return dies > 0 ? dies : 1;
}

static void run_cpu_topology(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    int vcpus = r_domain(c)->vcpus;
    xmlNodePtr cpu = r_child(root, "cpu");
    if (!cpu)
        cpu = r_insert(c, root, "cpu", NULL, "holds the guest CPU topology");

    int *pin = xcalloc((size_t)vcpus, sizeof *pin);
    int pinned = read_pins(c, vcpus, pin) == vcpus;
    int t = pinned ? pinned_threads(r_host(c), vcpus, pin) : 1;
    long cps = cores_per_socket(cpu, vcpus, t);
    if (!cps && t > 1 && r_child(cpu, "numa")) {
        t = 1;      /* cells split a guest core: no SMT then */
        cps = cores_per_socket(cpu, vcpus, 1);
    }
    long cores = vcpus / t;
    long sockets = cps ? cores / cps : 1;
    long per = cps ? cps : cores;
    long dies = pinned && r_x86(c) ? l3_dies(r_host(c), pin, vcpus, t, per) : 1;
    per /= dies;
    free(pin);

    char s_sockets[24], s_dies[24], s_cores[24], s_threads[24];
    snprintf(s_sockets, sizeof s_sockets, "%ld", sockets);
    snprintf(s_dies, sizeof s_dies, "%ld", dies);
    snprintf(s_cores, sizeof s_cores, "%ld", per);
    snprintf(s_threads, sizeof s_threads, "%d", t);
    char why[320];
    snprintf(why, sizeof why, "%ld socket%s of %s%s%ld core%s, %d thread%s "
             "each: %s%s%s", sockets, sockets == 1 ? "" : "s",
             dies > 1 ? s_dies : "", dies > 1 ? " dies of " : "", per,
             per == 1 ? "" : "s", t, t == 1 ? "" : "s",
             t > 1 ? "each guest core's threads are pinned to the SMT "
             "siblings of one host core"
             : pinned ? "the pins do not put guest threads on host siblings, "
             "so the guest is told of none" : "the vCPUs are not pinned to "
             "SMT siblings, so the guest must not be told two share a core",
             sockets > 1 ? "; one socket per guest NUMA cell share" : "",
             dies > 1 ? "; a die per host L3 domain the vCPUs use, so the "
             "guest sees which vCPUs share a cache" : "");

    xmlNodePtr topo = r_child(cpu, "topology");
    if (!topo) {
        const char *attrs[] = {"sockets", s_sockets, "dies", s_dies, "cores",
                               s_cores, "threads", s_threads, NULL};
        r_insert(c, cpu, "topology", attrs, "%s", why);
        return;
    }
    long s = attr_count(topo, "sockets", -1), d = attr_count(topo, "dies", 1),
         cl = attr_count(topo, "clusters", 1), co = attr_count(topo, "cores", -1),
         th = attr_count(topo, "threads", -1);
    int valid = s > 0 && d > 0 && cl > 0 && co > 0 && th > 0 &&
                s * d * cl * co * th == vcpus;
    if (valid && !r_override(c)) {
        if (th > 1 && th != t)
            r_finding(c, SEV_WARNING, topo, NULL,
                      "the topology advertises %ld threads per core but the "
                      "vCPUs are not pinned to host SMT siblings in groups of "
                      "%ld; kept as set (set cpu.topology.override=true for "
                      "%s sockets x %s cores x %s threads)", th, th,
                      s_sockets, s_cores, s_threads);
        return;
    }
    if (!valid)
        r_finding(c, SEV_WARNING, topo, NULL,
                  "the topology (sockets=%s dies=%s cores=%s threads=%s) does "
                  "not multiply out to the %d vCPUs: libvirt rejects it; "
                  "repaired", r_attr(topo, "sockets") ? r_attr(topo, "sockets") : "?",
                  r_attr(topo, "dies") ? r_attr(topo, "dies") : "1",
                  r_attr(topo, "cores") ? r_attr(topo, "cores") : "?",
                  r_attr(topo, "threads") ? r_attr(topo, "threads") : "?",
                  vcpus);
    r_set(c, topo, "sockets", s_sockets, "%s", why);
    if (r_attr(topo, "dies") || dies > 1)
        r_set(c, topo, "dies", s_dies, "%s", why);
    if (r_attr(topo, "clusters"))
        r_set(c, topo, "clusters", "1", "%s", why);
    r_set(c, topo, "cores", s_cores, "%s", why);
    r_set(c, topo, "threads", s_threads, "%s", why);
}

const vt_rule rule_cpu_topology = {
    .id = "cpu.topology",
    .summary = "guest topology from the placement: threads = host siblings "
               "per guest core, a socket per NUMA cell",
    .profiles = PROFILE_ALL,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-model-and-topology",
    .description =
        "Adds <topology sockets dies='1' cores threads/> derived from the "
        "document as the placement rules left it. threads = T when every "
        "group of T consecutive vCPUs is pinned to T distinct SMT siblings "
        "of one host core (T = the host's threads per core), else 1: "
        "floating vCPUs never get SMT. With guest NUMA cells, cores per "
        "socket = the gcd of the cells' guest cores, so no socket spans "
        "two cells (one socket per cell when they are equal). On x86, when "
        "every socket's pinned cores span the same number of host L3 "
        "domains in equal runs, dies = that number (QEMU gives each die "
        "its own L3). "
        "sockets*dies*cores*threads always equals <vcpu>. A topology that "
        "does not multiply out is repaired with a warning; a valid one is "
        "kept (override replaces it), with a warning when it advertises "
        "threads the pins do not back.",
    .needs = "SMT siblings of the pinned CPUs (host cores). Without core information every CPU is its own core, so threads stays 1.",
    .run = run_cpu_topology,
};
