/*
 * rule.h - the rule API: everything a rule may see and do. Rules include
 * only this header (and their family's own, for what a family shares).
 *
 * A rule is a small pure function of (domain, host, policy): it reads the
 * document, the domain facts and the host model, and changes the document
 * only through r_set / r_add / r_insert / r_text / r_remove, each of which
 * records the edit (rule, XPath, old, new, reason). What it cannot or
 * should not do it records with r_finding. Rules never print and never
 * touch files. The pipeline (compiler/pipeline/ruleapi.c) implements this
 * API; rules link against it and cannot include it.
 *
 * Metadata (id, summary, profiles, parameters, reference) lives beside the
 * function in a `const vt_rule rule_SYMBOL`; --list-rules and
 * doc/rules.md are generated from it. rules.def lists the rules in
 * execution order.
 */
#ifndef VT_RULE_H
#define VT_RULE_H

#include <libxml/tree.h>
#include "alloc.h"
#include "arch.h"
#include "cpulist.h"
#include "pciaddr.h"
#include "devices.h"
#include "domain.h"
#include "host.h"
#include "pools.h"
#include "strbuf.h"
#include "units.h"
#include "usage.h"

/* Every rule by its symbol in rules.def, in execution order: RULE_cpu_pin
 * is the index of cpu.pin in vt_rules[]. */
enum vt_rule_index {
#define VT_RULE(sym) RULE_##sym,
#include "rules.def"
#undef VT_RULE
    RULE_COUNT
};

/* Profiles, as bits so a rule can be on in several. */
enum {
    PROFILE_BALANCED = 1 << 0,
    PROFILE_LATENCY = 1 << 1,
    PROFILE_THROUGHPUT = 1 << 2,
    PROFILE_MIGRATABLE = 1 << 3,
    PROFILE_REALTIME = 1 << 4,      /* libvirt's kbase "KVM real time" */
    PROFILE_ALL = 0x1f,
    /* the profiles that pin and lock for low latency */
    PROFILE_LOWLAT = PROFILE_LATENCY | PROFILE_REALTIME,
};

enum vt_param_type { PARAM_BOOL, PARAM_INT, PARAM_STRING, PARAM_ENUM };

typedef struct vt_rule_param {
    const char *name;
    enum vt_param_type type;
    const char *def;        /* default, as text */
    const char *help;       /* one line */
    const char *choices;    /* PARAM_ENUM: "a|b|c"; PARAM_STRING: the
                               characters allowed besides letters and
                               digits (NULL: any printable ASCII) */
    long min, max;          /* PARAM_INT bounds */
} vt_rule_param;

typedef struct vt_rule_ctx vt_rule_ctx;

typedef struct vt_rule {
    const char *id;         /* "cpu.mode" */
    const char *summary;    /* one line */
    unsigned profiles;      /* PROFILE_* bits where it is on by default */
    const vt_rule_param *params;  /* terminated by {NULL}; "override" is
                                     implicit for every rule */
    const char *reference;  /* the documentation that justifies it (URLs
                               separated by "; ") */
    const char *description;  /* a paragraph for doc/rules.md */
    const char *needs;      /* the host facts it reads, and what it does
                               when the host source does not know them */
    void (*run)(vt_rule_ctx *ctx);  /* run_SYMBOL */
} vt_rule;

enum vt_severity { SEV_INFO = 0, SEV_WARNING, SEV_INFEASIBLE };

/* --- what the rule sees --- */
const vt_domain *r_domain(const vt_rule_ctx *c);
const vt_host *r_host(const vt_rule_ctx *c);
int r_profile(const vt_rule_ctx *c);            /* one PROFILE_* bit */
const char *r_profile_name(const vt_rule_ctx *c);
xmlNodePtr r_root(const vt_rule_ctx *c);        /* <domain> */
/* 1 when the guest is x86 (the domain's architecture, else the host's;
 * assumed when neither is known): PC timers, CPU cache and dies. */
int r_x86(const vt_rule_ctx *c);
/* The guest's architecture: the domain's, else the host's; NULL when
 * neither is known. */
const char *r_arch(const vt_rule_ctx *c);

/* The run: what earlier domains (and, with -c, defined ones) take. */
const vt_usage *r_usage(const vt_rule_ctx *c);
/* The index in r_usage's domains of the domain being tuned, when it is
 * accounted already (it places itself), else -1: for usage_others. */
