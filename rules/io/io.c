/*
 * io.c - the I/O family: devices.virtio (emulated devices), io.threads
 * (iothreads and which disks they serve), net.multiqueue, blk.multiqueue,
 * irq.budget (MSI-X vectors of all those queues) and disk.cache (cache
 * and io modes per storage type).
 *
 * io.threads runs before placement so that cpu.emulator pins the
 * iothreads it creates (on the housekeeping CPUs of the node nearest each
 * iothread's storage); the queue rules run after, and irq.budget last.
 */
#include "rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int attr_is(xmlNodePtr el, const char *name, const char *value)
{
    const char *v = r_attr(el, name);
    return v && strcmp(v, value) == 0;
}

static xmlNodePtr devices(vt_rule_ctx *c)
{
    return r_child(r_root(c), "devices");
}

/* A virtio-blk data disk: device disk (the default), bus virtio. */
static int is_virtio_blk(xmlNodePtr disk)
{
    const char *dev = r_attr(disk, "device");
    return (!dev || !strcmp(dev, "disk")) &&
           attr_is(r_child(disk, "target"), "bus", "virtio");
}

static int is_virtio_scsi(xmlNodePtr ctl)
{
    const char *m = r_attr(ctl, "model");
    return attr_is(ctl, "type", "scsi") && m &&
           (!strcmp(m, "virtio-scsi") || !strcmp(m, "virtio-transitional") ||
            !strcmp(m, "virtio-non-transitional"));
}

static int is_virtio_nic(xmlNodePtr nic)
{
    return attr_is(r_child(nic, "model"), "type", "virtio");
}

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

/* The driver child of EL, created (and recorded) when missing. */
static xmlNodePtr driver_of(vt_rule_ctx *c, xmlNodePtr el, const char *why)
{
    xmlNodePtr d = r_child(el, "driver");
    if (d)
        return d;
    /* <driver> goes first after the device's own leading elements; last
     * is what libvirt accepts for disks, interfaces and controllers */
    return r_add(c, el, "driver", NULL, NULL, "%s", why);
}

/* Queue cap for the profile (PARAM 0 = the profile's default). */
static long queue_cap(vt_rule_ctx *c, const char *param)
{
    long cap = r_param_int(c, param);
    if (cap > 0)
        return cap;
    switch (r_profile(c)) {
    case PROFILE_THROUGHPUT: return 16;
    case PROFILE_LATENCY: return 4;
    default: return 8;
    }
}

static void set_queues(vt_rule_ctx *c, xmlNodePtr drv, long n, const char *why)
{
    char q[24];
    snprintf(q, sizeof q, "%ld", n);
    r_set(c, drv, "queues", q, "%s", why);
}

/* ------------------------------------------------------ devices.virtio */

