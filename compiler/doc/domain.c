/*
 * domain.c - reads the facts rules depend on out of a domain document and
 * rejects domains that libvirt would reject for the same reasons.
 */
#include "domain.h"
#include "cpulist.h"
#include "domdoc.h"
#include "alloc.h"
#include "error.h"
#include "units.h"

#include <errno.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int count_children(xmlNodePtr parent, const char *name,
                          xmlNodePtr *first, xmlNodePtr *second)
{
    int n = 0;
    *first = *second = NULL;
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c->ns ||
            strcmp((const char *)c->name, name) != 0)
            continue;
        if (n == 0)
            *first = c;
        else if (n == 1)
            *second = c;
        n++;
    }
    return n;
}

/* The one child NAME of PARENT; a second one is an error (returns -1). */
static int unique_child(const vt_domdoc *d, xmlNodePtr parent, const char *name,
                        xmlNodePtr *out)
{
    xmlNodePtr second;
    int n = count_children(parent, name, out, &second);
    if (n > 1) {
        vt_error(domdoc_name(d), xmlGetLineNo(second),
                 "duplicate <%s> (first at line %ld): libvirt accepts one",
                 name, xmlGetLineNo(*out));
        return -1;
    }
    return 0;
}

static char *prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = n ? xmlGetNoNsProp(n, BAD_CAST name) : NULL;
    char *r = v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return r;
}

static char *text_of(xmlNodePtr n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *r = xstrdup(v ? (const char *)v : "");
    xmlFree(v);
    return r;
}

static enum vt_os os_from_id(const char *id)
{
    static const char *const linux_ids[] = {
        "fedoraproject.org", "redhat.com/rhel", "centos.org", "debian.org",
        "ubuntu.com", "opensuse.org", "suse.com", "archlinux.org",
        "alpinelinux.org", "gentoo.org", "libosinfo.org/linux",
        "rockylinux.org", "almalinux.org", "oracle.com/ol",
        "mageia.org", "mandriva.com", "slackware.com", "clearlinux.org",
        "silverblue", "coreos", "/linux/", "linuxmint.com",
        "manjaro.org", "nixos.org", "voidlinux.org", "kali.org",
        "elementary.io", "endlessos.com", "openeuler.org",
    };
    if (!id)
        return OS_UNKNOWN;
    if (strstr(id, "microsoft.com/win"))
        return OS_WINDOWS;
    for (size_t i = 0; i < sizeof linux_ids / sizeof linux_ids[0]; i++)
        if (strstr(id, linux_ids[i]))
            return OS_LINUX;
    return OS_OTHER;
}

/* The libosinfo os id in <metadata>, or NULL (caller frees). */
static char *libosinfo_id(const vt_domdoc *d)
{
    xmlXPathContextPtr x = xmlXPathNewContext(domdoc_xml(d));
    char *id = NULL;
    if (!x)
        return NULL;
    xmlXPathObjectPtr r = xmlXPathEvalExpression(
        BAD_CAST "/domain/metadata/*[local-name()='libosinfo']"
                 "/*[local-name()='os']/@id", x);
    if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
        xmlChar *v = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
        if (v)
            id = xstrdup((const char *)v);
        xmlFree(v);
    }
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(x);
    return id;
}

