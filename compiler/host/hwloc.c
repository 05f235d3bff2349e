/*
 * hwloc.c - the hwloc loaders: an hwloc XML topology (v1 or v2
 * format), an hwloc synthetic description and the live machine. All three
 * load an hwloc topology with I/O objects kept, then fill the host model
 * from it (hwloc_fill); the live loader adds host_live_extras. An XML
 * file is imported in a child process (host_load_hwloc_xml says why).
 *
 * What hwloc does not say is left unknown: CPUs of unknown core, PCI
 * devices of unknown locality, free hugepages. Offline CPUs are in the
 * topology's complete cpuset but not in its cpuset; they are kept as
 * online = 0, placed in nodes, packages, cores and L3 groups through the
 * complete cpusets of those objects.
 */
#include "loaders.h"
#include "alloc.h"
#include "error.h"
#include "file.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/tree.h>

/* hwloc prints "critical" errors about odd topologies to stderr; the
 * tool reports problems itself. The user's own setting wins. */
static void quiet_hwloc(void)
{
    setenv("HWLOC_HIDE_ERRORS", "2", 0);
}

/* A new topology that keeps PCI devices, bridges and OS devices.
 * Discovery plugins the model does not need are left out: Linux's own
 * backend reads PCI devices from sysfs, the libpciaccess plugin adds only
 * names (and leaks), the GPU plugins probe displays and drivers. */
static hwloc_topology_t new_topology(void)
{
    static const char *const unneeded[] = {"pci", "opencl", "gl", "cuda",
        "nvml", "rsmi", "levelzero"};
    hwloc_topology_t topo;
    quiet_hwloc();
    if (hwloc_topology_init(&topo) < 0) {
        fputs(VT_PROG ": out of memory\n", stderr);
        abort();
    }
    for (size_t i = 0; i < sizeof unneeded / sizeof unneeded[0]; i++)
        hwloc_topology_set_components(topo,
            HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, unneeded[i]);
    hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
    return topo;
}

/* ------------------------------------------------------------------ */
/* filling the model                                                   */

static unsigned obj_index(hwloc_obj_t o)
{
    return o->os_index != HWLOC_UNKNOWN_INDEX ? o->os_index : o->logical_index;
}

