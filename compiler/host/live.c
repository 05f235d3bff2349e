/*
 * live.c - what hwloc does not tell about the running machine, read
 * from sysfs and procfs: hugepage pools per node with free counts,
 * isolcpus / nohz_full CPU sets, the CPU flags of /proc/cpuinfo and the
 * SR-IOV PF of each VF (sysfs physfn links).
 *
 * Every path is read below $VTUNE_XML_SYSROOT (default: the real root),
 * so tests can point it at a fake tree. A missing file leaves its part
 * unknown; nothing here fails.
 */
#include "loaders.h"
#include "alloc.h"
#include "error.h"
#include "file.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* "$VTUNE_XML_SYSROOT" + the formatted path, owned by the caller. */
static char *sys_path(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *sys_path(const char *fmt, ...)
{
    const char *root = getenv("VTUNE_XML_SYSROOT");
    va_list ap;
    char *rel;
    va_start(ap, fmt);
    if (vasprintf(&rel, fmt, ap) < 0) {
        fputs(VT_PROG ": out of memory\n", stderr);
        abort();
    }
    va_end(ap);
    char *p = xasprintf("%s%s", root ? root : "", rel);
    free(rel);
    return p;
}

/* A non-negative integer file (nr_hugepages...), or -1. */
static long long read_count(const char *path)
{
    size_t len;
    char *buf = file_read(path, &len);
    if (!buf)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    while (*end == '\n' || *end == ' ')
        end++;
    if (errno || end == buf || *end || v < 0)
        v = -1;
    free(buf);
    return v;
}

/* ------------------------------------------------------------------ */
/* hugepages                                                           */

static int cmp_pages(const void *a, const void *b)
{
    uint64_t x = ((const vt_host_pages *)a)->size_kib;
    uint64_t y = ((const vt_host_pages *)b)->size_kib;
    return (x > y) - (x < y);
}

/* The pool of SIZE_KIB in N, added when missing. */
static vt_host_pages *pool(vt_host_node *n, uint64_t size_kib)
{
    for (int i = 0; i < n->npages; i++)
        if (n->pages[i].size_kib == size_kib)
            return &n->pages[i];
    n->pages = xrealloc(n->pages, (size_t)(n->npages + 1) * sizeof *n->pages);
    n->pages[n->npages] = (vt_host_pages){size_kib, -1, -1};
    return &n->pages[n->npages++];
}

/* nodeN/hugepages/hugepages-<size>kB/{nr,free}_hugepages -> pools. */
static void node_hugepages(vt_host_node *n)
{
    char *dir = sys_path("/sys/devices/system/node/node%d/hugepages", n->id);
    DIR *d = opendir(dir);
    if (!d) {
        free(dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        unsigned long long size;
        int end = 0;
        if (sscanf(e->d_name, "hugepages-%llukB%n", &size, &end) != 1 ||
            e->d_name[end] != '\0' || size == 0)
            continue;
        char *nr = xasprintf("%s/%s/nr_hugepages", dir, e->d_name);
        char *fr = xasprintf("%s/%s/free_hugepages", dir, e->d_name);
        long long total = read_count(nr), free_pages = read_count(fr);
        free(nr);
        free(fr);
        if (total < 0)
            continue;
        vt_host_pages *p = pool(n, size);
        p->total = total;
        p->free = free_pages;
    }
    closedir(d);
    free(dir);
    if (n->npages > 1)
        qsort(n->pages, (size_t)n->npages, sizeof *n->pages, cmp_pages);
}

/* ------------------------------------------------------------------ */
/* isolcpus, nohz_full                                                 */

/* A CPU list file: NULL when missing or unreadable; an empty file (or
 * "(null)", which kernels without nohz_full support print) is empty. */
static hwloc_bitmap_t read_cpulist(const char *rel)
{
    char *path = sys_path("%s", rel);
    size_t len;
    char *buf = file_read(path, &len);
    free(path);
    if (!buf)
        return NULL;
    hwloc_bitmap_t set = strncmp(buf, "(null)", 6) == 0
                         ? hwloc_bitmap_alloc() : cpulist_parse(buf, CPULIST_STRICT);
    free(buf);
    return set;
}

static void replace_set(hwloc_bitmap_t *slot, hwloc_bitmap_t set)
{
    if (!set)
        return;
    hwloc_bitmap_free(*slot);
    *slot = set;
}

/* ------------------------------------------------------------------ */
/* CPU flags                                                           */

/* The value of LINE when it is "KEY<blanks>: value", else NULL. */
static char *field_value(char *line, const char *key)
{
    size_t k = strlen(key);
    if (strncmp(line, key, k))
        return NULL;
    char *p = line + k;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == ':' ? p + 1 : NULL;
}

/* Sets H's flags from the words of VALUE (sorted, unique). */
static void set_flags(vt_host *h, char *value)
{
    for (int i = 0; i < h->nflags; i++)
        free(h->flags[i]);
    h->nflags = 0;
    char *save = NULL;
    for (char *w = strtok_r(value, " \t", &save); w;
         w = strtok_r(NULL, " \t", &save)) {
        h->flags = xrealloc(h->flags,
                            (size_t)(h->nflags + 1) * sizeof *h->flags);
        h->flags[h->nflags++] = xstrdup(w);
    }
    host_sort_flags(h);
    h->flags_known = 1;
}

/* The first "flags" (x86) or "Features" (arm) line of /proc/cpuinfo. */
static void cpu_flags(vt_host *h)
{
    char *path = sys_path("/proc/cpuinfo");
    size_t len;
    char *buf = file_read(path, &len);
    free(path);
    if (!buf)
        return;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *v = field_value(line, "flags");
        if (!v)
            v = field_value(line, "Features");
        if (v) {
            set_flags(h, v);
            break;
        }
    }
    free(buf);
}

/* ------------------------------------------------------------------ */
/* SR-IOV                                                              */

/* A VF's PF from its physfn link; a device sysfs knows without such a
 * link is no VF, whatever hwloc's shape suggested. */
static void pci_physfn(vt_host_pci *p)
{
    char *dir = sys_path("/sys/bus/pci/devices/%s", p->addr);
    if (access(dir, F_OK) == 0) {
        char *link = xasprintf("%s/physfn", dir);
        char target[PATH_MAX];
        ssize_t n = readlink(link, target, sizeof target - 1);
        free(p->pf);
        p->pf = NULL;
        if (n > 0) {
            target[n] = '\0';
            const char *base = strrchr(target, '/');
            base = base ? base + 1 : target;
            if (strlen(base) < sizeof p->addr)
                p->pf = xstrdup(base);
        }
        free(link);
    }
    free(dir);
}

/* The display the firmware booted on, and the IOMMU group, from sysfs. */
static void pci_sysfs(vt_host_pci *p)
{
    char *f = sys_path("/sys/bus/pci/devices/%s/boot_vga", p->addr);
    FILE *fp = fopen(f, "r");
    if (fp) {
        int v;
        p->boot_vga = fscanf(fp, "%d", &v) == 1 ? v != 0 : -1;
        fclose(fp);
    } else if ((p->class_id >> 8) == 0x03) {
        p->boot_vga = 0;    /* a display without the file: not the boot one */
    }
    free(f);
    char *link = sys_path("/sys/bus/pci/devices/%s/iommu_group", p->addr);
    char target[PATH_MAX];
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n > 0) {
        target[n] = '\0';
        const char *base = strrchr(target, '/');
        p->iommu_group = atoi(base ? base + 1 : target);
    }
    free(link);
}

