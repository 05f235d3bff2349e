/*
 * test_policy.c - profiles, rule switches and parameters from the policy
 * file and the command line, checked against the rules' metadata.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"

static int idx(const char *id)
{
    int i = rule_index(id);
    if (i < 0)
        fail_msg("no rule %s", id);
    return i;
}

/* The text of parameter NAME of rule I, or NULL when it has none. */
static const char *policy_value(const vt_policy *p, int i, const char *name)
{
    const char *text;
    return policy_param(p, i, name, &text, NULL) ? text : NULL;
}

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/vt-policy-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static int load(vt_policy *p, const char *text)
{
    char *path = write_tmp(text);
    int rc = policy_load(p, path);
    unlink(path);
    free(path);
    return rc;
}

static void test_defaults_and_profiles(void **state)
{
    (void)state;
    vt_policy *p = policy_new();
    assert_int_equal(p->profile, PROFILE_BALANCED);
    assert_int_equal(policy_rule_on(p, idx("cpu.mode")), 1);
    assert_string_equal(policy_value(p, idx("cpu.mode"), "override"), "false");
    assert_null(policy_value(p, idx("cpu.mode"), "nope"));
    assert_int_equal(policy_set_profile(p, "migratable"), 0);
    assert_int_equal(policy_rule_on(p, idx("cpu.cache")), 0);
    assert_int_equal(policy_set_profile(p, "fast"), -1);
    policy_free(p);
}

static void test_command_line(void **state)
{
    (void)state;
    char err[256];
    vt_policy *p = policy_new();
    assert_int_equal(policy_enable(p, "all", 0, err, sizeof err), 0);
    for (int i = 0; i < vt_nrules; i++)
        assert_int_equal(policy_rule_on(p, i), 0);
    assert_int_equal(policy_enable(p, "cpu.mode", 1, err, sizeof err), 0);
    assert_int_equal(policy_rule_on(p, idx("cpu.mode")), 1);
    assert_int_equal(policy_enable(p, "cpu.nope", 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown rule 'cpu.nope'"));
    assert_int_equal(policy_set(p, "cpu.mode.override=yes", err, sizeof err), 0);
    assert_string_equal(policy_value(p, idx("cpu.mode"), "override"), "true");
    assert_int_equal(policy_set(p, "cpu.mode.override=maybe", err, sizeof err), -1);
    assert_int_equal(policy_set(p, "cpu.mode.features=-arch-capabilities", err, sizeof err), 0);
    assert_string_equal(policy_value(p, idx("cpu.mode"), "features"), "-arch-capabilities");
    assert_int_equal(policy_set(p, "cpu.mode", err, sizeof err), -1);
    assert_int_equal(policy_set(p, "cpu.mode.nope=1", err, sizeof err), -1);
    policy_free(p);
}

static void test_policy_file(void **state)
{
    (void)state;
    vt_policy *p = policy_new();
    assert_int_equal(load(p, "{\"profile\": \"latency\", \"reserved_cpus\": \"0,16\",\n"
                          " \"rules\": {\"clock.timers\": false,\n"
                          "  \"cpu.mode\": {\"override\": true, \"features\": \"+pdpe1gb\"}}}"), 0);
    assert_int_equal(p->profile, PROFILE_LATENCY);
    char *r = cpulist_format(p->reserved);
    assert_string_equal(r, "0,16");
    free(r);
    assert_int_equal(policy_rule_on(p, idx("clock.timers")), 0);
    assert_string_equal(policy_value(p, idx("cpu.mode"), "override"), "true");
    assert_string_equal(policy_value(p, idx("cpu.mode"), "features"), "+pdpe1gb");
    policy_free(p);

    const char *bad[] = {
        "{", "[]", "{\"rules\": {\"cpu.nope\": true}}",
        "{\"rules\": {\"cpu.mode\": {\"override\": \"perhaps\"}}}",
        "{\"rules\": {\"cpu.mode\": {\"features\": [1]}}}",
        "{\"profile\": \"fast\"}", "{\"reserved_cpus\": \"a-b\"}",
        /* the schema's grammar: not empty, no blanks (they were accepted
         * here and then ignored, so the default CPUs were reserved) */
        "{\"reserved_cpus\": \"\"}", "{\"reserved_cpus\": \"0-3\\n\"}",
        "{\"reserved_cpus\": \"\\t0-3\"}", "{\"reserved_cpus\": \"0, 1\"}",
        "{\"unknown\": 1}", "{\"rules\": 3}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = policy_new();
        assert_int_equal(load(p, bad[i]), 4);
        policy_free(p);
    }
    p = policy_new();
    assert_int_equal(policy_load(p, "/nonexistent/policy.json"), 4);
    policy_free(p);
}

/* --list-rules and doc/rules.md are generated from this metadata: every
 * rule must carry all of it, ids unique, parameters with valid defaults. */
static void test_rule_metadata(void **state)
{
    (void)state;
    char err[256];
    for (int i = 0; i < vt_nrules; i++) {
        const vt_rule *r = vt_rules[i];
        assert_non_null(r->id);
        /* family.name, or a plain name for a rule that is its own
         * family (hyperv): lowercase letters, digits, '_' and one '.' */
        assert_true(strspn(r->id, "abcdefghijklmnopqrstuvwxyz0123456789_.")
                    == strlen(r->id));
        assert_true(r->id[0] >= 'a' && r->id[0] <= 'z');
        const char *dot = strchr(r->id, '.');
        assert_true(!dot || (dot[1] && !strchr(dot + 1, '.')));
        assert_true(r->summary && *r->summary);
        assert_true(r->reference && strncmp(r->reference, "https://", 8) == 0);
        assert_true(r->description && strlen(r->description) > 40);
        assert_true(r->needs && *r->needs);
        assert_non_null(r->run);
        assert_non_null(r->params);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(vt_rules[j]->id, r->id);
        vt_policy *p = policy_new();
        for (const vt_rule_param *pp = r->params; pp->name; pp++) {
            char *set = NULL;
            assert_true(asprintf(&set, "%s.%s=%s", r->id, pp->name, pp->def) > 0);
            assert_int_equal(policy_set(p, set, err, sizeof err), 0);
            free(set);
        }
        policy_free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_metadata),
        cmocka_unit_test(test_defaults_and_profiles),
        cmocka_unit_test(test_command_line),
        cmocka_unit_test(test_policy_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
