/*
 * color.c - ANSI colors for a diff and a text rationale (see color.h).
 */
#include "color.h"

#include <string.h>

#define C_RESET "\033[0m"

/* Calls PAINT on each line of IN (without its newline). */
static void each_line(const vt_strbuf *in, vt_strbuf *out,
                      const char *(*color)(const char *line, size_t n))
{
    const char *p = in->buf, *end = in->buf + in->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *c = color(p, n);
        if (c)
            strbuf_adds(out, c);
        strbuf_add(out, p, n);
        if (c)
            strbuf_adds(out, C_RESET);
        if (nl)
            strbuf_add(out, "\n", 1);
        p += n + (nl != NULL);
    }
}

static const char *diff_color(const char *l, size_t n)
{
    if (n >= 3 && (!strncmp(l, "---", 3) || !strncmp(l, "+++", 3)))
        return "\033[1m";
    if (n >= 2 && !strncmp(l, "@@", 2))
        return "\033[36m";
    if (n && *l == '-')
        return "\033[31m";
    if (n && *l == '+')
        return "\033[32m";
    return NULL;
}

static const char *text_color(const char *l, size_t n)
{
    size_t k = 0;
    while (k < n && l[k] == ' ')
        k++;
    if (k == 0)
        return "\033[1m";                     /* a domain's headline */
    if (memmem(l, n, "[infeasible]", 12))
        return "\033[31m";
    if (memmem(l, n, "[warning]", 9))
        return "\033[33m";
    if (memmem(l, n, "why: ", 5) || memmem(l, n, "fix on the host:", 16))
        return "\033[2m";
    return NULL;
}

void color_diff(const vt_strbuf *in, vt_strbuf *out) { each_line(in, out, diff_color); }
void color_text(const vt_strbuf *in, vt_strbuf *out) { each_line(in, out, text_color); }
