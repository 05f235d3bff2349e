/*
 * hostdev_insert.c - hostdev.insert: the PCI devices the policy asks for
 * ("hostdev" requests), picked from the host model, assigned with VFIO.
 *
 * Runs before placement: placement then keeps the domain next to its
 * devices (all of them with affinity required, preferably otherwise; see
 * placement/plan.c), and the memory rules see the VFIO devices (balloon off,
 * memory locked with hugepages).
 */
#include "hostdev_insert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the family tells placement (hostdev_insert.h). */
typedef struct hostdev_state {
    hwloc_bitmap_t required;    /* nodes of devices with affinity required */
} hostdev_state;

static void hostdev_state_free(void *data)
{
    hwloc_bitmap_free(((hostdev_state *)data)->required);
}

static const vt_family hostdev_family = {
    sizeof(hostdev_state), hostdev_state_free,
};

hwloc_const_bitmap_t hostdev_required_nodes(vt_rule_ctx *c)
{
    return ((hostdev_state *)r_state(c, &hostdev_family))->required;
}

const char *const vt_devclass_names[] = {"nvme", "gpu", "nic", NULL};
const char *const vt_affinity_names[] = {"required", "preferred", "legacy",
                                         NULL};

static const vt_rule_param params[] = {
    {"affinity", PARAM_ENUM, "preferred",
     "NUMA affinity of assigned devices: required (only devices local to "
     "the domain's nodes), preferred (local first, then nearest), legacy "
     "(local first, then any)", "required|preferred|legacy", 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* The PF of VF D, or NULL. */
static const vt_host_pci *pf_of(const vt_host *h, const vt_host_pci *d)
{
    return d->pf ? host_pci_by_addr(h, d->pf) : NULL;
}

/* A display the host itself uses: the one the firmware booted on, or a
 * BMC's (ASPEED 1a03 and Matrox 102b VGA controllers on server boards). */
static int host_display(const vt_host_pci *d)
{
    return d->boot_vga == 1 ||
           (d->class_id == 0x0300 &&
            (d->vendor_id == 0x1a03 || d->vendor_id == 0x102b));
}

/* Does host device D match request Q (before availability)? By class, a
 * device the host uses is never taken: its boot or BMC display, a NIC
 * that carries a host network interface (its VFs are taken instead). */
static int matches(const vt_host *h, const vt_host_pci *d, const vt_hostdev_request *q)
{
    if (q->address)
        return strcmp(d->addr, q->address) == 0;
    if (q->vf_of) {
        const vt_host_pci *pf = pf_of(h, d);
        return pf && pf->name && !strcmp(pf->name, q->vf_of);
    }
    switch (q->cls) {
    case DEVCLASS_NVME:
        return d->class_id == 0x0108;
    case DEVCLASS_GPU:              /* display controllers, function 0 */
        return (d->class_id >> 8) == 0x03 && d->addr[11] == '0' &&
               !host_display(d);
    case DEVCLASS_NIC: {            /* a NIC the host does not use */
        if (d->class_id != 0x0200)
            return 0;
        if (!d->pf)
            return !d->name;        /* a PF without a host interface */
        const vt_host_pci *pf = pf_of(h, d);
        return pf && pf->name;      /* a VF of a PF the host uses */
    }
    case DEVCLASS_NONE:
        break;
    }
    return 0;
}

/* Is the device's address already in the domain? */
static int in_domain(vt_rule_ctx *c, const char *addr)
{
    xmlNodePtr dev = r_child(r_root(c), "devices");
    for (xmlNodePtr e = dev ? dev->children : NULL; e; e = e->next) {
        char a[16];
        if (pciaddr_assigned(e, a) == 0 && !strcmp(a, addr))
            return 1;
    }
    return 0;
}

/* The nodes the domain's memory is bound to already (<numatune>), or
 * NULL: then any node will do and placement follows the devices. */
static hwloc_bitmap_t bound_nodes(vt_rule_ctx *c)
{
    return domain_numatune_nodes(r_root(c));
}

/* Rank of device D for a domain bound to NODES (NULL: unbound): 0 local,
 * then the distance to the nearest bound node (preferred) or 1000
 * (legacy); -1 when not allowed (required and not local). */
static int rank(vt_rule_ctx *c, const vt_host_pci *d, hwloc_const_bitmap_t nodes,
                enum vt_affinity affinity)
{
    if (!nodes || (d->node >= 0 && hwloc_bitmap_isset(nodes, (unsigned)d->node)))
        return 0;
    if (affinity == AFFINITY_REQUIRED)
        return -1;
    if (affinity == AFFINITY_LEGACY || d->node < 0)
        return 1000;
    int best = 999, n;
    hwloc_bitmap_foreach_begin(n, nodes) {
        int dd = host_distance(r_host(c), n, d->node);
        if (dd >= 0 && dd < best)
            best = dd;
    } hwloc_bitmap_foreach_end();
    return best;
}

/* A locally administered MAC from the domain name and the VF address
 * (FNV-1a), stable across runs: 52:54:00 is QEMU's prefix. */
static void mac_for(const char *name, const char *addr, char *out)
{
    unsigned h = 2166136261u;
    for (const char *s = name ? name : ""; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    h = (h ^ '/') * 16777619u;
    for (const char *s = addr; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    snprintf(out, 18, "52:54:00:%02x:%02x:%02x", (h >> 16) & 0xff,
             (h >> 8) & 0xff, h & 0xff);
}

/* <address domain bus slot function/> under SOURCE; an interface's
 * source address says type='pci', a hostdev's must not (libvirt's
 * schema). */
static void add_address(vt_rule_ctx *c, xmlNodePtr source, const char *addr,
                        int typed)
{
    char dom[8], bus[8], slot[8], fn[8];
    snprintf(dom, sizeof dom, "0x%.4s", addr);
    snprintf(bus, sizeof bus, "0x%.2s", addr + 5);
    snprintf(slot, sizeof slot, "0x%.2s", addr + 8);
    snprintf(fn, sizeof fn, "0x%.1s", addr + 11);
    const char *a[] = {"type", "pci", "domain", dom, "bus", bus, "slot", slot,
                       "function", fn, NULL};
    r_add(c, source, "address", NULL, typed ? a : a + 2, "the host device %s",
          addr);
}

static void insert(vt_rule_ctx *c, const vt_host_pci *d, const char *why)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr dev = r_child(root, "devices");
    if (!dev)
        dev = r_insert(c, root, "devices", NULL, "holds the devices");
    if (d->pf) {
        char mac[18];
        mac_for(r_domain(c)->name, d->addr, mac);
        const char *a[] = {"type", "hostdev", "managed", "yes", NULL};
        xmlNodePtr nic = r_add(c, dev, "interface", NULL, a, "SR-IOV VF %s of "
                               "%s: %s", d->addr, d->pf, why);
        const char *m[] = {"address", mac, NULL};
        r_add(c, nic, "mac", NULL, m, "a MAC derived from the domain name "
              "and the VF address: the same on every run");
        add_address(c, r_add(c, nic, "source", NULL, NULL, "the VF"), d->addr,
                    1);
        return;
    }
    const char *a[] = {"mode", "subsystem", "type", "pci", "managed", "yes",
                       NULL};
    xmlNodePtr hd = r_add(c, dev, "hostdev", NULL, a, "PCI device %s "
                          "(class 0x%04x): %s", d->addr, d->class_id, why);
    const char *drv[] = {"name", "vfio", NULL};
    r_add(c, hd, "driver", NULL, drv, "VFIO: the device is the guest's, "
          "behind the IOMMU");
    add_address(c, r_add(c, hd, "source", NULL, NULL, "the device"), d->addr,
                0);
}

/* O goes with D: an endpoint of D's IOMMU group (VFIO assigns a group
 * whole; bridges, class 0x06, stay with the host). Where the snapshot does
 * not know the groups, a function of D's slot of another class (a GPU's
 * audio or USB): functions of one class are the ports of a multi-port
 * device, which the kernel groups apart when the device isolates them
 * (ACS), so a NIC's second port stays assignable on its own. */
static int companion(const vt_host_pci *d, const vt_host_pci *o)
{
    if (o == d || o->pf || (o->class_id >> 8) == 0x06)
        return 0;
    if (d->iommu_group >= 0 && o->iommu_group >= 0)
        return o->iommu_group == d->iommu_group;
    return !strncmp(o->addr, d->addr, 11) &&
           (o->class_id >> 8) != (d->class_id >> 8);
}

/* Can D's companions come along? Not when one is taken, in use by the
 * host (it has an interface or is the boot display) or by another domain.
 * WHY gets the one that cannot. */
static int companions_free(vt_rule_ctx *c, const vt_host_pci *d,
                           const char *taken, char *why, size_t n)
{
    const vt_host *h = r_host(c);
    for (int i = 0; i < h->npci; i++) {
        const vt_host_pci *o = &h->pci[i];
        if (!companion(d, o) || in_domain(c, o->addr))
            continue;
        if (taken[i] || usage_pci_used(r_usage(c), o->addr) || o->name ||
            host_display(o)) {
            snprintf(why, n, "%s shares its %s and %s", o->addr,
                     !strncmp(o->addr, d->addr, 11) ? "slot"
                                                    : "IOMMU group",
                     o->name ? "carries a host interface"
                     : host_display(o) ? "is the host's display"
                     : "is taken");
            return 0;
        }
    }
    return 1;
}

/* The other functions of D's device and the rest of its IOMMU group. */
static void companions(vt_rule_ctx *c, const vt_host_pci *d, char *taken)
{
    const vt_host *h = r_host(c);
    for (int i = 0; i < h->npci; i++) {
        const vt_host_pci *o = &h->pci[i];
        if (companion(d, o) && !taken[i] &&
            !usage_pci_used(r_usage(c), o->addr) && !in_domain(c, o->addr)) {
            taken[i] = 1;
            insert(c, o, !strncmp(o->addr, d->addr, 11)
                   ? "a function of the same device: assigned together, "
                     "as the IOMMU groups them"
                   : "in the same IOMMU group: VFIO assigns a group whole");
        }
    }
}

static void run_hostdev_insert(vt_rule_ctx *c)
{
    int n;
    const vt_hostdev_request *reqs = r_hostdev_requests(c, &n);
    if (!n)
        return;
    const vt_host *h = r_host(c);
    char *taken = xcalloc((size_t)h->npci + 1, 1);
    hwloc_bitmap_t nodes = bound_nodes(c);
    int *pick = xmalloc(((size_t)h->npci + 1) * sizeof *pick);
    for (int k = 0; k < n; k++) {
        const vt_hostdev_request *q = &reqs[k];
        enum vt_affinity aff = q->affinity != AFFINITY_RULE
            ? q->affinity : (enum vt_affinity)r_param_choice(c, "affinity");
        const char *what = q->address ? q->address : q->vf_of ? q->vf_of
                                                  : vt_devclass_names[q->cls];
        /* candidates, best rank first, then address order (the host's) */
        int np = 0, seen = 0;
        char blocked[160] = "";
        /* NVMe drives without a host block device (already unbound,
         * as for VFIO) before those the host may still use */
        for (int sw = 0; sw < 2; sw++)
        for (int r = 0; r <= 1000 && np < q->count; r++)
            for (int i = 0; i < h->npci && np < q->count; i++) {
                const vt_host_pci *d = &h->pci[i];
                if (!matches(h, d, q))
                    continue;
                seen += r == 0 && sw == 0;
                if (q->cls == DEVCLASS_NVME && !q->address &&
                    (d->name != NULL) != sw)
                    continue;
                if (taken[i] || usage_pci_used(r_usage(c), d->addr) ||
                    in_domain(c, d->addr) || rank(c, d, nodes, aff) != r)
                    continue;
                if (!companions_free(c, d, taken, blocked, sizeof blocked))
                    continue;
                pick[np++] = i;
                taken[i] = 2;       /* tentatively, for its companions */
            }
        for (int j = 0; j < np; j++)
            taken[pick[j]] = 0;
        if (np < q->count) {
            r_finding(c, SEV_INFEASIBLE, NULL, NULL, "hostdev request %d "
                      "(%s, %d wanted): the host has %s%d free%s%s%s; "
                      "nothing assigned for it", k, what, q->count,
                      seen ? "" : "no such device, ", np,
                      aff == AFFINITY_REQUIRED && nodes
                          ? " on the domain's nodes (affinity required)" : "",
                      blocked[0] ? "; one more would take its companion: "
                      : "", blocked);
            continue;
        }
        for (int j = 0; j < np; j++) {
            const vt_host_pci *d = &h->pci[pick[j]];
            taken[pick[j]] = 1;
            char why[160];
            snprintf(why, sizeof why, "the policy asks for %s; %s", what,
                     d->node < 0 ? "its NUMA node is unknown"
                     : nodes && hwloc_bitmap_isset(nodes, (unsigned)d->node)
                     ? "on one of the domain's nodes"
                     : aff == AFFINITY_REQUIRED ? "placement puts the "
                     "domain on its NUMA node (affinity required)"
                     : nodes ? "the nearest free one (affinity preferred)"
                     : "placement prefers its NUMA node; a finding says "
                     "when the domain ends up elsewhere");
            insert(c, d, why);
            if (d->name && q->cls == DEVCLASS_NVME)
                r_finding(c, SEV_WARNING, NULL, NULL, "%s carries the host's "
                          "block device %s (no free NVMe without one was "
                          "left): make sure the host mounts nothing from "
                          "it, since managed='yes' detaches it from the "
                          "host when the domain starts", d->addr, d->name);
            companions(c, d, taken);
            int rk = rank(c, d, nodes, aff);
            if (rk > 0 && d->node >= 0)
                r_finding(c, SEV_WARNING, NULL, NULL, "%s is on host node %d, "
                          "not on the nodes the domain is bound to: no local "
                          "one was free (affinity %s), so its DMA and "
                          "interrupts cross the interconnect", d->addr,
                          d->node, vt_affinity_names[aff]);
            if (d->node >= 0 && aff == AFFINITY_REQUIRED) {
                /* placement reads it: the domain must span these nodes */
                hostdev_state *st = r_state(c, &hostdev_family);
                if (!st->required)
                    st->required = hwloc_bitmap_alloc();
                hwloc_bitmap_set(st->required, (unsigned)d->node);
            }
        }
    }
    free(pick);
    free(taken);
    hwloc_bitmap_free(nodes);
}

const vt_rule rule_hostdev_insert = {
    .id = "hostdev.insert",
    .summary = "the policy's PCI devices and SR-IOV VFs, local to the "
               "domain's NUMA nodes, with VFIO",
    .profiles = PROFILE_ALL,
    .params = params,
    .reference = "https://libvirt.org/formatdomain.html#pci-devices",
    .description =
        "For each request of the policy's \"hostdev\" list (vf_of: VFs of "
        "the PF with that net device name; address; class nvme, gpu or "
        "nic; count), picks free host devices: not in the domain, not "
        "taken by an earlier domain of the run or one defined on -c. By "
        "class, never a device the host uses: not its boot display nor a "
        "BMC's (ASPEED 1a03, Matrox 102b VGA), not a NIC that carries a "
        "host network interface (its VFs are taken instead). A device goes "
        "with the other endpoints of its IOMMU group, which VFIO assigns "
        "whole (a GPU's audio); where the snapshot lacks the groups, with "
        "the functions of its slot of another class; a "
        "device whose companion the host or another domain uses is "
        "skipped. Affinity (per request or hostdev.insert.affinity): "
        "required takes only devices on the nodes the domain is bound to, "
        "preferred local ones first then the nearest (a warning names a "
        "remote one), legacy local first then any; a domain not bound yet "
        "takes devices in host order and placement follows them "
        "(required: its nodes must include theirs). VFs become <interface "
        "type='hostdev' managed='yes'> with a MAC derived from the domain "
        "name and the VF address; other devices <hostdev mode='subsystem' "
        "type='pci' managed='yes'> with <driver name='vfio'/>. A request "
        "the host cannot meet is an infeasible finding.",
    .needs = "PCI devices with class, vendor, NUMA node, net device names, "
             "SR-IOV parents, boot display and IOMMU group (the live host "
             "and its JSON snapshot; hwloc XML lacks the last two). "
             "Capabilities list none: every request is then infeasible.",
    .run = run_hostdev_insert,
};
