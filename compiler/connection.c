/*
 * connection.c - reads a libvirt connection: capabilities and the domains
 * defined there (see connection.h).
 */
#include "connection.h"
#include "util.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

struct vt_conn {
    char *uri;
    virConnectPtr conn;
};

/* libvirt prints every error by default; we report them ourselves. */
static void quiet(void *data, virErrorPtr err)
{
    (void)data, (void)err;
}

/* libvirt's last error as one line (its schema errors span several). */
static const char *last_error(void)
{
    static char line[1024];
    const char *m = virGetLastErrorMessage();
    snprintf(line, sizeof line, "%s", m ? m : "unknown libvirt error");
    for (char *p = line; *p; p++)
        if (*p == '\n')
            *p = p[1] ? ';' : '\0';
    return line;
}

/* libxml2 inside libvirt prints parse warnings through the generic
 * handler; the error libvirt returns says it all. */
static void quiet_xml(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

int connection_open(const char *uri, vt_conn **out)
{
    virSetErrorFunc(NULL, quiet);
    xmlSetGenericErrorFunc(NULL, quiet_xml);
    virConnectPtr conn = virConnectOpenReadOnly(uri);
    xmlSetGenericErrorFunc(NULL, NULL);
    if (!conn)
        return vt_fail(VT_EXIT_HOST, uri, 0, "cannot connect: %s",
                       last_error());
    vt_conn *c = xcalloc(1, sizeof *c);
    c->uri = xstrdup(uri);
    c->conn = conn;
    *out = c;
    return 0;
}

void connection_close(vt_conn *c)
{
    if (!c)
        return;
    virConnectClose(c->conn);
    free(c->uri);
    free(c);
}

int connection_host(vt_conn *c, host **out)
{
    char *caps = virConnectGetCapabilities(c->conn);
    if (!caps)
        return vt_fail(VT_EXIT_HOST, c->uri, 0, "cannot read capabilities: "
                       "%s", last_error());
    char *name = xasprintf("%s (capabilities)", c->uri);
    int rc = host_load_caps(name, caps, strlen(caps), out);
    free(name);
    free(caps);
    return rc;
}

static int skipped(const char *name, const char *const *skip, int nskip)
{
    for (int i = 0; i < nskip; i++)
        if (skip[i] && name && strcmp(skip[i], name) == 0)
            return 1;
    return 0;
}

int connection_add_usage(vt_conn *c, const host *h, host_usage *u,
                         hwloc_const_bitmap_t housekeeping,
                         const char *const *skip, int nskip)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c->conn, &doms, 0);
    if (n < 0) {
        vt_error(c->uri, 0, "cannot list domains: %s", last_error());
        return -1;
    }
    int counted = 0;
    for (int i = 0; i < n; i++) {
        const char *name = virDomainGetName(doms[i]);
        /* a running domain holds what its live definition says */
        unsigned flags = virDomainIsActive(doms[i]) == 1
                             ? 0 : VIR_DOMAIN_XML_INACTIVE;
        char *xml = skipped(name, skip, nskip)
                        ? NULL : virDomainGetXMLDesc(doms[i], flags);
        if (xml) {
            xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), name, NULL,
                                          XML_PARSE_NONET | XML_PARSE_NOERROR |
                                          XML_PARSE_NOWARNING);
            if (doc) {
                usage_add_domain(u, h, doc, housekeeping);
                counted++;
                xmlFreeDoc(doc);
            }
            free(xml);
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    return counted;
}

int load_host(const char *src, const char *uri, vt_conn **conn, host **out)
{
    *conn = NULL;
    if (uri) {
        int rc = connection_open(uri, conn);
        if (rc)
            return rc;
        if (!src) {
            rc = connection_host(*conn, out);
            if (rc) {
                connection_close(*conn);
                *conn = NULL;
            }
            return rc;
        }
    }
    int rc = host_load(src, out);
    if (rc) {
        connection_close(*conn);
        *conn = NULL;
    }
    return rc;
}

int connection_define(const char *uri, const char *file, const char *xml)
{
    virSetErrorFunc(NULL, quiet);
    xmlSetGenericErrorFunc(NULL, quiet_xml);
    virConnectPtr conn = virConnectOpen(uri);
    xmlSetGenericErrorFunc(NULL, NULL);
    if (!conn)
        return vt_fail(VT_EXIT_LIBVIRT, uri ? uri : "libvirt", 0,
                       "cannot connect: %s", last_error());
    virDomainPtr dom = virDomainDefineXMLFlags(conn, xml,
                                               VIR_DOMAIN_DEFINE_VALIDATE);
    int rc = 0;
    if (!dom) {
        rc = vt_fail(VT_EXIT_LIBVIRT, file, 0, "libvirt rejected the domain: "
                     "%s", last_error());
    } else {
        char uuid[VIR_UUID_STRING_BUFLEN];
        if (virDomainGetUUIDString(dom, uuid) < 0)
            snprintf(uuid, sizeof uuid, "?");
        printf("defined %s (%s)\n", virDomainGetName(dom), uuid);
        virDomainFree(dom);
    }
    virConnectClose(conn);
    return rc;
}
