/*
 * policy.c - the profile, rule switches and rule parameters, from the
 * policy file and the command line, validated against the rules'
 * metadata (see policy.h).
 */
#include "policy.h"
#include "alloc.h"
#include "error.h"
#include "file.h"
#include "suggest.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const vt_rule_param policy_override_param = {
    "override", PARAM_BOOL, "false",
    "replace values the user set explicitly in the domain", NULL, 0, 0,
};

static const struct { const char *name; int bit; } profiles[] = {
    {"balanced", PROFILE_BALANCED},
    {"latency", PROFILE_LATENCY},
    {"throughput", PROFILE_THROUGHPUT},
    {"migratable", PROFILE_MIGRATABLE},
    {"realtime", PROFILE_REALTIME},
};

const char *policy_profile_name(int profile)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (profiles[i].bit == profile)
            return profiles[i].name;
    return "?";
}

int policy_set_profile(vt_policy *p, const char *name)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (strcmp(profiles[i].name, name) == 0) {
            p->profile = profiles[i].bit;
            return 0;
        }
    return -1;
}

static int nparams(const vt_rule *r)
{
    int n = 0;
    while (r->params && r->params[n].name)
        n++;
    return n;
}

/* Parameter NAME of rule I: its metadata and its slot index, or NULL. */
static const vt_rule_param *find_param(int i, const char *name, int *slot)
{
    const vt_rule *r = vt_rules[i];
    int n = nparams(r);
    for (int k = 0; k < n; k++)
        if (strcmp(r->params[k].name, name) == 0) {
            *slot = k;
            return &r->params[k];
        }
    if (strcmp(name, "override") == 0) {
        *slot = n;
        return &policy_override_param;
    }
    return NULL;
}

static char *check_value(const char *rid, const vt_rule_param *rp,
                         const char *value, long *num, char *err, size_t n);

/* "; did you mean 'cpu.pin'?" after ERR when a rule id is close to ID. */
static void suggest_rule(char *err, size_t n, const char *id)
{
    const char *ids[RULE_COUNT + 2];
    for (int i = 0; i < vt_nrules; i++)
        ids[i] = vt_rules[i]->id;
    ids[vt_nrules] = "all";         /* --enable/--disable all */
    ids[vt_nrules + 1] = "guest";   /* --set guest.os= */
    suggest_append(err, n, id, ids, (size_t)vt_nrules + 2);
}

/* The same for a parameter NAME of rule I. */
static void suggest_param(char *err, size_t n, int i, const char *name)
{
    const char *names[33];
    size_t k = 0;
    for (int j = 0; j < nparams(vt_rules[i]) && k < 32; j++)
        names[k++] = vt_rules[i]->params[j].name;
    names[k++] = "override";
    suggest_append(err, n, name, names, k);
}

vt_policy *policy_new(void)
{
    vt_policy *p = xcalloc(1, sizeof *p);
    p->profile = PROFILE_BALANCED;
    p->enabled = xcalloc((size_t)vt_nrules, sizeof(int));
    p->values = xcalloc((size_t)vt_nrules, sizeof *p->values);
    for (int i = 0; i < vt_nrules; i++) {
        int n = nparams(vt_rules[i]);
        p->enabled[i] = -1;
        p->values[i] = xcalloc((size_t)n + 1, sizeof **p->values);
        for (int k = 0; k <= n; k++) {
            const vt_rule_param *rp = k < n ? &vt_rules[i]->params[k]
                                            : &policy_override_param;
            char err[256];
            char *def = check_value(vt_rules[i]->id, rp, rp->def,
                                    &p->values[i][k].num, err, sizeof err);
            if (!def) {     /* a rule's metadata contradicts itself */
                fprintf(stderr, VT_PROG ": internal error: default of %s\n",
                        err);
                abort();
            }
            free(def);
        }
    }
    return p;
}

void policy_free(vt_policy *p)
{
    if (!p)
        return;
    for (int i = 0; i < vt_nrules; i++) {
        for (int k = 0; k <= nparams(vt_rules[i]); k++)
            free(p->values[i][k].text);
        free(p->values[i]);
    }
    free(p->values);
    free(p->enabled);
    hwloc_bitmap_free(p->reserved);
    for (int i = 0; i < p->nhostdevs; i++) {
        free(p->hostdevs[i].vf_of);
        free(p->hostdevs[i].address);
    }
    free(p->hostdevs);
    free(p);
}

