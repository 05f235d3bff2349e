/*
 * schema.c - validation against libvirt's domain RelaxNG schema (see
 * validate.h).
 */
#include "schema.h"
#include "alloc.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIBVIRT_DOMAIN_RNG "/usr/share/libvirt/schemas/domain.rng"

static xmlRelaxNGPtr schema;
static int schema_failed;

const char *schema_path(void)
{
    const char *p = getenv("VTUNE_XML_SCHEMA");
    if (p && *p)
        return access(p, R_OK) == 0 ? p : NULL;
    return access(LIBVIRT_DOMAIN_RNG, R_OK) == 0 ? LIBVIRT_DOMAIN_RNG : NULL;
}

/* Collects the first validation error, without file and line. */
typedef struct first_err {
    char msg[512];
    int n;
} first_err;

static long error_line;     /* of the last validation's first error */

long schema_error_line(void)
{
    return error_line;
}

static void on_error(void *data, xmlErrorPtr e)
{
    first_err *f = data;
    if (!e)
        return;
    if (f->n++) {
        /* libxml2 gives the first error of an interleave no node; the
         * next one names the element */
        if (!error_line && e->node)
            error_line = xmlGetLineNo((xmlNodePtr)e->node);
        return;
    }
    error_line = e->line > 0 ? e->line : 0;
    /* "Extra element X in interleave" names a child of the node it is
     * reported on: its line is X's */
    char extra[64];
    if (e->node && e->message &&
        sscanf(e->message, "Extra element %63s in", extra) == 1)
        for (xmlNodePtr c = ((xmlNodePtr)e->node)->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE &&
                xmlStrEqual(c->name, BAD_CAST extra)) {
                error_line = xmlGetLineNo(c);
                break;
            }
    if (!error_line && e->node)
        error_line = xmlGetLineNo((xmlNodePtr)e->node);
    const char *el = e->node && ((xmlNodePtr)e->node)->name
                         ? (const char *)((xmlNodePtr)e->node)->name : NULL;
    snprintf(f->msg, sizeof f->msg, "%s%s%s%s", el ? "element " : "",
             el ? el : "", el ? ": " : "", e->message ? e->message : "?");
    size_t n = strlen(f->msg);
    while (n && (f->msg[n - 1] == '\n' || f->msg[n - 1] == ' '))
        f->msg[--n] = '\0';
}

static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

int schema_load(char *err, size_t errlen)
{
    if (schema)
        return 0;
    const char *path = schema_path();
    const char *env = getenv("VTUNE_XML_SCHEMA");
    if (!path && env && *env) {
        snprintf(err, errlen, "cannot read the schema VTUNE_XML_SCHEMA=%s",
                 env);
        return -1;
    }
    if (!path || schema_failed) {
        snprintf(err, errlen, "libvirt's domain schema is not installed "
                 "(%s; Debian package libvirt0)", LIBVIRT_DOMAIN_RNG);
        return -1;
    }
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(path);
    schema = pc ? xmlRelaxNGParse(pc) : NULL;
    xmlRelaxNGFreeParserCtxt(pc);
    xmlSetGenericErrorFunc(NULL, NULL);
    if (!schema) {
        schema_failed = 1;
        snprintf(err, errlen, "cannot load the schema %s", path);
        return -1;
    }
    return 0;
}

static int valid_doc(xmlDocPtr doc, char *err, size_t errlen)
{
    first_err f = {.n = 0};
    error_line = 0;
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vc, on_error, &f);
    int rc = xmlRelaxNGValidateDoc(vc, doc);
    xmlRelaxNGFreeValidCtxt(vc);
    if (rc != 0)
        snprintf(err, errlen, "%s", f.n ? f.msg : "invalid");
    return rc == 0;
}

static xmlDocPtr parse(const char *xml, size_t len)
{
    return xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET |
                         XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

int schema_valid(const char *xml, size_t len, char *err, size_t errlen)
{
    if (schema_load(err, errlen) < 0)
        return -1;
    xmlDocPtr doc = parse(xml, len);
    if (!doc) {
        snprintf(err, errlen, "not well-formed");
        return 0;
    }
    int ok = valid_doc(doc, err, errlen);
    xmlFreeDoc(doc);
    return ok;
}

/* The serialized form of EL, owned by the caller. */
static char *dump(xmlDocPtr doc, xmlNodePtr el)
{
    xmlBufferPtr b = xmlBufferCreate();
    xmlNodeDump(b, doc, el, 0, 0);
    char *s = xstrdup((const char *)xmlBufferContent(b));
    xmlBufferFree(b);
    return s;
}

static int is_skeleton(const xmlChar *name)
{
    static const char *const sk[] = {"name", "memory", "vcpu", "os"};
    for (size_t i = 0; i < sizeof sk / sizeof sk[0]; i++)
        if (xmlStrEqual(name, BAD_CAST sk[i]))
            return 1;
    return 0;
}

/* The first element child of ROOT named NAME, or NULL. */
static xmlNodePtr child(xmlNodePtr root, const xmlChar *name)
{
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, name))
            return c;
    return NULL;
}

