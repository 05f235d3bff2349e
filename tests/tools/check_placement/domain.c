/*
 * domain.c - the checker's own reading of a domain's XML into the
 * domain of domain.h: <vcpu>, <memory>, the <cputune> pins,
 * <iothreads>/<iothreadids>, the <cpu><numa> cells and their distances,
 * <numatune>, <cpu><topology>, <memoryBacking>, <memballoon> and the
 * devices that constrain memory (the I/O devices are devices.c's).
 * A value libvirt would reject is reported as "syntax" here.
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

static void free_pins(pin *p, int n)
{
    for (int i = 0; i < n; i++)
        hwloc_bitmap_free(p[i].set);
    free(p);
}

void domain_free(domain *d)
{
    free_pins(d->pins, d->npins);
    free_pins(d->emu, d->nemu);
    free_pins(d->io, d->nio);
    hwloc_bitmap_free(d->iothreadids);
    for (int i = 0; i < d->ncells; i++) {
        hwloc_bitmap_free(d->cells[i].cpus);
        free(d->cells[i].sib);
    }
    free(d->cells);
    for (int i = 0; i < d->nmemnodes; i++)
        hwloc_bitmap_free(d->memnodes[i].nodes);
    free(d->memnodes);
    hwloc_bitmap_free(d->numa_nodes);
    free(d->vset);
    free(d->vcell);
    hwloc_bitmap_free(d->vunion);
    hwloc_bitmap_free(d->floating);
    hwloc_bitmap_free(d->vcpu_cpuset);
    hwloc_bitmap_free(d->unconfined_set);
    hwloc_bitmap_free(d->dedicated);
    hwloc_bitmap_free(d->excl);
    for (int i = 0; i < d->npages; i++)
        hwloc_bitmap_free(d->pages[i].cells);
    free(d->pages);
    free(d->source);
    free(d->alloc_mode);
    free(d->balloon_model);
    free(d->parts);
    hwloc_bitmap_free(d->iothread_set);
    for (int i = 0; i < d->ndevs; i++) {
        iodev *v = &d->devs[i];
        free(v->type);
        free(v->name);
        free(v->io);
        free(v->cache);
        free(v->refs);
    }
    free(d->devs);
}

/* Reads a set attribute; reports a syntax violation when bad. */
static hwloc_bitmap_t set_attr(const domain *d, xmlNodePtr n,
                               const char *name)
{
    char *v = attr(n, name);
    hwloc_bitmap_t set = parse_set(v);
    if (!set)
        violation(d->file, "syntax", "<%s %s='%s'> (line %ld) is not a "
                  "valid set", (const char *)n->name, name, v ? v : "",
                  xmlGetLineNo(n));
    free(v);
    return set;
}

/* Reads an id attribute (0..MAX); -1 after a syntax violation. */
static long id_attr(const domain *d, xmlNodePtr n, const char *name, long max)
{
    char *v = attr(n, name);
    long id;
    if (parse_id(v, max, &id) < 0) {
        violation(d->file, "syntax", "<%s %s='%s'> (line %ld) is not an id "
                  "in 0..%ld", (const char *)n->name, name, v ? v : "",
                  xmlGetLineNo(n), max);
        id = -1;
    }
    free(v);
    return id;
}

/* Reads the pins EXPR selects; ID_NAME is the id attribute or NULL. */
static pin *read_pins(domain *d, xmlXPathContextPtr ctx, const char *expr,
                      const char *id_name, int *n)
{
    xmlXPathObjectPtr o = select_nodes(ctx, expr);
    *n = count_of(o);
    pin *p = xcalloc((size_t)(*n ? *n : 1), sizeof *p);
    for (int i = 0; i < *n; i++) {
        xmlNodePtr e = o->nodesetval->nodeTab[i];
        p[i].id = id_name ? id_attr(d, e, id_name, MAX_ID) : -1;
        p[i].set = set_attr(d, e, "cpuset");
        p[i].valid = p[i].set && (!id_name || p[i].id >= 0);
    }
    xmlXPathFreeObject(o);
    return p;
}

static void read_vcpu(domain *d, xmlXPathContextPtr ctx)
{
    xmlNodePtr n = first_node(ctx, "/domain/vcpu");
    d->vcpus = 1;           /* libvirt's default */
    if (!n)
        return;
    char *cs = attr(n, "cpuset");
    if (cs) {
        d->vcpu_cpuset = set_attr(d, n, "cpuset");
        free(cs);
    }
    char *t = text(n);
    if (parse_id(t, MAX_VCPUS, &d->vcpus) < 0 || d->vcpus == 0) {
        violation(d->file, "syntax", "<vcpu>%s</vcpu> is not a vCPU count "
                  "in 1..%d", t, MAX_VCPUS);
        d->vcpus = -1;
    }
    free(t);
}

