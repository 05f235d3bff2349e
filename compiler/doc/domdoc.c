/*
 * domdoc.c - the domain document (see domdoc.h): safe parsing with byte
 * spans for every original node, the edit API, and the byte-preserving
 * emitter.
 *
 * How spans are found: libxml2 builds the tree with its own SAX2 handlers;
 * we wrap startElementNs / endElementNs to note, through xmlByteConsumed(),
 * where each element starts and ends in the input. After parsing, a walk
 * over the tree assigns spans to text, comment, PI and CDATA children from
 * the XML grammar (text runs up to the next '<'; a comment ends at the first
 * "-->", a PI at "?>", a CDATA section at "]]>").
 *
 * Each original node's _private points to its span; nodes made by edits
 * have _private == NULL and are always serialized.
 */
#include "domdoc.h"
#include "alloc.h"
#include "error.h"
#include "strbuf.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <string.h>

typedef struct span {
    size_t start;       /* offset of the node's first byte */
    size_t stag_end;    /* elements: offset just past the start tag */
    size_t etag_start;  /* elements: offset of "</", == end if empty tag */
    size_t end;         /* offset just past the node */
    unsigned self_dirty : 1;   /* attributes or child list changed */
    unsigned attrs_dirty : 1;  /* attributes changed */
    unsigned desc_dirty : 1;   /* some descendant changed */
    unsigned has_end : 1;      /* end offset was recorded */
    /* domdoc_node_path's cache: this element's position among its
     * siblings of one name, valid while path_gen == its parent's
     * kids_gen + 1; kids_gen counts changes of this element's children */
    unsigned path_others : 1;  /* siblings of the same name exist */
    unsigned path_idx;
    unsigned path_gen;
    unsigned kids_gen;
} span;

struct vt_domdoc {
    char *name;
    const char *buf;        /* the input (borrowed copy owned below) */
    char *own;
    size_t len;
    xmlDocPtr doc;
    span *spans;            /* pool */
    size_t nspans, capspans;
    char quote;
    const char *eol;        /* the document's line ending: "\r\n" when its
                               first line ends so, else "\n" */
    char *unit;             /* one indentation step */
    int pretty;             /* the document is indented with newlines */
    int changed;
    int failed;             /* a SAX hook refused the input */
    char failmsg[256];
    long failline;
    xmlNodePtr *buried;     /* what edits replaced or removed, freed with
                               the document so that pointers into it (an
                               attribute's value) stay valid until then */
    size_t nburied, capburied;
};

/* ---------------------------------------------------------------- parse */

static span *span_new(vt_domdoc *d)
{
    /* The pool is sized once in domdoc_parse (nodes point into it, so it
     * never moves); running out means the bound was wrong: refuse. */
    if (d->nspans == d->capspans)
        return NULL;
    span *s = &d->spans[d->nspans++];
    memset(s, 0, sizeof *s);
    return s;
}

static void on_start(void *ctx, const xmlChar *localname,
                     const xmlChar *prefix, const xmlChar *uri, int nb_ns,
                     const xmlChar **ns, int nb_attr, int nb_def,
                     const xmlChar **attrs)
{
    xmlParserCtxtPtr c = ctx;
    vt_domdoc *d = c->_private;
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_ns, ns, nb_attr,
                          nb_def, attrs);
    long pos = xmlByteConsumed(c);
    xmlNodePtr n = c->node;
    if (!n || pos < 0 || (size_t)pos > d->len)
        return;
    span *s = span_new(d);
    if (!s)
        return;
    /* cur is at the '>' or "/>" closing the start tag; the tag starts at
     * the last '<' before it (attribute values cannot hold a raw '<'). */
    size_t p = (size_t)pos;
    while (p > 0 && d->buf[p] != '<')
        p--;
    s->start = p;
    n->_private = s;
}

static void on_end(void *ctx, const xmlChar *localname,
                   const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr c = ctx;
    vt_domdoc *d = c->_private;
    xmlNodePtr n = c->node;
    long pos = xmlByteConsumed(c);
    if (n && n->_private && pos >= 0 && (size_t)pos <= d->len) {
        span *s = n->_private;
        s->end = (size_t)pos;
        s->has_end = 1;
    }
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type,
                           const xmlChar *public_id, const xmlChar *system_id,
                           xmlChar *content)
{
    (void)type, (void)public_id, (void)system_id, (void)content;
    xmlParserCtxtPtr c = ctx;
    vt_domdoc *d = c->_private;
    if (!d->failed) {
        d->failed = 1;
        d->failline = xmlSAX2GetLineNumber(ctx);
        snprintf(d->failmsg, sizeof d->failmsg,
                 "entity declaration '%s' refused: domain XML has no "
                 "entities (external and nested entities are an attack "
                 "vector)", (const char *)name);
    }
    xmlStopParser(c);
}

