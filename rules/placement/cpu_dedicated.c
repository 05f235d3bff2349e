/*
 * cpu_dedicated.c - cpu.dedicated: tell the guest its vCPUs are
 * dedicated (<features><kvm><hint-dedicated state='on'/>), when they are.
 *
 * With the hint (KVM_HINTS_REALTIME) a Linux guest stops yielding
 * through paravirtual spinlocks and idles by polling: right only when no
 * other thread ever runs on a vCPU's host CPU. So the hint goes only where
 * the placement (placement/plan.c) dedicated a host CPU to every vCPU, no
 * emulator or iothread pin of the domain shares them, and the CPU is
 * host-passthrough on x86 (libvirt refuses the hint otherwise).
 */
#include "placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Why the vCPUs are not dedicated, or NULL: every vCPU on a CPU of its
 * own; FOR_HINT adds what KVM's hint needs (x86, host-passthrough). */
static const char *not_dedicated(vt_rule_ctx *c, const vt_place_plan *p,
                                 int for_hint)
{
    xmlNodePtr root = r_root(c);
    if (for_hint && !r_x86(c))
        return "the hint is an x86 KVM feature";
    if (for_hint && !r_attr_is(r_child(root, "cpu"), "mode", "host-passthrough"))
        return "libvirt gives the hint only with <cpu mode='host-passthrough'>";
    /* a domain that pins itself (a tuned one, tuned again) counts when
     * its pins are 1:1 and shared with nothing of its own: the hint's
     * own rule keeps a hint it finds, the same as this */
    int kept = p->status == PLACE_KEPT;
    if (!kept && (p->status != PLACE_OK || !p->pinned || p->fallback))
        return "the vCPUs have no dedicated host CPUs";
    int n = r_domain(c)->vcpus;
    hwloc_bitmap_t vset = hwloc_bitmap_alloc(), other = hwloc_bitmap_alloc();
    xmlNodePtr tune = r_child(root, "cputune");
    int pinned = r_vcpus_alone(root, vset);
    for (xmlNodePtr e = tune ? tune->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE ||
            !(xmlStrEqual(e->name, BAD_CAST "emulatorpin") ||
              xmlStrEqual(e->name, BAD_CAST "iothreadpin")))
            continue;
        const char *cs = r_attr(e, "cpuset");
        hwloc_bitmap_t set = cs ? cpulist_parse(cs, CPULIST_LIBVIRT) : NULL;
        if (set)
            hwloc_bitmap_or(other, other, set);
        hwloc_bitmap_free(set);
    }
    int shared = hwloc_bitmap_intersects(vset, other);
    /* a domain that pins itself: the other domains of the run and of -c
     * must neither pin to its CPUs' cores nor float over its CPUs
     * (placement's own plan keeps off both) */
    hwloc_bitmap_t ded = hwloc_bitmap_alloc(), flt = hwloc_bitmap_alloc();
    int unconfined = kept ? usage_others(r_usage(c), r_usage_self(c), ded,
                                         flt) : 0;
    /* a pinned vCPU owns its whole core: the usage's record of the
     * domain holds those cores */
    int self = r_usage_self(c);
    hwloc_const_bitmap_t cores = kept && self >= 0
                                 ? r_usage(c)->domains[self].cpus : vset;
    int crowded = kept && (unconfined > 0 ||
                           hwloc_bitmap_intersects(cores, flt));
    int others = kept && hwloc_bitmap_intersects(cores, ded);
    hwloc_bitmap_free(ded);
    hwloc_bitmap_free(flt);
    /* and its pins must keep off the host's own CPUs, as the plan does */
    int host_cpus = kept && hwloc_bitmap_intersects(vset, r_housekeeping(c));
    hwloc_bitmap_free(vset);
    hwloc_bitmap_free(other);
    if (pinned != n)
        return "not every vCPU is pinned to a host CPU of its own";
    if (shared)
        return "an emulator or iothread pin shares a vCPU's host CPU";
    /* unpinned, QEMU's emulator and iothreads run on any CPU the domain
     * may use, the vCPUs' included */
    if (!r_child(tune, "emulatorpin"))
        return "the emulator threads are not pinned (no <emulatorpin>), so "
               "they may run on the vCPUs' CPUs";
    xmlNodePtr iot = r_child(root, "iothreads");
    xmlChar *t = iot ? xmlNodeGetContent(iot) : NULL;
    int niot = t ? atoi((const char *)t) : 0;
    xmlFree(t);
    int npins = 0;
    for (xmlNodePtr e = r_child(tune, "iothreadpin"); e; e = r_next(e, "iothreadpin"))
        npins++;
    if (niot > npins)
        return "an iothread is not pinned (no <iothreadpin>), so it may "
               "run on the vCPUs' CPUs";
    if (crowded)
        return "another domain's vCPUs may run on its CPUs (they float "
               "over them)";
    if (others)
        return "another domain pins vCPUs to the same host cores";
    if (host_cpus)
        return "a vCPU is pinned to one of the host's housekeeping CPUs, "
               "where the host's own tasks run";
    return NULL;
}

const char *place_dedicated_why_not(vt_rule_ctx *c)
{
    if (!r_rule_on(c, RULE_numa_place) || !r_rule_on(c, RULE_cpu_pin))
        return "placement is disabled";
    return not_dedicated(c, place_get(c), 0);
}

/* The hint promises the guest that nothing preempts its vCPUs. When the
 * housekeeping CPUs are only the tool's choice (no isolcpus, nohz_full
 * or reserved CPUs on the host, none in the policy), the host's own
 * tasks and kernel threads still run on the vCPUs' CPUs: a warning with
 * what keeps them off (the realtime profile's cpu.realtime says it for
 * its own domains). */
