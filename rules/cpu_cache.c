/*
 * cpu_cache.c - cpu.cache: pass the host's cache topology through to the
 * guest with host-passthrough CPUs, so its scheduler and allocators size
 * work to the real L2/L3 (QEMU's host-cache-info=on; x86 only).
 */
#include "rule.h"

#include <string.h>

static void run_cpu_cache(vt_rule_ctx *c)
{
    xmlNodePtr cpu = r_child(r_root(c), "cpu");
    const char *mode = cpu ? r_attr(cpu, "mode") : NULL;
    if (!mode || strcmp(mode, "host-passthrough") != 0)
        return;
    if (!r_x86(c))
        return;     /* libvirt refuses <cache> outside x86 */
    if (r_child(cpu, "cache"))
        return;
    const char *attrs[] = {"mode", "passthrough", NULL};
    r_insert(c, cpu, "cache", attrs,
             "with host-passthrough the guest can see the host's real cache "
             "sizes and sharing, so its scheduler places work by them");
}

const vt_rule rule_cpu_cache = {
    .id = "cpu.cache",
    .summary = "<cache mode='passthrough'/> with host-passthrough (x86)",
    .profiles = PROFILE_BALANCED | PROFILE_LATENCY | PROFILE_THROUGHPUT |
                PROFILE_REALTIME,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-model-and-topology",
    .description =
        "Adds <cache mode='passthrough'/> to a host-passthrough <cpu> on "
        "x86 guests (libvirt supports CPU cache specification on x86 only). "
        "An existing <cache> is kept.",
    .needs = "The architecture (x86 only); unknown: the domain's is used.",
    .run = run_cpu_cache,
};
