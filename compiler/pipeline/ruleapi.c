/*
 * ruleapi.c - implements rule.h over the domain document, the policy and
 * the report: every edit a rule makes goes through here and is recorded
 * with its XPath, old and new value and reason.
 */
#include "rulectx.h"
#include "domdoc.h"
#include "alloc.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const vt_domain *r_domain(const vt_rule_ctx *c) { return c->dom; }
const vt_host *r_host(const vt_rule_ctx *c) { return c->host; }
int r_profile(const vt_rule_ctx *c) { return c->pol->profile; }
const char *r_profile_name(const vt_rule_ctx *c) { return policy_profile_name(c->pol->profile); }
xmlNodePtr r_root(const vt_rule_ctx *c) { return domdoc_root(c->doc); }

const char *r_arch(const vt_rule_ctx *c)
{
    return c->dom->arch ? c->dom->arch : c->host->arch;
}

int r_x86(const vt_rule_ctx *c)
{
    const char *arch = r_arch(c);
    return !arch || arch_is_x86(arch);
}

/* Parameter NAME of rule RULE, which must be of type TYPE. */
static const vt_param_value *param(const vt_rule_ctx *c, int rule,
                                   const char *name, enum vt_param_type type,
                                   const char **text)
{
    const vt_rule_param *meta;
    const vt_param_value *v = policy_param(c->pol, rule, name, text, &meta);
    /* an enum's value reads as its text too */
    if (!v || (meta->type != type &&
               !(type == PARAM_STRING && meta->type == PARAM_ENUM))) {
        /* a rule asked for a parameter the metadata does not declare, or
         * as another type: a bug in the rule */
        fprintf(stderr, VT_PROG ": internal error: rule %s asks for %s "
                "parameter %s.%s, which is %s\n", c->cur ? c->cur->id : "?",
                type == PARAM_BOOL ? "bool" : type == PARAM_INT ? "int"
                : type == PARAM_ENUM ? "enum" : "string",
                vt_rules[rule]->id, name, v ? "of another type"
                : "not declared");
        abort();
    }
    return v;
}

int r_bool_of(const vt_rule_ctx *c, enum vt_rule_index rule,
              const char *name)
{
    return (int)param(c, (int)rule, name, PARAM_BOOL, NULL)->num;
}

long r_int_of(const vt_rule_ctx *c, enum vt_rule_index rule,
              const char *name)
{
    return param(c, (int)rule, name, PARAM_INT, NULL)->num;
}

const char *r_str_of(const vt_rule_ctx *c, enum vt_rule_index rule,
                     const char *name)
{
    const char *text;
    param(c, (int)rule, name, PARAM_STRING, &text);
    return text;
}

int r_choice_of(const vt_rule_ctx *c, enum vt_rule_index rule,
                const char *name)
{
    return (int)param(c, (int)rule, name, PARAM_ENUM, NULL)->num;
}

int r_param_given(const vt_rule_ctx *c, enum vt_rule_index rule,
                  const char *name)
{
    const char *text;
    const vt_rule_param *meta;
    const vt_param_value *v = policy_param(c->pol, (int)rule, name, &text,
                                           &meta);
    return v && v->text != NULL;
}

int r_param_bool(const vt_rule_ctx *c, const char *name)
{
    return r_bool_of(c, (enum vt_rule_index)c->rule_index, name);
}

long r_param_int(const vt_rule_ctx *c, const char *name)
{
    return r_int_of(c, (enum vt_rule_index)c->rule_index, name);
}

const char *r_param_str(const vt_rule_ctx *c, const char *name)
{
    return r_str_of(c, (enum vt_rule_index)c->rule_index, name);
}

int r_param_choice(const vt_rule_ctx *c, const char *name)
{
    return r_choice_of(c, (enum vt_rule_index)c->rule_index, name);
}

int r_override(const vt_rule_ctx *c)
{
    return r_param_bool(c, "override");
}

xmlNodePtr r_child(xmlNodePtr parent, const char *name)
{
    return domdoc_child(parent, name);
}

xmlNodePtr r_next(xmlNodePtr n, const char *name)
{
    return domdoc_next(n, name);
}

const char *r_attr(xmlNodePtr el, const char *name)
{
    return domdoc_attr(el, name);
}

