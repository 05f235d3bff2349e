/*
 * test_engine.c - the engine's gate (compiler/pipeline/engine.c): which
 * domains it tunes (KVM of the host's architecture family) and which pass
 * through unchanged with one finding saying why; and the one decision of
 * who places a domain (engine_placement), which accounts kept placements
 * before the other domains of a run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "domdoc.h"
#include "engine.h"
#include "load.h"

typedef struct tuned {
    vt_domain_report *rep;
    int changed;
} tuned;

/* Tunes XML on a 1-node, 2-core host of architecture ARCH (NULL:
 * unknown) under the balanced profile, or with every rule off. */
static tuned tune(const char *xml, const char *arch, int all_off)
{
    vt_domdoc *d;
    vt_domain info;
    vt_host *h;
    assert_int_equal(domdoc_parse("t.xml", xml, strlen(xml), &d), 0);
    assert_int_equal(domain_inspect(d, &info), 0);
    assert_int_equal(host_load("synthetic:pack:1 numa:1(memory=8GiB) "
                               "core:2 pu:2", &h), 0);
    h->arch = arch ? xstrdup(arch) : NULL;
    vt_policy *p = policy_new();
    char err[128];
    if (all_off)
        assert_int_equal(policy_enable(p, "all", 0, err, sizeof err), 0);
    vt_run run;
    engine_run_init(&run, h, p);
    tuned t = {report_domain_new("t.xml"), 0};
    engine_tune(d, &info, h, p, &run, 0, t.rep);
    t.changed = domdoc_changed(d);
    engine_run_free(&run);
    policy_free(p);
    host_free(h);
    domain_free(&info);
    domdoc_free(d);
    return t;
}

/* 1 when a finding of the engine (no rule) contains TEXT. */
static int engine_says(const vt_domain_report *r, const char *text)
{
    for (int i = 0; i < r->nfindings; i++)
        if (!r->findings[i].rule && strstr(r->findings[i].message, text))
            return 1;
    return 0;
}

#define GUEST(type, arch) \
    "<domain type='" type "'><name>g</name><memory unit='MiB'>512</memory>" \
    "<vcpu>2</vcpu><os><type arch='" arch "'>hvm</type></os></domain>"

static void test_not_kvm(void **state)
{
    (void)state;
    tuned t = tune(GUEST("xen", "x86_64"), "x86_64", 0);
    assert_int_equal(t.changed, 0);
    assert_int_equal(t.rep->nedits, 0);
    assert_int_equal(t.rep->nfindings, 1);
    assert_true(engine_says(t.rep, "domain type 'xen' is not KVM"));
    report_domain_free(t.rep);
    t = tune(GUEST("qemu", "x86_64"), "x86_64", 0);
    assert_int_equal(t.changed, 0);
    assert_true(engine_says(t.rep, "TCG emulation"));
    report_domain_free(t.rep);
}

static void test_foreign_arch(void **state)
{
    (void)state;
    tuned t = tune(GUEST("kvm", "aarch64"), "x86_64", 0);
    assert_int_equal(t.changed, 0);
    assert_int_equal(t.rep->nfindings, 1);
    assert_true(engine_says(t.rep, "'aarch64' differs from the host's "
                            "'x86_64'"));
    report_domain_free(t.rep);
}

static void test_x86_family(void **state)
{
    (void)state;
    const char *guests[] = {GUEST("kvm", "x86_64"), GUEST("kvm", "i686"),
                            GUEST("kvm", "i386")};
    for (size_t i = 0; i < sizeof guests / sizeof guests[0]; i++) {
        tuned t = tune(guests[i], "x86_64", 0);
        assert_int_equal(t.changed, 1);
        assert_true(t.rep->nedits > 0);
        assert_false(engine_says(t.rep, "differs"));
        report_domain_free(t.rep);
    }
    /* and no x86 guest on an aarch64 host */
    tuned t = tune(GUEST("kvm", "i686"), "aarch64", 0);
    assert_int_equal(t.changed, 0);
    report_domain_free(t.rep);
}

static void test_unknown_host_arch(void **state)
{
    (void)state;
    tuned t = tune(GUEST("kvm", "x86_64"), NULL, 0);
    assert_int_equal(t.changed, 1);
    assert_true(engine_says(t.rep, "host architecture unknown"));
    report_domain_free(t.rep);
}

