/*
 * json.c - the tool's JSON host snapshot, both ways: host_to_json
 * writes it, host_load_json reads it back. The format is documented by
 * schemas/host.schema.json (version 1). cJSON parses and escapes; the
 * layout (two-space indent, containers of scalars on one line) is done
 * here so that the output is deterministic and readable, one CPU or PCI
 * device per line.
 *
 * Loading checks every value's type and range and reports the first
 * problem as "FILE: snapshot: nodes[2].cpus: expected a CPU list string";
 * unknown keys are refused so that typos do not go unnoticed.
 * Round trip: host_to_json(load(host_to_json(h))) == host_to_json(h).
 */
#include "loaders.h"
#include "alloc.h"
#include "error.h"
#include "jsonfmt.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define SNAPSHOT_VERSION 1
#define JSON_MAX_INT VT_HOST_MAX_COUNT     /* 2^53 - 1: exact in JSON */
#define MAX_NODE_ID VT_HOST_MAX_NODE

static void oom(void)
{
    fputs(VT_PROG ": out of memory\n", stderr);
    abort();
}

static cJSON *chk(cJSON *j)
{
    if (!j)
        oom();
    return j;
}

/* ================================================================== */
/* writing                                                             */

static void put(cJSON *obj, const char *key, cJSON *val)
{
    if (!cJSON_AddItemToObject(obj, key, chk(val)))
        oom();
}

static void push(cJSON *arr, cJSON *val)
{
    if (!cJSON_AddItemToArray(arr, chk(val)))
        oom();
}

static cJSON *j_str(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* A count or id; negative (unknown) is null. */
static cJSON *j_int(long long v)
{
    return v < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)v);
}

static cJSON *j_set(hwloc_const_bitmap_t set)
{
    if (!set)
        return cJSON_CreateNull();
    char *s = cpulist_format(set);
    cJSON *j = cJSON_CreateString(s);
    free(s);
    return j;
}

static cJSON *j_hex(unsigned v)
{
    char buf[16];
    snprintf(buf, sizeof buf, "0x%04x", v);
    return cJSON_CreateString(buf);
}

static cJSON *j_flags(const vt_host *h)
{
    if (!h->flags_known && h->nflags == 0)
        return cJSON_CreateNull();
    cJSON *a = chk(cJSON_CreateArray());
    for (int i = 0; i < h->nflags; i++)
        push(a, cJSON_CreateString(h->flags[i]));
    return a;
}

static cJSON *j_node(const vt_host_node *n)
{
    cJSON *o = chk(cJSON_CreateObject());
    put(o, "id", j_int(n->id));
    put(o, "cpus", j_set(n->cpus));
    put(o, "memory_kib", j_int(n->mem_kib));
    cJSON *pages = chk(cJSON_CreateArray());
    for (int i = 0; i < n->npages; i++) {
        cJSON *p = chk(cJSON_CreateObject());
        put(p, "size_kib", j_int((long long)n->pages[i].size_kib));
        put(p, "total", j_int(n->pages[i].total));
        put(p, "free", j_int(n->pages[i].free));
        push(pages, p);
    }
    put(o, "pages", pages);
    return o;
}

static cJSON *j_distances(const vt_host *h)
{
    if (!h->distances)
        return cJSON_CreateNull();
    cJSON *rows = chk(cJSON_CreateArray());
    for (int i = 0; i < h->nnodes; i++) {
        cJSON *row = chk(cJSON_CreateArray());
        for (int j = 0; j < h->nnodes; j++)
            push(row, j_int(h->distances[i * h->nnodes + j]));
        push(rows, row);
    }
    return rows;
}

/* The stable label of set INDEX in SETS: its first CPU. */
static cJSON *j_label(hwloc_bitmap_t *sets, int index)
{
    return index < 0 ? cJSON_CreateNull()
                     : j_int(hwloc_bitmap_first(sets[index]));
}

