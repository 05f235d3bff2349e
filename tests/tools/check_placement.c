/*
 * check_placement.c - vt-check-placement, the independent checker of the
 * CPU and memory placement vtune-xml writes into libvirt domain XML.
 *
 *   vt-check-placement --host SRC [--reserved CPULIST] [--irq-budget N]
 *                      [-v] DOMAIN.xml...
 *
 * It owns its own reading of the domain XML (<vcpu>, <memory>, <cputune>
 * vcpupin / emulatorpin / iothreadpin, <iothreads>, <iothreadids>,
 * <numatune>, <cpu><topology>, <cpu><numa> cells and distances,
 * <memoryBacking>, <memballoon> and the devices that constrain memory,
 * the <driver> of disks, interfaces and controllers) and checks the
 * result against libvirt's documented semantics (formatdomain: CPU
 * tuning, NUMA node tuning, CPU model and topology, memory backing,
 * memory balloon device, IOThreads allocation, hard drives, network
 * interfaces, controllers) and the host model
 * (compiler/host.h, loaded with host_load) only. It deliberately shares no
 * code with the placement rules it checks.
 *
 * All domains of one run share the host: a host CPU serves at most one
 * vCPU of one domain, and node memory and free hugepages are budgets for
 * the run.
 *
 * Memory backing (formatdomain: Memory Backing, Memory balloon device,
 * NUMA Node Tuning, guest NUMA cells), read from <memoryBacking>, cell
 * memAccess, <numatune> and <devices>:
 *   hugepages-cells     a <page nodeset> lists guest cell ids: each one is
 *                       a cell of the domain (without cells only "0",
 *                       which libvirt then treats as no nodeset); no two
 *                       nodesets intersect and at most one <page> has no
 *                       nodeset (libvirt refuses both, whatever the sizes)
 *   hugepages-size      the page size backing memory (a cell's: the
 *                       <page> whose nodeset lists it, else the one
 *                       without nodeset) has a pool on every host node
 *                       that memory is bound to (memnode, else
 *                       <numatune><memory> nodeset), or on some host node
 *                       when unbound; a bare <hugepages/> means the
 *                       host's default size: some pool above the base page
 *   hugepages-multiple  memory backed by a page size is a whole multiple of
 *                       it: each cell's, or <memory> without cells
 *   hugepages-budget    per host node and page size, the pages the run
 *                       needs fit the pool's free pages (its total when
 *                       free is unknown; 0 without a pool): memory bound to
 *                       one node goes there, memory bound to several is
 *                       split evenly, unbound memory is not counted
 *   balloon-locked      <locked/>, <hugepages> or a PCI hostdev (vfio:
 *                       <hostdev type='pci'>, <interface type='hostdev'>)
 *                       need <memballoon model='none'>; a kvm/qemu domain
 *                       without <memballoon> gets a virtio one
 *   memaccess-shared    a vhost-user interface or disk or a virtiofs
 *                       filesystem needs shared memory (each cell's
 *                       memAccess, else <access mode>, is 'shared') and,
 *                       for memory no hugepage backs, <source
 *                       type='memfd'> or 'file'
 *   allocation          <allocation mode> is 'immediate' or 'ondemand'
 * Page sizes are compared in KiB; the base page (the host's smallest pool
 * when it is at most 64 KiB) is ordinary memory for libvirt: it backs no
 * hugepage and needs no hugepage budget (node-memory covers it). A host
 * whose nodes list no pool at all has unknown pools: hugepages-size and
 * hugepages-budget are skipped.
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
 *
 * Output: one line per violation on stdout, "FILE: invariant: detail";
 * nothing on success unless -v. Exit 0 no violation, 1 violations,
 * 2 usage or input error (unreadable or not well-formed file, root not
 * <domain>, entity declarations, unusable host), with a message on stderr.
 * A value libvirt would reject (a bad cpuset, number or unit) is reported
 * as the violation "syntax" and the checks that need it are skipped.
 */
#include "load.h"
#include "alloc.h"
#include "strbuf.h"
#include "file.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#define PROG "vt-check-placement"
#define EXIT_VIOLATION 1
#define EXIT_INPUT 2
#define MAX_VCPUS 16384         /* above any hypervisor's limit */
#define MAX_ID 65535            /* cpuset / nodeset / cell / iothread ids */

/* ------------------------------------------------------------------ */
/* reporting                                                           */

static int nviolations;
static int verbose;

