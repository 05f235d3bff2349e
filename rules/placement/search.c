/*
 * search.c - the placement search (see place_search.h): which candidate host
 * nodes hold a domain, and how a total splits over them. Steps 4 and 5
 * of plan.c's decision order.
 */
#include "place_search.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ nodes */

static int dist(const vt_place_search *x, int a, int b)
{
    return x->dm[a * x->nn + b];
}

static long long set_distance(const vt_place_search *x, const int *set, int k)
{
    long long s = 0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            s += dist(x, set[i], set[j]);
    return s;
}

/* How many of SET's nodes are in BITS (NULL: none). */
static int count_in(const vt_place_search *x, const int *set, int k,
                    hwloc_const_bitmap_t bits)
{
    int n = 0;
    for (int i = 0; bits && i < k; i++)
        n += hwloc_bitmap_isset(bits, (unsigned)x->nodes[set[i]].id);
    return n;
}

/* Does SET (K candidate indexes) hold the domain? */
static int fits(const vt_place_search *x, const int *set, int k)
{
    if (x->must && count_in(x, set, k, x->must) != hwloc_bitmap_weight(x->must))
        return 0;
    long long cap = 0, mem = 0;
    int mem_unknown = 0;
    for (int i = 0; i < k; i++) {
        cap += x->nodes[set[i]].cap;
        if (x->nodes[set[i]].mem_free == LLONG_MAX)
            mem_unknown = 1;
        else if (x->nodes[set[i]].mem_free > 0)
            mem += x->nodes[set[i]].mem_free;
    }
    return cap >= x->vcpus && (mem_unknown || mem >= (long long)x->mem);
}

/* Is SET a better choice than BEST (both of size K)? The devices' nodes,
 * then the distance, then the memory on nodes with CPUs (up to what the
 * domain needs), then the fit, then the ids. */
static int better(const vt_place_search *x, const int *set, const int *best, int k)
{
    /* next to the domain's devices first */
    int p1 = count_in(x, set, k, x->prefer), p2 = count_in(x, best, k, x->prefer);
    if (p1 != p2)
        return p1 > p2;
    long long d1 = set_distance(x, set, k), d2 = set_distance(x, best, k);
    if (d1 != d2)
        return d1 < d2;
    /* then the memory next to the vCPUs: on nodes that have CPUs (a set
     * with memory-only nodes keeps the least memory there) */
    long long l1 = 0, l2 = 0;
    for (int i = 0; i < k; i++) {
        const vt_place_cand *a = &x->nodes[set[i]], *b = &x->nodes[best[i]];
        if (a->cap > 0)
            l1 = a->mem_free == LLONG_MAX || l1 == LLONG_MAX ? LLONG_MAX
                 : l1 + (a->mem_free > 0 ? a->mem_free : 0);
        if (b->cap > 0)
            l2 = b->mem_free == LLONG_MAX || l2 == LLONG_MAX ? LLONG_MAX
                 : l2 + (b->mem_free > 0 ? b->mem_free : 0);
    }
    if (l1 > (long long)x->mem)
        l1 = (long long)x->mem;
    if (l2 > (long long)x->mem)
        l2 = (long long)x->mem;
    if (l1 != l2)
        return l1 > l2;
    long long cap1 = 0, cap2 = 0, mem1 = 0, mem2 = 0;
    for (int i = 0; i < k; i++) {
        cap1 += x->nodes[set[i]].cap;
        cap2 += x->nodes[best[i]].cap;
        mem1 += x->nodes[set[i]].mem_free == LLONG_MAX ? 0 : x->nodes[set[i]].mem_free;
        mem2 += x->nodes[best[i]].mem_free == LLONG_MAX ? 0 : x->nodes[best[i]].mem_free;
    }
    if (x->pack && cap1 != cap2)
        return cap1 < cap2;             /* pack: best fit */
    if (!x->pack && mem1 != mem2)
        return mem1 > mem2;             /* spread: most free memory */
    for (int i = 0; i < k; i++)
        if (x->nodes[set[i]].id != x->nodes[best[i]].id)
            return x->nodes[set[i]].id < x->nodes[best[i]].id;
    return 0;
}

