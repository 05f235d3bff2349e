/*
 * check_backing.c - the memory backing invariants of one domain.
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
 *                       without <memballoon> gets a virtio one; a
 *                       balloon with settings (autodeflate,
 *                       freePageReporting, stats, driver) is the user's
 *                       and is kept
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
 * hugepages-budget is a budget of the whole run: check_run.c checks it.
 */
#include "checks.h"
#include "page_pools.h"
#include "report.h"

#include "alloc.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    else if (why.len && d->has_balloon && !d->balloon_configured &&
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

void check_backing(domain *d, const vt_host *h, const pools *pl)
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