static void on_ext_subset(void *ctx, const xmlChar *name,
                          const xmlChar *ext_id, const xmlChar *system_id)
{
    (void)ctx, (void)name, (void)ext_id, (void)system_id;
    /* never load an external DTD */
}

/* Structured error collector: keeps the first fatal error. */
typedef struct parse_err {
    int set;
    long line;
    char msg[256];
} parse_err;

static void on_error(void *data, xmlErrorPtr e)
{
    parse_err *pe = data;
    if (pe->set || !e || e->level < XML_ERR_ERROR)
        return;
    pe->set = 1;
    pe->line = e->line;
    /* one line: libxml2's first; the lines after it quote the document,
     * except the bytes of an encoding error, which are kept after ";" */
    const char *m = e->message ? e->message : "?";
    size_t first = strcspn(m, "\n");
    const char *nl = m + first;
    while (first && (m[first - 1] == ' ' || m[first - 1] == '!'))
        first--;
    const char *bytes = *nl ? strstr(nl, "Bytes:") : NULL;
    snprintf(pe->msg, sizeof pe->msg, "%.*s%s%.*s", (int)first, m,
             bytes ? "; " : "", bytes ? (int)strcspn(bytes, "\n") : 0,
             bytes ? bytes : "");
    size_t n = strlen(pe->msg);
    while (n && (pe->msg[n - 1] == '\n' || pe->msg[n - 1] == ' ' ||
                 pe->msg[n - 1] == '!'))
        pe->msg[--n] = '\0';
}

/* Offset of the first '<' at or after P (or len). */
static size_t next_lt(const vt_domdoc *d, size_t p)
{
    const char *q = memchr(d->buf + p, '<', d->len - p);
    return q ? (size_t)(q - d->buf) : d->len;
}

/* Offset just past the first occurrence of TERM at or after P. */
static size_t past(const vt_domdoc *d, size_t p, const char *term)
{
    size_t tl = strlen(term);
    for (size_t i = p; i + tl <= d->len; i++)
        if (memcmp(d->buf + i, term, tl) == 0)
            return i + tl;
    return d->len;
}

/* Offset just past the '>' ending the start tag that begins at P. */
static size_t stag_end_of(const vt_domdoc *d, size_t p)
{
    char q = 0;
    for (size_t i = p; i < d->len; i++) {
        char ch = d->buf[i];
        if (q) {
            if (ch == q)
                q = 0;
        } else if (ch == '"' || ch == '\'') {
            q = ch;
        } else if (ch == '>') {
            return i + 1;
        }
    }
    return d->len;
}

/* Assigns spans to the children of element EL; returns -1 when the
 * recorded offsets do not line up (then the emitter cannot trust them). */
static int assign_spans(vt_domdoc *d, xmlNodePtr el)
{
    span *s = el->_private;
    if (!s || !s->has_end)
        return -1;
    s->stag_end = stag_end_of(d, s->start);
    if (s->stag_end > s->end)
        return -1;
    if (d->buf[s->stag_end - 2] == '/') {
        s->etag_start = s->end;          /* <empty/> */
    } else {
        size_t p = s->end - 1;
        while (p > s->stag_end && !(d->buf[p] == '<' && d->buf[p + 1] == '/'))
            p--;
        s->etag_start = p;
    }
    size_t cur = s->stag_end;
    for (xmlNodePtr c = el->children; c; c = c->next) {
        span *cs;
        switch (c->type) {
        case XML_ELEMENT_NODE:
            cs = c->_private;
            if (!cs || cs->start != cur || assign_spans(d, c) < 0)
                return -1;
            cur = cs->end;
            continue;
        case XML_TEXT_NODE:
            cs = span_new(d);
            if (!cs)
                return -1;
            cs->start = cur;
            cs->end = next_lt(d, cur);
            if (cs->end > s->etag_start)
                cs->end = s->etag_start;
            break;
        case XML_COMMENT_NODE:
            cs = span_new(d);
            if (!cs)
                return -1;
            cs->start = cur;
            cs->end = past(d, cur + 4, "-->");
            break;
        case XML_PI_NODE:
            cs = span_new(d);
            if (!cs)
                return -1;
            cs->start = cur;
            cs->end = past(d, cur + 2, "?>");
            break;
        case XML_CDATA_SECTION_NODE:
            cs = span_new(d);
            if (!cs)
                return -1;
            cs->start = cur;
            cs->end = past(d, cur + 9, "]]>");
            break;
        default:
            return -1;      /* entity references: refused earlier */
        }
        c->_private = cs;
        cur = cs->end;
    }
    return cur == s->etag_start ? 0 : -1;
}

