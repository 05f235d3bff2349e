/*
 * xml.c - how the XML loaders (hwloc.c, caps.c) and the source detection
 * (load.c) read XML: without network access, DTD loading or entities
 * (see loaders.h).
 */
#include "loaders.h"
#include "alloc.h"
#include "error.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

/* The first line of a libxml2 message, without its trailing newline. */
static void print_xml_error(const char *path, const xmlError *e)
{
    const char *msg = e && e->message ? e->message : "unknown error";
    int n = (int)strcspn(msg, "\n");
    vt_error(path, e ? e->line : 0, "not well-formed XML: %.*s", n, msg);
}

struct _xmlDoc *host_xml_parse(const char *path, const char *buf, size_t len)
{
    if (len > (size_t)INT32_MAX) {
        vt_error(path, 0, "file too large");
        return NULL;
    }
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        fputs(VT_PROG ": out of memory\n", stderr);
        abort();
    }
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, path, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
    if (!doc) {
        print_xml_error(path, xmlCtxtGetLastError(ctxt));
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);
    xmlDtdPtr dtd = doc->intSubset;
    if (dtd && (dtd->entities || dtd->pentities)) {
        xmlNodePtr root = xmlDocGetRootElement(doc);
        vt_error(path, root ? xmlGetLineNo(root) : 0,
                 "the DOCTYPE declares entities, which are not accepted in "
                 "a host description");
        xmlFreeDoc(doc);
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        vt_error(path, 0, "XML document without a root element");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

int host_xml_root(const char *path, const char *buf, size_t len,
                  vt_xml_head *head)
{
    memset(head, 0, sizeof *head);
    if (len > (size_t)INT32_MAX) {
        vt_error(path, 0, "file too large");
        return -1;
    }
    xmlTextReaderPtr r = xmlReaderForMemory(buf, (int)len, path, NULL,
                                            XML_PARSE_NONET |
                                            XML_PARSE_NOERROR |
                                            XML_PARSE_NOWARNING);
    int rc = -1, got = 0;
    xmlDocPtr doc = NULL;
    while (r && xmlTextReaderRead(r) == 1) {
        if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
            continue;
        got = 1;
        xmlNodePtr node = xmlTextReaderCurrentNode(r);
        head->line = node ? xmlGetLineNo(node) : 0;
        snprintf(head->name, sizeof head->name, "%s",
                 (const char *)xmlTextReaderConstLocalName(r));
        xmlChar *v = xmlTextReaderGetAttribute(r, BAD_CAST "version");
        snprintf(head->version, sizeof head->version, "%s",
                 v ? (const char *)v : "");
        xmlFree(v);
        /* the reader's document is then ours to free (libxml2's
         * xmlTextReaderCurrentDoc), and the reader is not used again */
        doc = xmlTextReaderCurrentDoc(r);
        xmlDtdPtr dtd = doc ? doc->intSubset : NULL;
        if (dtd && (dtd->entities || dtd->pentities))
            vt_error(path, head->line, "the DOCTYPE declares entities, "
                     "which are not accepted in a host description");
        else
            rc = 0;
        break;
    }
    xmlFreeTextReader(r);
    xmlFreeDoc(doc);
    if (!got) {     /* broken before the root: the full parse says where */
        doc = host_xml_parse(path, buf, len);
        if (doc) {
            xmlFreeDoc(doc);
            vt_error(path, 0, "XML document without a root element");
        }
    }
    return rc;
}

