/*
 * error.c - the tool's error messages (see error.h).
 */
#include "error.h"
#include "quote.h"

#include <stdarg.h>
#include <stdio.h>

static void vt_verror(const char *file, long line, const char *fmt,
                      va_list ap) __attribute__((format(printf, 3, 0)));

static char last_msg[1024];
static long last_line;

const char *vt_last_error(long *line)
{
    if (line)
        *line = last_line;
    return last_msg;
}

static void vt_verror(const char *file, long line, const char *fmt,
                      va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    vsnprintf(last_msg, sizeof last_msg, fmt, copy);
    va_end(copy);
    last_line = line > 0 ? line : 0;
    fputs(VT_PROG ": ", stderr);
    if (file) {
        char q[512];
        file = quote_name(file, q, sizeof q);
        if (line > 0)
            fprintf(stderr, "%s:%ld: ", file, line);
        else
            fprintf(stderr, "%s: ", file);
    }
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void vt_error(const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vt_verror(file, line, fmt, ap);
    va_end(ap);
}

int vt_fail(int code, const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vt_verror(file, line, fmt, ap);
    va_end(ap);
    return code;
}