/* The quote character of the first attribute in the document. */
static char detect_quote(const vt_domdoc *d, xmlNodePtr root)
{
    span *s = root->_private;
    size_t from = s ? s->start : 0;
    size_t lim = d->len < from + 4096 ? d->len : from + 4096;
    for (size_t i = from; i + 1 < lim; i++)
        if (d->buf[i] == '=' && (d->buf[i + 1] == '"' || d->buf[i + 1] == '\''))
            return d->buf[i + 1];
    return '\'';
}

/* The whitespace after the last newline of text node T, or NULL. */
static char *indent_after_newline(xmlNodePtr t)
{
    if (!t || t->type != XML_TEXT_NODE || !t->content)
        return NULL;
    const char *c = (const char *)t->content;
    const char *nl = strrchr(c, '\n');
    if (!nl)
        return NULL;
    for (const char *p = nl + 1; *p; p++)
        if (*p != ' ' && *p != '\t')
            return NULL;
    return xstrdup(nl + 1);
}

static void detect_indent(vt_domdoc *d, xmlNodePtr root)
{
    d->pretty = 0;
    d->unit = NULL;
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            d->unit = indent_after_newline(c->prev);
            if (d->unit)
                d->pretty = 1;
            break;
        }
    }
    if (!d->unit || !*d->unit) {
        free(d->unit);
        d->unit = xstrdup("  ");
    }
}

int domdoc_parse(const char *name, const char *buf, size_t len,
                 vt_domdoc **out)
{
    const char *shown = strcmp(name, "-") == 0 ? "<stdin>" : name;
    if (len == 0)
        return vt_fail(VT_EXIT_DOMAIN, shown, 0, "empty input: expected a "
                       "libvirt <domain> document");
    if (len > (size_t)1 << 30)
        return vt_fail(VT_EXIT_DOMAIN, shown, 0, "input too large");
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) ||
                     (u[0] == 0xfe && u[1] == 0xff)))
        return vt_fail(VT_EXIT_DOMAIN, shown, 0, "a UTF-16 document: "
                       "vtune-xml reads UTF-8, as libvirt writes it; convert "
                       "it first (iconv -f UTF-16 -t UTF-8)");
    /* libxml2 stops at a NUL byte: what follows it would be copied into
     * the output unread */
    const char *nul = memchr(buf, '\0', len);
    if (nul)
        return vt_fail(VT_EXIT_DOMAIN, shown, 0, "a NUL byte at offset %zu: "
                       "not a text document", (size_t)(nul - buf));

    vt_domdoc *d = xcalloc(1, sizeof *d);
    d->name = xstrdup(shown);
    d->own = xmalloc(len + 1);
    memcpy(d->own, buf, len);
    d->own[len] = '\0';
    d->buf = d->own;
    d->len = len;
    /* Upper bound on nodes: every node starts at a '<' or is a text node
     * between two of them, so 2 * ('<' count) + 2 spans always suffice. */
    size_t lts = 0;
    for (size_t i = 0; i < len; i++)
        lts += d->buf[i] == '<';
    d->capspans = 2 * lts + 2;
    d->spans = xcalloc(d->capspans, sizeof(span));

    xmlParserCtxtPtr c = xmlNewParserCtxt();
    if (!c) {
        domdoc_free(d);
        return vt_fail(VT_EXIT_INTERNAL, shown, 0, "out of memory");
    }
    c->_private = d;
    c->sax->startElementNs = on_start;
    c->sax->endElementNs = on_end;
    c->sax->entityDecl = on_entity_decl;
    c->sax->externalSubset = on_ext_subset;

    parse_err pe = {0};
    xmlSetStructuredErrorFunc(&pe, on_error);
    int opts = XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR;
    d->doc = xmlCtxtReadMemory(c, d->buf, (int)len, NULL, NULL, opts);
    int wellformed = c->wellFormed;
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlFreeParserCtxt(c);

    int rc = 0;
    if (d->failed) {
        rc = vt_fail(VT_EXIT_DOMAIN, shown, d->failline, "%s", d->failmsg);
    } else if (!d->doc || !wellformed || pe.set) {
        rc = vt_fail(VT_EXIT_DOMAIN, shown, pe.set ? pe.line : 0,
                     "not well-formed XML: %s",
                     pe.set ? pe.msg : "parse failed");
    } else if (d->doc->encoding &&
               xmlStrcasecmp(d->doc->encoding, BAD_CAST "UTF-8") != 0 &&
               xmlStrcasecmp(d->doc->encoding, BAD_CAST "US-ASCII") != 0 &&
               xmlStrcasecmp(d->doc->encoding, BAD_CAST "ASCII") != 0) {
        rc = vt_fail(VT_EXIT_DOMAIN, shown, 1,
                     "encoding '%s' is not supported: libvirt writes UTF-8; "
                     "convert with iconv", (const char *)d->doc->encoding);
    } else {
        xmlNodePtr root = xmlDocGetRootElement(d->doc);
        if (!root || assign_spans(d, root) < 0) {
            rc = vt_fail(VT_EXIT_DOMAIN, shown, 0,
                         "cannot map the document to its bytes (unusual "
                         "markup); refusing to rewrite it");
        } else {
            d->quote = detect_quote(d, root);
            detect_indent(d, root);
            const char *nl = memchr(d->buf, '\n', d->len);
            d->eol = nl && nl > d->buf && nl[-1] == '\r' ? "\r\n" : "\n";
        }
    }
    if (rc) {
        domdoc_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

void domdoc_free(vt_domdoc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nburied; i++) {
        xmlNodePtr n = d->buried[i];
        if (n->type == XML_ATTRIBUTE_NODE)
            xmlFreeProp((xmlAttrPtr)n);
        else
            xmlFreeNodeList(n);
    }
    free(d->buried);
    if (d->doc)
        xmlFreeDoc(d->doc);
    free(d->spans);
    free(d->unit);
    free(d->own);
    free(d->name);
    free(d);
}

