/*
 * cpu_topology.c - cpu.topology: a guest CPU topology that multiplies out
 * to the vCPU count.
 *
 * libvirt rejects a topology whose sockets*dies*clusters*cores*threads is
 * not the <vcpu> count. Without pinning, vCPUs float over host CPUs, so
 * advertising SMT threads (threads > 1) makes the guest scheduler treat two
 * vCPUs as siblings that are not: the default is one socket of N cores
 * with one thread each.
 */
#include "rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rule_param params[] = {
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

/* Positive integer attribute NAME of EL; DEF when absent; -1 invalid. */
static long attr_count(xmlNodePtr el, const char *name, long def)
{
    const char *v = r_attr(el, name);
    if (!v)
        return def;
    char *end;
    long n = strtol(v, &end, 10);
    return (end == v || *end || n < 1 || n > 65536) ? -1 : n;
}

static int vcpus_pinned(xmlNodePtr root)
{
    return r_child(r_child(root, "cputune"), "vcpupin") != NULL;
}

static void run(rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    int vcpus = r_domain(c)->vcpus;
    char cores[16];
    snprintf(cores, sizeof cores, "%d", vcpus);

    xmlNodePtr cpu = r_child(root, "cpu");
    if (!cpu)
        cpu = r_insert(c, root, "cpu", NULL, "holds the guest CPU topology");
    xmlNodePtr topo = r_child(cpu, "topology");
    if (!topo) {
        const char *attrs[] = {"sockets", "1", "dies", "1", "cores", cores,
                               "threads", "1", NULL};
        r_insert(c, cpu, "topology", attrs,
                 "one socket of %d cores, one thread each: the vCPUs are not "
                 "pinned to SMT siblings, so the guest must not be told that "
                 "two of them share a core", vcpus);
        return;
    }
    long s = attr_count(topo, "sockets", -1), d = attr_count(topo, "dies", 1),
         cl = attr_count(topo, "clusters", 1), co = attr_count(topo, "cores", -1),
         t = attr_count(topo, "threads", -1);
    int valid = s > 0 && d > 0 && cl > 0 && co > 0 && t > 0 &&
                s * d * cl * co * t == vcpus;
    if (valid) {
        if (t > 1 && !vcpus_pinned(root))
            r_finding(c, SEV_WARNING, topo, NULL,
                      "the topology advertises %ld threads per core but no "
                      "vCPU is pinned, so guest sibling threads are not host "
                      "siblings; kept as set (the placement rules pin them)",
                      t);
        return;
    }
    r_finding(c, SEV_WARNING, topo, NULL,
              "the topology (sockets=%s dies=%s cores=%s threads=%s) does not "
              "multiply out to the %d vCPUs: libvirt rejects it; repaired "
              "as 1 socket of %d cores",
              r_attr(topo, "sockets") ? r_attr(topo, "sockets") : "?",
              r_attr(topo, "dies") ? r_attr(topo, "dies") : "1",
              r_attr(topo, "cores") ? r_attr(topo, "cores") : "?",
              r_attr(topo, "threads") ? r_attr(topo, "threads") : "?",
              vcpus, vcpus);
    const char *why = "sockets*dies*clusters*cores*threads must equal <vcpu>";
    r_set(c, topo, "sockets", "1", "%s", why);
    if (r_attr(topo, "dies"))
        r_set(c, topo, "dies", "1", "%s", why);
    if (r_attr(topo, "clusters"))
        r_set(c, topo, "clusters", "1", "%s", why);
    r_set(c, topo, "cores", cores, "%s", why);
    r_set(c, topo, "threads", "1", "%s", why);
}

const rule rule_cpu_topology = {
    .id = "cpu.topology",
    .summary = "guest topology = vCPUs: one socket of N cores, 1 thread "
               "(threads > 1 only with sibling pinning)",
    .profiles = PROFILE_ALL,
    .params = params,
    .reference = "https://libvirt.org/formatdomain.html#cpu-model-and-topology",
    .description =
        "Adds <topology sockets='1' dies='1' cores='N' threads='1'/> where "
        "N is the <vcpu> count. A topology that does not multiply out to "
        "the vCPU count (libvirt rejects it) is repaired with a warning; a "
        "valid one is kept, with a warning when it advertises SMT threads "
        "to vCPUs that are not pinned.",
    .run = run,
};
