/*
 * policy.h - which rules run and with what parameters: the profile, the
 * policy file (schemas/policy.schema.json) and the command line
 * (--profile, --enable, --disable, --set), applied in that order, each
 * checked against the rules' metadata.
 */
#ifndef VT_POLICY_H
#define VT_POLICY_H

#include "rule.h"

typedef struct vt_policy {
    int profile;            /* one PROFILE_* bit */
    int *enabled;           /* per rule (vt_rules order): -1 profile
                               default, 0 off, 1 on */
    char ***values;         /* per rule, per param (+ "override" last):
                               the value as text, NULL = default */
    char *reserved_cpus;    /* libvirt CPU list, or NULL */
    int nhostdevs;
    vt_hostdev_request *hostdevs;  /* the policy's "hostdev" requests */
} vt_policy;

/* A policy with every default for PROFILE_BALANCED; free with
 * policy_free. */
vt_policy *policy_new(void);
void policy_free(vt_policy *p);

/* Sets the profile by name; returns 0 or -1 for an unknown name. */
int policy_set_profile(vt_policy *p, const char *name);
const char *profile_name(int profile);

/* Loads a policy JSON file into P. Returns 0 or prints
 * "vtune-xml: FILE[:LINE]: message" and returns 4. */
int policy_load(vt_policy *p, const char *path);

/* Turns rule ID ("all" for every rule) on or off. Returns 0, or -1 with a
 * message in ERR for an unknown rule. */
int policy_enable(vt_policy *p, const char *id, int on, char *err, size_t n);

/* Applies "RULE.PARAM=VALUE". Returns 0, or -1 with a message in ERR. */
int policy_set(vt_policy *p, const char *assignment, char *err, size_t n);

/* 1 when rule number I runs under P. */
int policy_rule_on(const vt_policy *p, int i);

/* The value of parameter NAME of rule number I (default if unset);
 * "override" is every rule's implicit boolean. NULL for unknown names. */
const char *policy_value(const vt_policy *p, int i, const char *name);

/* The implicit parameter every rule has. */
extern const vt_rule_param vt_override_param;

#endif