int policy_rule_on(const vt_policy *p, int i)
{
    if (p->enabled[i] >= 0)
        return p->enabled[i];
    return (vt_rules[i]->profiles & (unsigned)p->profile) != 0;
}

const vt_param_value *policy_param(const vt_policy *p, int i,
                                   const char *name, const char **text,
                                   const vt_rule_param **meta)
{
    int slot;
    const vt_rule_param *rp = find_param(i, name, &slot);
    if (!rp)
        return NULL;
    const vt_param_value *v = &p->values[i][slot];
    if (text)
        *text = v->text ? v->text : rp->def;
    if (meta)
        *meta = rp;
    return v;
}

int policy_enable(vt_policy *p, const char *id, int on, char *err, size_t n)
{
    if (strcmp(id, "all") == 0) {
        for (int i = 0; i < vt_nrules; i++)
            p->enabled[i] = on;
        return 0;
    }
    int i = rule_index(id);
    if (i < 0) {
        snprintf(err, n, "unknown rule '%s' (vtune-xml --list-rules "
                 "lists them)", id);
        suggest_rule(err, n, id);
        return -1;
    }
    p->enabled[i] = on;
    return 0;
}

/* Checks VALUE against RP; returns the canonical text (caller frees) and
 * the parsed value in *NUM, or NULL with a message in ERR. */
static char *check_value(const char *rid, const vt_rule_param *rp,
                         const char *value, long *num, char *err, size_t n)
{
    *num = 0;
    switch (rp->type) {
    case PARAM_BOOL:
        if (!strcmp(value, "true") || !strcmp(value, "yes") ||
            !strcmp(value, "on") || !strcmp(value, "1")) {
            *num = 1;
            return xstrdup("true");
        }
        if (!strcmp(value, "false") || !strcmp(value, "no") ||
            !strcmp(value, "off") || !strcmp(value, "0"))
            return xstrdup("false");
        snprintf(err, n, "%s.%s: '%s' is not a boolean (true or false)",
                 rid, rp->name, value);
        return NULL;
    case PARAM_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < rp->min || v > rp->max) {
            snprintf(err, n, "%s.%s: '%s' is not a whole number from %ld "
                     "to %ld", rid, rp->name, value, rp->min, rp->max);
            return NULL;
        }
        *num = v;
        return xasprintf("%ld", v);
    }
    case PARAM_ENUM: {
        size_t vl = strlen(value);
        long index = 0;
        for (const char *c = rp->choices; c && *c; index++) {
            const char *bar = strchr(c, '|');
            size_t cl = bar ? (size_t)(bar - c) : strlen(c);
            if (cl == vl && strncmp(c, value, vl) == 0) {
                *num = index;
                return xstrdup(value);
            }
            c = bar ? bar + 1 : c + cl;
        }
        snprintf(err, n, "%s.%s: '%s' is not one of %s", rid, rp->name,
                 value, rp->choices);
        return NULL;
    }
    case PARAM_STRING:
        /* the value ends up in XML attributes and in messages: printable
         * ASCII only, and the rule's own character set when it has one */
        for (const char *s = value; *s; s++) {
            unsigned char ch = (unsigned char)*s;
            if (ch >= 0x20 && ch < 0x7f &&
                (!rp->choices || isalnum(ch) || strchr(rp->choices, ch)))
                continue;
            snprintf(err, n, "%s.%s: character %ld (0x%02x) is not allowed: "
                     "%s%s%s only", rid, rp->name, (long)(s - value) + 1,
                     ch, rp->choices ? "letters, digits and '" :
                     "printable ASCII", rp->choices ? rp->choices : "",
                     rp->choices ? "'" : "");
            return NULL;
        }
        return xstrdup(value);
    }
    return NULL;
}

