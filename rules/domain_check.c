/*
 * domain_check.c - domain.check: references inside the domain that point
 * nowhere. libvirt drops some of them silently (a <vcpupin> for a vCPU
 * that does not exist) and refuses others at define time; vtune-xml says
 * which, where, and what libvirt will do, and leaves the user's XML as
 * written.
 */
#include "rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cell_exists(xmlNodePtr root, const char *id)
{
    xmlNodePtr numa = r_child(r_child(root, "cpu"), "numa");
    for (xmlNodePtr c = r_child(numa, "cell"); c; c = r_next(c, "cell"))
        if (r_attr(c, "id") && !strcmp(r_attr(c, "id"), id))
            return 1;
    return 0;
}

static void check_iothread_refs(vt_rule_ctx *c, xmlNodePtr root)
{
    xmlNodePtr dev = r_child(root, "devices");
    for (xmlNodePtr e = dev ? dev->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        const char *it = r_attr(r_child(e, "driver"), "iothread");
        if (it && !domain_iothread_defined(root, strtol(it, NULL, 10)))
            r_finding(c, SEV_WARNING, e, NULL, "<%s> uses iothread %s, "
                      "which the domain does not define (<iothreads> or "
                      "<iothreadids>): libvirt refuses the domain", e->name,
                      it);
    }
    xmlNodePtr tune = r_child(root, "cputune");
    for (xmlNodePtr p = r_child(tune, "iothreadpin"); p;
         p = r_next(p, "iothreadpin")) {
        const char *it = r_attr(p, "iothread");
        if (it && !domain_iothread_defined(root, strtol(it, NULL, 10)))
            r_finding(c, SEV_WARNING, p, NULL, "<iothreadpin> for iothread "
                      "%s, which the domain does not define: libvirt "
                      "refuses the domain", it);
    }
}

/* Host CPUs of the vCPUs that run a realtime scheduler (<vcpusched
 * scheduler='fifo'|'rr'>), from their 1:1 and wider pins; a new set. */
static hwloc_bitmap_t rt_cpus(xmlNodePtr tune)
{
    hwloc_bitmap_t rt = hwloc_bitmap_alloc(), cpus = hwloc_bitmap_alloc();
    for (xmlNodePtr s = r_child(tune, "vcpusched"); s;
         s = r_next(s, "vcpusched")) {
        const char *vl = r_attr(s, "vcpus");
        hwloc_bitmap_t v = vl ? cpulist_parse(vl, CPULIST_LIBVIRT) : NULL;
        if (v && r_rt_sched(s))
            hwloc_bitmap_or(rt, rt, v);
        hwloc_bitmap_free(v);
    }
    for (xmlNodePtr p = r_child(tune, "vcpupin"); p; p = r_next(p, "vcpupin")) {
        const char *v = r_attr(p, "vcpu"), *cs = r_attr(p, "cpuset");
        hwloc_bitmap_t set = cs ? cpulist_parse(cs, CPULIST_LIBVIRT) : NULL;
        if (set && v && hwloc_bitmap_isset(rt, (unsigned)atoi(v)))
            hwloc_bitmap_or(cpus, cpus, set);
        hwloc_bitmap_free(set);
    }
    hwloc_bitmap_free(rt);
    return cpus;
}

/* Every vCPU on a realtime scheduler: nothing is left for the guest's
 * housekeeping (libvirt kbase kvm-realtime keeps vCPU 0 off it; Nova's
 * realtime mask requires one vCPU outside it). */
static void check_rt_all(vt_rule_ctx *c, xmlNodePtr tune)
{
    int n = r_domain(c)->vcpus;
    enum vt_os os = r_domain(c)->os;
    if ((os != OS_LINUX && os != OS_WINDOWS) || n < 1)
        return;     /* an RTOS may mean it */
    hwloc_bitmap_t rt = hwloc_bitmap_alloc();
    xmlNodePtr first = NULL;
    for (xmlNodePtr s = r_child(tune, "vcpusched"); s;
         s = r_next(s, "vcpusched")) {
        const char *vl = r_attr(s, "vcpus");
        hwloc_bitmap_t v = vl ? cpulist_parse(vl, CPULIST_LIBVIRT) : NULL;
        if (v && r_rt_sched(s)) {
            hwloc_bitmap_or(rt, rt, v);
            if (!first)
                first = s;
        }
        hwloc_bitmap_free(v);
    }
    hwloc_bitmap_clr_range(rt, n, -1);
    if (first && hwloc_bitmap_weight(rt) == n)
        r_finding(c, SEV_WARNING, first, NULL, "every vCPU runs a realtime "
                  "scheduler (SCHED_%s): %s, and a vCPU that spins never "
                  "lets the host run its per-CPU work there; keep vCPU 0 on "
                  "the normal scheduler (libvirt kbase kvm-realtime)",
                  r_attr_is(first, "scheduler", "rr") ? "RR" : "FIFO",
                  os == OS_WINDOWS ? "Windows' housekeeping (DPCs, timers, "
                  "its idle loop) needs a vCPU the host may preempt"
                  : "the Linux guest's RCU, timers and housekeeping need a "
                    "vCPU the host may preempt");
    hwloc_bitmap_free(rt);
}