static cJSON *j_cpu(const vt_host *h, const vt_host_cpu *c)
{
    cJSON *o = chk(cJSON_CreateObject());
    put(o, "id", j_int(c->id));
    put(o, "online", cJSON_CreateBool(c->online));
    put(o, "node", j_int(c->node));
    put(o, "package", j_int(c->package));
    put(o, "core", j_label(h->cores, c->core));
    put(o, "l3", j_label(h->l3, c->l3));
    return o;
}

static cJSON *j_pci(const vt_host_pci *p)
{
    cJSON *o = chk(cJSON_CreateObject());
    put(o, "address", cJSON_CreateString(p->addr));
    put(o, "class", j_hex(p->class_id));
    put(o, "vendor", j_hex(p->vendor_id));
    put(o, "device", j_hex(p->device_id));
    put(o, "node", j_int(p->node));
    put(o, "name", j_str(p->name));
    put(o, "pf", j_str(p->pf));
    put(o, "boot_vga", p->boot_vga < 0 ? cJSON_CreateNull()
                                       : cJSON_CreateBool(p->boot_vga));
    put(o, "iommu_group", j_int(p->iommu_group));
    return o;
}

static cJSON *snapshot_tree(const vt_host *h)
{
    cJSON *r = chk(cJSON_CreateObject());
    put(r, "vtune_xml_snapshot", cJSON_CreateNumber(SNAPSHOT_VERSION));
    put(r, "source", j_str(h->origin));
    put(r, "kind", j_str(h->origin_kind));
    put(r, "arch", j_str(h->arch));
    put(r, "packages", j_int(h->npackages));
    put(r, "cpu_flags", j_flags(h));
    put(r, "cpu_flags_complete", cJSON_CreateBool(h->flags_known));
    put(r, "isolated_cpus", j_set(h->isolated));
    put(r, "nohz_full_cpus", j_set(h->nohz_full));
    put(r, "reserved_cpus", j_set(h->reserved));
    put(r, "memlock_raisable", h->memlock_raisable < 0 ? cJSON_CreateNull()
                               : cJSON_CreateBool(h->memlock_raisable));
    put(r, "memlock_max_kib", h->memlock_max_kib < 0 ? cJSON_CreateNull()
                              : j_int(h->memlock_max_kib));
    cJSON *a = chk(cJSON_CreateArray());
    for (int i = 0; i < h->nnodes; i++)
        push(a, j_node(&h->nodes[i]));
    put(r, "nodes", a);
    put(r, "distances", j_distances(h));
    a = chk(cJSON_CreateArray());
    for (int i = 0; i < h->ncpus; i++)
        push(a, j_cpu(h, &h->cpus[i]));
    put(r, "cpus", a);
    a = chk(cJSON_CreateArray());
    for (int i = 0; i < h->npci; i++)
        push(a, j_pci(&h->pci[i]));
    put(r, "pci", a);
    return r;
}

char *host_to_json(const vt_host *h)
{
    cJSON *tree = snapshot_tree(h);
    vt_strbuf sb;
    strbuf_init(&sb);
    jsonfmt_print(&sb, tree, 1);
    cJSON_Delete(tree);
    return strbuf_detach(&sb, NULL);
}

/* ================================================================== */
/* reading                                                             */

typedef struct jctx {
    const char *path;
} jctx;

/* Prints "PATH: snapshot: WHERE: message" and returns 4. */
static int jfail(const jctx *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int jfail(const jctx *c, const char *where, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vt_error(c->path, 0, "snapshot: %s%s%s", where, *where ? ": " : "", msg);
    return VT_EXIT_HOST;
}

/* WHERE.KEY into OUT (truncated to LEN). Built for every member read, so
 * without snprintf, which cost a third of loading a 384-CPU snapshot. */
static void subpath(char *out, size_t len, const char *where, const char *key)
{
    size_t a = strlen(where), b = strlen(key), n = 0;
    if (len == 0)
        return;
    for (size_t i = 0; i < a && n + 1 < len; i++)
        out[n++] = where[i];
    if (a && n + 1 < len)
        out[n++] = '.';
    for (size_t i = 0; i < b && n + 1 < len; i++)
        out[n++] = key[i];
    out[n] = '\0';
}

enum { OPT = 0, REQ = 1, NUL = 2 };

/* Member KEY of OBJ into *J (NULL when absent or null); checks
 * presence and null-ness against MODE. */
static int member(const jctx *c, const char *where, const cJSON *obj,
                  const char *key, int mode, const cJSON **j)
{
    *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!*j)
        return (mode & REQ) ? jfail(c, where, "missing \"%s\"", key) : 0;
    if (cJSON_IsNull(*j)) {
        *j = NULL;
        if (!(mode & NUL)) {
            char w[160];
            subpath(w, sizeof w, where, key);
            return jfail(c, w, "must not be null");
        }
    }
    return 0;
}