static const vt_rule_param virtio_params[] = {
    {"convert", PARAM_BOOL, "false",
     "convert emulated NICs and data disks to virtio (the guest needs "
     "virtio drivers)", NULL, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* The next free vdX target name. */
static void next_vd(xmlNodePtr dev, char *out, size_t n)
{
    for (char x = 'a'; x <= 'z'; x++) {
        snprintf(out, n, "vd%c", x);
        int used = 0;
        for (xmlNodePtr d = r_child(dev, "disk"); d && !used; d = r_next(d, "disk"))
            used = attr_is(r_child(d, "target"), "dev", out);
        if (!used)
            return;
    }
    snprintf(out, n, "vdz");
}

static void run_virtio(vt_rule_ctx *c)
{
    xmlNodePtr dev = devices(c);
    int convert = r_param_bool(c, "convert");
    for (xmlNodePtr nic = r_child(dev, "interface"); nic;
         nic = r_next(nic, "interface")) {
        xmlNodePtr model = r_child(nic, "model");
        const char *m = r_attr(model, "type");
        if (!m || (strcmp(m, "e1000") && strcmp(m, "e1000e") &&
                   strcmp(m, "rtl8139")))
            continue;
        if (convert)
            r_set(c, model, "type", "virtio", "an emulated %s NIC costs a "
                  "VM exit per register access; virtio-net moves packets "
                  "through shared rings (devices.virtio.convert)", m);
        else
            r_finding(c, SEV_INFO, nic, NULL, "emulated NIC model '%s': "
                      "every register access exits to QEMU, several times "
                      "the CPU per packet of virtio-net; change <model "
                      "type='%s'/> to <model type='virtio'/> once the guest "
                      "has virtio drivers (devices.virtio.convert=true does "
                      "it)", m, m);
    }
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk")) {
        const char *device = r_attr(d, "device");
        xmlNodePtr target = r_child(d, "target");
        const char *bus = r_attr(target, "bus");
        if ((device && strcmp(device, "disk")) || !bus ||
            (strcmp(bus, "ide") && strcmp(bus, "sata")))
            continue;
        if (!convert) {
            r_finding(c, SEV_INFO, d, NULL, "data disk %s on the emulated "
                      "%s bus: one request at a time through emulated "
                      "registers; change <target bus='%s'/> to bus='virtio' "
                      "(dev vdX, without a drive <address>) once the guest "
                      "has virtio drivers (devices.virtio.convert=true does "
                      "it)", r_attr(target, "dev") ? r_attr(target, "dev")
                      : "?", bus, bus);
            continue;
        }
        char vd[8];
        next_vd(dev, vd, sizeof vd);
        const char *why = "virtio-blk: multiqueue, no register emulation "
                          "(devices.virtio.convert)";
        r_set(c, target, "bus", "virtio", "%s", why);
        r_set(c, target, "dev", vd, "virtio disks are named vdX");
        xmlNodePtr addr = r_child(d, "address");
        if (attr_is(addr, "type", "drive"))
            r_remove(c, addr, "a drive address belongs to the %s "
                     "controller; libvirt gives the virtio disk a PCI slot",
                     bus);    /* the old value: r_attr outlives r_set */
    }
}

const vt_rule rule_devices_virtio = {
    .id = "devices.virtio",
    .summary = "emulated NICs and data disks: a finding with the change; "
               "converted to virtio only with convert=true",
    .profiles = PROFILE_ALL,
    .params = virtio_params,
    .reference = "https://www.linux-kvm.org/page/Virtio",
    .description =
        "e1000, e1000e and rtl8139 NICs, and data disks on the ide or sata "
        "bus, are emulated: every register access exits to QEMU. They are "
        "never converted silently: a guest without virtio drivers would "
        "lose its network or boot disk. The finding names the cost and the "
        "exact change; with devices.virtio.convert=true the rule makes it "
        "(NIC model virtio; disk bus virtio, dev vdX, drive address "
        "removed). CD-ROMs and floppies stay as they are.",
    .needs = "None: it reads the domain's devices.",
    .run = run_virtio,
};

/* ---------------------------------------------------------- io.threads */

static const vt_rule_param thread_params[] = {
    {"max", PARAM_INT, "4", "most iothreads for the balanced and latency "
     "profiles", NULL, 1, 64},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* A busy disk: virtio-blk, writable, not a CD-ROM. */
static int busy_disk(xmlNodePtr d)
{
    return is_virtio_blk(d) && !r_child(d, "readonly");
}

static void run_threads(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c), dev = devices(c);
    int disks = 0, scsi = 0;
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk"))
        disks += busy_disk(d);
    for (xmlNodePtr k = r_child(dev, "controller"); k;
         k = r_next(k, "controller"))
        scsi += is_virtio_scsi(k);
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
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk")) {
        if (!busy_disk(d))
            continue;
        char id[24];
        snprintf(id, sizeof id, "%ld", k++ % n + 1);
        xmlNodePtr drv = driver_of(c, d, "holds the disk's iothread");
        if (!r_attr(drv, "iothread") || r_override(c))
            r_set(c, drv, "iothread", id, "iothreads take the virtio disks "
                  "in turn");
    }
    for (xmlNodePtr ctl = r_child(dev, "controller"); ctl;
         ctl = r_next(ctl, "controller")) {
        if (!is_virtio_scsi(ctl))
            continue;
        char id[24];
        snprintf(id, sizeof id, "%ld", k++ % n + 1);
        xmlNodePtr drv = driver_of(c, ctl, "holds the controller's iothread");
        if (!r_attr(drv, "iothread") || r_override(c))
            r_set(c, drv, "iothread", id, "iothreads take the virtio-scsi "
                  "controllers in turn after the disks");
    }
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
    .run = run_threads,
};

/* ------------------------------------------------------ net.multiqueue */