/* An emulator or iothread pinned beside a FIFO/RR vCPU never runs while
 * that vCPU does: the guest's I/O stalls behind its own vCPU. */
static void check_rt_neighbours(vt_rule_ctx *c, xmlNodePtr tune)
{
    hwloc_bitmap_t rt = rt_cpus(tune);
    if (hwloc_bitmap_iszero(rt)) {
        hwloc_bitmap_free(rt);
        return;
    }
    for (xmlNodePtr e = tune->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE ||
            (!xmlStrEqual(e->name, BAD_CAST "emulatorpin") &&
             !xmlStrEqual(e->name, BAD_CAST "iothreadpin")))
            continue;
        const char *cs = r_attr(e, "cpuset");
        hwloc_bitmap_t set = cs ? cpulist_parse(cs, CPULIST_LIBVIRT) : NULL;
        if (set && hwloc_bitmap_intersects(set, rt)) {
            hwloc_bitmap_and(set, set, rt);
            char *s = cpulist_format(set);
            r_finding(c, SEV_WARNING, e, NULL, "<%s> shares host CPU%s %s "
                      "with a vCPU that runs SCHED_FIFO or SCHED_RR: it "
                      "never runs while that vCPU does, and the guest's I/O "
                      "waits on its own vCPU", e->name,
                      hwloc_bitmap_weight(set) > 1 ? "s" : "", s);
            free(s);
        }
        hwloc_bitmap_free(set);
    }
    hwloc_bitmap_free(rt);
}

static void run_domain_check(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    int vcpus = r_domain(c)->vcpus;
    xmlNodePtr tune = r_child(root, "cputune");
    for (xmlNodePtr p = r_child(tune, "vcpupin"); p; p = r_next(p, "vcpupin")) {
        const char *v = r_attr(p, "vcpu");
        long n = v ? strtol(v, NULL, 10) : -1;
        if (n < 0 || n >= vcpus)
            r_finding(c, SEV_WARNING, p, NULL, "<vcpupin vcpu='%s'> names a "
                      "vCPU the domain does not have (it has %d, numbered "
                      "from 0): libvirt drops it without a word; kept here "
                      "so you can fix it", v ? v : "", vcpus);
    }
    check_iothread_refs(c, root);
    if (tune) {
        check_rt_neighbours(c, tune);
        check_rt_all(c, tune);
    }
    xmlNodePtr nt = r_child(root, "numatune");
    for (xmlNodePtr m = r_child(nt, "memnode"); m; m = r_next(m, "memnode")) {
        const char *id = r_attr(m, "cellid");
        if (id && !cell_exists(root, id))
            r_finding(c, SEV_WARNING, m, NULL, "<memnode cellid='%s'> names "
                      "a guest NUMA cell the domain does not define: libvirt "
                      "refuses the domain", id);
    }
    xmlNodePtr hp = r_child(r_child(root, "memoryBacking"), "hugepages");
    for (xmlNodePtr pg = r_child(hp, "page"); pg; pg = r_next(pg, "page")) {
        const char *ns = r_attr(pg, "nodeset");
        hwloc_bitmap_t set = ns ? cpulist_parse(ns, CPULIST_LIBVIRT) : NULL;
        int id;
        if (set && r_child(r_child(root, "cpu"), "numa")) {
            hwloc_bitmap_foreach_begin(id, set) {
                char s[16];
                snprintf(s, sizeof s, "%d", id);
                if (!cell_exists(root, s))
                    r_finding(c, SEV_WARNING, pg, NULL, "hugepages <page "
                              "nodeset='%s'> names guest cell %d, which the "
                              "domain does not define: libvirt refuses the "
                              "domain", ns, id);
            } hwloc_bitmap_foreach_end();
        }
        hwloc_bitmap_free(set);
    }
}

const vt_rule rule_domain_check = {
    .id = "domain.check",
    .summary = "references that point nowhere (vcpupin, iothread, memnode, "
               "hugepage cells); emulator pins beside FIFO vCPUs; no "
               "vCPU left off FIFO",
    .profiles = PROFILE_ALL,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-tuning",
    .description =
        "Reports, without changing them, the domain's references to "
        "things it does not define: a <vcpupin> for a vCPU beyond <vcpu> "
        "(libvirt drops it silently), an iothread a disk, controller or "
        "<iothreadpin> uses but <iothreads>/<iothreadids> do not define, a "
        "<memnode> or a hugepage <page nodeset> naming a guest cell that "
        "does not exist (libvirt refuses those); and an <emulatorpin> or "
        "<iothreadpin> that shares a host CPU with a vCPU of "
        "<vcpusched scheduler='fifo'|'rr'>, which then never runs while "
        "that vCPU does, or a realtime scheduler on every vCPU of a Linux "
        "or Windows guest (by its libosinfo id or guest.os; not others, "
        "which may be an RTOS), which leaves none for its housekeeping. Runs "
        "first, on the domain as given.",
    .needs = "None: it reads the domain.",
    .run = run_domain_check,
};
