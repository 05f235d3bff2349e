/*
 * mem_lock.c - mem.lock: locked, unshared and preallocated memory.
 */
#include "placement/placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param lock_params[] = {
    {"always", PARAM_BOOL, "false", "the latency profiles lock ordinary "
     "memory too, bounded by <memtune><hard_limit> (guest memory + 1 GiB)",
     NULL, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* KiB of the guest's largest memory: <maxMemory> with hotplug, else
 * <memory>. */
static unsigned long long guest_max_kib(vt_rule_ctx *c)
{
    unsigned long long kib = r_domain(c)->memory_kib, mx;
    xmlNodePtr m = r_child(r_root(c), "maxMemory");
    xmlChar *t = m ? xmlNodeGetContent(m) : NULL;
    if (t && units_kib((const char *)t, r_attr(m, "unit"), &mx) == 0 &&
        mx > kib)
        kib = mx;
    xmlFree(t);
    return kib;
}

/* How many times the guest's memory may be pinned for DMA, as libvirt
 * counts it for the memlock limit (qemuDomainGetMemLockLimitBytes): one
 * address space for all VFIO devices (each its own behind a vIOMMU), one
 * more per NVMe disk and per vDPA NIC; at least 1. */
static int dma_factor(xmlNodePtr root)
{
    int nvfio = 0, nnvme = 0, nvdpa = 0;
    xmlNodePtr dev = r_child(root, "devices");
    for (xmlNodePtr e = dev ? dev->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(e->name, BAD_CAST "disk") && r_attr_is(e, "type", "nvme"))
            nnvme++;
        else if (xmlStrEqual(e->name, BAD_CAST "interface") &&
                 r_attr_is(e, "type", "vdpa"))
            nvdpa++;
        else if ((xmlStrEqual(e->name, BAD_CAST "hostdev") &&
                  (!r_attr(e, "mode") || r_attr_is(e, "mode", "subsystem")) &&
                  (r_attr_is(e, "type", "pci") || r_attr_is(e, "type", "mdev"))) ||
                 (xmlStrEqual(e->name, BAD_CAST "interface") &&
                  r_attr_is(e, "type", "hostdev")))
            nvfio++;
    }
    int f = (r_child(dev, "iommu") ? nvfio : nvfio > 0) + nnvme + nvdpa;
    return f > 0 ? f : 1;
}

/* <memtune><hard_limit>: what libvirt then sets the memlock limit to,
 * instead of lifting it (formatdomain: memory backing, locked). Returns
 * 1 when the domain has one (its own or added), 0 when none can be added
 * (a finding says why). */
static int hard_limit(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr mt = r_child(root, "memtune");
    int factor = dma_factor(root);
    unsigned long long want = guest_max_kib(c) * (unsigned)factor + 1048576ULL,
                       swap, own;
    xmlNodePtr hl0 = r_child(mt, "hard_limit");
    if (hl0) {
        /* the domain's own limit, which becomes the memlock limit: too
         * low, and QEMU cannot lock the guest's memory (mlockall) */
        xmlChar *v = xmlNodeGetContent(hl0);
        int low = v && units_kib((const char *)v, r_attr(hl0, "unit"), &own) == 0
                  && own < want;
        xmlFree(v);
        if (low)
            r_finding(c, SEV_WARNING, hl0, NULL, "memory not locked: the "
                      "domain's <hard_limit> (%llu KiB), which libvirt makes "
                      "the memlock limit whether or not memory is locked, is "
                      "below the %llu KiB QEMU would lock (the guest's "
                      "memory%s plus 1 GiB): with <locked/> the domain would "
                      "not start%s", own, want, factor > 1 ? " for each DMA "
                      "address space" : "", devices_has_vfio(root) ? ", and "
                      "its DMA mappings may fail even without it" : "");
        return !low;
    }
    xmlNodePtr sw = r_child(mt, "swap_hard_limit");
    xmlChar *t = sw ? xmlNodeGetContent(sw) : NULL;
    int low = t && units_kib((const char *)t, r_attr(sw, "unit"), &swap) == 0
              && swap < want;
    xmlFree(t);
    if (low) {
        /* libvirt: hard_limit must be lower than or equal to
         * swap_hard_limit */
        r_finding(c, SEV_WARNING, sw, NULL, "memory not locked: it needs "
                  "<hard_limit> of the guest's memory plus 1 GiB (%llu KiB), "
                  "above the domain's <swap_hard_limit> (%llu KiB), which "
                  "libvirt refuses; raise swap_hard_limit to lock it", want,
                  swap);
        return 0;
    }
    if (!mt)
        mt = r_insert(c, root, "memtune", NULL, "holds the memory limit");
    char kib[32];
    snprintf(kib, sizeof kib, "%llu", want);
    const char *a[] = {"unit", "KiB", NULL};
    xmlNodePtr hl = r_add(c, mt, "hard_limit", NULL, a, "locked memory "
                          "needs a bound: the guest's memory%s plus 1 GiB for "
                          "QEMU itself (the estimate libvirt uses for VFIO "
                          "domains, qemuDomainGetMemLockLimitBytes); without "
                          "a hard limit libvirt lifts the memlock limit "
                          "entirely", factor > 1 ? " once per DMA address "
                          "space (VFIO devices, NVMe disks, vDPA NICs)" : "");
    if (factor > 1)
        r_text(c, hl, kib, "%d times the guest's memory (one per DMA "
               "address space, as libvirt counts) plus 1 GiB", factor);
    else
        r_text(c, hl, kib, "the guest's memory plus 1 GiB");
    r_finding(c, SEV_WARNING, hl, NULL, "<hard_limit> is also the domain's "
              "memory cgroup limit: should QEMU ever use more than %llu KiB "
              "(many vCPUs or devices, large I/O buffers), the kernel kills "
              "the domain (libvirt formatdomain, memory tuning); raise it "
              "for such a domain", want);
    return 1;
}

