/*
 * net_multiqueue.c - net.multiqueue: virtio-net queue pairs, and larger
 * rings for the throughput profile.
 */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Interface types whose virtio backend is a tap (or macvtap) device,
 * which takes several queues (IFF_MULTI_QUEUE, at most 256: the
 * kernel's MAX_TAP_QUEUES), and vhost-user, whose backend says how many
 * it has. Never user (libvirt refuses queues there), hostdev (not
 * virtio) or vdpa (the device sets them). */
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
    {"vhostuser_queues", PARAM_INT, "0", "the queue pairs the vhost-user "
     "backend offers (QEMU refuses to start with more); 0: unknown, no "
     "queues written", NULL, 0, 256},
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
        long want = n;
        xmlNodePtr tgt = r_child(nic, "target");
        if (r_attr_is(nic, "type", "ethernet") && r_attr_is(tgt, "managed", "no")) {
            /* libvirt opens a tap it did not create once per queue, with
             * IFF_MULTI_QUEUE: the open fails unless the tap was made
             * multi-queue */
            if (n > 1)
                r_finding(c, SEV_INFO, nic, NULL, "ethernet NIC on a tap "
                          "created outside libvirt (target managed='no'): "
                          "queues left at one, since libvirt opens it "
                          "multi-queue only for queues > 1 and the kernel "
                          "refuses a mismatch either way; for %ld queue "
                          "pairs, recreate it multi-queue (ip tuntap del dev "
                          "%s mode tap; ip tuntap add dev %s mode tap "
                          "multi_queue) and set <driver queues='%ld'/>", n,
                          r_attr(tgt, "dev") ? r_attr(tgt, "dev") : "TAP",
                          r_attr(tgt, "dev") ? r_attr(tgt, "dev") : "TAP",
                          n);
            want = 1;
        } else if (vhostuser) {
            long offered = r_param_int(c, "vhostuser_queues");
            if (!offered) {
                if (n > 1)
                    r_finding(c, SEV_INFO, nic, NULL, "vhost-user NIC: "
                              "queues left to the backend's default: QEMU "
                              "refuses to start when the backend offers "
                              "fewer queue pairs than queues=; set "
                              "net.multiqueue.vhostuser_queues to its "
                              "count (e.g. DPDK's or OVS-DPDK's n_rxq)");
                want = 1;
            } else if (offered < want) {
                want = offered;
            }
        }
        if (want > 1) {
            /* no name='vhost': libvirt uses vhost-net whenever the host
             * has /dev/vhost-net and falls back to QEMU's own backend
             * otherwise; naming it makes the domain fail to start on a
             * host without the module */
            drv = r_ensure(c, nic, "driver", "holds the NIC's queues");
            char why[200];
            if (vhostuser && want < n)
                snprintf(why, sizeof why, "%ld queue pairs: what the "
                         "vhost-user backend offers "
                         "(net.multiqueue.vhostuser_queues)", want);
            else if (want >= r_domain(c)->vcpus)
                snprintf(why, sizeof why, "%ld queue pairs, one per vCPU%s: "
                         "each vCPU sends and receives on its own queue and "
                         "interrupt", want, vhostuser ? ", within what the "
                         "vhost-user backend offers" : "");
            else
                snprintf(why, sizeof why, "%ld queue pairs for %d vCPUs (the "
                         "profile's cap, net.multiqueue.max_queues%s): about "
                         "%ld vCPUs share each pair and its interrupt", want,
                         r_domain(c)->vcpus, vhostuser ? ", within what the "
                         "vhost-user backend offers" : "",
                         (r_domain(c)->vcpus + want - 1) / want);
            io_set_queues(c, drv, want, why);
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
        "virtio NICs whose backend is a tap or macvtap device (types bridge, "
        "network, direct, ethernet) get <driver queues='N'/>, N = min(vCPUs, "
        "the profile cap, 256: the kernel's MAX_TAP_QUEUES); QEMU's default "
        "is one. vhost-user NICs get queues only when the policy says how "
        "many the backend offers (net.multiqueue.vhostuser_queues; QEMU "
        "refuses to start with more), else an info finding. Never types "
        "user (libvirt refuses queues), hostdev or vdpa, nor an ethernet "
        "tap created outside libvirt (target managed='no': libvirt opens it "
        "once per queue, which fails unless it was made multi_queue; an "
        "info finding gives the command). The driver name is "
        "left to libvirt, which takes vhost-net when the host has "
        "/dev/vhost-net and QEMU's own backend otherwise (name='vhost' "
        "would fail the start on a host without the module). A single vCPU "
        "gets no multiqueue. The throughput profile adds rx_queue_size (and "
        "tx_queue_size for vhost-user, the only backend that takes it) of "
        "1024. Queues set in the domain and a userspace driver name are "
        "kept.",
    .needs = "None: it reads the domain.",
    .run = run_net_multiqueue,
};
