/*
 * units.c - libvirt's size units (see units.h).
 */
#include "units.h"

#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

unsigned long long units_bytes(const char *u)
{
    if (!strcasecmp(u, "b") || !strcasecmp(u, "byte") ||
        !strcasecmp(u, "bytes"))
        return 1;
    static const char prefixes[] = "kmgtpe";
    const char *p = *u ? strchr(prefixes, tolower((unsigned char)*u)) : NULL;
    unsigned long long base, r = 1;
    if (!p)
        return 0;
    if (!u[1] || !strcasecmp(u + 1, "iB"))
        base = 1024;
    else if (!strcasecmp(u + 1, "B"))
        base = 1000;
    else
        return 0;
    for (long i = 0; i <= p - prefixes; i++)
        r *= base;
    return r;
}

int units_count(const char *s, unsigned long long *out)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

int units_kib(const char *value, const char *unit, unsigned long long *kib)
{
    unsigned long long v;
    if (units_count(value, &v) < 0)
        return -1;
    if (!unit) {
        *kib = v;
        return 0;
    }
    unsigned long long mul = units_bytes(unit);
    if (!mul || v > ~0ULL / mul)
        return -1;
    unsigned long long bytes = v * mul;
    *kib = bytes / 1024 + (bytes % 1024 != 0);
    return 0;
}

static const char *units_scaled(unsigned long long kib, char *buf,
                                unsigned long n, const char *const *names)
{
    int u = 0;
    while (u < 3 && kib && kib % 1024 == 0) {
        kib /= 1024;
        u++;
    }
    snprintf(buf, n, "%llu%s", kib, names[u]);
    return buf;
}

const char *units_name(unsigned long long kib, char *buf, unsigned long n)
{
    static const char *const names[] = {" KiB", " MiB", " GiB", " TiB"};
    return units_scaled(kib, buf, n, names);
}

const char *units_kernel(unsigned long long kib, char *buf, unsigned long n)
{
    static const char *const names[] = {"K", "M", "G", "T"};
    return units_scaled(kib, buf, n, names);
}