static int set_param(vt_policy *p, int i, const char *name, const char *value,
                     char *err, size_t n)
{
    int slot;
    const vt_rule_param *rp = find_param(i, name, &slot);
    if (!rp) {
        snprintf(err, n, "rule %s has no parameter '%s' (vtune-xml "
                 "--list-rules %s lists them)", vt_rules[i]->id, name,
                 vt_rules[i]->id);
        suggest_param(err, n, i, name);
        return -1;
    }
    long num;
    char *v = check_value(vt_rules[i]->id, rp, value, &num, err, n);
    if (!v)
        return -1;
    free(p->values[i][slot].text);
    p->values[i][slot].text = v;
    p->values[i][slot].num = num;
    return 0;
}

/* guest.os: the OS of guests whose metadata does not name it. */
static int set_guest_os(vt_policy *p, const char *v)
{
    static const struct { const char *name; int os; } oses[] = {
        {"windows", OS_WINDOWS}, {"linux", OS_LINUX}, {"other", OS_OTHER},
    };
    for (size_t i = 0; i < sizeof oses / sizeof oses[0]; i++)
        if (!strcmp(v, oses[i].name)) {
            p->guest_os = oses[i].os;
            return 0;
        }
    return -1;
}

int policy_set(vt_policy *p, const char *assignment, char *err, size_t n)
{
    if (!strncmp(assignment, "guest.os=", 9)) {
        if (set_guest_os(p, assignment + 9) == 0)
            return 0;
        snprintf(err, n, "--set %s: expected guest.os=windows, linux or "
                 "other", assignment);
        return -1;
    }
    const char *eq = strchr(assignment, '=');
    const char *dot = NULL;
    for (const char *s = assignment; eq && s < eq; s++)
        if (*s == '.')
            dot = s;            /* rule ids contain dots: the last one */
    if (!eq || !dot) {
        snprintf(err, n, "--set '%s': expected RULE.PARAM=VALUE",
                 assignment);
        return -1;
    }
    char *id = xasprintf("%.*s", (int)(dot - assignment), assignment);
    char *name = xasprintf("%.*s", (int)(eq - dot - 1), dot + 1);
    int i = rule_index(id);
    int rc;
    if (i < 0 && !strcmp(id, "guest")) {
        snprintf(err, n, "--set %s: guest has one setting; did you mean "
                 "guest.os=windows, linux or other?", assignment);
        rc = -1;
    } else if (i < 0) {
        snprintf(err, n, "--set %s: unknown rule '%s'", assignment, id);
        suggest_rule(err, n, id);
        rc = -1;
    } else {
        rc = set_param(p, i, name, eq + 1, err, n);
    }
    free(id);
    free(name);
    return rc;
}

/* Line of the first occurrence of "KEY" (quoted) in TEXT, or 0. */
static long line_of_key(const char *text, const char *key)
{
    char *q = xasprintf("\"%s\"", key);
    const char *at = strstr(text, q);
    free(q);
    if (!at)
        return 0;
    long line = 1;
    for (const char *s = text; s < at; s++)
        line += *s == '\n';
    return line;
}

static long line_at(const char *text, const char *at)
{
    long line = 1;
    for (const char *s = text; s && at && s < at && *s; s++)
        line += *s == '\n';
    return line;
}

/* Text form of a JSON scalar for a parameter; NULL for other types. */
static char *scalar_text(const cJSON *v)
{
    if (cJSON_IsBool(v))
        return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        /* a whole number within long's range is written as one; anything
         * else (fractions, 1e300, NaN) in %g, which check_value refuses */
        double d = v->valuedouble;
        if (d > -9.2e18 && d < 9.2e18 && d == (double)(long)d)
            return xasprintf("%ld", (long)d);
        return xasprintf("%g", d);
    }
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    return NULL;
}

