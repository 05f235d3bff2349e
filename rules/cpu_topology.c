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
static int host_threads(const vt_host *h);

static int pinned_threads(const vt_host *h, int vcpus, const int *pin)
{
    for (int t = host_threads(h); t > 1; t--) {
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

/* Cores per socket so that no socket spans two cells. QEMU numbers vCPUs
 * socket by socket, core by core, so a socket is a run of consecutive
 * vCPU ids: the runs of vCPUs in one cell must be whole sockets. The gcd
 * of the runs' lengths, in guest cores of THREADS, when each run is whole
 * cores and every vCPU is in a cell; else 0 (no constraint known). */
static long cores_per_socket(xmlNodePtr cpu, int vcpus, int threads)
{
    xmlNodePtr numa = r_child(cpu, "numa");
    if (!numa)
        return 0;
    int *cell_of = xmalloc((size_t)vcpus * sizeof *cell_of);
    for (int v = 0; v < vcpus; v++)
        cell_of[v] = -1;
    int id = 0, ok = 1;
    for (xmlNodePtr cell = r_child(numa, "cell"); cell && ok;
         cell = r_next(cell, "cell"), id++) {
        const char *cs = r_attr(cell, "cpus");
        if (!cs)
            continue;       /* a memory-only cell */
        hwloc_bitmap_t set = cpulist_parse(cs, CPULIST_LIBVIRT);
        int v;
        if (!set)
            ok = 0;
        else
            hwloc_bitmap_foreach_begin(v, set) {
                if (v >= vcpus || cell_of[v] >= 0)
                    ok = 0;
                else
                    cell_of[v] = id;
            } hwloc_bitmap_foreach_end();
        hwloc_bitmap_free(set);
    }
    long g = 0;
    for (int v = 0, start = 0; ok && v <= vcpus; v++) {
        if (v < vcpus && cell_of[v] < 0) {
            ok = 0;
        } else if (v == vcpus || (v > start && cell_of[v] != cell_of[start])) {
            int len = v - start;
            if (len % threads)
                ok = 0;
            g = gcd(g, len / threads);
            start = v;
        }
    }
    free(cell_of);
    return ok ? g : 0;
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

/* 1 for a Windows guest that is a client edition (libosinfo win/xp ..
 * win/11) or of unknown edition: Home uses one socket, Pro two; the
 * server editions (win/2k3 .. win/2k25) use them all. */
static int windows_client(const vt_domain *d)
{
    if (d->os != OS_WINDOWS)
        return 0;
    const char *w = d->os_id ? strstr(d->os_id, "/win/") : NULL;
    return !w || strncmp(w + 5, "2k", 2) != 0;
}

static int host_threads(const vt_host *h)
{
    int t = 1;
    for (int k = 0; k < h->ncores; k++)
        if (hwloc_bitmap_weight(h->cores[k]) > t)
            t = hwloc_bitmap_weight(h->cores[k]);
    return t;
}

/* Why the guest gets T threads per core, in words, into WHY (N). */
static void threads_reason(vt_rule_ctx *c, int vcpus, const int *pin,
                           int pinned, int t, int s390, int split,
                           char *why, size_t n)
{
    const vt_host *h = r_host(c);
    int ht = host_threads(h);
    if (s390) {
        snprintf(why, n, "s390x guests have no SMT: QEMU since 7.2 accepts "
                 "only threads=1 there");
        return;
    }
    if (t > 1) {
        snprintf(why, n, "each guest core's %d threads are pinned to the "
                 "SMT siblings of one host core", t);
        return;
    }
    if (!pinned) {
        snprintf(why, n, "the vCPUs float rather than each having a host "
                 "CPU, so the guest must not be told two share a core");
        return;
    }
    if (ht < 2) {
        snprintf(why, n, "the host has no SMT: each vCPU is pinned to a "
                 "core of its own");
        return;
    }
    /* the vCPUs that share a host core */
    char groups[160] = "";
    size_t at = 0;
    int shown = 0, shared = 0;
    int *seen = xcalloc((size_t)vcpus, sizeof *seen);
    for (int v = 0; v < vcpus; v++) {
        const vt_host_cpu *hv = host_cpu_by_id(h, pin[v]);
        if (seen[v] || !hv || hv->core < 0)
            continue;
        char list[64] = "";
        size_t la = 0;
        int members = 0;
        for (int w = v; w < vcpus; w++) {
            const vt_host_cpu *hw = host_cpu_by_id(h, pin[w]);
            if (!seen[w] && hw && hw->core == hv->core) {
                seen[w] = 1;
                if (la < sizeof list - 12)
                    la += (size_t)snprintf(list + la, sizeof list - la,
                                           "%s%d", members ? "," : "", w);
                members++;
            }
        }
        if (members < 2)
            continue;
        shared++;
        if (shown < 3 && at < sizeof groups - 80) {
            char *cs = cpulist_format(h->cores[hv->core]);
            at += (size_t)snprintf(groups + at, sizeof groups - at,
                                   "%svCPUs %s on the host core of CPUs %s",
                                   shown ? "; " : "", list, cs);
            free(cs);
            shown++;
        }
    }
    free(seen);
    if (!shared) {
        snprintf(why, n, "no two vCPUs share a host core (their SMT "
                 "siblings stay idle), so the guest is told of no SMT");
        return;
    }
    /* vCPUs alone on their host core */
    char lone[96] = "";
    size_t la = 0;
    int nlone = 0;
    for (int v = 0; v < vcpus; v++) {
        const vt_host_cpu *hv = host_cpu_by_id(h, pin[v]);
        int alone = hv && hv->core >= 0;
        for (int w = 0; alone && w < vcpus; w++) {
            const vt_host_cpu *hw = host_cpu_by_id(h, pin[w]);
            alone = w == v || !hw || hw->core != hv->core;
        }
        if (alone && la < sizeof lone - 12)
            la += (size_t)snprintf(lone + la, sizeof lone - la, "%s%d",
                                   nlone++ ? "," : "", v);
        else if (alone)
            nlone++;
    }
    char lonetxt[160];
    snprintf(lonetxt, sizeof lonetxt, "vCPU%s %s %s no SMT sibling of the "
             "domain on %s host core", nlone > 1 ? "s" : "", lone,
             nlone > 1 ? "have" : "has", nlone > 1 ? "their" : "its");
    const char *cause = vcpus % ht ? "" : split
        ? "the guest NUMA cells split a guest core"
        : nlone ? lonetxt
        : "the sibling pairs are not consecutive vCPU ids";
    char count[96];
    snprintf(count, sizeof count, "%d vCPUs are no whole number of "
             "%d-thread guest cores", vcpus, ht);
    snprintf(why, n, "%s%s share SMT siblings, but %s: the guest sees "
             "single-thread cores (the topology must multiply out to the "
             "vCPUs)", groups, shared > shown ? "; and more" : "",
             vcpus % ht ? count : cause);
}

static void run_cpu_topology(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    int vcpus = r_domain(c)->vcpus;
    const char *arch = r_arch(c);
    int s390 = arch && !strncmp(arch, "s390", 4);
    xmlNodePtr cpu = r_child(root, "cpu");
    if (!cpu)
        cpu = r_insert(c, root, "cpu", NULL, "holds the guest CPU topology");

    int *pin = xcalloc((size_t)vcpus, sizeof *pin);
    int pinned = read_pins(c, vcpus, pin) == vcpus;
    int t = pinned && !s390 ? pinned_threads(r_host(c), vcpus, pin) : 1;
    long cps = cores_per_socket(cpu, vcpus, t);
    int split = 0;
    if (!cps && t > 1 && r_child(cpu, "numa")) {
        t = 1;      /* cells split a guest core: no SMT then */
        split = 1;
        cps = cores_per_socket(cpu, vcpus, 1);
    }
    long cores = vcpus / t;
    long sockets = cps ? cores / cps : 1;
    int capped = sockets > 1 && windows_client(r_domain(c));
    if (capped)
        sockets = 1;        /* its cells inside the one socket */
    long per = sockets == 1 ? cores : cps;
    long dies = pinned && r_x86(c) ? l3_dies(r_host(c), pin, vcpus, t, per) : 1;
    per /= dies;
    char twhy[320];
    threads_reason(c, vcpus, pin, pinned, t, s390, split, twhy, sizeof twhy);
    free(pin);

    char s_sockets[24], s_dies[24], s_cores[24], s_threads[24];
    snprintf(s_sockets, sizeof s_sockets, "%ld", sockets);
    snprintf(s_dies, sizeof s_dies, "%ld", dies);
    snprintf(s_cores, sizeof s_cores, "%ld", per);
    snprintf(s_threads, sizeof s_threads, "%d", t);
    char why[1024];
    snprintf(why, sizeof why, "%ld socket%s of %s%s%ld core%s, %d thread%s "
             "each: %s%s%s", sockets, sockets == 1 ? "" : "s",
             dies > 1 ? s_dies : "", dies > 1 ? " dies of " : "", per,
             per == 1 ? "" : "s", t, t == 1 ? "" : "s", twhy,
             capped ? "; one socket, the guest NUMA cells inside it: "
             "Windows client editions use one socket (Home) or two (Pro), "
             "not the vCPUs of more" :
             sockets > 1 ? "; no socket spans two guest NUMA cells" : "",
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
    int refused = valid && s390 && th > 1;
    if (valid && !refused && !r_override(c)) {
        if (th > 1 && th != t)
            r_finding(c, SEV_WARNING, topo, NULL,
                      "the topology advertises %ld threads per core but the "
                      "vCPUs are not pinned to host SMT siblings in groups of "
                      "%ld; kept as set (set cpu.topology.override=true for "
                      "%s sockets x %s cores x %s threads)", th, th,
                      s_sockets, s_cores, s_threads);
        return;
    }
    if (refused)
        r_finding(c, SEV_WARNING, topo, NULL, "threads='%ld' on s390x: QEMU "
                  "7.2 and later refuse it (-smp accepts only threads=1 "
                  "there); repaired", th);
    else if (!valid)
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
    .reference = "https://libvirt.org/formatdomain.html#cpu-model-and-topology; "
                 "https://www.qemu.org/docs/master/system/s390x/cpu-topology.html",
    .description =
        "Adds <topology sockets dies='1' cores threads/> derived from the "
        "document as the placement rules left it. threads = T when every "
        "group of T consecutive vCPUs is pinned to T distinct SMT siblings "
        "of one host core (T = the host's threads per core), else 1: "
        "floating vCPUs never get SMT; s390x guests never do (QEMU 7.2 and "
        "later accept only threads=1 there, and a valid topology with more "
        "is repaired). The reason names the vCPUs that share a host core "
        "when the guest cannot be told (an odd count). With guest NUMA "
        "cells, cores per socket = the gcd of the lengths of the runs of "
        "consecutive vCPU ids in one cell (QEMU numbers vCPUs socket by "
        "socket), so no socket spans two cells (one socket per cell when "
        "they are equal and contiguous), but a Windows client guest "
        "(libosinfo win/xp to win/11, or of unknown edition) gets one "
        "socket with its cells inside: Home uses one socket, Pro two, and "
        "would leave the vCPUs of more idle. On x86, when "
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
