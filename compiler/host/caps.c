/*
 * caps.c - the libvirt capabilities loader (`virsh capabilities`):
 * host/cpu gives the architecture and CPU features, host/topology/cells
 * the NUMA nodes (memory, page pools, distances, CPUs with socket and SMT
 * siblings), host/cache the L3 groups. Parsed with libxml2 (no network,
 * no entities) and read with XPath; errors name the file and the line of
 * the offending element.
 *
 * Capabilities list online CPUs only, page pool totals without free
 * counts, and, besides the CPU model, only the features beyond it: a
 * listed feature is present, an unlisted one may be too (flags_known 0).
 */
#include "loaders.h"
#include "alloc.h"
#include "error.h"
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>
#include <libxml/xpath.h>

typedef struct caps_ctx {
    const char *path;
    xmlDocPtr doc;
    xmlXPathContextPtr xp;
    vt_host *h;
    /* distances as read: (from node slot, to node id, value) */
    int ndist;
    int (*dist)[3];
    /* socket ids of all CPUs, for npackages; -1 when a CPU has none */
    int nsockets;
    int *sockets;
} caps_ctx;

/* Nodes matching EXPR relative to NODE, or to the document when NODE is
 * NULL (never NULL; free with xmlXPathFreeObject). */
static xmlXPathObjectPtr xp_eval(caps_ctx *c, xmlNodePtr node,
                                 const char *expr)
{
    xmlXPathObjectPtr r = xmlXPathNodeEval(node ? node : (xmlNodePtr)c->doc,
                                           BAD_CAST expr, c->xp);
    if (!r) {
        fputs(VT_PROG ": out of memory\n", stderr);
        abort();
    }
    return r;
}

static int xp_count(xmlXPathObjectPtr r)
{
    return r->nodesetval ? r->nodesetval->nodeNr : 0;
}

static xmlNodePtr xp_node(xmlXPathObjectPtr r, int i)
{
    return r->nodesetval->nodeTab[i];
}

