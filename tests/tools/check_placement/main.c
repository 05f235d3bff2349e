/*
 * main.c - vt-check-placement, the independent checker of the
 * CPU and memory placement vtune-xml writes into libvirt domain XML:
 * its command line, and the checks run over the domains of one run.
 *
 *   vt-check-placement --host SRC [--reserved CPULIST] [--irq-budget N]
 *                      [--report REPORT.json] [--reserve-mib N] [-v]
 *                      DOMAIN.xml...
 *
 * It owns its own reading of the domain XML (<vcpu>, <memory>, <cputune>
 * vcpupin / emulatorpin / iothreadpin, <iothreads>, <iothreadids>,
 * <numatune>, <cpu><topology>, <cpu><numa> cells and distances,
 * <memoryBacking>, <memballoon> and the devices that constrain memory,
 * the <driver> of disks, interfaces and controllers) and checks the
 * result against libvirt's documented semantics (formatdomain: CPU
 * tuning, NUMA node tuning, CPU model and topology, memory backing,
 * memory balloon device, IOThreads allocation, hard drives, network
 * interfaces, controllers) and the host model (compiler/host/host.h,
 * loaded with host_load) only. It deliberately shares no code with the
 * placement rules it checks.
 *
 * All domains of one run share the host: a host CPU serves at most one
 * vCPU of one domain, and node memory and free hugepages are budgets for
 * the run.
 *
 * The checker, one job per file:
 *   main.c           the command line; each domain's checks in order,
 *                    then the checks across the run
 *   report.c         violation() on stdout, input_error() on stderr
 *   values.c         numbers, libvirt cpusets, memory units
 *   xmlread.c        reading a domain file safely; XML access
 *   domain.c         the domain as the checks see it (domain.h): <vcpu>,
 *                    <memory>, pins, iothreads, cells, <numatune>,
 *                    topology, memory backing
 *   devices.c        the same for disks, interfaces and controllers
 *   reserved.c       the host CPUs reserved for the host
 *   page_pools.c     the host's page pools, and a <page> against them
 *   run_report.c     vtune-xml's JSON report of the run (--report): which
 *                    domains it placed, its cells and pages, the host
 *                    commands
 * and the invariants, one file per family (checks.h), each listing its
 * own:
 *   check_cpu.c      vcpupin-vcpu, vcpupin-*, vcpu-isolated, vcpu-overlap,
 *                    emulatorpin-*, iothreadpin-id, iothreadpin-*,
 *                    topology-count, topology-siblings,
 *                    topology-socket-cells
 *   check_numa.c     cell-id, cells-partition, cells-memory, distances,
 *                    numatune-nodes, memnode-cell, memnode-cpus,
 *                    numatune-cpus
 *   check_backing.c  memory backing: hugepages-cells, hugepages-size,
 *                    hugepages-multiple, balloon-locked,
 *                    memaccess-shared, allocation (and hugepages-budget,
 *                    which check_run.c checks)
 *   check_io.c       I/O devices: io-native, iothread-ref, queues-vcpus,
 *                    queues-user, irq-budget, ring-size
 *   check_run.c      across the run: cross-domain-overlap, core-shared,
 *                    exclusive-overlap, node-memory, hugepages-budget
 *   check_fit.c      the run's decisions: split-fits-one,
 *                    floating-unconfined, host-commands-fit
 * ("vcpupin-*" is vcpupin-exists, -online and -reserved; emulatorpin-*
 * and iothreadpin-* are -exists and -online.)
 *
 * Output: one line per violation on stdout, "FILE: invariant: detail";
 * nothing on success unless -v. Exit 0 no violation, 1 violations,
 * 2 usage or input error (unreadable or not well-formed file, root not
 * <domain>, entity declarations, unusable host), with a message on stderr.
 * A value libvirt would reject (a bad cpuset, number or unit) is reported
 * as the violation "syntax" and the checks that need it are skipped.
 */
#include "checks.h"
#include "domain.h"
#include "page_pools.h"
#include "report.h"
#include "reserved.h"
#include "values.h"
#include "xmlread.h"

#include "alloc.h"
#include "load.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <libxml/parser.h>

static int verbose;              /* -v */

/* The checks of one domain, in the order of their output. */
static void check_domain(domain *d, const vt_host *h, const pools *pl,
                         hwloc_const_bitmap_t reserved,
                         hwloc_const_bitmap_t isolated)
{
    check_vcpupins(d, h, reserved, isolated);
    check_vcpu_overlap(d);
    check_aux_pins(d, h, reserved);
    check_cells_partition(d);
    if (d->ncells > 0) {
        check_cells_memory(d);
        check_distances(d);
    }
    check_memnodes(d, h);
    check_numatune(d, h);
    check_topology(d, h);
    check_backing(d, h, pl);
    check_io(d);
}

