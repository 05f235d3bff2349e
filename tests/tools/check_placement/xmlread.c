/*
 * xmlread.c - XML access (see xmlread.h): reading a domain file without
 * network, DTD or entities, and the attribute, text and XPath helpers.
 */
#include "xmlread.h"
#include "report.h"

#include "alloc.h"
#include "file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

/* Attribute NAME of N as a malloc'ed string, or NULL. */
char *attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

/* Text content of N as a malloc'ed string. */
char *text(xmlNodePtr n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *s = xstrdup(v ? (const char *)v : "");
    xmlFree(v);
    return s;
}

/* The elements EXPR selects (relative to CTX's node); the caller frees the
 * result with xmlXPathFreeObject. Never NULL. */
xmlXPathObjectPtr select_nodes(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (!o) {
        fprintf(stderr, PROG ": XPath failure on %s\n", expr);
        abort();
    }
    return o;
}

int count_of(xmlXPathObjectPtr o)
{
    return o->nodesetval ? o->nodesetval->nodeNr : 0;
}

/* The first element EXPR selects, or NULL. */
xmlNodePtr first_node(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o = select_nodes(ctx, expr);
    xmlNodePtr n = count_of(o) ? o->nodesetval->nodeTab[0] : NULL;
    xmlXPathFreeObject(o);
    return n;
}

/* Reads PATH as XML without network, DTD loading or entity substitution;
 * refuses a DOCTYPE declaring entities and a root other than <domain>.
 * Returns NULL after a message. */
xmlDocPtr read_domain(const char *path)
{
    size_t len;
    char *buf = file_read(path, &len);
    if (!buf) {
        input_error(path, "cannot read: %s", strerror(errno));
        return NULL;
    }
    if (len > (size_t)INT_MAX) {
        free(buf);
        input_error(path, "file too large");
        return NULL;
    }
    xmlParserCtxtPtr pc = xmlNewParserCtxt();
    if (!pc) {
        fputs(PROG ": out of memory\n", stderr);
        abort();
    }
    xmlDocPtr doc = xmlCtxtReadMemory(pc, buf, (int)len, path, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
    free(buf);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(pc);
        const char *msg = e && e->message ? e->message : "unknown error";
        input_error(path, "not well-formed XML (line %d): %.*s",
                    e ? e->line : 0, (int)strcspn(msg, "\n"), msg);
        xmlFreeParserCtxt(pc);
        return NULL;
    }
    xmlFreeParserCtxt(pc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    const char *why = NULL;
    if (doc->intSubset &&
        (doc->intSubset->entities || doc->intSubset->pentities))
        why = "the DOCTYPE declares entities, which are refused";
    else if (!root)
        why = "no root element";
    else if (root->ns || strcmp((const char *)root->name, "domain"))
        why = "the root element is not <domain>";
    if (why) {
        input_error(path, "%s", why);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}