static void unconfined_host(vt_rule_ctx *c, xmlNodePtr root)
{
    const vt_pools *pools = r_pools(c);
    if (!pools->guessed || r_profile(c) == PROFILE_REALTIME)
        return;
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
    r_vcpus_alone(root, cpus);
    hwloc_bitmap_andnot(cpus, cpus, pools->isolated);
    if (!hwloc_bitmap_iszero(cpus)) {
        char *hk = cpulist_format(pools->housekeeping);
        char *cmd = xasprintf("keep the host's tasks on its housekeeping "
                              "CPUs: systemd's CPUAffinity=%s (system.conf) "
                              "and irqaffinity=%s on the kernel command "
                              "line, or isolcpus= for the guests' CPUs; or "
                              "name the CPUs the host keeps in the policy's "
                              "reserved_cpus", hk, hk);
        char *l = cpulist_format(cpus);
        r_finding(c, SEV_WARNING, NULL, cmd, "the vCPUs' host CPUs %s are "
                  "not kept from the host's own tasks: the housekeeping "
                  "CPUs %s are vtune-xml's choice (%s), and the host sets "
                  "none (no isolcpus, nohz_full or reserved CPUs), so its "
                  "tasks and interrupts may still preempt vCPUs the hint "
                  "tells the guest are never preempted", l, hk, pools->why);
        free(l);
        free(hk);
        free(cmd);
    }
    hwloc_bitmap_free(cpus);
}

static void run_cpu_dedicated(vt_rule_ctx *c)
{
    const vt_place_plan *p = place_get(c);
    xmlNodePtr root = r_root(c);
    xmlNodePtr kvm = r_child(r_child(root, "features"), "kvm");
    xmlNodePtr hint = r_child(kvm, "hint-dedicated");
    const char *why = not_dedicated(c, p, 1);
    if (hint) {
        if (r_attr_is(hint, "state", "on") && why)
            r_finding(c, SEV_WARNING, hint, NULL, "hint-dedicated is on, "
                      "but %s: the guest polls and skips paravirtual "
                      "spinlocks on CPUs others may need", why);
        else if (r_attr_is(hint, "state", "on"))
            unconfined_host(c, root);   /* as when it was added */
        return;
    }
    if (r_domain(c)->os == OS_WINDOWS)
        return;     /* with Hyper-V's CPUID leaves Windows reads no KVM hint
                       (hyperv leaves spinlocks at QEMU's never-notify) */
    if (why) {
        /* placed on dedicated CPUs (by the plan, or by the domain's own
         * 1:1 pins), yet no hint: say why */
        hwloc_bitmap_t alone = hwloc_bitmap_alloc();
        int own = p->status == PLACE_KEPT &&
                  r_vcpus_alone(root, alone) == r_domain(c)->vcpus;
        hwloc_bitmap_free(alone);
        if ((p->status == PLACE_OK && p->pinned && !p->fallback) || own)
            r_finding(c, SEV_INFO, NULL, NULL, "no <hint-dedicated>: %s",
                      why);
        return;
    }
    unconfined_host(c, root);
    xmlNodePtr feat = r_ensure(c, root, "features", "holds the KVM hints");
    if (!kvm)
        kvm = r_insert(c, feat, "kvm", NULL, "holds the dedicated-CPU hint");
    const char *a[] = {"state", "on", NULL};
    r_insert(c, kvm, "hint-dedicated", a, "every vCPU has a host CPU of its "
             "own (no other vCPU, emulator or iothread runs there): the "
             "guest may poll when idle and skip paravirtual spinlocks "
             "(KVM_HINTS_REALTIME)");
}

const vt_rule rule_cpu_dedicated = {
    .id = "cpu.dedicated",
    .summary = "<kvm><hint-dedicated/> when every vCPU has a host CPU of its "
               "own (x86, host-passthrough)",
    .profiles = PROFILE_LOWLAT,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#hypervisor-features; "
                 "https://docs.kernel.org/virt/kvm/x86/cpuid.html",
    .description =
        "Adds <features><kvm><hint-dedicated state='on'/></kvm></features> "
        "(KVM_HINTS_REALTIME: the guest polls when idle and its spinlocks "
        "do not yield) only when cpu.pin dedicated a host CPU to every vCPU "
        "(not its fallback to the shared pool), or the domain's own pins "
        "give each vCPU a host CPU of its own, off the housekeeping CPUs, "
        "the emulator and every "
        "iothread are pinned (unpinned, QEMU runs them on any CPU) and no "
        "<emulatorpin> or <iothreadpin> of the domain shares one of them, "
        "no other domain of the run or of -c pins to their cores or floats "
        "over them (none floats unconfined, over every CPU), "
        "and the guest CPU "
        "is host-passthrough on x86, which libvirt requires; not for "
        "Windows guests, which read Hyper-V's CPUID leaves, not KVM's. "
        "When the housekeeping CPUs are vtune-xml's choice (the host sets "
        "no isolcpus, nohz_full or reserved CPUs, the policy no "
        "reserved_cpus), the hint comes with a warning and the host "
        "settings that keep the host's tasks off the vCPUs' CPUs. "
        "When dedicated vCPUs get no hint, an info finding says why. A "
        "hint the domain sets is kept, with a warning when its vCPUs are "
        "not dedicated.",
    .needs = "The placement of the vCPUs (numa.place, cpu.pin).",
    .run = run_cpu_dedicated,
};
