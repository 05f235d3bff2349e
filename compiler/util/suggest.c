/*
 * suggest.c - the closest name to a mistyped word (see suggest.h).
 */
#include "suggest.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Optimal string alignment distance of A and B: insertions, deletions,
 * substitutions and swaps of neighbours cost 1. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t w = lb + 1;
    size_t *d = xcalloc((la + 1) * w, sizeof *d);
    for (size_t i = 0; i <= la; i++)
        d[i * w] = i;
    for (size_t j = 0; j <= lb; j++)
        d[j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = d[(i - 1) * w + j] + 1;
            if (d[i * w + j - 1] + 1 < v)
                v = d[i * w + j - 1] + 1;
            if (d[(i - 1) * w + j - 1] + cost < v)
                v = d[(i - 1) * w + j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[(i - 2) * w + j - 2] + 1 < v)
                v = d[(i - 2) * w + j - 2] + 1;
            d[i * w + j] = v;
        }
    size_t r = d[la * w + lb];
    free(d);
    return r;
}

const char *suggest_closest(const char *word, const char *const *names,
                            size_t n)
{
    size_t len = strlen(word);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    const char *best = NULL;
    size_t bestd = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !strcmp(names[i], word))
            continue;
        size_t dd = distance(word, names[i]);
        if (dd < bestd) {
            bestd = dd;
            best = names[i];
        }
    }
    return best;
}

void suggest_append(char *buf, size_t n, const char *word,
                    const char *const *names, size_t count)
{
    const char *s = suggest_closest(word, names, count);
    size_t used = strlen(buf);
    if (s && used < n)
        snprintf(buf + used, n - used, "; did you mean '%s'?", s);
}
