/*
 * check_io.c - the I/O invariants of one domain.
 *
 * I/O devices (formatdomain: IOThreads allocation; hard drives, network
 * interfaces and controllers, their <driver>), read from <devices> <disk>,
 * <interface> and <controller>; a device is named by its target dev, MAC
 * or type and index, never by line, so a tuned output and its input name
 * it alike:
 *   io-native      a <disk><driver io='native'> has cache='none' or
 *                  'directsync' on the same driver (native AIO needs
 *                  O_DIRECT; no cache means the hypervisor's default,
 *                  writeback for QEMU)
 *   iothread-ref   every <driver iothread='K'> and <driver><iothreads>
 *                  <iothread id='K'> of a disk or controller names an
 *                  iothread the domain defines: the <iothreadids> ids,
 *                  which libvirt fills up to <iothreads> with the lowest
 *                  unused ids from 1 (so 1..<iothreads> without
 *                  <iothreadids>); and it sits on a virtio disk (target
 *                  bus 'virtio', or no bus and a 'vd' target dev, as
 *                  libvirt infers) or a virtio-scsi controller (type
 *                  'scsi', model 'virtio-scsi', 'virtio-transitional' or
 *                  'virtio-non-transitional'; an absent model is refused,
 *                  libvirt's default depends on the architecture and
 *                  QEMU), whose <address>, if any, is 'pci' or 'ccw'
 *   queues-vcpus   <driver queues='N'> of an interface, disk or
 *                  controller has 1 <= N <= <vcpu> (its maximum count)
 *   queues-user    an <interface type='user'> has no queues above 1, and
 *                  no <interface type='user'> or 'vhostuser' has <driver
 *                  name='vhost'>
 *   irq-budget     the MSI-X vectors of a domain's virtio devices fit
 *                  --irq-budget N (default 1024): per virtio NIC (model
 *                  'virtio', '-transitional', '-non-transitional')
 *                  2 x queues + 2, per virtio-blk disk (virtio bus,
 *                  device 'disk' or 'lun') queues + 1, per virtio-scsi
 *                  controller queues + 3, queues 1 when absent (QEMU
 *                  5.2+ itself gives virtio-blk and virtio-scsi one
 *                  queue per vCPU then: not counted); skipped when a
 *                  counted queues value is unusable
 *   ring-size      an interface <driver> rx_queue_size / tx_queue_size is
 *                  a power of two in 256..1024, and tx_queue_size is only
 *                  on <interface type='vhostuser'> (the one type QEMU
 *                  applies it to)
 */
#include "checks.h"
#include "report.h"
#include "values.h"

#include "alloc.h"
#include "strbuf.h"

#include <stdlib.h>

unsigned long long irq_budget = 1024;   /* --irq-budget */

/* io='native' needs O_DIRECT: cache 'none' or 'directsync'. */
static void check_io_native(const domain *d, const iodev *v)
{
    if (v->kind != IO_DISK || !streq(v->io, "native") ||
        streq(v->cache, "none") || streq(v->cache, "directsync"))
        return;
    if (v->cache)
        violation(d->file, "io-native", "%s: <driver io='native'> needs "
                  "cache='none' or 'directsync', not cache='%s'", v->what,
                  v->cache);
    else
        violation(d->file, "io-native", "%s: <driver io='native'> needs "
                  "cache='none' or 'directsync', but has no cache (the "
                  "hypervisor's default, writeback for QEMU)", v->what);
}

/* Each iothread a driver names is defined, and only virtio disks and
 * virtio-scsi controllers name any. */
static void check_iothread_refs(const domain *d, const iodev *v)
{
    char *defined = NULL;
    for (int k = 0; k < v->nrefs; k++) {
        const struct ioref *r = &v->refs[k];
        if (iothread_known(d, r->id))
            continue;
        if (!defined)
            defined = hwloc_bitmap_iszero(d->iothread_set)
                ? xstrdup("none") : fmt_set(d->iothread_set);
        if (r->sub)
            violation(d->file, "iothread-ref", "%s: <driver><iothreads>"
                      "<iothread id='%ld'> names an iothread the domain "
                      "does not define (its iothreads: %s)", v->what, r->id,
                      defined);
        else
            violation(d->file, "iothread-ref", "%s: <driver iothread='%ld'> "
                      "names an iothread the domain does not define (its "
                      "iothreads: %s)", v->what, r->id, defined);
    }
    free(defined);
    if (v->nrefs && v->no_iothread[0])
        violation(d->file, "iothread-ref", "%s: its <driver> names an "
                  "iothread, which only virtio disks and virtio-scsi "
                  "controllers take: %s", v->what, v->no_iothread);
}