/* The sizes of the DIMMs and NVDIMMs: part of <memory>, not of cells. */
static void read_dimms(domain *d, xmlXPathContextPtr ctx)
{
    xmlXPathObjectPtr o = select_nodes(ctx, "/domain/devices/memory[@model="
                                       "'dimm' or @model='nvdimm']/target/"
                                       "size");
    for (int i = 0; i < count_of(o); i++) {
        xmlNodePtr n = o->nodesetval->nodeTab[i];
        char *t = text(n), *unit = attr(n, "unit");
        unsigned long long kib;
        if (parse_kib(t, unit, &kib) == 0)
            d->dimm_kib += kib;
        free(t);
        free(unit);
    }
    xmlXPathFreeObject(o);
}

static void read_memory(domain *d, xmlXPathContextPtr ctx)
{
    read_dimms(d, ctx);
    xmlNodePtr n = first_node(ctx, "/domain/memory");
    if (!n)
        return;
    char *t = text(n), *unit = attr(n, "unit");
    d->mem_ok = parse_kib(t, unit, &d->mem_kib) == 0;
    if (!d->mem_ok)
        violation(d->file, "syntax", "<memory unit='%s'>%s</memory> is not "
                  "a memory size", unit ? unit : "", t);
    free(t);
    free(unit);
}

static void read_iothreads(domain *d, xmlXPathContextPtr ctx)
{
    xmlNodePtr n = first_node(ctx, "/domain/iothreads");
    d->iothreadids = hwloc_bitmap_alloc();
    if (n) {
        char *t = text(n);
        if (parse_id(t, MAX_ID, &d->iothreads) < 0) {
            violation(d->file, "syntax", "<iothreads>%s</iothreads> is not "
                      "a count", t);
            d->iothreads = -1;
        }
        free(t);
    }
    xmlXPathObjectPtr o = select_nodes(ctx, "/domain/iothreadids/iothread");
    for (int i = 0; i < count_of(o); i++) {
        long id = id_attr(d, o->nodesetval->nodeTab[i], "id", MAX_ID);
        if (id >= 0)
            hwloc_bitmap_set(d->iothreadids, (unsigned)id);
    }
    xmlXPathFreeObject(o);
    /* libvirt (formatdomain, IOThreads allocation): fewer <iothreadids>
     * than <iothreads> are filled up with the lowest unused ids from 1;
     * more raise the count */
    d->iothread_set = hwloc_bitmap_dup(d->iothreadids);
    long missing = d->iothreads - hwloc_bitmap_weight(d->iothreadids);
    for (long k = 1; missing > 0 && k <= d->iothreads; k++) {
        if (!hwloc_bitmap_isset(d->iothread_set, (unsigned)k)) {
            hwloc_bitmap_set(d->iothread_set, (unsigned)k);
            missing--;
        }
    }
}

static void read_distances(domain *d, cell *c, xmlXPathContextPtr ctx)
{
    xmlXPathObjectPtr o = select_nodes(ctx, "distances/sibling");
    c->has_dist = first_node(ctx, "distances") != NULL;
    c->nsib = count_of(o);
    c->sib = xcalloc((size_t)(c->nsib ? c->nsib : 1), sizeof *c->sib);
    for (int i = 0; i < c->nsib; i++) {
        xmlNodePtr s = o->nodesetval->nodeTab[i];
        c->sib[i].id = id_attr(d, s, "id", MAX_ID);
        c->sib[i].value = id_attr(d, s, "value", INT_MAX);
    }
    xmlXPathFreeObject(o);
}

static void read_cell(domain *d, cell *c, xmlNodePtr n, int index,
                      xmlXPathContextPtr ctx)
{
    char *id = attr(n, "id");
    /* libvirt numbers cells without an id by their position */
    c->id = id ? id_attr(d, n, "id", MAX_ID) : index;
    free(id);
    char *cpus = attr(n, "cpus");
    c->cpus = cpus ? set_attr(d, n, "cpus") : hwloc_bitmap_alloc();
    free(cpus);
    char *mem = attr(n, "memory"), *unit = attr(n, "unit");
    c->kib_ok = parse_kib(mem, unit, &c->kib) == 0;
    if (!c->kib_ok)
        violation(d->file, "syntax", "<cell memory='%s' unit='%s'> (line "
                  "%ld) is not a memory size", mem ? mem : "",
                  unit ? unit : "", xmlGetLineNo(n));
    free(mem);
    free(unit);
    c->memnode = -1;
    char *access = attr(n, "memAccess");
    c->access = access ? !strcmp(access, "shared") : -1;
    free(access);
    xmlNodePtr saved = ctx->node;
    ctx->node = n;
    read_distances(d, c, ctx);
    ctx->node = saved;
}

