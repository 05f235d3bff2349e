/*
 * check_placement.c - vt-check-placement, the independent checker of the
 * CPU and memory placement vtune-xml writes into libvirt domain XML.
 *
 *   vt-check-placement --host SRC [--reserved CPULIST] [-v] DOMAIN.xml...
 *
 * It owns its own reading of the domain XML (<vcpu>, <memory>, <cputune>
 * vcpupin / emulatorpin / iothreadpin, <iothreads>, <iothreadids>,
 * <numatune>, <cpu><topology>, <cpu><numa> cells and distances) and checks
 * the result against libvirt's documented semantics (formatdomain: CPU
 * tuning, NUMA node tuning, CPU model and topology) and the host model
 * (compiler/host.h, loaded with host_load) only. It deliberately shares no
 * code with the placement rules it checks.
 *
 * All domains of one run share the host: a host CPU serves at most one
 * vCPU of one domain, and node memory is a budget for the run.
 *
 * Output: one line per violation on stdout, "FILE: invariant: detail";
 * nothing on success unless -v. Exit 0 no violation, 1 violations,
 * 2 usage or input error (unreadable or not well-formed file, root not
 * <domain>, entity declarations, unusable host), with a message on stderr.
 * A value libvirt would reject (a bad cpuset, number or unit) is reported
 * as the violation "syntax" and the checks that need it are skipped.
 */
#include "host.h"
#include "util.h"

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
    return host_cpulist_format(set);
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
    char *buf = read_whole_file(path, &len);
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
} cell;

typedef struct memnode {
    long cellid;            /* -1 when bad */
    hwloc_bitmap_t nodes;   /* NULL when bad or absent */
} memnode;

typedef struct domain {
    const char *file;
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
    xmlXPathFreeContext(ctx);
}

/* ------------------------------------------------------------------ */
/* reserved host CPUs                                                  */

/* The first core (all its SMT siblings) of every node with an online CPU;
 * first = the core holding the node's lowest-numbered online CPU. */
static hwloc_bitmap_t first_cores(const host *h)
{
    hwloc_bitmap_t r = hwloc_bitmap_alloc();
    for (int i = 0; i < h->nnodes; i++) {
        int id;
        hwloc_bitmap_foreach_begin(id, h->nodes[i].cpus) {
            const host_cpu *c = host_cpu_by_id(h, id);
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
static hwloc_bitmap_t reserved_cpus(const host *h, const char *opt)
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
static void split_unusable(const host *h, hwloc_const_bitmap_t set,
                           hwloc_bitmap_t missing, hwloc_bitmap_t offline)
{
    int id;
    hwloc_bitmap_zero(missing);
    hwloc_bitmap_zero(offline);
    hwloc_bitmap_foreach_begin(id, set) {
        const host_cpu *c = host_cpu_by_id(h, id);
        if (!c)
            hwloc_bitmap_set(missing, (unsigned)id);
        else if (!c->online)
            hwloc_bitmap_set(offline, (unsigned)id);
    } hwloc_bitmap_foreach_end();
}

/* Checks that the CPUs of pin P (named WHAT, prefix INV) exist, are online
 * and, when RESERVED is given, are not in it. */
static void check_pin_cpus(const domain *d, const host *h, const pin *p,
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
static void check_vcpupins(domain *d, const host *h,
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

/* Is iothread ID one the domain defines (<iothreadids>, else 1..N)? */
static int iothread_known(const domain *d, long id)
{
    if (hwloc_bitmap_isset(d->iothreadids, (unsigned)id))
        return 1;
    return id >= 1 && id <= d->iothreads;
}

/* emulatorpin / iothreadpin: CPUs exist and are online, iothread ids are
 * defined and pinned once; fills excl. */
static void check_aux_pins(domain *d, const host *h,
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
static void check_nodes_exist(const domain *d, const host *h,
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
static hwloc_bitmap_t nodes_cpus(const host *h, hwloc_const_bitmap_t nodes)
{
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
    int id;
    hwloc_bitmap_foreach_begin(id, nodes) {
        const host_node *n = host_node_by_id(h, id);
        if (n)
            hwloc_bitmap_or(cpus, cpus, n->cpus);
    } hwloc_bitmap_foreach_end();
    return cpus;
}

/* Every pinned vCPU of VCPUS (a set of vCPU ids; NULL = all) is pinned
 * inside the CPUs of host NODES; reported under INV with WHAT. */
static void check_pins_in_nodes(const domain *d, const host *h,
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
static void check_memnodes(domain *d, const host *h)
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
static void check_numatune(const domain *d, const host *h)
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
static void check_sibling_pins(const domain *d, const host *h)
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
            const host_cpu *c = host_cpu_by_id(h, id);
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

static void check_topology(const domain *d, const host *h)
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

static void check_domain(domain *d, const host *h,
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
    strbuf who;
} budget;

static void place(budget *b, const host *h, int node, unsigned long long kib,
                  int dom, const char *file)
{
    for (int i = 0; i < h->nnodes; i++) {
        if (h->nodes[i].id != node)
            continue;
        b[i].used += kib;
        b[i].last = dom;
        sb_addf(&b[i].who, "%s%s %llu KiB", b[i].who.len ? ", " : "", file,
                kib);
    }
}

/* Memory each domain pins to one node: per cell with a single-node
 * memnode (or, without a memnode, a strict single-node <numatune>
 * <memory>); without cells, all of <memory> under a strict single-node
 * <numatune><memory>. */
static void place_domain(budget *b, const host *h, const domain *d, int dom)
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

static void check_node_memory(const domain *d, int n, const host *h)
{
    budget *b = xcalloc((size_t)h->nnodes, sizeof *b);
    for (int i = 0; i < h->nnodes; i++) {
        b[i].last = -1;
        sb_init(&b[i].who);
    }
    for (int k = 0; k < n; k++)
        place_domain(b, h, &d[k], k);
    for (int i = 0; i < h->nnodes; i++) {
        long long cap = h->nodes[i].mem_kib;
        if (cap >= 0 && b[i].used > (unsigned long long)cap)
            violation(d[b[i].last].file, "node-memory", "host node %d holds "
                      "%lld KiB, the domains place %llu KiB there (%s)",
                      h->nodes[i].id, cap, b[i].used, b[i].who.buf);
        sb_free(&b[i].who);
    }
    free(b);
}

/* ------------------------------------------------------------------ */
/* command line                                                        */

static int usage(const char *msg)
{
    if (msg)
        fprintf(stderr, PROG ": %s\n", msg);
    fputs("usage: " PROG " --host SRC [--reserved CPULIST] [-v] "
          "DOMAIN.xml...\n", stderr);
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

static int run(const host *h, hwloc_const_bitmap_t reserved, char **files,
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
        for (int i = 0; i < n; i++)
            check_domain(&doms[i], h, reserved);
        check_across(doms, n);
        check_node_memory(doms, n, h);
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
        case 'v': verbose = 1; break;
        case 'h': usage(NULL); return 0;
        default: return usage("unknown option or missing argument");
        }
    }
    if (!src)
        return usage("--host is required");
    if (optind >= argc)
        return usage("no domain given");
    host *h = NULL;
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
