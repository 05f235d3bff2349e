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
#include <sys/stat.h>
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

/* The node's free memory in base pages, from nodeN/meminfo: MemFree,
 * plus half the file page cache and half the reclaimable slab, which the
 * kernel gives back under pressure (about what /proc/meminfo's
 * MemAvailable counts for the whole machine). */
static void node_free_memory(const vt_host *h, vt_host_node *n)
{
    char *path = sys_path("/sys/devices/system/node/node%d/meminfo", n->id);
    size_t len;
    char *buf = file_read(path, &len);
    free(path);
    if (!buf)
        return;
    long long memfree = -1, active = 0, inactive = 0, slab = 0;
    for (char *line = buf; line && *line;) {
        /* "Node 0 MemFree:        4990976 kB" */
        char key[32];
        long long v;
        if (sscanf(line, "Node %*d %31[^:]: %lld", key, &v) == 2) {
            if (!strcmp(key, "MemFree"))
                memfree = v;
            else if (!strcmp(key, "Active(file)"))
                active = v;
            else if (!strcmp(key, "Inactive(file)"))
                inactive = v;
            else if (!strcmp(key, "SReclaimable"))
                slab = v;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    free(buf);
    uint64_t base = host_base_page(h);
    if (memfree < 0 || !base)
        return;
    long long avail = memfree + (active + inactive) / 2 + slab / 2;
    vt_host_pages *p = pool(n, base);
    p->free = avail / (long long)base;
    if (p->total >= 0 && p->free > p->total)
        p->free = p->total;
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

/* The PID of the running libvirt daemon that starts QEMU for
 * qemu:///system: virtqemud (modular daemons) or libvirtd, owned by root
 * (a user's session daemon does not start the system's domains); 0 when
 * none is seen in /proc. */
static long libvirt_daemon(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    long found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64], comm[32] = "";
        snprintf(path, sizeof path, "/proc/%ld/comm", pid);
        FILE *fp = fopen(path, "r");
        if (!fp)
            continue;
        if (fgets(comm, sizeof comm, fp))
            comm[strcspn(comm, "\n")] = '\0';
        fclose(fp);
        struct stat st;
        snprintf(path, sizeof path, "/proc/%ld", pid);
        if (stat(path, &st) != 0 || st.st_uid != 0)
            continue;
        if (!strcmp(comm, "virtqemud")) {
            found = pid;
            break;
        }
        if (!strcmp(comm, "libvirtd"))
            found = pid;
    }
    closedir(d);
    return found;
}

/* Whether libvirt can raise a QEMU's memlock limit here: the daemon that
 * starts QEMU has CAP_SYS_RESOURCE (bit 24 of CapEff), or its hard
 * RLIMIT_MEMLOCK is unlimited already (systemd's LimitMEMLOCK=). Read
 * from that daemon's /proc entries, not from this process (which may run
 * as another user); -1 when no daemon runs. */
static int memlock_raisable(long long *max_kib)
{
    *max_kib = -1;
    long pid = libvirt_daemon();
    if (!pid)
        return -1;
    char path[64], line[256];
    int r = -1;
    snprintf(path, sizeof path, "/proc/%ld/limits", pid);
    FILE *fp = fopen(path, "r");
    while (fp && fgets(line, sizeof line, fp)) {
        char soft[32], hard[32];
        if (!strncmp(line, "Max locked memory", 17) &&
            sscanf(line + 17, "%31s %31s", soft, hard) == 2) {
            if (!strcmp(hard, "unlimited"))
                r = 1;
            else
                *max_kib = strtoll(hard, NULL, 10) / 1024;   /* bytes */
        }
    }
    if (fp)
        fclose(fp);
    if (r == 1)
        return 1;
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    fp = fopen(path, "r");
    if (!fp)
        return -1;
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
    h->memlock_raisable = memlock_raisable(&h->memlock_max_kib);
    if (h->memlock_raisable != 0)
        h->memlock_max_kib = -1;
    for (int i = 0; i < h->nnodes; i++) {
        node_hugepages(&h->nodes[i]);
        node_free_memory(h, &h->nodes[i]);
    }
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
