/*
 * domcaps.c - the tuned domain against the connection's domain
 * capabilities (see domcaps.h), with libxml2's XPath.
 */
#include "domcaps.h"
#include "alloc.h"
#include "error.h"
#include "strbuf.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct check {
    const char *file;
    xmlXPathContextPtr dom, caps;
    int bad;
} check;

static xmlXPathObjectPtr eval(xmlXPathContextPtr x, const char *xpath)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)xpath, x);
    if (o && o->type == XPATH_NODESET && o->nodesetval &&
        o->nodesetval->nodeNr > 0)
        return o;
    xmlXPathFreeObject(o);
    return NULL;
}

/* The string value of the first node XPATH finds, or NULL (caller frees
 * with xmlFree). */
static char *value_at(xmlXPathContextPtr x, const char *xpath)
{
    xmlXPathObjectPtr o = eval(x, xpath);
    char *v = o ? (char *)xmlNodeGetContent(o->nodesetval->nodeTab[0]) : NULL;
    xmlXPathFreeObject(o);
    return v;
}

/* Is VALUE one of the <value>s of the capabilities' enum at ENUM? 1 yes,
 * 0 no (LIST gets the values there), -1 no such enum (nothing known). */
static int in_enum(check *c, const char *en, const char *value, vt_strbuf *list)
{
    char *xp = xasprintf("%s/value", en);
    xmlXPathObjectPtr o = eval(c->caps, xp);
    free(xp);
    if (!o) {
        /* an enum with no value: nothing supported */
        xmlXPathObjectPtr e = eval(c->caps, en);
        int known = e != NULL;
        xmlXPathFreeObject(e);
        return known ? 0 : -1;
    }
    int found = 0;
    for (int i = 0; i < o->nodesetval->nodeNr; i++) {
        xmlChar *v = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
        if (v && !strcmp((const char *)v, value))
            found = 1;
        strbuf_addf(list, "%s%s", i ? ", " : "", v ? (const char *)v : "");
        xmlFree(v);
    }
    xmlXPathFreeObject(o);
    return found;
}

