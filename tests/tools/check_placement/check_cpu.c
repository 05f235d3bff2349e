/*
 * check_cpu.c - the CPU invariants of one domain (formatdomain: CPU
 * tuning, CPU model and topology), read from <cputune> and
 * <cpu><topology>:
 *   vcpupin-vcpu           every vcpupin names a vCPU below <vcpu>, no
 *                          vCPU twice
 *   vcpupin-exists         the CPUs of each vcpupin are on the host,
 *   vcpupin-online         online,
 *   vcpupin-reserved       and, pinned 1:1, not reserved for the host
 *                          (reserved.c; floating vCPUs may run there)
 *   vcpu-isolated          no floating vCPU (a vcpupin of several CPUs,
 *                          or <vcpu cpuset> for a vCPU without one) may
 *                          run on an isolated CPU: the kernel does not
 *                          balance tasks there, so they pile up
 *   vcpu-overlap           no host CPU a vCPU is pinned to 1:1 is in the
 *                          vcpupin of another vCPU of the domain (floating
 *                          vCPUs may share their set)
 *   emulatorpin-exists     the emulatorpin and iothreadpin CPUs are on the
 *   emulatorpin-online     host and online (reserved ones are allowed)
 *   iothreadpin-exists
 *   iothreadpin-online
 *   iothreadpin-id         every iothreadpin names an iothread the domain
 *                          defines (<iothreadids>, filled up to
 *                          <iothreads> as libvirt does), none twice
 *   topology-count         sockets x dies x clusters x cores x threads is
 *                          <vcpu> (a bad or missing attribute is reported
 *                          by domain.c under the same name)
 *   topology-siblings      with threads > 1 and every vCPU pinned to one
 *                          CPU: guest core K (vCPUs k*t..k*t+t-1) on t
 *                          distinct SMT siblings of one host core; no host
 *                          core for two guest cores
 *   topology-socket-cells  no guest socket spans two cells, but for a
 *                          Windows client guest (libosinfo win/xp ..
 *                          win/11, or <hyperv> without an id) with one
 *                          socket: Home uses one socket, Pro two
 * An empty cpuset is reported as "syntax".
 */
#include "checks.h"
#include "report.h"
#include "values.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>

/* CPUs of SET the host lacks (MISSING) and has offline (OFFLINE). */
static void split_unusable(const vt_host *h, hwloc_const_bitmap_t set,
                           hwloc_bitmap_t missing, hwloc_bitmap_t offline)
{
    int id;
    hwloc_bitmap_zero(missing);
    hwloc_bitmap_zero(offline);
    hwloc_bitmap_foreach_begin(id, set) {
        const vt_host_cpu *c = host_cpu_by_id(h, id);
        if (!c)
            hwloc_bitmap_set(missing, (unsigned)id);
        else if (!c->online)
            hwloc_bitmap_set(offline, (unsigned)id);
    } hwloc_bitmap_foreach_end();
}

/* Checks that the CPUs of pin P (named WHAT, prefix INV) exist, are online
 * and, when RESERVED is given, are not in it. */
static void check_pin_cpus(const domain *d, const vt_host *h, const pin *p,
                           const char *inv, const char *what,
                           hwloc_const_bitmap_t reserved)
{
    hwloc_bitmap_t missing = hwloc_bitmap_alloc();
    hwloc_bitmap_t offline = hwloc_bitmap_alloc();
    split_unusable(h, p->set, missing, offline);
    char buf[64];
    struct { hwloc_bitmap_t set; const char *inv, *why; } bad[3] = {
        {missing, "exists", "not on the host"},
        {offline, "online", "offline"},
        {NULL, "reserved", "reserved for the host"},
    };
    if (reserved) {
        bad[2].set = hwloc_bitmap_alloc();
        hwloc_bitmap_and(bad[2].set, p->set, reserved);
    }
    if (hwloc_bitmap_iszero(p->set))
        violation(d->file, "syntax", "%s has an empty cpuset", what);
    for (int k = 0; k < 3; k++) {
        if (!bad[k].set || hwloc_bitmap_iszero(bad[k].set))
            continue;
        char *s = fmt_set(bad[k].set);
        snprintf(buf, sizeof buf, "%s-%s", inv, bad[k].inv);
        violation(d->file, buf, "%s uses host CPU%s %s, %s", what,
                  hwloc_bitmap_weight(bad[k].set) > 1 ? "s" : "", s,
                  bad[k].why);
        free(s);
    }
    hwloc_bitmap_free(bad[2].set);
    hwloc_bitmap_free(missing);
    hwloc_bitmap_free(offline);
}

/* vcpupin: vCPU ids below <vcpu>, none twice, CPUs usable; floating
 * vCPUs off isolated CPUs; fills vset, vunion, floating, dedicated and
 * unconfined. */
