/*
 * domain.c - reads the facts rules depend on out of a domain document and
 * rejects domains that libvirt would reject for the same reasons.
 */
#include "domain.h"
#include "util.h"

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
static int unique_child(const domdoc *d, xmlNodePtr parent, const char *name,
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

/* Parses a decimal integer with surrounding blanks; -1 on failure. */
static int parse_ull(const char *s, unsigned long long *out)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

int parse_memory_kib(const char *value, const char *unit,
                     unsigned long long *kib)
{
    static const struct { const char *name; unsigned long long mul; int div; } units[] = {
        {"b", 1, 1024}, {"bytes", 1, 1024},
        {"KB", 1000, 1024}, {"k", 1024, 1024}, {"KiB", 1024, 1024},
        {"MB", 1000000ULL, 1024}, {"M", 1ULL << 20, 1024}, {"MiB", 1ULL << 20, 1024},
        {"GB", 1000000000ULL, 1024}, {"G", 1ULL << 30, 1024}, {"GiB", 1ULL << 30, 1024},
        {"TB", 1000000000000ULL, 1024}, {"T", 1ULL << 40, 1024}, {"TiB", 1ULL << 40, 1024},
        {"PB", 1000000000000000ULL, 1024}, {"P", 1ULL << 50, 1024}, {"PiB", 1ULL << 50, 1024},
        {"EB", 1000000000000000000ULL, 1024}, {"E", 1ULL << 60, 1024}, {"EiB", 1ULL << 60, 1024},
    };
    unsigned long long v;
    if (parse_ull(value, &v) < 0)
        return -1;
    if (!unit) {
        *kib = v;
        return 0;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        /* libvirt compares units case-insensitively except b/bytes */
        if (strcasecmp(unit, units[i].name) != 0)
            continue;
        unsigned long long mul = units[i].mul;
        if (mul && v > ~0ULL / mul)
            return -1;
        unsigned long long bytes = v * mul;
        *kib = bytes / 1024 + (bytes % 1024 != 0);
        return 0;
    }
    return -1;
}

static enum os_family os_from_id(const char *id)
{
    static const char *const linux_ids[] = {
        "fedoraproject.org", "redhat.com/rhel", "centos.org", "debian.org",
        "ubuntu.com", "opensuse.org", "suse.com", "archlinux.org",
        "alpinelinux.org", "gentoo.org", "libosinfo.org/linux",
        "rockylinux.org", "almalinux.org", "oracle.com/ol",
        "mageia.org", "mandriva.com", "slackware.com", "clearlinux.org",
        "silverblue", "coreos", "/linux/",
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
static char *libosinfo_id(const domdoc *d)
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

int domain_inspect(const domdoc *d, domain_info *info)
{
    const char *file = domdoc_name(d);
    xmlNodePtr root = domdoc_root(d);
    memset(info, 0, sizeof *info);

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
        domain_info_free(info);
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
            domain_info_free(info);
            return VT_EXIT_DOMAIN;
        }
    }

    xmlNodePtr n, second;
    count_children(root, "name", &n, &second);
    if (n)
        info->name = text_of(n);

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
        if (parse_ull(t, &v) < 0 || v < 1 || v > VT_MAX_VCPUS) {
            int rc = vt_fail(VT_EXIT_DOMAIN, file, xmlGetLineNo(n),
                             "<vcpu> is '%s': expected a whole number from "
                             "1 to %d", t, VT_MAX_VCPUS);
            free(t);
            domain_info_free(info);
            return rc;
        }
        free(t);
        info->vcpus = info->vcpus_current = (int)v;
        char *cur = prop(n, "current");
        if (cur) {
            unsigned long long c;
            if (parse_ull(cur, &c) < 0 || c < 1 || c > v) {
                int rc = vt_fail(VT_EXIT_DOMAIN, file, xmlGetLineNo(n),
                                 "<vcpu current='%s'>: expected 1 to %llu",
                                 cur, v);
                free(cur);
                domain_info_free(info);
                return rc;
            }
            info->vcpus_current = (int)c;
            free(cur);
        }
    }

    count_children(root, "memory", &n, &second);
    if (n) {
        char *t = text_of(n), *unit = prop(n, "unit");
        int bad = parse_memory_kib(t, unit, &info->memory_kib) < 0;
        int rc = 0;
        if (bad)
            rc = vt_fail(VT_EXIT_DOMAIN, file, xmlGetLineNo(n),
                         "<memory%s%s%s>%s</memory>: %s", unit ? " unit='" : "",
                         unit ? unit : "", unit ? "'" : "", t,
                         unit && parse_memory_kib("0", unit, &info->memory_kib) < 0
                             ? "unknown memory unit (b, KiB, MiB, GiB, TiB, "
                               "KB, MB, GB... as libvirt documents)"
                             : "not a whole number");
        free(t);
        free(unit);
        if (rc) {
            domain_info_free(info);
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

void domain_info_free(domain_info *info)
{
    free(info->type);
    free(info->name);
    free(info->arch);
    free(info->machine);
    free(info->os_id);
    memset(info, 0, sizeof *info);
}