static vt_host_cpu *find_cpu(vt_host *h, int id)
{
    int lo = 0, hi = h->ncpus - 1;     /* cpus are filled in id order */
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (h->cpus[mid].id == id)
            return &h->cpus[mid];
        if (h->cpus[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* Every CPU of the complete cpuset, online when in the topology cpuset. */
static void fill_cpus(hwloc_topology_t topo, vt_host *h)
{
    hwloc_const_bitmap_t all = hwloc_topology_get_complete_cpuset(topo);
    hwloc_const_bitmap_t on = hwloc_topology_get_topology_cpuset(topo);
    int n = hwloc_bitmap_weight(all), id, i = 0;
    h->cpus = xcalloc((size_t)(n > 0 ? n : 1), sizeof *h->cpus);
    hwloc_bitmap_foreach_begin(id, all) {
        if (id > VT_HOST_MAX_CPU)
            break;
        h->cpus[i++] = (vt_host_cpu){id, hwloc_bitmap_isset(on, (unsigned)id),
                                  -1, -1, -1, -1};
    } hwloc_bitmap_foreach_end();
    h->ncpus = i;
}

static void fill_packages(hwloc_topology_t topo, vt_host *h)
{
    int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    h->npackages = n > 0 ? n : -1;
    for (int i = 0; i < n; i++) {
        hwloc_obj_t o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE,
                                              (unsigned)i);
        int id;
        hwloc_bitmap_foreach_begin(id, o->complete_cpuset) {
            vt_host_cpu *c = find_cpu(h, id);
            if (c)
                c->package = (int)obj_index(o);
        } hwloc_bitmap_foreach_end();
    }
}

/* hwloc gives a memory-only node (KNL MCDRAM, HBM, CXL) the cpuset of
 * the CPUs near it, so a CPU can be in several nodes' cpusets. The CPU
 * belongs to the one node that is not a special memory tier, the lowest
 * OS index among equals; the others keep no CPUs. */
static int node_rank(hwloc_obj_t o)
{
    return o->subtype && strcmp(o->subtype, "DRAM") != 0;
}

static int better_node(hwloc_obj_t a, hwloc_obj_t b)
{
    if (node_rank(a) != node_rank(b))
        return node_rank(a) < node_rank(b);
    return obj_index(a) < obj_index(b);
}

static void fill_node(hwloc_obj_t o, vt_host_node *n)
{
    n->id = (int)obj_index(o);
    n->cpus = hwloc_bitmap_alloc();
    /* hwloc says 0 both for "unknown" and for a memoryless node. */
    n->mem_kib = o->attr->numanode.local_memory
                 ? (long long)(o->attr->numanode.local_memory / 1024) : -1;
    n->pages = xcalloc(o->attr->numanode.page_types_len + 1,
                       sizeof *n->pages);
    for (unsigned k = 0; k < o->attr->numanode.page_types_len; k++) {
        struct hwloc_memory_page_type_s *pt = &o->attr->numanode.page_types[k];
        if (pt->size < 1024)
            continue;
        n->pages[n->npages++] = (vt_host_pages){pt->size / 1024,
                                             (long long)pt->count, -1};
    }
}

static void fill_nodes(hwloc_topology_t topo, vt_host *h)
{
    int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    if (n <= 0)
        return;
    hwloc_obj_t *objs = xmalloc((size_t)n * sizeof *objs);
    h->nodes = xcalloc((size_t)n, sizeof *h->nodes);
    h->nnodes = n;
    for (int i = 0; i < n; i++) {
        objs[i] = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)i);
        fill_node(objs[i], &h->nodes[i]);
    }
    /* each node's cpuset walked once (cost linear in the topology, not
     * CPUs x nodes): a CPU keeps the best node that lists it */
    int *best = xmalloc((size_t)(h->ncpus + 1) * sizeof *best);
    for (int c = 0; c < h->ncpus; c++)
        best[c] = -1;
    for (int i = 0; i < n; i++) {
        if (!objs[i]->complete_cpuset)
            continue;
        int id;
        hwloc_bitmap_foreach_begin(id, objs[i]->complete_cpuset) {
            vt_host_cpu *c = find_cpu(h, id);
            if (!c)
                continue;
            int *b = &best[c - h->cpus];
            if (*b < 0 || better_node(objs[i], objs[*b]))
                *b = i;
        } hwloc_bitmap_foreach_end();
    }
    for (int c = 0; c < h->ncpus; c++)
        if (best[c] >= 0)
            hwloc_bitmap_set(h->nodes[best[c]].cpus, (unsigned)h->cpus[c].id);
    free(best);
    free(objs);
}

static int node_slot(const vt_host *h, unsigned id)
{
    for (int i = 0; i < h->nnodes; i++)
        if (h->nodes[i].id == (int)id)
            return i;
    return -1;
}

/* One NUMA matrix as nnodes*nnodes indexed like h->nodes, or NULL when
 * it does not cover every node or holds values beyond int. */
static int *map_distances(const vt_host *h, const struct hwloc_distances_s *d)
{
    int n = h->nnodes;
    int *m = xmalloc((size_t)n * (size_t)n * sizeof *m);
    for (int i = 0; i < n * n; i++)
        m[i] = -1;
    /* each object's slot found once: the matrix is then filled in time
     * linear in its size */
    int *slot = xmalloc((size_t)(d->nbobjs + 1) * sizeof *slot);
    for (unsigned i = 0; i < d->nbobjs; i++)
        slot[i] = node_slot(h, obj_index(d->objs[i]));
    for (unsigned i = 0; i < d->nbobjs; i++)
        for (unsigned j = 0; j < d->nbobjs; j++) {
            int a = slot[i], b = slot[j];
            hwloc_uint64_t v = d->values[(size_t)i * d->nbobjs + j];
            if (a >= 0 && b >= 0 && v <= (hwloc_uint64_t)INT32_MAX)
                m[(size_t)a * (size_t)n + (size_t)b] = (int)v;
        }
    free(slot);
    for (int i = 0; i < n * n; i++)
        if (m[i] < 0) {
            free(m);
            return NULL;
        }
    return m;
}

