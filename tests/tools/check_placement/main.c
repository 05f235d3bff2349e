/*
 * main.c - vt-check-placement, the independent checker of the
 * CPU and memory placement vtune-xml writes into libvirt domain XML:
 * its command line, and the checks run over the domains of one run.
 *
 *   vt-check-placement --host SRC [--reserved CPULIST] [--irq-budget N]
 *                      [-v] DOMAIN.xml...
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
 * and the invariants, one file per family (checks.h), each listing its
 * own:
 *   check_cpu.c      vcpupin-vcpu, vcpupin-*, vcpu-overlap,
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
 *   check_run.c      across the run: cross-domain-overlap,
 *                    exclusive-overlap, node-memory, hugepages-budget
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
                         hwloc_const_bitmap_t reserved)
{
    check_vcpupins(d, h, reserved);
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
          "[--irq-budget N] [-v] DOMAIN.xml...\n", stderr);
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

static int run(const vt_host *h, hwloc_const_bitmap_t reserved, char **files,
               int n)
{
    domain *doms = xcalloc((size_t)n, sizeof *doms);
    int rc = load_domains(doms, files, n);
    if (rc == 0) {
        if (verbose) {
            char *s = fmt_set(reserved);
            printf("reserved host CPUs: %s\n", s);
            free(s);
        }
        pools pl = page_pools_of(h);
        for (int i = 0; i < n; i++)
            check_domain(&doms[i], h, &pl, reserved);
        check_across(doms, n);
        check_node_memory(doms, n, h);
        check_hugepage_budget(doms, n, h, &pl);
        for (int i = 0; verbose && i < n; i++)
            say_ok(&doms[i]);
        rc = nviolations ? EXIT_VIOLATION : 0;
    }
    for (int i = 0; i < n; i++)
        domain_free(&doms[i]);
    free(doms);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'H'},
        {"reserved", required_argument, NULL, 'r'},
        {"irq-budget", required_argument, NULL, 'i'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *src = NULL, *res = NULL;
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
        case 'v': verbose = 1; break;
        case 'h': usage(NULL); return 0;
        default: return usage("unknown option or missing argument");
        }
    }
    if (!src)
        return usage("--host is required");
    if (optind >= argc)
        return usage("no domain given");
    vt_host *h = NULL;
    if (host_load(src, &h) != 0)
        return EXIT_INPUT;
    hwloc_bitmap_t reserved = reserved_cpus(h, res);
    int rc = reserved ? run(h, reserved, argv + optind, argc - optind)
                      : EXIT_INPUT;
    hwloc_bitmap_free(reserved);
    host_free(h);
    xmlCleanupParser();
    return rc;
}
