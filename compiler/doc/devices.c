/*
 * devices.c - predicates on a domain's devices (see devices.h).
 */
#include "devices.h"
#include "domdoc.h"
#include "pciaddr.h"

#include <string.h>

int devices_virtio_blk(xmlNodePtr disk)
{
    const char *dev = domdoc_attr(disk, "device");
    return (!dev || !strcmp(dev, "disk")) &&
           domdoc_attr_is(domdoc_child(disk, "target"), "bus", "virtio");
}

int devices_virtio_scsi(xmlNodePtr ctl)
{
    const char *m = domdoc_attr(ctl, "model");
    return domdoc_attr_is(ctl, "type", "scsi") && m &&
           (!strcmp(m, "virtio-scsi") || !strcmp(m, "virtio-transitional") ||
            !strcmp(m, "virtio-non-transitional"));
}

int devices_virtio_nic(xmlNodePtr nic)
{
    return domdoc_attr_is(domdoc_child(nic, "model"), "type", "virtio");
}

int devices_has_vfio(xmlNodePtr root)
{
    xmlNodePtr dev = domdoc_child(root, "devices");
    for (xmlNodePtr e = dev ? dev->children : NULL; e; e = e->next) {
        if (pciaddr_is_assignment(e))
            return 1;
        /* a mediated device (vGPU, vfio-ccw, vfio-ap) is VFIO too: libvirt
         * counts it in the memory it lets QEMU lock (virHostdevIsVFIODevice) */
        if (e->type == XML_ELEMENT_NODE && !e->ns &&
            xmlStrEqual(e->name, BAD_CAST "hostdev") &&
            domdoc_attr_is(e, "type", "mdev"))
            return 1;
    }
    return 0;
}