static int load_rules(vt_policy *p, const char *path, const char *text,
                      const cJSON *rules)
{
    char err[512];
    if (!cJSON_IsObject(rules))
        return vt_fail(VT_EXIT_HOST, path, line_of_key(text, "rules"),
                       "policy: \"rules\" must be an object of rule ids");
    for (const cJSON *r = rules->child; r; r = r->next) {
        int i = rule_index(r->string);
        long line = line_of_key(text, r->string);
        if (i < 0) {
            snprintf(err, sizeof err, "policy: unknown rule '%s' (vtune-xml "
                     "--list-rules lists them)", r->string);
            suggest_rule(err, sizeof err, r->string);
            return vt_fail(VT_EXIT_HOST, path, line, "%s", err);
        }
        if (cJSON_IsBool(r)) {
            p->enabled[i] = cJSON_IsTrue(r);
            continue;
        }
        if (!cJSON_IsObject(r))
            return vt_fail(VT_EXIT_HOST, path, line, "policy: rules.%s must "
                           "be true, false or an object of parameters",
                           r->string);
        for (const cJSON *kv = r->child; kv; kv = kv->next) {
            long kline = line_of_key(text, kv->string);
            if (strcmp(kv->string, "enabled") == 0) {
                if (!cJSON_IsBool(kv))
                    return vt_fail(VT_EXIT_HOST, path, kline, "policy: "
                                   "rules.%s.enabled must be true or false",
                                   r->string);
                p->enabled[i] = cJSON_IsTrue(kv);
                continue;
            }
            char *v = scalar_text(kv);
            if (!v)
                return vt_fail(VT_EXIT_HOST, path, kline, "policy: "
                               "rules.%s.%s must be a boolean, number or "
                               "string", r->string, kv->string);
            int rc = set_param(p, i, kv->string, v, err, sizeof err);
            free(v);
            if (rc < 0)
                return vt_fail(VT_EXIT_HOST, path, kline, "policy: %s", err);
        }
    }
    return 0;
}

/* The index of V in the NULL-terminated NAMES, or -1. */
static int name_index(const char *const *names, const char *v)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], v))
            return i;
    return -1;
}

/* "hostdev": [{"vf_of": "ens2f0", "count": 2}, {"address": "..."},
 * {"class": "nvme", "count": 1, "affinity": "required"}] */
static int load_hostdevs(vt_policy *p, const char *path, const char *text,
                         const cJSON *arr)
{
    long line = line_of_key(text, "hostdev");
    if (!cJSON_IsArray(arr))
        return vt_fail(VT_EXIT_HOST, path, line, "policy: \"hostdev\" must be "
                       "an array of device requests");
    const cJSON *r;
    cJSON_ArrayForEach(r, arr) {
        vt_hostdev_request q = {.count = 1, .cls = DEVCLASS_NONE,
                                .affinity = AFFINITY_RULE};
        int kinds = 0;
        const char *bad = NULL;
        char dup[96];
        if (!cJSON_IsObject(r))
            bad = "each request must be an object";
        for (const cJSON *kv = r->child; kv && !bad; kv = kv->next) {
            const char *k = kv->string;
            /* a key given twice would overwrite the first (found by
             * tests/fuzz: the first value leaked) */
            for (const cJSON *o = r->child; o != kv && !bad; o = o->next)
                if (!strcmp(o->string, k)) {
                    snprintf(dup, sizeof dup, "\"%.40s\" is given twice", k);
                    bad = dup;
                }
            if (bad)
                break;
            if (!strcmp(k, "count")) {
                if (!cJSON_IsNumber(kv) || kv->valuedouble < 1 ||
                    kv->valuedouble > 64 ||
                    kv->valuedouble != (double)(int)kv->valuedouble)
                    bad = "count must be a whole number from 1 to 64";
                else
                    q.count = (int)kv->valuedouble;
                continue;
            }
            if (!cJSON_IsString(kv) || !*kv->valuestring) {
                bad = "vf_of, address, class and affinity are strings";
                continue;
            }
            const char *v = kv->valuestring;
            if (!strcmp(k, "vf_of")) {
                q.vf_of = xstrdup(v);
                kinds++;
            } else if (!strcmp(k, "address")) {
                unsigned a, b, c2, d;
                char tail;
                if (sscanf(v, "%4x:%2x:%2x.%1x%c", &a, &b, &c2, &d, &tail) != 4)
                    bad = "address must be a PCI address like 0000:81:00.0";
                q.address = xstrdup(v);
                kinds++;
            } else if (!strcmp(k, "class")) {
                q.cls = (enum vt_devclass)name_index(vt_devclass_names, v);
                if (q.cls == DEVCLASS_NONE)
                    bad = "class must be nvme, gpu or nic";
                kinds++;
            } else if (!strcmp(k, "affinity")) {
                q.affinity = (enum vt_affinity)name_index(vt_affinity_names,
                                                          v);
                if (q.affinity == AFFINITY_RULE)
                    bad = "affinity must be required, preferred or legacy";
            } else {
                bad = "unknown key (expected vf_of, address, class, count, "
                      "affinity)";
            }
        }
        if (!bad && kinds != 1)
            bad = "give exactly one of vf_of, address and class";
        p->hostdevs = xrealloc(p->hostdevs, (size_t)(p->nhostdevs + 1) *
                                                sizeof *p->hostdevs);
        p->hostdevs[p->nhostdevs++] = q;
        if (bad)
            return vt_fail(VT_EXIT_HOST, path, line, "policy: hostdev[%d]: %s",
                           p->nhostdevs - 1, bad);
    }
    return 0;
}