/* Parses the integer S (whole string, MIN..MAX); returns 0 or -1. */
static int parse_ll(const char *s, long long min, long long max,
                    long long *out)
{
    char *end;
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (!*s)
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Integer attribute NAME of NODE: 0 with *OUT, 1 when absent and not
 * REQUIRED (*OUT = -1), or 4 after an error message. */
static int int_attr(caps_ctx *c, xmlNodePtr node, const char *name,
                    int required, long long max, long long *out)
{
    xmlChar *v = xmlGetProp(node, BAD_CAST name);
    *out = -1;
    if (!v) {
        if (!required)
            return 1;
        return vt_fail(VT_EXIT_HOST, c->path, xmlGetLineNo(node),
                       "<%s> has no %s attribute", (const char *)node->name,
                       name);
    }
    int rc = 0;
    if (parse_ll((const char *)v, 0, max, out) < 0)
        rc = vt_fail(VT_EXIT_HOST, c->path, xmlGetLineNo(node),
                     "<%s %s='%s'>: expected an integer from 0 to %lld",
                     (const char *)node->name, name, (const char *)v, max);
    xmlFree(v);
    return rc;
}

/* VALUE in the unit attribute of NODE (KiB when absent) -> KiB. */
static int scale_kib(caps_ctx *c, xmlNodePtr node, long long value,
                     long long *kib)
{
    xmlChar *u = xmlGetProp(node, BAD_CAST "unit");
    unsigned long long b = u ? units_bytes((const char *)u) : 1024;
    int rc = 0;
    if (!b)
        rc = vt_fail(VT_EXIT_HOST, c->path, xmlGetLineNo(node),
                     "<%s unit='%s'>: unknown unit", (const char *)node->name,
                     (const char *)u);
    else if (value > 0 &&
             b > (unsigned long long)INT64_MAX / (unsigned long long)value)
        rc = vt_fail(VT_EXIT_HOST, c->path, xmlGetLineNo(node),
                     "<%s>: value too large", (const char *)node->name);
    else
        *kib = (long long)((unsigned long long)value * b / 1024);
    xmlFree(u);
    return rc;
}

/* The integer content of NODE (0..VT_HOST_MAX_COUNT); 0, or 4 after a
 * message. */
static int int_content(caps_ctx *c, xmlNodePtr node, long long *out)
{
    xmlChar *v = xmlNodeGetContent(node);
    int rc = 0;
    if (!v || parse_ll((const char *)v, 0, VT_HOST_MAX_COUNT, out) < 0)
        rc = vt_fail(VT_EXIT_HOST, c->path, xmlGetLineNo(node),
                     "<%s>%s</%s>: expected a non-negative integer",
                     (const char *)node->name, v ? (const char *)v : "",
                     (const char *)node->name);
    xmlFree(v);
    return rc;
}

/* A CPU list attribute NAME of NODE; NULL after an error message. */
static hwloc_bitmap_t cpulist_attr(caps_ctx *c, xmlNodePtr node,
                                   const char *name)
{
    xmlChar *v = xmlGetProp(node, BAD_CAST name);
    hwloc_bitmap_t set = v ? cpulist_parse((const char *)v, CPULIST_STRICT) : NULL;
    if (!set)
        vt_error(c->path, xmlGetLineNo(node), "<%s %s='%s'>: expected a CPU "
                 "list", (const char *)node->name, name,
                 v ? (const char *)v : "");
    xmlFree(v);
    return set;
}

/* ------------------------------------------------------------------ */
/* host/cpu and host/cache                                             */

static void read_cpu(caps_ctx *c)
{
    xmlXPathObjectPtr r = xp_eval(c, NULL, "/capabilities/host/cpu/arch");
    if (xp_count(r) > 0) {
        xmlChar *v = xmlNodeGetContent(xp_node(r, 0));
        if (v && *v)
            c->h->arch = xstrdup((const char *)v);
        xmlFree(v);
    }
    xmlXPathFreeObject(r);
    r = xp_eval(c, NULL, "/capabilities/host/cpu/feature/@name");
    int n = xp_count(r);
    c->h->flags = xcalloc((size_t)n + 1, sizeof *c->h->flags);
    for (int i = 0; i < n; i++) {
        xmlChar *v = xmlNodeGetContent(xp_node(r, i));
        if (v && *v)
            c->h->flags[c->h->nflags++] = xstrdup((const char *)v);
        xmlFree(v);
    }
    xmlXPathFreeObject(r);
    c->h->flags_known = 0;
}

/* L3 groups from host/cache banks of level 3 holding data. */
static int read_cache(caps_ctx *c)
{
    xmlXPathObjectPtr r = xp_eval(c, NULL, "/capabilities/host/cache/bank"
                                  "[@level='3' and not(@type='code')]");
    int n = xp_count(r), rc = 0;
    c->h->l3 = xcalloc((size_t)n + 1, sizeof *c->h->l3);
    for (int i = 0; i < n && !rc; i++) {
        hwloc_bitmap_t set = cpulist_attr(c, xp_node(r, i), "cpus");
        if (!set)
            rc = VT_EXIT_HOST;
        else
            c->h->l3[c->h->nl3++] = set;
    }
    xmlXPathFreeObject(r);
    return rc;
}

/* ------------------------------------------------------------------ */
/* host/topology/cells                                                 */

static int read_memory(caps_ctx *c, xmlNodePtr cell, vt_host_node *n)
{
    xmlXPathObjectPtr r = xp_eval(c, cell, "memory");
    int rc = 0;
    long long v = 0;
    if (xp_count(r) > 0) {
        xmlNodePtr m = xp_node(r, 0);
        rc = int_content(c, m, &v);
        if (!rc)
            rc = scale_kib(c, m, v, &n->mem_kib);
    }
    xmlXPathFreeObject(r);
    return rc;
}

static int read_pages(caps_ctx *c, xmlNodePtr cell, vt_host_node *n)
{
    xmlXPathObjectPtr r = xp_eval(c, cell, "pages");
    int cnt = xp_count(r), rc = 0;
    n->pages = xcalloc((size_t)cnt + 1, sizeof *n->pages);
    for (int i = 0; i < cnt && !rc; i++) {
        xmlNodePtr p = xp_node(r, i);
        long long size, kib = 0, total;
        rc = int_attr(c, p, "size", 1, VT_HOST_MAX_COUNT, &size);
        if (!rc)
            rc = scale_kib(c, p, size, &kib);
        if (!rc)
            rc = int_content(c, p, &total);
        if (!rc && kib <= 0)
            rc = vt_fail(VT_EXIT_HOST, c->path, xmlGetLineNo(p),
                         "<pages>: page size below 1 KiB");
        if (!rc)
            n->pages[n->npages++] = (vt_host_pages){(uint64_t)kib, total, -1};
    }
    xmlXPathFreeObject(r);
    return rc;
}

static int read_distances(caps_ctx *c, xmlNodePtr cell, int slot)
{
    xmlXPathObjectPtr r = xp_eval(c, cell, "distances/sibling");
    int cnt = xp_count(r), rc = 0;
    c->dist = xrealloc(c->dist, (size_t)(c->ndist + cnt + 1) * sizeof *c->dist);
    for (int i = 0; i < cnt && !rc; i++) {
        long long id = 0, value = 0;
        rc = int_attr(c, xp_node(r, i), "id", 1, VT_HOST_MAX_NODE, &id);
        if (!rc)
            rc = int_attr(c, xp_node(r, i), "value", 1, INT32_MAX, &value);
        if (!rc) {
            c->dist[c->ndist][0] = slot;
            c->dist[c->ndist][1] = (int)id;
            c->dist[c->ndist++][2] = (int)value;
        }
    }
    xmlXPathFreeObject(r);
    return rc;
}

/* Adds the SMT sibling set of the CPU ID at NODE to the cores, once. */
static int add_core(caps_ctx *c, xmlNodePtr node, int id)
{
    hwloc_bitmap_t set = cpulist_attr(c, node, "siblings");
    if (!set)
        return VT_EXIT_HOST;
    vt_host *h = c->h;
    if (!hwloc_bitmap_isset(set, (unsigned)id)) {
        hwloc_bitmap_free(set);
        return vt_fail(VT_EXIT_HOST, c->path, xmlGetLineNo(node),
                       "CPU %d: its siblings do not include itself", id);
    }
    for (int i = 0; i < h->ncores; i++) {
        if (hwloc_bitmap_isequal(h->cores[i], set)) {
            hwloc_bitmap_free(set);
            return 0;
        }
        if (hwloc_bitmap_intersects(h->cores[i], set)) {
            hwloc_bitmap_free(set);
            return vt_fail(VT_EXIT_HOST, c->path, xmlGetLineNo(node),
                           "CPU %d: its siblings overlap those of CPU %d",
                           id, hwloc_bitmap_first(h->cores[i]));
        }
    }
    h->cores = xrealloc(h->cores, (size_t)(h->ncores + 1) * sizeof *h->cores);
    h->cores[h->ncores++] = set;
    return 0;
}

static int read_cpu_entry(caps_ctx *c, xmlNodePtr node, vt_host_node *n)
{
    long long id = 0, socket = 0;
    int rc = int_attr(c, node, "id", 1, VT_HOST_MAX_CPU, &id);
    if (rc)
        return rc;
    rc = int_attr(c, node, "socket_id", 0, INT32_MAX, &socket);
    if (rc == VT_EXIT_HOST)
        return rc;
    vt_host *h = c->h;
    h->cpus = xrealloc(h->cpus, (size_t)(h->ncpus + 1) * sizeof *h->cpus);
    h->cpus[h->ncpus++] = (vt_host_cpu){(int)id, 1, -1, (int)socket, -1, -1};
    c->sockets = xrealloc(c->sockets, (size_t)(c->nsockets + 1) * sizeof(int));
    c->sockets[c->nsockets++] = (int)socket;
    hwloc_bitmap_set(n->cpus, (unsigned)id);
    if (xmlHasProp(node, BAD_CAST "siblings"))
        return add_core(c, node, (int)id);
    return 0;
}

static int read_cell(caps_ctx *c, xmlNodePtr cell)
{
    long long id = 0;
    int rc = int_attr(c, cell, "id", 1, VT_HOST_MAX_NODE, &id);
    if (rc)
        return rc;
    vt_host *h = c->h;
    int slot = h->nnodes++;
    vt_host_node *n = &h->nodes[slot];
    *n = (vt_host_node){(int)id, hwloc_bitmap_alloc(), -1, 0, NULL};
    if ((rc = read_memory(c, cell, n)) || (rc = read_pages(c, cell, n)) ||
        (rc = read_distances(c, cell, slot)))
        return rc;
    xmlXPathObjectPtr r = xp_eval(c, cell, "cpus/cpu");
    for (int i = 0; i < xp_count(r) && !rc; i++)
        rc = read_cpu_entry(c, xp_node(r, i), n);
    xmlXPathFreeObject(r);
    return rc;
}

/* The distance matrix from the siblings read, when it is complete. */
static void build_distances(caps_ctx *c)
{
    vt_host *h = c->h;
    int n = h->nnodes;
    int *m = xmalloc((size_t)n * (size_t)n * sizeof *m);
    for (int i = 0; i < n * n; i++)
        m[i] = -1;
    for (int k = 0; k < c->ndist; k++)
        for (int j = 0; j < n; j++)
            if (h->nodes[j].id == c->dist[k][1])
                m[c->dist[k][0] * n + j] = c->dist[k][2];
    for (int i = 0; i < n * n; i++)
        if (m[i] < 0) {
            free(m);
            return;
        }
    h->distances = m;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Distinct socket ids, when every CPU has one. */
static void count_packages(caps_ctx *c)
{
    if (c->nsockets == 0)
        return;
    qsort(c->sockets, (size_t)c->nsockets, sizeof(int), cmp_int);
    if (c->sockets[0] < 0)
        return;
    int n = 1;
    for (int i = 1; i < c->nsockets; i++)
        n += c->sockets[i] != c->sockets[i - 1];
    c->h->npackages = n;
}

static int read_topology(caps_ctx *c, xmlNodePtr root)
{
    xmlXPathObjectPtr r = xp_eval(c, NULL,
                                  "/capabilities/host/topology/cells/cell");
    int n = xp_count(r), rc = 0;
    if (n == 0) {
        xmlXPathObjectPtr hr = xp_eval(c, NULL, "/capabilities/host");
        long line = xmlGetLineNo(xp_count(hr) ? xp_node(hr, 0) : root);
        xmlXPathFreeObject(hr);
        xmlXPathFreeObject(r);
        return vt_fail(VT_EXIT_HOST, c->path, line, "capabilities have no "
                       "NUMA topology (host/topology/cells)");
    }
    c->h->nodes = xcalloc((size_t)n, sizeof *c->h->nodes);
    for (int i = 0; i < n && !rc; i++)
        rc = read_cell(c, xp_node(r, i));
    xmlXPathFreeObject(r);
    if (!rc) {
        build_distances(c);
        count_packages(c);
    }
    return rc;
}

static int read_caps(caps_ctx *c, xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (strcmp((const char *)root->name, "capabilities"))
        return vt_fail(VT_EXIT_HOST, c->path, xmlGetLineNo(root),
                       "root element <%s>: expected libvirt <capabilities>",
                       (const char *)root->name);
    read_cpu(c);
    int rc = read_topology(c, root);
    return rc ? rc : read_cache(c);
}

int host_load_caps(const char *path, const char *buf, size_t len, vt_host **out)
{
    *out = NULL;
    xmlDocPtr doc = host_xml_parse(path, buf, len);
    if (!doc)
        return VT_EXIT_HOST;
    caps_ctx c = {.path = path, .doc = doc,
                  .h = host_new(path, "capabilities")};
    c.xp = xmlXPathNewContext(doc);
    if (!c.xp) {
        fputs(VT_PROG ": out of memory\n", stderr);
        abort();
    }
    int rc = read_caps(&c, doc);
    char err[256];
    if (!rc && host_finish(c.h, err, sizeof err) < 0)
        rc = vt_fail(VT_EXIT_HOST, path, 0, "inconsistent capabilities: %s",
                     err);
    xmlXPathFreeContext(c.xp);
    xmlFreeDoc(doc);
    free(c.dist);
    free(c.sockets);
    if (rc) {
        host_free(c.h);
        return rc;
    }
    *out = c.h;
    return 0;
}