/* The NUMA latency matrix (any NUMA matrix when no latency one). */
static void fill_distances(hwloc_topology_t topo, vt_host *h)
{
    unsigned nr = 0;
    if (hwloc_distances_get_by_type(topo, HWLOC_OBJ_NUMANODE, &nr, NULL, 0,
                                    0) < 0 || nr == 0)
        return;
    struct hwloc_distances_s **all = xcalloc(nr, sizeof *all);
    if (hwloc_distances_get_by_type(topo, HWLOC_OBJ_NUMANODE, &nr, all, 0,
                                    0) == 0 && nr > 0) {
        unsigned pick = 0;
        for (unsigned i = nr; i-- > 0;)
            if (all[i]->kind & HWLOC_DISTANCES_KIND_MEANS_LATENCY)
                pick = i;
        h->distances = map_distances(h, all[pick]);
        for (unsigned i = 0; i < nr; i++)
            hwloc_distances_release(topo, all[i]);
    }
    free(all);
}

/* Complete cpusets of every object of TYPE, in a new array. */
static int collect_sets(hwloc_topology_t topo, hwloc_obj_type_t type,
                        hwloc_bitmap_t **out)
{
    int n = hwloc_get_nbobjs_by_type(topo, type);
    if (n <= 0) {
        *out = NULL;
        return 0;
    }
    *out = xmalloc((size_t)n * sizeof **out);
    for (int i = 0; i < n; i++) {
        hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, (unsigned)i);
        (*out)[i] = hwloc_bitmap_dup(o->complete_cpuset);
    }
    return n;
}

/* Cores from Core objects; an online CPU in no Core object (or every CPU
 * when the topology has none) is a core of its own; an offline CPU in no
 * Core object keeps an unknown core. */
static void fill_cores(hwloc_topology_t topo, vt_host *h)
{
    hwloc_bitmap_t *sets;
    int n = collect_sets(topo, HWLOC_OBJ_CORE, &sets);
    hwloc_bitmap_t covered = hwloc_bitmap_alloc();
    for (int i = 0; i < n; i++)
        hwloc_bitmap_or(covered, covered, sets[i]);
    sets = xrealloc(sets, (size_t)(n + h->ncpus) * sizeof *sets);
    for (int c = 0; c < h->ncpus; c++)
        if (h->cpus[c].online &&
            !hwloc_bitmap_isset(covered, (unsigned)h->cpus[c].id)) {
            sets[n] = hwloc_bitmap_alloc();
            hwloc_bitmap_set(sets[n++], (unsigned)h->cpus[c].id);
        }
    hwloc_bitmap_free(covered);
    h->cores = sets;
    h->ncores = n;
}

/* ------------------------------------------------------------------ */
/* PCI devices                                                         */

static void pci_addr(hwloc_obj_t o, char *buf, size_t len)
{
    snprintf(buf, len, "%04x:%02x:%02x.%01x",
             (unsigned)o->attr->pcidev.domain, o->attr->pcidev.bus,
             o->attr->pcidev.dev, o->attr->pcidev.func);
}

/* NUMA locality: the first node of the nearest non-I/O ancestor; unknown
 * when that is the root of a multi-node machine. */
static int pci_node(hwloc_topology_t topo, const vt_host *h, hwloc_obj_t o)
{
    hwloc_obj_t anc = hwloc_get_non_io_ancestor_obj(topo, o);
    if (!anc || !anc->nodeset || hwloc_bitmap_iszero(anc->nodeset))
        return -1;
    if (anc == hwloc_get_root_obj(topo) && h->nnodes > 1)
        return -1;
    return hwloc_bitmap_first(anc->nodeset);
}

