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
    {"per_disk", PARAM_INT, "1", "iothreads of its own for each multi-queue "
     "virtio-blk disk, QEMU spreading its queues over them (<driver>"
     "<iothreads>: libvirt 10.0, QEMU 9.0; an older libvirt drops it on "
     "define, leaving the disk without an iothread); 1: one iothread "
     "serves each device", NULL, 1, 16},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* The queues virtio-blk disk D will have: its own, else what blk.multiqueue
 * leaves or writes (QEMU's default on machine types that give one per
 * vCPU, the vCPU count up to its cap elsewhere), else QEMU's default. */
static long disk_queues(vt_rule_ctx *c, xmlNodePtr d)
{
    const char *q = r_attr(r_child(d, "driver"), "queues");
    if (q)
        return atol(q) > 0 ? atol(q) : 1;
    long dflt = io_default_queues(c, d, 0), v = r_domain(c)->vcpus;
    if (!r_rule_on(c, RULE_blk_multiqueue))
        return dflt;
    return dflt > v ? dflt : v;
}

/* Gives disk D iothreads FIRST.. (N of them) in <driver><iothreads>, over
 * which QEMU spreads its queues round-robin (libvirt 10.0). */
static void give_iothreads(vt_rule_ctx *c, xmlNodePtr d, long first, long n,
                           long queues)
{
    xmlNodePtr drv = r_ensure(c, d, "driver", "holds the disk's iothreads");
    if (r_attr(drv, "iothread"))
        r_set(c, drv, "iothread", NULL, "replaced by <iothreads> (libvirt: "
              "iothread and iothreads are mutually exclusive)");
    xmlNodePtr its = r_insert(c, drv, "iothreads", NULL, "%ld iothreads of "
                              "its own (io.threads.per_disk) for its %ld "
                              "queues: QEMU spreads the queues over them "
                              "round-robin, so the disk is no longer bound "
                              "to one thread (libvirt 10.0, QEMU 9.0)", n,
                              queues);
    for (long i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%ld", first + i);
        const char *attrs[] = {"id", id, NULL};
        r_insert(c, its, "iothread", attrs, "serves a share of the disk's "
                 "queues");
    }
}

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

/* <iothreads>N</iothreads>, added when missing, for WHY. */
static void set_iothreads(vt_rule_ctx *c, xmlNodePtr root, long n,
                          const char *why)
{
    char count[24];
    snprintf(count, sizeof count, "%ld", n);
    xmlNodePtr it = r_child(root, "iothreads");
    if (!it)
        it = r_insert(c, root, "iothreads", NULL, "%s", why);
    r_text(c, it, count, "%s", why);
}

/* io.threads.per_disk > 1: each multi-queue disk min(PER_DISK, its queues)
 * iothreads of its own; every other disk and each virtio-scsi controller
 * one. */
static void spread(vt_rule_ctx *c, xmlNodePtr root, xmlNodePtr dev,
                   long per_disk, int scsi)
{
    long n = scsi;
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk"))
        if (busy_disk(d)) {
            long q = disk_queues(c, d);
            n += q < per_disk ? q : per_disk;
        }
    set_iothreads(c, root, n, "io.threads.per_disk: each multi-queue "
                  "virtio disk gets iothreads of its own, each other device "
                  "one");
    long next = 1;
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk")) {
        if (!busy_disk(d))
            continue;
        long q = disk_queues(c, d), k = q < per_disk ? q : per_disk;
        xmlNodePtr drv = r_child(d, "driver");
        if (r_child(drv, "iothreads") && !r_override(c)) {
            next += k;      /* the disk's own list stays */
            continue;
        }
        if (k > 1)
            give_iothreads(c, d, next, k, q);
        else
            give_iothread(c, d, next, "holds the disk's iothread", "one "
                          "queue: one iothread of its own");
        next += k;
    }
    for (xmlNodePtr ctl = r_child(dev, "controller"); ctl;
         ctl = r_next(ctl, "controller"))
        if (devices_virtio_scsi(ctl))
            give_iothread(c, ctl, next++, "holds the controller's "
                          "iothread", "one iothread of its own per "
                          "virtio-scsi controller");
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
    long per_disk = r_param_int(c, "per_disk");
    if (per_disk > 1) {
        spread(c, root, dev, per_disk, scsi);
        return;
    }
    long n = r_profile(c) == PROFILE_THROUGHPUT ? users
             : (users + 1) / 2 < r_param_int(c, "max") ? (users + 1) / 2
                                                        : r_param_int(c, "max");
    if (n > users)
        n = users;
    set_iothreads(c, root, n, r_profile(c) == PROFILE_THROUGHPUT
        ? "one iothread per virtio disk or controller: each queue's I/O "
          "runs outside QEMU's main loop, in parallel"
        : "one iothread per two virtio disks or controllers (at most "
          "io.threads.max): disk I/O leaves QEMU's main loop and the vCPUs");
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
    .reference = "https://libvirt.org/formatdomain.html#iothreads-allocation; "
                 "https://libvirt.org/formatdomain.html#hard-drives-floppy-"
                 "disks-cdroms (driver iothreads, since 10.0.0)",
    .description =
        "Counts the busy virtio storage: writable virtio-blk disks and "
        "virtio-scsi controllers. Writes <iothreads>: one per device for "
        "the throughput profile, else one per two devices, at most "
        "io.threads.max (4). Devices take the iothreads in turn (<driver "
        "iothread='k'>), disks first. cpu.emulator pins each iothread on "
        "the housekeeping CPUs of the node nearest its storage (free cores "
        "of their own for throughput). io.threads.per_disk=N (default 1) "
        "gives each writable virtio-blk disk min(N, its queues) iothreads "
        "of its own, listed in <driver><iothreads> so that QEMU spreads the "
        "queues over them round-robin: libvirt 10.0 and QEMU 9.0 "
        "(iothread-vq-mapping) only, so the policy asks for it; older "
        "versions reject it. Existing iothreads are kept unless override.",
    .needs = "None for the count; the pinning reads PCI locality "
             "(cpu.emulator).",
    .run = run_io_threads,
};
