/*
 * ruleapi.c - implements rule.h over the domain document, the policy and
 * the report: every edit a rule makes goes through here and is recorded
 * with its XPath, old and new value and reason.
 */
#include "rulectx.h"
#include "error.h"
#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const vt_domain *r_domain(const vt_rule_ctx *c) { return c->dom; }
const vt_host *r_host(const vt_rule_ctx *c) { return c->host; }
int r_profile(const vt_rule_ctx *c) { return c->pol->profile; }
const char *r_profile_name(const vt_rule_ctx *c) { return profile_name(c->pol->profile); }
xmlNodePtr r_root(const vt_rule_ctx *c) { return domdoc_root(c->doc); }

static const char *param(const vt_rule_ctx *c, const char *name)
{
    const char *v = policy_value(c->pol, c->rule_index, name);
    if (!v) {
        /* a rule asked for a parameter its metadata does not declare */
        fprintf(stderr, VT_PROG ": internal error: rule %s has no "
                "parameter '%s'\n", c->cur ? c->cur->id : "?", name);
        abort();
    }
    return v;
}

int r_param_bool(const vt_rule_ctx *c, const char *name)
{
    const char *v = param(c, name);
    return strcmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
           strcmp(v, "yes") == 0 || strcmp(v, "on") == 0;
}

long r_param_int(const vt_rule_ctx *c, const char *name)
{
    return strtol(param(c, name), NULL, 10);
}

const char *r_param_str(const vt_rule_ctx *c, const char *name)
{
    return param(c, name);
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

xmlNodePtr r_child_with(xmlNodePtr parent, const char *name,
                        const char *attr, const char *value)
{
    return domdoc_child_with(parent, name, attr, value);
}

/* XPath of N as libxml2 writes it, owned by the caller. */
static char *path_of(xmlNodePtr n)
{
    xmlChar *p = xmlGetNodePath(n);
    char *r = xstrdup(p ? (const char *)p : "/");
    xmlFree(p);
    return r;
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
    dd_set_attr(c->doc, el, name, value);
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
            dd_set_attr(c->doc, el, attrs[i], attrs[i + 1]);
    char *xpath = path_of(el);
    char *text = dd_node_string(c->doc, el);
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
    xmlNodePtr el = dd_add_child(c->doc, parent, name, after);
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
    dd_set_text(c->doc, el, text);
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
    char *text = dd_node_string(c->doc, el);
    long line = line_of(el);
    dd_remove(c->doc, el);
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
static const struct { const char *parent; const char *const *order; } orders[] = {
    {"domain", domain_order}, {"cpu", cpu_order},
    {"memoryBacking", memorybacking_order}, {"cputune", cputune_order},
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
        if (first && !r_child(parent, order[0]) && !parent->children)
            first = 0;
    }
    va_list ap;
    va_start(ap, reason_fmt);
    char *reason = vfmt(reason_fmt, ap);
    va_end(ap);
    xmlNodePtr el = first ? dd_add_first_child(c->doc, parent, name)
                          : dd_add_child(c->doc, parent, name, after);
    record_add(c, parent, el, attrs, reason);
    return el;
}

/* --- the run and the rule families --- */

const vt_usage *r_usage(const vt_rule_ctx *c) { return c->run->usage; }

hwloc_const_bitmap_t r_housekeeping(const vt_rule_ctx *c)
{
    return c->run->housekeeping;
}

int r_rule_on(const vt_rule_ctx *c, const char *id)
{
    for (int i = 0; i < vt_nrules; i++)
        if (strcmp(vt_rules[i]->id, id) == 0)
            return policy_rule_on(c->pol, i);
    return 0;
}

const char *r_param_of(const vt_rule_ctx *c, const char *id, const char *name)
{
    for (int i = 0; i < vt_nrules; i++)
        if (strcmp(vt_rules[i]->id, id) == 0) {
            const char *v = policy_value(c->pol, i, name);
            if (v)
                return v;
            break;
        }
    fprintf(stderr, VT_PROG ": internal error: no parameter %s.%s\n", id,
            name);
    abort();
}

void *r_family_state(vt_rule_ctx *c, const char *key, size_t size,
                     void (*destroy)(void *))
{
    for (int i = 0; i < c->nstates; i++)
        if (strcmp(c->states[i].key, key) == 0)
            return c->states[i].data;
    if (c->nstates == (int)(sizeof c->states / sizeof c->states[0])) {
        fputs(VT_PROG ": internal error: too many rule families\n", stderr);
        abort();
    }
    family_state *s = &c->states[c->nstates++];
    s->key = key;
    s->data = xcalloc(1, size);
    s->destroy = destroy;
    return s->data;
}

void r_host_pages(vt_rule_ctx *c, int node, unsigned long long size_kib,
                  long long missing, long long total_now)
{
    report_pages(c->rep, node, size_kib, missing, total_now);
}

char *r_pages_command(int node, unsigned long long size_kib,
                      long long missing, long long total_now)
{
    return pages_command(node, size_kib, missing, total_now);
}

const vt_hostdev_request *r_hostdev_requests(const vt_rule_ctx *c, int *n)
{
    *n = c->pol->nhostdevs;
    return c->pol->hostdevs;
}
