/*
 * engine.c - runs the rules in registry order over one domain, after
 * deciding whether the domain is one the tool tunes at all.
 */
#include "rulectx.h"

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

/* Returns 1 when D may be tuned; else records why not in REP. */
static int gate(rule_ctx *c)
{
    const domain_info *di = c->dom;
    if (strcmp(di->type, "kvm") != 0) {
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
        r_finding(c, SEV_INFO, NULL, NULL,
                  "domain architecture '%s' differs from the host's '%s': "
                  "KVM cannot run it there, the domain passes through "
                  "unchanged", di->arch, harch);
        return 0;
    }
    if (!harch)
        r_finding(c, SEV_INFO, NULL, NULL,
                  "host architecture unknown (%s source): assuming it is "
                  "the domain's (%s)", c->host->kind,
                  di->arch ? di->arch : "not given either");
    return 1;
}

void engine_run(domdoc *d, const domain_info *info, const host *h,
                const policy *p, domain_report *rep)
{
    rule_ctx c = {
        .doc = d, .dom = info, .host = h, .pol = p, .rule_index = -1,
        .cur = NULL, .rep = rep,
    };
    int any = 0;
    for (int i = 0; i < vt_nrules; i++)
        any |= policy_rule_on(p, i);
    if (!any || !gate(&c))
        return;
    for (int i = 0; i < vt_nrules; i++) {
        if (!policy_rule_on(p, i))
            continue;
        c.rule_index = i;
        c.cur = vt_rules[i];
        vt_rules[i]->run(&c);
    }
    rep->changed = domdoc_changed(d);
}