static void run_mem_lock(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr mb = r_child(root, "memoryBacking");
    int huge = r_child(mb, "hugepages") != NULL;
    int vfio = devices_has_vfio(root);
    int lowlat = (r_profile(c) & PROFILE_LOWLAT) != 0;
    int always = r_param_bool(c, "always");
    const vt_host *h = r_host(c);
    /* a domain placement found no room for is not locked: locked memory
     * the host does not have is an out-of-memory kill waiting */
    const vt_place_plan *plan = r_rule_on(c, RULE_numa_place)
                                ? place_get(c) : NULL;
    if (lowlat && plan && plan->status == PLACE_INFEASIBLE &&
        !plan->confine) {
        r_finding(c, SEV_INFO, NULL, NULL, "memory not locked: the domain "
                  "does not fit this host (numa.place), and locking memory "
                  "the host cannot give risks an out-of-memory kill");
        lowlat = 0;
    }
    /* VFIO pins the guest's memory whatever <locked/> says, and libvirt
     * bounds its memlock limit at the guest's memory + 1 GiB; <locked/>
     * would lift that bound (qemuDomainGetMemLockLimitBytes: locked
     * without hard_limit is unlimited), so it comes only with a hard
     * limit there */
    int lock = lowlat && (huge || always);
    if (lowlat && vfio && !huge && !always)
        r_finding(c, SEV_INFO, NULL, NULL, "memory not locked with <locked/>: "
                  "the VFIO devices pin it already, and libvirt bounds the "
                  "memlock limit at the guest's memory plus 1 GiB; <locked/> "
                  "without <hard_limit> would lift that bound");
    if (lowlat && !huge && !vfio && !always)
        r_finding(c, r_profile(c) == PROFILE_REALTIME ? SEV_WARNING
                  : SEV_INFO, NULL, NULL, "%smemory not locked: it is on "
                  "ordinary pages, where <locked/> without <memtune>"
                  "<hard_limit> lifts the memlock limit entirely (libvirt); "
                  "hugepages are never swapped anyway, and "
                  "mem.lock.always=true locks ordinary memory with a hard "
                  "limit", r_profile(c) == PROFILE_REALTIME ? "realtime "
                  "guests lock their memory (libvirt kbase kvm-realtime), "
                  "but this one has no hugepages: " : "");
    /* what QEMU locks, and whether libvirt can let it: a daemon without
     * CAP_SYS_RESOURCE gives at most its own hard limit */
    long long need = (long long)(guest_max_kib(c) * (unsigned)dma_factor(root)
                                 + 1048576ULL);
    int short_lock = h->memlock_raisable == 0 &&
                     (h->memlock_max_kib < 0 || need > h->memlock_max_kib);
    char limit[96] = "";
    if (h->memlock_max_kib >= 0)
        snprintf(limit, sizeof limit, ", and its hard limit, %lld KiB, is "
                 "below the %lld KiB this domain locks", h->memlock_max_kib,
                 need);
    if (vfio && short_lock) {
        /* VFIO pins all guest memory for DMA whatever <locked/> says:
         * libvirt must raise the limit to the guest's memory + 1 GiB */
        r_finding(c, SEV_INFEASIBLE, NULL, NULL, "the domain cannot start "
                  "on this host: its VFIO devices pin all guest memory, and "
                  "libvirt cannot raise the memlock limit that far (its "
                  "daemon has no CAP_SYS_RESOURCE%s; \"cannot limit locked "
                  "memory\"); give virtqemud/libvirtd CAP_SYS_RESOURCE or a "
                  "higher LimitMEMLOCK= in its systemd unit, or remove the "
                  "devices", limit);
        lock = 0;
    } else if (lock && !r_child(mb, "locked") && short_lock) {
        r_finding(c, SEV_WARNING, NULL, NULL, "memory not locked: libvirt "
                  "cannot raise the memlock limit that far on this host (its "
                  "daemon has no CAP_SYS_RESOURCE%s), so a domain with "
                  "<locked/> would not start (\"cannot limit locked "
                  "memory\")", limit);
        lock = 0;
    }
    if (lowlat) {
        mb = r_ensure(c, r_root(c), "memoryBacking", "holds the memory "
                      "sharing");
        if (!r_child(mb, "nosharepages"))
            r_insert(c, mb, "nosharepages", NULL, "KSM off for this guest: "
                     "merging and unmerging its pages costs latency (%s "
                     "profile)", r_profile_name(c));
    }
    if (vfio && r_child(mb, "locked") && !r_child(r_child(root, "memtune"),
                                                   "hard_limit"))
        r_finding(c, SEV_WARNING, r_child(mb, "locked"), NULL, "<locked/> "
                  "without <memtune><hard_limit> lifts the memlock limit "
                  "libvirt would otherwise bound for the VFIO devices (the "
                  "guest's memory%s plus 1 GiB): add that hard limit",
                  dma_factor(root) > 1 ? " per DMA address space" : "");
    /* ordinary pages, and VFIO, need the bound libvirt would lift; a
     * hard limit the domain has must hold what QEMU locks */
    if (lock && !r_child(mb, "locked") &&
        (!huge || vfio || r_child(r_child(root, "memtune"), "hard_limit")) &&
        !hard_limit(c))
        lock = 0;
    if (lock) {
        const char *why = huge && vfio
            ? "hugepages with a VFIO device: nothing of the guest moves or "
              "is swapped, within the hard limit"
            : huge ? "hugepages back the memory: locking them costs nothing "
                     "(they are never swapped) and keeps every page in place"
            : "mem.lock.always: no page of the guest is ever swapped out or "
              "faulted in on the host";
        mb = r_ensure(c, r_root(c), "memoryBacking", "holds the memory "
                      "locking");
        if (!r_child(mb, "locked"))
            r_insert(c, mb, "locked", NULL, "%s (%s profile); libvirt raises "
                     "the memlock limit for it", why, r_profile_name(c));
    }
    if (huge && !r_child(mb, "allocation")) {
        const char *a[] = {"mode", "immediate", NULL};
        r_insert(c, mb, "allocation", a, "the hugepages are taken when the "
                 "guest starts: a short pool fails the start, not the guest "
                 "later");
    }
}