static void read_cells(domain *d, xmlXPathContextPtr ctx)
{
    xmlXPathObjectPtr o = select_nodes(ctx, "/domain/cpu/numa/cell");
    d->ncells = count_of(o);
    d->cells = xcalloc((size_t)(d->ncells ? d->ncells : 1), sizeof *d->cells);
    for (int i = 0; i < d->ncells; i++)
        read_cell(d, &d->cells[i], o->nodesetval->nodeTab[i], i, ctx);
    xmlXPathFreeObject(o);
}

static void read_numatune(domain *d, xmlXPathContextPtr ctx)
{
    xmlNodePtr m = first_node(ctx, "/domain/numatune/memory");
    if (m) {
        char *mode = attr(m, "mode"), *nodeset = attr(m, "nodeset");
        d->numa_strict = !mode || !strcmp(mode, "strict");
        if (nodeset)
            d->numa_nodes = set_attr(d, m, "nodeset");
        free(mode);
        free(nodeset);
    }
    xmlXPathObjectPtr o = select_nodes(ctx, "/domain/numatune/memnode");
    d->nmemnodes = count_of(o);
    d->memnodes = xcalloc((size_t)(d->nmemnodes ? d->nmemnodes : 1),
                          sizeof *d->memnodes);
    for (int i = 0; i < d->nmemnodes; i++) {
        xmlNodePtr n = o->nodesetval->nodeTab[i];
        d->memnodes[i].cellid = id_attr(d, n, "cellid", MAX_ID);
        d->memnodes[i].nodes = set_attr(d, n, "nodeset");
    }
    xmlXPathFreeObject(o);
}

/* Reads topology attribute NAME (DEF when absent and DEF > 0). */
static int topo_attr(domain *d, xmlNodePtr n, const char *name,
                     unsigned long long def, unsigned long long *out)
{
    char *v = attr(n, name);
    int ok = 1;
    if (!v && def) {
        *out = def;
    } else if (parse_ull(v, out) < 0 || *out == 0 || *out > MAX_VCPUS) {
        violation(d->file, "topology-count", "<topology %s='%s'>: %s",
                  name, v ? v : "", v ? "not a count in 1..16384"
                  : "required attribute missing");
        ok = 0;
    }
    free(v);
    return ok;
}

static void read_topology(domain *d, xmlXPathContextPtr ctx)
{
    xmlNodePtr n = first_node(ctx, "/domain/cpu/topology");
    if (!n)
        return;
    d->has_topo = 1;
    int ok = topo_attr(d, n, "sockets", 0, &d->sockets);
    ok &= topo_attr(d, n, "dies", 1, &d->dies);
    ok &= topo_attr(d, n, "clusters", 1, &d->clusters);
    ok &= topo_attr(d, n, "cores", 0, &d->cores);
    ok &= topo_attr(d, n, "threads", 0, &d->threads);
    d->topo_ok = ok;
}

/* Describes the first element EXPR selects into BUF (LEN bytes):
 * "<NAME type='T'> (line N)"; BUF stays "" when there is none. */
static void describe_first(xmlXPathContextPtr ctx, const char *expr,
                           char *buf, size_t len)
{
    xmlNodePtr n = first_node(ctx, expr);
    if (!n)
        return;
    char *type = attr(n, "type");
    if (!strcmp((const char *)n->name, "filesystem"))
        snprintf(buf, len, "virtiofs <filesystem> (line %ld)",
                 xmlGetLineNo(n));
    else
        snprintf(buf, len, "<%s type='%s'> (line %ld)",
                 (const char *)n->name, type ? type : "", xmlGetLineNo(n));
    free(type);
}

/* <hugepages><page size unit nodeset>; a bare <hugepages/> is one page of
 * the host's default size without nodeset, as libvirt parses it. Without
 * guest cells a nodeset of just "0" is dropped (libvirt's post-parse), so
 * that page backs the whole memory. Needs the cells read. */
static void read_pages(domain *d, xmlXPathContextPtr ctx)
{
    xmlNodePtr hp = first_node(ctx, "/domain/memoryBacking/hugepages");
    d->hugepages = hp != NULL;
    d->pages_ok = 1;
    xmlXPathObjectPtr o = select_nodes(ctx,
                                       "/domain/memoryBacking/hugepages/page");
    int n = count_of(o);
    d->npages = n ? n : d->hugepages;
    d->pages = xcalloc((size_t)(d->npages ? d->npages : 1), sizeof *d->pages);
    if (n == 0 && hp)
        d->pages[0].line = xmlGetLineNo(hp);
    for (int i = 0; i < n; i++) {
        xmlNodePtr e = o->nodesetval->nodeTab[i];
        page *p = &d->pages[i];
        p->line = xmlGetLineNo(e);
        char *size = attr(e, "size"), *unit = attr(e, "unit");
        if (parse_kib(size, unit, &p->kib) < 0 || p->kib == 0) {
            violation(d->file, "syntax", "<page size='%s' unit='%s'> (line "
                      "%ld) is not a page size", size ? size : "",
                      unit ? unit : "", p->line);
            d->pages_ok = 0;
        }
        free(size);
        free(unit);
        char *ns = attr(e, "nodeset");
        if (ns) {
            p->cells = set_attr(d, e, "nodeset");
            p->set_bad = !p->cells;
            if (!p->cells)
                d->pages_ok = 0;
            else if (d->ncells == 0 &&
                     hwloc_bitmap_first(p->cells) == 0 &&
                     hwloc_bitmap_weight(p->cells) == 1) {
                hwloc_bitmap_free(p->cells);
                p->cells = NULL;
            }
        }
        free(ns);
    }
    xmlXPathFreeObject(o);
}