void check_vcpupins(domain *d, const vt_host *h,
                    hwloc_const_bitmap_t reserved,
                    hwloc_const_bitmap_t isolated)
{
    long n = d->vcpus > 0 ? d->vcpus : 0;
    d->vset = xcalloc((size_t)(n ? n : 1), sizeof *d->vset);
    d->vunion = hwloc_bitmap_alloc();
    d->floating = hwloc_bitmap_alloc();
    d->dedicated = hwloc_bitmap_alloc();
    for (int i = 0; i < d->npins; i++) {
        pin *p = &d->pins[i];
        if (!p->valid)
            continue;
        if (d->vcpus > 0 && p->id >= d->vcpus) {
            violation(d->file, "vcpupin-vcpu", "vcpupin names vCPU %ld, but "
                      "<vcpu> is %ld", p->id, d->vcpus);
            p->valid = 0;
        } else if (d->vcpus > 0 && d->vset[p->id]) {
            violation(d->file, "vcpupin-vcpu", "vCPU %ld is pinned twice",
                      p->id);
            p->valid = 0;
        }
        char what[48];
        snprintf(what, sizeof what, "vCPU %ld", p->id);
        int one = hwloc_bitmap_weight(p->set) == 1;
        check_pin_cpus(d, h, p, "vcpupin", what, one ? reserved : NULL);
        if (!p->valid)
            continue;
        if (d->vcpus > 0)
            d->vset[p->id] = p->set;
        hwloc_bitmap_or(d->vunion, d->vunion, p->set);
        hwloc_bitmap_or(one ? d->dedicated : d->floating,
                        one ? d->dedicated : d->floating, p->set);
    }
    /* vCPUs without a pin float over <vcpu cpuset>, else everywhere */
    int unpinned = 0;
    for (long v = 0; v < n; v++)
        unpinned += d->vset[v] == NULL;
    if (unpinned && d->vcpu_cpuset) {
        hwloc_bitmap_or(d->vunion, d->vunion, d->vcpu_cpuset);
        hwloc_bitmap_or(d->floating, d->floating, d->vcpu_cpuset);
    }
    d->unconfined = unpinned && !d->vcpu_cpuset;
    d->unconfined_set = hwloc_bitmap_alloc();
    if (d->unconfined) {
        /* libvirt gives their threads every online CPU; a <numatune>
         * binds only the memory (cpuset.mems) */
        for (int i = 0; i < h->ncpus; i++)
            if (h->cpus[i].online)
                hwloc_bitmap_set(d->unconfined_set, (unsigned)h->cpus[i].id);
        hwloc_bitmap_andnot(d->unconfined_set, d->unconfined_set, isolated);
    }
    hwloc_bitmap_t bad = hwloc_bitmap_alloc();
    hwloc_bitmap_and(bad, d->floating, isolated);
    if (!hwloc_bitmap_iszero(bad)) {
        char *s = fmt_set(bad);
        violation(d->file, "vcpu-isolated", "floating vCPUs may run on "
                  "isolated host CPU%s %s, which the kernel does not "
                  "balance", hwloc_bitmap_weight(bad) > 1 ? "s" : "", s);
        free(s);
    }
    hwloc_bitmap_free(bad);
}

/* No host CPU a vCPU is pinned to 1:1 is in the vcpupin of another vCPU
 * of the domain (floating vCPUs may share their set). */
void check_vcpu_overlap(const domain *d)
{
    hwloc_bitmap_t both = hwloc_bitmap_alloc();
    for (int i = 0; i < d->npins; i++) {
        for (int j = i + 1; j < d->npins; j++) {
            const pin *a = &d->pins[i], *b = &d->pins[j];
            if (!a->valid || !b->valid ||
                (hwloc_bitmap_weight(a->set) > 1 &&
                 hwloc_bitmap_weight(b->set) > 1))
                continue;
            hwloc_bitmap_and(both, a->set, b->set);
            if (hwloc_bitmap_iszero(both))
                continue;
            char *s = fmt_set(both);
            violation(d->file, "vcpu-overlap", "vCPUs %ld and %ld are both "
                      "pinned to host CPU(s) %s", a->id, b->id, s);
            free(s);
        }
    }
    hwloc_bitmap_free(both);
}

/* emulatorpin / iothreadpin: CPUs exist and are online, iothread ids are
 * defined and pinned once; fills excl. */
