/*
 * mem_lock.c - mem.lock: locked, unshared and preallocated memory.
 */
#include "placement/placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run_mem_lock(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr mb = r_child(root, "memoryBacking");
    int huge = r_child(mb, "hugepages") != NULL;
    int vfio = devices_has_vfio(root);
    int latency = r_profile(c) == PROFILE_LATENCY;
    /* a domain placement found no room for is not locked: locked memory
     * the host does not have is an out-of-memory kill waiting */
    if ((latency || (huge && vfio)) && r_rule_on(c, RULE_numa_place) &&
        place_get(c)->status == PLACE_INFEASIBLE) {
        r_finding(c, SEV_INFO, NULL, NULL, "memory not locked: the domain "
                  "does not fit this host (numa.place), and locking memory "
                  "the host cannot give risks an out-of-memory kill");
        latency = vfio = 0;
    }
    if (latency || (huge && vfio)) {
        const char *why = latency
            ? "the latency profile: no page of the guest is ever swapped "
              "out or faulted in on the host"
            : "hugepages with a VFIO device: the device DMAs into guest "
              "memory, which must stay where it is";
        mb = r_ensure(c, r_root(c), "memoryBacking", "holds the memory "
                      "locking");
        if (!r_child(mb, "nosharepages"))
            r_insert(c, mb, "nosharepages", NULL, "KSM off for this guest: "
                     "merging and unmerging its pages costs latency (%s)",
                     latency ? "latency profile" : "locked memory");
        if (!r_child(mb, "locked"))
            r_insert(c, mb, "locked", NULL, "%s; libvirt raises the memlock "
                     "limit for it", why);
    }
    if (huge && !r_child(mb, "allocation")) {
        const char *a[] = {"mode", "immediate", NULL};
        r_insert(c, mb, "allocation", a, "the hugepages are taken when the "
                 "guest starts: a short pool fails the start, not the guest "
                 "later");
    }
}

const vt_rule rule_mem_lock = {
    .id = "mem.lock",
    .summary = "locked, unshared memory for latency and VFIO with "
               "hugepages; immediate allocation with hugepages",
    .profiles = PROFILE_BALANCED | PROFILE_LATENCY | PROFILE_THROUGHPUT,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#memory-backing",
    .description =
        "Writes <locked/> and <nosharepages/> (KSM off) for the latency "
        "profile, and whenever hugepages back a domain with VFIO devices; "
        "<allocation mode='immediate'/> whenever hugepages back the memory. "
        "Elements the domain has are kept. A domain numa.place finds no "
        "room for is not locked (locked memory the host does not have is "
        "an out-of-memory kill waiting), with a finding.",
    .needs = "None: it reads the domain (memory backing, hostdevs).",
    .run = run_mem_lock,
};