const vt_rule rule_mem_lock = {
    .id = "mem.lock",
    .summary = "locked memory only where it is bounded; KSM off for "
               "latency; immediate hugepage allocation; VFIO that cannot "
               "lock",
    .profiles = PROFILE_ALL,
    .params = lock_params,
    .reference = "https://libvirt.org/formatdomain.html#memory-backing; "
                 "https://libvirt.org/formatdomain.html#memory-tuning",
    .description =
        "The latency and realtime profiles: <nosharepages/> (KSM off), and "
        "<locked/> when hugepages back the memory (they are never swapped; "
        "locking costs nothing). <locked/> without <memtune><hard_limit> "
        "makes libvirt lift the memlock limit entirely "
        "(qemuDomainGetMemLockLimitBytes; tests/qemumemlocktest.c), so: on "
        "ordinary pages the memory stays unlocked with a finding (a "
        "warning under realtime), unless mem.lock.always=true, which locks "
        "it with a hard limit of the guest's memory (<maxMemory> with "
        "hotplug) plus 1 GiB, libvirt's own estimate for VFIO domains (the "
        "memory counted once per DMA address space, as libvirt does: all "
        "VFIO devices one, each behind a vIOMMU one, each NVMe disk and "
        "vDPA NIC one more), and a warning that the limit is also the "
        "cgroup's; a hard limit the domain sets below that is kept, and "
        "the memory is not locked (QEMU could not lock it: a warning); a "
        "domain's own <locked/> on a VFIO domain without a hard limit is "
        "a warning; VFIO devices (PCI, "
        "NVMe, hostdev NICs, mediated devices) pin the memory anyway within "
        "libvirt's bound, so a VFIO domain is locked only with that hard "
        "limit (hugepages) and otherwise left unlocked with a finding. A "
        "hard limit above the domain's <swap_hard_limit> (which libvirt "
        "refuses) is not added, and the memory stays unlocked. "
        "<allocation mode='immediate'/> whenever hugepages back the "
        "memory. Where libvirt cannot raise the memlock limit that far "
        "(JSON snapshot memlock_raisable false, with memlock_max_kib below "
        "what the domain locks or unknown; live, the root-owned libvirt "
        "daemon without CAP_SYS_RESOURCE and with a lower hard "
        "RLIMIT_MEMLOCK) nothing "
        "is locked, with a warning, and a VFIO domain, in every profile, "
        "is infeasible: it cannot start. A domain numa.place finds no room "
        "for is not locked. Elements the domain has are kept.",
    .needs = "Whether libvirt can raise the memlock limit (the live host: CAP_SYS_RESOURCE; JSON snapshot: memlock_raisable); unknown: assumed it can.",
    .run = run_mem_lock,
};