int r_attr_is(xmlNodePtr el, const char *name, const char *value)
{
    return domdoc_attr_is(el, name, value);
}

int r_rt_sched(xmlNodePtr s)
{
    return domdoc_attr_is(s, "scheduler", "fifo") ||
           domdoc_attr_is(s, "scheduler", "rr");
}

int r_vcpus_alone(xmlNodePtr root, hwloc_bitmap_t cpus)
{
    hwloc_bitmap_t seen = hwloc_bitmap_alloc();
    int n = 0;
    xmlNodePtr tune = r_child(root, "cputune");
    for (xmlNodePtr p = r_child(tune, "vcpupin"); p; p = r_next(p, "vcpupin")) {
        const char *cs = r_attr(p, "cpuset");
        hwloc_bitmap_t set = cs ? cpulist_parse(cs, CPULIST_LIBVIRT) : NULL;
        if (!set)
            continue;
        n += hwloc_bitmap_weight(set) == 1 &&
             !hwloc_bitmap_intersects(seen, set);
        hwloc_bitmap_or(seen, seen, set);
        hwloc_bitmap_free(set);
    }
    if (cpus)
        hwloc_bitmap_or(cpus, cpus, seen);
    hwloc_bitmap_free(seen);
    return n;
}

xmlNodePtr r_child_with(xmlNodePtr parent, const char *name,
                        const char *attr, const char *value)
{
    return domdoc_child_with(parent, name, attr, value);
}

/* XPath of N as libxml2 writes it, owned by the caller. */
static char *path_of(xmlNodePtr n)
{
    return domdoc_node_path(n);
}

/* The input line of N, or of its closest ancestor from the input. */
static long line_of(xmlNodePtr n)
{
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
        if (n->_private && n->line)
            return xmlGetLineNo(n);
    return 0;
}

