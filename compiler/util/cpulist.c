/*
 * cpulist.c - the CPU list parser and formatter (see cpulist.h).
 *
 * hwloc_bitmap_list_sscanf accepts almost anything ("1;2" is {2}, "0x3"
 * is {3}), so the grammar is checked here and the ranges set directly.
 */
#include "cpulist.h"
#include "alloc.h"

#include <ctype.h>

/* Reads one decimal id at *P (at most VT_CPULIST_MAX); advances *P. */
static int read_id(const char **p, unsigned *out)
{
    const char *s = *p;
    unsigned long v = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > VT_CPULIST_MAX)
            return -1;
        s++;
    }
    *p = s;
    *out = (unsigned)v;
    return 0;
}

static const char *skip_spaces(const char *p, int any_space)
{
    while (any_space ? isspace((unsigned char)*p) : *p == ' ')
        p++;
    return p;
}

/* One item at *P: an id or a range low-high, or (NEG) an id to exclude.
 * Returns 0 and advances *P, or -1. */
static int read_item(const char **p, int neg, hwloc_bitmap_t set)
{
    unsigned lo, hi;
    if (read_id(p, &lo) < 0)
        return -1;
    hi = lo;
    if (**p == '-' && !neg) {
        (*p)++;
        if (read_id(p, &hi) < 0 || hi < lo)
            return -1;
    }
    hwloc_bitmap_set_range(set, lo, (int)hi);
    return 0;
}

/* CPULIST_STRICT: blanks around the list, none inside it. */
static int parse_strict(const char *p, hwloc_bitmap_t set)
{
    p = skip_spaces(p, 1);
    if (!*p)
        return 0;
    for (;;) {
        if (read_item(&p, 0, set) < 0)
            return -1;
        if (*p != ',')
            break;
        p++;
    }
    return *skip_spaces(p, 1) ? -1 : 0;
}

/* CPULIST_LIBVIRT: items between commas, each with blanks around it,
 * empty items skipped, "^N" excluding N; at least one item. */
static int parse_libvirt(const char *p, hwloc_bitmap_t set)
{
    hwloc_bitmap_t excl = hwloc_bitmap_alloc();
    int items = 0, rc = 0;
    while (*p && !rc) {
        p = skip_spaces(p, 0);
        if (*p == ',') {
            p++;
            continue;
        }
        if (!*p)
            break;
        int neg = *p == '^';
        p += neg;
        if (read_item(&p, neg, neg ? excl : set) < 0)
            rc = -1;
        items++;
        p = skip_spaces(p, 0);
        if (*p == ',')
            p++;
        else if (*p)
            rc = -1;
    }
    hwloc_bitmap_andnot(set, set, excl);
    hwloc_bitmap_free(excl);
    return rc < 0 || !items ? -1 : 0;
}

hwloc_bitmap_t cpulist_parse(const char *s, enum cpulist_syntax syntax)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    int rc = syntax == CPULIST_LIBVIRT ? parse_libvirt(s, set)
                                       : parse_strict(s, set);
    if (rc < 0) {
        hwloc_bitmap_free(set);
        return NULL;
    }
    return set;
}

char *cpulist_format(hwloc_const_bitmap_t set)
{
    char *s = NULL;
    if (hwloc_bitmap_list_asprintf(&s, set) < 0 || !s)
        xoom();
    return s;
}