/* <memoryBacking>, <memballoon>, and the devices that constrain memory:
 * PCI hostdevs (vfio) and vhost-user / virtiofs devices. */
/* The guest OS, as far as the socket limit of Windows clients goes. */
static void read_guest_os(domain *d, xmlXPathContextPtr ctx)
{
    xmlNodePtr os = first_node(ctx, "/domain/metadata/*[local-name()="
                               "'libosinfo']/*[local-name()='os']");
    char *id = os ? attr(os, "id") : NULL;
    const char *w = id ? strstr(id, "microsoft.com/win/") : NULL;
    if (w)
        d->windows_client = strncmp(w + 18, "2k", 2) != 0;
    else if (!id)
        d->windows_client = first_node(ctx, "/domain/features/hyperv") != NULL;
    free(id);
}

static void read_backing(domain *d, xmlXPathContextPtr ctx)
{
    char *type = attr(xmlDocGetRootElement(ctx->doc), "type");
    d->qemu = type && (!strcmp(type, "kvm") || !strcmp(type, "qemu"));
    free(type);
    read_pages(d, ctx);
    d->locked = first_node(ctx, "/domain/memoryBacking/locked") != NULL;
    xmlNodePtr n = first_node(ctx, "/domain/memoryBacking/access");
    if (n) {
        char *mode = attr(n, "mode");
        d->access_shared = mode && !strcmp(mode, "shared");
        free(mode);
    }
    n = first_node(ctx, "/domain/memoryBacking/source");
    if (n)
        d->source = attr(n, "type");
    n = first_node(ctx, "/domain/memoryBacking/allocation");
    if (n)
        d->alloc_mode = attr(n, "mode");
    n = first_node(ctx, "/domain/devices/memballoon");
    d->has_balloon = n != NULL;
    if (n)
        d->balloon_model = attr(n, "model");
    /* a balloon the user configured (its settings, not just the address
     * virt-install writes) is kept by mem.balloon, with a finding */
    d->balloon_configured = first_node(ctx, "/domain/devices/memballoon"
                                       "[@autodeflate or @freePageReporting "
                                       "or stats or driver]") != NULL;
    /* hostdev mode defaults to 'subsystem' */
    describe_first(ctx, "/domain/devices/hostdev[(not(@mode) or "
                   "@mode='subsystem') and @type='pci'] | "
                   "/domain/devices/interface[@type='hostdev']",
                   d->vfio, sizeof d->vfio);
    describe_first(ctx, "/domain/devices/interface[@type='vhostuser'] | "
                   "/domain/devices/disk[@type='vhostuser'] | "
                   "/domain/devices/filesystem[driver/@type='virtiofs']",
                   d->shared_dev, sizeof d->shared_dev);
}

/* Parses everything of DOC the checks use. */
void read_all(domain *d, xmlDocPtr doc)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    if (!ctx) {
        fputs(PROG ": out of memory\n", stderr);
        abort();
    }
    read_vcpu(d, ctx);
    read_memory(d, ctx);
    d->pins = read_pins(d, ctx, "/domain/cputune/vcpupin", "vcpu", &d->npins);
    d->emu = read_pins(d, ctx, "/domain/cputune/emulatorpin", NULL, &d->nemu);
    d->io = read_pins(d, ctx, "/domain/cputune/iothreadpin", "iothread",
                      &d->nio);
    read_iothreads(d, ctx);
    read_cells(d, ctx);
    read_numatune(d, ctx);
    read_topology(d, ctx);
    read_guest_os(d, ctx);
    read_backing(d, ctx);
    read_devices(d, ctx);
    xmlXPathFreeContext(ctx);
}

/* Is iothread ID one the domain defines (<iothreadids>, filled up to
 * <iothreads> as libvirt does; 1..N without <iothreadids>)? */
int iothread_known(const domain *d, long id)
{
    return id >= 0 && hwloc_bitmap_isset(d->iothread_set, (unsigned)id);
}
