/*
 * mem_access.c - mem.access: shared memory for vhost-user and virtiofs,
 * whose backends map the guest memory from another process.
 */
#include "rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The vhost-user or virtiofs device that needs shared memory, or NULL. */
static const char *shared_memory_user(xmlNodePtr root)
{
    xmlNodePtr dev = r_child(root, "devices");
    if (r_child_with(dev, "interface", "type", "vhostuser"))
        return "a vhost-user interface";
    if (r_child_with(dev, "disk", "type", "vhostuser"))
        return "a vhost-user disk";
    for (xmlNodePtr f = r_child(dev, "filesystem"); f;
         f = r_next(f, "filesystem"))
        if (r_child_with(f, "driver", "type", "virtiofs"))
            return "a virtiofs filesystem";
    return NULL;
}

static void run_mem_access(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    const char *user = shared_memory_user(root);
    if (!user)
        return;
    xmlNodePtr mb = r_ensure(c, r_root(c), "memoryBacking",
                             "holds the memory access mode");
    xmlNodePtr access = r_child(mb, "access");
    if (!access) {
        const char *a[] = {"mode", "shared", NULL};
        r_insert(c, mb, "access", a, "%s reads and writes guest memory from "
                 "another process: the memory must be shared", user);
    } else if (strcmp(r_attr(access, "mode") ? r_attr(access, "mode") : "",
                      "shared") != 0) {
        r_set(c, access, "mode", "shared", "%s needs the guest memory shared "
              "with its backend process", user);
    }
    if (!r_child(mb, "hugepages") && !r_child(mb, "source")) {
        const char *a[] = {"type", "memfd", NULL};
        r_insert(c, mb, "source", a, "shared memory without hugepages needs "
                 "a file-backed source: memfd is anonymous and needs no "
                 "mount");
    }
    /* the domain-wide <access mode='shared'/> covers every guest cell;
     * only a cell that overrides it is changed */
    xmlNodePtr numa = r_child(r_child(root, "cpu"), "numa");
    for (xmlNodePtr cell = r_child(numa, "cell"); cell;
         cell = r_next(cell, "cell")) {
        const char *ma = r_attr(cell, "memAccess");
        if (ma && strcmp(ma, "shared") != 0)
            r_set(c, cell, "memAccess", "shared", "this guest cell's "
                  "memAccess='%s' overrides the domain's shared access, "
                  "and %s needs every cell shared", ma, user);
    }
}

const vt_rule rule_mem_access = {
    .id = "mem.access",
    .summary = "shared memory (memfd without hugepages) for vhost-user and "
               "virtiofs",
    .profiles = PROFILE_ALL,
    .params = r_no_params,
    .reference = "https://libvirt.org/kbase/virtiofs.html; https://libvirt.org/formatdomain.html#memory-backing",
    .description =
        "A vhost-user interface or disk, or a virtiofs filesystem, runs in "
        "another process that maps the guest memory: without shared memory "
        "the device does not work. Writes <memoryBacking><access "
        "mode='shared'/>, <source type='memfd'/> when no hugepages back the "
        "memory. The domain-wide access covers every guest cell (libvirt "
        "takes a cell's memAccess first, then <access>: "
        "qemuBuildMemoryBackendProps), so cells get no memAccess; a cell "
        "with memAccess='private' is set to shared.",
    .needs = "None: it reads the domain's devices.",
    .run = run_mem_access,
};
