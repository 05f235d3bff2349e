/*
 * pciaddr.c - host PCI devices in domain XML (see pciaddr.h).
 */
#include "pciaddr.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    char *r = v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return r;
}

/* The first element child of N named NAME, or NULL. */
static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !c->ns &&
            !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

static int attr_is(xmlNodePtr n, const char *name, const char *value)
{
    char *v = attr(n, name);
    int is = v && !strcmp(v, value);
    free(v);
    return is;
}

int pciaddr_of(xmlNodePtr a, char *out)
{
    unsigned v[4];
    const char *names[] = {"domain", "bus", "slot", "function"};
    for (int i = 0; i < 4; i++) {
        char *s = attr(a, names[i]);
        char *end = NULL;
        v[i] = s ? (unsigned)strtoul(s, &end, 0) : (i == 0 ? 0 : 0x10000);
        int bad = s && (end == s || *end);
        free(s);
        if (bad || v[i] > 0xffff)
            return -1;
    }
    if (v[1] > 0xff || v[2] > 0x1f || v[3] > 7)
        return -1;
    snprintf(out, 16, "%04x:%02x:%02x.%x", v[0], v[1], v[2], v[3]);
    return 0;
}

int pciaddr_is_assignment(xmlNodePtr dev)
{
    if (!dev || dev->type != XML_ELEMENT_NODE || dev->ns)
        return 0;
    const char *name = (const char *)dev->name;
    if (!strcmp(name, "hostdev")) {
        char *mode = attr(dev, "mode");
        int subsystem = !mode || !strcmp(mode, "subsystem");
        free(mode);
        return subsystem && attr_is(dev, "type", "pci");
    }
    if (!strcmp(name, "interface"))
        return attr_is(dev, "type", "hostdev");
    if (!strcmp(name, "disk"))
        return attr_is(dev, "type", "nvme");
    return 0;
}

int pciaddr_assigned(xmlNodePtr dev, char *out)
{
    if (!pciaddr_is_assignment(dev))
        return -1;
    return pciaddr_of(child(child(dev, "source"), "address"), out);
}
