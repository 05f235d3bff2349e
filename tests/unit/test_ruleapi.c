/*
 * test_ruleapi.c - the rule API as a rule uses it (compiler/pipeline/
 * ruleapi.c): r_insert puts new elements where libvirt's formatter does
 * (first, between, last, among unknown and repeated siblings, in an empty
 * parent), each edit is recorded with its XPath, old and new value, and
 * r_attr stays valid after the value it points into is replaced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "load.h"
#include "domdoc.h"
#include "rulectx.h"

/* A context for one domain, as the engine makes it. */
typedef struct fixture {
    vt_domdoc *doc;
    vt_domain info;
    vt_host *host;
    vt_policy *pol;
    vt_domain_report *rep;
    vt_run run;
    vt_rule_ctx c;
} fixture;

static fixture *setup_doc(const char *xml)
{
    fixture *f = calloc(1, sizeof *f);
    assert_int_equal(domdoc_parse("t.xml", xml, strlen(xml), &f->doc), 0);
    assert_int_equal(domain_inspect(f->doc, &f->info), 0);
    assert_int_equal(host_load("synthetic:pack:1 core:2 pu:1", &f->host), 0);
    f->pol = policy_new();
    f->rep = report_domain_new("t.xml");
    engine_run_init(&f->run, f->host, f->pol);
    f->c = (vt_rule_ctx){
        .doc = f->doc, .dom = &f->info, .host = f->host, .pol = f->pol,
        .rule_index = RULE_cpu_mode, .cur = vt_rules[RULE_cpu_mode],
        .rep = f->rep, .run = &f->run,
    };
    return f;
}

static void teardown_doc(fixture *f)
{
    engine_run_free(&f->run);
    report_domain_free(f->rep);
    policy_free(f->pol);
    host_free(f->host);
    domain_free(&f->info);
    domdoc_free(f->doc);
    ruleapi_release(&f->c);
    free(f);
}

static void assert_emits(fixture *f, const char *want)
{
    size_t len;
    char *out = domdoc_emit(f->doc, &len);
    if (strlen(want) != len || memcmp(out, want, len) != 0)
        fprintf(stderr, "got:\n%.*s\nwant:\n%s\n", (int)len, out, want);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
    free(out);
}

/* r_insert of NAME under the root of XML gives WANT. */
static void insert_gives(const char *xml, const char *name, const char *want)
{
    fixture *f = setup_doc(xml);
    r_insert(&f->c, r_root(&f->c), name, NULL, "test");
    assert_emits(f, want);
    teardown_doc(f);
}

static void test_insert_between(void **state)
{
    (void)state;
    /* cputune goes after vcpu and before os, as libvirt formats it */
    insert_gives("<domain type='kvm'>\n  <name>a</name>\n  <vcpu>2</vcpu>\n"
                 "  <os><type>hvm</type></os>\n</domain>\n", "cputune",
                 "<domain type='kvm'>\n  <name>a</name>\n  <vcpu>2</vcpu>\n"
                 "  <cputune/>\n  <os><type>hvm</type></os>\n</domain>\n");
}

static void test_insert_first(void **state)
{
    (void)state;
    /* memoryBacking comes before every sibling present: it goes first */
    insert_gives("<domain type='kvm'>\n  <vcpu>2</vcpu>\n  <cpu/>\n"
                 "</domain>\n", "memoryBacking",
                 "<domain type='kvm'>\n  <memoryBacking/>\n  <vcpu>2</vcpu>\n"
                 "  <cpu/>\n</domain>\n");
}

static void test_insert_last(void **state)
{
    (void)state;
    /* devices after everything known; an unknown element in between is
     * not a landmark */
    insert_gives("<domain type='kvm'>\n  <name>a</name>\n  <clock/>\n"
                 "  <custom/>\n</domain>\n", "devices",
                 "<domain type='kvm'>\n  <name>a</name>\n  <clock/>\n"
                 "  <devices/>\n  <custom/>\n</domain>\n");
}

