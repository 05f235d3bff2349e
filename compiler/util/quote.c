/*
 * quote.c - git's C-style quoting of file names (see quote.h).
 */
#include "quote.h"

#include <stdio.h>
#include <string.h>

static int needs(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\' || c >= 0x7f;
}

int quote_needed(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (needs(*p))
            return 1;
    return 0;
}

/* One byte of a quoted name into OUT (at most 4 bytes and a NUL). */
static void quote_byte(unsigned char c, char out[5])
{
    static const char ctrl[] = "\a\b\t\n\v\f\r", letter[] = "abtnvfr";
    const char *k = c ? strchr(ctrl, c) : NULL;
    if (c == '"' || c == '\\')
        snprintf(out, 5, "\\%c", c);
    else if (k)
        snprintf(out, 5, "\\%c", letter[k - ctrl]);
    else if (needs(c))
        snprintf(out, 5, "\\%03o", c);
    else
        snprintf(out, 5, "%c", c);
}

void quote_path(vt_strbuf *out, const char *prefix, const char *name)
{
    if (!quote_needed(name)) {
        strbuf_adds(out, prefix);
        strbuf_adds(out, name);
        return;
    }
    strbuf_adds(out, "\"");
    strbuf_adds(out, prefix);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        char b[5];
        quote_byte(*p, b);
        strbuf_adds(out, b);
    }
    strbuf_adds(out, "\"");
}

const char *quote_name(const char *name, char *buf, size_t n)
{
    if (!quote_needed(name) || n < 3)
        return name;
    size_t len = 0;
    buf[len++] = '"';
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        char b[5];
        quote_byte(*p, b);
        size_t bl = strlen(b);
        if (len + bl + 2 > n)
            break;
        memcpy(buf + len, b, bl);
        len += bl;
    }
    buf[len++] = '"';
    buf[len] = '\0';
    return buf;
}

const char *quoted(const char *name)
{
    static char bufs[4][512];
    static unsigned next;
    return quote_name(name, bufs[next++ % 4], sizeof bufs[0]);
}
