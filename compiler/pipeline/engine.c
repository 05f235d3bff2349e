/*
 * engine.c - runs the rules in registry order over one domain, after
 * deciding whether the domain is one the tool tunes at all.
 */
#include "rulectx.h"
#include "domdoc.h"

#include <stdlib.h>
#include <string.h>

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
    if (di->arch && harch && !arch_kvm_runs(di->arch, harch)) {
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

void engine_run_init(vt_run *run, const vt_host *h, const vt_policy *p)
{
    pools_init(&run->pools, h, p->reserved);
    run->usage = usage_new(h);
    run->rule_limit = vt_nrules;
}

void engine_run_free(vt_run *run)
{
    pools_free(&run->pools);
    usage_free(run->usage);
}

enum vt_placement engine_placement(xmlNodePtr root, const vt_policy *p,
                                   const char **what)
{
    xmlNodePtr vcpu = domdoc_child(root, "vcpu");
    xmlNodePtr numatune = domdoc_child(root, "numatune");
    const char *vp = domdoc_attr(vcpu, "placement");
    const char *mp = domdoc_attr(domdoc_child(numatune, "memory"),
                                 "placement");
    if (what)
        *what = NULL;
    if ((vp && !strcmp(vp, "auto")) || (mp && !strcmp(mp, "auto")))
        return PLACEMENT_AUTO;
    const char *own =
        domdoc_child(domdoc_child(root, "cputune"), "vcpupin") ? "<vcpupin>"
        : numatune                                ? "<numatune>"
        : domdoc_attr(vcpu, "cpuset")             ? "<vcpu cpuset>"
                                                  : NULL;
    if (!own || policy_param(p, RULE_numa_place, "override", NULL,
                             NULL)->num ||
        policy_param(p, RULE_cpu_pin, "override", NULL, NULL)->num)
        return PLACEMENT_TOOL;
    if (what)
        *what = own;
    return PLACEMENT_KEPT;
}

int engine_preaccount(vt_domdoc *d, const vt_domain *info, const vt_host *h,
                      const vt_policy *p, vt_run *run)
{
    vt_rule_ctx c = {.doc = d, .dom = info, .host = h, .pol = p, .run = run};
    if (!gate(&c, 0) ||
        engine_placement(domdoc_root(d), p, NULL) == PLACEMENT_TOOL)
        return 0;
    return usage_add_domain(run->usage, h, domdoc_xml(d), &run->pools) + 1;
}

void engine_tune(vt_domdoc *d, const vt_domain *info, const vt_host *h,
                 const vt_policy *p, vt_run *run, int accounted,
                 vt_domain_report *rep)
{
    vt_rule_ctx c = {
        .doc = d, .dom = info, .host = h, .pol = p, .rule_index = -1,
        .cur = NULL, .rep = rep, .run = run, .accounted = accounted,
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
    ruleapi_release(&c);
    rep->changed = domdoc_changed(d);
    rep->tuned = tuned;
    /* a domain that runs on this host takes what its XML says, tuned or
     * not; later domains of the run see it */
    if (tuned && !accounted)
        usage_add_domain(run->usage, h, domdoc_xml(d), &run->pools);
}
