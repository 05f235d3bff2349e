/*
 * values.c - values: numbers, libvirt cpusets, memory units, read as
 * libvirt reads them (see values.h).
 */
#include "values.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

/* Parses a non-negative decimal integer (surrounding blanks allowed). */
int parse_ull(const char *s, unsigned long long *out)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    unsigned long long v = 0;
    while (isdigit((unsigned char)*s)) {
        unsigned d = (unsigned)(*s++ - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return -1;
    *out = v;
    return 0;
}

/* As parse_ull, limited to 0..MAX. */
int parse_id(const char *s, long max, long *out)
{
    unsigned long long v;
    if (parse_ull(s, &v) < 0 || v > (unsigned long long)max)
        return -1;
    *out = (long)v;
    return 0;
}

/* Reads one id of a cpuset at *P, advancing it. */
static int set_number(const char **p, unsigned *out)
{
    const char *s = *p;
    unsigned long v = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (unsigned long)(*s++ - '0');
        if (v > MAX_ID)
            return -1;
    }
    *p = s;
    *out = (unsigned)v;
    return 0;
}

/* Parses a libvirt cpuset / nodeset: comma-separated ids, ranges "a-b"
 * and exclusions "^n" (formatdomain, <vcpu cpuset>), blanks allowed
 * around items. Returns a new set, or NULL on a syntax error. */
hwloc_bitmap_t parse_set(const char *s)
{
    if (!s)
        return NULL;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    hwloc_bitmap_t minus = hwloc_bitmap_alloc();
    const char *p = s;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        int neg = *p == '^';
        p += neg;
        unsigned lo, hi;
        if (set_number(&p, &lo) < 0)
            goto bad;
        hi = lo;
        if (!neg && *p == '-') {
            p++;
            if (set_number(&p, &hi) < 0 || hi < lo)
                goto bad;
        }
        hwloc_bitmap_set_range(neg ? minus : set, lo, (int)hi);
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        if (*p++ != ',')
            goto bad;
    }
    hwloc_bitmap_andnot(set, set, minus);
    hwloc_bitmap_free(minus);
    return set;
bad:
    hwloc_bitmap_free(set);
    hwloc_bitmap_free(minus);
    return NULL;
}

/* Bytes per UNIT as libvirt scales integers: none means KiB; "b", "byte",
 * "bytes"; "k"/"KiB" (1024), "KB" (1000), likewise M, G, T, P, E; case is
 * not significant. Returns -1 for an unknown unit. */
static int unit_bytes(const char *unit, unsigned long long *out)
{
    if (!unit || !*unit) {
        *out = 1024;
        return 0;
    }
    if (!strcasecmp(unit, "b") || !strcasecmp(unit, "byte") ||
        !strcasecmp(unit, "bytes")) {
        *out = 1;
        return 0;
    }
    unsigned long long base;
    if (!unit[1] || !strcasecmp(unit + 1, "iB"))
        base = 1024;
    else if (tolower((unsigned char)unit[1]) == 'b' && !unit[2])
        base = 1000;
    else
        return -1;
    const char *order = "kmgtpe";
    const char *at = strchr(order, tolower((unsigned char)unit[0]));
    if (!at || !unit[0])
        return -1;
    unsigned long long mul = 1;
    for (const char *q = order; q <= at; q++)
        mul *= base;
    *out = mul;
    return 0;
}

/* VALUE in UNIT, in KiB rounded up as libvirt stores memory. */
int parse_kib(const char *value, const char *unit,
                     unsigned long long *kib)
{
    unsigned long long v, mul;
    if (parse_ull(value, &v) < 0 || unit_bytes(unit, &mul) < 0)
        return -1;
    if (v && v > ULLONG_MAX / mul)
        return -1;
    v *= mul;
    *kib = v / 1024 + (v % 1024 != 0);
    return 0;
}

int streq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}