int r_usage_self(const vt_rule_ctx *c);
/* CPUs kept for the host (the housekeeping pool, pools.h): never
 * dedicated to a vCPU. */
hwloc_const_bitmap_t r_housekeeping(const vt_rule_ctx *c);
/* KiB of ordinary memory on host node index N that r_usage already
 * counts for the domain being tuned (a domain that places itself is
 * accounted before the run's others); 0 for the others. */
long long r_own_memory(const vt_rule_ctx *c, int n);
/* Hugepages of SIZE_KIB the domain being tuned takes on host node index
 * N as its XML says now; *ACCOUNTED: r_usage already counts them. */
long long r_own_pages(const vt_rule_ctx *c, int n, unsigned long long size_kib,
                      int *accounted);
/* The host's CPU pools for the run (pools.h). */
const vt_pools *r_pools(const vt_rule_ctx *c);

/* Who decides the domain's placement (one decision, which the engine
 * also uses to account the domain before the others of the run). */
enum vt_placement {
    PLACEMENT_TOOL,     /* the placement rules choose it */
    PLACEMENT_AUTO,     /* placement='auto': numad does, at start-up */
    PLACEMENT_KEPT,     /* the domain sets it (<vcpupin>, <numatune>,
                           <vcpu cpuset>) and neither numa.place nor
                           cpu.pin may override it */
};
/* The decision for the domain as it stands; *WHAT (may be NULL) gets the
 * element that decides it for PLACEMENT_KEPT ("<vcpupin>"), else NULL. */
enum vt_placement r_placement(const vt_rule_ctx *c, const char **what);

/* --- rules and parameters --- */
/* 1 when rule RULE runs for this domain. */
int r_rule_on(const vt_rule_ctx *c, enum vt_rule_index rule);
/* The running rule's parameter NAME, by its type: bool (0 or 1), int,
 * string (an enum's value as text too), and for enums the index of the
 * value in the choices ("a|b|c": 0, 1, 2). Values are checked and parsed once, when the policy is read;
 * asking for a parameter the rule does not declare, or as another type,
 * is a bug (the process aborts with a message). */
int r_param_bool(const vt_rule_ctx *c, const char *name);
long r_param_int(const vt_rule_ctx *c, const char *name);
const char *r_param_str(const vt_rule_ctx *c, const char *name);
int r_param_choice(const vt_rule_ctx *c, const char *name);
/* The same for a parameter of another rule (a family shares them). */
int r_bool_of(const vt_rule_ctx *c, enum vt_rule_index rule,
              const char *name);
long r_int_of(const vt_rule_ctx *c, enum vt_rule_index rule,
              const char *name);
const char *r_str_of(const vt_rule_ctx *c, enum vt_rule_index rule,
                     const char *name);
int r_choice_of(const vt_rule_ctx *c, enum vt_rule_index rule,
                const char *name);
/* 1 when the policy or the command line set parameter NAME of RULE (0:
 * it has its default). */
int r_param_given(const vt_rule_ctx *c, enum vt_rule_index rule,
                  const char *name);
/* 1 when the policy lets this rule replace values the user set. */
int r_override(const vt_rule_ctx *c);

/* --- what a rule family shares for one domain --- */
/* A family declares its state once, and the declaration is its key:
 * `static const vt_family f = {sizeof(struct its_state), destroy}`. */
typedef struct vt_family {
    size_t size;                /* of the state, zeroed on first use */
    void (*destroy)(void *);    /* frees what the state holds, or NULL */
} vt_family;
/* FAMILY's state for the domain being tuned, created zeroed on first use
 * and destroyed when the domain is done; one per family, any number of
 * families. */
void *r_state(vt_rule_ctx *c, const vt_family *family);

/* The device classes and affinities a policy's "hostdev" request names,
 * in the order of their names (hostdev_insert.c; the affinities are
 * hostdev.insert.affinity's choices too, in that order). */
enum vt_devclass { DEVCLASS_NONE = -1, DEVCLASS_NVME, DEVCLASS_GPU,
                   DEVCLASS_NIC };
enum vt_affinity { AFFINITY_RULE = -1, AFFINITY_REQUIRED, AFFINITY_PREFERRED,
                   AFFINITY_LEGACY };
extern const char *const vt_devclass_names[];   /* "nvme", ..., NULL */
extern const char *const vt_affinity_names[];   /* "required", ..., NULL */