/* A domain with OUT's root attributes and skeleton, plus the top-level
 * elements in CHANGED taken from SRC. */
static xmlDocPtr minimal(xmlDocPtr out, xmlDocPtr src, char **changed, int n)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr oroot = xmlDocGetRootElement(out);
    xmlNodePtr root = xmlDocCopyNode(oroot, doc, 2);   /* attributes only */
    xmlDocSetRootElement(doc, root);
    for (xmlNodePtr c = oroot->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && is_skeleton(c->name))
            xmlAddChild(root, xmlDocCopyNode(c, doc, 1));
    xmlNodePtr sroot = xmlDocGetRootElement(src);
    for (int i = 0; i < n; i++) {
        xmlNodePtr c = child(sroot, BAD_CAST changed[i]);
        if (c)
            xmlAddChild(root, xmlDocCopyNode(c, doc, 1));
    }
    return doc;
}

int schema_changes_valid(const char *in, size_t inlen, const char *out,
                         size_t outlen, char *err, size_t errlen)
{
    if (schema_load(err, errlen) < 0)
        return -1;
    xmlDocPtr a = parse(in, inlen), b = parse(out, outlen);
    if (!a || !b) {
        xmlFreeDoc(a);
        xmlFreeDoc(b);
        snprintf(err, errlen, "not well-formed");
        return 0;
    }
    /* the top-level elements whose serialization differs */
    char **changed = NULL;
    int n = 0;
    xmlNodePtr broot = xmlDocGetRootElement(b), aroot = xmlDocGetRootElement(a);
    for (xmlNodePtr c = broot->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_skeleton(c->name))
            continue;
        xmlNodePtr o = child(aroot, c->name);
        char *x = dump(b, c), *y = o ? dump(a, o) : NULL;
        if (!y || strcmp(x, y) != 0) {
            changed = xrealloc(changed, (size_t)(n + 1) * sizeof *changed);
            changed[n++] = xstrdup((const char *)c->name);
        }
        free(x);
        free(y);
    }
    xmlDocPtr mout = minimal(b, b, changed, n), min = minimal(b, a, changed, n);
    char e1[512], e2[512];
    int ok = valid_doc(mout, e1, sizeof e1);
    if (!ok && !valid_doc(min, e2, sizeof e2) && strcmp(e1, e2) == 0)
        ok = 1;     /* the same error as the input's own elements */
    if (!ok)
        snprintf(err, errlen, "%s", e1);
    for (int i = 0; i < n; i++)
        free(changed[i]);
    free(changed);
    xmlFreeDoc(mout);
    xmlFreeDoc(min);
    xmlFreeDoc(a);
    xmlFreeDoc(b);
    return ok;
}

/* Elements vtune-xml may write that the installed libvirt's schema may
 * predate: the XPath that finds them, how to name them, and the libvirt
 * version (major * 1000000 + minor * 1000 + micro) that added them
 * (libvirt's NEWS and formatdomain "Since" notes). */
static const struct {
    const char *xpath, *name;
    unsigned long since;
} newer[] = {
    {"/domain/devices/disk/driver/iothreads",
     "<disk><driver><iothreads> (libvirt 10.0.0)", 10000000},
    {"/domain/devices/controller/driver/iothreads",
     "<controller><driver><iothreads> (libvirt 10.0.0)", 10000000},
};

int schema_newer_construct(const char *xml, size_t len, char *what,
                           size_t whatlen, char *have, size_t havelen)
{
    unsigned long installed = LIBVIR_VERSION_NUMBER;
    xmlDocPtr doc = parse(xml, len);
    if (!doc)
        return 0;
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    int found = 0;
    for (size_t i = 0; x && !found && i < sizeof newer / sizeof *newer; i++) {
        if (newer[i].since <= installed)
            continue;
        xmlXPathObjectPtr o =
            xmlXPathEvalExpression((const xmlChar *)newer[i].xpath, x);
        if (o && o->nodesetval && o->nodesetval->nodeNr > 0) {
            snprintf(what, whatlen, "%s", newer[i].name);
            snprintf(have, havelen, "%lu.%lu.%lu", installed / 1000000,
                     installed / 1000 % 1000, installed % 1000);
            found = 1;
        }
        xmlXPathFreeObject(o);
    }
    xmlXPathFreeContext(x);
    xmlFreeDoc(doc);
    return found;
}

void schema_free(void)
{
    xmlRelaxNGFree(schema);
    schema = NULL;
}
