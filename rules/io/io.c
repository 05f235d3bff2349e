/*
 * io.c - what the I/O rules share (see io.h).
 */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long io_queue_cap(vt_rule_ctx *c)
{
    long cap = r_param_int(c, "max_queues");
    if (cap > 0)
        return cap;
    switch (r_profile(c)) {
    case PROFILE_THROUGHPUT: return 16;
    case PROFILE_LATENCY:
    case PROFILE_REALTIME: return 4;
    default: return 8;
    }
}

long io_queues(vt_rule_ctx *c)
{
    long cap = io_queue_cap(c);
    int vcpus = r_domain(c)->vcpus;
    return cap < vcpus ? cap : vcpus;
}

int io_machine_multiqueue(vt_rule_ctx *c)
{
    const char *m = r_domain(c)->machine;
    if (!m)
        return 1;           /* libvirt's default: the newest alias */
    const char *rhel = strstr(m, "rhel");
    if (rhel) {
        int major = 0, minor = 0;
        sscanf(rhel + 4, "%d.%d", &major, &minor);
        return major > 8 || (major == 8 && minor >= 4);
    }
    /* a versioned type ends in -MAJOR.MINOR (pc-q35-5.1, virt-4.2) */
    const char *dash = strrchr(m, '-');
    int major, minor;
    if (!dash || sscanf(dash + 1, "%d.%d", &major, &minor) != 2)
        return 1;           /* an alias: the newest of its kind */
    return major > 5 || (major == 5 && minor >= 2);
}

long io_default_queues(vt_rule_ctx *c, xmlNodePtr el, int fixed)
{
    const char *addr = r_attr(r_child(el, "address"), "type");
    const char *arch = r_arch(c);
    int pci = addr ? !strcmp(addr, "pci")
                   : !(arch && !strncmp(arch, "s390", 4));  /* s390x: ccw */
    if (!pci || !io_machine_multiqueue(c))
        return 1;
    long n = r_domain(c)->vcpus_current;
    return n < 1024 - fixed ? n : 1024 - fixed;
}

void io_set_queues(vt_rule_ctx *c, xmlNodePtr drv, long n, const char *why)
{
    char q[24];
    snprintf(q, sizeof q, "%ld", n);
    r_set(c, drv, "queues", q, "%s", why);
}
