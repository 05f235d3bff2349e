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

/* Sets queues='N' on DRV with the reason WHY. */
void io_set_queues(vt_rule_ctx *c, xmlNodePtr drv, long n, const char *why);

#endif