/* The name of the first network, block or OpenFabrics OS device. */
static char *pci_name(hwloc_obj_t o)
{
    for (hwloc_obj_t c = o->io_first_child; c; c = c->next_sibling)
        if (c->type == HWLOC_OBJ_OS_DEVICE && c->name &&
            (c->attr->osdev.type == HWLOC_OBJ_OSDEV_NETWORK ||
             c->attr->osdev.type == HWLOC_OBJ_OSDEV_BLOCK ||
             c->attr->osdev.type == HWLOC_OBJ_OSDEV_OPENFABRICS))
            return xstrdup(c->name);
    return NULL;
}

static int behind_pci_bridge(hwloc_obj_t o)
{
    hwloc_obj_t p = o->parent;
    return p && p->type == HWLOC_OBJ_BRIDGE &&
           p->attr->bridge.upstream_type == HWLOC_OBJ_BRIDGE_PCI;
}

static int same_group(hwloc_obj_t a, hwloc_obj_t b)
{
    return a->parent == b->parent &&
           a->attr->pcidev.vendor_id == b->attr->pcidev.vendor_id &&
           a->attr->pcidev.class_id == b->attr->pcidev.class_id;
}

/* hwloc records no SR-IOV link, so VFs are recognised by shape:
 * - a PCI device whose parent object is a PCI device (not a bridge);
 * - behind a PCI bridge (not on a root bus, where chipset functions
 *   share vendor and class), among the devices of one vendor and class,
 *   those whose device id differs from that of the lowest-addressed one
 *   are VFs of the nearest lower-addressed device with that id (Cisco
 *   usNIC 0b:00.1-3 [1137:00cf] of 0b:00.0 [1137:0043]). Two ports of one
 *   card share their device id and stay PFs.
 * The live loader replaces this guess with sysfs physfn links. */
static hwloc_obj_t guess_pf(hwloc_obj_t *devs, int n, int i)
{
    hwloc_obj_t o = devs[i];
    if (o->parent && o->parent->type == HWLOC_OBJ_PCI_DEVICE)
        return o->parent;
    if (!behind_pci_bridge(o))
        return NULL;
    hwloc_obj_t first = NULL, pf = NULL;
    for (int k = 0; k < n; k++) {        /* devs are in address order */
        if (!same_group(devs[k], o))
            continue;
        if (!first)
            first = devs[k];
        if (k < i && devs[k]->attr->pcidev.device_id ==
                         first->attr->pcidev.device_id)
            pf = devs[k];
    }
    if (!first || first == o ||
        o->attr->pcidev.device_id == first->attr->pcidev.device_id)
        return NULL;
    return pf;
}

/* Drops devices whose address appears twice (hand-edited topologies do
 * that): which one is real is unknown. */
static void drop_duplicate_pci(vt_host *h)
{
    char *dup = xcalloc((size_t)h->npci + 1, 1);
    for (int i = 0; i < h->npci; i++)
        for (int j = i + 1; j < h->npci; j++)
            if (!strcmp(h->pci[i].addr, h->pci[j].addr)) {
                if (!dup[i])
                    vt_error(h->source, 0, "warning: PCI address %s appears "
                             "more than once in the topology; ignoring those "
                             "devices", h->pci[i].addr);
                dup[i] = dup[j] = 1;
            }
    int k = 0;
    for (int i = 0; i < h->npci; i++) {
        if (dup[i]) {
            free(h->pci[i].name);
            free(h->pci[i].pf);
        } else {
            h->pci[k++] = h->pci[i];
        }
    }
    h->npci = k;
    free(dup);
}