static int check_keys(const jctx *c, const char *where, const cJSON *obj,
                      const char *const *keys)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        int known = 0;
        for (int i = 0; keys[i]; i++)
            known |= !strcmp(k->string, keys[i]);
        if (!known)
            return jfail(c, where, "unknown key \"%s\"", k->string);
        for (const cJSON *p = obj->child; p != k; p = p->next)
            if (!strcmp(p->string, k->string))
                return jfail(c, where, "duplicate key \"%s\"", k->string);
    }
    return 0;
}

static int want_int(const jctx *c, const char *w, const cJSON *j,
                    long long min, long long max, long long *out)
{
    double d = j ? j->valuedouble : 0;
    if (!cJSON_IsNumber(j) || !(d >= (double)min && d <= (double)max) ||
        d != (double)(long long)d)
        return jfail(c, w, "expected an integer from %lld to %lld", min, max);
    *out = (long long)d;
    return 0;
}

/* Integer member; -1 when absent or null (as MODE allows). */
static int get_int(const jctx *c, const char *where, const cJSON *obj,
                   const char *key, int mode, long long min, long long max,
                   long long *out)
{
    const cJSON *j;
    char w[160];
    *out = -1;
    subpath(w, sizeof w, where, key);
    int rc = member(c, where, obj, key, mode, &j);
    return rc || !j ? rc : want_int(c, w, j, min, max, out);
}

/* String member, copied (caller frees); NULL when absent or null. */
static int get_str(const jctx *c, const char *where, const cJSON *obj,
                   const char *key, int mode, char **out)
{
    const cJSON *j;
    char w[160];
    *out = NULL;
    subpath(w, sizeof w, where, key);
    int rc = member(c, where, obj, key, mode, &j);
    if (rc || !j)
        return rc;
    if (!cJSON_IsString(j) || !*j->valuestring)
        return jfail(c, w, "expected a non-empty string");
    *out = xstrdup(j->valuestring);
    return 0;
}

/* CPU list member into a new bitmap; NULL when absent or null. */
static int get_set(const jctx *c, const char *where, const cJSON *obj,
                   const char *key, int mode, hwloc_bitmap_t *out)
{
    const cJSON *j;
    char w[160];
    *out = NULL;
    subpath(w, sizeof w, where, key);
    int rc = member(c, where, obj, key, mode, &j);
    if (rc || !j)
        return rc;
    if (!cJSON_IsString(j))
        return jfail(c, w, "expected a CPU list string");
    if (!(*out = cpulist_parse(j->valuestring, CPULIST_STRICT)))
        return jfail(c, w, "\"%s\" is not a CPU list (like \"0-3,8\", ids up "
                     "to %d)", j->valuestring, VT_HOST_MAX_CPU);
    return 0;
}

/* Boolean member; DFLT when absent. */
static int get_bool(const jctx *c, const char *where, const cJSON *obj,
                    const char *key, int dflt, int *out)
{
    const cJSON *j;
    char w[160];
    *out = dflt;
    subpath(w, sizeof w, where, key);
    int rc = member(c, where, obj, key, OPT, &j);
    if (rc || !j)
        return rc;
    if (!cJSON_IsBool(j))
        return jfail(c, w, "expected true or false");
    *out = cJSON_IsTrue(j);
    return 0;
}