/* Whether libvirt can raise a QEMU's memlock limit here: with
 * CAP_SYS_RESOURCE (bit 24 of CapEff), or when the hard limit is
 * unlimited already; tried as this process, which runs where libvirtd
 * would. */
static int memlock_raisable(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_max == RLIM_INFINITY)
        return 1;
    FILE *fp = fopen("/proc/self/status", "r");
    if (!fp)
        return -1;
    char line[256];
    int r = -1;
    while (fgets(line, sizeof line, fp))
        if (!strncmp(line, "CapEff:", 7)) {
            unsigned long long caps = strtoull(line + 7, NULL, 16);
            r = (caps >> 24) & 1;
        }
    fclose(fp);
    return r;
}

int host_live_extras(vt_host *h)
{
    h->memlock_raisable = memlock_raisable();
    for (int i = 0; i < h->nnodes; i++)
        node_hugepages(&h->nodes[i]);
    replace_set(&h->isolated, read_cpulist("/sys/devices/system/cpu/isolated"));
    replace_set(&h->nohz_full,
                read_cpulist("/sys/devices/system/cpu/nohz_full"));
    cpu_flags(h);
    for (int i = 0; i < h->npci; i++) {
        pci_physfn(&h->pci[i]);
        pci_sysfs(&h->pci[i]);
    }
    return 0;
}