static int usage(const char *msg)
{
    if (msg)
        fprintf(stderr, PROG ": %s\n", msg);
    fputs("usage: " PROG " --host SRC [--reserved CPULIST] "
          "[--irq-budget N] [--report REPORT.json] [--reserve-mib N] [-v] "
          "DOMAIN.xml...\n", stderr);
    return EXIT_INPUT;
}

static void say_ok(const domain *d)
{
    int pinned = 0;
    for (long v = 0; v < d->vcpus; v++)
        pinned += d->vset[v] != NULL;
    printf("%s: checked: %ld vCPU(s), %d pinned, %d cell(s)\n", d->file,
           d->vcpus, pinned, d->ncells);
}

/* Loads every domain; returns 0, or EXIT_INPUT after a message. */
static int load_domains(domain *doms, char **files, int n)
{
    for (int i = 0; i < n; i++) {
        xmlDocPtr doc = read_domain(files[i]);
        if (!doc)
            return EXIT_INPUT;
        doms[i].file = files[i];
        read_all(&doms[i], doc);
        xmlFreeDoc(doc);
    }
    return 0;
}

static int run(const vt_host *h, hwloc_const_bitmap_t reserved,
               const run_report *rr, char **files, int n)
{
    domain *doms = xcalloc((size_t)n, sizeof *doms);
    const rr_domain **rds = xcalloc((size_t)n, sizeof *rds);
    int rc = load_domains(doms, files, n);
    int m = 0;      /* the domains on this host */
    for (int i = 0; rc == 0 && i < n; i++) {
        const rr_domain *rd = run_report_domain(rr, i, n, files[i]);
        if (rd && !rd->tuned) {
            /* it passed through unchanged: not KVM, or an architecture
             * this host cannot run; it takes nothing here */
            domain_free(&doms[i]);
            continue;
        }
        doms[m] = doms[i];
        rds[m++] = rd;
    }
    if (rc == 0) {
        if (verbose) {
            char *s = fmt_set(reserved);
            printf("reserved host CPUs: %s\n", s);
            free(s);
        }
        pools pl = page_pools_of(h);
        hwloc_bitmap_t isolated = isolated_cpus(h, reserved);
        for (int i = 0; i < m; i++)
            check_domain(&doms[i], h, &pl, reserved, isolated);
        check_across(doms, m, h, rds);
        check_node_memory(doms, m, h);
        check_hugepage_budget(doms, m, h, &pl, rr);
        check_fit(doms, m, h, &pl, reserved, isolated, rr, rds);
        hwloc_bitmap_free(isolated);
        for (int i = 0; verbose && i < m; i++)
            say_ok(&doms[i]);
        rc = nviolations ? EXIT_VIOLATION : 0;
    } else {
        m = n;
    }
    for (int i = 0; i < m; i++)
        domain_free(&doms[i]);
    free(doms);
    free(rds);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'H'},
        {"reserved", required_argument, NULL, 'r'},
        {"irq-budget", required_argument, NULL, 'i'},
        {"report", required_argument, NULL, 'R'},
        {"reserve-mib", required_argument, NULL, 'm'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *src = NULL, *res = NULL, *rep = NULL;
    unsigned long long mib;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
        switch (c) {
        case 'H': src = optarg; break;
        case 'r': res = optarg; break;
        case 'i':
            if (parse_ull(optarg, &irq_budget) < 0) {
                input_error(NULL, "--irq-budget '%s' is not a number of "
                            "vectors", optarg);
                return EXIT_INPUT;
            }
            break;
        case 'R': rep = optarg; break;
        case 'm':
            if (parse_ull(optarg, &mib) < 0 || mib > (1ULL << 40)) {
                input_error(NULL, "--reserve-mib '%s' is not a size in "
                            "MiB", optarg);
                return EXIT_INPUT;
            }
            reserve_kib = mib * 1024;
            break;
        case 'v': verbose = 1; break;
        case 'h': usage(NULL); return 0;
        default: return usage("unknown option or missing argument");
        }
    }
    if (!src)
        return usage("--host is required");
    if (optind >= argc)
        return usage("no domain given");
    run_report rr = {0};
    if (rep && run_report_read(rep, &rr) != 0)
        return EXIT_INPUT;
    vt_host *h = NULL;
    if (host_load(src, &h) != 0) {
        run_report_free(&rr);
        return EXIT_INPUT;
    }
    hwloc_bitmap_t reserved = reserved_cpus(h, res);
    int rc = reserved ? run(h, reserved, &rr, argv + optind, argc - optind)
                      : EXIT_INPUT;
    hwloc_bitmap_free(reserved);
    run_report_free(&rr);
    host_free(h);
    xmlCleanupParser();
    return rc;
}
