/*
 * cpu_realtime.c - cpu.realtime: the realtime profile's guest side, after
 * libvirt's kbase "KVM real time" (docs/kbase/kvm-realtime.rst): FIFO
 * vCPUs but vCPU 0, no PMU, the TSC deadline timer; and, as findings
 * with their commands, what the host must do for it.
 *
 * The placement rules did the rest: one vCPU per core (cpu.pin.threads
 * isolate), the emulator on housekeeping CPUs, hugepages and locked
 * memory, no balloon.
 */
#include "rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_DOC "libvirt kbase kvm-realtime"

static const vt_rule_param rt_params[] = {
    {"priority", PARAM_INT, "1", "SCHED_FIFO priority of the vCPUs (1: "
     "above every normal task, below the kernel's own RT threads)", NULL,
     1, 99},
    {"housekeeping_vcpus", PARAM_INT, "1", "vCPUs, from vCPU 0, kept on "
     "the normal scheduler for the guest's housekeeping (1, as Nova's "
     "realtime mask requires; 0: every vCPU FIFO, for a single-purpose "
     "RTOS guest that never needs the host to preempt it)", NULL, 0, 64},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* The vCPUs' scheduler: FIFO for vCPUs 1..N-1; vCPU 0 keeps the normal
 * scheduler, so the guest's housekeeping (and a Linux guest's RCU and
 * timers, which Nova's realtime mask requires one CPU for) always runs. */
static void vcpu_sched(vt_rule_ctx *c, xmlNodePtr root)
{
    int n = r_domain(c)->vcpus;
    xmlNodePtr tune = r_child(root, "cputune");
    if (r_child(tune, "vcpusched") && !r_override(c)) {
        r_finding(c, SEV_INFO, r_child(tune, "vcpusched"), NULL, "vcpusched "
                  "set explicitly; kept (cpu.realtime.override=true "
                  "replaces it)");
        return;
    }
    for (xmlNodePtr s = r_child(tune, "vcpusched"), next; s; s = next) {
        next = r_next(s, "vcpusched");
        r_remove(c, s, "replaced (cpu.realtime.override)");
    }
    /* FIFO only on vCPUs pinned 1:1: a FIFO vCPU that floats starves
     * whatever shares its CPUs */
    int pinned = r_vcpus_alone(root, NULL);
    if (pinned < n) {
        r_finding(c, SEV_INFEASIBLE, NULL, NULL, "no realtime scheduler: "
                  "%d of the %d vCPUs have a host CPU of their own, and a "
                  "FIFO vCPU that shares CPUs starves what runs beside it "
                  "(" RT_DOC ")", pinned, n);
        return;
    }
    int hk = (int)r_param_int(c, "housekeeping_vcpus");
    if (n <= hk) {
        r_finding(c, SEV_WARNING, NULL, NULL, "%d vCPU%s: %s on the normal "
                  "scheduler (cpu.realtime.housekeeping_vcpus=%d keeps that "
                  "many for the guest's housekeeping, " RT_DOC "); give the "
                  "domain more vCPUs for realtime ones", n, n > 1 ? "s" : "",
                  n > 1 ? "they stay" : "it stays", hk);
        return;
    }
    if (hk == 0 && r_domain(c)->os != OS_OTHER)
        r_finding(c, SEV_WARNING, NULL, NULL, "every vCPU runs SCHED_FIFO "
                  "(cpu.realtime.housekeeping_vcpus=0): a %s guest that "
                  "spins on one never lets the host run its per-CPU work "
                  "there, and its own RCU and timers need a vCPU the host "
                  "may preempt (" RT_DOC ")", r_domain(c)->os == OS_WINDOWS
                  ? "Windows" : r_domain(c)->os == OS_LINUX ? "Linux"
                  : "general-purpose");
    tune = r_ensure(c, root, "cputune", "holds the vCPU schedulers");
    char list[32], prio[16], keep[64] = "";
    if (n - hk == 1)
        snprintf(list, sizeof list, "%d", hk);
    else
        snprintf(list, sizeof list, "%d-%d", hk, n - 1);
    if (hk == 1)
        snprintf(keep, sizeof keep, "; vCPU 0 keeps");
    else if (hk > 1)
        snprintf(keep, sizeof keep, "; vCPUs 0-%d keep", hk - 1);
    snprintf(prio, sizeof prio, "%ld", r_param_int(c, "priority"));
    const char *a[] = {"vcpus", list, "scheduler", "fifo", "priority", prio,
                       NULL};
    r_insert(c, tune, "vcpusched", a, "vCPU%s %s run%s SCHED_FIFO at "
             "priority %s on dedicated host CPUs: nothing on the host "
             "preempts them%s%s (" RT_DOC ")", n - hk > 1 ? "s" : "", list,
             n - hk > 1 ? "" : "s", prio, keep, hk ? " the normal scheduler "
             "for the guest's housekeeping" : "");
}

/* Devices that interrupt the guest for nothing a realtime guest needs. */
static void interrupt_sources(vt_rule_ctx *c, xmlNodePtr root)
{
    xmlNodePtr dev = r_child(root, "devices");
    char list[256] = "";
    size_t at = 0;
    for (xmlNodePtr e = dev ? dev->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        const char *what = NULL;
        if (xmlStrEqual(e->name, BAD_CAST "controller") &&
            r_attr_is(e, "type", "usb") && !r_attr_is(e, "model", "none"))
            what = "a USB controller";
        else if (xmlStrEqual(e->name, BAD_CAST "sound"))
            what = "a sound card";
        else if (xmlStrEqual(e->name, BAD_CAST "input") &&
                 r_attr_is(e, "bus", "usb"))
            what = "a USB input device";
        else if (xmlStrEqual(e->name, BAD_CAST "redirdev"))
            what = "USB redirection";
        if (what && !strstr(list, what) && at < sizeof list - 40)
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%s",
                                   at ? ", " : "", what);
    }
    if (at)
        r_finding(c, SEV_WARNING, dev, NULL, "the domain has %s: each "
                  "interrupts the guest and its emulation runs on the host; "
                  "a realtime guest is better without them (" RT_DOC "; "
                  "vtune-xml never removes devices)", list);
}