static void fill_pci(hwloc_topology_t topo, vt_host *h)
{
    int n = 0;
    for (hwloc_obj_t o = NULL; (o = hwloc_get_next_pcidev(topo, o));)
        n++;
    if (n == 0)
        return;
    hwloc_obj_t *devs = xmalloc((size_t)n * sizeof *devs);
    n = 0;
    for (hwloc_obj_t o = NULL; (o = hwloc_get_next_pcidev(topo, o));)
        devs[n++] = o;
    h->pci = xcalloc((size_t)n, sizeof *h->pci);
    for (int i = 0; i < n; i++) {
        hwloc_obj_t o = devs[i];
        vt_host_pci *p = &h->pci[h->npci++];
        pci_addr(o, p->addr, sizeof p->addr);
        p->class_id = o->attr->pcidev.class_id;
        p->vendor_id = o->attr->pcidev.vendor_id;
        p->device_id = o->attr->pcidev.device_id;
        p->node = pci_node(topo, h, o);
        p->name = pci_name(o);
        p->boot_vga = -1;       /* hwloc does not say; live reads sysfs */
        p->iommu_group = -1;
        hwloc_obj_t pf = guess_pf(devs, n, i);
        if (pf) {
            char a[16];
            pci_addr(pf, a, sizeof a);
            p->pf = xstrdup(a);
        }
    }
    free(devs);
    drop_duplicate_pci(h);
}

/* Fills H from a loaded topology (everything but host_finish). */
static void hwloc_fill(hwloc_topology_t topo, vt_host *h)
{
    const char *arch = hwloc_obj_get_info_by_name(hwloc_get_root_obj(topo),
                                                  "Architecture");
    h->arch = arch && *arch ? xstrdup(arch) : NULL;
    fill_cpus(topo, h);
    fill_packages(topo, h);
    fill_nodes(topo, h);
    fill_distances(topo, h);
    fill_cores(topo, h);
    h->nl3 = collect_sets(topo, HWLOC_OBJ_L3CACHE, &h->l3);
    fill_pci(topo, h);
}

/* host_finish, reporting an inconsistency against WHERE; returns 0/4. */
static int finish(vt_host *h, const char *where, vt_host **out)
{
    char err[256];
    if (host_finish(h, err, sizeof err) < 0) {
        vt_error(where, 0, "inconsistent topology: %s", err);
        host_free(h);
        return VT_EXIT_HOST;
    }
    *out = h;
    return 0;
}

/* ------------------------------------------------------------------ */
/* loaders                                                             */

/* "hwloc 2.9.0" when the build passes the release (VT_HWLOC_VERSION, from
 * pkg-config), else the library's API version, which lags the release. */
static void hwloc_version_string(char *buf, size_t len)
{
#ifdef VT_HWLOC_VERSION
    snprintf(buf, len, "hwloc %s", VT_HWLOC_VERSION);
#else
    unsigned v = hwloc_get_api_version();
    snprintf(buf, len, "the hwloc library (API %u.%u)", v >> 16,
             (v >> 8) & 0xff);
#endif
}

/* hwloc reads XML v1 (no version attribute) and v2; it fails on newer
 * formats with only EINVAL, so the version is checked here first. */
static int check_xml_version(const char *path, const char *buf, size_t len)
{
    vt_xml_head head;
    if (host_xml_root(path, buf, len, &head) < 0)
        return VT_EXIT_HOST;
    if (*head.version && strtol(head.version, NULL, 10) > 2) {
        char hv[64];
        hwloc_version_string(hv, sizeof hv);
        return vt_fail(VT_EXIT_HOST, path, head.line,
                       "hwloc XML version %s is not supported by %s, which "
                       "reads versions 1.x and 2.x (export the topology in v2 "
                       "format: lstopo of hwloc 2.x, or lstopo --of xml "
                       "--export-xml-flags v2)", head.version, hv);
    }
    return 0;
}

int host_load_hwloc_xml_inproc(const char *path, const char *buf,
                               size_t len, vt_host **out)
{
    *out = NULL;
    int rc = check_xml_version(path, buf, len);
    if (rc)
        return rc;
    hwloc_topology_t topo = new_topology();
    /* hwloc's buffer length includes the terminating NUL. */
    errno = 0;
    if (hwloc_topology_set_xmlbuffer(topo, buf, (int)len + 1) < 0 ||
        hwloc_topology_load(topo) < 0) {
        int e = errno;
        hwloc_topology_destroy(topo);
        /* not well-formed: libxml2's message says where (only on this
         * failing path is the whole document parsed twice) */
        xmlDocPtr doc = host_xml_parse(path, buf, len);
        if (!doc)
            return VT_EXIT_HOST;
        xmlFreeDoc(doc);
        /* hwloc's XML import rarely sets errno; say so only when it did */
        return vt_fail(VT_EXIT_HOST, path, 0,
                       "hwloc cannot load this XML topology%s%s%s (run "
                       "with HWLOC_XML_VERBOSE=1 for hwloc's reason)",
                       e ? " (" : "", e ? strerror(e) : "", e ? ")" : "");
    }
    vt_host *h = host_new(path, "hwloc-xml");
    hwloc_fill(topo, h);
    hwloc_topology_destroy(topo);
    return finish(h, path, out);
}

