/*
 * devices.c - the I/O devices of a domain as the checks see them (an
 * iodev of domain.h each): <disk>, <interface> and <controller>, their
 * <driver> (io, cache, name, queues, ring sizes, iothreads), whether
 * they take an iothread and how many MSI-X vectors they need. A device
 * is named by its target dev, MAC or type and index, never by line.
 */
#include "domain.h"
#include "report.h"
#include "values.h"
#include "xmlread.h"

#include "alloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first child element of N called NAME, or NULL. */
static xmlNodePtr child_elem(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !c->ns &&
            !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

/* A virtio model name: MODEL itself or its (non-)transitional variants
 * (formatdomain: Virtio transitional devices). */
static int is_virtio_model(const char *m, const char *model)
{
    return streq(m, model) || streq(m, "virtio-transitional") ||
           streq(m, "virtio-non-transitional");
}

/* Reads the unsigned attribute NAME of the <driver> N of device V (libvirt
 * parses these as unsigned int); a syntax violation when bad. */
static uval uint_attr(const domain *d, const iodev *v, xmlNodePtr n,
                      const char *name)
{
    uval u = {0, 0};
    char *s = n ? attr(n, name) : NULL;
    if (!s)
        return u;
    if (parse_ull(s, &u.v) < 0 || u.v > UINT_MAX) {
        violation(d->file, "syntax", "%s: <driver %s='%s'> is not an "
                  "unsigned number", v->what, name, s);
        u.state = -1;
    } else {
        u.state = 1;
    }
    free(s);
    return u;
}

static void add_ref(iodev *v, long id, int sub)
{
    v->refs = xrealloc(v->refs, (size_t)(v->nrefs + 1) * sizeof *v->refs);
    v->refs[v->nrefs].id = id;
    v->refs[v->nrefs++].sub = sub;
}

/* The iothreads <driver> DRV names: its iothread attribute and its
 * <iothreads><iothread id> (libvirt 10.0, virtio-blk queue mapping). */
static void read_refs(const domain *d, iodev *v, xmlNodePtr drv)
{
    char *s = drv ? attr(drv, "iothread") : NULL;
    long id;
    if (s && parse_id(s, MAX_ID, &id) < 0)
        violation(d->file, "syntax", "%s: <driver iothread='%s'> is not an "
                  "id in 0..%d", v->what, s, MAX_ID);
    else if (s)
        add_ref(v, id, 0);
    free(s);
    xmlNodePtr set = child_elem(drv, "iothreads");
    for (xmlNodePtr t = set ? set->children : NULL; t; t = t->next) {
        if (t->type != XML_ELEMENT_NODE || t->ns ||
            strcmp((const char *)t->name, "iothread"))
            continue;
        s = attr(t, "id");
        if (parse_id(s, MAX_ID, &id) < 0)
            violation(d->file, "syntax", "%s: <driver><iothreads><iothread "
                      "id='%s'> is not an id in 0..%d", v->what,
                      s ? s : "", MAX_ID);
        else
            add_ref(v, id, 1);
        free(s);
    }
}

/* Why device V, whose <address> is ADDR, cannot take an iothread because
 * of that address ("" when it can): libvirt wants PCI or CCW. */
static void check_address(iodev *v, xmlNodePtr addr)
{
    char *t = addr ? attr(addr, "type") : NULL;
    if (t && strcmp(t, "pci") && strcmp(t, "ccw"))
        snprintf(v->no_iothread, sizeof v->no_iothread, "its <address "
                 "type='%.24s'> is not 'pci' or 'ccw'", t);
    free(t);
}

/* <disk>: the target bus (inferred from a 'vd' dev when absent, as
 * libvirt does), the driver's io, cache, queues and iothreads. */
static void read_disk(const domain *d, iodev *v, xmlNodePtr n, int index)
{
    xmlNodePtr target = child_elem(n, "target");
    xmlNodePtr drv = child_elem(n, "driver");
    char *dev = target ? attr(target, "dev") : NULL;
    char *bus = target ? attr(target, "bus") : NULL;
    char *device = attr(n, "device");
    v->kind = IO_DISK;
    v->type = attr(n, "type");
    if (dev)
        snprintf(v->what, sizeof v->what, "<disk> (target %.40s)", dev);
    else
        snprintf(v->what, sizeof v->what, "<disk> #%d", index + 1);
    int virtio = bus ? !strcmp(bus, "virtio")
                     : dev && !strncmp(dev, "vd", 2);
    if (virtio && (!device || !strcmp(device, "disk") ||
                   !strcmp(device, "lun"))) {
        v->vectors = 1;     /* virtio-blk: a vector per queue + config */
        v->fixed = 1;
    }
    if (!virtio && bus)
        snprintf(v->no_iothread, sizeof v->no_iothread, "its target bus "
                 "is '%.24s', not 'virtio'", bus);
    else if (!virtio)
        snprintf(v->no_iothread, sizeof v->no_iothread, "its target has "
                 "no bus and dev '%.40s' is not a virtio name (vd*)",
                 dev ? dev : "");
    else
        check_address(v, child_elem(n, "address"));
    if (drv) {
        v->io = attr(drv, "io");
        v->cache = attr(drv, "cache");
        v->name = attr(drv, "name");
    }
    v->queues = uint_attr(d, v, drv, "queues");
    read_refs(d, v, drv);
    free(dev);
    free(bus);
    free(device);
}

/* <interface>: its type, model, and the driver's name, queues and ring
 * sizes. */
static void read_interface(const domain *d, iodev *v, xmlNodePtr n,
                           int index)
{
    xmlNodePtr drv = child_elem(n, "driver");
    xmlNodePtr mac = child_elem(n, "mac");
    xmlNodePtr model = child_elem(n, "model");
    char *addr = mac ? attr(mac, "address") : NULL;
    char *m = model ? attr(model, "type") : NULL;
    v->kind = IO_NET;
    v->type = attr(n, "type");
    if (addr)
        snprintf(v->what, sizeof v->what, "<interface type='%.24s'> (mac "
                 "%.40s)", v->type ? v->type : "", addr);
    else
        snprintf(v->what, sizeof v->what, "<interface type='%.24s'> #%d",
                 v->type ? v->type : "", index + 1);
    if (is_virtio_model(m, "virtio")) {
        v->vectors = 2;     /* virtio-net: rx + tx per queue pair, */
        v->fixed = 2;       /* + control queue + config */
    }
    if (drv)
        v->name = attr(drv, "name");
    v->queues = uint_attr(d, v, drv, "queues");
    v->rx = uint_attr(d, v, drv, "rx_queue_size");
    v->tx = uint_attr(d, v, drv, "tx_queue_size");
    free(addr);
    free(m);
}

/* <controller>: virtio-scsi or not, the driver's queues and iothreads. */
static void read_controller(const domain *d, iodev *v, xmlNodePtr n,
                            int index)
{
    xmlNodePtr drv = child_elem(n, "driver");
    char *idx = attr(n, "index"), *model = attr(n, "model");
    v->kind = IO_CTRL;
    v->type = attr(n, "type");
    if (idx)
        snprintf(v->what, sizeof v->what, "<controller type='%.24s' "
                 "index='%.16s'>", v->type ? v->type : "", idx);
    else
        snprintf(v->what, sizeof v->what, "<controller type='%.24s'> #%d",
                 v->type ? v->type : "", index + 1);
    int scsi = streq(v->type, "scsi");
    if (scsi && is_virtio_model(model, "virtio-scsi")) {
        v->vectors = 1;     /* virtio-scsi: a vector per request queue, */
        v->fixed = 3;       /* + control + event queues + config */
        check_address(v, child_elem(n, "address"));
    } else if (scsi && model) {
        snprintf(v->no_iothread, sizeof v->no_iothread, "its model is "
                 "'%.24s', not virtio-scsi", model);
    } else if (scsi) {
        snprintf(v->no_iothread, sizeof v->no_iothread, "it has no model, "
                 "and libvirt's default SCSI model depends on the "
                 "architecture and QEMU: say model='virtio-scsi'");
    } else {
        snprintf(v->no_iothread, sizeof v->no_iothread, "it is not a "
                 "virtio-scsi controller");
    }
    v->queues = uint_attr(d, v, drv, "queues");
    read_refs(d, v, drv);
    free(idx);
    free(model);
}

void read_devices(domain *d, xmlXPathContextPtr ctx)
{
    xmlXPathObjectPtr o = select_nodes(ctx, "/domain/devices/disk | "
                                       "/domain/devices/interface | "
                                       "/domain/devices/controller");
    d->ndevs = count_of(o);
    d->devs = xcalloc((size_t)(d->ndevs ? d->ndevs : 1), sizeof *d->devs);
    int nth[3] = {0, 0, 0};
    for (int i = 0; i < d->ndevs; i++) {
        xmlNodePtr n = o->nodesetval->nodeTab[i];
        const char *name = (const char *)n->name;
        if (!strcmp(name, "disk"))
            read_disk(d, &d->devs[i], n, nth[IO_DISK]++);
        else if (!strcmp(name, "interface"))
            read_interface(d, &d->devs[i], n, nth[IO_NET]++);
        else
            read_controller(d, &d->devs[i], n, nth[IO_CTRL]++);
    }
    xmlXPathFreeObject(o);
}
