/*
 * hyperv.c - hyperv: the Hyper-V enlightenments a Windows guest uses on
 * KVM, and the Hyper-V reference clock.
 *
 * QEMU enables none by default (docs/system/i386/hyperv.rst), and a
 * Windows guest without them spins on its locks, reads the emulated APIC
 * and clocks with exits, and idles at tens of percent of a CPU. Nova and
 * oVirt add them for Windows images. The set follows QEMU's
 * recommendation and libvirt's <hyperv mode='custom'> (formatdomain,
 * "Hypervisor features"), with its dependencies: synic, ipi and tlbflush
 * need vpindex, stimer needs synic and the Hyper-V clock (hv-time).
 */
#include "placement/placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HV_DOC "QEMU docs/system/i386/hyperv.rst"

/* One enlightenment: its element, what it needs, why. */
typedef struct hv_member {
    const char *name;
    const char *needs;      /* another member it needs, or NULL */
    const char *why;
} hv_member;

static const hv_member members[] = {
    {"relaxed", NULL, "no watchdog timeout BSOD when a vCPU is descheduled "
     "(hv-relaxed, " HV_DOC ")"},
    {"vapic", NULL, "the VP assist page: the guest signals end of "
     "interrupt without an exit (hv-vapic, " HV_DOC ")"},
    {"spinlocks", NULL, "spinning vCPUs yield to the hypervisor after 8191 "
     "tries instead of burning their time slice (hv-spinlocks, " HV_DOC
     ")"},
    {"vpindex", NULL, "virtual processor indexes, which synic, ipi and "
     "tlbflush need (hv-vpindex, " HV_DOC ")"},
    {"runtime", NULL, "the guest sees how long its vCPUs really ran "
     "(hv-runtime, " HV_DOC ")"},
    {"synic", "vpindex", "the synthetic interrupt controller, which stimer "
     "and VMBus need (hv-synic, " HV_DOC ")"},
    {"stimer", "synic", "synthetic timers: Windows' periodic timer without "
     "the emulated HPET or RTC, the biggest saving on an idle guest "
     "(hv-stimer, " HV_DOC ")"},
    {"reset", NULL, "the Hyper-V reset MSR, which Windows may use to "
     "reboot (it need not: harmless either way; hv-reset, " HV_DOC ")"},
    {"frequencies", NULL, "the guest reads the TSC and APIC frequencies "
     "instead of measuring them at boot (hv-frequencies, " HV_DOC ")"},
    {"tlbflush", "vpindex", "remote TLB flushes by hypercall, not IPIs to "
     "every vCPU (hv-tlbflush, " HV_DOC ")"},
    {"ipi", "vpindex", "IPIs by hypercall instead of APIC writes "
     "(hv-ipi, " HV_DOC ")"},
};

