/*
 * irq_budget.c - irq.budget: the MSI-X vectors all virtio queues need,
 * kept under a budget. Runs after every rule that sets queues.
 */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const vt_rule_param irq_params[] = {
    {"budget", PARAM_INT, "1024", "most MSI-X vectors for a domain's virtio "
     "queues (KVM's routing table holds 4096)", NULL, 16, 4096},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

typedef struct qdev {
    xmlNodePtr el;      /* the device */
    long queues;
    long had;           /* queues before the budget */
    int per_queue;      /* vectors per queue */
    int fixed;          /* vectors besides the queues */
} qdev;

/* QEMU's most virtqueues a device has (VIRTIO_QUEUE_MAX in QEMU's
 * include/hw/virtio/virtio.h); a larger queue count cannot start, and is
 * counted as this many (found by tests/fuzz: a huge queues= overflowed the
 * sum and lowered one queue at a time for seconds). */
#define VIRTIO_QUEUE_MAX 1024

/* The queues of EL: its <driver queues>, else QEMU's default for it
 * (a queue per vCPU for virtio-blk and virtio-scsi on the machine types
 * that give it, io.h; one for NICs). */
static long queues_of(vt_rule_ctx *c, xmlNodePtr el, int blk_fixed)
{
    const char *q = r_attr(r_child(el, "driver"), "queues");
    long n = q ? strtol(q, NULL, 10)
               : blk_fixed >= 0 ? io_default_queues(c, el, blk_fixed) : 1;
    return n < 1 ? 1 : n > VIRTIO_QUEUE_MAX ? VIRTIO_QUEUE_MAX : n;
}

/* The vectors the devices need with each queue count capped at CAP. */
static long total_at(const qdev *q, int n, long cap)
{
    long t = 0;
    for (int i = 0; i < n; i++)
        t += (q[i].queues < cap ? q[i].queues : cap) * q[i].per_queue +
             q[i].fixed;
    return t;
}

static void run_irq_budget(vt_rule_ctx *c)
{
    xmlNodePtr dev = r_child(r_root(c), "devices");
    qdev *q = NULL;
    int n = 0;
    long total = 0;
    for (xmlNodePtr e = dev ? dev->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        int per = 0, fixed = 0, blk = -1;
        if (xmlStrEqual(e->name, BAD_CAST "interface") && devices_virtio_nic(e))
            per = 2, fixed = 2;
        else if (xmlStrEqual(e->name, BAD_CAST "disk") && devices_virtio_blk(e))
            per = 1, fixed = 1, blk = 0;
        else if (xmlStrEqual(e->name, BAD_CAST "controller") &&
                 devices_virtio_scsi(e))
            per = 1, fixed = 3, blk = 2;
        else
            continue;
        const char *given = r_attr(r_child(e, "driver"), "queues");
        if (given && strtol(given, NULL, 10) > VIRTIO_QUEUE_MAX)
            r_finding(c, SEV_WARNING, e, NULL, "queues='%s': QEMU refuses "
                      "more than %d virtqueues a device (VIRTIO_QUEUE_MAX); "
                      "counted as %d", given, VIRTIO_QUEUE_MAX,
                      VIRTIO_QUEUE_MAX);
        if ((n & (n - 1)) == 0)     /* grown at powers of two */
            q = xrealloc(q, (size_t)(n ? 2 * n : 1) * sizeof *q);
        long have = queues_of(c, e, blk);
        q[n] = (qdev){e, have, have, per, fixed};
        total += q[n].queues * per + fixed;
        n++;
    }
    long budget = r_param_int(c, "budget");
    long before = total;
    /* lower the largest queue counts first, one at a time (the first of
     * the largest each time): fair shares. Computed directly, in linear
     * time: the highest cap L that fits, then, from L + 1, the devices
     * there lowered to L in order until the total fits, which is where
     * one at a time ends */
    if (total > budget) {
        long maxq = 1;
        for (int i = 0; i < n; i++)
            if (q[i].queues > maxq)
                maxq = q[i].queues;
        /* the highest cap that fits: one at a time, from the top, stops
         * at the first total within the budget */
        long lo = 1, hi = maxq - 1;     /* total_at(maxq) > budget */
        if (total_at(q, n, 1) > budget)
            hi = 0;                     /* even one queue each is too many */
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            if (total_at(q, n, mid) <= budget)
                lo = mid;
            else
                hi = mid - 1;
        }
        long cap = hi < 1 ? 0 : lo;     /* 0: none fits */
        if (cap == 0) {
            for (int i = 0; i < n; i++)
                q[i].queues = 1;
            total = total_at(q, n, 1);
        } else {
            /* from cap + 1, lower to cap in order until it fits */
            total = total_at(q, n, cap + 1);
            for (int i = 0; i < n; i++)
                if (q[i].queues > cap + 1)
                    q[i].queues = cap + 1;
            for (int i = 0; i < n && total > budget; i++)
                if (q[i].queues == cap + 1) {
                    q[i].queues = cap;
                    total -= q[i].per_queue;
                }
        }
    }
    if (before > budget) {
        for (int i = 0; i < n; i++)
            if (q[i].had != q[i].queues) {
                char why[240];
                snprintf(why, sizeof why, "the domain's virtio queues "
                         "needed %ld MSI-X vectors, over the budget of %ld "
                         "(irq.budget.budget): the largest queue counts "
                         "were lowered evenly, this one from %ld", before,
                         budget, q[i].had);
                io_set_queues(c, r_ensure(c, q[i].el, "driver", "holds the "
                                          "queues the budget allows"),
                              q[i].queues, why);
            }
        r_finding(c, total > budget ? SEV_INFEASIBLE : SEV_WARNING, dev, NULL,
                  "virtio queues needed %ld interrupt vectors (2 per NIC "
                  "queue pair + 2, 1 per disk queue + 1, 1 per SCSI queue + "
                  "3); the budget is %ld%s", before, budget, total > budget
                  ? ", and even one queue each exceeds it: fewer devices "
                  "are needed" : ": queues lowered to fit");
    }
    free(q);
}

const vt_rule rule_irq_budget = {
    .id = "irq.budget",
    .summary = "keep the MSI-X vectors of all virtio queues under a budget",
    .profiles = PROFILE_ALL,
    .params = irq_params,
    .reference = "https://www.kernel.org/doc/html/latest/virt/kvm/api.html#kvm-set-gsi-routing",
    .description =
        "Adds up the interrupt vectors of the virtio devices: 2 per NIC "
        "queue pair + 2, 1 per virtio-blk queue + 1, 1 per virtio-scsi "
        "queue + 3, a device without queues= counted with QEMU's default "
        "(a queue per vCPU for virtio-blk and virtio-scsi on machine types "
        "of QEMU 5.2 and later). Over irq.budget.budget (1024; KVM's GSI routing table "
        "holds 4096 entries for the whole VM), it lowers the largest queue "
        "counts one at a time until the total fits, with a warning (an "
        "infeasible finding when one queue each is still too many).",
    .needs = "None: it reads the domain.",
    .run = run_irq_budget,
};