static void test_insert_after_repeated(void **state)
{
    (void)state;
    /* a new vcpupin goes after the last vcpupin, before emulatorpin */
    fixture *f = setup_doc("<domain type='kvm'>\n  <vcpu>2</vcpu>\n"
                           "  <cputune>\n    <vcpupin vcpu='0' cpuset='0'/>\n"
                           "    <emulatorpin cpuset='1'/>\n  </cputune>\n"
                           "</domain>\n");
    xmlNodePtr tune = r_child(r_root(&f->c), "cputune");
    const char *attrs[] = {"vcpu", "1", "cpuset", "1", NULL};
    r_insert(&f->c, tune, "vcpupin", attrs, "test");
    assert_emits(f, "<domain type='kvm'>\n  <vcpu>2</vcpu>\n  <cputune>\n"
                 "    <vcpupin vcpu='0' cpuset='0'/>\n"
                 "    <vcpupin vcpu='1' cpuset='1'/>\n"
                 "    <emulatorpin cpuset='1'/>\n  </cputune>\n"
                 "</domain>\n");
    assert_int_equal(f->rep->nedits, 1);
    assert_string_equal(f->rep->edits[0].xpath, "/domain/cputune/vcpupin[2]");
    assert_null(f->rep->edits[0].old_value);
    assert_string_equal(f->rep->edits[0].new_value,
                        "<vcpupin vcpu='1' cpuset='1'/>");
    teardown_doc(f);
}

static void test_insert_unordered_parent(void **state)
{
    (void)state;
    /* a parent without a known order (<disk>) appends */
    fixture *f = setup_doc("<domain type='kvm'>\n  <devices>\n"
                           "    <disk type='file'>\n      <target dev='vda'/>\n"
                           "    </disk>\n  </devices>\n</domain>\n");
    xmlNodePtr disk = r_child(r_child(r_root(&f->c), "devices"), "disk");
    r_insert(&f->c, disk, "driver", NULL, "test");
    assert_emits(f, "<domain type='kvm'>\n  <devices>\n"
                 "    <disk type='file'>\n      <target dev='vda'/>\n"
                 "      <driver/>\n    </disk>\n  </devices>\n</domain>\n");
    teardown_doc(f);
}

static void test_insert_empty_parent(void **state)
{
    (void)state;
    /* into <cpu/>: the element opens, the child is indented */
    fixture *f = setup_doc("<domain type='kvm'>\n  <cpu mode='host-model'/>\n"
                           "</domain>\n");
    xmlNodePtr cpu = r_child(r_root(&f->c), "cpu");
    const char *a[] = {"sockets", "1", NULL};
    r_insert(&f->c, cpu, "topology", a, "test");
    r_insert(&f->c, cpu, "model", NULL, "test");   /* model before topology */
    assert_emits(f, "<domain type='kvm'>\n  <cpu mode='host-model'>\n"
                 "    <model/>\n    <topology sockets='1'/>\n  </cpu>\n"
                 "</domain>\n");
    teardown_doc(f);
}

static void test_ensure(void **state)
{
    (void)state;
    fixture *f = setup_doc("<domain type='kvm'>\n  <vcpu>2</vcpu>\n"
                           "</domain>\n");
    xmlNodePtr a = r_ensure(&f->c, r_root(&f->c), "memoryBacking", "why");
    xmlNodePtr b = r_ensure(&f->c, r_root(&f->c), "memoryBacking", "again");
    assert_ptr_equal(a, b);
    assert_int_equal(f->rep->nedits, 1);
    assert_string_equal(f->rep->edits[0].reason, "why");
    teardown_doc(f);
}

static void test_attr_outlives_edits(void **state)
{
    (void)state;
    /* each pointer below would point into freed memory without the
     * document keeping what edits replace (ASan build: a crash) */
    fixture *f = setup_doc("<domain type='kvm'>\n  <cpu mode='custom'>\n"
                           "    <model fallback='forbid'>Skylake</model>\n"
                           "  </cpu>\n</domain>\n");
    xmlNodePtr cpu = r_child(r_root(&f->c), "cpu");
    const char *mode = r_attr(cpu, "mode");
    r_set(&f->c, cpu, "mode", "host-passthrough", "test");
    assert_string_equal(mode, "custom");        /* a replaced value */
    const char *now = r_attr(cpu, "mode");
    assert_string_equal(now, "host-passthrough");
    r_set(&f->c, cpu, "mode", NULL, "removed");
    assert_string_equal(now, "host-passthrough");   /* a removed attribute */
    assert_null(r_attr(cpu, "mode"));
    xmlNodePtr model = r_child(cpu, "model");
    const char *fallback = r_attr(model, "fallback");
    r_remove(&f->c, model, "test");
    assert_string_equal(fallback, "forbid");    /* a removed element's */
    assert_int_equal(f->rep->nedits, 3);
    assert_string_equal(f->rep->edits[0].old_value, "custom");
    assert_string_equal(f->rep->edits[1].old_value, "host-passthrough");
    assert_null(f->rep->edits[1].new_value);
    teardown_doc(f);
}