/* Boolean member that may be null or absent (-1: unknown). */
static int get_tristate(const jctx *c, const char *where, const cJSON *obj,
                        const char *key, int *out)
{
    const cJSON *j;
    char w[160];
    *out = -1;
    subpath(w, sizeof w, where, key);
    int rc = member(c, where, obj, key, OPT | NUL, &j);
    if (rc || !j)
        return rc;
    if (!cJSON_IsBool(j))
        return jfail(c, w, "expected true, false or null");
    *out = cJSON_IsTrue(j);
    return 0;
}

/* Array member; *OUT NULL when absent or null. */
static int get_array(const jctx *c, const char *where, const cJSON *obj,
                     const char *key, int mode, const cJSON **out)
{
    char w[160];
    subpath(w, sizeof w, where, key);
    int rc = member(c, where, obj, key, mode, out);
    if (!rc && *out && !cJSON_IsArray(*out))
        rc = jfail(c, w, "expected an array");
    return rc;
}

static int want_object(const jctx *c, const char *w, const cJSON *j,
                       const char *const *keys)
{
    if (!cJSON_IsObject(j))
        return jfail(c, w, "expected an object");
    return check_keys(c, w, j, keys);
}

/* --- top-level scalars --- */

static int read_kind(const jctx *c, const cJSON *root, vt_host *h)
{
    static const char *const kinds[] = {"hwloc-xml", "hwloc-live",
        "hwloc-synthetic", "capabilities", "manual", NULL};
    char *k;
    int rc = get_str(c, "", root, "kind", OPT, &k);
    if (rc)
        return rc;
    h->origin_kind = "manual";
    if (!k)
        return 0;
    for (int i = 0; kinds[i]; i++)
        if (!strcmp(k, kinds[i]))
            h->origin_kind = kinds[i];
    if (strcmp(k, h->origin_kind))
        rc = jfail(c, "kind", "unknown kind \"%s\" (expected hwloc-xml, "
                   "hwloc-live, hwloc-synthetic, capabilities or manual)", k);
    free(k);
    return rc;
}

static int read_flags(const jctx *c, const cJSON *root, vt_host *h)
{
    const cJSON *a, *j;
    int rc = get_array(c, "", root, "cpu_flags", OPT | NUL, &a);
    if (!rc)
        rc = get_bool(c, "", root, "cpu_flags_complete", 0, &h->flags_known);
    if (rc || !a)
        return rc;
    h->flags = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *h->flags);
    cJSON_ArrayForEach(j, a) {
        if (!cJSON_IsString(j) || !*j->valuestring) {
            char w[64];
            snprintf(w, sizeof w, "cpu_flags[%d]", h->nflags);
            return jfail(c, w, "expected a non-empty string");
        }
        h->flags[h->nflags++] = xstrdup(j->valuestring);
    }
    return 0;
}

/* The format version, checked first: any other JSON gets a clear word. */
static int read_version(const jctx *c, const cJSON *root)
{
    long long v = 0;
    if (!cJSON_GetObjectItemCaseSensitive(root, "vtune_xml_snapshot"))
        return jfail(c, "", "missing \"vtune_xml_snapshot\": this is not a "
                     "vtune-xml host snapshot");
    int rc = get_int(c, "", root, "vtune_xml_snapshot", REQ, 0, JSON_MAX_INT,
                     &v);
    if (!rc && v != SNAPSHOT_VERSION)
        rc = jfail(c, "vtune_xml_snapshot", "version %lld is not supported "
                   "(this vtune-xml reads version %d)", v, SNAPSHOT_VERSION);
    return rc;
}

