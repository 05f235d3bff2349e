/*
 * pciaddr.h - host PCI devices as libvirt domain XML names them
 * (formatdomain "Host device assignment", "PCI Passthrough", NVMe disks):
 * the one reading of "which host PCI device does this element assign",
 * shared by the run's accounting (host/usage.c), the device facts
 * (doc/devices.c) and the rules.
 */
#ifndef VT_PCIADDR_H
#define VT_PCIADDR_H

#include <libxml/tree.h>

/* Formats a libvirt <address domain bus slot function> element as
 * "0000:81:00.0" into OUT (16 bytes); -1 when it is not one. */
int pciaddr_of(xmlNodePtr address, char *out);

/* 1 when device element DEV hands a host PCI device to the guest through
 * VFIO: <hostdev mode='subsystem' type='pci'>, <interface type='hostdev'>
 * or <disk type='nvme'>. */
int pciaddr_is_assignment(xmlNodePtr dev);

/* The host PCI address such a DEV assigns (its <source><address>) into
 * OUT (16 bytes); -1 when DEV is not an assignment or has no valid
 * address. */
int pciaddr_assigned(xmlNodePtr dev, char *out);

#endif
