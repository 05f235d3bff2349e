/*
 * load.c - a host from its source (see load.h): the kind is detected from
 * the content, never the file name, and the matching loader fills the
 * model.
 */
#include "load.h"
#include "error.h"
#include "file.h"
#include "loaders.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NOT_A_HOST "not a host description (expected hwloc XML, libvirt " \
    "capabilities XML or a vtune-xml JSON snapshot)"

/* Loads an XML host description: the root element decides the loader. */
static int load_xml(const char *path, const char *buf, size_t len,
                    vt_host **out)
{
    /* only the head: the loader parses the whole document, once */
    vt_xml_head head;
    if (host_xml_root(path, buf, len, &head) < 0)
        return VT_EXIT_HOST;
    const char *name = head.name;
    long line = head.line;

    /* "root" is the root element of hwloc 0.9 XML, which hwloc reads. */
    if (!strcmp(name, "topology") || !strcmp(name, "root"))
        return host_load_hwloc_xml(path, buf, len, out);
    if (!strcmp(name, "capabilities"))
        return host_load_caps(path, buf, len, out);
    if (!strcmp(name, "domainCapabilities"))
        return vt_fail(VT_EXIT_HOST, path, line,
                       "libvirt domain capabilities (virsh domcapabilities) "
                       "describe a hypervisor, not a host: " NOT_A_HOST
                       "; use virsh capabilities");
    return vt_fail(VT_EXIT_HOST, path, line, "root element <%s>: " NOT_A_HOST,
                   name);
}

/* Detects the kind of BUF from its first non-blank byte. */
static int load_buffer(const char *path, const char *buf, size_t len,
                       vt_host **out)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        i = 3;      /* UTF-8 byte order mark */
    while (i < len && isspace((unsigned char)buf[i]))
        i++;
    if (i == len)
        return vt_fail(VT_EXIT_HOST, path, 0, "empty file: " NOT_A_HOST);
    if (buf[i] == '{')
        return host_load_json(path, buf, len, out);
    if (buf[i] == '<')
        return load_xml(path, buf, len, out);
    return vt_fail(VT_EXIT_HOST, path, 0, NOT_A_HOST);
}

int host_load(const char *src, vt_host **out)
{
    *out = NULL;
    if (!src)
        return host_load_hwloc_live(out);
    if (!strncmp(src, "synthetic:", 10))
        return host_load_hwloc_synthetic(src + 10, out);
    if (!strcmp(src, "-"))
        return vt_fail(VT_EXIT_HOST, NULL, 0,
                       "the host description cannot be read from standard "
                       "input: give a file");
    size_t len;
    char *buf = file_read_max(src, &len, VT_MAX_HOST_INPUT);
    if (!buf)
        return vt_fail(VT_EXIT_HOST, src, 0,
                       "cannot read the host description: %s",
                       strerror(errno));
    int rc = load_buffer(src, buf, len, out);
    free(buf);
    return rc;
}

