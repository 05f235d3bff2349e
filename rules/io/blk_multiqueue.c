/*
 * blk_multiqueue.c - blk.multiqueue: queues of virtio-blk disks and
 * virtio-scsi controllers.
 */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param blk_params[] = {
    {"max_queues", PARAM_INT, "0", "queue cap; 0: the profile's (balanced "
     "8, latency 4, throughput 16)", NULL, 0, 256},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

static void run_blk_multiqueue(vt_rule_ctx *c)
{
    long n = io_queues(c);
    if (n < 2)
        return;
    char why[160];
    snprintf(why, sizeof why, "%ld queues (min(vCPUs, cap %ld)): requests "
             "from each vCPU complete on its own queue", n,
             io_queue_cap(c));
    xmlNodePtr dev = r_child(r_root(c), "devices");
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk")) {
        if (!devices_virtio_blk(d))
            continue;
        xmlNodePtr drv = r_child(d, "driver");
        if (drv && r_attr(drv, "queues") && !r_override(c))
            continue;
        io_set_queues(c, r_ensure(c, d, "driver", "holds the disk's queues"),
                      n, why);
    }
    for (xmlNodePtr k = r_child(dev, "controller"); k;
         k = r_next(k, "controller")) {
        if (!devices_virtio_scsi(k))
            continue;
        xmlNodePtr drv = r_child(k, "driver");
        if (drv && r_attr(drv, "queues") && !r_override(c))
            continue;
        io_set_queues(c, r_ensure(c, k, "driver", "holds the controller's "
                                  "queues"), n, why);
    }
}

const vt_rule rule_blk_multiqueue = {
    .id = "blk.multiqueue",
    .summary = "virtio-blk and virtio-scsi queues = min(vCPUs, cap)",
    .profiles = PROFILE_ALL,
    .params = blk_params,
    .reference = "https://libvirt.org/formatdomain.html#hard-drives-floppy-disks-cdroms",
    .description =
        "virtio-blk disks get <driver queues='N'/> and virtio-scsi "
        "controllers <driver queues='N'/>, N = min(vCPUs, the profile cap). "
        "Queues set in the domain are kept.",
    .needs = "None: it reads the domain.",
    .run = run_blk_multiqueue,
};