static const vt_rule_param hv_params[] = {
    {"stimer_direct", PARAM_BOOL, "true", "stimer in direct mode (libvirt "
     "5.7 and QEMU 4.1 and later): timer expiries as interrupts, not VMBus "
     "messages", NULL, 0, 0},
    {"nested", PARAM_BOOL, "false", "the guest runs Hyper-V itself (WSL2, "
     "Credential Guard): evmcs on Intel hosts", NULL, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* The state of member NAME in HV: 1 on, 0 off, -1 absent. */
static int state_of(xmlNodePtr hv, const char *name)
{
    xmlNodePtr m = r_child(hv, name);
    if (!m)
        return -1;
    return !r_attr_is(m, "state", "off");
}

static void add_member(vt_rule_ctx *c, xmlNodePtr hv, const char *name,
                       const char *why)
{
    if (!strcmp(name, "spinlocks")) {
        const char *a[] = {"state", "on", "retries", "8191", NULL};
        r_insert(c, hv, name, a, "%s", why);
        return;
    }
    const char *a[] = {"state", "on", NULL};
    r_insert(c, hv, name, a, "%s", why);
}

/* The Hyper-V reference clock: 1 when the domain has it (or it is added),
 * 0 when the domain turns it off. */
static int hyperv_clock(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr clock = r_child(root, "clock");
    xmlNodePtr t = r_child_with(clock, "timer", "name", "hypervclock");
    if (t)
        return !r_attr_is(t, "present", "no");
    if (!clock) {
        const char *a[] = {"offset", "localtime", NULL};
        clock = r_insert(c, root, "clock", a, "holds the Hyper-V clock; "
                         "Windows keeps its RTC in local time");
    }
    const char *a[] = {"name", "hypervclock", "present", "yes", NULL};
    r_add(c, clock, "timer", NULL, a, "the Hyper-V reference TSC page: "
          "Windows reads its clock (QueryPerformanceCounter) from memory, "
          "without an exit (hv-time, " HV_DOC ")");
    return 1;
}

static void run_hyperv(vt_rule_ctx *c)
{
    const vt_domain *d = r_domain(c);
    if (d->os != OS_WINDOWS || !r_x86(c))
        return;
    xmlNodePtr root = r_root(c);
    xmlNodePtr feat = r_ensure(c, root, "features", "holds the Hyper-V "
                               "enlightenments");
    xmlNodePtr hv = r_child(feat, "hyperv");
    if (hv && r_attr_is(hv, "mode", "passthrough")) {
        r_finding(c, SEV_INFO, hv, NULL, "hyperv mode='passthrough' set "
                  "explicitly; kept (it exposes every enlightenment the "
                  "host's KVM has, which breaks migration to another kind "
                  "of host)");
        return;
    }
    if (!hv) {
        const char *a[] = {"mode", "custom", NULL};
        hv = r_insert(c, feat, "hyperv", a, "Windows guest: QEMU enables "
                      "no Hyper-V enlightenment by default, and without "
                      "them Windows idles at tens of percent of a CPU "
                      "(" HV_DOC "); custom mode lists them, so the guest "
                      "migrates");
    }
    int clock = hyperv_clock(c);
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        const hv_member *m = &members[i];
        int have = state_of(hv, m->name);
        if (have >= 0)
            continue;           /* the domain's own value */
        /* the dependency closure: never a member whose need is off, or
         * was not added for that reason (stimer after synic) */
        if (m->needs && state_of(hv, m->needs) != 1) {
            r_finding(c, SEV_WARNING, hv, NULL, "%s not added: it needs "
                      "%s, which %s (QEMU refuses the combination)",
                      m->name, m->needs, state_of(hv, m->needs) == 0
                      ? "the domain turns off" : "is not there either");
            continue;
        }
        /* vCPUs that own their host CPUs lose nothing by spinning:
         * QEMU's default, hv-spinlocks=0xffffffff ("never notify"), is
         * right then; libvirt cannot write it back (it formats retries
         * signed), so the element is left out */
        if (!strcmp(m->name, "spinlocks") && (r_profile(c) & PROFILE_LOWLAT) &&
            !place_dedicated_why_not(c)) {
            r_finding(c, SEV_INFO, hv, NULL, "spinlocks not added: every "
                      "vCPU has a host CPU of its own, so Windows need not "
                      "tell the hypervisor about long spin waits; QEMU's "
                      "default (hv-spinlocks=0xffffffff, \"never notify\", "
                      HV_DOC ") is right");
            continue;
        }
        if (!strcmp(m->name, "stimer") && !clock) {
            r_finding(c, SEV_WARNING, hv, NULL, "stimer not added: it "
                      "needs the Hyper-V clock (hv-time), and the domain "
                      "turns the hypervclock timer off");
            continue;
        }
        add_member(c, hv, m->name, m->why);
        if (!strcmp(m->name, "stimer") && r_param_bool(c, "stimer_direct")) {
            const char *a[] = {"state", "on", NULL};
            r_add(c, r_child(hv, "stimer"), "direct", NULL, a, "timer "
                  "expiries as direct interrupts rather than VMBus "
                  "messages: the mode a Windows that runs Hyper-V itself "
                  "(WSL2, VBS, Credential Guard) needs; plain Windows is "
                  "indifferent (hv-stimer-direct, " HV_DOC ")");
        }
    }
    /* evmcs: only a guest that runs Hyper-V itself, on an Intel host */
    if (r_param_bool(c, "nested") && state_of(hv, "evmcs") < 0) {
        if (host_has_flag(r_host(c), "vmx") == 1)
            add_member(c, hv, "evmcs", "the guest runs Hyper-V (the policy's "
                       "hyperv.nested): enlightened VMCS makes its nested "
                       "guests cheaper on Intel (hv-evmcs, " HV_DOC ")");
        else
            r_finding(c, SEV_INFO, hv, NULL, "evmcs not added: it is for "
                      "Intel (VMX) hosts and this host's CPU has no vmx");
    }
    /* an AMD host (svm) has no VMX even where its flags are partial, as
     * in libvirt capabilities */
    int no_vmx = host_has_flag(r_host(c), "vmx") == 0 ||
                 host_has_flag(r_host(c), "svm") == 1;
    if (state_of(hv, "evmcs") == 1 && no_vmx)
        r_finding(c, SEV_INFEASIBLE, r_child(hv, "evmcs"), NULL, "evmcs is "
                  "on, but this host's CPU has no vmx (%s): enlightened VMCS "
                  "is for Intel hosts, and QEMU refuses to start with "
                  "hv-evmcs elsewhere", host_has_flag(r_host(c), "svm") == 1
                  ? "it is an AMD host, svm" : "no vmx flag");
    /* avic: AMD's APIC virtualization, where the host has it */
    if (state_of(hv, "avic") < 0 && host_has_flag(r_host(c), "avic") == 1)
        add_member(c, hv, "avic", "the host has AMD AVIC: the guest is told "
                   "to use it rather than the paravirtual EOI, which AVIC "
                   "would have to trap (hv-avic, " HV_DOC ")");
}

const vt_rule rule_hyperv = {
    .id = "hyperv",
    .summary = "Hyper-V enlightenments and the Hyper-V clock for Windows "
               "guests (x86)",
    .profiles = PROFILE_ALL,
    .params = hv_params,
    .reference = "https://www.qemu.org/docs/master/system/i386/hyperv.html; "
                 "https://libvirt.org/formatdomain.html#hypervisor-features",
    .description =
        "Windows guests (the libosinfo id microsoft.com/win/..., or the "
        "policy's guest.os=windows for domains without metadata) get "
        "<features><hyperv mode='custom'> with relaxed, vapic, spinlocks "
        "(retries 8191; left out under the latency and realtime profiles "
        "when every vCPU has a host CPU of its own, where QEMU's default, "
        "never notify, is right: libvirt formats retries signed and cannot "
        "read 0xffffffff back), vpindex, runtime, synic, stimer (with <direct> "
        "unless hyperv.stimer_direct=false, for libvirt before 5.7 or QEMU "
        "before 4.1), reset, frequencies, tlbflush and ipi, and <timer "
        "name='hypervclock' present='yes'/>. The dependencies always hold: "
        "synic, ipi and tlbflush need vpindex, stimer needs synic and the "
        "Hyper-V clock; a member whose need the domain turns off is not "
        "added (a warning). evmcs only for a guest that runs Hyper-V "
        "itself (hyperv.nested) on an Intel host (a domain's own evmcs on a "
        "host without vmx is a warning); avic only where the host "
        "CPU has it. mode='passthrough' is never written (it breaks "
        "migration) and kept when the domain has it. The domain's own "
        "members keep their values; missing ones are added. Nothing for "
        "other guests.",
    .needs = "The host CPU's flags (vmx for evmcs, avic); unknown: neither "
             "is added.",
    .run = run_hyperv,
};
