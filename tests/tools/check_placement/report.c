/*
 * report.c - what vt-check-placement prints (see report.h): one line
 * per violation on stdout, input errors on stderr.
 */
#include "report.h"

#include "cpulist.h"

#include <stdarg.h>
#include <stdio.h>

int nviolations;

void violation(const char *file, const char *inv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: %s: ", file, inv);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    nviolations++;
}

void input_error(const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    if (file)
        fprintf(stderr, "%s: ", file);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A CPU or node list as text; the caller frees. */
char *fmt_set(hwloc_const_bitmap_t set)
{
    return cpulist_format(set);
}