static void test_all_rules_off(void **state)
{
    (void)state;
    /* nothing to say, not even why a domain passes through */
    tuned t = tune(GUEST("xen", "x86_64"), "x86_64", 1);
    assert_int_equal(t.changed, 0);
    assert_int_equal(t.rep->nedits + t.rep->nfindings, 0);
    report_domain_free(t.rep);
}

static enum vt_placement who(const char *xml, const char *set,
                             const char **what)
{
    vt_domdoc *d;
    assert_int_equal(domdoc_parse("t.xml", xml, strlen(xml), &d), 0);
    vt_policy *p = policy_new();
    char err[128];
    if (set)
        assert_int_equal(policy_set(p, set, err, sizeof err), 0);
    enum vt_placement w = engine_placement(domdoc_root(d), p, what);
    policy_free(p);
    domdoc_free(d);
    return w;
}

static void test_placement_decision(void **state)
{
    (void)state;
    const char *what;
    const char *pinned = "<domain type='kvm'><vcpu>1</vcpu><cputune>"
                         "<vcpupin vcpu='0' cpuset='1'/></cputune></domain>";
    assert_int_equal(who(pinned, NULL, &what), PLACEMENT_KEPT);
    assert_string_equal(what, "<vcpupin>");
    assert_int_equal(who(pinned, "cpu.pin.override=true", &what),
                     PLACEMENT_TOOL);
    assert_null(what);
    assert_int_equal(who(pinned, "numa.place.override=true", NULL),
                     PLACEMENT_TOOL);
    assert_int_equal(who("<domain type='kvm'><vcpu cpuset='0-1'>2</vcpu>"
                         "</domain>", NULL, &what), PLACEMENT_KEPT);
    assert_string_equal(what, "<vcpu cpuset>");
    assert_int_equal(who("<domain type='kvm'><vcpu>2</vcpu><numatune>"
                         "<memory nodeset='0'/></numatune></domain>", NULL,
                         &what), PLACEMENT_KEPT);
    assert_string_equal(what, "<numatune>");
    /* numad's, whatever the override */
    assert_int_equal(who("<domain type='kvm'><vcpu placement='auto'>2</vcpu>"
                         "</domain>", "cpu.pin.override=true", &what),
                     PLACEMENT_AUTO);
    assert_int_equal(who("<domain type='kvm'><vcpu>2</vcpu></domain>", NULL,
                         &what), PLACEMENT_TOOL);
}

static void test_preaccount(void **state)
{
    (void)state;
    /* a kept placement is the host's before any other domain is placed */
    const char *xml = "<domain type='kvm'><vcpu>1</vcpu><cputune>"
                      "<vcpupin vcpu='0' cpuset='3'/></cputune></domain>";
    vt_domdoc *d;
    vt_domain info;
    vt_host *h;
    assert_int_equal(domdoc_parse("t.xml", xml, strlen(xml), &d), 0);
    assert_int_equal(domain_inspect(d, &info), 0);
    assert_int_equal(host_load("synthetic:pack:1 core:4 pu:1", &h), 0);
    vt_policy *p = policy_new();
    vt_run run;
    engine_run_init(&run, h, p);
    assert_int_equal(engine_preaccount(d, &info, h, p, &run), 1);
    assert_true(hwloc_bitmap_isset(run.usage->cpus, 3));
    assert_int_equal(run.usage->ndomains, 1);
    engine_run_free(&run);
    /* with cpu.pin.override the tool places it: not accounted now */
    char err[128];
    assert_int_equal(policy_set(p, "cpu.pin.override=true", err, sizeof err),
                     0);
    engine_run_init(&run, h, p);
    assert_int_equal(engine_preaccount(d, &info, h, p, &run), 0);
    assert_true(hwloc_bitmap_iszero(run.usage->cpus));
    assert_int_equal(run.usage->ndomains, 0);
    engine_run_free(&run);
    policy_free(p);
    host_free(h);
    domain_free(&info);
    domdoc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_kvm),
        cmocka_unit_test(test_foreign_arch),
        cmocka_unit_test(test_x86_family),
        cmocka_unit_test(test_unknown_host_arch),
        cmocka_unit_test(test_all_rules_off),
        cmocka_unit_test(test_placement_decision),
        cmocka_unit_test(test_preaccount),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
