/*
 * policy.h - which rules run and with what parameters: the profile, the
 * policy file (schemas/policy.schema.json) and the command line
 * (--profile, --enable, --disable, --set), applied in that order, each
 * checked against the rules' metadata.
 */
#ifndef VT_POLICY_H
#define VT_POLICY_H

#include "rule.h"

/* A parameter's value, checked against its metadata and parsed once. */
typedef struct vt_param_value {
    char *text;         /* canonical text ("true", "12"), NULL: default */
    long num;           /* bool 0/1, int value, enum choice index */
} vt_param_value;

typedef struct vt_policy {
    int profile;            /* one PROFILE_* bit */
    int *enabled;           /* per rule (vt_rules order): -1 profile
                               default, 0 off, 1 on */
    vt_param_value **values;  /* per rule, per param (+ "override"
                                 last), defaults filled in */
    hwloc_bitmap_t reserved;    /* reserved_cpus: the host's CPUs, or NULL */
    int nhostdevs;
    vt_hostdev_request *hostdevs;  /* the policy's "hostdev" requests */
    int guest_os;           /* guest.os: enum vt_os for domains whose
                               metadata does not say; 0 unset */
} vt_policy;

/* A policy with every default for PROFILE_BALANCED; free with
 * policy_free. */
vt_policy *policy_new(void);
void policy_free(vt_policy *p);

/* Sets the profile by name; returns 0 or -1 for an unknown name. */
int policy_set_profile(vt_policy *p, const char *name);
const char *policy_profile_name(int profile);

/* Loads a policy JSON file into P. Returns 0 or prints
 * "vtune-xml: FILE[:LINE]: message" and returns 4. */
int policy_load(vt_policy *p, const char *path);

/* Turns rule ID ("all" for every rule) on or off. Returns 0, or -1 with a
 * message in ERR for an unknown rule. */
int policy_enable(vt_policy *p, const char *id, int on, char *err, size_t n);

/* Applies "RULE.PARAM=VALUE", or "guest.os=windows|linux|other" (the
 * guest OS of domains without libosinfo metadata). Returns 0, or -1 with
 * a message in ERR. */
int policy_set(vt_policy *p, const char *assignment, char *err, size_t n);

/* 1 when rule number I runs under P. */
int policy_rule_on(const vt_policy *p, int i);

/* Parameter NAME of rule number I: its value (*TEXT gets the text, the
 * default's when unset) and, in *META, its metadata; "override" is every
 * rule's implicit boolean. NULL for a name the rule does not declare. */
const vt_param_value *policy_param(const vt_policy *p, int i,
                                   const char *name, const char **text,
                                   const vt_rule_param **meta);

/* The implicit parameter every rule has. */
extern const vt_rule_param policy_override_param;

#endif