/* 1 <= queues <= <vcpu>. */
static void check_queues_vcpus(const domain *d, const iodev *v)
{
    if (v->queues.state != 1)
        return;
    if (v->queues.v == 0)
        violation(d->file, "queues-vcpus", "%s: <driver queues='0'> is not "
                  "a queue count (at least 1)", v->what);
    else if (d->vcpus > 0 && v->queues.v > (unsigned long long)d->vcpus)
        violation(d->file, "queues-vcpus", "%s: <driver queues='%llu'> is "
                  "more than the domain's %ld vCPU(s) (<vcpu>)", v->what,
                  v->queues.v, d->vcpus);
}

/* user-mode networking: no multiqueue; no vhost-net on user or
 * vhost-user interfaces. */
static void check_queues_user(const domain *d, const iodev *v)
{
    if (v->kind != IO_NET)
        return;
    int user = streq(v->type, "user");
    if (user && v->queues.state == 1 && v->queues.v > 1)
        violation(d->file, "queues-user", "%s: <driver queues='%llu'>, but "
                  "user-mode networking has no multiqueue", v->what,
                  v->queues.v);
    if ((user || streq(v->type, "vhostuser")) && streq(v->name, "vhost"))
        violation(d->file, "queues-user", "%s: <driver name='vhost'>, but "
                  "vhost-net serves no type '%s' interface", v->what,
                  v->type);
}

static int ring_size_ok(unsigned long long n)
{
    return n == 256 || n == 512 || n == 1024;
}

/* rx/tx_queue_size: powers of two in 256..1024; tx on vhost-user only. */
static void check_ring_size(const domain *d, const iodev *v)
{
    if (v->kind != IO_NET)
        return;
    if (v->rx.state == 1 && !ring_size_ok(v->rx.v))
        violation(d->file, "ring-size", "%s: <driver rx_queue_size='%llu'> "
                  "is not a power of two in 256..1024", v->what, v->rx.v);
    if (v->tx.state == 1 && !ring_size_ok(v->tx.v))
        violation(d->file, "ring-size", "%s: <driver tx_queue_size='%llu'> "
                  "is not a power of two in 256..1024", v->what, v->tx.v);
    if (v->tx.state && !streq(v->type, "vhostuser"))
        violation(d->file, "ring-size", "%s: <driver tx_queue_size>, which "
                  "only type 'vhostuser' interfaces take", v->what);
}

/* The MSI-X vectors of the domain's virtio devices fit --irq-budget. */
static void check_irq_budget(const domain *d)
{
    static const char *const kinds[3] = {
        "virtio-blk disk(s)", "virtio NIC(s)", "virtio-scsi controller(s)",
    };
    unsigned long long total = 0, sum[3] = {0, 0, 0};
    int count[3] = {0, 0, 0};
    for (int i = 0; i < d->ndevs; i++) {
        const iodev *v = &d->devs[i];
        if (!v->vectors)
            continue;
        if (v->queues.state < 0 || (v->queues.state && !v->queues.v))
            return;         /* an unusable count: reported already */
        unsigned long long q = v->queues.state ? v->queues.v : 1;
        unsigned long long n = (unsigned long long)v->vectors * q +
                               (unsigned long long)v->fixed;
        sum[v->kind] += n;
        count[v->kind]++;
        total += n;
    }
    if (total <= irq_budget)
        return;
    vt_strbuf why;
    strbuf_init(&why);
    for (int k = 0; k < 3; k++)
        if (count[k])
            strbuf_addf(&why, "%s%d %s: %llu", why.len ? ", " : "", count[k],
                    kinds[k], sum[k]);
    violation(d->file, "irq-budget", "the virtio devices need %llu MSI-X "
              "vectors, over the budget of %llu (%s)", total, irq_budget,
              why.buf);
    strbuf_free(&why);
}

void check_io(const domain *d)
{
    for (int i = 0; i < d->ndevs; i++) {
        const iodev *v = &d->devs[i];
        check_io_native(d, v);
        check_iothread_refs(d, v);
        check_queues_vcpus(d, v);
        check_queues_user(d, v);
        check_ring_size(d, v);
    }
    check_irq_budget(d);
}
