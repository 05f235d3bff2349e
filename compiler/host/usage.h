/*
 * usage.h - what the domains of one run (and, with -c, the domains defined
 * on the connection) already take from the host: CPUs given exclusively to
 * them and memory per NUMA node. Read from the domains' XML, the same way
 * for a domain this run tuned and for one defined elsewhere, so placement
 * never gives a CPU twice and budgets memory in command-line order.
 */
#ifndef VT_USAGE_H
#define VT_USAGE_H

#include <hwloc.h>
#include <libxml/tree.h>
#include "host.h"
#include "pools.h"

/* One domain accounted: what it takes of the CPUs, to tell its own from
 * the others'. */
typedef struct vt_usage_domain {
    char *name;                 /* its <name>, "(unnamed)" without */
    hwloc_bitmap_t cpus;        /* dedicated to it (whole cores) */
    hwloc_bitmap_t floating;    /* its floating vCPUs' and threads' CPUs */
    int unconfined;             /* vCPUs with neither pin nor cpuset */
    long long *pages;           /* hugepages it claims, per host node and
                                   pool: [node * pool_stride + pool] */
    long long overflow;         /* hugepages bound to no node that no
                                   pool had room for (not claimed) */
    unsigned long long overflow_kib;    /* their size */
} vt_usage_domain;

typedef struct vt_usage {
    hwloc_bitmap_t cpus;        /* CPUs given exclusively to a domain
                                   (dedicated: pools.h) */
    hwloc_bitmap_t floating;    /* CPUs a domain's floating vCPUs are
                                   confined to (<vcpu cpuset>, a <vcpupin>
                                   of several CPUs): never dedicated to
                                   another domain */
    long long *mem_kib;         /* per host node (index as host.nodes):
                                   KiB claimed by domains */
    long long *running_mem_kib; /* the part of it of domains running now:
                                   not in a measured free count already */
    long long **pages;          /* per host node, per pool (index as
                                   host.nodes[n].pages): hugepages claimed */
    long long **running_pages;  /* the same for domains running now: not
                                   in a measured free count already */
    long long *held_mem_kib;    /* per host node: KiB that domains of
                                   the run running now hold under their
                                   live definition (missing from a
                                   measured free count; theirs again when
                                   they restart with the tuned one) */
    long long **held_pages;     /* the same for hugepages, per pool */
    long long unbound_kib;      /* memory of domains that no <numatune>
                                   binds to a node (nor its hugepages):
                                   the host's all the same */
    int adding_running;         /* usage_add_running_domain at work */
    int spread_used;            /* pages bound to no node are claimed
                                   from the most used pools, not the
                                   freest (usage_add_held) */
    int nnodes;
    int pool_stride;            /* pools per node, at most */
    int ndomains;               /* domains accounted */
    vt_usage_domain *domains;   /* each of them, in the order added */
    int nunconfined;            /* domains whose vCPUs have neither a
                                   <vcpupin> nor <vcpu cpuset> */
    char *unconfined[4];        /* the first ones' names */
    int npci;
    char **pci;                 /* PCI addresses assigned to domains */
} vt_usage;

/* A new, empty usage for H (owned by the caller, usage_free). */
vt_usage *usage_new(const vt_host *h);
void usage_free(vt_usage *u);

/* Adds what the domain DOC takes on H with pools P: the whole cores of
 * its 1:1 vCPU pins, and of an emulator or iothread pin that is one core
 * outside the housekeeping CPUs (a core of its own: dedicated); the CPUs
 * its floating vCPUs are confined to (<vcpu cpuset>, even of one CPU;
 * <vcpupin> of several CPUs; for vCPUs with neither, every CPU that is
 * not isolated: where libvirt lets them run, whatever <numatune> says)
 * and its
 * other emulator and iothread pins outside HOUSEKEEPING (floating); its
 * memory on the nodes its <numatune> binds it to, and the hugepages its
 * <memoryBacking> takes there. Returns its index in U->domains. */
int usage_add_domain(vt_usage *u, const vt_host *h, xmlDocPtr doc,
                     const vt_pools *p);

/* What the domains of U other than the one of index SELF (-1: none)
 * take of the CPUs: dedicated ones into DED, those they float over into
 * FLT (either may be NULL); returns how many of them are unconfined
 * (their vCPUs float over every CPU libvirt allows). */
int usage_others(const vt_usage *u, int self, hwloc_bitmap_t ded,
                 hwloc_bitmap_t flt);

/* Names of the domains of U other than SELF whose dedicated CPUs (FLOAT
 * 0) or floating ones (FLOAT 1, the unconfined included) meet SET, as
 * "'a', 'b'" (at most four, then "and N more") into BUF; how many. */
int usage_who(const vt_usage *u, int self, hwloc_const_bitmap_t set,
              int floating, char *buf, size_t n);

/* The same for a domain running now (a connection's active domain): its
 * hugepages are already missing from a free count the host measured, so
 * they count only against pools whose free count is unknown. */
int usage_add_running_domain(vt_usage *u, const vt_host *h, xmlDocPtr doc,
                             const vt_pools *p);

/* Credits what the domain DOC holds now on H, per its live definition,
 * when the run tunes it while it runs (--all): the memory and hugepages
 * a measured free count is missing because of it. Its tuned definition
 * is added as any other (usage_add_domain): the run budgets what it
 * will take at its next start, not what it takes now on top of it. */
void usage_add_held(vt_usage *u, const vt_host *h, xmlDocPtr doc,
                    const vt_pools *p);

/* The same from the live definition's text XML (NAME for the parser);
 * nothing when it is not well-formed. */
void usage_add_held_xml(vt_usage *u, const vt_host *h, const char *xml,
                        const char *name, const vt_pools *p);

/* Free hugepages of SIZE_KIB on host node index N after what the run took:
 * the pool's free count with what the run's running domains hold
 * (usage_add_held), or its total when free is unknown (*ASSUMED set to
 * 1), less the usage; 0 without such a pool. */
long long usage_pages_free(const vt_usage *u, const vt_host *h, int n,
                           unsigned long long size_kib, int *assumed);

/* The same, negative when the usage claims more than the pool has. */
long long usage_pages_left(const vt_usage *u, const vt_host *h, int n,
                           unsigned long long size_kib, int *assumed);

/* Hugepages of SIZE_KIB the running domains of the run hold now on host
 * node index N, when its free count is measured (usage_add_held). */
long long usage_pages_held(const vt_usage *u, const vt_host *h, int n,
                           unsigned long long size_kib);

/* Hugepages of SIZE_KIB the domain of index SELF in U claims on host
 * node index N (where the run put them: a claim bound to no node goes
 * where the pools had room then). */
long long usage_domain_pages(const vt_usage *u, int self, const vt_host *h,
                             int n, unsigned long long size_kib);

/* Hugepages of SIZE_KIB the domains of U take on host node index N. */
long long usage_pages_taken(const vt_usage *u, const vt_host *h, int n,
                            unsigned long long size_kib);

/* 1 when a domain of the run (or the connection) has the PCI device ADDR
 * ("0000:81:00.0"). */
int usage_pci_used(const vt_usage *u, const char *addr);

#endif