void check_aux_pins(domain *d, const vt_host *h,
                    hwloc_const_bitmap_t reserved)
{
    d->excl = hwloc_bitmap_alloc();
    hwloc_bitmap_t seen = hwloc_bitmap_alloc();
    char what[48];
    for (int i = 0; i < d->nemu + d->nio; i++) {
        int emu = i < d->nemu;
        pin *p = emu ? &d->emu[i] : &d->io[i - d->nemu];
        if (!emu && p->id >= 0 && !iothread_known(d, p->id))
            violation(d->file, "iothreadpin-id", "iothreadpin names "
                      "iothread %ld, which <iothreads>/<iothreadids> do not "
                      "define", p->id);
        else if (!emu && p->id >= 0 &&
                 hwloc_bitmap_isset(seen, (unsigned)p->id))
            violation(d->file, "iothreadpin-id", "iothread %ld is pinned "
                      "twice", p->id);
        if (!emu && p->id >= 0)
            hwloc_bitmap_set(seen, (unsigned)p->id);
        if (!p->set)
            continue;
        if (emu)
            snprintf(what, sizeof what, "emulatorpin");
        else
            snprintf(what, sizeof what, "iothread %ld", p->id);
        check_pin_cpus(d, h, p, emu ? "emulatorpin" : "iothreadpin", what,
                       NULL);
        hwloc_bitmap_or(d->excl, d->excl, p->set);
    }
    hwloc_bitmap_andnot(d->excl, d->excl, reserved);
    hwloc_bitmap_free(seen);
}

/* Is every vCPU pinned to exactly one CPU? */
static int all_pinned_once(const domain *d)
{
    for (long v = 0; v < d->vcpus; v++)
        if (!d->vset[v] || hwloc_bitmap_weight(d->vset[v]) != 1)
            return 0;
    return 1;
}

/* Guest core K (vCPUs k*t..k*t+t-1) on t distinct SMT siblings of one
 * host core; no host core for two guest cores. */
static void check_sibling_pins(const domain *d, const vt_host *h)
{
    long t = (long)d->threads;
    int *owner = xmalloc((size_t)(h->ncores ? h->ncores : 1) * sizeof *owner);
    for (int i = 0; i < h->ncores; i++)
        owner[i] = -1;
    for (long k = 0; k * t < d->vcpus; k++) {
        hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
        int core = -2;
        for (long v = k * t; v < k * t + t; v++) {
            int id = hwloc_bitmap_first(d->vset[v]);
            const vt_host_cpu *c = host_cpu_by_id(h, id);
            int cc = c ? c->core : -1;
            core = core == -2 || core == cc ? cc : -1;
            hwloc_bitmap_set(cpus, (unsigned)id);
        }
        char *s = fmt_set(cpus);
        if (hwloc_bitmap_weight(cpus) != t || core < 0)
            violation(d->file, "topology-siblings", "guest core %ld (vCPUs "
                      "%ld-%ld) is pinned to host CPUs %s, not %ld distinct "
                      "SMT siblings of one host core", k, k * t,
                      k * t + t - 1, s, t);
        else if (owner[core] >= 0)
            violation(d->file, "topology-siblings", "guest cores %d and %ld "
                      "share the host core of CPUs %s", owner[core], k, s);
        else
            owner[core] = (int)k;
        free(s);
        hwloc_bitmap_free(cpus);
    }
    free(owner);
}

/* No guest socket spans two cells (but a Windows client's one socket). */
static void check_socket_cells(const domain *d)
{
    if (d->windows_client && d->sockets == 1)
        return;
    unsigned long long per = d->dies * d->clusters * d->cores * d->threads;
    for (unsigned long long s = 0; s < d->sockets; s++) {
        int first = -1;
        for (unsigned long long v = s * per; v < (s + 1) * per; v++) {
            int ci = d->vcell[v];
            if (ci < 0 || ci == first)
                continue;
            if (first < 0) {
                first = ci;
                continue;
            }
            violation(d->file, "topology-socket-cells", "guest socket %llu "
                      "(vCPUs %llu-%llu) spans cells %ld and %ld", s,
                      s * per, (s + 1) * per - 1, d->cells[first].id,
                      d->cells[ci].id);
            break;
        }
    }
}

/* sockets x dies x clusters x cores x threads, saturated just above
 * MAX_VCPUS (each factor is at most MAX_VCPUS, so no step overflows). */
static unsigned long long topo_product(const domain *d)
{
    const unsigned long long f[] = {d->sockets, d->dies, d->clusters,
                                    d->cores, d->threads};
    unsigned long long n = 1;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        n = n > MAX_VCPUS ? n : n * f[i];
    return n > MAX_VCPUS ? MAX_VCPUS + 1 : n;
}

void check_topology(const domain *d, const vt_host *h)
{
    if (!d->has_topo || !d->topo_ok || d->vcpus <= 0)
        return;
    unsigned long long n = topo_product(d);
    if (n != (unsigned long long)d->vcpus) {
        char prod[32];
        if (n > MAX_VCPUS)
            snprintf(prod, sizeof prod, "more than %d", MAX_VCPUS);
        else
            snprintf(prod, sizeof prod, "%llu", n);
        violation(d->file, "topology-count", "sockets %llu x dies %llu x "
                  "clusters %llu x cores %llu x threads %llu = %s, but "
                  "<vcpu> is %ld", d->sockets, d->dies, d->clusters,
                  d->cores, d->threads, prod, d->vcpus);
        return;
    }
    if (d->threads > 1 && h->ncores > 0 && all_pinned_once(d))
        check_sibling_pins(d, h);
    if (d->ncells > 0)
        check_socket_cells(d);
}