static int read_header(const jctx *c, const cJSON *root, vt_host *h)
{
    long long v = 0;
    char *s;
    int rc = get_str(c, "", root, "source", OPT | NUL, &s);
    if (!rc && s) {
        free(h->origin);
        h->origin = s;
    }
    if (!rc)
        rc = read_kind(c, root, h);
    if (!rc)
        rc = get_str(c, "", root, "arch", OPT | NUL, &h->arch);
    if (!rc && !(rc = get_int(c, "", root, "packages", OPT | NUL, 1,
                              VT_HOST_MAX_CPU + 1, &v)))
        h->npackages = (int)v;
    if (!rc)
        rc = read_flags(c, root, h);
    if (!rc)
        rc = get_set(c, "", root, "isolated_cpus", OPT | NUL, &h->isolated);
    if (!rc)
        rc = get_set(c, "", root, "nohz_full_cpus", OPT | NUL, &h->nohz_full);
    if (!rc)
        rc = get_set(c, "", root, "reserved_cpus", OPT | NUL, &h->reserved);
    if (!rc)
        rc = get_tristate(c, "", root, "memlock_raisable",
                          &h->memlock_raisable);
    if (!rc)
        rc = get_int(c, "", root, "memlock_max_kib", OPT | NUL, 0,
                     JSON_MAX_INT, &h->memlock_max_kib);
    return rc;
}

/* --- nodes --- */

static int read_pool(const jctx *c, const char *w, const cJSON *j,
                     vt_host_pages *p)
{
    static const char *const keys[] = {"size_kib", "total", "free", NULL};
    long long size = 0;
    int rc = want_object(c, w, j, keys);
    if (!rc)
        rc = get_int(c, w, j, "size_kib", REQ, 1, 1LL << 30, &size);
    if (!rc)
        rc = get_int(c, w, j, "total", OPT | NUL, 0, VT_HOST_MAX_PAGES,
                     &p->total);
    if (!rc)
        rc = get_int(c, w, j, "free", OPT | NUL, 0, VT_HOST_MAX_PAGES,
                     &p->free);
    if (!rc && p->total >= 0 && p->free > p->total)
        rc = jfail(c, w, "free (%lld) exceeds total (%lld)", p->free,
                   p->total);
    p->size_kib = rc ? 0 : (uint64_t)size;
    return rc;
}

static int read_node(const jctx *c, const char *w, const cJSON *j,
                     vt_host_node *n)
{
    static const char *const keys[] = {"id", "cpus", "memory_kib", "pages",
                                       NULL};
    long long id = 0;
    const cJSON *pages, *p;
    int rc = want_object(c, w, j, keys);
    if (!rc && !(rc = get_int(c, w, j, "id", REQ, 0, MAX_NODE_ID, &id)))
        n->id = (int)id;
    if (!rc)
        rc = get_set(c, w, j, "cpus", REQ, &n->cpus);
    if (!rc)
        rc = get_int(c, w, j, "memory_kib", OPT | NUL, 0, VT_HOST_MAX_MEM_KIB,
                     &n->mem_kib);
    if (!rc)
        rc = get_array(c, w, j, "pages", OPT, &pages);
    if (rc || !pages)
        return rc;
    n->pages = xcalloc((size_t)cJSON_GetArraySize(pages) + 1,
                       sizeof *n->pages);
    cJSON_ArrayForEach(p, pages) {
        char pw[128];
        snprintf(pw, sizeof pw, "%s.pages[%d]", w, n->npages);
        if ((rc = read_pool(c, pw, p, &n->pages[n->npages])))
            return rc;
        n->npages++;
    }
    return 0;
}

static int read_nodes(const jctx *c, const cJSON *root, vt_host *h)
{
    const cJSON *a, *j;
    int rc = get_array(c, "", root, "nodes", REQ, &a);
    if (rc)
        return rc;
    h->nodes = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *h->nodes);
    cJSON_ArrayForEach(j, a) {
        char w[64];
        snprintf(w, sizeof w, "nodes[%d]", h->nnodes);
        vt_host_node *n = &h->nodes[h->nnodes++];
        n->mem_kib = -1;
        if ((rc = read_node(c, w, j, n)))
            return rc;
    }
    return 0;
}

