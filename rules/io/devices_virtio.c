/*
 * devices_virtio.c - devices.virtio: emulated NICs and data disks (e1000,
 * rtl8139; ide, sata) named with the change to virtio, or converted when
 * the policy says the guest has the drivers.
 */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param virtio_params[] = {
    {"convert", PARAM_BOOL, "false",
     "convert emulated NICs and data disks to virtio (the guest needs "
     "virtio drivers)", NULL, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* The next free vdX target name. */
static void next_vd(xmlNodePtr dev, char *out, size_t n)
{
    for (char x = 'a'; x <= 'z'; x++) {
        snprintf(out, n, "vd%c", x);
        int used = 0;
        for (xmlNodePtr d = r_child(dev, "disk"); d && !used; d = r_next(d, "disk"))
            used = r_attr_is(r_child(d, "target"), "dev", out);
        if (!used)
            return;
    }
    snprintf(out, n, "vdz");
}

static void run_devices_virtio(vt_rule_ctx *c)
{
    xmlNodePtr dev = r_child(r_root(c), "devices");
    int convert = r_param_bool(c, "convert");
    for (xmlNodePtr nic = r_child(dev, "interface"); nic;
         nic = r_next(nic, "interface")) {
        xmlNodePtr model = r_child(nic, "model");
        const char *m = r_attr(model, "type");
        if (!m || (strcmp(m, "e1000") && strcmp(m, "e1000e") &&
                   strcmp(m, "rtl8139")))
            continue;
        if (convert)
            r_set(c, model, "type", "virtio", "an emulated %s NIC costs a "
                  "VM exit per register access; virtio-net moves packets "
                  "through shared rings (devices.virtio.convert)", m);
        else
            r_finding(c, SEV_INFO, nic, NULL, "emulated NIC model '%s': "
                      "every register access exits to QEMU, several times "
                      "the CPU per packet of virtio-net; change <model "
                      "type='%s'/> to <model type='virtio'/> once the guest "
                      "has virtio drivers (devices.virtio.convert=true does "
                      "it)", m, m);
    }
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk")) {
        const char *device = r_attr(d, "device");
        xmlNodePtr target = r_child(d, "target");
        const char *bus = r_attr(target, "bus");
        if ((device && strcmp(device, "disk")) || !bus ||
            (strcmp(bus, "ide") && strcmp(bus, "sata")))
            continue;
        if (!convert) {
            r_finding(c, SEV_INFO, d, NULL, "data disk %s on the emulated "
                      "%s bus: one request at a time through emulated "
                      "registers; change <target bus='%s'/> to bus='virtio' "
                      "(dev vdX, without a drive <address>) once the guest "
                      "has virtio drivers (devices.virtio.convert=true does "
                      "it)", r_attr(target, "dev") ? r_attr(target, "dev")
                      : "?", bus, bus);
            continue;
        }
        char vd[8];
        next_vd(dev, vd, sizeof vd);
        const char *why = "virtio-blk: multiqueue, no register emulation "
                          "(devices.virtio.convert)";
        r_set(c, target, "bus", "virtio", "%s", why);
        r_set(c, target, "dev", vd, "virtio disks are named vdX");
        xmlNodePtr addr = r_child(d, "address");
        if (r_attr_is(addr, "type", "drive"))
            r_remove(c, addr, "a drive address belongs to the %s "
                     "controller; libvirt gives the virtio disk a PCI slot",
                     bus);    /* the old value: r_attr outlives r_set */
    }
}

const vt_rule rule_devices_virtio = {
    .id = "devices.virtio",
    .summary = "emulated NICs and data disks: a finding with the change; "
               "converted to virtio only with convert=true",
    .profiles = PROFILE_ALL,
    .params = virtio_params,
    .reference = "https://www.linux-kvm.org/page/Virtio",
    .description =
        "e1000, e1000e and rtl8139 NICs, and data disks on the ide or sata "
        "bus, are emulated: every register access exits to QEMU. They are "
        "never converted silently: a guest without virtio drivers would "
        "lose its network or boot disk. The finding names the cost and the "
        "exact change; with devices.virtio.convert=true the rule makes it "
        "(NIC model virtio; disk bus virtio, dev vdX, drive address "
        "removed). CD-ROMs and floppies stay as they are.",
    .needs = "None: it reads the domain's devices.",
    .run = run_devices_virtio,
};