xmlDocPtr domdoc_xml(const vt_domdoc *d) { return d->doc; }
xmlNodePtr domdoc_root(const vt_domdoc *d) { return xmlDocGetRootElement(d->doc); }
const char *domdoc_name(const vt_domdoc *d) { return d->name; }
int domdoc_changed(const vt_domdoc *d) { return d->changed; }

/* ------------------------------------------------------------- reading */

static int is_el(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !n->ns &&
           strcmp((const char *)n->name, name) == 0;
}

xmlNodePtr domdoc_child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
        if (is_el(n, name))
            return n;
    return NULL;
}

xmlNodePtr domdoc_next(xmlNodePtr n, const char *name)
{
    for (n = n ? n->next : NULL; n; n = n->next)
        if (is_el(n, name))
            return n;
    return NULL;
}

const char *domdoc_attr(xmlNodePtr el, const char *name)
{
    xmlAttrPtr a = el ? xmlHasNsProp(el, BAD_CAST name, NULL) : NULL;
    if (!a)
        return NULL;
    if (!a->children)
        return "";
    return (const char *)a->children->content;
}

xmlNodePtr domdoc_child_with(xmlNodePtr parent, const char *name,
                             const char *attr, const char *value)
{
    for (xmlNodePtr n = domdoc_child(parent, name); n; n = domdoc_next(n, name)) {
        const char *v = domdoc_attr(n, attr);
        if (v && strcmp(v, value) == 0)
            return n;
    }
    return NULL;
}

int domdoc_attr_is(xmlNodePtr el, const char *name, const char *value)
{
    const char *v = domdoc_attr(el, name);
    return v && strcmp(v, value) == 0;
}

/* ---------------------------------------------------------------- edits */

/* Marks EL as changed itself and its ancestors as having a changed
 * descendant. */
static void mark(vt_domdoc *d, xmlNodePtr el, int attrs)
{
    d->changed = 1;
    span *s = el->_private;
    if (s) {
        s->self_dirty = 1;
        if (attrs)
            s->attrs_dirty = 1;
    }
    for (xmlNodePtr p = el->parent; p && p->type == XML_ELEMENT_NODE;
         p = p->parent) {
        span *ps = p->_private;
        if (ps)
            ps->desc_dirty = 1;
    }
}

/* Keeps N (unlinked: an attribute, a node list or an element) until the
 * document is freed. */
static void bury(vt_domdoc *d, xmlNodePtr n)
{
    if (d->nburied == d->capburied) {
        d->capburied = d->capburied ? 2 * d->capburied : 16;
        d->buried = xrealloc(d->buried, d->capburied * sizeof *d->buried);
    }
    d->buried[d->nburied++] = n;
}

/* An attribute's _private: &attr_edited when an edit set it, and
 * &attr_written while put_edited_tag has written it in place. */
static char attr_edited, attr_written;

void domdoc_set_attr(vt_domdoc *d, xmlNodePtr el, const char *name,
                     const char *value)
{
    xmlAttrPtr a = xmlHasNsProp(el, BAD_CAST name, NULL);
    if (value) {
        xmlChar *old = xmlGetNoNsProp(el, BAD_CAST name);
        int same = old && strcmp((const char *)old, value) == 0;
        xmlFree(old);
        if (same)
            return;
        if (a && a->children) {     /* the old value outlives the edit */
            bury(d, a->children);
            a->children = a->last = NULL;
        }
        xmlAttrPtr set = xmlSetProp(el, BAD_CAST name, BAD_CAST value);
        if (set)
            set->_private = &attr_edited;   /* put_edited_tag rewrites it */
    } else {
        if (!a)
            return;
        xmlUnlinkNode((xmlNodePtr)a);
        bury(d, (xmlNodePtr)a);
    }
    mark(d, el, 1);
}