int domain_inspect(const vt_domdoc *d, vt_domain *info)
{
    const char *file = domdoc_name(d);
    xmlNodePtr root = domdoc_root(d);
    memset(info, 0, sizeof *info);

    if (root->ns && !root->ns->prefix &&
        strcmp((const char *)root->name, "domain") == 0)
        return vt_fail(VT_EXIT_DOMAIN, file, xmlGetLineNo(root),
                       "<domain> is in the namespace '%s': libvirt's "
                       "<domain> has none (remove its xmlns=)",
                       root->ns->href ? (const char *)root->ns->href : "");
    if (root->ns || strcmp((const char *)root->name, "domain") != 0) {
        return vt_fail(VT_EXIT_DOMAIN, file, xmlGetLineNo(root),
                       "root element is <%s%s%s>, not <domain>: not a "
                       "libvirt domain", root->ns && root->ns->prefix ?
                       (const char *)root->ns->prefix : "",
                       root->ns && root->ns->prefix ? ":" : "",
                       (const char *)root->name);
    }
    info->type = prop(root, "type");
    if (!info->type || !*info->type) {
        domain_free(info);
        return vt_fail(VT_EXIT_DOMAIN, file, xmlGetLineNo(root),
                       "<domain> has no type attribute (kvm, qemu, xen...)");
    }

    static const char *const singletons[] = {
        "name", "uuid", "memory", "currentMemory", "vcpu", "os", "cpu",
        "cputune", "numatune", "memoryBacking", "clock", "features",
        "devices", "iothreads", "memtune", "blkiotune", "metadata",
    };
    for (size_t i = 0; i < sizeof singletons / sizeof singletons[0]; i++) {
        xmlNodePtr n;
        if (unique_child(d, root, singletons[i], &n) < 0) {
            domain_free(info);
            return VT_EXIT_DOMAIN;
        }
    }

    xmlNodePtr n, second;
    count_children(root, "name", &n, &second);
    if (n)
        info->name = text_of(n);
    count_children(root, "uuid", &n, &second);
    if (n)
        info->uuid = text_of(n);

    count_children(root, "os", &n, &second);
    xmlNodePtr ostype = NULL;
    if (n)
        count_children(n, "type", &ostype, &second);
    info->arch = prop(ostype, "arch");
    info->machine = prop(ostype, "machine");

    count_children(root, "vcpu", &n, &second);
    if (!n) {
        info->vcpus = info->vcpus_current = 1;    /* libvirt's default */
    } else {
        char *t = text_of(n);
        unsigned long long v;
        if (units_count(t, &v) < 0 || v < 1 || v > VT_MAX_VCPUS) {
            int rc = vt_fail(VT_EXIT_DOMAIN, file, xmlGetLineNo(n),
                             "<vcpu> is '%s': expected a whole number from "
                             "1 to %d", t, VT_MAX_VCPUS);
            free(t);
            domain_free(info);
            return rc;
        }
        free(t);
        info->vcpus = info->vcpus_current = (int)v;
        char *cur = prop(n, "current");
        if (cur) {
            unsigned long long c;
            if (units_count(cur, &c) < 0 || c < 1 || c > v) {
                int rc = vt_fail(VT_EXIT_DOMAIN, file, xmlGetLineNo(n),
                                 "<vcpu current='%s'>: expected 1 to %llu",
                                 cur, v);
                free(cur);
                domain_free(info);
                return rc;
            }
            info->vcpus_current = (int)c;
            free(cur);
        }
    }

    count_children(root, "memory", &n, &second);
    if (n) {
        char *t = text_of(n), *unit = prop(n, "unit");
        int bad = units_kib(t, unit, &info->memory_kib) < 0;
        /* libvirt refuses more than LLONG_MAX bytes (virDomainParseMemory) */
        int big = !bad && info->memory_kib > 9007199254740991ULL;
        /* digits only, yet no number: it overflowed */
        size_t lead = strspn(t, " \t\n");
        size_t digits = strspn(t + lead, "0123456789");
        size_t tail = lead + digits + strspn(t + lead + digits, " \t\n");
        int overflow = bad && digits && !t[tail] &&
                       (!unit || units_kib("0", unit, &info->memory_kib) == 0);
        int rc = 0;
        if (bad || big)
            rc = vt_fail(VT_EXIT_DOMAIN, file, xmlGetLineNo(n),
                         "<memory%s%s%s>%s</memory>: %s", unit ? " unit='" : "",
                         unit ? unit : "", unit ? "'" : "", t,
                         big || overflow
                             ? "too large (libvirt takes at most 2^63 - 1 "
                               "bytes, 8 EiB)"
                             : unit && units_kib("0", unit,
                                                 &info->memory_kib) < 0
                             ? "unknown memory unit (b, KiB, MiB, GiB, TiB, "
                               "KB, MB, GB... as libvirt documents)"
                             : "not a whole number");
        free(t);
        free(unit);
        if (rc) {
            domain_free(info);
            return rc;
        }
    }

    info->os_id = libosinfo_id(d);
    info->os = os_from_id(info->os_id);
    if (info->os == OS_UNKNOWN) {
        xmlNodePtr f, hv;
        count_children(root, "features", &f, &second);
        if (f && (count_children(f, "hyperv", &hv, &second), hv))
            info->os = OS_WINDOWS;
    }
    return 0;
}

void domain_free(vt_domain *info)
{
    free(info->type);
    free(info->name);
    free(info->uuid);
    free(info->arch);
    free(info->machine);
    free(info->os_id);
    memset(info, 0, sizeof *info);
}

/* The ids <iothreadids> gives (at most MAX, into IDS) and <iothreads>. */
static int iothreads_given(xmlNodePtr root, long *ids, int max, long *count)
{
    int n = 0;
    xmlNodePtr list = domdoc_child(root, "iothreadids");
    for (xmlNodePtr t = domdoc_child(list, "iothread"); t && n < max;
         t = domdoc_next(t, "iothread")) {
        const char *id = domdoc_attr(t, "id");
        if (id && strtol(id, NULL, 10) > 0)
            ids[n++] = strtol(id, NULL, 10);
    }
    xmlNodePtr cnt = domdoc_child(root, "iothreads");
    xmlChar *txt = cnt ? xmlNodeGetContent(cnt) : NULL;
    *count = txt ? strtol((const char *)txt, NULL, 10) : 0;
    xmlFree(txt);
    return n;
}

static int listed(const long *ids, int n, long id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

int domain_iothread_ids(xmlNodePtr root, long *ids, int max)
{
    long count;
    int n = iothreads_given(root, ids, max, &count);
    for (long id = 1; n < count && n < max; id++)
        if (!listed(ids, n, id))
            ids[n++] = id;
    return n;
}

int domain_iothread_defined(xmlNodePtr root, long id)
{
    long ids[256], count;
    int n = iothreads_given(root, ids, 256, &count);
    if (id < 1)
        return 0;
    if (listed(ids, n, id))
        return 1;
    /* the filled ids are the lowest unused ones: ID is among them when
     * the unused ids up to it are no more than <iothreads> leaves */
    long below = 0;
    for (int i = 0; i < n; i++)
        below += ids[i] < id;
    return id - below <= count - n;
}

hwloc_bitmap_t domain_numatune_nodes(xmlNodePtr root)
{
    xmlNodePtr m = domdoc_child(domdoc_child(root, "numatune"), "memory");
    const char *ns = domdoc_attr(m, "nodeset");
    return ns ? cpulist_parse(ns, CPULIST_LIBVIRT) : NULL;
}