static const vt_rule_param net_params[] = {
    {"max_queues", PARAM_INT, "0", "queue cap; 0: the profile's (balanced "
     "8, latency 4, throughput 16)", NULL, 0, 256},
    {"ring_size", PARAM_INT, "1024", "rx/tx ring size for the throughput "
     "profile", NULL, 256, 1024},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

static void run_net(vt_rule_ctx *c)
{
    int vcpus = r_domain(c)->vcpus;
    long n = queue_cap(c, "max_queues");
    if (n > vcpus)
        n = vcpus;
    if (n > 256)
        n = 256;
    int throughput = r_profile(c) == PROFILE_THROUGHPUT;
    for (xmlNodePtr nic = r_child(devices(c), "interface"); nic;
         nic = r_next(nic, "interface")) {
        if (!is_virtio_nic(nic) || !nic_multiqueue_type(nic))
            continue;
        int vhostuser = attr_is(nic, "type", "vhostuser");
        xmlNodePtr drv = r_child(nic, "driver");
        if (drv && r_attr(drv, "queues") && !r_override(c))
            continue;
        if (drv && r_attr(drv, "name") && !attr_is(drv, "name", "vhost") &&
            !vhostuser)
            continue;   /* a userspace backend chosen on purpose */
        if (n > 1) {
            /* no name='vhost': libvirt uses vhost-net whenever the host
             * has /dev/vhost-net and falls back to QEMU's own backend
             * otherwise; naming it makes the domain fail to start on a
             * host without the module */
            drv = driver_of(c, nic, "holds the NIC's queues");
            char why[160];
            snprintf(why, sizeof why, "%ld queue pairs (min(vCPUs, cap %ld)): "
                     "each vCPU sends and receives on its own queue and "
                     "interrupt", n, queue_cap(c, "max_queues"));
            set_queues(c, drv, n, why);
        }
        if (throughput) {
            drv = driver_of(c, nic, "holds the NIC's ring sizes");
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
    .run = run_net,
};

/* ------------------------------------------------------ blk.multiqueue */

static const vt_rule_param blk_params[] = {
    {"max_queues", PARAM_INT, "0", "queue cap; 0: the profile's (balanced "
     "8, latency 4, throughput 16)", NULL, 0, 256},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

static void run_blk(vt_rule_ctx *c)
{
    int vcpus = r_domain(c)->vcpus;
    long n = queue_cap(c, "max_queues");
    if (n > vcpus)
        n = vcpus;
    if (n < 2)
        return;
    char why[160];
    snprintf(why, sizeof why, "%ld queues (min(vCPUs, cap %ld)): requests "
             "from each vCPU complete on its own queue", n,
             queue_cap(c, "max_queues"));
    xmlNodePtr dev = devices(c);
    for (xmlNodePtr d = r_child(dev, "disk"); d; d = r_next(d, "disk")) {
        if (!is_virtio_blk(d))
            continue;
        xmlNodePtr drv = r_child(d, "driver");
        if (drv && r_attr(drv, "queues") && !r_override(c))
            continue;
        set_queues(c, driver_of(c, d, "holds the disk's queues"), n, why);
    }
    for (xmlNodePtr k = r_child(dev, "controller"); k;
         k = r_next(k, "controller")) {
        if (!is_virtio_scsi(k))
            continue;
        xmlNodePtr drv = r_child(k, "driver");
        if (drv && r_attr(drv, "queues") && !r_override(c))
            continue;
        set_queues(c, driver_of(c, k, "holds the controller's queues"), n,
                   why);
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
    .run = run_blk,
};

/* --------------------------------------------------------- irq.budget */

static const vt_rule_param irq_params[] = {
    {"budget", PARAM_INT, "1024", "most MSI-X vectors for a domain's virtio "
     "queues (KVM's routing table holds 4096)", NULL, 16, 4096},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

typedef struct qdev {
    xmlNodePtr el;      /* the device */
    long queues;
    int per_queue;      /* vectors per queue */
    int fixed;          /* vectors besides the queues */
} qdev;

static long queues_of(xmlNodePtr el)
{
    const char *q = r_attr(r_child(el, "driver"), "queues");
    long n = q ? strtol(q, NULL, 10) : 1;
    return n > 0 ? n : 1;
}

static void run_irq(vt_rule_ctx *c)
{
    xmlNodePtr dev = devices(c);
    qdev *q = NULL;
    int n = 0;
    long total = 0;
    for (xmlNodePtr e = dev ? dev->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        int per = 0, fixed = 0;
        if (xmlStrEqual(e->name, BAD_CAST "interface") && is_virtio_nic(e))
            per = 2, fixed = 2;
        else if (xmlStrEqual(e->name, BAD_CAST "disk") && is_virtio_blk(e))
            per = 1, fixed = 1;
        else if (xmlStrEqual(e->name, BAD_CAST "controller") &&
                 is_virtio_scsi(e))
            per = 1, fixed = 3;
        else
            continue;
        q = xrealloc(q, (size_t)(n + 1) * sizeof *q);
        q[n] = (qdev){e, queues_of(e), per, fixed};
        total += q[n].queues * per + fixed;
        n++;
    }
    long budget = r_param_int(c, "budget");
    long before = total;
    /* lower the largest queue counts first, one at a time: fair shares */
    while (total > budget) {
        int big = -1;
        for (int i = 0; i < n; i++)
            if (q[i].queues > 1 && (big < 0 || q[i].queues > q[big].queues))
                big = i;
        if (big < 0)
            break;
        q[big].queues--;
        total -= q[big].per_queue;
    }
    if (before > budget) {
        for (int i = 0; i < n; i++)
            if (queues_of(q[i].el) != q[i].queues) {
                char why[200];
                snprintf(why, sizeof why, "the domain's virtio queues "
                         "needed %ld MSI-X vectors, over the budget of %ld: "
                         "the largest queue counts were lowered evenly",
                         before, budget);
                set_queues(c, r_child(q[i].el, "driver"), q[i].queues, why);
            }
        r_finding(c, total > budget ? SEV_INFEASIBLE : SEV_WARNING, dev, NULL,
                  "virtio queues needed %ld interrupt vectors (2 per NIC "
                  "queue pair + 2, 1 per disk queue + 1, 1 per SCSI queue + "
                  "3); the budget is %ld%s", before, budget, total > budget
                  ? ", and even one queue each exceeds it: fewer devices "
                    "are needed" : ": queues lowered to fit");
    }
    free(q);
}

const vt_rule rule_irq_budget = {
    .id = "irq.budget",
    .summary = "keep the MSI-X vectors of all virtio queues under a budget",
    .profiles = PROFILE_ALL,
    .params = irq_params,
    .reference = "https://www.kernel.org/doc/html/latest/virt/kvm/api.html#kvm-set-gsi-routing",
    .description =
        "Adds up the interrupt vectors of the virtio devices: 2 per NIC "
        "queue pair + 2, 1 per virtio-blk queue + 1, 1 per virtio-scsi "
        "queue + 3. Over irq.budget.budget (1024; KVM's GSI routing table "
        "holds 4096 entries for the whole VM), it lowers the largest queue "
        "counts one at a time until the total fits, with a warning (an "
        "infeasible finding when one queue each is still too many).",
    .needs = "None: it reads the domain.",
    .run = run_irq,
};

/* --------------------------------------------------------- disk.cache */

static const vt_rule_param cache_params[] = {
    {"io_uring", PARAM_BOOL, "false", "the host's QEMU supports io='io_uring' "
     "(QEMU 5.0, libvirt 6.3): use it for image files", NULL, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* What the disk's storage is, for the cache decision. */
enum storage { ST_SKIP, ST_BLOCK, ST_RAW_FILE, ST_THIN_FILE, ST_NET_DIRECT,
               ST_NET_OTHER };

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
        return proto && (!strcmp(proto, "iscsi") || !strcmp(proto, "nbd"))
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

static void run_cache(vt_rule_ctx *c)
{
    for (xmlNodePtr d = r_child(devices(c), "disk"); d; d = r_next(d, "disk")) {
        const char *skip = NULL;
        enum storage st = storage_of(d, &skip);
        xmlNodePtr drv = r_child(d, "driver");
        const char *cache = r_attr(drv, "cache");
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
              : st == ST_NET_DIRECT ? "the protocol does direct I/O: no "
                "host page cache in between"
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
    .reference = "https://libvirt.org/formatdomain.html#hard-drives-floppy-disks-cdroms",
    .description =
        "Block devices (type='block', LVM included): cache='none' "
        "io='native' (native AIO needs O_DIRECT, so only with cache none or "
        "directsync). Image files: cache='none' with io='threads' (or "
        "io_uring with disk.cache.io_uring=true); qcow2 and other thin "
        "formats also discard='unmap' and detect_zeroes='unmap' on buses "
        "that pass TRIM (virtio, scsi, sata). Network disks: iscsi and nbd "
        "get cache='none'; rbd, gluster and others are left to their "
        "driver's caching. CD-ROMs, floppies, read-only and shareable disks "
        "are left alone. A cache mode the domain sets is kept; unsafe and "
        "writeback get a warning naming the data-loss risk.",
    .needs = "None: it reads the domain. Whether a file's filesystem "
             "supports O_DIRECT (tmpfs does not) is not in the host model; "
             "such disks need cache='writethrough' set by hand.",
    .run = run_cache,
};