/* Indentation of element EL: the whitespace after the newline before it. */
static char *indent_of(xmlNodePtr el)
{
    char *s = indent_after_newline(el->prev);
    return s ? s : xstrdup("");
}

/* Indentation for a child of PARENT. */
static char *child_indent(const vt_domdoc *d, xmlNodePtr parent)
{
    for (xmlNodePtr c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) {
            char *s = indent_after_newline(c->prev);
            if (s)
                return s;
            break;
        }
    char *pi = indent_of(parent);
    char *r = xasprintf("%s%s", pi, d->unit);
    free(pi);
    return r;
}

/* A line break and INDENT, in the document's own line ending: lines the
 * tool inserts end as the document's do (the text of a node is written
 * as it is, so a CR here is a CR in the output). */
static xmlNodePtr new_ws(const vt_domdoc *d, const char *indent)
{
    char *t = xasprintf("%s%s", d->eol ? d->eol : "\n", indent);
    xmlNodePtr n = xmlNewDocText(d->doc, BAD_CAST t);
    free(t);
    return n;
}

static int is_ws_text(xmlNodePtr n)
{
    if (!n || n->type != XML_TEXT_NODE)
        return 0;
    for (const xmlChar *p = n->content; p && *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return 0;
    return 1;
}

/* Tree linking without libxml2's merging of adjacent text nodes
 * (xmlAddChild and friends fold a new text node into its neighbour, which
 * would change an original node behind the emitter's back). */
/* The child list of PARENT changed: its children's cached positions go. */
static void kids_changed(xmlNodePtr parent)
{
    span *s = parent ? parent->_private : NULL;
    if (s && parent->type == XML_ELEMENT_NODE)
        s->kids_gen++;
}

static void link_after(xmlNodePtr ref, xmlNodePtr n)
{
    kids_changed(ref->parent);
    n->parent = ref->parent;
    n->prev = ref;
    n->next = ref->next;
    if (ref->next)
        ref->next->prev = n;
    else if (ref->parent)
        ref->parent->last = n;
    ref->next = n;
}

static void link_before(xmlNodePtr ref, xmlNodePtr n)
{
    kids_changed(ref->parent);
    n->parent = ref->parent;
    n->next = ref;
    n->prev = ref->prev;
    if (ref->prev)
        ref->prev->next = n;
    else if (ref->parent)
        ref->parent->children = n;
    ref->prev = n;
}

static void link_last(xmlNodePtr parent, xmlNodePtr n)
{
    if (parent->last) {
        link_after(parent->last, n);
        return;
    }
    kids_changed(parent);
    n->parent = parent;
    n->prev = n->next = NULL;
    parent->children = parent->last = n;
}

xmlNodePtr domdoc_add_child(vt_domdoc *d, xmlNodePtr parent, const char *name,
                            xmlNodePtr after)
{
    xmlNodePtr el = xmlNewDocNode(d->doc, NULL, BAD_CAST name, NULL);
    char *ci = child_indent(d, parent);
    if (after) {
        /* AFTER [ws] NEW, then whatever followed AFTER */
        link_after(after, el);
        if (d->pretty)
            link_after(after, new_ws(d, ci));
    } else if (!parent->children) {
        if (d->pretty) {
            char *pi = indent_of(parent);
            link_last(parent, new_ws(d, ci));
            link_last(parent, el);
            link_last(parent, new_ws(d, pi));
            free(pi);
        } else {
            link_last(parent, el);
        }
    } else if (is_ws_text(parent->last)) {
        /* ... LAST-CHILD [ws] NEW closing-indent */
        link_before(parent->last, el);
        if (d->pretty)
            link_before(el, new_ws(d, ci));
    } else {
        if (d->pretty)
            link_last(parent, new_ws(d, ci));
        link_last(parent, el);
    }
    free(ci);
    mark(d, parent, 0);
    return el;
}

xmlNodePtr domdoc_add_first_child(vt_domdoc *d, xmlNodePtr parent, const char *name)
{
    xmlNodePtr first = NULL;
    for (xmlNodePtr c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE || c->type == XML_COMMENT_NODE) {
            first = c;
            break;
        }
    if (!first)
        return domdoc_add_child(d, parent, name, NULL);
    xmlNodePtr el = xmlNewDocNode(d->doc, NULL, BAD_CAST name, NULL);
    char *ci = child_indent(d, parent);
    /* [ws] NEW [ws'] FIRST: the indentation before FIRST now serves NEW */
    link_before(first, el);
    if (d->pretty)
        link_before(first, new_ws(d, ci));
    free(ci);
    mark(d, parent, 0);
    return el;
}

void domdoc_remove(vt_domdoc *d, xmlNodePtr el)
{
    xmlNodePtr parent = el->parent;
    kids_changed(parent);
    if (is_ws_text(el->prev)) {
        xmlNodePtr ws = el->prev;
        xmlUnlinkNode(ws);
        xmlFreeNode(ws);
    }
    xmlUnlinkNode(el);
    bury(d, el);
    /* nothing but indentation left: the parent becomes an empty tag */
    int only_ws = 1;
    for (xmlNodePtr c = parent->children; c && only_ws; c = c->next)
        only_ws = is_ws_text(c);
    while (only_ws && parent->children) {
        xmlNodePtr ws = parent->children;
        xmlUnlinkNode(ws);
        xmlFreeNode(ws);
    }
    mark(d, parent, 0);
}

void domdoc_set_text(vt_domdoc *d, xmlNodePtr el, const char *text)
{
    xmlNodePtr c = el->children;
    while (c) {
        xmlNodePtr n = c->next;
        xmlUnlinkNode(c);
        bury(d, c);
        c = n;
    }
    link_last(el, xmlNewDocText(d->doc, BAD_CAST text));
    mark(d, el, 0);
}

/* ---------------------------------------------------------------- emit */

static void esc(vt_strbuf *out, const xmlChar *s, char quote)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': strbuf_adds(out, "&amp;"); break;
        case '<': strbuf_adds(out, "&lt;"); break;
        case '>': strbuf_adds(out, "&gt;"); break;
        case '\n': if (quote) strbuf_adds(out, "&#10;"); else strbuf_add(out, "\n", 1); break;
        case '\r':
            /* a line break of a CRLF document (the whitespace the tool
             * inserts there) is written as it is; a lone CR would be lost
             * to the parser's line-end normalization, so it is escaped */
            if (!quote && s[1] == '\n')
                strbuf_add(out, "\r", 1);
            else
                strbuf_adds(out, "&#13;");
            break;
        case '\t': if (quote) strbuf_adds(out, "&#9;"); else strbuf_add(out, "\t", 1); break;
        case '"':
            if (quote == '"') strbuf_adds(out, "&quot;");
            else strbuf_add(out, "\"", 1);
            break;
        case '\'':
            if (quote == '\'') strbuf_adds(out, "&apos;");
            else strbuf_add(out, "'", 1);
            break;
        default: strbuf_add(out, (const char *)s, 1);
        }
    }
}

