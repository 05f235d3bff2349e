/*
 * engine.c - runs the rules in registry order over one domain, after
 * deciding whether the domain is one the tool tunes at all.
 */
#include "rulectx.h"

#include <stdlib.h>
#include <string.h>

/* Architectures that are one family for KVM purposes. */
static int same_arch(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 1;
    /* a 32-bit x86 guest runs under KVM on an x86_64 host */
    return strcmp(b, "x86_64") == 0 &&
           (strcmp(a, "i686") == 0 || strcmp(a, "i386") == 0);
}

/* Returns 1 when D may be tuned; else, when SAY, records why not. */
static int gate(vt_rule_ctx *c, int say)
{
    const vt_domain *di = c->dom;
    if (strcmp(di->type, "kvm") != 0) {
        if (say)
            r_finding(c, SEV_INFO, NULL, NULL,
                  "domain type '%s' is not KVM: vtune-xml tunes KVM "
                  "domains only, this one passes through unchanged%s",
                  di->type, strcmp(di->type, "qemu") == 0 ?
                  " (type 'qemu' is TCG emulation: host CPU pinning and "
                  "passthrough do not apply)" : "");
        return 0;
    }
    const char *harch = c->host->arch;
    if (di->arch && harch && !same_arch(di->arch, harch)) {
        if (say)
            r_finding(c, SEV_INFO, NULL, NULL,
                  "domain architecture '%s' differs from the host's '%s': "
                  "KVM cannot run it there, the domain passes through "
                  "unchanged", di->arch, harch);
        return 0;
    }
    if (!harch && say)
        r_finding(c, SEV_INFO, NULL, NULL,
                  "host architecture unknown (%s source): assuming it is "
                  "the domain's (%s)", c->host->kind,
                  di->arch ? di->arch : "not given either");
    return 1;
}

void run_state_init(vt_run *run, const vt_host *h, const vt_policy *p)
{
    run->housekeeping = pools_housekeeping(h, p->reserved_cpus);
    run->usage = usage_new(h);
    run->rule_limit = vt_nrules;
}

void run_state_free(vt_run *run)
{
    hwloc_bitmap_free(run->housekeeping);
    usage_free(run->usage);
}

/* 1 when parameter "override" of rule ID is true under P. */
static int overrides(const vt_policy *p, const char *id)
{
    for (int i = 0; i < vt_nrules; i++)
        if (strcmp(vt_rules[i]->id, id) == 0)
            return strcmp(policy_value(p, i, "override"), "true") == 0;
    return 0;
}

int engine_preaccount(vt_domdoc *d, const vt_domain *info, const vt_host *h,
                      const vt_policy *p, vt_run *run)
{
    vt_rule_ctx c = {.doc = d, .dom = info, .host = h, .pol = p, .run = run};
    if (!gate(&c, 0) || !usage_places_itself(domdoc_xml(d)) ||
        overrides(p, "numa.place") || overrides(p, "cpu.pin"))
        return 0;
    usage_add_domain(run->usage, h, domdoc_xml(d), run->housekeeping);
    return 1;
}

void engine_run(vt_domdoc *d, const vt_domain *info, const vt_host *h,
                const vt_policy *p, vt_run *run, int accounted,
                vt_domain_report *rep)
{
    vt_rule_ctx c = {
        .doc = d, .dom = info, .host = h, .pol = p, .rule_index = -1,
        .cur = NULL, .rep = rep, .run = run,
    };
    int any = 0;
    for (int i = 0; i < vt_nrules; i++)
        any |= policy_rule_on(p, i);
    int tuned = gate(&c, any);
    for (int i = 0; tuned && any && i < run->rule_limit; i++) {
        if (!policy_rule_on(p, i))
            continue;
        c.rule_index = i;
        c.cur = vt_rules[i];
        vt_rules[i]->run(&c);
    }
    for (int i = 0; i < c.nstates; i++) {
        if (c.states[i].destroy)
            c.states[i].destroy(c.states[i].data);
        free(c.states[i].data);
    }
    rep->changed = domdoc_changed(d);
    /* a domain that runs on this host takes what its XML says, tuned or
     * not; later domains of the run see it */
    if (tuned && !accounted)
        usage_add_domain(run->usage, h, domdoc_xml(d), run->housekeeping);
}