/* One device the policy asks hostdev.insert for. */
typedef struct vt_hostdev_request {
    char *vf_of;        /* VFs of the PF with this net device name */
    char *address;      /* one exact PCI address "0000:81:00.0" */
    enum vt_devclass cls;       /* a class, or DEVCLASS_NONE */
    int count;          /* how many (1 for an address) */
    enum vt_affinity affinity;  /* AFFINITY_RULE: hostdev.insert's */
} vt_hostdev_request;

/* The devices the policy asks for ("hostdev" requests); *N gets how
 * many. Owned by the policy. */
const vt_hostdev_request *r_hostdev_requests(const vt_rule_ctx *c, int *n);

/* --- reading the document (see domdoc.h) --- */
/* First element child of PARENT named NAME (no namespace), or NULL. */
xmlNodePtr r_child(xmlNodePtr parent, const char *name);
/* First element child NAME whose attribute ATTR equals VALUE, or NULL. */
xmlNodePtr r_child_with(xmlNodePtr parent, const char *name,
                        const char *attr, const char *value);
/* Next element sibling of N named NAME, or NULL. */
xmlNodePtr r_next(xmlNodePtr n, const char *name);
/* 1 when <vcpusched> S gives its vCPUs a realtime scheduler (fifo, rr). */
int r_rt_sched(xmlNodePtr s);
/* How many <cputune><vcpupin>s of ROOT pin a vCPU to one host CPU that no
 * earlier pin names; when CPUS is not NULL, every pin's CPUs are added to
 * it. cpu.dedicated and cpu.realtime compare it with the vCPU count. */
int r_vcpus_alone(xmlNodePtr root, hwloc_bitmap_t cpus);
/* Attribute NAME of EL, or NULL; valid until the domain is done, even
 * after the attribute is changed or its element removed. */
const char *r_attr(xmlNodePtr el, const char *name);
/* 1 when EL has attribute NAME equal to VALUE. */
int r_attr_is(xmlNodePtr el, const char *name, const char *value);

/* --- editing the document (each records an edit) --- */
/* Sets attribute NAME of EL to VALUE (NULL removes it), with a reason. */
void r_set(vt_rule_ctx *c, xmlNodePtr el, const char *name,
           const char *value, const char *reason_fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Adds element NAME under PARENT after AFTER (NULL: last) with the
 * attributes in ATTRS ({name, value, ..., NULL}); returns it. */
xmlNodePtr r_add(vt_rule_ctx *c, xmlNodePtr parent, const char *name,
                 xmlNodePtr after, const char *const *attrs,
                 const char *reason_fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Adds element NAME under PARENT at libvirt's canonical position among
 * its siblings (as `virsh dumpxml` orders them; last when unknown). */
xmlNodePtr r_insert(vt_rule_ctx *c, xmlNodePtr parent, const char *name,
                    const char *const *attrs, const char *reason_fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The child NAME of PARENT; when there is none, one is inserted (as
 * r_insert, without attributes) with the reason. */
xmlNodePtr r_ensure(vt_rule_ctx *c, xmlNodePtr parent, const char *name,
                    const char *reason_fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Replaces the text content of EL. */
void r_text(vt_rule_ctx *c, xmlNodePtr el, const char *text,
            const char *reason_fmt, ...) __attribute__((format(printf, 4, 5)));
/* Removes element EL. */
void r_remove(vt_rule_ctx *c, xmlNodePtr el, const char *reason_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- findings --- */
/* Records a finding about AT (NULL: the domain). ACTION, if not NULL, is
 * the command that fixes it on the host. */
void r_finding(vt_rule_ctx *c, enum vt_severity sev, xmlNodePtr at,
               const char *action, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Records that the domain takes USED hugepages of SIZE_KIB on host node
 * NODE, MISSING of them not free there (0: the pool has them); the report
 * sums the run's per node and size, prints the commands for what is
 * missing and a kernel command line with every size. TOTAL_NOW: the
 * pool's size now, -1 unknown. */
void r_host_pages(vt_rule_ctx *c, int node, unsigned long long size_kib,
                  long long missing, long long used, long long total_now);
/* The command that grows that pool, owned by the caller. */
char *r_pages_command(int node, unsigned long long size_kib,
                      long long missing, long long total_now);

/* The parameter list of a rule that has none but "override". */
extern const vt_rule_param r_no_params[];

/* --- the registry (registry.c, from rules.def), in execution order --- */
extern const vt_rule *const vt_rules[];
extern const int vt_nrules;
/* The index in vt_rules of the rule with id ID, or -1. */
int rule_index(const char *id);

#endif