/* ------------------------------------------------------------------ */
/* the child process                                                   */

/* hwloc 2.9 trusts the XML it imports: some malformed topologies crash it
 * (an hwloc v1 object with a cpuset but no complete_cpuset dereferences a
 * NULL bitmap in hwloc_bitmap_isequal; found by tests/fuzz, see
 * doc/fuzzing.md), and its cost grows faster than the topology (inserting
 * objects is linear in their siblings, bitmaps in the CPUs: a synthetic
 * "numa:16 pu:4096" takes 150 s and 1 GB). So XML files and synthetic
 * descriptions are loaded in a child process with a time limit, which
 * sends the host back as a JSON snapshot: the round trip host_to_json
 * then host_load_json is exact (fuzz_host checks it on every input). The
 * NUMA distance matrix, the one part that grows with the square of the
 * nodes (16 million values on 4,096 nodes, which as JSON objects would
 * take a gigabyte on each side), follows the JSON's NUL as raw ints. A
 * crash or a hang of hwloc becomes a message and exit 4, never a crash of
 * the tool. It costs a fork and the snapshot written and read again:
 * about 2 ms for the 24-node, 384-CPU host (bench/compare.sh, section 3).
 */

typedef int (*child_loader)(const void *arg, vt_host **out);

/* The child: loads, sends the snapshot and the matrix on FD, exits with
 * the loader's code. */
static void load_child(int fd, child_loader load, const void *arg,
                       unsigned seconds)
{
    /* die of the signal whatever handler the process had (a sanitizer's,
     * a fuzzer's): the parent reports it */
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
        signal(fatal[i], SIG_DFL);
    signal(SIGPIPE, SIG_IGN);   /* a parent gone is a failed write */
    signal(SIGALRM, SIG_DFL);
    vt_host *h;
    alarm(seconds);             /* a hang in hwloc is a failure too */
    int rc = load(arg, &h);
    if (rc)
        _exit(rc);
    int *dist = h->distances;
    h->distances = NULL;
    char *json = host_to_json(h);
    rc = file_write_all(fd, json, strlen(json) + 1);
    if (rc == 0 && dist)
        rc = file_write_all(fd, (const char *)dist, (size_t)h->nnodes *
                            (size_t)h->nnodes * sizeof *dist);
    free(json);     /* memcheck follows the child: leave nothing behind */
    free(dist);
    host_free(h);
    _exit(rc < 0 ? VT_EXIT_INTERNAL : 0);
}

/* Runs LOAD(ARG) in a child limited to SECONDS; WHERE names the source
 * in messages, WHAT says what it is ("XML topology"). */
