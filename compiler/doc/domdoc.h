/*
 * domdoc.h - the domain document: a libxml2 tree that remembers where each
 * original element came from in the input bytes, an edit API that marks
 * what changed, and an emitter that copies every untouched byte verbatim.
 *
 * Parsing is safe by construction: no network, no external DTD, no entity
 * declarations at all (libvirt never writes them; accepting them is how
 * XXE and billion-laughs attacks start).
 *
 * Fidelity: an element nobody edited is copied byte for byte from the
 * input, quotes, spacing, comments and all; an edited element has its start
 * tag rewritten with the document's own quote character; new elements take
 * the indentation of their siblings. With no edits, emit() returns exactly
 * the input.
 */
#ifndef VT_DOMDOC_H
#define VT_DOMDOC_H

#include <libxml/tree.h>
#include <stddef.h>

#ifndef VT_DOMDOC_T
#define VT_DOMDOC_T
typedef struct vt_domdoc vt_domdoc;
#endif

/* Parses LEN bytes of BUF; NAME is used in messages ("-" shows as
 * "<stdin>"). Returns 0 with *out owned by the caller (domdoc_free), or
 * prints "vtune-xml: NAME:LINE: message" and returns 3. */
int domdoc_parse(const char *name, const char *buf, size_t len,
                 vt_domdoc **out);

void domdoc_free(vt_domdoc *d);

/* The libxml2 document and its root element (owned by D). */
xmlDocPtr domdoc_xml(const vt_domdoc *d);
xmlNodePtr domdoc_root(const vt_domdoc *d);

/* The XPath of element N as libxml2's xmlGetNodePath writes it
 * ("/domain/devices/disk[2]"), owned by the caller; positions cached per
 * parent, so that labelling every child of a large element is linear. */
char *domdoc_node_path(xmlNodePtr n);
/* The name given to domdoc_parse (owned by D). */
const char *domdoc_name(const vt_domdoc *d);

/* 1 when any edit was made since parsing. */
int domdoc_changed(const vt_domdoc *d);

/* --- reading --- */

/* First element child of PARENT named NAME (no namespace), or NULL;
 * PARENT may be NULL. */
xmlNodePtr domdoc_child(xmlNodePtr parent, const char *name);
/* The next element sibling of N named NAME, or NULL. */
xmlNodePtr domdoc_next(xmlNodePtr n, const char *name);
/* Attribute NAME (no namespace) of EL ("" when empty), or NULL; EL may be
 * NULL. The string lives as long as the document (edits keep replaced
 * values until domdoc_free). */
const char *domdoc_attr(xmlNodePtr el, const char *name);
/* 1 when EL has attribute NAME equal to VALUE. */
int domdoc_attr_is(xmlNodePtr el, const char *name, const char *value);
/* First element child NAME of PARENT whose attribute ATTR is VALUE. */
xmlNodePtr domdoc_child_with(xmlNodePtr parent, const char *name,
                             const char *attr, const char *value);

/* --- edits (each marks the node so the emitter re-serializes it) --- */

/* Sets attribute NAME of EL to VALUE (NULL removes it). */
void domdoc_set_attr(vt_domdoc *d, xmlNodePtr el, const char *name,
                     const char *value);

/* Adds a new empty element NAME as a child of PARENT, after the element
 * AFTER (a child of PARENT), or last when AFTER is NULL, indented like its
 * siblings. Returns the new element (owned by the document). */
xmlNodePtr domdoc_add_child(vt_domdoc *d, xmlNodePtr parent, const char *name,
                            xmlNodePtr after);

/* Adds a new element NAME as the first element child of PARENT. */
xmlNodePtr domdoc_add_first_child(vt_domdoc *d, xmlNodePtr parent,
                                  const char *name);

/* Removes element EL and the indentation before it. */
void domdoc_remove(vt_domdoc *d, xmlNodePtr el);

/* Replaces the content of EL with the text TEXT. */
void domdoc_set_text(vt_domdoc *d, xmlNodePtr el, const char *text);

/* --- output --- */

/* The whole document as bytes, owned by the caller; *len gets the size. */
char *domdoc_emit(const vt_domdoc *d, size_t *len);

/* EL serialized on its own (as the emitter would write it, without
 * leading indentation), owned by the caller. For reports. */
char *domdoc_node_string(const vt_domdoc *d, xmlNodePtr el);

#endif
