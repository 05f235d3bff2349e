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
     * must not float over its CPUs (placement's own plan excludes them) */
    const vt_usage *u = r_usage(c);
    int crowded = kept && (u->nunconfined > 0 ||
                           hwloc_bitmap_intersects(vset, u->floating));
    /* the usage does not tell its own pins from those of the other
     * domains that place themselves (two domains pinned alike both look
     * alone): with any other domain accounted, no claim of dedication */
    int others = kept && u->ndomains > 1;
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
        return "other domains of the run or of -c are accounted, and their "
               "pins are not told apart from this domain's: none may share "
               "its CPUs for the hint to hold, which cannot be shown";
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
        "with no other domain of the run or of -c accounted (their pins "
        "cannot be told apart from its own), the emulator and every "
        "iothread are pinned (unpinned, QEMU runs them on any CPU) and no "
        "<emulatorpin> or <iothreadpin> of the domain shares one of them, "
        "no other domain of the run or of -c runs there (the CPU pools), "
        "and the guest CPU "
        "is host-passthrough on x86, which libvirt requires; not for "
        "Windows guests, which read Hyper-V's CPUID leaves, not KVM's. "
        "When dedicated vCPUs get no hint, an info finding says why. A "
        "hint the domain sets is kept, with a warning when its vCPUs are "
        "not dedicated.",
    .needs = "The placement of the vCPUs (numa.place, cpu.pin).",
    .run = run_cpu_dedicated,
};
