/*
 * alloc.h - allocation that never returns NULL: out of memory prints
 * "vtune-xml: out of memory" and aborts (git's xmalloc family). Every
 * returned pointer is the caller's to free.
 */
#ifndef VT_ALLOC_H
#define VT_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the out-of-memory message and aborts. */
_Noreturn void xoom(void);

#endif
