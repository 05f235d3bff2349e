/*
 * devices.h - what a domain's devices are, as libvirt reads them
 * (formatdomain "Devices"): the predicates the rules and the engine share
 * about <disk>, <controller>, <interface> and <hostdev> elements.
 */
#ifndef VT_DEVICES_H
#define VT_DEVICES_H

#include <libxml/tree.h>

/* A virtio-blk data disk: device disk (the default), target bus virtio. */
int devices_virtio_blk(xmlNodePtr disk);
/* A virtio-scsi controller: type scsi, model virtio-scsi (or its
 * transitional and non-transitional forms). */
int devices_virtio_scsi(xmlNodePtr controller);
/* An interface with a virtio model. */
int devices_virtio_nic(xmlNodePtr interface);
/* 1 when the domain ROOT assigns a host PCI device with VFIO (a <hostdev
 * mode='subsystem' type='pci'>, an <interface type='hostdev'> or a <disk
 * type='nvme'>: pciaddr_is_assignment). */
int devices_has_vfio(xmlNodePtr root);

#endif
