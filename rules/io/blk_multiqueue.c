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

/* Queues for EL (FIXED queues besides the request ones): none written
 * where QEMU's default already gives a queue per vCPU; else min(vCPUs,
 * cap), up from QEMU's one. */
static void set_device(vt_rule_ctx *c, xmlNodePtr el, int fixed,
                       const char *holds)
{
    xmlNodePtr drv = r_child(el, "driver");
    if (drv && r_attr(drv, "queues") && !r_override(c))
        return;
    long dflt = io_default_queues(c, el, fixed), n = io_queues(c);
    if (n <= dflt) {
        /* the machine type gives one queue per vCPU already: writing the
         * profile's cap would lower it */
        if (drv && r_attr(drv, "queues"))
            r_set(c, drv, "queues", NULL, "QEMU's default for this machine "
                  "type is a queue per vCPU (%ld), more than the %s "
                  "(override)", dflt, r_attr(drv, "queues"));
        return;
    }
    char why[240];
    int vcpus = r_domain(c)->vcpus;
    const char *m = r_domain(c)->machine ? r_domain(c)->machine : "?";
    const char *what = fixed > 1 ? "virtio-scsi" : "virtio-blk";
    if (n >= vcpus)
        snprintf(why, sizeof why, "%ld queues, one per vCPU: this machine "
                 "type (%s) gives %s one queue; with one per vCPU requests "
                 "complete on the vCPU that made them", n, m, what);
    else
        snprintf(why, sizeof why, "%ld queues for %d vCPUs (the profile's "
                 "cap, blk.multiqueue.max_queues): this machine type (%s) "
                 "gives %s one queue; with %ld, about %ld vCPUs share each "
                 "queue and its interrupt", n, vcpus, m, what, n,
                 (vcpus + n - 1) / n);
    io_set_queues(c, r_ensure(c, el, "driver", "%s", holds), n, why);
}

static void run_blk_multiqueue(vt_rule_ctx *c)
{
    xmlNodePtr dev = r_child(r_root(c), "devices");
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk"))
        if (devices_virtio_blk(d))
            set_device(c, d, 0, "holds the disk's queues");
    for (xmlNodePtr k = r_child(dev, "controller"); k;
         k = r_next(k, "controller"))
        if (devices_virtio_scsi(k))
            set_device(c, k, 2, "holds the controller's queues");
}

const vt_rule rule_blk_multiqueue = {
    .id = "blk.multiqueue",
    .summary = "virtio-blk and virtio-scsi queues: QEMU's one per vCPU "
               "where the machine type gives it, else min(vCPUs, cap)",
    .profiles = PROFILE_ALL,
    .params = blk_params,
    .reference = "https://libvirt.org/formatdomain.html#hard-drives-floppy-disks-cdroms; "
                 "https://gitlab.com/qemu-project/qemu/-/blob/master/hw/core/machine.c",
    .description =
        "Machine types of QEMU 5.2 and later (and the aliases q35, pc, virt, "
        "pseries; RHEL 8.4 and later) give a virtio-blk disk or virtio-scsi "
        "controller on PCI one queue per vCPU by default "
        "(virtio_pci_optimal_num_queues, hw/virtio/virtio-pci.c; older "
        "types get one through hw_compat_5_1, hw/core/machine.c): the rule "
        "writes nothing there, never fewer queues than that default "
        "(irq.budget lowers them only for the interrupt budget, and says "
        "so). Older machine types and other transports (ccw, mmio) get "
        "<driver queues='N'/>, N = min(vCPUs, the profile cap). Queues set "
        "in the domain are kept.",
    .needs = "None: it reads the domain (its machine type and transport).",
    .run = run_blk_multiqueue,
};
