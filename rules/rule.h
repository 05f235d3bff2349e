/*
 * rule.h - the rule API: everything a rule may see and do. Rules include
 * only this header.
 *
 * A rule is a small pure function of (domain, host, policy): it reads the
 * document, the domain facts and the host model, and changes the document
 * only through r_set / r_add / r_text / r_remove, each of which records the
 * edit (rule, XPath, old, new, reason). What it cannot or should not do it
 * records with r_finding. Rules never print and never touch files.
 *
 * Metadata (id, summary, profiles, parameters, reference) lives beside the
 * function in a `const rule`; --list-rules and doc/rules.md are generated
 * from it.
 */
#ifndef VT_RULE_H
#define VT_RULE_H

#include <libxml/tree.h>
#include "domain.h"
#include "host.h"
#include "usage.h"
#include "alloc.h"
#include "arch.h"
#include "cpulist.h"
#include "strbuf.h"
#include "units.h"

/* Profiles, as bits so a rule can be on in several. */
enum {
    PROFILE_BALANCED = 1 << 0,
    PROFILE_LATENCY = 1 << 1,
    PROFILE_THROUGHPUT = 1 << 2,
    PROFILE_MIGRATABLE = 1 << 3,
    PROFILE_ALL = 0xf,
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
    const char *reference;  /* the documentation that justifies it */
    const char *description;  /* a paragraph for doc/rules.md */
    const char *needs;      /* the host facts it reads, and what it does
                               when the host source does not know them */
    void (*run)(vt_rule_ctx *ctx);
} vt_rule;

enum vt_severity { SEV_INFO = 0, SEV_WARNING, SEV_INFEASIBLE };

/* --- what the rule sees --- */
const vt_domain *r_domain(const vt_rule_ctx *c);
const vt_host *r_host(const vt_rule_ctx *c);
int r_profile(const vt_rule_ctx *c);            /* one PROFILE_* bit */
const char *r_profile_name(const vt_rule_ctx *c);
xmlNodePtr r_root(const vt_rule_ctx *c);        /* <domain> */

/* The run: what earlier domains (and, with -c, defined ones) take. */
const vt_usage *r_usage(const vt_rule_ctx *c);
/* CPUs kept for the host (policy reserved_cpus, or the non-isolated CPUs,
 * or the first core of each node): never given to vCPUs. */
hwloc_const_bitmap_t r_housekeeping(const vt_rule_ctx *c);
/* 1 when the rule ID is on in this run. */
int r_rule_on(const vt_rule_ctx *c, const char *id);
/* Parameter NAME of another rule ID (a rule family shares parameters). */
const char *r_param_of(const vt_rule_ctx *c, const char *id, const char *name);
/* Per-domain scratch shared by the rules of one family, zeroed on first
 * use, keyed by KEY; DESTROY (may be NULL) runs when the domain is done. */
void *r_family_state(vt_rule_ctx *c, const char *key, size_t size,
                     void (*destroy)(void *));

/* One device the policy asks hostdev.insert for. */
typedef struct vt_hostdev_request {
    char *vf_of;        /* VFs of the PF with this net device name */
    char *address;      /* one exact PCI address "0000:81:00.0" */
    char *cls;          /* a class: nvme, gpu, nic */
    int count;          /* how many (1 for an address) */
    char *affinity;     /* required|preferred|legacy, NULL: the rule's */
} vt_hostdev_request;

/* The devices the policy asks for ("hostdev" requests); *N gets how
 * many. Owned by the policy. */
const vt_hostdev_request *r_hostdev_requests(const vt_rule_ctx *c, int *n);

/* Parameters (already validated against the rule's metadata). */
int r_param_bool(const vt_rule_ctx *c, const char *name);
long r_param_int(const vt_rule_ctx *c, const char *name);
const char *r_param_str(const vt_rule_ctx *c, const char *name);
/* 1 when the policy lets this rule replace values the user set. */
int r_override(const vt_rule_ctx *c);

/* --- reading the document --- */
/* First element child of PARENT named NAME (no namespace), or NULL. */
xmlNodePtr r_child(xmlNodePtr parent, const char *name);
/* First element child NAME whose attribute ATTR equals VALUE, or NULL. */
xmlNodePtr r_child_with(xmlNodePtr parent, const char *name,
                        const char *attr, const char *value);
/* Next element sibling of N named NAME, or NULL. */
xmlNodePtr r_next(xmlNodePtr n, const char *name);
/* Attribute NAME of EL, or NULL; valid until EL's attributes change. */
const char *r_attr(xmlNodePtr el, const char *name);

/* --- editing the document (each records an edit) --- */
/* Sets attribute NAME of EL to VALUE (NULL removes it), with a reason. */
void r_set(vt_rule_ctx *c, xmlNodePtr el, const char *name, const char *value,
           const char *reason_fmt, ...) __attribute__((format(printf, 5, 6)));
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

/* Records that the domain needs MISSING more free hugepages of SIZE_KIB
 * on host node NODE; the report sums the run's needs per node and prints
 * the commands. TOTAL_NOW: the pool's size now, -1 unknown. */
void r_host_pages(vt_rule_ctx *c, int node, unsigned long long size_kib,
                  long long missing, long long total_now);
/* The command that grows that pool, owned by the caller. */
char *r_pages_command(int node, unsigned long long size_kib,
                      long long missing, long long total_now);

/* The parameter list of a rule that has none but "override". */
extern const vt_rule_param no_params[];

/* --- the registry (rules/registry.c), in execution order --- */
extern const vt_rule *const vt_rules[];
extern const int vt_nrules;
/* The rule with id ID, or NULL. */
const vt_rule *rule_by_id(const char *id);

#endif
