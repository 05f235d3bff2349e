/*
 * test_placement.c - the placement search and split on small hosts
 * (rules/placement/search.c), as pure functions: one node whenever one
 * holds the domain, else the fewest and closest nodes; devices' nodes
 * first and required ones always; ties packed or spread; many nodes;
 * the proportional split within its limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdlib.h>

#include "place_search.h"

#define GIB (1024LL * 1024)

/* Runs the search for VCPUS and MEM_GIB over N candidates; returns the
 * size of the set and its node ids in IDS. */
static int search(const vt_place_cand *nodes, int n, const int *dm,
                  int vcpus, long long mem_gib, int pack,
                  hwloc_const_bitmap_t must, hwloc_const_bitmap_t prefer,
                  int *ids)
{
    int best[64];
    vt_place_search s = {
        .nn = n, .nodes = nodes, .dm = dm, .vcpus = vcpus,
        .mem = (unsigned long long)(mem_gib * GIB), .must = must,
        .prefer = prefer, .pack = pack,
    };
    int k = place_search(&s, best);
    for (int i = 0; i < k; i++)
        ids[i] = nodes[best[i]].id;
    return k;
}

/* Four nodes in two pairs: 0-1 and 2-3 at distance 12, across 32. */
static const int dm4[16] = {
    10, 12, 32, 32,
    12, 10, 32, 32,
    32, 32, 10, 12,
    32, 32, 12, 10,
};

static void test_one_node_when_it_fits(void **state)
{
    (void)state;
    vt_place_cand n[4] = {{0, 4, 16 * GIB}, {1, 8, 16 * GIB},
                          {2, 6, 16 * GIB}, {3, 8, 64 * GIB}};
    int ids[4];
    /* pinned: the best fit (fewest usable CPUs left) */
    assert_int_equal(search(n, 4, dm4, 6, 8, 1, NULL, NULL, ids), 1);
    assert_int_equal(ids[0], 2);
    /* floating: the most free memory */
    assert_int_equal(search(n, 4, dm4, 6, 8, 0, NULL, NULL, ids), 1);
    assert_int_equal(ids[0], 3);
    /* memory rules out the small nodes */
    assert_int_equal(search(n, 4, dm4, 2, 32, 1, NULL, NULL, ids), 1);
    assert_int_equal(ids[0], 3);
}

static void test_fewest_closest(void **state)
{
    (void)state;
    vt_place_cand n[4] = {{0, 4, 16 * GIB}, {1, 4, 16 * GIB},
                          {2, 4, 16 * GIB}, {3, 4, 16 * GIB}};
    int ids[4];
    /* 8 vCPUs need two nodes: a close pair, the lowest ids on a tie */
    assert_int_equal(search(n, 4, dm4, 8, 8, 1, NULL, NULL, ids), 2);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 1);
    /* 12 vCPUs need three; 17 cannot be placed */
    assert_int_equal(search(n, 4, dm4, 12, 8, 1, NULL, NULL, ids), 3);
    assert_int_equal(search(n, 4, dm4, 17, 8, 1, NULL, NULL, ids), 0);
    /* memory alone can make a split: 40 GiB over 16 GiB nodes */
    assert_int_equal(search(n, 4, dm4, 2, 40, 1, NULL, NULL, ids), 3);
}

static void test_unknown_memory_is_no_limit(void **state)
{
    (void)state;
    vt_place_cand n[2] = {{0, 4, LLONG_MAX}, {1, 4, LLONG_MAX}};
    static const int unknown[4] = {0, 0, 0, 0};   /* distances unknown */
    int ids[2];
    assert_int_equal(search(n, 2, unknown, 4, 4096, 1, NULL, NULL, ids), 1);
    assert_int_equal(ids[0], 0);
}

static void test_devices(void **state)
{
    (void)state;
    vt_place_cand n[4] = {{0, 8, 16 * GIB}, {1, 8, 16 * GIB},
                          {2, 8, 16 * GIB}, {3, 8, 16 * GIB}};
    int ids[4];
    hwloc_bitmap_t at3 = hwloc_bitmap_alloc();
    hwloc_bitmap_set(at3, 3);
    /* preferred: the device's node wins the tie */
    assert_int_equal(search(n, 4, dm4, 4, 8, 1, NULL, at3, ids), 1);
    assert_int_equal(ids[0], 3);
    /* required: the set must include it, even when it is larger */
    hwloc_bitmap_t at02 = hwloc_bitmap_alloc();
    hwloc_bitmap_set(at02, 0);
    hwloc_bitmap_set(at02, 2);
    assert_int_equal(search(n, 4, dm4, 4, 8, 1, at02, NULL, ids), 2);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 2);
    hwloc_bitmap_free(at3);
    hwloc_bitmap_free(at02);
}

static void test_many_nodes(void **state)
{
    (void)state;
    /* 24 nodes of 2 vCPUs in 4 packages of 6: 12 nodes needed (C(24, 12)
     * sets: beyond 4096, the search grows a set from each seed); the
     * answer is two whole packages */
    vt_place_cand n[24];
    int dm[24 * 24], ids[24];
    for (int i = 0; i < 24; i++) {
        n[i] = (vt_place_cand){i, 2, 8 * GIB};
        for (int j = 0; j < 24; j++)
            dm[i * 24 + j] = i == j ? 10 : (i / 6 == j / 6 ? 12 : 32);
    }
    int k = search(n, 24, dm, 24, 8, 1, NULL, NULL, ids);
    assert_int_equal(k, 12);
    for (int i = 1; i < k; i++)
        assert_true(ids[i] > ids[i - 1]);       /* ascending */
    /* two whole packages of 6 (the closest), not nodes spread over four */
    int packages[4] = {0};
    for (int i = 0; i < k; i++)
        packages[ids[i] / 6]++;
    int whole = 0;
    for (int p = 0; p < 4; p++)
        whole += packages[p] == 6;
    assert_int_equal(whole, 2);
}

static void test_split(void **state)
{
    (void)state;
    long long out[3];
    /* proportional, largest remainder first, within the limits */
    long long w[3] = {1, 1, 2}, lim[3] = {10, 10, 10};
    assert_int_equal(place_split(8, 3, w, lim, out), 0);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 4);
    /* ties of the remainder go to the lower index */
    long long w2[3] = {1, 1, 1};
    assert_int_equal(place_split(4, 3, w2, lim, out), 0);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 1);
    /* a limit moves the rest elsewhere; limits too small fail */
    long long lim2[3] = {1, 10, 10};
    assert_int_equal(place_split(9, 3, w2, lim2, out), 0);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[0] + out[1] + out[2], 9);
    long long lim3[3] = {1, 1, 1};
    assert_int_equal(place_split(4, 3, w2, lim3, out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_node_when_it_fits),
        cmocka_unit_test(test_fewest_closest),
        cmocka_unit_test(test_unknown_memory_is_no_limit),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_many_nodes),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