/* The placement family's enums follow their parameters' choices. */
static void test_choices_match_enums(void **state)
{
    (void)state;
    struct { int rule; const char *param, *choices; } want[] = {
        {RULE_cpu_pin, "threads", "prefer|isolate|require"},
        {RULE_cpu_emulator, "policy", "share|isolate"},
        {RULE_hostdev_insert, "affinity", "required|preferred|legacy"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const vt_rule_param *p = vt_rules[want[i].rule]->params;
        while (p->name && strcmp(p->name, want[i].param))
            p++;
        assert_non_null(p->name);
        assert_string_equal(p->choices, want[i].choices);
    }
    /* vt_affinity_names and enum vt_affinity follow the choices */
    assert_string_equal(vt_affinity_names[AFFINITY_REQUIRED], "required");
    assert_string_equal(vt_affinity_names[AFFINITY_PREFERRED], "preferred");
    assert_string_equal(vt_affinity_names[AFFINITY_LEGACY], "legacy");
    assert_null(vt_affinity_names[AFFINITY_LEGACY + 1]);
}

/* Asking for a parameter as another type, or one not declared, is a bug
 * the process stops at. */
static void test_param_type_aborts(void **state)
{
    (void)state;
    fixture *f = setup_doc("<domain type='kvm'><vcpu>2</vcpu></domain>");
    const char *asks[] = {"int", "bool", "undeclared"};
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            freopen("/dev/null", "w", stderr);
            if (!strcmp(asks[i], "int"))
                r_int_of(&f->c, RULE_cpu_pin, "threads");   /* an enum */
            else if (!strcmp(asks[i], "bool"))
                r_bool_of(&f->c, RULE_numa_place, "reserved_memory_mib");
            else
                r_param_bool(&f->c, "no-such-parameter");
            _exit(0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    }
    teardown_doc(f);
}

static void test_params_typed(void **state)
{
    (void)state;
    fixture *f = setup_doc("<domain type='kvm'><vcpu>2</vcpu></domain>");
    char err[256];
    assert_int_equal(policy_set(f->pol, "cpu.pin.threads=require", err,
                                sizeof err), 0);
    assert_int_equal(policy_set(f->pol, "numa.place.reserved_memory_mib=64",
                                err, sizeof err), 0);
    assert_int_equal(r_choice_of(&f->c, RULE_cpu_pin, "threads"), 2);
    assert_string_equal(r_str_of(&f->c, RULE_cpu_pin, "threads"), "require");
    assert_int_equal(r_int_of(&f->c, RULE_numa_place, "reserved_memory_mib"),
                     64);
    assert_int_equal(r_bool_of(&f->c, RULE_mem_hugepages, "use_1g"), 1);
    /* an enum left at its default: its choice's index */
    assert_int_equal(r_choice_of(&f->c, RULE_numa_place,
                                 "memory_only_nodes"), 0);
    assert_int_equal(r_override(&f->c), 0);
    teardown_doc(f);
}

/* Two families, each its own state, zeroed on first use. */
static int destroyed;
static void count_destroy(void *data)
{
    (void)data;
    destroyed++;
}
static const vt_family fam_a = {sizeof(int), count_destroy};
static const vt_family fam_b = {sizeof(long), NULL};

static void test_family_state(void **state)
{
    (void)state;
    fixture *f = setup_doc("<domain type='kvm'><vcpu>2</vcpu></domain>");
    int *a = r_state(&f->c, &fam_a);
    long *b = r_state(&f->c, &fam_b);
    assert_int_equal(*a, 0);
    assert_int_equal(*b, 0);
    *a = 7;
    *b = 9;
    assert_ptr_equal(r_state(&f->c, &fam_a), a);
    assert_int_equal(*(long *)r_state(&f->c, &fam_b), 9);
    destroyed = 0;
    ruleapi_release(&f->c);         /* the domain is done */
    assert_int_equal(destroyed, 1);
    assert_int_equal(f->c.nstates, 0);
    teardown_doc(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_between),
        cmocka_unit_test(test_insert_first),
        cmocka_unit_test(test_insert_last),
        cmocka_unit_test(test_insert_after_repeated),
        cmocka_unit_test(test_insert_unordered_parent),
        cmocka_unit_test(test_insert_empty_parent),
        cmocka_unit_test(test_ensure),
        cmocka_unit_test(test_attr_outlives_edits),
        cmocka_unit_test(test_params_typed),
        cmocka_unit_test(test_choices_match_enums),
        cmocka_unit_test(test_param_type_aborts),
        cmocka_unit_test(test_family_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