static int read_distances(const jctx *c, const cJSON *root, vt_host *h)
{
    const cJSON *a, *row, *v;
    int rc = get_array(c, "", root, "distances", OPT | NUL, &a);
    if (rc || !a)
        return rc;
    int n = h->nnodes;
    if (cJSON_GetArraySize(a) != n)
        return jfail(c, "distances", "expected %d rows, one per entry of "
                     "nodes[]", n);
    h->distances = xcalloc((size_t)n * (size_t)n + 1, sizeof *h->distances);
    int i = 0;
    cJSON_ArrayForEach(row, a) {
        char w[64];
        snprintf(w, sizeof w, "distances[%d]", i);
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != n)
            return jfail(c, w, "expected an array of %d integers", n);
        int k = 0;
        cJSON_ArrayForEach(v, row) {
            long long d = 0;
            char vw[80];
            snprintf(vw, sizeof vw, "%s[%d]", w, k);
            if ((rc = want_int(c, vw, v, 0, INT32_MAX, &d)))
                return rc;
            h->distances[i * n + k++] = (int)d;
        }
        i++;
    }
    return 0;
}

/* --- cpus --- */

/* What cpus[] says beyond the host_cpu fields: core and L3 labels and
 * the declared node, checked against nodes[] once the host is built. */
typedef struct cpu_extra {
    int id;
    long long core, l3;
    int has_node;
    long long node;
} cpu_extra;

static int read_cpu(const jctx *c, const char *w, const cJSON *j,
                    vt_host_cpu *cpu, cpu_extra *x)
{
    static const char *const keys[] = {"id", "online", "node", "package",
                                       "core", "l3", NULL};
    long long id = 0, pkg = 0;
    int rc = want_object(c, w, j, keys);
    if (!rc && !(rc = get_int(c, w, j, "id", REQ, 0, VT_HOST_MAX_CPU, &id)))
        cpu->id = x->id = (int)id;
    if (!rc)
        rc = get_bool(c, w, j, "online", 1, &cpu->online);
    x->has_node = cJSON_HasObjectItem(j, "node");
    if (!rc)
        rc = get_int(c, w, j, "node", OPT | NUL, 0, MAX_NODE_ID, &x->node);
    if (!rc && !(rc = get_int(c, w, j, "package", OPT | NUL, 0, INT32_MAX,
                              &pkg)))
        cpu->package = (int)pkg;
    if (!rc)
        rc = get_int(c, w, j, "core", OPT | NUL, 0, VT_HOST_MAX_CPU, &x->core);
    if (!rc)
        rc = get_int(c, w, j, "l3", OPT | NUL, 0, VT_HOST_MAX_CPU, &x->l3);
    return rc;
}

typedef struct label {
    long long label;
    int cpu;
} label;

static int cmp_label(const void *a, const void *b)
{
    long long x = ((const label *)a)->label, y = ((const label *)b)->label;
    return (x > y) - (x < y);
}

/* Groups the CPUs by their core (WANT_CORE) or L3 label into sets. */
static int group_labels(const cpu_extra *x, int n, int want_core,
                        hwloc_bitmap_t **out)
{
    label *v = xmalloc((size_t)(n + 1) * sizeof *v);
    int m = 0, nsets = 0;
    for (int i = 0; i < n; i++) {
        long long l = want_core ? x[i].core : x[i].l3;
        if (l >= 0)
            v[m++] = (label){l, x[i].id};
    }
    qsort(v, (size_t)m, sizeof *v, cmp_label);
    *out = xmalloc((size_t)(m + 1) * sizeof **out);
    for (int i = 0; i < m; i++) {
        if (i == 0 || v[i].label != v[i - 1].label)
            (*out)[nsets++] = hwloc_bitmap_alloc();
        hwloc_bitmap_set((*out)[nsets - 1], (unsigned)v[i].cpu);
    }
    free(v);
    return nsets;
}

