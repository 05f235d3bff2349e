/*
 * net_multiqueue.c - net.multiqueue: virtio-net queue pairs, and larger
 * rings for the throughput profile.
 */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Interface types whose virtio backend takes several queues. */
static int nic_multiqueue_type(xmlNodePtr nic)
{
    static const char *const ok[] = {"bridge", "network", "direct",
                                     "ethernet", "vhostuser"};
    const char *t = r_attr(nic, "type");
    for (size_t i = 0; t && i < sizeof ok / sizeof ok[0]; i++)
        if (!strcmp(t, ok[i]))
            return 1;
    return 0;
}

static const vt_rule_param net_params[] = {
    {"max_queues", PARAM_INT, "0", "queue cap; 0: the profile's (balanced "
     "8, latency 4, throughput 16)", NULL, 0, 256},
    {"ring_size", PARAM_INT, "1024", "rx/tx ring size for the throughput "
     "profile", NULL, 256, 1024},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

static void run_net_multiqueue(vt_rule_ctx *c)
{
    long n = io_queues(c);
    if (n > 256)
        n = 256;
    int throughput = r_profile(c) == PROFILE_THROUGHPUT;
    for (xmlNodePtr nic = r_child(r_child(r_root(c), "devices"), "interface"); nic;
         nic = r_next(nic, "interface")) {
        if (!devices_virtio_nic(nic) || !nic_multiqueue_type(nic))
            continue;
        int vhostuser = r_attr_is(nic, "type", "vhostuser");
        xmlNodePtr drv = r_child(nic, "driver");
        if (drv && r_attr(drv, "queues") && !r_override(c))
            continue;
        if (drv && r_attr(drv, "name") && !r_attr_is(drv, "name", "vhost") &&
            !vhostuser)
            continue;   /* a userspace backend chosen on purpose */
        if (n > 1) {
            /* no name='vhost': libvirt uses vhost-net whenever the host
             * has /dev/vhost-net and falls back to QEMU's own backend
             * otherwise; naming it makes the domain fail to start on a
             * host without the module */
            drv = r_ensure(c, nic, "driver", "holds the NIC's queues");
            char why[160];
            snprintf(why, sizeof why, "%ld queue pairs (min(vCPUs, cap %ld)): "
                     "each vCPU sends and receives on its own queue and "
                     "interrupt", n, io_queue_cap(c));
            io_set_queues(c, drv, n, why);
        }
        if (throughput) {
            drv = r_ensure(c, nic, "driver", "holds the NIC's ring sizes");
            char ring[24];
            snprintf(ring, sizeof ring, "%ld", r_param_int(c, "ring_size"));
            if (!r_attr(drv, "rx_queue_size"))
                r_set(c, drv, "rx_queue_size", ring, "larger receive rings "
                      "absorb bursts without drops (throughput profile)");
            if (vhostuser && !r_attr(drv, "tx_queue_size"))
                r_set(c, drv, "tx_queue_size", ring, "larger transmit rings "
                      "(vhost-user only supports setting them)");
        }
    }
}

const vt_rule rule_net_multiqueue = {
    .id = "net.multiqueue",
    .summary = "virtio-net queues = min(vCPUs, cap); rings of 1024 for "
               "throughput",
    .profiles = PROFILE_ALL,
    .params = net_params,
    .reference = "https://libvirt.org/formatdomain.html#setting-nic-driver-specific-options",
    .description =
        "virtio NICs of type bridge, network, direct, ethernet or vhostuser "
        "get <driver queues='N'/>; the driver name is left to libvirt, which "
        "takes vhost-net when the host has /dev/vhost-net and QEMU's own "
        "backend otherwise (name='vhost' would fail the start on a host "
        "without the module); "
        "N = min(vCPUs, the profile cap, 256); never type user, which "
        "libvirt refuses with queues. A single vCPU gets no multiqueue. "
        "The throughput profile adds rx_queue_size (and tx_queue_size for "
        "vhost-user, the only backend that takes it) of 1024. Queues set "
        "in the domain and a userspace driver name are kept.",
    .needs = "None: it reads the domain.",
    .run = run_net_multiqueue,
};