int policy_load(vt_policy *p, const char *path)
{
    size_t len;
    char *text = file_read(path, &len);
    if (!text)
        return vt_fail(VT_EXIT_HOST, path, 0, "cannot read policy: %s",
                       strerror(errno));
    if (strlen(text) != len) {
        free(text);
        return vt_fail(VT_EXIT_HOST, path, 0, "policy is not text (NUL byte)");
    }
    /* the length includes the NUL so that cJSON can check nothing follows */
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    int rc = 0;
    if (!j) {
        const char *at = cJSON_GetErrorPtr();
        rc = vt_fail(VT_EXIT_HOST, path, at ? line_at(text, at) : 0,
                     "policy is not valid JSON");
        free(text);
        return rc;
    }
    if (!cJSON_IsObject(j)) {
        rc = vt_fail(VT_EXIT_HOST, path, 1, "policy must be a JSON object");
        goto out;
    }
    for (const cJSON *kv = j->child; kv && !rc; kv = kv->next) {
        long line = line_of_key(text, kv->string);
        if (strcmp(kv->string, "profile") == 0) {
            if (!cJSON_IsString(kv) ||
                policy_set_profile(p, kv->valuestring) < 0)
                rc = vt_fail(VT_EXIT_HOST, path, line, "policy: profile "
                             "must be one of balanced, latency, throughput, "
                             "migratable, realtime");
        } else if (strcmp(kv->string, "rules") == 0) {
            rc = load_rules(p, path, text, kv);
        } else if (strcmp(kv->string, "reserved_cpus") == 0) {
            /* the schema's grammar: ids and ranges, no blanks, not empty;
             * parsed once, here */
            const char *v = cJSON_IsString(kv) ? kv->valuestring : "";
            hwloc_bitmap_t b = *v && !strpbrk(v, " \t\n\r\f\v")
                                   ? cpulist_parse(v, CPULIST_STRICT) : NULL;
            if (!b) {
                rc = vt_fail(VT_EXIT_HOST, path, line, "policy: "
                             "reserved_cpus must be a CPU list such as "
                             "\"0,1,16-17\"");
            } else {
                hwloc_bitmap_free(p->reserved);
                p->reserved = b;
            }
        } else if (strcmp(kv->string, "hostdev") == 0) {
            rc = load_hostdevs(p, path, text, kv);
        } else if (strcmp(kv->string, "guest") == 0) {
            const cJSON *os = cJSON_GetObjectItemCaseSensitive(kv, "os");
            if (!cJSON_IsObject(kv) || !cJSON_IsString(os) ||
                set_guest_os(p, os->valuestring) < 0 ||
                cJSON_GetArraySize(kv) != 1)
                rc = vt_fail(VT_EXIT_HOST, path, line, "policy: guest must "
                             "be {\"os\": \"windows\"}, \"linux\" or "
                             "\"other\"");
        } else if (strcmp(kv->string, "$schema") == 0 ||
                   strcmp(kv->string, "comment") == 0) {
            continue;
        } else {
            static const char *const keys[] = {"profile", "rules",
                "reserved_cpus", "hostdev", "guest"};
            char sug[96] = "";
            suggest_append(sug, sizeof sug, kv->string, keys, 5);
            rc = vt_fail(VT_EXIT_HOST, path, line, "policy: unknown key "
                         "'%s' (expected profile, rules, reserved_cpus, hostdev, "
                         "guest)%s", kv->string, sug);
        }
    }
out:
    cJSON_Delete(j);
    free(text);
    return rc;
}
