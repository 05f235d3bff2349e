/*
 * cpu_mode.c - cpu.mode: the guest CPU model.
 *
 * host-passthrough gives the guest every host CPU feature (the fastest and
 * the only mode where the guest sees the host's real cache and TSC
 * properties); host-model is the migratable profile's choice. Latency and
 * throughput guests pin to one host, so they also get migratable='off'
 * and, when the host has an invariant TSC, <feature policy='require'
 * name='invtsc'/>, which lets the guest use the TSC as its clocksource.
 */
#include "rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param params[] = {
    {"features", PARAM_STRING, "",
     "CPU features to add: +NAME requires (only when the host is known to "
     "have it), -NAME disables; comma-separated, e.g. -arch-capabilities",
     "_.-+, ", 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* 1 when the host has an invariant TSC, 0 when not, -1 unknown. QEMU's
 * "invtsc" is CPUID 0x80000007 EDX[8]; Linux shows it as constant_tsc
 * plus nonstop_tsc, libvirt's capabilities as invtsc. */
static int host_invtsc(const vt_host *h)
{
    if (host_has_flag(h, "invtsc") == 1)
        return 1;
    int a = host_has_flag(h, "constant_tsc"), b = host_has_flag(h, "nonstop_tsc");
    if (a == 1 && b == 1)
        return 1;
    return (a == 0 || b == 0) ? 0 : -1;
}

static void add_feature(vt_rule_ctx *c, xmlNodePtr cpu, const char *policy,
                        const char *name, const char *why)
{
    if (r_child_with(cpu, "feature", "name", name))
        return;
    const char *attrs[] = {"policy", policy, "name", name, NULL};
    r_insert(c, cpu, "feature", attrs, "%s", why);
}

/* Applies the "features" parameter: "+a,-b,c". */
static void policy_features(vt_rule_ctx *c, xmlNodePtr cpu)
{
    char *list = xstrdup(r_param_str(c, "features"));
    char *save = NULL;
    for (char *f = strtok_r(list, ", ", &save); f;
         f = strtok_r(NULL, ", ", &save)) {
        int disable = *f == '-';
        if (*f == '-' || *f == '+')
            f++;
        if (!*f)
            continue;
        if (disable) {
            add_feature(c, cpu, "disable", f,
                        "the policy disables this CPU feature "
                        "(cpu.mode.features)");
            continue;
        }
        int has = host_has_flag(r_host(c), f);
        if (has == 1)
            add_feature(c, cpu, "require", f,
                        "the policy requires this CPU feature "
                        "(cpu.mode.features) and the host has it");
        else
            r_finding(c, SEV_WARNING, cpu, NULL,
                      "the policy asks to require CPU feature '%s' but the "
                      "host %s it: not required, so the domain still "
                      "starts", f, has == 0 ? "lacks" : "is not known to have");
    }
    free(list);
}

/* Latency and throughput: pin the guest to this host's CPU. */
static void pinned_host_cpu(vt_rule_ctx *c, xmlNodePtr cpu)
{
    if (!r_attr(cpu, "migratable") || r_override(c))
        r_set(c, cpu, "migratable", "off",
              "the %s profile keeps the guest on this host, so it may see "
              "non-migratable features such as the invariant TSC",
              r_profile_name(c));
    else if (strcmp(r_attr(cpu, "migratable"), "off") != 0)
        r_finding(c, SEV_INFO, cpu, NULL,
                  "migratable='%s' set explicitly; kept, so invtsc is not "
                  "required (set cpu.mode.override=true to change it)",
                  r_attr(cpu, "migratable"));
    const char *mig = r_attr(cpu, "migratable");
    if (!mig || strcmp(mig, "off") != 0 || !r_x86(c))
        return;     /* invtsc is an x86 CPUID feature */
    int tsc = host_invtsc(r_host(c));
    if (tsc == 1)
        add_feature(c, cpu, "require", "invtsc",
                    "the host has an invariant TSC (constant_tsc + "
                    "nonstop_tsc): telling the guest lets it trust the TSC, "
                    "the cheapest clock to read, for timekeeping");
    else if (tsc == 0)
        r_finding(c, SEV_INFO, cpu, NULL,
                  "the host CPU has no invariant TSC: invtsc not required");
    else
        r_finding(c, SEV_INFO, cpu, NULL,
                  "the host's CPU flags are unknown (%s source): invtsc is "
                  "not required; a JSON snapshot taken on the host "
                  "(vtune-xml snapshot) records them", r_host(c)->kind);
}

static void run_cpu_mode(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    int migratable = r_profile(c) == PROFILE_MIGRATABLE;
    const char *want = migratable ? "host-model" : "host-passthrough";
    const char *why = migratable
        ? "the migratable profile needs a CPU model that libvirt can "
          "reproduce on other hosts; host-model is the host's CPU as a "
          "named model plus features"
        : "host-passthrough exposes the host CPU as it is: every feature, "
          "the real cache and TSC properties; the fastest mode for a guest "
          "that stays on one kind of host";

    xmlNodePtr cpu = r_child(root, "cpu");
    if (!cpu) {
        const char *attrs[] = {"mode", want, NULL};
        cpu = r_insert(c, root, "cpu", attrs, "no <cpu> was given, so "
                       "libvirt would use a generic model; %s", why);
    } else {
        const char *mode = r_attr(cpu, "mode");
        xmlNodePtr model = r_child(cpu, "model");
        int unset = (!mode || strcmp(mode, "custom") == 0) && !model;
        if (mode && strcmp(mode, want) == 0) {
            /* already right */
        } else if (unset || r_override(c)) {
            if (!unset) {
                if (model)
                    r_remove(c, model, "a named model does not apply to "
                             "mode %s", want);
                xmlNodePtr vendor = r_child(cpu, "vendor");
                if (vendor)
                    r_remove(c, vendor, "a vendor does not apply to mode "
                             "%s", want);
            }
            r_set(c, cpu, "mode", want, "%s%s", unset ? "" :
                  "the policy allows overriding the domain's CPU mode; ",
                  why);
            if (r_attr(cpu, "match"))
                r_set(c, cpu, "match", NULL, "match applies to custom "
                      "models only");
            if (r_attr(cpu, "check") && !migratable)
                r_set(c, cpu, "check", "none", "libvirt has nothing to "
                      "check a host-passthrough CPU against");
        } else {
            xmlChar *name = model ? xmlNodeGetContent(model) : NULL;
            r_finding(c, SEV_INFO, cpu, NULL,
                      "CPU mode '%s'%s%s%s set explicitly; kept (set "
                      "cpu.mode.override=true to use %s)", mode ? mode :
                      "custom", name ? " with model '" : "",
                      name ? (const char *)name : "", name ? "'" : "", want);
            xmlFree(name);
            return;
        }
    }
    if (!migratable && r_profile(c) != PROFILE_BALANCED)
        pinned_host_cpu(c, cpu);
    policy_features(c, cpu);
}

const vt_rule rule_cpu_mode = {
    .id = "cpu.mode",
    .summary = "host-passthrough CPU (host-model for migratable); "
               "migratable='off' and invtsc for latency and throughput",
    .profiles = PROFILE_ALL,
    .params = params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-model-and-topology",
    .description =
        "Sets <cpu mode='host-passthrough'> for the balanced, latency and "
        "throughput profiles and host-model for migratable. A custom model "
        "or another mode set in the domain is kept unless "
        "cpu.mode.override is true. For latency and throughput, adds "
        "migratable='off' and requires invtsc when the host is known to "
        "have an invariant TSC (unknown flags are never required).",
    .needs = "CPU flags (invtsc, or constant_tsc + nonstop_tsc; the policy's +features). Unknown flags (hwloc XML, synthetic; capabilities list only features beyond the model) are never required: a finding says so.",
    .run = run_cpu_mode,
};