static int read_cpus(const jctx *c, const cJSON *root, vt_host *h,
                     cpu_extra **extra)
{
    const cJSON *a, *j;
    int rc = get_array(c, "", root, "cpus", REQ, &a);
    if (rc)
        return rc;
    int n = cJSON_GetArraySize(a);
    h->cpus = xcalloc((size_t)n + 1, sizeof *h->cpus);
    *extra = xcalloc((size_t)n + 1, sizeof **extra);
    cJSON_ArrayForEach(j, a) {
        char w[64];
        snprintf(w, sizeof w, "cpus[%d]", h->ncpus);
        if ((rc = read_cpu(c, w, j, &h->cpus[h->ncpus],
                           &(*extra)[h->ncpus])))
            return rc;
        h->ncpus++;
    }
    h->ncores = group_labels(*extra, h->ncpus, 1, &h->cores);
    h->nl3 = group_labels(*extra, h->ncpus, 0, &h->l3);
    return 0;
}

/* The node each CPU declares must be the one nodes[] puts it in. */
static int check_cpu_nodes(const jctx *c, const vt_host *h,
                           const cpu_extra *x, int n)
{
    for (int i = 0; i < n; i++) {
        const vt_host_cpu *cpu = host_cpu_by_id(h, x[i].id);
        if (!x[i].has_node || !cpu || cpu->node == x[i].node)
            continue;
        char w[64];
        snprintf(w, sizeof w, "cpus[%d].node", i);
        if (cpu->node < 0)
            return jfail(c, w, "CPU %d is in no entry of nodes[]", x[i].id);
        return jfail(c, w, "nodes[] puts CPU %d in node %d", x[i].id,
                     cpu->node);
    }
    return 0;
}

/* --- pci --- */

/* "DDDD:BB:SS.F" with a 4 to 7 digit domain, lowercased in place. */
static int pci_addr_ok(char *s)
{
    size_t n = strlen(s);
    if (n < 12 || n > 15)
        return 0;
    size_t d = n - 8;
    for (size_t i = 0; i < n; i++) {
        int sep = (i == d || i == d + 3) ? ':' : i == d + 6 ? '.' : 0;
        if (sep ? s[i] != sep : !isxdigit((unsigned char)s[i]))
            return 0;
        s[i] = (char)tolower((unsigned char)s[i]);
    }
    return s[n - 1] <= '7' && strtoul(s + d + 4, NULL, 16) <= 0x1f;
}

static int get_addr(const jctx *c, const char *w, const cJSON *j,
                    const char *key, int mode, char **out)
{
    char kw[96];
    subpath(kw, sizeof kw, w, key);
    int rc = get_str(c, w, j, key, mode, out);
    if (!rc && *out && !pci_addr_ok(*out))
        rc = jfail(c, kw, "\"%s\" is not a PCI address like "
                   "\"0000:81:00.0\"", *out);
    return rc;
}

static int get_hex16(const jctx *c, const char *w, const cJSON *j,
                     const char *key, unsigned *out)
{
    char *s, kw[96];
    subpath(kw, sizeof kw, w, key);
    int rc = get_str(c, w, j, key, REQ, &s);
    if (rc)
        return rc;
    int ok = strlen(s) == 6 && s[0] == '0' && s[1] == 'x';
    for (int i = 2; ok && i < 6; i++)
        ok = isxdigit((unsigned char)s[i]);
    if (ok)
        *out = (unsigned)strtoul(s + 2, NULL, 16);
    else
        rc = jfail(c, kw, "expected a hex string like \"0x0200\"");
    free(s);
    return rc;
}