static double combinations(int n, int k)
{
    double r = 1;
    for (int i = 1; i <= k; i++)
        r = r * (n - k + i) / i;
    return r;
}

/* Exact search over the K-subsets; returns 1 and BEST when one fits. */
static int search_exact(const vt_place_search *x, int k, int *best)
{
    int *set = xmalloc((size_t)k * sizeof *set), found = 0;
    for (int i = 0; i < k; i++)
        set[i] = i;
    for (;;) {
        if (fits(x, set, k) && (!found || better(x, set, best, k))) {
            memcpy(best, set, (size_t)k * sizeof *set);
            found = 1;
        }
        int i = k - 1;
        while (i >= 0 && set[i] == x->nn - k + i)
            i--;
        if (i < 0)
            break;
        set[i]++;
        for (int j = i + 1; j < k; j++)
            set[j] = set[j - 1] + 1;
    }
    free(set);
    return found;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Greedy: from every seed, add the node nearest to the set until it fits;
 * keeps the smallest, then best set. Returns its size (0: none fits). */
static int search_greedy(const vt_place_search *x, int *best)
{
    int bestk = 0;
    int *set = xmalloc((size_t)x->nn * sizeof *set);
    char *in = xmalloc((size_t)x->nn);
    for (int seed = 0; seed < x->nn; seed++) {
        memset(in, 0, (size_t)x->nn);
        int k = 0;
        set[k++] = seed;
        in[seed] = 1;
        while (!fits(x, set, k) && k < x->nn) {
            int pick = -1;
            long long pd = 0;
            for (int u = 0; u < x->nn; u++) {
                if (in[u])
                    continue;
                long long d = 0;
                for (int i = 0; i < k; i++)
                    d += dist(x, set[i], u);
                if (pick < 0 || d < pd ||
                    (d == pd && x->nodes[u].cap > x->nodes[pick].cap)) {
                    pick = u;
                    pd = d;
                }
            }
            set[k++] = pick;
            in[pick] = 1;
        }
        if (!fits(x, set, k))
            continue;
        qsort(set, (size_t)k, sizeof *set, cmp_int);
        if (!bestk || k < bestk || (k == bestk && better(x, set, best, k))) {
            memcpy(best, set, (size_t)k * sizeof *set);
            bestk = k;
        }
    }
    free(set);
    free(in);
    return bestk;
}

int place_search(const vt_place_search *x, int *best)
{
    /* fits() only gains from more nodes: when all of them together do not
     * hold the domain (a page size with no pools), no subset does */
    int *all = xmalloc((size_t)(x->nn ? x->nn : 1) * sizeof *all);
    for (int i = 0; i < x->nn; i++)
        all[i] = i;
    int any = x->nn > 0 && fits(x, all, x->nn);
    free(all);
    if (!any)
        return 0;
    for (int k = 1; k <= x->nn; k++) {
        if (combinations(x->nn, k) > 4096)
            return search_greedy(x, best);
        if (search_exact(x, k, best))
            return k;
    }
    return 0;
}

/* ------------------------------------------------------------ split */

int place_split(long long total, int n, const long long *weight,
                const long long *limit, long long *out)
{
    long long wsum = 0, lsum = 0;
    for (int i = 0; i < n; i++) {
        wsum += weight[i];
        lsum += limit[i];
        out[i] = 0;
    }
    if (lsum < total)
        return -1;
    long long given = 0;
    double *frac = xcalloc((size_t)n, sizeof *frac);
    for (int i = 0; i < n; i++) {
        double share = wsum ? (double)total * (double)weight[i] / (double)wsum
                            : (double)total / n;
        out[i] = (long long)share;
        if (out[i] > limit[i])
            out[i] = limit[i];
        frac[i] = share - (double)out[i];
        given += out[i];
    }
    while (given < total) {
        int pick = -1;
        for (int i = 0; i < n; i++)
            if (out[i] < limit[i] && (pick < 0 || frac[i] > frac[pick]))
                pick = i;
        out[pick]++;
        frac[pick] -= 1.0;
        given++;
    }
    free(frac);
    return 0;
}
