/*
 * domain.h - what the rules need to know about a domain, read once from
 * the document and checked: type, architecture, vCPUs, memory, guest OS
 * family. Inconsistent or impossible values (two <vcpu>, <vcpu>0</vcpu>,
 * an unknown memory unit) are input errors (exit 3), reported with the
 * file and line.
 */
#ifndef VT_DOMAIN_H
#define VT_DOMAIN_H

#include <hwloc.h>
#include <libxml/tree.h>

/* the document (domdoc.h), opaque here: what includes only domain.h
 * (the rules, through rule.h) reads the domain but cannot edit it */
#ifndef VT_DOMDOC_T
#define VT_DOMDOC_T
typedef struct vt_domdoc vt_domdoc;
#endif

enum vt_os { OS_UNKNOWN = 0, OS_LINUX, OS_WINDOWS, OS_OTHER };

typedef struct vt_domain {
    char *type;         /* <domain type=...>: "kvm", "qemu", "xen"... */
    char *name;         /* <name>, or NULL */
    char *uuid;         /* <uuid>, or NULL */
    char *arch;         /* <os><type arch=...>, or NULL when not given */
    char *machine;      /* <os><type machine=...>, or NULL */
    int vcpus;          /* <vcpu> maximum, >= 1 */
    int vcpus_current;  /* <vcpu current=...>, == vcpus when absent */
    unsigned long long memory_kib;  /* <memory>, 0 when absent */
    enum vt_os os;  /* from libosinfo metadata or Hyper-V features */
    char *os_id;        /* libosinfo id, or NULL */
} vt_domain;

/* Largest <vcpu> accepted (libvirt's QEMU driver tops out far below). */
#define VT_MAX_VCPUS 16384

/* Reads and checks D into *INFO (owned by the caller, domain_free).
 * Returns 0, or prints "vtune-xml: FILE:LINE: message" and returns 3. */
int domain_inspect(const vt_domdoc *d, vt_domain *info);

void domain_free(vt_domain *info);

/* The domain ROOT's iothread ids as libvirt numbers them: those of
 * <iothreadids>, then the lowest unused ids from 1 up to <iothreads> in
 * all (virDomainIOThreadIDDefArrayInit); at most MAX into IDS. Returns
 * how many. */
int domain_iothread_ids(xmlNodePtr root, long *ids, int max);

/* 1 when iothread ID is one of those. */
int domain_iothread_defined(xmlNodePtr root, long id);

/* The host nodes <numatune><memory nodeset> binds the domain ROOT's
 * memory to, as a new bitmap (caller frees), or NULL when it names none. */
hwloc_bitmap_t domain_numatune_nodes(xmlNodePtr root);

#endif
