/*
 * disk_cache.c - disk.cache: cache and io modes per storage type, and
 * discard on thin images.
 */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param cache_params[] = {
    {"io_uring", PARAM_BOOL, "false", "the host's QEMU supports io='io_uring' "
     "(QEMU 5.0, libvirt 6.3): use it for image files (domcapabilities "
     "do not list io modes, so the policy says)", NULL, 0, 0},
    {"rbd", PARAM_ENUM, "writeback", "cache mode of Ceph RBD disks: "
     "writeback (librbd's cache, which honours the guest's flushes) or "
     "none", "writeback|none", 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* What the disk's storage is, for the cache decision. */
enum storage { ST_SKIP, ST_BLOCK, ST_RAW_FILE, ST_THIN_FILE, ST_NET_DIRECT,
               ST_NET_RBD, ST_NET_OTHER };

static enum storage storage_of(xmlNodePtr d, const char **why)
{
    const char *device = r_attr(d, "device");
    if (device && strcmp(device, "disk") && strcmp(device, "lun")) {
        *why = "removable media";
        return ST_SKIP;
    }
    if (r_child(d, "readonly")) {
        *why = "a read-only disk";
        return ST_SKIP;
    }
    if (r_child(d, "shareable")) {
        *why = "a shareable disk";
        return ST_SKIP;
    }
    const char *type = r_attr(d, "type");
    const char *fmt = r_attr(r_child(d, "driver"), "type");
    if (type && !strcmp(type, "block"))
        return ST_BLOCK;
    if (type && !strcmp(type, "file"))
        return fmt && !strcmp(fmt, "raw") ? ST_RAW_FILE : ST_THIN_FILE;
    if (type && !strcmp(type, "network")) {
        const char *proto = r_attr(r_child(d, "source"), "protocol");
        if (proto && !strcmp(proto, "rbd"))
            return ST_NET_RBD;
        return proto && (!strcmp(proto, "iscsi") || !strcmp(proto, "nbd") ||
                         !strcmp(proto, "gluster"))
                   ? ST_NET_DIRECT : ST_NET_OTHER;
    }
    *why = "a storage type the rule does not tune";
    return ST_SKIP;
}

static int bus_discards(xmlNodePtr d)
{
    const char *bus = r_attr(r_child(d, "target"), "bus");
    return bus && (!strcmp(bus, "virtio") || !strcmp(bus, "scsi") ||
                   !strcmp(bus, "sata"));
}

static void run_disk_cache(vt_rule_ctx *c)
{
    for (xmlNodePtr d = r_child(r_child(r_root(c), "devices"), "disk"); d; d = r_next(d, "disk")) {
        const char *skip = NULL;
        enum storage st = storage_of(d, &skip);
        xmlNodePtr drv = r_child(d, "driver");
        const char *cache = r_attr(drv, "cache");
        if (st == ST_NET_RBD) {
            /* librbd's cache is writeback that honours flushes */
            if (!cache || r_override(c)) {
                const char *want = r_param_str(c, "rbd");
                if (!drv) {
                    const char *a[] = {"name", "qemu", NULL};
                    drv = r_add(c, d, "driver", NULL, a, "holds the cache "
                                "mode");
                }
                if (!cache || strcmp(cache, want))
                    r_set(c, drv, "cache", want, "%s", !strcmp(want, "none")
                          ? "the policy's disk.cache.rbd: librbd's cache off"
                          : "Ceph RBD: librbd caches in writeback mode and "
                            "honours the guest's flushes (Ceph's QEMU "
                            "guide), the fastest safe mode for it");
            }
            continue;
        }
        if (cache && (!strcmp(cache, "unsafe") || !strcmp(cache, "writeback"))
            && !r_override(c)) {
            r_finding(c, SEV_WARNING, d, NULL, "cache='%s' set explicitly; "
                      "kept: %s", cache, !strcmp(cache, "unsafe")
                      ? "it ignores the guest's flushes, so a host crash "
                      "loses data the guest believes written"
                      : "writes sit in the host page cache until the guest "
                      "flushes: a guest without barriers loses them on a "
                      "host crash, and the data is cached twice");
            continue;
        }
        if (st == ST_SKIP || st == ST_NET_OTHER || (cache && !r_override(c)))
            continue;
        const char *io = st == ST_BLOCK ? "native"
                       : st == ST_NET_DIRECT ? NULL
                       : r_param_bool(c, "io_uring") ? "io_uring" : "threads";
        if (!drv) {
            const char *a[] = {"name", "qemu", NULL};
            drv = r_add(c, d, "driver", NULL, a, "holds the cache mode");
        }
        r_set(c, drv, "cache", "none", "%s", st == ST_BLOCK
              ? "a block device: O_DIRECT skips the host page cache, so "
              "the guest's own cache is the only one"
              : st == ST_NET_DIRECT ? "a network protocol QEMU talks to "
              "directly (iscsi, nbd, gluster): no host page cache in "
              "between, flushes reach the server"
              : "O_DIRECT on the image: no double caching, flushes reach "
              "the disk");
        if (io && !r_attr(drv, "io"))
            r_set(c, drv, "io", io, "%s", !strcmp(io, "native")
                  ? "Linux native AIO, which needs cache none: submits "
                  "without a thread per request"
                  : !strcmp(io, "io_uring")
                  ? "io_uring: batched submission without a thread pool"
                  : "a thread pool: native AIO can block on image files "
                  "that allocate as they grow");
        if (st == ST_THIN_FILE && bus_discards(d)) {
            if (!r_attr(drv, "discard"))
                r_set(c, drv, "discard", "unmap", "the guest's TRIM frees "
                      "space in the thin image");
            if (!r_attr(drv, "detect_zeroes"))
                r_set(c, drv, "detect_zeroes", "unmap", "zero writes become "
                      "holes in the thin image instead of allocated zeros");
        }
    }
}

const vt_rule rule_disk_cache = {
    .id = "disk.cache",
    .summary = "cache='none' with io native (block) or threads (files); "
               "discard and detect_zeroes unmap on thin images",
    .profiles = PROFILE_ALL,
    .params = cache_params,
    .reference = "https://libvirt.org/formatdomain.html#hard-drives-floppy-disks-cdroms; "
                 "https://docs.ceph.com/en/latest/rbd/qemu-rbd/",
    .description =
        "Block devices (type='block', LVM included): cache='none' "
        "io='native' (native AIO needs O_DIRECT, so only with cache none or "
        "directsync). Image files: cache='none' with io='threads' (or "
        "io_uring with disk.cache.io_uring=true); qcow2 and other thin "
        "formats also discard='unmap' and detect_zeroes='unmap' on buses "
        "that pass TRIM (virtio, scsi, sata). Network disks: iscsi, nbd and "
        "gluster get cache='none' (QEMU's own client, no host page cache; "
        "oVirt does the same for gluster); Ceph rbd gets cache='writeback' "
        "(librbd's cache honours flushes: Ceph's QEMU guide; "
        "disk.cache.rbd=none turns it off); other protocols are left to "
        "their driver. CD-ROMs, floppies, read-only and shareable disks "
        "are left alone. A cache mode the domain sets is kept; unsafe and "
        "writeback get a warning naming the data-loss risk.",
    .needs = "None: it reads the domain. Whether a file's filesystem "
             "supports O_DIRECT (tmpfs does not) is not in the host model; "
             "such disks need cache='writethrough' set by hand.",
    .run = run_disk_cache,
};
