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
/* 1 when the domain ROOT assigns a PCI device with VFIO: a <hostdev
 * mode='subsystem' type='pci'> or an <interface type='hostdev'>. */
int devices_has_vfio(xmlNodePtr root);

#endif
