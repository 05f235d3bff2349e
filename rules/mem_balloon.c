/*
 * mem_balloon.c - mem.balloon: the memory balloon, or none where it could
 * take nothing back.
 */
#include "rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param balloon_params[] = {
    {"stats_period", PARAM_INT, "10",
     "seconds between balloon statistics updates", NULL, 1, 3600},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

static xmlNodePtr first_element(xmlNodePtr el)
{
    for (xmlNodePtr k = el->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE)
            return k;
    return NULL;
}

/* A balloon the user configured: settings of its own, not just the
 * <memballoon model='virtio'> and address that virt-install writes. */
static int configured(xmlNodePtr b)
{
    return r_attr(b, "autodeflate") || r_attr(b, "freePageReporting") ||
           r_child(b, "stats") || r_child(b, "driver");
}

/* Why the domain must not balloon, or NULL. */
static const char *no_balloon(vt_rule_ctx *c, xmlNodePtr root)
{
    xmlNodePtr mb = r_child(root, "memoryBacking");
    if (r_profile(c) & PROFILE_REALTIME)
        return "the realtime profile: a balloon's inflation and statistics "
               "polling interrupt the guest and take host time "
               "(libvirt kbase kvm-realtime)";
    if (r_child(mb, "locked"))
        return "the memory is locked: a balloon cannot take it back";
    if (r_child(mb, "hugepages"))
        return "hugepages back the memory: ballooning them frees nothing on "
               "the host and splits them";
    if (devices_has_vfio(root))
        return "a VFIO device DMAs into guest memory: pages the balloon "
               "frees would still be pinned";
    return NULL;
}

static void run_mem_balloon(vt_rule_ctx *c)
{
    xmlNodePtr root = r_root(c);
    xmlNodePtr dev = r_child(root, "devices");
    if (!dev)
        dev = r_insert(c, root, "devices", NULL, "holds the balloon");
    xmlNodePtr b = r_child(dev, "memballoon");
    const char *none_why = no_balloon(c, root);
    if (none_why) {
        if (!b) {
            const char *a[] = {"model", "none", NULL};
            r_add(c, dev, "memballoon", NULL, a, "%s (libvirt adds a virtio "
                  "balloon otherwise)", none_why);
            return;
        }
        const char *model = r_attr(b, "model");
        if (model && !strcmp(model, "none"))
            return;
        if (configured(b) && !r_override(c)) {
            /* the user's balloon: kept, with what it can no longer do */
            r_finding(c, (r_profile(c) & PROFILE_REALTIME) ? SEV_WARNING
                      : SEV_INFO, b, NULL, "the domain's configured balloon "
                      "is kept, but %s (mem.balloon.override=true replaces "
                      "it with model='none')", none_why);
            return;
        }
        r_set(c, b, "model", "none", "%s", none_why);
        if (r_attr(b, "autodeflate"))
            r_set(c, b, "autodeflate", NULL, "no balloon to deflate");
        if (r_attr(b, "freePageReporting"))
            r_set(c, b, "freePageReporting", NULL, "no balloon to report");
        /* removing a child may free the whitespace around it: take the
         * first element child each time */
        for (xmlNodePtr k = first_element(b); k; k = first_element(b))
            r_remove(c, k, "a balloon of model none has no settings or "
                     "address");
        return;
    }
    char period[16];
    snprintf(period, sizeof period, "%ld", r_param_int(c, "stats_period"));
    if (!b) {
        const char *a[] = {"model", "virtio", "autodeflate", "on", NULL};
        b = r_add(c, dev, "memballoon", NULL, a, "a virtio balloon lets the "
                  "host take unused guest memory back under pressure; "
                  "autodeflate gives it back before the guest runs out");
    }
    const char *model = r_attr(b, "model");
    if (!model || strcmp(model, "virtio") != 0)
        return;     /* none or another model: the user's choice */
    if (!r_attr(b, "autodeflate"))
        r_set(c, b, "autodeflate", "on", "the balloon deflates before the "
              "guest's OOM killer would run");
    /* freePageReporting is off unless asked for (QEMU's virtio-balloon
     * free-page-reporting defaults to false): not written out */
    if (!r_child(b, "stats")) {
        const char *a[] = {"period", period, NULL};
        r_insert(c, b, "stats", a, "memory statistics every %s s, so "
                 "virsh dommemstat and the host's tooling see the guest's "
                 "real use", period);
    }
}

const vt_rule rule_mem_balloon = {
    .id = "mem.balloon",
    .summary = "no balloon with locked, hugepage or VFIO memory (or "
               "realtime); else virtio with stats and autodeflate",
    .profiles = PROFILE_ALL,
    .params = balloon_params,
    .reference = "https://libvirt.org/formatdomain.html#memory-balloon-device",
    .description =
        "Writes <memballoon model='none'/> for the realtime profile, and "
        "when the memory is locked, backed "
        "by hugepages, or a VFIO device is assigned (each reason is given) "
        "and the domain has no balloon or a bare one (virt-install's "
        "model='virtio' with an address); a balloon the user configured "
        "(autodeflate, freePageReporting, stats or driver) is kept, with a "
        "finding saying it can take nothing back (a warning for realtime; "
        "override replaces it); "
        "otherwise keeps (or adds) a virtio balloon with autodeflate='on' "
        "and <stats period='10'/> (freePageReporting is off unless asked "
        "for: QEMU's free-page-reporting defaults to false, so it is not "
        "written). A balloon of another model is kept.",
    .needs = "None: it reads the domain (memory backing, hostdevs).",
    .run = run_mem_balloon,
};