static int load_in_child(const char *where, const char *what,
                         child_loader load, const void *arg,
                         unsigned seconds, const char *kind, vt_host **out)
{
    *out = NULL;
    int rc, fds[2];
    if (pipe(fds) < 0)
        return vt_fail(VT_EXIT_INTERNAL, where, 0, "pipe: %s",
                       strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return vt_fail(VT_EXIT_INTERNAL, where, 0, "fork: %s", strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        /* a parent ended by a signal takes its child along */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(VT_EXIT_INTERNAL);
        load_child(fds[1], load, arg, seconds);
    }
    close(fds[1]);
    /* the child's snapshot is the tool's own: not held to the input
     * limit (a 4,096-node host sends more than 64 MiB) */
    size_t n = 0;
    char *buf = file_read_fd_max(fds[0], &n, SIZE_MAX / 4);
    close(fds[0]);
    int status = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (!buf) {         /* unreadable: as if the child sent nothing */
        buf = xstrdup("");
        n = 0;
    }
    if (w < 0 && !n) {  /* SIGCHLD ignored: no status, and no snapshot */
        free(buf);
        return vt_fail(VT_EXIT_HOST, where, 0, "hwloc could not load this "
                       "%s (its process ended without a result)", what);
    }
    if (w < 0)          /* no status, but a whole snapshot */
        status = 0;
    if (WIFSIGNALED(status) || !WIFEXITED(status)) {
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        free(buf);
        if (sig == SIGALRM)
            return vt_fail(VT_EXIT_HOST, where, 0, "hwloc took more than "
                           "%u s reading this %s: it is larger than any host "
                           "vtune-xml is meant for, or malformed (lstopo "
                           "--input shows hwloc's view)", seconds, what);
        if (sig == SIGKILL)
            return vt_fail(VT_EXIT_HOST, where, 0, "hwloc's process was "
                           "killed reading this %s (out of memory?)", what);
        int file = !strcmp(kind, "hwloc-xml");
        return vt_fail(VT_EXIT_HOST, where, 0, "hwloc crashed reading this "
                       "%s (%s): the %s is malformed (lstopo --input %s%s%s "
                       "shows hwloc's view)", what, strsignal(sig),
                       file ? "file" : "description", file ? "" : "'",
                       file ? where : where + 10, file ? "" : "'");
    }
    if (WEXITSTATUS(status) != 0) {
        free(buf);
        return WEXITSTATUS(status);     /* the child said why */
    }
    size_t jlen = strnlen(buf, n);
    vt_host *h = NULL;
    rc = jlen < n ? host_load_json(where, buf, jlen, &h) : VT_EXIT_INTERNAL;
    size_t cells = h ? (size_t)h->nnodes * (size_t)h->nnodes : 0;
    size_t rest = n - (jlen < n ? jlen + 1 : n);
    if (!rc && rest && rest != cells * sizeof(int))
        rc = VT_EXIT_INTERNAL;
    if (!rc && rest) {
        h->distances = xmalloc(cells * sizeof(int));
        memcpy(h->distances, buf + jlen + 1, cells * sizeof(int));
        for (size_t i = 0; i < cells && !rc; i++)
            if (h->distances[i] < 0)
                rc = VT_EXIT_INTERNAL;
    }
    free(buf);
    if (rc) {
        host_free(h);
        return vt_fail(VT_EXIT_INTERNAL, where, 0, "the hwloc topology "
                       "did not survive its way from the child process: a "
                       "bug");
    }
    h->kind = kind;
    *out = h;
    return 0;
}

typedef struct {
    const char *path, *buf;
    size_t len;
} xml_arg;

static int load_xml_arg(const void *arg, vt_host **out)
{
    const xml_arg *x = arg;
    return host_load_hwloc_xml_inproc(x->path, x->buf, x->len, out);
}

int host_load_hwloc_xml(const char *path, const char *buf, size_t len,
                        vt_host **out)
{
    /* lstopo reads a 56 MB topology (4,096 nodes) in 5 s: a minute, and
     * two seconds per MiB beyond, is ample and still ends a hang */
    unsigned seconds = 60 + (unsigned)(len >> 20) * 2;
    xml_arg x = {path, buf, len};
    return load_in_child(path, "XML topology", load_xml_arg, &x, seconds,
                         "hwloc-xml", out);
}

/* The CPUs and NUMA nodes a synthetic description makes: the product of
 * the levels' arities ("pack:2 numa:1 core:8 pu:2": 32 and 2), the nodes
 * up to the numa level (or the objects of a level with a [numa] memory
 * child), 1 when it has none; saturated at LLONG_MAX. */
static void synthetic_size(const char *desc, long long *pus, long long *nodes)
{
    long long objs = 1;
    *nodes = -1;
    for (const char *p = desc; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        const char *tok = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        if (tok == p)
            break;
        /* hwloc takes any prefix of a type name ("nu", "no": NUMANode),
         * and a bare number for a level of its own choosing */
        int numa = (*tok == 'n' || *tok == 'N') ||
                   ((tok[0] == '[') && (tok[1] == 'n' || tok[1] == 'N'));
        if (*tok == '[' || *tok == '(') {
            /* a memory child of every object of the level above */
            if (numa) {
                long long sum = (*nodes < 0 ? 0 : *nodes);
                if (__builtin_add_overflow(sum, objs, nodes))
                    *nodes = LLONG_MAX;
            }
            continue;
        }
        const char *colon = memchr(tok, ':', (size_t)(p - tok));
        const char *num = colon ? colon + 1 : tok;
        char *end;
        errno = 0;
        long long k = strtoll(num, &end, 0);     /* 0x100 too */
        if (end == num || k <= 0)
            continue;
        if (errno || __builtin_mul_overflow(objs, k, &objs))
            objs = LLONG_MAX;
        if (numa && colon && *nodes < 0)
            *nodes = objs;
    }
    *pus = objs;
    if (*nodes < 0)
        *nodes = 1;
}

/* Refuses DESC for its PUS CPUs and NODES nodes (exit 4). */
static int synthetic_too_large(const char *desc, long long pus,
                               long long nodes)
{
    return vt_fail(VT_EXIT_HOST, NULL, 0, "the synthetic description \"%s\" "
                   "makes %lld CPUs and %lld NUMA nodes: at most %d and %d "
                   "(hwloc's cost grows with their square)", desc, pus, nodes,
                   VT_SYNTHETIC_MAX_PUS, VT_SYNTHETIC_MAX_NODES);
}

static int load_synthetic_arg(const void *arg, vt_host **out)
{
    const char *desc = arg;
    *out = NULL;
    char *src = xasprintf("synthetic:%s", desc);
    hwloc_topology_t topo = new_topology();
    if (hwloc_topology_set_synthetic(topo, desc) < 0 ||
        hwloc_topology_load(topo) < 0) {
        hwloc_topology_destroy(topo);
        int rc = vt_fail(VT_EXIT_HOST, NULL, 0,
                         "invalid hwloc synthetic description \"%s\" (e.g. "
                         "\"pack:2 numa:1 core:8 pu:2\"; run with "
                         "HWLOC_SYNTHETIC_VERBOSE=1 for hwloc's reason)", desc);
        free(src);
        return rc;
    }
    /* what hwloc made, whatever the description's spelling */
    int pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    int numas = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    if (pus > VT_SYNTHETIC_MAX_PUS || numas > VT_SYNTHETIC_MAX_NODES) {
        hwloc_topology_destroy(topo);
        int rc = synthetic_too_large(desc, pus, numas);
        free(src);
        return rc;
    }
    vt_host *h = host_new(src, "hwloc-synthetic");
    free(src);
    hwloc_fill(topo, h);
    hwloc_topology_destroy(topo);
    return finish(h, h->source, out);
}

int host_load_hwloc_synthetic(const char *desc, vt_host **out)
{
    *out = NULL;
    long long pus, nodes;
    synthetic_size(desc, &pus, &nodes);
    if (pus > VT_SYNTHETIC_MAX_PUS || nodes > VT_SYNTHETIC_MAX_NODES)
        return synthetic_too_large(desc, pus, nodes);
    char *where = xasprintf("synthetic:%s", desc);
    int rc = load_in_child(where, "synthetic description",
                           load_synthetic_arg, desc, 60, "hwloc-synthetic",
                           out);
    free(where);
    return rc;
}

int host_load_hwloc_live(vt_host **out)
{
    *out = NULL;
    hwloc_topology_t topo = new_topology();
    hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
    if (hwloc_topology_load(topo) < 0) {
        int e = errno;
        hwloc_topology_destroy(topo);
        return vt_fail(VT_EXIT_HOST, "live", 0,
                       "hwloc cannot read this machine's topology: %s",
                       strerror(e));
    }
    vt_host *h = host_new("live", "hwloc-live");
    hwloc_fill(topo, h);
    hwloc_topology_destroy(topo);
    host_live_extras(h);
    return finish(h, "live", out);
}
