/*
 * test_host.c - unit tests of the host model (compiler/host/) on hosts
 * the tests make themselves: an hwloc synthetic topology, a small hwloc
 * XML with an offline CPU, a page pool and an SR-IOV pair, a libvirt
 * capabilities document, a hand-written JSON snapshot and a fake sysfs
 * tree for host_live_extras; plus bad inputs, which must give exit code 4
 * and a message naming the problem.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "loaders.h"
#include "pools.h"

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* Writes TEXT to a new temporary file; returns its path (free, unlink). */
static char *write_temp(const char *text)
{
    char *path = xstrdup("/tmp/vt_test_host_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* host_load(SRC) with stderr captured into ERR (size ERRLEN). */
static int load_capture(const char *src, vt_host **h, char *err, size_t errlen)
{
    fflush(stderr);
    FILE *cap = tmpfile();
    assert_non_null(cap);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(cap), STDERR_FILENO);
    int rc = host_load(src, h);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(cap);
    size_t n = fread(err, 1, errlen - 1, cap);
    err[n] = '\0';
    fclose(cap);
    return rc;
}

/* Loads TEXT from a temporary file; stderr goes to ERR. */
static int load_text(const char *text, vt_host **h, char *err, size_t errlen)
{
    char *path = write_temp(text);
    int rc = load_capture(path, h, err, errlen);
    unlink(path);
    free(path);
    return rc;
}

/* Loads TEXT, which must succeed. */
static vt_host *must_load_text(const char *text)
{
    vt_host *h = NULL;
    char err[1024];
    int rc = load_text(text, &h, err, sizeof err);
    if (rc)
        print_error("unexpected failure: %s", err);
    assert_int_equal(rc, 0);
    assert_non_null(h);
    return h;
}

/* Loading TEXT must fail with 4 and a message containing WANT. */
static void expect_bad(const char *text, const char *want)
{
    vt_host *h = NULL;
    char err[1024];
    int rc = load_text(text, &h, err, sizeof err);
    if (rc != 4 || !strstr(err, want))
        print_error("rc %d, stderr \"%s\", wanted \"%s\"", rc, err, want);
    assert_int_equal(rc, 4);
    assert_null(h);
    assert_non_null(strstr(err, want));
}

/* to_json(load(to_json(h))) == to_json(h). */
static void check_round_trip(const vt_host *h)
{
    char *j1 = host_to_json(h);
    vt_host *h2 = must_load_text(j1);
    char *j2 = host_to_json(h2);
    assert_string_equal(j1, j2);
    assert_string_equal(h2->kind, "snapshot");
    assert_string_equal(h2->origin_kind, h->origin_kind);
    assert_string_equal(h2->origin, h->origin);
    free(j1);
    free(j2);
    host_free(h2);
}

static void expect_set(hwloc_const_bitmap_t set, const char *list)
{
    assert_non_null(set);
    char *s = cpulist_format(set);
    assert_string_equal(s, list);
    free(s);
}

static hwloc_const_bitmap_t core_of(const vt_host *h, int cpu)
{
    const vt_host_cpu *c = host_cpu_by_id(h, cpu);
    assert_non_null(c);
    assert_true(c->core >= 0 && c->core < h->ncores);
    return h->cores[c->core];
}

static const vt_host_pages *pool(const vt_host_node *n, uint64_t size_kib)
{
    for (int i = 0; i < n->npages; i++)
        if (n->pages[i].size_kib == size_kib)
            return &n->pages[i];
    return NULL;
}

static const vt_host_pci *pci_dev(const vt_host *h, const char *addr)
{
    for (int i = 0; i < h->npci; i++)
        if (!strcmp(h->pci[i].addr, addr))
            return &h->pci[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* fixtures                                                            */

/* One package, one node, CPUs 0-3 with 3 offline, cores {0,1} {2,3}, an
 * L3, a 2 MiB pool of 128 pages, a PF and a VF behind a PCI bridge. */
static const char tiny_hwloc[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<!DOCTYPE topology SYSTEM \"hwloc2.dtd\">\n"
"<topology version=\"2.0\">\n"
" <object type=\"Machine\" os_index=\"0\" cpuset=\"0x7\" complete_cpuset=\"0xf\""
"  allowed_cpuset=\"0x7\" nodeset=\"0x1\" complete_nodeset=\"0x1\""
"  allowed_nodeset=\"0x1\" gp_index=\"1\">\n"
"  <info name=\"Architecture\" value=\"x86_64\"/>\n"
"  <object type=\"Package\" os_index=\"0\" cpuset=\"0x7\" complete_cpuset=\"0xf\""
"   nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"2\">\n"
"   <object type=\"NUMANode\" os_index=\"0\" cpuset=\"0x7\" complete_cpuset=\"0xf\""
"    nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"3\""
"    local_memory=\"1073741824\">\n"
"    <page_type size=\"4096\" count=\"196608\"/>\n"
"    <page_type size=\"2097152\" count=\"128\"/>\n"
"   </object>\n"
"   <object type=\"L3Cache\" cpuset=\"0x7\" complete_cpuset=\"0xf\" nodeset=\"0x1\""
"    complete_nodeset=\"0x1\" gp_index=\"4\" cache_size=\"8388608\" depth=\"3\""
"    cache_linesize=\"64\" cache_associativity=\"16\" cache_type=\"0\">\n"
"    <object type=\"Core\" os_index=\"0\" cpuset=\"0x3\" complete_cpuset=\"0x3\""
"     nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"5\">\n"
"     <object type=\"PU\" os_index=\"0\" cpuset=\"0x1\" complete_cpuset=\"0x1\""
"      nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"6\"/>\n"
"     <object type=\"PU\" os_index=\"1\" cpuset=\"0x2\" complete_cpuset=\"0x2\""
"      nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"7\"/>\n"
"    </object>\n"
"    <object type=\"Core\" os_index=\"1\" cpuset=\"0x4\" complete_cpuset=\"0xc\""
"     nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"8\">\n"
"     <object type=\"PU\" os_index=\"2\" cpuset=\"0x4\" complete_cpuset=\"0x4\""
"      nodeset=\"0x1\" complete_nodeset=\"0x1\" gp_index=\"9\"/>\n"
"    </object>\n"
"   </object>\n"
"   <object type=\"Bridge\" gp_index=\"10\" bridge_type=\"0-1\" depth=\"0\""
"    bridge_pci=\"0000:[00-01]\">\n"
"    <object type=\"Bridge\" gp_index=\"11\" bridge_type=\"1-1\" depth=\"1\""
"     bridge_pci=\"0000:[01-01]\" pci_busid=\"0000:00:01.0\""
"     pci_type=\"0604 [8086:3c02] [0000:0000] 07\" pci_link_speed=\"0.0\">\n"
"     <object type=\"PCIDev\" gp_index=\"12\" pci_busid=\"0000:01:00.0\""
"      pci_type=\"0200 [8086:1572] [8086:0000] 01\" pci_link_speed=\"0.0\">\n"
"      <object type=\"OSDev\" gp_index=\"13\" name=\"ens1f0\" osdev_type=\"2\"/>\n"
"     </object>\n"
"     <object type=\"PCIDev\" gp_index=\"14\" pci_busid=\"0000:01:02.0\""
"      pci_type=\"0200 [8086:154c] [8086:0000] 01\" pci_link_speed=\"0.0\"/>\n"
"    </object>\n"
"   </object>\n"
"  </object>\n"
" </object>\n"
"</topology>\n";

/* Two cells of two cores of two threads; memory in two units. */
static const char caps_xml[] =
"<capabilities>\n"
"  <host>\n"
"    <cpu>\n"
"      <arch>x86_64</arch>\n"
"      <model>Skylake-Server</model>\n"
"      <feature name='vmx'/>\n"
"      <feature name='pdpe1gb'/>\n"
"      <feature name='vmx'/>\n"
"    </cpu>\n"
"    <topology>\n"
"      <cells num='2'>\n"
"        <cell id='0'>\n"
"          <memory unit='KiB'>8388608</memory>\n"
"          <pages unit='KiB' size='4'>2097152</pages>\n"
"          <pages unit='KiB' size='2048'>512</pages>\n"
"          <pages unit='GiB' size='1'>2</pages>\n"
"          <distances>\n"
"            <sibling id='0' value='10'/>\n"
"            <sibling id='1' value='21'/>\n"
"          </distances>\n"
"          <cpus num='4'>\n"
"            <cpu id='0' socket_id='0' core_id='0' siblings='0,2'/>\n"
"            <cpu id='1' socket_id='0' core_id='1' siblings='1,3'/>\n"
"            <cpu id='2' socket_id='0' core_id='0' siblings='0,2'/>\n"
"            <cpu id='3' socket_id='0' core_id='1' siblings='1,3'/>\n"
"          </cpus>\n"
"        </cell>\n"
"        <cell id='1'>\n"
"          <memory unit='GiB'>8</memory>\n"
"          <pages unit='KiB' size='2048'>0</pages>\n"
"          <distances>\n"
"            <sibling id='0' value='21'/>\n"
"            <sibling id='1' value='10'/>\n"
"          </distances>\n"
"          <cpus num='4'>\n"
"            <cpu id='4' socket_id='1' core_id='0' siblings='4,6'/>\n"
"            <cpu id='5' socket_id='1' core_id='1' siblings='5,7'/>\n"
"            <cpu id='6' socket_id='1' core_id='0' siblings='4,6'/>\n"
"            <cpu id='7' socket_id='1' core_id='1' siblings='5,7'/>\n"
"          </cpus>\n"
"        </cell>\n"
"      </cells>\n"
"    </topology>\n"
"    <cache>\n"
"      <bank id='0' level='3' type='both' size='16' unit='MiB' cpus='0-3'/>\n"
"      <bank id='1' level='3' type='both' size='16' unit='MiB' cpus='4-7'/>\n"
"    </cache>\n"
"  </host>\n"
"</capabilities>\n";

/* Hand-written: no source or kind, CPU 5 offline, a PF and a VF. */
static const char snapshot_json[] =
"{\n"
"  \"vtune_xml_snapshot\": 1,\n"
"  \"arch\": \"x86_64\",\n"
"  \"packages\": 1,\n"
"  \"cpu_flags\": [\"sse4_2\", \"avx2\", \"pdpe1gb\"],\n"
"  \"cpu_flags_complete\": true,\n"
"  \"isolated_cpus\": \"2-3\",\n"
"  \"nohz_full_cpus\": \"\",\n"
"  \"nodes\": [\n"
"    {\"id\": 1, \"cpus\": \"4-5\", \"memory_kib\": 4194304,\n"
"     \"pages\": [{\"size_kib\": 1048576, \"total\": 2, \"free\": 1},\n"
"                 {\"size_kib\": 2048, \"total\": 100, \"free\": 50}]},\n"
"    {\"id\": 0, \"cpus\": \"0-3\", \"memory_kib\": null}\n"
"  ],\n"
"  \"distances\": [[10, 20], [20, 10]],\n"
"  \"cpus\": [\n"
"    {\"id\": 0, \"node\": 0, \"core\": 0, \"l3\": 0, \"package\": 0},\n"
"    {\"id\": 1, \"core\": 0, \"l3\": 0, \"package\": 0},\n"
"    {\"id\": 2, \"core\": 2, \"l3\": 0, \"package\": 0},\n"
"    {\"id\": 3, \"core\": 2, \"l3\": 0, \"package\": 0},\n"
"    {\"id\": 5, \"online\": false, \"node\": 1, \"core\": 4},\n"
"    {\"id\": 4, \"online\": true, \"core\": 4, \"l3\": null}\n"
"  ],\n"
"  \"pci\": [\n"
"    {\"address\": \"0000:81:02.0\", \"class\": \"0x0200\", \"vendor\": \"0x8086\","
"     \"device\": \"0x154C\", \"node\": 1, \"name\": null, \"pf\": \"0000:81:00.0\"},\n"
"    {\"address\": \"0000:81:00.0\", \"class\": \"0x0200\", \"vendor\": \"0x8086\","
"     \"device\": \"0x1572\", \"node\": 1, \"name\": \"ens2f0\"}\n"
"  ]\n"
"}\n";

/* ------------------------------------------------------------------ */
/* tests                                                               */

static void test_synthetic(void **state)
{
    (void)state;
    vt_host *h = NULL;
    assert_int_equal(host_load("synthetic:pack:2 numa:1 core:4 pu:2", &h), 0);
    assert_string_equal(h->kind, "hwloc-synthetic");
    assert_string_equal(h->source, "synthetic:pack:2 numa:1 core:4 pu:2");
    assert_int_equal(h->nnodes, 2);
    assert_int_equal(h->nodes[0].id, 0);
    assert_int_equal(h->nodes[1].id, 1);
    expect_set(h->nodes[0].cpus, "0-7");
    expect_set(h->nodes[1].cpus, "8-15");
    assert_int_equal(h->ncpus, 16);
    for (int i = 0; i < h->ncpus; i++) {
        assert_int_equal(h->cpus[i].id, i);
        assert_int_equal(h->cpus[i].online, 1);
        assert_int_equal(h->cpus[i].node, i / 8);
        assert_int_equal(h->cpus[i].package, i / 8);
        assert_int_equal(h->cpus[i].l3, -1);
    }
    assert_int_equal(h->ncores, 8);
    assert_int_equal(h->nl3, 0);
    assert_int_equal(h->npackages, 2);
    expect_set(core_of(h, 0), "0-1");
    expect_set(core_of(h, 1), "0-1");
    expect_set(core_of(h, 15), "14-15");
    assert_ptr_equal(core_of(h, 9), h->cores[4]);    /* sorted by first CPU */
    assert_null(h->distances);
    assert_int_equal(host_distance(h, 0, 1), -1);
    assert_int_equal(host_has_flag(h, "avx"), -1);
    assert_null(h->arch);
    assert_null(h->isolated);
    check_round_trip(h);
    host_free(h);
}

static void test_hwloc_xml(void **state)
{
    (void)state;
    vt_host *h = must_load_text(tiny_hwloc);
    assert_string_equal(h->kind, "hwloc-xml");
    assert_string_equal(h->arch, "x86_64");
    assert_int_equal(h->ncpus, 4);
    assert_int_equal(host_cpu_by_id(h, 2)->online, 1);
    assert_int_equal(host_cpu_by_id(h, 3)->online, 0);
    assert_int_equal(host_cpu_by_id(h, 3)->node, 0);
    assert_int_equal(host_cpu_by_id(h, 3)->package, 0);
    assert_int_equal(h->nnodes, 1);
    expect_set(h->nodes[0].cpus, "0-3");
    assert_int_equal(h->nodes[0].mem_kib, 1048576);
    assert_int_equal(h->ncores, 2);
    expect_set(core_of(h, 0), "0-1");
    expect_set(core_of(h, 3), "2-3");               /* offline sibling */
    assert_int_equal(h->nl3, 1);
    expect_set(h->l3[0], "0-3");
    assert_int_equal(host_cpu_by_id(h, 3)->l3, 0);
    const vt_host_pages *p = pool(&h->nodes[0], 2048);
    assert_non_null(p);
    assert_int_equal(p->total, 128);
    assert_int_equal(p->free, -1);
    assert_int_equal(h->nodes[0].pages[0].size_kib, 4);
    assert_int_equal(h->npci, 2);
    const vt_host_pci *pf = pci_dev(h, "0000:01:00.0");
    const vt_host_pci *vf = pci_dev(h, "0000:01:02.0");
    assert_non_null(pf);
    assert_non_null(vf);
    assert_string_equal(pf->name, "ens1f0");
    assert_null(pf->pf);
    assert_int_equal(pf->class_id, 0x0200);
    assert_int_equal(pf->vendor_id, 0x8086);
    assert_int_equal(pf->device_id, 0x1572);
    assert_int_equal(pf->node, 0);
    assert_string_equal(vf->pf, "0000:01:00.0");
    assert_null(vf->name);
    check_round_trip(h);
    host_free(h);
}

static void test_caps(void **state)
{
    (void)state;
    vt_host *h = must_load_text(caps_xml);
    assert_string_equal(h->kind, "capabilities");
    assert_string_equal(h->arch, "x86_64");
    assert_int_equal(h->nnodes, 2);
    assert_int_equal(h->ncpus, 8);
    assert_int_equal(h->ncores, 4);
    expect_set(core_of(h, 0), "0,2");
    expect_set(core_of(h, 2), "0,2");
    expect_set(core_of(h, 7), "5,7");
    assert_int_equal(h->nl3, 2);
    expect_set(h->l3[host_cpu_by_id(h, 5)->l3], "4-7");
    assert_int_equal(h->npackages, 2);
    assert_int_equal(host_cpu_by_id(h, 6)->package, 1);
    assert_int_equal(host_cpu_by_id(h, 6)->node, 1);
    assert_int_equal(host_node_by_id(h, 0)->mem_kib, 8388608);
    assert_int_equal(host_node_by_id(h, 1)->mem_kib, 8388608);  /* 8 GiB */
    const vt_host_pages *p = pool(host_node_by_id(h, 0), 1048576);
    assert_non_null(p);
    assert_int_equal(p->total, 2);
    assert_int_equal(p->free, -1);
    assert_int_equal(pool(host_node_by_id(h, 0), 2048)->total, 512);
    assert_int_equal(host_node_by_id(h, 1)->npages, 1);
    assert_int_equal(host_distance(h, 0, 1), 21);
    assert_int_equal(host_distance(h, 1, 1), 10);
    assert_int_equal(host_distance(h, 0, 7), -1);
    /* listed features are present; the rest is unknown */
    assert_int_equal(h->flags_known, 0);
    assert_int_equal(h->nflags, 2);
    assert_int_equal(host_has_flag(h, "vmx"), 1);
    assert_int_equal(host_has_flag(h, "pdpe1gb"), 1);
    assert_int_equal(host_has_flag(h, "avx512f"), -1);
    assert_int_equal(h->npci, 0);
    check_round_trip(h);
    host_free(h);
}

static void test_snapshot(void **state)
{
    (void)state;
    vt_host *h = must_load_text(snapshot_json);
    assert_string_equal(h->kind, "snapshot");
    assert_string_equal(h->origin_kind, "manual");
    assert_string_equal(h->origin, h->source);
    assert_int_equal(h->nnodes, 2);
    assert_int_equal(h->nodes[0].id, 0);               /* sorted */
    assert_int_equal(h->nodes[0].mem_kib, -1);
    assert_int_equal(h->nodes[1].mem_kib, 4194304);
    assert_int_equal(host_distance(h, 0, 1), 20);
    assert_int_equal(host_distance(h, 1, 1), 10);
    const vt_host_node *n1 = host_node_by_id(h, 1);
    assert_int_equal(n1->npages, 2);
    assert_int_equal(n1->pages[0].size_kib, 2048);     /* sorted */
    assert_int_equal(n1->pages[0].free, 50);
    assert_int_equal(n1->pages[1].total, 2);
    assert_int_equal(h->ncpus, 6);
    assert_int_equal(host_cpu_by_id(h, 5)->online, 0);
    assert_int_equal(host_cpu_by_id(h, 5)->node, 1);
    assert_int_equal(host_cpu_by_id(h, 5)->package, -1);
    assert_int_equal(host_cpu_by_id(h, 4)->l3, -1);
    assert_null(host_cpu_by_id(h, 6));
    assert_int_equal(h->ncores, 3);
    expect_set(core_of(h, 5), "4-5");
    expect_set(core_of(h, 1), "0-1");
    assert_int_equal(h->nl3, 1);
    expect_set(h->isolated, "2-3");
    expect_set(h->nohz_full, "");
    assert_null(h->reserved);
    assert_int_equal(host_has_flag(h, "avx2"), 1);
    assert_int_equal(host_has_flag(h, "vmx"), 0);
    assert_string_equal(h->flags[0], "avx2");
    assert_int_equal(h->npci, 2);
    assert_string_equal(h->pci[0].addr, "0000:81:00.0");
    assert_string_equal(h->pci[1].pf, "0000:81:00.0");
    assert_int_equal(h->pci[1].device_id, 0x154c);
    check_round_trip(h);
    /* written snapshots keep their origin through a reload */
    char *j = host_to_json(h);
    assert_non_null(strstr(j, "\"kind\": \"manual\""));
    assert_non_null(strstr(j, "{\"id\": 5, \"online\": false, \"node\": 1, "
                           "\"package\": null, \"core\": 4, \"l3\": null}"));
    free(j);
    host_free(h);
}

/* --- host_live_extras on a fake sysfs --- */

static void put_file(const char *root, const char *rel, const char *text)
{
    char *path = xasprintf("%s%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void test_live_extras(void **state)
{
    (void)state;
    char root[] = "/tmp/vt_test_sysroot_XXXXXX";
    assert_non_null(mkdtemp(root));
    const char *hp = "/sys/devices/system/node/node0/hugepages/";
    char *nr = xasprintf("%shugepages-2048kB/nr_hugepages", hp);
    char *fr = xasprintf("%shugepages-2048kB/free_hugepages", hp);
    char *nr1g = xasprintf("%shugepages-1048576kB/nr_hugepages", hp);
    char *fr1g = xasprintf("%shugepages-1048576kB/free_hugepages", hp);
    put_file(root, nr, "64\n");
    put_file(root, fr, "10\n");
    put_file(root, nr1g, "0\n");   /* the node has 1 GiB: 64 x 2 MiB fit */
    put_file(root, fr1g, "0\n");
    free(nr), free(fr), free(nr1g), free(fr1g);
    put_file(root, "/sys/devices/system/cpu/isolated", "2-3\n");
    put_file(root, "/sys/devices/system/cpu/nohz_full", "\n");
    put_file(root, "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: X\n"
             "flags\t\t: fpu vmx sse4_2 vmx\nvmx flags\t: ept\n\n"
             "processor\t: 1\nflags\t\t: other\n");
    put_file(root, "/sys/bus/pci/devices/0000:01:00.0/vendor", "0x8086\n");
    put_file(root, "/sys/bus/pci/devices/0000:01:02.0/vendor", "0x8086\n");
    char *link = xasprintf("%s/sys/bus/pci/devices/0000:01:02.0/physfn", root);
    assert_int_equal(symlink("../0000:01:00.0", link), 0);
    free(link);

    vt_host *h = must_load_text(tiny_hwloc);
    setenv("VTUNE_XML_SYSROOT", root, 1);
    assert_int_equal(host_live_extras(h), 0);
    unsetenv("VTUNE_XML_SYSROOT");

    const vt_host_node *n = &h->nodes[0];
    assert_int_equal(n->npages, 3);
    assert_int_equal(n->pages[0].size_kib, 4);
    assert_int_equal(n->pages[0].free, -1);     /* not in sysfs */
    assert_int_equal(n->pages[1].size_kib, 2048);
    assert_int_equal(n->pages[1].total, 64);
    assert_int_equal(n->pages[1].free, 10);
    assert_int_equal(n->pages[2].size_kib, 1048576);
    assert_int_equal(n->pages[2].free, 0);
    expect_set(h->isolated, "2-3");
    expect_set(h->nohz_full, "");
    assert_null(h->reserved);
    assert_int_equal(h->flags_known, 1);
    assert_int_equal(h->nflags, 3);
    assert_int_equal(host_has_flag(h, "vmx"), 1);
    assert_int_equal(host_has_flag(h, "avx"), 0);
    assert_int_equal(host_has_flag(h, "other"), 0);
    assert_string_equal(pci_dev(h, "0000:01:02.0")->pf, "0000:01:00.0");
    assert_null(pci_dev(h, "0000:01:00.0")->pf);
    check_round_trip(h);
    host_free(h);

    /* sysfs knows 01:02.0 without physfn: hwloc's guess is dropped */
    link = xasprintf("%s/sys/bus/pci/devices/0000:01:02.0/physfn", root);
    unlink(link);
    free(link);
    h = must_load_text(tiny_hwloc);
    setenv("VTUNE_XML_SYSROOT", root, 1);
    host_live_extras(h);
    unsetenv("VTUNE_XML_SYSROOT");
    assert_null(pci_dev(h, "0000:01:02.0")->pf);
    host_free(h);

    /* nothing there: everything stays unknown */
    h = must_load_text(tiny_hwloc);
    setenv("VTUNE_XML_SYSROOT", "/nonexistent-vtune-root", 1);
    host_live_extras(h);
    unsetenv("VTUNE_XML_SYSROOT");
    assert_null(h->isolated);
    assert_null(h->nohz_full);
    assert_int_equal(h->flags_known, 0);
    assert_int_equal(host_has_flag(h, "vmx"), -1);
    assert_string_equal(pci_dev(h, "0000:01:02.0")->pf, "0000:01:00.0");
    host_free(h);
    assert_int_equal(nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_cpulist(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } ok[] = {
        {"", ""}, {"  \n", ""}, {"0", "0"}, {"0-3,8", "0-3,8"},
        {"8,0-3", "0-3,8"}, {" 1-2\n", "1-2"}, {"5-5", "5"},
        {"65535", "65535"},
    };
    static const char *const bad[] = {
        "abc", "1-", "3-1", "1,,2", "0x3", "1;2", "-1", "1,", ",1", "1 2",
        "65536", "0-99999999999", "^2",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        hwloc_bitmap_t s = cpulist_parse(ok[i].in, CPULIST_STRICT);
        expect_set(s, ok[i].out);
        hwloc_bitmap_free(s);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hwloc_bitmap_t s = cpulist_parse(bad[i], CPULIST_STRICT);
        if (s)
            print_error("accepted \"%s\"", bad[i]);
        assert_null(s);
    }
}

/* --- bad inputs --- */

/* TEXT with the first occurrence of FROM replaced by TO (caller frees). */
static char *text_with(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    return xasprintf("%.*s%s%s", (int)(at - text), text, to,
                     at + strlen(from));
}

/* Loading TEXT with FROM replaced by TO fails with a message with WANT. */
static void expect_bad_edit(const char *text, const char *from,
                            const char *to, const char *want)
{
    char *edited = text_with(text, from, to);
    expect_bad(edited, want);
    free(edited);
}

static void expect_bad_snapshot(const char *from, const char *to,
                                const char *want)
{
    expect_bad_edit(snapshot_json, from, to, want);
}

static void test_bad_json(void **state)
{
    (void)state;
    expect_bad_snapshot("\"cpus\": \"0-3\"", "\"cpus\": 3",
                        "snapshot: nodes[1].cpus: expected a CPU list string");
    expect_bad_snapshot("\"cpus\": \"0-3\"", "\"cpus\": \"0-x\"",
                        "nodes[1].cpus: \"0-x\" is not a CPU list");
    expect_bad_snapshot("\"online\": false", "\"online\": \"no\"",
                        "cpus[4].online: expected true or false");
    expect_bad_snapshot("\"total\": 100", "\"total\": 1.5",
                        "nodes[0].pages[1].total: expected an integer");
    expect_bad_snapshot("\"free\": 50", "\"free\": 500",
                        "nodes[0].pages[1]: free (500) exceeds total (100)");
    expect_bad_snapshot("\"device\": \"0x1572\"", "\"device\": 5490",
                        "pci[1].device: expected a non-empty string");
    expect_bad_snapshot("\"device\": \"0x1572\"", "\"device\": \"1572\"",
                        "pci[1].device: expected a hex string");
    expect_bad_snapshot("\"pf\": \"0000:81:00.0\"", "\"pf\": \"81:00.0\"",
                        "pci[0].pf: \"81:00.0\" is not a PCI address");
    expect_bad_snapshot("[[10, 20], [20, 10]]", "[[10, 20]]",
                        "distances: expected 2 rows");
    expect_bad_snapshot("[[10, 20], [20, 10]]", "[[10, 20], [20, \"x\"]]",
                        "distances[1][1]: expected an integer");
    expect_bad_snapshot("\"cpu_flags\": [\"sse4_2\"", "\"cpu_flags\": [7",
                        "cpu_flags[0]: expected a non-empty string");
    expect_bad_snapshot("\"arch\"", "\"arhc\"", "unknown key \"arhc\"");
    expect_bad_snapshot("\"packages\": 1,", "\"packages\": 1, \"packages\": 2,",
                        "duplicate key \"packages\"");
    expect_bad_snapshot("\"vtune_xml_snapshot\": 1", "\"vtune_xml_snapshot\": 2",
                        "version 2 is not supported");
    expect_bad_snapshot("\"vtune_xml_snapshot\": 1,", "",
                        "not a vtune-xml host snapshot");
    expect_bad_snapshot("[[10, 20], [20, 10]]", "{}",
                        "distances: expected an array");
    expect_bad_snapshot("\"nodes\": [", "\"nodes\": 5, \"x\": [",
                        "unknown key \"x\"");
    expect_bad_snapshot("{\"id\": 0, \"cpus\": \"0-3\", \"memory_kib\": null}",
                        "7", "nodes[1]: expected an object");
    expect_bad_snapshot("{\"id\": 0, \"cpus\": \"0-3\",", "{\"cpus\": \"0-3\",",
                        "nodes[1]: missing \"id\"");
}

static void test_bad_json_semantics(void **state)
{
    (void)state;
    /* CPU 4 in both nodes */
    expect_bad_snapshot("\"cpus\": \"0-3\"", "\"cpus\": \"0-4\"",
                        "inconsistent host: CPU 4 is in NUMA nodes 0 and 1");
    /* node 1 lists a CPU that cpus[] lacks */
    expect_bad_snapshot("\"cpus\": \"4-5\"", "\"cpus\": \"4-6\"",
                        "NUMA node 1 lists CPU 6, which is not in the CPU list");
    expect_bad_snapshot("{\"id\": 0, \"node\": 0,", "{\"id\": 0, \"node\": 1,",
                        "cpus[0].node: nodes[] puts CPU 0 in node 0");
    expect_bad_snapshot("{\"id\": 1, \"core\"", "{\"id\": 0, \"core\"",
                        "CPU 0 listed twice");
    expect_bad("{\"vtune_xml_snapshot\": 1, \"nodes\": [{\"id\": 0, "
               "\"cpus\": \"0\"}], \"cpus\": [{\"id\": 0, \"online\": false}]}",
               "no online CPU");
    expect_bad("{\"vtune_xml_snapshot\": 1, \"nodes\": [], \"cpus\": "
               "[{\"id\": 0}]}", "no NUMA node");
    expect_bad("{\"vtune_xml_snapshot\": 1, \"nodes\": [{\"id\": 0, "
               "\"cpus\": \"\"}], \"cpus\": []}", "no CPU");
    expect_bad("{\"vtune_xml_snapshot\": 1, \"nodes\": [{\"id\": 0, "
               "\"cpus\": \"0\"}], \"cpus\": [{\"id\": 0}], \"kind\": \"x\"}",
               "kind: unknown kind \"x\"");
}

static void test_bad_json_syntax(void **state)
{
    (void)state;
    expect_bad("{\n  \"vtune_xml_snapshot\": 1,\n  \"nodes\": [,\n}\n",
               ":3: snapshot: invalid JSON (syntax error at column 13)");
    expect_bad("{\"vtune_xml_snapshot\": 1} trailing", ":1: snapshot: invalid "
               "JSON");
    expect_bad("{\n", ":2: snapshot: invalid JSON");
    expect_bad("[1, 2]", "not a host description");
    expect_bad("{} ", "not a vtune-xml host snapshot");
}

static void test_bad_files(void **state)
{
    (void)state;
    vt_host *h = NULL;
    char err[1024];
    expect_bad("", "empty file: not a host description (expected hwloc XML, "
               "libvirt capabilities XML or a vtune-xml JSON snapshot)");
    expect_bad(" \n\t\n", "empty file");
    expect_bad("hello", "not a host description");
    expect_bad("<domain type='kvm'><name>x</name></domain>",
               ":1: root element <domain>: not a host description");
    expect_bad("<domainCapabilities><arch>x86_64</arch></domainCapabilities>",
               "libvirt domain capabilities");
    expect_bad("<capabilities>\n  <host>\n    <cpu><arch>x86_64</arch></cpu>\n"
               "  </host>\n</capabilities>\n",
               ":2: capabilities have no NUMA topology (host/topology/cells)");
    expect_bad("<capabilities>\n  <host>\n", ":3: not well-formed XML");
    expect_bad("<?xml version='1.0'?>\n<!DOCTYPE capabilities [\n"
               "<!ENTITY e 'x'>\n]>\n<capabilities>&e;</capabilities>\n",
               "declares entities");
    expect_bad_edit(caps_xml, "siblings='5,7'", "siblings='5-x'",
                    ":37: <cpu siblings='5-x'>: expected a CPU list");
    expect_bad_edit(caps_xml, "siblings='5,7'", "siblings='7'",
                    ":37: CPU 5: its siblings do not include itself");
    expect_bad_edit(caps_xml, "<cell id='1'>", "<cell id='z'>",
                    ":28: <cell id='z'>: expected an integer");
    expect_bad_edit(caps_xml, "<cell id='1'>", "<cell id='70000'>",
                    ":28: <cell id='70000'>: expected an integer from 0 to "
                    "65535");
    expect_bad_edit(caps_xml, "<cpu id='4' socket_id='1' core_id='0' "
                    "siblings='4,6'/>", "<cpu id='3' socket_id='1' "
                    "core_id='1' siblings='1,3'/>",
                    "inconsistent capabilities: CPU 3 listed twice");
    expect_bad_edit(caps_xml, "<memory unit='GiB'>", "<memory unit='GB2'>",
                    ":29: <memory unit='GB2'>: unknown unit");
    expect_bad_edit(tiny_hwloc, "version=\"2.0\"", "version=\"3.0\"",
                    ":3: hwloc XML version 3.0 is not supported by ");
    assert_int_equal(load_capture("/nonexistent/host.xml", &h, err,
                                  sizeof err), 4);
    assert_non_null(strstr(err, "/nonexistent/host.xml: cannot read"));
    assert_int_equal(load_capture("/tmp", &h, err, sizeof err), 4);
    assert_int_equal(load_capture("-", &h, err, sizeof err), 4);
    assert_int_equal(load_capture("synthetic:nonsense:2", &h, err,
                                  sizeof err), 4);
    assert_non_null(strstr(err, "invalid hwloc synthetic description"));
    assert_null(h);
}

static void test_lookups(void **state)
{
    (void)state;
    vt_host *h = must_load_text(caps_xml);
    assert_null(host_node_by_id(h, 2));
    assert_null(host_node_by_id(h, -1));
    assert_null(host_cpu_by_id(h, 8));
    assert_int_equal(host_cpu_by_id(h, 7)->id, 7);
    assert_int_equal(host_node_by_id(h, 1)->id, 1);
    host_free(h);
    host_free(NULL);
    h = host_new("x", "snapshot");
    assert_int_equal(h->npackages, -1);
    assert_int_equal(host_has_flag(h, "x"), -1);
    char err[128];
    assert_int_equal(host_finish(h, err, sizeof err), -1);
    assert_string_equal(err, "no CPU");
    host_free(h);
}

/* Sparse ids: lookups must not trust an index for an id (ids are
 * dense on most hosts and looked up at the index first). */
static const char sparse_json[] =
    "{\"vtune_xml_snapshot\": 1, \"source\": \"t\", \"kind\": \"hwloc-synthetic\","
    " \"arch\": \"x86_64\", \"packages\": 1, \"cpu_flags\": null,"
    " \"cpu_flags_complete\": false, \"isolated_cpus\": null,"
    " \"nohz_full_cpus\": null, \"reserved_cpus\": null,"
    " \"nodes\": [{\"id\": 1, \"cpus\": \"0,2\", \"memory_kib\": 1024, \"pages\": []},"
    "  {\"id\": 3, \"cpus\": \"3,8\", \"memory_kib\": 1024, \"pages\": []}],"
    " \"distances\": [[10, 21], [21, 10]],"
    " \"cpus\": [{\"id\": 0, \"online\": true, \"node\": 1, \"package\": 0, \"core\": 0, \"l3\": null},"
    "  {\"id\": 2, \"online\": true, \"node\": 1, \"package\": 0, \"core\": 2, \"l3\": null},"
    "  {\"id\": 3, \"online\": false, \"node\": 3, \"package\": 0, \"core\": 3, \"l3\": null},"
    "  {\"id\": 8, \"online\": true, \"node\": 3, \"package\": 0, \"core\": 8, \"l3\": null}],"
    " \"pci\": []}";

static void test_sparse_ids(void **state)
{
    (void)state;
    vt_host *h = must_load_text(sparse_json);
    assert_int_equal(h->ncpus, 4);
    assert_null(host_cpu_by_id(h, 1));
    assert_int_equal(host_cpu_by_id(h, 0)->id, 0);
    assert_int_equal(host_cpu_by_id(h, 2)->id, 2);   /* cpus[2] is CPU 3 */
    assert_int_equal(host_cpu_by_id(h, 3)->online, 0);
    assert_int_equal(host_cpu_by_id(h, 8)->node, 3);  /* past ncpus */
    assert_null(host_cpu_by_id(h, 4));
    assert_null(host_node_by_id(h, 0));
    assert_int_equal(host_node_by_id(h, 1)->id, 1);   /* nodes[1] is node 3 */
    assert_int_equal(host_node_by_id(h, 3)->id, 3);
    assert_null(host_node_by_id(h, 2));
    assert_int_equal(host_node_index(h, 3), 1);
    assert_int_equal(host_node_index(h, 0), -1);
    assert_int_equal(host_distance(h, 1, 3), 21);
    assert_int_equal(host_distance(h, 3, 3), 10);
    assert_int_equal(host_distance(h, 0, 1), -1);
    host_free(h);
}

/* The housekeeping pool of SRC (no policy reserve), as a CPU list. */
static char *housekeeping_of(const char *src)
{
    vt_host *h = NULL;
    assert_int_equal(host_load(src, &h), 0);
    vt_pools p;
    pools_init(&p, h, NULL);
    char *s = cpulist_format(p.housekeeping);
    pools_free(&p);
    host_free(h);
    return s;
}

static void test_pools(void **state)
{
    (void)state;
    /* nodes of 4 cores or more: the first core of each */
    char *s = housekeeping_of("synthetic:pack:2 numa:1 core:4 pu:2");
    assert_string_equal(s, "0-1,8-9");
    free(s);
    /* nodes of one core: one core for the package */
    s = housekeeping_of("synthetic:pack:1 numa:8 core:1 pu:2");
    assert_string_equal(s, "0-1");
    free(s);
    /* two packages of small nodes: one core each */
    s = housekeeping_of("synthetic:pack:2 numa:4 core:2 pu:1");
    assert_string_equal(s, "0,8");
    free(s);
    /* isolcpus: everything it leaves; floating never on the isolated */
    vt_host *h = must_load_text(
        "{\"vtune_xml_snapshot\": 1, \"isolated_cpus\": \"2-3\", "
        "\"nodes\": [{\"id\": 0, \"cpus\": \"0-3\"}], "
        "\"cpus\": [{\"id\": 0}, {\"id\": 1}, {\"id\": 2}, {\"id\": 3}]}");
    vt_pools p;
    pools_init(&p, h, NULL);
    char *hk = cpulist_format(p.housekeeping);
    assert_string_equal(hk, "0-1");
    hwloc_bitmap_t none = hwloc_bitmap_alloc(), ded = hwloc_bitmap_alloc();
    hwloc_bitmap_set(ded, 0);
    hwloc_bitmap_t fl = pools_floating(&p, ded);
    char *fs = cpulist_format(fl);
    assert_string_equal(fs, "1");           /* not 2-3, not dedicated 0 */
    hwloc_bitmap_t dd = pools_dedicable(&p, none, none);
    char *ds = cpulist_format(dd);
    assert_string_equal(ds, "2-3");
    free(hk);
    free(fs);
    free(ds);
    hwloc_bitmap_free(fl);
    hwloc_bitmap_free(dd);
    hwloc_bitmap_free(none);
    hwloc_bitmap_free(ded);
    pools_free(&p);
    host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_hwloc_xml),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_live_extras),
        cmocka_unit_test(test_cpulist),
        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_bad_json_semantics),
        cmocka_unit_test(test_bad_json_syntax),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_sparse_ids),
        cmocka_unit_test(test_pools),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