static char *vfmt(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

static char *vfmt(const char *fmt, va_list ap)
{
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    return s;
}

void r_set(vt_rule_ctx *c, xmlNodePtr el, const char *name, const char *value,
           const char *reason_fmt, ...)
{
    const char *old = r_attr(el, name);
    if ((!old && !value) || (old && value && strcmp(old, value) == 0))
        return;
    char *oldcopy = old ? xstrdup(old) : NULL;
    va_list ap;
    va_start(ap, reason_fmt);
    char *reason = vfmt(reason_fmt, ap);
    va_end(ap);
    char *elpath = path_of(el);
    char *xpath = xasprintf("%s/@%s", elpath, name);
    domdoc_set_attr(c->doc, el, name, value);
    report_edit(c->rep, c->cur, xpath, oldcopy, value, reason, line_of(el));
    free(elpath);
    free(xpath);
    free(oldcopy);
    free(reason);
}

/* Gives the new element EL its attributes and records its addition. */
static void record_add(vt_rule_ctx *c, xmlNodePtr parent, xmlNodePtr el,
                       const char *const *attrs, char *reason)
{
    for (int i = 0; attrs && attrs[i]; i += 2)
        if (attrs[i + 1])
            domdoc_set_attr(c->doc, el, attrs[i], attrs[i + 1]);
    char *xpath = path_of(el);
    char *text = domdoc_node_string(c->doc, el);
    report_edit(c->rep, c->cur, xpath, NULL, text, reason, line_of(parent));
    free(text);
    free(xpath);
    free(reason);
}

xmlNodePtr r_add(vt_rule_ctx *c, xmlNodePtr parent, const char *name,
                 xmlNodePtr after, const char *const *attrs,
                 const char *reason_fmt, ...)
{
    va_list ap;
    va_start(ap, reason_fmt);
    char *reason = vfmt(reason_fmt, ap);
    va_end(ap);
    xmlNodePtr el = domdoc_add_child(c->doc, parent, name, after);
    record_add(c, parent, el, attrs, reason);
    return el;
}

void r_text(vt_rule_ctx *c, xmlNodePtr el, const char *text,
            const char *reason_fmt, ...)
{
    xmlChar *oldv = xmlNodeGetContent(el);
    if (oldv && strcmp((const char *)oldv, text) == 0) {
        xmlFree(oldv);
        return;
    }
    va_list ap;
    va_start(ap, reason_fmt);
    char *reason = vfmt(reason_fmt, ap);
    va_end(ap);
    char *xpath = path_of(el);
    domdoc_set_text(c->doc, el, text);
    report_edit(c->rep, c->cur, xpath, (const char *)oldv, text, reason,
                line_of(el));
    xmlFree(oldv);
    free(xpath);
    free(reason);
}

void r_remove(vt_rule_ctx *c, xmlNodePtr el, const char *reason_fmt, ...)
{
    va_list ap;
    va_start(ap, reason_fmt);
    char *reason = vfmt(reason_fmt, ap);
    va_end(ap);
    char *xpath = path_of(el);
    char *text = domdoc_node_string(c->doc, el);
    long line = line_of(el);
    domdoc_remove(c->doc, el);
    report_edit(c->rep, c->cur, xpath, text, NULL, reason, line);
    free(text);
    free(xpath);
    free(reason);
}

void r_finding(vt_rule_ctx *c, enum vt_severity sev, xmlNodePtr at,
               const char *action, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vfmt(fmt, ap);
    va_end(ap);
    xmlNodePtr n = at ? at : r_root(c);
    char *xpath = path_of(n);
    report_finding(c->rep, c->cur, sev, xpath, msg, action, line_of(n));
    free(xpath);
    free(msg);
}

/* libvirt's element order under the parents rules add to (domain_conf.c's
 * formatter); a name missing from its list goes last. */
static const char *const domain_order[] = {
    "name", "uuid", "genid", "title", "description", "metadata",
    "maxMemory", "memory", "currentMemory", "blkiotune", "memtune",
    "memoryBacking", "vcpu", "vcpus", "iothreads", "iothreadids",
    "defaultiothread", "cputune", "numatune", "resource", "sysinfo",
    "bootloader", "bootloader_args", "os", "idmap", "features", "cpu",
    "clock", "on_poweroff", "on_reboot", "on_crash", "on_lockfailure", "pm",
    "perf", "devices", "seclabel", "keywrap", "launchSecurity", NULL,
};
static const char *const cpu_order[] = {
    "model", "vendor", "topology", "cache", "maxphysaddr", "feature", "numa",
    NULL,
};
static const char *const memorybacking_order[] = {
    "hugepages", "nosharepages", "locked", "source", "access", "allocation",
    "discard", NULL,
};
static const char *const cputune_order[] = {
    "shares", "period", "quota", "global_period", "global_quota",
    "emulator_period", "emulator_quota", "iothread_period",
    "iothread_quota", "vcpupin", "emulatorpin", "iothreadpin", "vcpusched",
    "iothreadsched", "emulatorsched", "cachetune", "memorytune", NULL,
};
static const char *const features_order[] = {
    "acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv", "kvm",
    "pvspinlock", "capabilities", "pmu", "vmport", "gic", "smm", "ioapic",
    "hpt", "vmcoreinfo", "htm", "nested-hv", "msrs", "ccf-assist", "xen",
    "cfpc", "sbbc", "ibs", "tcg", "async-teardown", "ras", "ps2", NULL,
};
static const char *const hyperv_order[] = {
    "relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer",
    "reset", "vendor_id", "frequencies", "reenlightenment", "tlbflush",
    "ipi", "evmcs", "avic", "emsr_bitmap", "xmm_input", NULL,
};
static const char *const kvm_order[] = {
    "hidden", "hint-dedicated", "poll-control", "pv-ipi", "dirty-ring", NULL,
};
static const struct { const char *parent; const char *const *order; } orders[] = {
    {"domain", domain_order}, {"cpu", cpu_order},
    {"memoryBacking", memorybacking_order}, {"cputune", cputune_order},
    {"features", features_order}, {"hyperv", hyperv_order},
    {"kvm", kvm_order},
};

static int order_index(const char *const *order, const xmlChar *name)
{
    for (int i = 0; order[i]; i++)
        if (xmlStrEqual(name, BAD_CAST order[i]))
            return i;
    return -1;
}

xmlNodePtr r_insert(vt_rule_ctx *c, xmlNodePtr parent, const char *name,
                    const char *const *attrs, const char *reason_fmt, ...)
{
    const char *const *order = NULL;
    for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++)
        if (xmlStrEqual(parent->name, BAD_CAST orders[i].parent))
            order = orders[i].order;
    int want = order ? order_index(order, BAD_CAST name) : -1;
    xmlNodePtr after = NULL;
    int first = 0;
    if (want >= 0) {
        first = 1;
        for (xmlNodePtr n = parent->children; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE || n->ns)
                continue;
            int k = order_index(order, n->name);
            if (k >= 0 && k <= want) {
                after = n;
                first = 0;
            }
        }
    }
    va_list ap;
    va_start(ap, reason_fmt);
    char *reason = vfmt(reason_fmt, ap);
    va_end(ap);
    xmlNodePtr el = first ? domdoc_add_first_child(c->doc, parent, name)
                          : domdoc_add_child(c->doc, parent, name, after);
    record_add(c, parent, el, attrs, reason);
    return el;
}