static void put_qname(vt_strbuf *out, xmlNsPtr ns, const xmlChar *name)
{
    if (ns && ns->prefix) {
        strbuf_adds(out, (const char *)ns->prefix);
        strbuf_add(out, ":", 1);
    }
    strbuf_adds(out, (const char *)name);
}

/* The value of attribute A of EL, escaped for quote Q. */
static void put_value(vt_strbuf *out, xmlNodePtr el, xmlAttrPtr a, char q)
{
    xmlChar *v = xmlGetNsProp(el, a->name, a->ns ? a->ns->href : NULL);
    esc(out, v, q);
    xmlFree(v);
}

/* " NAME=QvalueQ" for attribute A of EL. */
static void put_attr(vt_strbuf *out, xmlNodePtr el, xmlAttrPtr a, char q)
{
    strbuf_add(out, " ", 1);
    put_qname(out, a->ns, a->name);
    strbuf_add(out, "=", 1);
    strbuf_add(out, &q, 1);
    put_value(out, el, a, q);
    strbuf_add(out, &q, 1);
}

static void put_start_tag(const vt_domdoc *d, vt_strbuf *out, xmlNodePtr el,
                          int empty)
{
    char q[2] = {d->quote, 0};
    strbuf_add(out, "<", 1);
    put_qname(out, el->ns, el->name);
    for (xmlNsPtr ns = el->nsDef; ns; ns = ns->next) {
        strbuf_adds(out, ns->prefix ? " xmlns:" : " xmlns");
        if (ns->prefix)
            strbuf_adds(out, (const char *)ns->prefix);
        strbuf_add(out, "=", 1);
        strbuf_adds(out, q);
        esc(out, ns->href, d->quote);
        strbuf_adds(out, q);
    }
    for (xmlAttrPtr a = el->properties; a; a = a->next)
        put_attr(out, el, a, d->quote);
    strbuf_adds(out, empty ? "/>" : ">");
}

/* The start tag of EL, which the input has at span S, with its attribute
 * edits: every byte of the original kept but the values that changed
 * (written in their own quotes) and the attributes removed (with the
 * space before them); added ones at the end, in the tag's own quote.
 * Line breaks between attributes, quotes and spacing stay as written. */
