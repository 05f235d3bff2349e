/*
 * io_threads.c - io.threads: iothreads for the busy virtio storage and
 * which disk or controller each serves. Runs before placement, so that
 * cpu.emulator pins the iothreads it creates (on the housekeeping CPUs of
 * the node nearest each iothread's storage).
 */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param thread_params[] = {
    {"max", PARAM_INT, "4", "most iothreads for the balanced and latency "
     "profiles", NULL, 1, 64},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* A busy disk: virtio-blk, writable, not a CD-ROM. */
static int busy_disk(xmlNodePtr d)
{
    return devices_virtio_blk(d) && !r_child(d, "readonly");
}

/* Device EL's <driver iothread='ID'>, unless it has one (or override). */
static void give_iothread(vt_rule_ctx *c, xmlNodePtr el, long id,
                          const char *holds, const char *why)
{
    char s[24];
    snprintf(s, sizeof s, "%ld", id);
    xmlNodePtr drv = r_ensure(c, el, "driver", "%s", holds);
    if (!r_attr(drv, "iothread") || r_override(c))
        r_set(c, drv, "iothread", s, "%s", why);
}

static void run_io_threads(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c), dev = r_child(r_root(c), "devices");
    int disks = 0, scsi = 0;
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk"))
        disks += busy_disk(d);
    for (xmlNodePtr k = r_child(dev, "controller"); k;
         k = r_next(k, "controller"))
        scsi += devices_virtio_scsi(k);
    int users = disks + scsi;
    if (!users)
        return;
    if (r_child(root, "iothreads") || r_child(root, "iothreadids")) {
        if (!r_override(c)) {
            r_finding(c, SEV_INFO, r_child(root, "iothreads"), NULL,
                      "iothreads set explicitly; kept (io.threads.override="
                      "true chooses them anew)");
            return;
        }
    }
    long n = r_profile(c) == PROFILE_THROUGHPUT ? users
             : (users + 1) / 2 < r_param_int(c, "max") ? (users + 1) / 2
                                                        : r_param_int(c, "max");
    if (n > users)
        n = users;
    char count[24];
    snprintf(count, sizeof count, "%ld", n);
    const char *why = r_profile(c) == PROFILE_THROUGHPUT
        ? "one iothread per virtio disk or controller: each queue's I/O "
          "runs outside QEMU's main loop, in parallel"
        : "one iothread per two virtio disks or controllers (at most "
          "io.threads.max): disk I/O leaves QEMU's main loop and the vCPUs";
    xmlNodePtr it = r_child(root, "iothreads");
    if (!it)
        it = r_insert(c, root, "iothreads", NULL, "%s", why);
    r_text(c, it, count, "%s", why);
    /* round robin over the disks, then the controllers */
    long k = 0;
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk"))
        if (busy_disk(d))
            give_iothread(c, d, k++ % n + 1, "holds the disk's iothread",
                          "iothreads take the virtio disks in turn");
    for (xmlNodePtr ctl = r_child(dev, "controller"); ctl;
         ctl = r_next(ctl, "controller"))
        if (devices_virtio_scsi(ctl))
            give_iothread(c, ctl, k++ % n + 1, "holds the controller's "
                          "iothread", "iothreads take the virtio-scsi "
                          "controllers in turn after the disks");
}

const vt_rule rule_io_threads = {
    .id = "io.threads",
    .summary = "iothreads for virtio disks and virtio-scsi controllers, "
               "assigned round-robin",
    .profiles = PROFILE_ALL,
    .params = thread_params,
    .reference = "https://libvirt.org/formatdomain.html#iothreads-allocation",
    .description =
        "Counts the busy virtio storage: writable virtio-blk disks and "
        "virtio-scsi controllers. Writes <iothreads>: one per device for "
        "the throughput profile, else one per two devices, at most "
        "io.threads.max (4). Devices take the iothreads in turn (<driver "
        "iothread='k'>), disks first. cpu.emulator pins each iothread on "
        "the housekeeping CPUs of the node nearest its storage. Existing "
        "iothreads are kept unless override.",
    .needs = "None for the count; the pinning reads PCI locality "
             "(cpu.emulator).",
    .run = run_io_threads,
};