static int read_pci_dev(const jctx *c, const char *w, const cJSON *j,
                        vt_host_pci *p)
{
    static const char *const keys[] = {"address", "class", "vendor",
        "device", "node", "name", "pf", "boot_vga", "iommu_group", NULL};
    char *addr = NULL;
    long long node = 0;
    int rc = want_object(c, w, j, keys);
    if (!rc && !(rc = get_addr(c, w, j, "address", REQ, &addr)))
        snprintf(p->addr, sizeof p->addr, "%s", addr);
    free(addr);
    if (!rc)
        rc = get_hex16(c, w, j, "class", &p->class_id);
    if (!rc)
        rc = get_hex16(c, w, j, "vendor", &p->vendor_id);
    if (!rc)
        rc = get_hex16(c, w, j, "device", &p->device_id);
    if (!rc && !(rc = get_int(c, w, j, "node", OPT | NUL, 0, MAX_NODE_ID,
                              &node)))
        p->node = (int)node;
    if (!rc)
        rc = get_str(c, w, j, "name", OPT | NUL, &p->name);
    if (!rc)
        rc = get_addr(c, w, j, "pf", OPT | NUL, &p->pf);
    if (!rc)
        rc = get_tristate(c, w, j, "boot_vga", &p->boot_vga);
    long long group;
    if (!rc && !(rc = get_int(c, w, j, "iommu_group", OPT | NUL, 0,
                              1048575, &group)))
        p->iommu_group = (int)group;
    return rc;
}

static int read_pci(const jctx *c, const cJSON *root, vt_host *h)
{
    const cJSON *a, *j;
    int rc = get_array(c, "", root, "pci", OPT | NUL, &a);
    if (rc || !a)
        return rc;
    h->pci = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *h->pci);
    cJSON_ArrayForEach(j, a) {
        char w[64];
        snprintf(w, sizeof w, "pci[%d]", h->npci);
        vt_host_pci *p = &h->pci[h->npci++];
        p->node = -1;
        if ((rc = read_pci_dev(c, w, j, p)))
            return rc;
    }
    return 0;
}

/* --- the document --- */

static int read_snapshot(const jctx *c, const cJSON *root, vt_host *h)
{
    static const char *const keys[] = {"vtune_xml_snapshot", "source",
        "kind", "arch", "packages", "cpu_flags", "cpu_flags_complete",
        "isolated_cpus", "nohz_full_cpus", "reserved_cpus",
        "memlock_raisable", "memlock_max_kib", "nodes",
        "distances", "cpus", "pci", NULL};
    cpu_extra *extra = NULL;
    char err[256];
    if (!cJSON_IsObject(root))
        return jfail(c, "", "expected a JSON object at the top level");
    int rc = read_version(c, root);
    if (!rc)
        rc = check_keys(c, "", root, keys);
    if (!rc)
        rc = read_header(c, root, h);
    if (!rc)
        rc = read_nodes(c, root, h);
    if (!rc)
        rc = read_distances(c, root, h);
    if (!rc)
        rc = read_cpus(c, root, h, &extra);
    if (!rc)
        rc = read_pci(c, root, h);
    if (!rc && host_finish(h, err, sizeof err) < 0)
        rc = jfail(c, "", "inconsistent host: %s", err);
    if (!rc)
        rc = check_cpu_nodes(c, h, extra, h->ncpus);
    free(extra);
    return rc;
}

/* Line and column (1-based) of AT in BUF. */
static void position(const char *buf, const char *at, long *line, long *col)
{
    *line = 1;
    const char *bol = buf;
    for (const char *p = buf; p < at; p++)
        if (*p == '\n') {
            (*line)++;
            bol = p + 1;
        }
    *col = (long)(at - bol) + 1;
}

int host_load_json(const char *path, const char *buf, size_t len, vt_host **out)
{
    jctx c = {path};
    *out = NULL;
    if (strlen(buf) != len) {
        long line, col;
        position(buf, buf + strlen(buf), &line, &col);
        return vt_fail(VT_EXIT_HOST, path, line, "snapshot: NUL byte in "
                       "JSON text");
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(buf, &end, 1);
    if (!root) {
        long line, col;
        const char *at = end ? end : cJSON_GetErrorPtr();
        if (!at || at < buf || at > buf + len)
            at = buf;
        position(buf, at, &line, &col);
        return vt_fail(VT_EXIT_HOST, path, line, "snapshot: invalid JSON "
                       "(syntax error at column %ld)", col);
    }
    vt_host *h = host_new(path, "snapshot");
    int rc = read_snapshot(&c, root, h);
    cJSON_Delete(root);
    if (rc) {
        host_free(h);
        return rc;
    }
    *out = h;
    return 0;
}