xmlNodePtr r_ensure(vt_rule_ctx *c, xmlNodePtr parent, const char *name,
                    const char *reason_fmt, ...)
{
    xmlNodePtr el = r_child(parent, name);
    if (el)
        return el;
    va_list ap;
    va_start(ap, reason_fmt);
    char *reason = vfmt(reason_fmt, ap);
    va_end(ap);
    el = r_insert(c, parent, name, NULL, "%s", reason);
    free(reason);
    return el;
}

/* --- the run and the rule families --- */

const vt_usage *r_usage(const vt_rule_ctx *c) { return c->run->usage; }

int r_usage_self(const vt_rule_ctx *c) { return c->accounted - 1; }

hwloc_const_bitmap_t r_housekeeping(const vt_rule_ctx *c)
{
    return c->run->pools.housekeeping;
}

long long r_own_memory(const vt_rule_ctx *c, int n)
{
    if (!c->accounted || n < 0 || n >= c->host->nnodes)
        return 0;
    /* the same reading the run's usage made of this domain */
    vt_usage *u = usage_new(c->host);
    usage_add_domain(u, c->host, domdoc_xml(c->doc), &c->run->pools);
    long long kib = u->mem_kib[n];
    usage_free(u);
    return kib;
}

long long r_own_pages(const vt_rule_ctx *c, int n, unsigned long long size_kib,
                      int *accounted)
{
    *accounted = c->accounted > 0;
    /* accounted: where the run put them (a claim bound to no node
     * depends on what the others took) */
    if (c->accounted > 0)
        return usage_domain_pages(c->run->usage, c->accounted - 1, c->host,
                                  n, size_kib);
    vt_usage *u = usage_new(c->host);
    usage_add_domain(u, c->host, domdoc_xml(c->doc), &c->run->pools);
    long long pages = usage_pages_taken(u, c->host, n, size_kib);
    usage_free(u);
    return pages;
}

const vt_pools *r_pools(const vt_rule_ctx *c)
{
    return &c->run->pools;
}

int r_rule_on(const vt_rule_ctx *c, enum vt_rule_index rule)
{
    return policy_rule_on(c->pol, (int)rule);
}

enum vt_placement r_placement(const vt_rule_ctx *c, const char **what)
{
    return engine_placement(domdoc_root(c->doc), c->pol, what);
}

void ruleapi_release(vt_rule_ctx *c)
{
    for (int i = 0; i < c->nstates; i++) {
        if (c->states[i].family->destroy)
            c->states[i].family->destroy(c->states[i].data);
        free(c->states[i].data);
    }
    free(c->states);
    c->states = NULL;
    c->nstates = 0;
}

void *r_state(vt_rule_ctx *c, const vt_family *family)
{
    for (int i = 0; i < c->nstates; i++)
        if (c->states[i].family == family)
            return c->states[i].data;
    c->states = xrealloc(c->states, (size_t)(c->nstates + 1) *
                                        sizeof *c->states);
    vt_family_state *s = &c->states[c->nstates++];
    s->family = family;
    s->data = xcalloc(1, family->size);
    return s->data;
}

void r_host_pages(vt_rule_ctx *c, int node, unsigned long long size_kib,
                  long long missing, long long used, long long total_now)
{
    report_pages(c->rep, node, size_kib, missing, used, total_now);
}

char *r_pages_command(int node, unsigned long long size_kib,
                      long long missing, long long total_now)
{
    return report_pages_command(node, size_kib, missing, total_now);
}

const vt_hostdev_request *r_hostdev_requests(const vt_rule_ctx *c, int *n)
{
    *n = c->pol->nhostdevs;
    return c->pol->hostdevs;
}