static void put_edited_tag(const vt_domdoc *d, vt_strbuf *out, xmlNodePtr el,
                           const span *s, int empty)
{
    const char *b = d->buf;
    size_t p = s->start + 1, end = s->stag_end;
    while (p < end && !strchr(" \t\r\n/>", b[p]))
        p++;
    strbuf_add(out, b + s->start, p - s->start);
    char tagq = 0;
    size_t tail;                /* where the whitespace before > begins */
    for (;;) {
        size_t ws = p;
        while (p < end && strchr(" \t\r\n", b[p]))
            p++;
        if (p >= end || b[p] == '/' || b[p] == '>') {
            tail = ws;
            break;
        }
        size_t name = p;
        while (p < end && !strchr(" \t\r\n=", b[p]))
            p++;
        size_t name_end = p;
        while (p < end && b[p] != '"' && b[p] != '\'')
            p++;
        char q = p < end ? b[p] : '"';
        size_t val = p + 1;
        p = val;
        while (p < end && b[p] != q)
            p++;
        p++;                    /* past the closing quote */
        if (!tagq)
            tagq = q;
        size_t nlen = name_end - name;
        if (nlen >= 5 && !strncmp(b + name, "xmlns", 5) &&
            (nlen == 5 || b[name + 5] == ':')) {
            strbuf_add(out, b + ws, p - ws);    /* declarations: as written */
            continue;
        }
        xmlAttrPtr a = NULL;
        for (xmlAttrPtr k = el->properties; k && !a; k = k->next) {
            size_t pl = k->ns && k->ns->prefix ? strlen((const char *)
                                                        k->ns->prefix) : 0;
            size_t kl = strlen((const char *)k->name);
            if (pl ? nlen == pl + 1 + kl &&
                     !strncmp(b + name, (const char *)k->ns->prefix, pl) &&
                     b[name + pl] == ':' &&
                     !strncmp(b + name + pl + 1, (const char *)k->name, kl)
                   : nlen == kl && !strncmp(b + name, (const char *)k->name, kl))
                a = k;
        }
        if (!a)
            continue;           /* removed, with the space before it */
        if (!a->_private) {
            strbuf_add(out, b + ws, p - ws);
            continue;
        }
        a->_private = &attr_written;
        strbuf_add(out, b + ws, val - ws);
        put_value(out, el, a, q);
        strbuf_add(out, &q, 1);
    }
    /* added: the attributes the original tag does not name (xmlSetProp
     * appends, so they follow the others), in the tag's quote */
    char q = tagq ? tagq : d->quote;
    for (xmlAttrPtr a = el->properties; a; a = a->next) {
        if (a->_private == &attr_written) {
            a->_private = &attr_edited;     /* for the next emit */
        } else if (a->_private == &attr_edited) {
            put_attr(out, el, a, q);
        }
    }
    int was_empty = b[end - 2] == '/';
    if (was_empty == empty)
        strbuf_add(out, b + tail, end - tail);   /* " />", "\n>" ... */
    else
        strbuf_adds(out, empty ? "/>" : ">");
}

static void emit_node(const vt_domdoc *d, vt_strbuf *out, xmlNodePtr n);

static void emit_children(const vt_domdoc *d, vt_strbuf *out, xmlNodePtr el)
{
    for (xmlNodePtr c = el->children; c; c = c->next)
        emit_node(d, out, c);
}