static void violation(const char *file, const char *inv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void violation(const char *file, const char *inv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: %s: ", file, inv);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    nviolations++;
}

static void input_error(const char *file, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void input_error(const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    if (file)
        fprintf(stderr, "%s: ", file);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A CPU or node list as text; the caller frees. */
static char *fmt_set(hwloc_const_bitmap_t set)
{
    return cpulist_format(set);
}

/* ------------------------------------------------------------------ */
/* values: numbers, libvirt cpusets, memory units                      */

/* Parses a non-negative decimal integer (surrounding blanks allowed). */
static int parse_ull(const char *s, unsigned long long *out)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    unsigned long long v = 0;
    while (isdigit((unsigned char)*s)) {
        unsigned d = (unsigned)(*s++ - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return -1;
    *out = v;
    return 0;
}

/* As parse_ull, limited to 0..MAX. */
static int parse_id(const char *s, long max, long *out)
{
    unsigned long long v;
    if (parse_ull(s, &v) < 0 || v > (unsigned long long)max)
        return -1;
    *out = (long)v;
    return 0;
}

/* Reads one id of a cpuset at *P, advancing it. */
static int set_number(const char **p, unsigned *out)
{
    const char *s = *p;
    unsigned long v = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (unsigned long)(*s++ - '0');
        if (v > MAX_ID)
            return -1;
    }
    *p = s;
    *out = (unsigned)v;
    return 0;
}

/* Parses a libvirt cpuset / nodeset: comma-separated ids, ranges "a-b"
 * and exclusions "^n" (formatdomain, <vcpu cpuset>), blanks allowed
 * around items. Returns a new set, or NULL on a syntax error. */
static hwloc_bitmap_t parse_set(const char *s)
{
    if (!s)
        return NULL;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    hwloc_bitmap_t minus = hwloc_bitmap_alloc();
    const char *p = s;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        int neg = *p == '^';
        p += neg;
        unsigned lo, hi;
        if (set_number(&p, &lo) < 0)
            goto bad;
        hi = lo;
        if (!neg && *p == '-') {
            p++;
            if (set_number(&p, &hi) < 0 || hi < lo)
                goto bad;
        }
        hwloc_bitmap_set_range(neg ? minus : set, lo, (int)hi);
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        if (*p++ != ',')
            goto bad;
    }
    hwloc_bitmap_andnot(set, set, minus);
    hwloc_bitmap_free(minus);
    return set;
bad:
    hwloc_bitmap_free(set);
    hwloc_bitmap_free(minus);
    return NULL;
}

/* Bytes per UNIT as libvirt scales integers: none means KiB; "b", "byte",
 * "bytes"; "k"/"KiB" (1024), "KB" (1000), likewise M, G, T, P, E; case is
 * not significant. Returns -1 for an unknown unit. */
static int unit_bytes(const char *unit, unsigned long long *out)
{
    if (!unit || !*unit) {
        *out = 1024;
        return 0;
    }
    if (!strcasecmp(unit, "b") || !strcasecmp(unit, "byte") ||
        !strcasecmp(unit, "bytes")) {
        *out = 1;
        return 0;
    }
    unsigned long long base;
    if (!unit[1] || !strcasecmp(unit + 1, "iB"))
        base = 1024;
    else if (tolower((unsigned char)unit[1]) == 'b' && !unit[2])
        base = 1000;
    else
        return -1;
    const char *order = "kmgtpe";
    const char *at = strchr(order, tolower((unsigned char)unit[0]));
    if (!at || !unit[0])
        return -1;
    unsigned long long mul = 1;
    for (const char *q = order; q <= at; q++)
        mul *= base;
    *out = mul;
    return 0;
}

/* VALUE in UNIT, in KiB rounded up as libvirt stores memory. */
static int parse_kib(const char *value, const char *unit,
                     unsigned long long *kib)
{
    unsigned long long v, mul;
    if (parse_ull(value, &v) < 0 || unit_bytes(unit, &mul) < 0)
        return -1;
    if (v && v > ULLONG_MAX / mul)
        return -1;
    v *= mul;
    *kib = v / 1024 + (v % 1024 != 0);
    return 0;
}

/* ------------------------------------------------------------------ */
/* XML access                                                          */

/* Attribute NAME of N as a malloc'ed string, or NULL. */
static char *attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

/* Text content of N as a malloc'ed string. */
static char *text(xmlNodePtr n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *s = xstrdup(v ? (const char *)v : "");
    xmlFree(v);
    return s;
}

/* The elements EXPR selects (relative to CTX's node); the caller frees the
 * result with xmlXPathFreeObject. Never NULL. */
static xmlXPathObjectPtr select_nodes(xmlXPathContextPtr ctx,
                                      const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (!o) {
        fprintf(stderr, PROG ": XPath failure on %s\n", expr);
        abort();
    }
    return o;
}

static int count_of(xmlXPathObjectPtr o)
{
    return o->nodesetval ? o->nodesetval->nodeNr : 0;
}

/* The first element EXPR selects, or NULL. */
static xmlNodePtr first_node(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o = select_nodes(ctx, expr);
    xmlNodePtr n = count_of(o) ? o->nodesetval->nodeTab[0] : NULL;
    xmlXPathFreeObject(o);
    return n;
}

/* Reads PATH as XML without network, DTD loading or entity substitution;
 * refuses a DOCTYPE declaring entities and a root other than <domain>.
 * Returns NULL after a message. */
static xmlDocPtr read_domain(const char *path)
{
    size_t len;
    char *buf = file_read(path, &len);
    if (!buf) {
        input_error(path, "cannot read: %s", strerror(errno));
        return NULL;
    }
    if (len > (size_t)INT_MAX) {
        free(buf);
        input_error(path, "file too large");
        return NULL;
    }
    xmlParserCtxtPtr pc = xmlNewParserCtxt();
    if (!pc) {
        fputs(PROG ": out of memory\n", stderr);
        abort();
    }
    xmlDocPtr doc = xmlCtxtReadMemory(pc, buf, (int)len, path, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
    free(buf);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(pc);
        const char *msg = e && e->message ? e->message : "unknown error";
        input_error(path, "not well-formed XML (line %d): %.*s",
                    e ? e->line : 0, (int)strcspn(msg, "\n"), msg);
        xmlFreeParserCtxt(pc);
        return NULL;
    }
    xmlFreeParserCtxt(pc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    const char *why = NULL;
    if (doc->intSubset &&
        (doc->intSubset->entities || doc->intSubset->pentities))
        why = "the DOCTYPE declares entities, which are refused";
    else if (!root)
        why = "no root element";
    else if (root->ns || strcmp((const char *)root->name, "domain"))
        why = "the root element is not <domain>";
    if (why) {
        input_error(path, "%s", why);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

/* ------------------------------------------------------------------ */
/* the domain as the checks see it                                     */

typedef struct pin {
    long id;                /* vCPU or iothread id; -1 emulator or bad */
    hwloc_bitmap_t set;     /* NULL when the cpuset is bad */
    int valid;              /* id in range, not a duplicate, set parsed */
} pin;

typedef struct sibling {
    long id, value;
} sibling;

typedef struct cell {
    long id;                /* -1 when bad */
    hwloc_bitmap_t cpus;    /* NULL when bad */
    unsigned long long kib;
    int kib_ok;
    int has_dist;           /* a <distances> element */
    int nsib;
    sibling *sib;
    int memnode;            /* index into domain.memnodes, -1 none */
    int access;             /* memAccess: 1 shared, 0 other, -1 absent */
} cell;

typedef struct memnode {
    long cellid;            /* -1 when bad */
    hwloc_bitmap_t nodes;   /* NULL when bad or absent */
} memnode;

/* One <memoryBacking><hugepages><page>. */
typedef struct page {
    unsigned long long kib; /* page size; 0: the host's default hugepage
                               size (a bare <hugepages/>) */
    hwloc_bitmap_t cells;   /* guest cell ids of nodeset; NULL none */
    int set_bad;            /* nodeset present but not a valid set */
    long line;
} page;

/* What one page size backs: a guest cell, or <memory> without cells. */
typedef struct part {
    char label[32];         /* "cell 1" or "<memory>" */
    unsigned long long kib;
    int kib_ok;
    hwloc_const_bitmap_t nodes; /* host nodes it is bound to (memnode,
                                   else <numatune><memory>); NULL none */
    int page;               /* index into domain.pages, -1 none */
} part;

/* One <disk>, <interface> or <controller> as the I/O checks see it. */
enum { IO_DISK, IO_NET, IO_CTRL };

/* An optional unsigned attribute: absent, a valid value, or bad (a
 * syntax violation was reported). */
typedef struct uval {
    int state;              /* 0 absent, 1 valid, -1 bad */
    unsigned long long v;
} uval;

typedef struct iodev {
    int kind;               /* IO_DISK, IO_NET, IO_CTRL */
    char what[112];         /* "<disk> (target vda)", ... */
    char *type;             /* the element's type attribute; NULL absent */
    int vectors;            /* MSI-X vectors per queue (1 virtio-blk,
                               2 virtio NIC) or 0: not a counted device */
    int fixed;              /* vectors besides the queues */
    char no_iothread[160];  /* why it takes no iothread, "" when it may */
    uval queues, rx, tx;    /* <driver queues rx_queue_size
                               tx_queue_size> */
    char *name, *io, *cache; /* <driver name io cache>; NULL absent */
    int nrefs;
    struct ioref {
        long id;
        int sub;            /* 0 <driver iothread>, 1 <driver><iothreads>
                               <iothread id> */
    } *refs;                /* the iothreads its <driver> names */
} iodev;

typedef struct domain {
    const char *file;
    int qemu;                   /* <domain type='kvm'|'qemu'> */
    long vcpus;                 /* <vcpu>; -1 unknown (bad) */
    unsigned long long mem_kib; /* <memory> */
    int mem_ok;
    int npins, nemu, nio;
    pin *pins, *emu, *io;       /* vcpupin, emulatorpin, iothreadpin */
    long iothreads;             /* <iothreads>; 0 absent, -1 bad */
    hwloc_bitmap_t iothreadids;
    int ncells, nmemnodes;
    cell *cells;
    memnode *memnodes;
    int numa_strict;            /* <numatune><memory> mode is strict */
    hwloc_bitmap_t numa_nodes;  /* its nodeset; NULL none or bad */
    int has_topo, topo_ok;
    unsigned long long sockets, dies, clusters, cores, threads;
    hwloc_bitmap_t *vset;       /* per vCPU: its valid pin, or NULL */
    int *vcell;                 /* per vCPU: index into cells, or -1 */
    hwloc_bitmap_t vunion;      /* every CPU of every valid vcpupin */
    hwloc_bitmap_t dedicated;   /* CPUs of vcpupins naming one CPU: a
                                   vCPU pinned 1:1 owns it; a vCPU pinned
                                   to a set floats and owns none */
    hwloc_bitmap_t excl;        /* emulator/iothread CPUs not reserved */
    int hugepages;              /* <memoryBacking><hugepages> present */
    int pages_ok;               /* every <page> parsed */
    int npages;
    page *pages;                /* a bare <hugepages/> is one page of
                                   size 0 without nodeset (libvirt) */
    int locked;                 /* <memoryBacking><locked/> */
    int access_shared;          /* <access mode='shared'/> */
    char *source;               /* <source type>; NULL absent */
    char *alloc_mode;           /* <allocation mode>; NULL absent */
    int has_balloon;            /* <devices><memballoon> */
    char *balloon_model;        /* its model; NULL absent */
    char vfio[64];              /* first PCI hostdev, "" none */
    char shared_dev[64];        /* first device needing shared memory */
    int nparts;
    part *parts;                /* per cell, or one for <memory> */
    hwloc_bitmap_t iothread_set; /* the iothread ids libvirt defines */
    int ndevs;
    iodev *devs;                /* disks, interfaces, controllers */
} domain;

static void free_pins(pin *p, int n)
{
    for (int i = 0; i < n; i++)
        hwloc_bitmap_free(p[i].set);
    free(p);
}

static void domain_free(domain *d)
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
    char *t = text(n);
    if (parse_id(t, MAX_VCPUS, &d->vcpus) < 0 || d->vcpus == 0) {
        violation(d->file, "syntax", "<vcpu>%s</vcpu> is not a vCPU count "
                  "in 1..%d", t, MAX_VCPUS);
        d->vcpus = -1;
    }
    free(t);
}

static void read_memory(domain *d, xmlXPathContextPtr ctx)
{
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

/* ------------------------------------------------------------------ */
/* I/O devices                                                         */

/* The first child element of N called NAME, or NULL. */
static xmlNodePtr child_elem(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !c->ns &&
            !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

static int streq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
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

static void read_devices(domain *d, xmlXPathContextPtr ctx)
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

/* Parses everything of DOC the checks use. */
static void read_all(domain *d, xmlDocPtr doc)
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
    read_backing(d, ctx);
    read_devices(d, ctx);
    xmlXPathFreeContext(ctx);
}

/* ------------------------------------------------------------------ */
/* reserved host CPUs                                                  */

/* The first core (all its SMT siblings) of every node with an online CPU;
 * first = the core holding the node's lowest-numbered online CPU. */
static hwloc_bitmap_t first_cores(const vt_host *h)
{
    hwloc_bitmap_t r = hwloc_bitmap_alloc();
    for (int i = 0; i < h->nnodes; i++) {
        int id;
        hwloc_bitmap_foreach_begin(id, h->nodes[i].cpus) {
            const vt_host_cpu *c = host_cpu_by_id(h, id);
            if (!c || !c->online)
                continue;
            if (c->core >= 0)
                hwloc_bitmap_or(r, r, h->cores[c->core]);
            else
                hwloc_bitmap_set(r, (unsigned)id);
            break;
        } hwloc_bitmap_foreach_end();
    }
    return r;
}

/* --reserved; else the snapshot's reserved_cpus; else the online CPUs
 * that are not isolated when the host isolates some; else first_cores. NULL after a message (bad option). */
static hwloc_bitmap_t reserved_cpus(const vt_host *h, const char *opt)
{
    if (opt) {
        hwloc_bitmap_t r = parse_set(opt);
        if (!r)
            input_error(NULL, "--reserved '%s' is not a CPU list", opt);
        return r;
    }
    if (h->reserved)        /* the snapshot names the host's own CPUs */
        return hwloc_bitmap_dup(h->reserved);
    if (h->isolated && !hwloc_bitmap_iszero(h->isolated)) {
        hwloc_bitmap_t r = hwloc_bitmap_alloc();
        for (int i = 0; i < h->ncpus; i++)
            if (h->cpus[i].online &&
                !hwloc_bitmap_isset(h->isolated, (unsigned)h->cpus[i].id))
                hwloc_bitmap_set(r, (unsigned)h->cpus[i].id);
        return r;
    }
    return first_cores(h);
}

/* ------------------------------------------------------------------ */
/* per-domain checks                                                   */

/* CPUs of SET the host lacks (MISSING) and has offline (OFFLINE). */
static void split_unusable(const vt_host *h, hwloc_const_bitmap_t set,
                           hwloc_bitmap_t missing, hwloc_bitmap_t offline)
{
    int id;
    hwloc_bitmap_zero(missing);
    hwloc_bitmap_zero(offline);
    hwloc_bitmap_foreach_begin(id, set) {
        const vt_host_cpu *c = host_cpu_by_id(h, id);
        if (!c)
            hwloc_bitmap_set(missing, (unsigned)id);
        else if (!c->online)
            hwloc_bitmap_set(offline, (unsigned)id);
    } hwloc_bitmap_foreach_end();
}

/* Checks that the CPUs of pin P (named WHAT, prefix INV) exist, are online
 * and, when RESERVED is given, are not in it. */
static void check_pin_cpus(const domain *d, const vt_host *h, const pin *p,
                           const char *inv, const char *what,
                           hwloc_const_bitmap_t reserved)
{
    hwloc_bitmap_t missing = hwloc_bitmap_alloc();
    hwloc_bitmap_t offline = hwloc_bitmap_alloc();
    split_unusable(h, p->set, missing, offline);
    char buf[64];
    struct { hwloc_bitmap_t set; const char *inv, *why; } bad[3] = {
        {missing, "exists", "not on the host"},
        {offline, "online", "offline"},
        {NULL, "reserved", "reserved for the host"},
    };
    if (reserved) {
        bad[2].set = hwloc_bitmap_alloc();
        hwloc_bitmap_and(bad[2].set, p->set, reserved);
    }
    if (hwloc_bitmap_iszero(p->set))
        violation(d->file, "syntax", "%s has an empty cpuset", what);
    for (int k = 0; k < 3; k++) {
        if (!bad[k].set || hwloc_bitmap_iszero(bad[k].set))
            continue;
        char *s = fmt_set(bad[k].set);
        snprintf(buf, sizeof buf, "%s-%s", inv, bad[k].inv);
        violation(d->file, buf, "%s uses host CPU%s %s, %s", what,
                  hwloc_bitmap_weight(bad[k].set) > 1 ? "s" : "", s,
                  bad[k].why);
        free(s);
    }
    hwloc_bitmap_free(bad[2].set);
    hwloc_bitmap_free(missing);
    hwloc_bitmap_free(offline);
}

/* vcpupin: vCPU ids below <vcpu>, none twice, CPUs usable; fills vset and
 * vunion. */
static void check_vcpupins(domain *d, const vt_host *h,
                           hwloc_const_bitmap_t reserved)
{
    long n = d->vcpus > 0 ? d->vcpus : 0;
    d->vset = xcalloc((size_t)(n ? n : 1), sizeof *d->vset);
    d->vunion = hwloc_bitmap_alloc();
    d->dedicated = hwloc_bitmap_alloc();
    for (int i = 0; i < d->npins; i++) {
        pin *p = &d->pins[i];
        if (!p->valid)
            continue;
        if (d->vcpus > 0 && p->id >= d->vcpus) {
            violation(d->file, "vcpupin-vcpu", "vcpupin names vCPU %ld, but "
                      "<vcpu> is %ld", p->id, d->vcpus);
            p->valid = 0;
        } else if (d->vcpus > 0 && d->vset[p->id]) {
            violation(d->file, "vcpupin-vcpu", "vCPU %ld is pinned twice",
                      p->id);
            p->valid = 0;
        }
        char what[48];
        snprintf(what, sizeof what, "vCPU %ld", p->id);
        check_pin_cpus(d, h, p, "vcpupin", what, reserved);
        if (!p->valid)
            continue;
        if (d->vcpus > 0)
            d->vset[p->id] = p->set;
        hwloc_bitmap_or(d->vunion, d->vunion, p->set);
        if (hwloc_bitmap_weight(p->set) == 1)
            hwloc_bitmap_or(d->dedicated, d->dedicated, p->set);
    }
}

/* No host CPU a vCPU is pinned to 1:1 is in the vcpupin of another vCPU
 * of the domain (floating vCPUs may share their set). */
static void check_vcpu_overlap(const domain *d)
{
    hwloc_bitmap_t both = hwloc_bitmap_alloc();
    for (int i = 0; i < d->npins; i++) {
        for (int j = i + 1; j < d->npins; j++) {
            const pin *a = &d->pins[i], *b = &d->pins[j];
            if (!a->valid || !b->valid ||
                (hwloc_bitmap_weight(a->set) > 1 &&
                 hwloc_bitmap_weight(b->set) > 1))
                continue;
            hwloc_bitmap_and(both, a->set, b->set);
            if (hwloc_bitmap_iszero(both))
                continue;
            char *s = fmt_set(both);
            violation(d->file, "vcpu-overlap", "vCPUs %ld and %ld are both "
                      "pinned to host CPU(s) %s", a->id, b->id, s);
            free(s);
        }
    }
    hwloc_bitmap_free(both);
}

/* Is iothread ID one the domain defines (<iothreadids>, filled up to
 * <iothreads> as libvirt does; 1..N without <iothreadids>)? */
static int iothread_known(const domain *d, long id)
{
    return id >= 0 && hwloc_bitmap_isset(d->iothread_set, (unsigned)id);
}

/* emulatorpin / iothreadpin: CPUs exist and are online, iothread ids are
 * defined and pinned once; fills excl. */
static void check_aux_pins(domain *d, const vt_host *h,
                           hwloc_const_bitmap_t reserved)
{
    d->excl = hwloc_bitmap_alloc();
    hwloc_bitmap_t seen = hwloc_bitmap_alloc();
    char what[48];
    for (int i = 0; i < d->nemu + d->nio; i++) {
        int emu = i < d->nemu;
        pin *p = emu ? &d->emu[i] : &d->io[i - d->nemu];
        if (!emu && p->id >= 0 && !iothread_known(d, p->id))
            violation(d->file, "iothreadpin-id", "iothreadpin names "
                      "iothread %ld, which <iothreads>/<iothreadids> do not "
                      "define", p->id);
        else if (!emu && p->id >= 0 &&
                 hwloc_bitmap_isset(seen, (unsigned)p->id))
            violation(d->file, "iothreadpin-id", "iothread %ld is pinned "
                      "twice", p->id);
        if (!emu && p->id >= 0)
            hwloc_bitmap_set(seen, (unsigned)p->id);
        if (!p->set)
            continue;
        if (emu)
            snprintf(what, sizeof what, "emulatorpin");
        else
            snprintf(what, sizeof what, "iothread %ld", p->id);
        check_pin_cpus(d, h, p, emu ? "emulatorpin" : "iothreadpin", what,
                       NULL);
        hwloc_bitmap_or(d->excl, d->excl, p->set);
    }
    hwloc_bitmap_andnot(d->excl, d->excl, reserved);
    hwloc_bitmap_free(seen);
}

/* Cells: ids unique and below the cell count (libvirt), cpus partition
 * 0..vcpus-1, memory sums to <memory>; fills vcell. */
static void check_cells_partition(domain *d)
{
    long n = d->vcpus > 0 ? d->vcpus : 0;
    d->vcell = xmalloc((size_t)(n ? n : 1) * sizeof *d->vcell);
    for (long v = 0; v < n; v++)
        d->vcell[v] = -1;
    hwloc_bitmap_t ids = hwloc_bitmap_alloc();
    for (int i = 0; i < d->ncells; i++) {
        cell *c = &d->cells[i];
        if (c->id >= d->ncells)
            violation(d->file, "cell-id", "cell id %ld is not below the cell "
                      "count %d", c->id, d->ncells);
        else if (c->id >= 0 && hwloc_bitmap_isset(ids, (unsigned)c->id))
            violation(d->file, "cell-id", "cell id %ld is used twice", c->id);
        if (c->id >= 0)
            hwloc_bitmap_set(ids, (unsigned)c->id);
        if (!c->cpus || d->vcpus <= 0)
            continue;
        int v;
        hwloc_bitmap_foreach_begin(v, c->cpus) {
            if (v >= d->vcpus)
                violation(d->file, "cells-partition", "cell %ld lists vCPU "
                          "%d, but <vcpu> is %ld", c->id, v, d->vcpus);
            else if (d->vcell[v] >= 0)
                violation(d->file, "cells-partition", "vCPU %d is in cells "
                          "%ld and %ld", v, d->cells[d->vcell[v]].id, c->id);
            else
                d->vcell[v] = i;
        } hwloc_bitmap_foreach_end();
    }
    hwloc_bitmap_free(ids);
    if (d->ncells == 0)
        return;
    hwloc_bitmap_t gap = hwloc_bitmap_alloc();
    for (long v = 0; v < n; v++)
        if (d->vcell[v] < 0)
            hwloc_bitmap_set(gap, (unsigned)v);
    if (!hwloc_bitmap_iszero(gap)) {
        char *s = fmt_set(gap);
        violation(d->file, "cells-partition", "vCPU(s) %s are in no cell", s);
        free(s);
    }
    hwloc_bitmap_free(gap);
}

static void check_cells_memory(const domain *d)
{
    unsigned long long sum = 0;
    for (int i = 0; i < d->ncells; i++) {
        if (!d->cells[i].kib_ok)
            return;
        sum += d->cells[i].kib;
    }
    if (d->mem_ok && sum != d->mem_kib)
        violation(d->file, "cells-memory", "the cells hold %llu KiB, "
                  "<memory> is %llu KiB", sum, d->mem_kib);
}

/* Index of the cell with id ID, or -1. */
static int cell_index(const domain *d, long id)
{
    for (int i = 0; i < d->ncells; i++)
        if (d->cells[i].id == id)
            return i;
    return -1;
}

/* The distance cell A gives for sibling id B, or -1 when not listed. */
static long sibling_value(const cell *a, long b)
{
    for (int k = 0; k < a->nsib; k++)
        if (a->sib[k].id == b)
            return a->sib[k].value;
    return -1;
}

/* Distances of one cell C: a sibling per cell, no unknown or repeated
 * sibling, 10 to itself, 10..255, symmetric with the other cells. */
static void check_cell_distances(const domain *d, const cell *c)
{
    for (int k = 0; k < c->nsib; k++) {
        const sibling *s = &c->sib[k];
        if (s->id < 0 || s->value < 0)
            continue;
        if (cell_index(d, s->id) < 0)
            violation(d->file, "distances", "cell %ld: sibling %ld is not a "
                      "cell", c->id, s->id);
        for (int m = 0; m < k; m++)
            if (c->sib[m].id == s->id)
                violation(d->file, "distances", "cell %ld: sibling %ld is "
                          "listed twice", c->id, s->id);
        if (s->id == c->id && s->value != 10)
            violation(d->file, "distances", "cell %ld: distance to itself is "
                      "%ld, not 10", c->id, s->value);
        if (s->value < 10 || s->value > 255)
            violation(d->file, "distances", "cell %ld: distance %ld to cell "
                      "%ld is outside 10..255", c->id, s->value, s->id);
    }
    for (int j = 0; j < d->ncells; j++) {
        const cell *o = &d->cells[j];
        if (o->id < 0)
            continue;
        long there = sibling_value(c, o->id);
        long back = o->has_dist ? sibling_value(o, c->id) : -1;
        if (there < 0)
            violation(d->file, "distances", "cell %ld has no distance to "
                      "cell %ld", c->id, o->id);
        else if (back >= 0 && o->id > c->id && back != there)
            violation(d->file, "distances", "cells %ld and %ld: distance "
                      "%ld one way, %ld the other", c->id, o->id, there,
                      back);
    }
}

static void check_distances(const domain *d)
{
    int with = 0;
    for (int i = 0; i < d->ncells; i++)
        with += d->cells[i].has_dist;
    if (!with)
        return;
    for (int i = 0; i < d->ncells; i++) {
        const cell *c = &d->cells[i];
        if (!c->has_dist)
            violation(d->file, "distances", "cell %ld has no <distances> "
                      "while other cells do", c->id);
        else if (c->id >= 0)
            check_cell_distances(d, c);
    }
}

/* Host nodes of NODES the host lacks are reported under INV. */
static void check_nodes_exist(const domain *d, const vt_host *h,
                              hwloc_const_bitmap_t nodes, const char *what)
{
    int id;
    hwloc_bitmap_foreach_begin(id, nodes) {
        if (!host_node_by_id(h, id))
            violation(d->file, "numatune-nodes", "%s names host node %d, "
                      "which the host does not have", what, id);
    } hwloc_bitmap_foreach_end();
}

/* The CPUs of the host nodes in NODES. */
static hwloc_bitmap_t nodes_cpus(const vt_host *h, hwloc_const_bitmap_t nodes)
{
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
    int id;
    hwloc_bitmap_foreach_begin(id, nodes) {
        const vt_host_node *n = host_node_by_id(h, id);
        if (n)
            hwloc_bitmap_or(cpus, cpus, n->cpus);
    } hwloc_bitmap_foreach_end();
    return cpus;
}

/* Every pinned vCPU of VCPUS (a set of vCPU ids; NULL = all) is pinned
 * inside the CPUs of host NODES; reported under INV with WHAT. */
static void check_pins_in_nodes(const domain *d, const vt_host *h,
                                hwloc_const_bitmap_t vcpus,
                                hwloc_const_bitmap_t nodes, const char *inv,
                                const char *what)
{
    hwloc_bitmap_t allowed = nodes_cpus(h, nodes);
    char *ns = fmt_set(nodes);
    for (long v = 0; v < d->vcpus; v++) {
        if (!d->vset[v] || (vcpus && !hwloc_bitmap_isset(vcpus, (unsigned)v)))
            continue;
        if (hwloc_bitmap_isincluded(d->vset[v], allowed))
            continue;
        char *s = fmt_set(d->vset[v]);
        violation(d->file, inv, "vCPU %ld is pinned to host CPU(s) %s, not "
                  "all in host node(s) %s of %s", v, s, ns, what);
        free(s);
    }
    free(ns);
    hwloc_bitmap_free(allowed);
}

/* memnodes: a known cell each, nodes on the host, and the cell's pinned
 * vCPUs inside the memnode's nodes. */
static void check_memnodes(domain *d, const vt_host *h)
{
    for (int i = 0; i < d->nmemnodes; i++) {
        memnode *m = &d->memnodes[i];
        if (m->cellid < 0 || !m->nodes)
            continue;
        int ci = cell_index(d, m->cellid);
        char what[48];
        snprintf(what, sizeof what, "memnode cellid=%ld", m->cellid);
        check_nodes_exist(d, h, m->nodes, what);
        if (ci < 0) {
            violation(d->file, "memnode-cell", "memnode cellid=%ld names no "
                      "cell", m->cellid);
            continue;
        }
        if (d->cells[ci].memnode >= 0) {
            violation(d->file, "memnode-cell", "cell %ld has two memnodes",
                      m->cellid);
            continue;
        }
        d->cells[ci].memnode = i;
        if (d->cells[ci].cpus && d->vcpus > 0)
            check_pins_in_nodes(d, h, d->cells[ci].cpus, m->nodes,
                                "memnode-cpus", what);
    }
}

/* <numatune><memory mode='strict' nodeset>, no cells: every pinned vCPU
 * inside those nodes. */
static void check_numatune(const domain *d, const vt_host *h)
{
    if (!d->numa_nodes)
        return;
    check_nodes_exist(d, h, d->numa_nodes, "numatune memory");
    if (d->ncells == 0 && d->numa_strict && d->vcpus > 0)
        check_pins_in_nodes(d, h, NULL, d->numa_nodes, "numatune-cpus",
                            "numatune memory");
}

/* Is every vCPU pinned to exactly one CPU? */
static int all_pinned_once(const domain *d)
{
    for (long v = 0; v < d->vcpus; v++)
        if (!d->vset[v] || hwloc_bitmap_weight(d->vset[v]) != 1)
            return 0;
    return 1;
}

/* Guest core K (vCPUs k*t..k*t+t-1) on t distinct SMT siblings of one
 * host core; no host core for two guest cores. */
static void check_sibling_pins(const domain *d, const vt_host *h)
{
    long t = (long)d->threads;
    int *owner = xmalloc((size_t)(h->ncores ? h->ncores : 1) * sizeof *owner);
    for (int i = 0; i < h->ncores; i++)
        owner[i] = -1;
    for (long k = 0; k * t < d->vcpus; k++) {
        hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
        int core = -2;
        for (long v = k * t; v < k * t + t; v++) {
            int id = hwloc_bitmap_first(d->vset[v]);
            const vt_host_cpu *c = host_cpu_by_id(h, id);
            int cc = c ? c->core : -1;
            core = core == -2 || core == cc ? cc : -1;
            hwloc_bitmap_set(cpus, (unsigned)id);
        }
        char *s = fmt_set(cpus);
        if (hwloc_bitmap_weight(cpus) != t || core < 0)
            violation(d->file, "topology-siblings", "guest core %ld (vCPUs "
                      "%ld-%ld) is pinned to host CPUs %s, not %ld distinct "
                      "SMT siblings of one host core", k, k * t,
                      k * t + t - 1, s, t);
        else if (owner[core] >= 0)
            violation(d->file, "topology-siblings", "guest cores %d and %ld "
                      "share the host core of CPUs %s", owner[core], k, s);
        else
            owner[core] = (int)k;
        free(s);
        hwloc_bitmap_free(cpus);
    }
    free(owner);
}

/* No guest socket spans two cells. */
static void check_socket_cells(const domain *d)
{
    unsigned long long per = d->dies * d->clusters * d->cores * d->threads;
    for (unsigned long long s = 0; s < d->sockets; s++) {
        int first = -1;
        for (unsigned long long v = s * per; v < (s + 1) * per; v++) {
            int ci = d->vcell[v];
            if (ci < 0 || ci == first)
                continue;
            if (first < 0) {
                first = ci;
                continue;
            }
            violation(d->file, "topology-socket-cells", "guest socket %llu "
                      "(vCPUs %llu-%llu) spans cells %ld and %ld", s,
                      s * per, (s + 1) * per - 1, d->cells[first].id,
                      d->cells[ci].id);
            break;
        }
    }
}

/* sockets x dies x clusters x cores x threads, saturated just above
 * MAX_VCPUS (each factor is at most MAX_VCPUS, so no step overflows). */
static unsigned long long topo_product(const domain *d)
{
    const unsigned long long f[] = {d->sockets, d->dies, d->clusters,
                                    d->cores, d->threads};
    unsigned long long n = 1;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        n = n > MAX_VCPUS ? n : n * f[i];
    return n > MAX_VCPUS ? MAX_VCPUS + 1 : n;
}

static void check_topology(const domain *d, const vt_host *h)
{
    if (!d->has_topo || !d->topo_ok || d->vcpus <= 0)
        return;
    unsigned long long n = topo_product(d);
    if (n != (unsigned long long)d->vcpus) {
        char prod[32];
        if (n > MAX_VCPUS)
            snprintf(prod, sizeof prod, "more than %d", MAX_VCPUS);
        else
            snprintf(prod, sizeof prod, "%llu", n);
        violation(d->file, "topology-count", "sockets %llu x dies %llu x "
                  "clusters %llu x cores %llu x threads %llu = %s, but "
                  "<vcpu> is %ld", d->sockets, d->dies, d->clusters,
                  d->cores, d->threads, prod, d->vcpus);
        return;
    }
    if (d->threads > 1 && h->ncores > 0 && all_pinned_once(d))
        check_sibling_pins(d, h);
    if (d->ncells > 0)
        check_socket_cells(d);
}

/* ------------------------------------------------------------------ */
/* memory backing                                                      */

/* What the host model says about its page pools. */
typedef struct pools {
    int known;                  /* some node lists a pool */
    unsigned long long base;    /* base page size in KiB: the smallest
                                   pool when at most 64 KiB; 0 unknown */
    unsigned long long dflt;    /* the host's only hugepage size (then
                                   necessarily its default); 0 when it
                                   has none or several */
} pools;

#define MAX_BASE_PAGE_KIB 64    /* the largest base page of any Linux
                                   architecture (arm64, ppc64: 64 KiB) */

static pools host_pools(const vt_host *h)
{
    pools pl = {0, 0, 0};
    unsigned long long least = 0;
    for (int i = 0; i < h->nnodes; i++) {
        const vt_host_node *n = &h->nodes[i];
        for (int k = 0; k < n->npages; k++) {
            pl.known = 1;
            if (!least || n->pages[k].size_kib < least)
                least = n->pages[k].size_kib;
        }
    }
    if (least && least <= MAX_BASE_PAGE_KIB)
        pl.base = least;
    int several = 0;
    for (int i = 0; i < h->nnodes; i++) {
        const vt_host_node *n = &h->nodes[i];
        for (int k = 0; k < n->npages; k++) {
            unsigned long long sz = n->pages[k].size_kib;
            if (sz == pl.base || sz == pl.dflt)
                continue;
            several |= pl.dflt != 0;
            pl.dflt = sz;
        }
    }
    if (several)
        pl.dflt = 0;
    return pl;
}

/* Node N's pool of SIZE KiB pages, or NULL. */
static const vt_host_pages *node_pool(const vt_host_node *n, unsigned long long size)
{
    for (int k = 0; k < n->npages; k++)
        if (n->pages[k].size_kib == size)
            return &n->pages[k];
    return NULL;
}

/* Has node N a pool for pages of SIZE KiB (0: any hugepage pool, as the
 * host's default hugepage size is)? */
static int node_has(const vt_host_node *n, unsigned long long size,
                    const pools *pl)
{
    if (size)
        return node_pool(n, size) != NULL;
    for (int k = 0; k < n->npages; k++)
        if (n->pages[k].size_kib != pl->base)
            return 1;
    return 0;
}

/* The size of P's pages in KiB; 0 when it is the host's default and that
 * is unknown. */
static unsigned long long page_size(const page *p, const pools *pl)
{
    return p->kib ? p->kib : pl->dflt;
}

/* Do P's pages back memory with hugepages? libvirt uses ordinary memory
 * for a <page> of the base page size. */
static int page_is_huge(const page *p, const pools *pl)
{
    return !p->kib || p->kib != pl->base;
}

/* "the 2048 KiB <page> (line 7)", or for a bare <hugepages/> "the bare
 * <hugepages/> (line 5, the host's default size)". */
static const char *page_text(const page *p, char *buf, size_t len)
{
    if (p->kib)
        snprintf(buf, len, "the %llu KiB <page> (line %ld)", p->kib,
                 p->line);
    else
        snprintf(buf, len, "the bare <hugepages/> (line %ld, the host's "
                 "default size)", p->line);
    return buf;
}

/* Fills d->parts: per guest cell (or <memory> without cells) its size,
 * the host nodes it is bound to and the <page> backing it: the first one
 * whose nodeset lists the cell, else the one without nodeset (QEMU
 * driver's lookup); none means ordinary memory. Needs memnodes matched. */
static void make_parts(domain *d)
{
    int master = -1;
    for (int k = d->npages - 1; k >= 0; k--)
        if (!d->pages[k].cells && !d->pages[k].set_bad)
            master = k;
    d->nparts = d->ncells ? d->ncells : 1;
    d->parts = xcalloc((size_t)d->nparts, sizeof *d->parts);
    if (d->ncells == 0) {
        part *pt = &d->parts[0];
        snprintf(pt->label, sizeof pt->label, "<memory>");
        pt->kib = d->mem_kib;
        pt->kib_ok = d->mem_ok;
        pt->nodes = d->numa_nodes;
        pt->page = master;
        return;
    }
    for (int i = 0; i < d->ncells; i++) {
        const cell *c = &d->cells[i];
        part *pt = &d->parts[i];
        snprintf(pt->label, sizeof pt->label, "cell %ld", c->id);
        pt->kib = c->kib;
        pt->kib_ok = c->kib_ok;
        pt->nodes = c->memnode >= 0 ? d->memnodes[c->memnode].nodes
                                    : d->numa_nodes;
        pt->page = master;
        for (int k = 0; c->id >= 0 && k < d->npages; k++) {
            if (d->pages[k].cells &&
                hwloc_bitmap_isset(d->pages[k].cells, (unsigned)c->id)) {
                pt->page = k;
                break;
            }
        }
    }
}

/* Page nodesets name existing guest cells, do not intersect, and at most
 * one page has no nodeset (virDomainDefMemtuneValidate). */
static void check_hugepage_cells(const domain *d)
{
    hwloc_bitmap_t ids = hwloc_bitmap_alloc(), x = hwloc_bitmap_alloc();
    for (int i = 0; i < d->ncells; i++)
        if (d->cells[i].id >= 0)
            hwloc_bitmap_set(ids, (unsigned)d->cells[i].id);
    char a[96], b[96];
    for (int k = 0; k < d->npages; k++) {
        const page *p = &d->pages[k];
        if (p->set_bad)
            continue;
        page_text(p, a, sizeof a);
        if (!p->cells) {
            for (int j = 0; j < k; j++)
                if (!d->pages[j].cells && !d->pages[j].set_bad)
                    violation(d->file, "hugepages-cells", "%s and %s both "
                              "have no nodeset: at most one <page> may",
                              page_text(&d->pages[j], b, sizeof b), a);
            continue;
        }
        hwloc_bitmap_andnot(x, p->cells, ids);
        if (!hwloc_bitmap_iszero(x)) {
            char *s = fmt_set(x);
            if (d->ncells)
                violation(d->file, "hugepages-cells", "%s: nodeset names "
                          "guest cell(s) %s, which the domain does not have",
                          a, s);
            else
                violation(d->file, "hugepages-cells", "%s: nodeset names "
                          "guest cell(s) %s, but the domain has no guest "
                          "NUMA cells", a, s);
            free(s);
        }
        for (int j = 0; j < k; j++) {
            const page *q = &d->pages[j];
            if (!q->cells)
                continue;
            hwloc_bitmap_and(x, p->cells, q->cells);
            if (hwloc_bitmap_iszero(x))
                continue;
            char *s = fmt_set(x);
            violation(d->file, "hugepages-cells", "%s and %s both cover "
                      "guest cell(s) %s", page_text(q, b, sizeof b), a, s);
            free(s);
        }
    }
    hwloc_bitmap_free(ids);
    hwloc_bitmap_free(x);
}

/* Each page size has a pool on every host node the memory it backs is
 * bound to, or on some host node when that memory is unbound. */
static void check_hugepage_size(const domain *d, const vt_host *h,
                                const pools *pl)
{
    char a[96];
    for (int k = 0; k < d->npages; k++) {
        const page *p = &d->pages[k];
        hwloc_bitmap_t need = hwloc_bitmap_alloc();
        hwloc_bitmap_t missing = hwloc_bitmap_alloc();
        int used = 0, unbound = 0, somewhere = 0;
        for (int i = 0; i < d->nparts; i++) {
            if (d->parts[i].page != k)
                continue;
            used = 1;
            if (d->parts[i].nodes)
                hwloc_bitmap_or(need, need, d->parts[i].nodes);
            else
                unbound = 1;
        }
        /* unbound memory, or a page backing nothing: any node will do */
        int anywhere = unbound || !used;
        for (int i = 0; i < h->nnodes; i++) {
            const vt_host_node *n = &h->nodes[i];
            if (!node_has(n, p->kib, pl)) {
                if (hwloc_bitmap_isset(need, (unsigned)n->id))
                    hwloc_bitmap_set(missing, (unsigned)n->id);
            } else {
                somewhere = 1;
            }
        }
        page_text(p, a, sizeof a);
        const char *what = p->kib ? "page pool of that size"
                                  : "hugepage pool";
        if (anywhere && !somewhere) {
            violation(d->file, "hugepages-size", "%s: no host node has a %s",
                      a, what);
        } else if (!hwloc_bitmap_iszero(missing)) {
            char *s = fmt_set(missing);
            violation(d->file, "hugepages-size", "%s backs memory bound to "
                      "host node(s) %s, which have no %s", a, s, what);
            free(s);
        }
        hwloc_bitmap_free(need);
        hwloc_bitmap_free(missing);
    }
}

/* Memory a page size backs is a whole multiple of it. */
static void check_hugepage_multiple(const domain *d, const pools *pl)
{
    for (int i = 0; i < d->nparts; i++) {
        const part *pt = &d->parts[i];
        if (pt->page < 0 || !pt->kib_ok)
            continue;
        const page *p = &d->pages[pt->page];
        unsigned long long size = page_size(p, pl);
        if (size && pt->kib % size)
            violation(d->file, "hugepages-multiple", "%s holds %llu KiB, "
                      "not a whole multiple of its %llu KiB pages%s",
                      pt->label, pt->kib, size, p->kib ? ""
                      : " (the host's only hugepage size)");
    }
}

/* <locked/>, hugepages or a vfio device: the balloon must be off. */
static void check_balloon(const domain *d)
{
    vt_strbuf why;
    strbuf_init(&why);
    if (d->locked)
        strbuf_adds(&why, "<locked/>");
    if (d->hugepages)
        strbuf_addf(&why, "%s<hugepages>", why.len ? ", " : "");
    if (d->vfio[0])
        strbuf_addf(&why, "%sthe PCI hostdev %s", why.len ? ", " : "", d->vfio);
    if (why.len && !d->has_balloon && d->qemu)
        violation(d->file, "balloon-locked", "no <memballoon>, so libvirt "
                  "adds a virtio balloon, but the domain has %s: it needs "
                  "<memballoon model='none'/>", why.buf);
    else if (why.len && d->has_balloon &&
             (!d->balloon_model || strcmp(d->balloon_model, "none")))
        violation(d->file, "balloon-locked", "<memballoon model='%s'> with "
                  "%s: the model must be 'none'",
                  d->balloon_model ? d->balloon_model : "", why.buf);
    strbuf_free(&why);
}

/* vhost-user and virtiofs need shared, fd-backed guest memory. */
static void check_shared(const domain *d, const pools *pl)
{
    if (!d->shared_dev[0])
        return;
    if (d->ncells == 0 && !d->access_shared)
        violation(d->file, "memaccess-shared", "%s needs shared memory, but "
                  "<memoryBacking> has no <access mode='shared'/>",
                  d->shared_dev);
    hwloc_bitmap_t priv = hwloc_bitmap_alloc();
    for (int i = 0; i < d->ncells; i++) {
        const cell *c = &d->cells[i];
        if (c->id >= 0 && c->access != 1 &&
            (c->access == 0 || !d->access_shared))
            hwloc_bitmap_set(priv, (unsigned)c->id);
    }
    if (!hwloc_bitmap_iszero(priv)) {
        char *s = fmt_set(priv);
        violation(d->file, "memaccess-shared", "%s needs shared memory, but "
                  "guest cell(s) %s are not shared (memAccess, else "
                  "<memoryBacking><access mode>)", d->shared_dev, s);
        free(s);
    }
    hwloc_bitmap_zero(priv);
    int plain = 0;
    for (int i = 0; d->pages_ok && i < d->nparts; i++) {
        const part *pt = &d->parts[i];
        if (pt->page >= 0 && page_is_huge(&d->pages[pt->page], pl))
            continue;
        plain = 1;
        if (d->ncells && d->cells[i].id >= 0)
            hwloc_bitmap_set(priv, (unsigned)d->cells[i].id);
    }
    if (plain && (!d->source || (strcmp(d->source, "memfd") &&
                                 strcmp(d->source, "file")))) {
        char *s = fmt_set(priv);
        violation(d->file, "memaccess-shared", "%s needs fd-backed memory: "
                  "no hugepages back %s%s, and <memoryBacking> has no "
                  "<source type='memfd'/> (or 'file')", d->shared_dev,
                  d->ncells ? "guest cell(s) " : "<memory>",
                  d->ncells ? s : "");
        free(s);
    }
    hwloc_bitmap_free(priv);
}

static void check_backing(domain *d, const vt_host *h, const pools *pl)
{
    make_parts(d);
    check_hugepage_cells(d);
    if (d->pages_ok) {
        if (pl->known)
            check_hugepage_size(d, h, pl);
        check_hugepage_multiple(d, pl);
    }
    check_balloon(d);
    check_shared(d, pl);
    if (d->alloc_mode && strcmp(d->alloc_mode, "immediate") &&
        strcmp(d->alloc_mode, "ondemand"))
        violation(d->file, "allocation", "<allocation mode='%s'> is not "
                  "'immediate' or 'ondemand'", d->alloc_mode);
}

/* ------------------------------------------------------------------ */
/* I/O devices                                                         */

static unsigned long long irq_budget = 1024;   /* --irq-budget */

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

static void check_io(const domain *d)
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

static void check_domain(domain *d, const vt_host *h, const pools *pl,
                         hwloc_const_bitmap_t reserved)
{
    check_vcpupins(d, h, reserved);
    check_vcpu_overlap(d);
    check_aux_pins(d, h, reserved);
    check_cells_partition(d);
    if (d->ncells > 0) {
        check_cells_memory(d);
        check_distances(d);
    }
    check_memnodes(d, h);
    check_numatune(d, h);
    check_topology(d, h);
    check_backing(d, h, pl);
    check_io(d);
}

/* ------------------------------------------------------------------ */
/* checks across the run                                               */

static void report_shared(const domain *a, const domain *b,
                          hwloc_const_bitmap_t x, hwloc_const_bitmap_t y,
                          const char *inv, const char *what)
{
    hwloc_bitmap_t both = hwloc_bitmap_alloc();
    hwloc_bitmap_and(both, x, y);
    if (!hwloc_bitmap_iszero(both)) {
        char *s = fmt_set(both);
        if (a == b)
            violation(b->file, inv, "host CPU(s) %s: %s", s, what);
        else
            violation(b->file, inv, "host CPU(s) %s: %s (with %s)", s, what,
                      a->file);
        free(s);
    }
    hwloc_bitmap_free(both);
}

/* No CPU a vCPU of one domain owns (1:1 pin) runs a vCPU of another;
 * emulator/iothread CPUs that
 * are not reserved belong to their domain alone. */
static void check_across(const domain *d, int n)
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (i < j) {
                /* CPUs one of the two owns and the other runs vCPUs on */
                hwloc_bitmap_t owned = hwloc_bitmap_alloc(),
                               t = hwloc_bitmap_alloc();
                hwloc_bitmap_and(owned, d[i].dedicated, d[j].vunion);
                hwloc_bitmap_and(t, d[j].dedicated, d[i].vunion);
                hwloc_bitmap_or(owned, owned, t);
                report_shared(&d[i], &d[j], owned, owned,
                              "cross-domain-overlap",
                              "vCPUs of two domains run there, one of them "
                              "pinned 1:1");
                hwloc_bitmap_free(owned);
                hwloc_bitmap_free(t);
                report_shared(&d[i], &d[j], d[i].excl, d[j].excl,
                              "exclusive-overlap", "emulator/iothread pins "
                              "of two domains on CPUs that are not reserved");
            }
            report_shared(&d[i], &d[j], d[i].excl, d[j].vunion,
                          "exclusive-overlap", i == j
                          ? "emulator/iothread pin on CPUs that are not "
                            "reserved, also pinned to vCPUs"
                          : "emulator/iothread pin of the other domain on "
                            "CPUs that are not reserved, pinned to vCPUs "
                            "here");
        }
    }
}

/* The single host node of NODES, or -1 when it is not exactly one. */
static int single_node(hwloc_const_bitmap_t nodes)
{
    return nodes && hwloc_bitmap_weight(nodes) == 1
        ? hwloc_bitmap_first(nodes) : -1;
}

typedef struct budget {
    unsigned long long used;
    int last;               /* last domain placing memory there, -1 */
    vt_strbuf who;
} budget;

static void place(budget *b, const vt_host *h, int node, unsigned long long kib,
                  int dom, const char *file)
{
    for (int i = 0; i < h->nnodes; i++) {
        if (h->nodes[i].id != node)
            continue;
        b[i].used += kib;
        b[i].last = dom;
        strbuf_addf(&b[i].who, "%s%s %llu KiB", b[i].who.len ? ", " : "", file,
                kib);
    }
}

/* Memory each domain pins to one node: per cell with a single-node
 * memnode (or, without a memnode, a strict single-node <numatune>
 * <memory>); without cells, all of <memory> under a strict single-node
 * <numatune><memory>. */
static void place_domain(budget *b, const vt_host *h, const domain *d, int dom)
{
    int global = d->numa_strict ? single_node(d->numa_nodes) : -1;
    if (d->ncells == 0) {
        if (global >= 0 && d->mem_ok)
            place(b, h, global, d->mem_kib, dom, d->file);
        return;
    }
    for (int i = 0; i < d->ncells; i++) {
        const cell *c = &d->cells[i];
        int node = c->memnode >= 0
            ? single_node(d->memnodes[c->memnode].nodes) : global;
        if (node >= 0 && c->kib_ok)
            place(b, h, node, c->kib, dom, d->file);
    }
}

static void check_node_memory(const domain *d, int n, const vt_host *h)
{
    budget *b = xcalloc((size_t)h->nnodes, sizeof *b);
    for (int i = 0; i < h->nnodes; i++) {
        b[i].last = -1;
        strbuf_init(&b[i].who);
    }
    for (int k = 0; k < n; k++)
        place_domain(b, h, &d[k], k);
    for (int i = 0; i < h->nnodes; i++) {
        long long cap = h->nodes[i].mem_kib;
        if (cap >= 0 && b[i].used > (unsigned long long)cap)
            violation(d[b[i].last].file, "node-memory", "host node %d holds "
                      "%lld KiB, the domains place %llu KiB there (%s)",
                      h->nodes[i].id, cap, b[i].used, b[i].who.buf);
        strbuf_free(&b[i].who);
    }
    free(b);
}

/* Hugepages the run takes from one pool of one host node. */
typedef struct hp_need {
    int node;
    unsigned long long size, pages;
    int last;               /* last domain taking pages there */
    vt_strbuf who;
} hp_need;

typedef struct hp_needs {
    int n, cap;
    hp_need *v;
} hp_needs;

static void take_pages(hp_needs *nd, int node, unsigned long long size,
                       unsigned long long pages, int dom, const domain *d,
                       const part *pt)
{
    hp_need *e = NULL;
    for (int i = 0; i < nd->n && !e; i++)
        if (nd->v[i].node == node && nd->v[i].size == size)
            e = &nd->v[i];
    if (!e) {
        if (nd->n == nd->cap) {
            nd->cap = nd->cap ? 2 * nd->cap : 8;
            nd->v = xrealloc(nd->v, (size_t)nd->cap * sizeof *nd->v);
        }
        e = &nd->v[nd->n++];
        memset(e, 0, sizeof *e);
        e->node = node;
        e->size = size;
        strbuf_init(&e->who);
    }
    e->pages += pages;
    e->last = dom;
    strbuf_addf(&e->who, "%s%s %s: %llu", e->who.len ? ", " : "", d->file,
            pt->label, pages);
}

/* The hugepages of domain D (index DOM): each part backed by a hugepage
 * size takes ceil(memory / size) pages from the host nodes it is bound
 * to, split evenly (the first nodes take the remainder); unbound memory
 * (no <numatune> nodeset for it) and sizes that are unknown are not
 * counted. */
static void take_domain_pages(hp_needs *nd, const vt_host *h, const pools *pl,
                              const domain *d, int dom)
{
    if (!d->pages_ok)
        return;
    for (int i = 0; i < d->nparts; i++) {
        const part *pt = &d->parts[i];
        if (pt->page < 0 || !pt->kib_ok || !pt->nodes)
            continue;
        const page *p = &d->pages[pt->page];
        unsigned long long size = page_size(p, pl);
        if (!size || !page_is_huge(p, pl))
            continue;
        unsigned long long pages = pt->kib / size + (pt->kib % size != 0);
        unsigned long long k = 0, j = 0;
        int id;
        hwloc_bitmap_foreach_begin(id, pt->nodes) {
            k += host_node_by_id(h, id) != NULL;
        } hwloc_bitmap_foreach_end();
        if (!k)
            continue;
        hwloc_bitmap_foreach_begin(id, pt->nodes) {
            if (!host_node_by_id(h, id))
                continue;
            unsigned long long share = pages / k + (j++ < pages % k);
            if (share)
                take_pages(nd, id, size, share, dom, d, pt);
        } hwloc_bitmap_foreach_end();
    }
}

/* The pages the run takes from each pool fit its free pages (its total
 * when free is unknown; none without a pool). */
static void check_hugepage_budget(const domain *d, int n, const vt_host *h,
                                  const pools *pl)
{
    if (!pl->known)
        return;
    hp_needs nd = {0, 0, NULL};
    for (int k = 0; k < n; k++)
        take_domain_pages(&nd, h, pl, &d[k], k);
    for (int i = 0; i < nd.n; i++) {
        hp_need *e = &nd.v[i];
        const vt_host_pages *pool = node_pool(host_node_by_id(h, e->node),
                                           e->size);
        long long have = !pool ? 0 : pool->free >= 0 ? pool->free
                                                     : pool->total;
        if (!pool)
            violation(d[e->last].file, "hugepages-budget", "host node %d "
                      "has no %llu KiB page pool, the domains need %llu "
                      "such page(s) there (%s)", e->node, e->size, e->pages,
                      e->who.buf);
        else if (have >= 0 && e->pages > (unsigned long long)have)
            violation(d[e->last].file, "hugepages-budget", "host node %d "
                      "has %lld %s %llu KiB pages, the domains need %llu "
                      "(%s)", e->node, have,
                      pool->free >= 0 ? "free" : "(total, free unknown)",
                      e->size, e->pages, e->who.buf);
        strbuf_free(&e->who);
    }
    free(nd.v);
}

/* ------------------------------------------------------------------ */
/* command line                                                        */

static int usage(const char *msg)
{
    if (msg)
        fprintf(stderr, PROG ": %s\n", msg);
    fputs("usage: " PROG " --host SRC [--reserved CPULIST] "
          "[--irq-budget N] [-v] DOMAIN.xml...\n", stderr);
    return EXIT_INPUT;
}

static void say_ok(const domain *d)
{
    int pinned = 0;
    for (long v = 0; v < d->vcpus; v++)
        pinned += d->vset[v] != NULL;
    printf("%s: checked: %ld vCPU(s), %d pinned, %d cell(s)\n", d->file,
           d->vcpus, pinned, d->ncells);
}

/* Loads every domain; returns 0, or EXIT_INPUT after a message. */
static int load_domains(domain *doms, char **files, int n)
{
    for (int i = 0; i < n; i++) {
        xmlDocPtr doc = read_domain(files[i]);
        if (!doc)
            return EXIT_INPUT;
        doms[i].file = files[i];
        read_all(&doms[i], doc);
        xmlFreeDoc(doc);
    }
    return 0;
}

static int run(const vt_host *h, hwloc_const_bitmap_t reserved, char **files,
               int n)
{
    domain *doms = xcalloc((size_t)n, sizeof *doms);
    int rc = load_domains(doms, files, n);
    if (rc == 0) {
        if (verbose) {
            char *s = fmt_set(reserved);
            printf("reserved host CPUs: %s\n", s);
            free(s);
        }
        pools pl = host_pools(h);
        for (int i = 0; i < n; i++)
            check_domain(&doms[i], h, &pl, reserved);
        check_across(doms, n);
        check_node_memory(doms, n, h);
        check_hugepage_budget(doms, n, h, &pl);
        for (int i = 0; verbose && i < n; i++)
            say_ok(&doms[i]);
        rc = nviolations ? EXIT_VIOLATION : 0;
    }
    for (int i = 0; i < n; i++)
        domain_free(&doms[i]);
    free(doms);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'H'},
        {"reserved", required_argument, NULL, 'r'},
        {"irq-budget", required_argument, NULL, 'i'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *src = NULL, *res = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
        switch (c) {
        case 'H': src = optarg; break;
        case 'r': res = optarg; break;
        case 'i':
            if (parse_ull(optarg, &irq_budget) < 0) {
                input_error(NULL, "--irq-budget '%s' is not a number of "
                            "vectors", optarg);
                return EXIT_INPUT;
            }
            break;
        case 'v': verbose = 1; break;
        case 'h': usage(NULL); return 0;
        default: return usage("unknown option or missing argument");
        }
    }
    if (!src)
        return usage("--host is required");
    if (optind >= argc)
        return usage("no domain given");
    vt_host *h = NULL;
    if (host_load(src, &h) != 0)
        return EXIT_INPUT;
    hwloc_bitmap_t reserved = reserved_cpus(h, res);
    int rc = reserved ? run(h, reserved, argv + optind, argc - optind)
                      : EXIT_INPUT;
    hwloc_bitmap_free(reserved);
    host_free(h);
    xmlCleanupParser();
    return rc;
}
