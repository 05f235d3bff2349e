/*
 * xmlread.h - a domain file read safely with libxml2, and the XML access
 * the readers of domain.c and devices.c use.
 */
#ifndef CKP_XMLREAD_H
#define CKP_XMLREAD_H

#include <libxml/tree.h>
#include <libxml/xpath.h>

/* PATH as XML without network, DTD loading or entity substitution; NULL
 * after a message (entities declared, root other than <domain>). */
xmlDocPtr read_domain(const char *path);

/* Attribute NAME of N as a malloc'ed string, or NULL. */
char *attr(xmlNodePtr n, const char *name);

/* Text content of N as a malloc'ed string. */
char *text(xmlNodePtr n);

/* The elements EXPR selects (relative to CTX's node); never NULL, the
 * caller frees with xmlXPathFreeObject. */
xmlXPathObjectPtr select_nodes(xmlXPathContextPtr ctx, const char *expr);

/* How many nodes O holds. */
int count_of(xmlXPathObjectPtr o);

/* The first element EXPR selects, or NULL. */
xmlNodePtr first_node(xmlXPathContextPtr ctx, const char *expr);

#endif