static void mismatch(check *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void mismatch(check *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vt_error(c->file, 0, "--dry-run: the connection cannot define or run "
             "this domain: %s (virsh domcapabilities)", msg);
    c->bad++;
}

/* Every value DOMXP finds in the domain must be in the enum ENUM; WHAT
 * names it in the message. */
static void values_in(check *c, const char *domxp, const char *en,
                      const char *what)
{
    xmlXPathObjectPtr o = eval(c->dom, domxp);
    for (int i = 0; o && i < o->nodesetval->nodeNr; i++) {
        xmlChar *v = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
        vt_strbuf list;
        strbuf_init(&list);
        if (v && in_enum(c, en, (const char *)v, &list) == 0)
            mismatch(c, "%s '%s' is not supported (supported: %s)", what,
                     (const char *)v, list.len ? list.buf : "none");
        strbuf_free(&list);
        xmlFree(v);
    }
    xmlXPathFreeObject(o);
}

/* When the domain has DOMXP, the capabilities' SUPPORTED attribute must
 * not say no. */
static void supported(check *c, const char *domxp, const char *capxp,
                      const char *what)
{
    xmlXPathObjectPtr o = eval(c->dom, domxp);
    if (!o)
        return;
    xmlXPathFreeObject(o);
    char *s = value_at(c->caps, capxp);
    if (s && !strcmp(s, "no"))
        mismatch(c, "%s is not supported", what);
    xmlFree(s);
}

int domcaps_check(const char *file, const char *xml, size_t len,
                  const char *caps)
{
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlDocPtr d = xmlReadMemory(xml, (int)len, NULL, NULL, opts);
    xmlDocPtr k = xmlReadMemory(caps, (int)strlen(caps), NULL, NULL, opts);
    if (!d || !k) {
        xmlFreeDoc(d);
        xmlFreeDoc(k);
        return -1;
    }
    check c = {file, xmlXPathNewContext(d), xmlXPathNewContext(k), 0};
    const char *K = "/domainCapabilities";
    char xp[256];
    /* the CPU mode */
    char *mode = value_at(c.dom, "/domain/cpu/@mode");
    if (mode && strcmp(mode, "custom") != 0) {
        snprintf(xp, sizeof xp, "%s/cpu/mode[@name='%.40s']/@supported", K,
                 mode);
        char *s = value_at(c.caps, xp);
        if (s && strcmp(s, "yes") != 0)
            mismatch(&c, "<cpu mode='%s'> is not supported", mode);
        xmlFree(s);
    }
    xmlFree(mode);
    /* firmware and loader */
    values_in(&c, "/domain/os/@firmware",
              "/domainCapabilities/os/enum[@name='firmware']", "firmware");
    values_in(&c, "/domain/os/loader/@type",
              "/domainCapabilities/os/loader/enum[@name='type']",
              "loader type");
    supported(&c, "/domain/os/loader", "/domainCapabilities/os/loader/@supported",
              "a firmware <loader>");
    /* devices */
    values_in(&c, "/domain/devices/disk/@device",
              "/domainCapabilities/devices/disk/enum[@name='diskDevice']",
              "disk device");
    values_in(&c, "/domain/devices/disk/target/@bus",
              "/domainCapabilities/devices/disk/enum[@name='bus']", "disk bus");
    supported(&c, "/domain/devices/hostdev",
              "/domainCapabilities/devices/hostdev/@supported",
              "device assignment (<hostdev>)");
    values_in(&c, "/domain/devices/hostdev[@mode='subsystem']/@type",
              "/domainCapabilities/devices/hostdev/enum[@name='subsysType']",
              "hostdev type");
    supported(&c, "/domain/devices/tpm", "/domainCapabilities/devices/tpm/@supported",
              "a TPM");
    values_in(&c, "/domain/devices/tpm/@model",
              "/domainCapabilities/devices/tpm/enum[@name='model']",
              "TPM model");
    values_in(&c, "/domain/devices/tpm/backend/@type",
              "/domainCapabilities/devices/tpm/enum[@name='backendModel']",
              "TPM backend");
    values_in(&c, "/domain/devices/tpm/backend/@version",
              "/domainCapabilities/devices/tpm/enum[@name='backendVersion']",
              "TPM version");
    values_in(&c, "/domain/devices/video/model/@type",
              "/domainCapabilities/devices/video/enum[@name='modelType']",
              "video model");
    values_in(&c, "/domain/devices/graphics/@type",
              "/domainCapabilities/devices/graphics/enum[@name='type']",
              "graphics type");
    /* memory, threads, features */
    values_in(&c, "/domain/memoryBacking/source/@type",
              "/domainCapabilities/memoryBacking/enum[@name='sourceType']",
              "memory backing source");
    supported(&c, "/domain/iothreads|/domain/iothreadids",
              "/domainCapabilities/iothreads/@supported", "iothreads");
    supported(&c, "/domain/features/hyperv",
              "/domainCapabilities/features/hyperv/@supported",
              "Hyper-V enlightenments");
    xmlXPathObjectPtr hv = eval(c.dom, "/domain/features/hyperv/*[not(@state='off')]");
    for (int i = 0; hv && i < hv->nodesetval->nodeNr; i++) {
        const char *name = (const char *)hv->nodesetval->nodeTab[i]->name;
        vt_strbuf list;
        strbuf_init(&list);
        if (in_enum(&c, "/domainCapabilities/features/hyperv/enum[@name='features']",
                    name, &list) == 0)
            mismatch(&c, "Hyper-V enlightenment <%s> is not supported "
                     "(supported: %s)", name, list.len ? list.buf : "none");
        strbuf_free(&list);
    }
    xmlXPathFreeObject(hv);
    supported(&c, "/domain/launchSecurity[@type='sev']",
              "/domainCapabilities/features/sev/@supported", "SEV");
    values_in(&c, "/domain/features/gic/@version",
              "/domainCapabilities/features/gic/enum[@name='version']",
              "GIC version");
    char *vcpus = value_at(c.dom, "/domain/vcpu");
    char *max = value_at(c.caps, "/domainCapabilities/vcpu/@max");
    if (vcpus && max && atol(vcpus) > atol(max))
        mismatch(&c, "%ld vCPUs exceed the machine type's maximum of %ld",
                 atol(vcpus), atol(max));
    xmlFree(vcpus);
    xmlFree(max);
    xmlXPathFreeContext(c.dom);
    xmlXPathFreeContext(c.caps);
    xmlFreeDoc(d);
    xmlFreeDoc(k);
    return c.bad;
}

void domcaps_query(const char *xml, size_t len, char **emulator,
                   char **arch, char **machine, char **virttype)
{
    *emulator = *arch = *machine = *virttype = NULL;
    xmlDocPtr d = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET |
                                XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!d)
        return;
    xmlXPathContextPtr x = xmlXPathNewContext(d);
    const char *xps[] = {"/domain/devices/emulator", "/domain/os/type/@arch",
                         "/domain/os/type/@machine", "/domain/@type"};
    char **outs[] = {emulator, arch, machine, virttype};
    for (int i = 0; i < 4; i++) {
        char *v = value_at(x, xps[i]);
        *outs[i] = v && *v ? xstrdup(v) : NULL;
        xmlFree(v);
    }
    xmlXPathFreeContext(x);
    xmlFreeDoc(d);
}
