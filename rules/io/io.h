/*
 * io.h - what the I/O rules share (io.c): the profile's queue cap, the
 * <driver> of a device and setting its queue count. The I/O family:
 * devices.virtio, io.threads, net.multiqueue, blk.multiqueue, irq.budget
 * and disk.cache, in that order (rules.def).
 */
#ifndef VT_IO_H
#define VT_IO_H

#include "rule.h"

/* The queue cap: the rule's parameter PARAM, or when it is 0 the
 * profile's (balanced 8, latency 4, throughput 16). */
long io_queue_cap(vt_rule_ctx *c, const char *param);

/* The queue count for a domain: its vCPUs, at most that cap. */
long io_queues(vt_rule_ctx *c, const char *param);

/* The <driver> child of device EL, added last (where libvirt accepts it
 * for disks, interfaces and controllers) with WHY when missing. */
xmlNodePtr io_driver(vt_rule_ctx *c, xmlNodePtr el, const char *why);

/* Sets queues='N' on DRV with the reason WHY. */
void io_set_queues(vt_rule_ctx *c, xmlNodePtr drv, long n, const char *why);

#endif