static void emit_node(const vt_domdoc *d, vt_strbuf *out, xmlNodePtr n)
{
    span *s = n->_private;
    if (s && !s->self_dirty && !s->desc_dirty) {
        strbuf_add(out, d->buf + s->start, s->end - s->start);
        return;
    }
    switch (n->type) {
    case XML_ELEMENT_NODE: {
        int has_children = n->children != NULL;
        int was_empty = s && s->etag_start == s->end;
        /* an element whose children were all removed becomes <x/> */
        int emptied = s && !was_empty && !has_children && s->self_dirty;
        int empty = !has_children && (!s || was_empty || emptied);
        if (s && !s->attrs_dirty && !emptied && (!was_empty || !has_children))
            strbuf_add(out, d->buf + s->start, s->stag_end - s->start);
        else if (s)
            put_edited_tag(d, out, n, s, empty);
        else
            put_start_tag(d, out, n, empty);
        emit_children(d, out, n);
        if (s && !was_empty && !emptied)
            strbuf_add(out, d->buf + s->etag_start, s->end - s->etag_start);
        else if (has_children) {
            strbuf_adds(out, "</");
            put_qname(out, n->ns, n->name);
            strbuf_adds(out, ">");
        }
        break;
    }
    case XML_TEXT_NODE:
        esc(out, n->content, 0);
        break;
    case XML_COMMENT_NODE:
        strbuf_adds(out, "<!--");
        strbuf_adds(out, (const char *)n->content);
        strbuf_adds(out, "-->");
        break;
    case XML_CDATA_SECTION_NODE:
        strbuf_adds(out, "<![CDATA[");
        strbuf_adds(out, (const char *)n->content);
        strbuf_adds(out, "]]>");
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------ paths */

static int same_name(xmlNodePtr a, xmlNodePtr b)
{
    return a->type == XML_ELEMENT_NODE && b->type == XML_ELEMENT_NODE &&
           (a->name == b->name || xmlStrEqual(a->name, b->name));
}

/* Fills the position cache of every element child of PARENT (which has a
 * span) in two passes: names are counted in a small open hash. */
static void index_children(xmlNodePtr parent)
{
    span *ps = parent->_private;
    size_t n = 0;
    for (xmlNodePtr c = parent->children; c; c = c->next)
        n += c->type == XML_ELEMENT_NODE;
    size_t cap = 16;
    while (cap < 2 * n + 1)
        cap *= 2;
    struct slot { xmlNodePtr first; unsigned total, seen; } *h =
        xcalloc(cap, sizeof *h);
    for (int pass = 0; pass < 2; pass++)
        for (xmlNodePtr c = parent->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            size_t k = 5381;
            for (const xmlChar *q = c->name; *q; q++)
                k = k * 33 + *q;
            k &= cap - 1;
            while (h[k].first && !same_name(h[k].first, c))
                k = (k + 1) & (cap - 1);
            if (!h[k].first)
                h[k].first = c;
            if (pass == 0) {
                h[k].total++;
                continue;
            }
            h[k].seen++;
            span *cs = c->_private;
            if (cs) {
                cs->path_idx = h[k].seen;
                cs->path_others = h[k].total > 1;
                cs->path_gen = ps->kids_gen + 1;
            }
        }
    free(h);
}

/* xmlGetNodePath's "[N]" for element N under an element parent: 0 when
 * no sibling has its name, else its position among those that do. */
static unsigned position(xmlNodePtr n)
{
    xmlNodePtr parent = n->parent;
    span *s = n->_private, *ps = parent ? parent->_private : NULL;
    if (s && ps && parent->type == XML_ELEMENT_NODE) {
        if (s->path_gen != ps->kids_gen + 1)
            index_children(parent);
        return s->path_others ? s->path_idx : 0;
    }
    /* a node the tool added, or a parent without span: count */
    unsigned before = 0, after = 0;
    for (xmlNodePtr t = n->prev; t; t = t->prev)
        before += same_name(t, n);
    for (xmlNodePtr t = n->next; t && !after; t = t->next)
        after += same_name(t, n);
    return before || after ? before + 1 : 0;
}

char *domdoc_node_path(xmlNodePtr n)
{
    /* namespaced elements follow xmlGetNodePath's own rules */
    for (xmlNodePtr a = n; a && a->type == XML_ELEMENT_NODE; a = a->parent)
        if (a->ns) {
            xmlChar *p = xmlGetNodePath(n);
            char *r = xstrdup(p ? (const char *)p : "/");
            xmlFree(p);
            return r;
        }
    if (!n || n->type != XML_ELEMENT_NODE)
        return xstrdup("/");
    /* the segments, from N up, then written root first */
    size_t depth = 0;
    for (xmlNodePtr a = n; a && a->type == XML_ELEMENT_NODE; a = a->parent)
        depth++;
    xmlNodePtr *chain = xmalloc(depth * sizeof *chain);
    size_t k = depth;
    for (xmlNodePtr a = n; a && a->type == XML_ELEMENT_NODE; a = a->parent)
        chain[--k] = a;
    vt_strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < depth; i++) {
        strbuf_addf(&sb, "/%s", (const char *)chain[i]->name);
        unsigned pos = i ? position(chain[i]) : 0;
        if (pos)
            strbuf_addf(&sb, "[%u]", pos);
    }
    free(chain);
    return strbuf_detach(&sb, NULL);
}

char *domdoc_emit(const vt_domdoc *d, size_t *len)
{
    xmlNodePtr root = domdoc_root(d);
    span *s = root->_private;
    vt_strbuf out;
    strbuf_init(&out);
    strbuf_add(&out, d->buf, s->start);                 /* prolog as it was */
    emit_node(d, &out, root);
    strbuf_add(&out, d->buf + s->end, d->len - s->end); /* epilog as it was */
    return strbuf_detach(&out, len);
}

char *domdoc_node_string(const vt_domdoc *d, xmlNodePtr el)
{
    vt_strbuf out;
    strbuf_init(&out);
    emit_node(d, &out, el);
    return strbuf_detach(&out, NULL);
}
