/*
 * domain.h - the domain as the checks see it: what domain.c and
 * devices.c read from one domain's XML, and what the checks fill in
 * (vset, vcell, vunion, dedicated, excl, parts).
 */
#ifndef CKP_DOMAIN_H
#define CKP_DOMAIN_H

#include <hwloc.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

typedef struct pin {
    long id;                /* vCPU or iothread id; -1 emulator or bad */
    hwloc_bitmap_t set;     /* NULL when the cpuset is bad */
    int valid;              /* id in range, not a duplicate, set parsed */
} pin;

typedef struct sibling {
    long id, value;
} sibling;

typedef struct cell {
    long id;                /* -1 when bad */
    hwloc_bitmap_t cpus;    /* NULL when bad */
    unsigned long long kib;
    int kib_ok;
    int has_dist;           /* a <distances> element */
    int nsib;
    sibling *sib;
    int memnode;            /* index into domain.memnodes, -1 none */
    int access;             /* memAccess: 1 shared, 0 other, -1 absent */
} cell;

typedef struct memnode {
    long cellid;            /* -1 when bad */
    hwloc_bitmap_t nodes;   /* NULL when bad or absent */
} memnode;

/* One <memoryBacking><hugepages><page>. */
typedef struct page {
    unsigned long long kib; /* page size; 0: the host's default hugepage
                               size (a bare <hugepages/>) */
    hwloc_bitmap_t cells;   /* guest cell ids of nodeset; NULL none */
    int set_bad;            /* nodeset present but not a valid set */
    long line;
} page;

/* What one page size backs: a guest cell, or <memory> without cells. */
typedef struct part {
    char label[32];         /* "cell 1" or "<memory>" */
    unsigned long long kib;
    int kib_ok;
    hwloc_const_bitmap_t nodes; /* host nodes it is bound to (memnode,
                                   else <numatune><memory>); NULL none */
    int page;               /* index into domain.pages, -1 none */
} part;

/* One <disk>, <interface> or <controller> as the I/O checks see it. */
enum { IO_DISK, IO_NET, IO_CTRL };

/* An optional unsigned attribute: absent, a valid value, or bad (a
 * syntax violation was reported). */
typedef struct uval {
    int state;              /* 0 absent, 1 valid, -1 bad */
    unsigned long long v;
} uval;

typedef struct iodev {
    int kind;               /* IO_DISK, IO_NET, IO_CTRL */
    char what[112];         /* "<disk> (target vda)", ... */
    char *type;             /* the element's type attribute; NULL absent */
    int vectors;            /* MSI-X vectors per queue (1 virtio-blk,
                               2 virtio NIC) or 0: not a counted device */
    int fixed;              /* vectors besides the queues */
    char no_iothread[160];  /* why it takes no iothread, "" when it may */
    uval queues, rx, tx;    /* <driver queues rx_queue_size
                               tx_queue_size> */
    char *name, *io, *cache; /* <driver name io cache>; NULL absent */
    int nrefs;
    struct ioref {
        long id;
        int sub;            /* 0 <driver iothread>, 1 <driver><iothreads>
                               <iothread id> */
    } *refs;                /* the iothreads its <driver> names */
} iodev;

typedef struct domain {
    const char *file;
    int qemu;                   /* <domain type='kvm'|'qemu'> */
    long vcpus;                 /* <vcpu>; -1 unknown (bad) */
    hwloc_bitmap_t vcpu_cpuset; /* <vcpu cpuset>: where vCPUs without a
                                   <vcpupin> float; NULL none or bad */
    int unconfined;             /* a vCPU has neither a <vcpupin> nor a
                                   <vcpu cpuset> */
    hwloc_bitmap_t unconfined_set;  /* where such vCPUs run: libvirt
                                   gives the QEMU threads every online
                                   CPU (a <numatune> binds only memory);
                                   the kernel balances them over those
                                   not isolated */
    unsigned long long mem_kib; /* <memory> */
    unsigned long long dimm_kib;    /* DIMMs and NVDIMMs plugged at start */
    int mem_ok;
    int npins, nemu, nio;
    pin *pins, *emu, *io;       /* vcpupin, emulatorpin, iothreadpin */
    long iothreads;             /* <iothreads>; 0 absent, -1 bad */
    hwloc_bitmap_t iothreadids;
    int ncells, nmemnodes;
    cell *cells;
    memnode *memnodes;
    int numa_strict;            /* <numatune><memory> mode is strict */
    hwloc_bitmap_t numa_nodes;  /* its nodeset; NULL none or bad */
    int windows_client;         /* libosinfo win/xp .. win/11, or Hyper-V
                                   features without a libosinfo id: its
                                   editions use one or two sockets */
    int has_topo, topo_ok;
    unsigned long long sockets, dies, clusters, cores, threads;
    hwloc_bitmap_t *vset;       /* per vCPU: its valid pin, or NULL */
    int *vcell;                 /* per vCPU: index into cells, or -1 */
    hwloc_bitmap_t vunion;      /* every CPU a vCPU may run on: its valid
                                   vcpupins, and <vcpu cpuset> for vCPUs
                                   without one */
    hwloc_bitmap_t floating;    /* the CPUs of vCPUs that float (a
                                   vcpupin of several CPUs, <vcpu
                                   cpuset>) */
    hwloc_bitmap_t dedicated;   /* CPUs of vcpupins naming one CPU: a
                                   vCPU pinned 1:1 owns it; a vCPU pinned
                                   to a set floats and owns none */
    hwloc_bitmap_t excl;        /* emulator/iothread CPUs not reserved */
    int hugepages;              /* <memoryBacking><hugepages> present */
    int pages_ok;               /* every <page> parsed */
    int npages;
    page *pages;                /* a bare <hugepages/> is one page of
                                   size 0 without nodeset (libvirt) */
    int locked;                 /* <memoryBacking><locked/> */
    int access_shared;          /* <access mode='shared'/> */
    char *source;               /* <source type>; NULL absent */
    char *alloc_mode;           /* <allocation mode>; NULL absent */
    int has_balloon;            /* <devices><memballoon> */
    char *balloon_model;        /* its model; NULL absent */
    int balloon_configured;     /* it has settings of the user's */
    char vfio[64];              /* first PCI hostdev, "" none */
    char shared_dev[64];        /* first device needing shared memory */
    int nparts;
    part *parts;                /* per cell, or one for <memory> */
    hwloc_bitmap_t iothread_set; /* the iothread ids libvirt defines */
    int ndevs;
    iodev *devs;                /* disks, interfaces, controllers */
} domain;

/* Parses everything of DOC the checks use (domain.c). */
void read_all(domain *d, xmlDocPtr doc);

/* The disks, interfaces and controllers of the domain (devices.c). */
void read_devices(domain *d, xmlXPathContextPtr ctx);

void domain_free(domain *d);

/* Is iothread ID one the domain defines (<iothreadids>, filled up to
 * <iothreads> as libvirt does; 1..N without <iothreadids>)? */
int iothread_known(const domain *d, long id);

#endif