/* What the host must do: isolate the vCPUs' CPUs, and let FIFO threads
 * run without the kernel's realtime throttling. */
static void host_settings(vt_rule_ctx *c, xmlNodePtr root)
{
    const vt_host *h = r_host(c);
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
    r_vcpus_alone(root, cpus);      /* every vCPU pin's CPUs */
    if (!hwloc_bitmap_iszero(cpus)) {
        hwloc_bitmap_t miss = hwloc_bitmap_dup(cpus);
        if (h->isolated && h->nohz_full) {
            hwloc_bitmap_t both = hwloc_bitmap_dup(h->isolated);
            hwloc_bitmap_and(both, both, h->nohz_full);
            hwloc_bitmap_andnot(miss, miss, both);
            hwloc_bitmap_free(both);
        }
        if (!hwloc_bitmap_iszero(miss)) {
            char *l = cpulist_format(cpus), *m = cpulist_format(miss);
            char *cmd = xasprintf("add to the host's kernel command line: "
                                  "isolcpus=managed_irq,domain,%s nohz=on "
                                  "nohz_full=%s rcu_nocbs=%s, and reboot",
                                  l, l, l);
            r_finding(c, SEV_WARNING, NULL, cmd, "the vCPUs' host CPUs %s "
                      "are not all isolated (%s are %s): the host's "
                      "scheduler ticks, timers and RCU callbacks interrupt "
                      "them (" RT_DOC ")", l, m, h->isolated
                      ? "outside isolcpus or nohz_full"
                      : "not known to be isolated: the host source does "
                        "not say");
            free(cmd);
            free(l);
            free(m);
        }
        hwloc_bitmap_free(miss);
    }
    hwloc_bitmap_free(cpus);
    /* throttling matters only to vCPUs that run a realtime scheduler */
    int rt = 0;
    for (xmlNodePtr v = r_child(r_child(root, "cputune"), "vcpusched"); v;
         v = r_next(v, "vcpusched"))
        rt |= r_rt_sched(v);
    if (rt)
        r_finding(c, SEV_WARNING, NULL, "sysctl -w "
                  "kernel.sched_rt_runtime_us=-1 (and set it in "
                  "/etc/sysctl.d/)", "FIFO vCPUs that never "
                  "sleep are throttled after 95%% of each second unless the "
                  "host turns the kernel's realtime throttling off (" RT_DOC
                  ")");
}

static void run_cpu_realtime(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    vcpu_sched(c, root);
    xmlNodePtr feat = r_ensure(c, root, "features", "holds the PMU switch");
    if (!r_child(feat, "pmu")) {
        const char *a[] = {"state", "off", NULL};
        r_insert(c, feat, "pmu", a, "no virtual PMU: the guest's perf "
                 "counters would make the host reprogram the PMU on every "
                 "VM entry and exit (" RT_DOC ")");
    }
    xmlNodePtr cpu = r_child(root, "cpu");
    if (r_x86(c) && host_has_flag(r_host(c), "tsc_deadline_timer") == 1 &&
        cpu && !r_child_with(cpu, "feature", "name", "tsc-deadline")) {
        const char *a[] = {"policy", "require", "name", "tsc-deadline", NULL};
        r_insert(c, cpu, "feature", a, "the guest programs its timer by TSC "
                 "deadline, one write, instead of the APIC timer's count "
                 "(" RT_DOC ")");
    }
    interrupt_sources(c, root);
    host_settings(c, root);
}

const vt_rule rule_cpu_realtime = {
    .id = "cpu.realtime",
    .summary = "FIFO vCPUs but vCPU 0, no PMU, TSC deadline; the host's "
               "isolcpus and RT throttling as findings (realtime)",
    .profiles = PROFILE_REALTIME,
    .params = rt_params,
    .reference = "https://libvirt.org/kbase/kvm-realtime.html; "
                 "https://libvirt.org/formatdomain.html#cpu-tuning",
    .description =
        "The realtime profile, after libvirt's kbase \"KVM real time\": "
        "<cputune><vcpusched vcpus='1-N' scheduler='fifo' priority='1'/> "
        "on every vCPU but vCPU 0, which keeps the normal scheduler for the "
        "guest's housekeeping (as Nova requires one non-realtime vCPU; a "
        "one-vCPU domain gets a warning instead; housekeeping_vcpus sets "
        "how many keep it, 0 for an RTOS guest that is all realtime, with "
        "a warning unless guest.os=other); <features><pmu "
        "state='off'/>; <feature policy='require' name='tsc-deadline'/> "
        "where the host CPU has it. The profile's other rules pin one vCPU "
        "per core (cpu.pin.threads isolate unless set), keep the emulator "
        "on housekeeping CPUs, back the memory with hugepages, lock it and "
        "drop the balloon. Findings give the host's side: isolcpus, "
        "nohz_full and rcu_nocbs over the vCPUs' CPUs when the host does "
        "not isolate them, kernel.sched_rt_runtime_us=-1, and the devices "
        "that interrupt the guest (USB, sound), which are never removed. "
        "A vcpusched the domain sets is kept unless override.",
    .needs = "The host CPU's flags (tsc_deadline_timer) and its isolated "
             "and nohz_full CPUs; unknown: no tsc-deadline, and the "
             "isolation finding says the source does not know.",
    .run = run_cpu_realtime,
};
