/*
 * strbuf.h - a growable, NUL-terminated byte buffer (git's vt_strbuf).
 */
#ifndef VT_STRBUF_H
#define VT_STRBUF_H

#include <stddef.h>

typedef struct vt_strbuf {
    char *buf;      /* NUL-terminated, owned */
    size_t len, cap;
} vt_strbuf;

void strbuf_init(vt_strbuf *sb);
void strbuf_add(vt_strbuf *sb, const char *s, size_t n);
void strbuf_adds(vt_strbuf *sb, const char *s);
void strbuf_addf(vt_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Returns the buffer (the caller frees it) and resets SB; *LEN gets its
 * length when LEN is not NULL. */
char *strbuf_detach(vt_strbuf *sb, size_t *len);
void strbuf_free(vt_strbuf *sb);

#endif
