/*
 * io.h - what the I/O rules share (io.c): the queue cap and count, and
 * setting a device's queue count. The I/O family:
 * devices.virtio, io.threads, net.multiqueue, blk.multiqueue, irq.budget
 * and disk.cache, in that order (rules.def).
 */
#ifndef VT_IO_H
#define VT_IO_H

#include "rule.h"

/* The queue cap: the running rule's max_queues, or when it is 0 the
 * profile's (balanced 8, latency 4, throughput 16). */
long io_queue_cap(vt_rule_ctx *c);

/* The queue count for the domain: its vCPUs, at most that cap. */
long io_queues(vt_rule_ctx *c);

/* 1 when the domain's machine type gives virtio-blk and virtio-scsi one
 * queue per vCPU by default: QEMU 5.2 and later machine types (their
 * hw_compat_5_1 sets num-queues=1 for older ones), the aliases (q35, pc,
 * virt, pseries...) and RHEL 8.4 and later; 0 for older ones. */
int io_machine_multiqueue(vt_rule_ctx *c);

/* The queues QEMU gives virtio device EL (a virtio-blk disk or a
 * virtio-scsi controller, FIXED queues besides the request queues) when
 * its <driver> sets none: one per vCPU on a PCI transport of such a
 * machine type (virtio_pci_optimal_num_queues: the initial vCPUs, at
 * most VIRTIO_QUEUE_MAX less FIXED), else 1. */
long io_default_queues(vt_rule_ctx *c, xmlNodePtr el, int fixed);

/* Sets queues='N' on DRV with the reason WHY. */
void io_set_queues(vt_rule_ctx *c, xmlNodePtr drv, long n, const char *why);

#endif
