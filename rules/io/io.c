/*
 * io.c - what the I/O rules share (see io.h).
 */
#include "io.h"

#include <stdio.h>

long io_queue_cap(vt_rule_ctx *c)
{
    long cap = r_param_int(c, "max_queues");
    if (cap > 0)
        return cap;
    switch (r_profile(c)) {
    case PROFILE_THROUGHPUT: return 16;
    case PROFILE_LATENCY: return 4;
    default: return 8;
    }
}

long io_queues(vt_rule_ctx *c)
{
    long cap = io_queue_cap(c);
    int vcpus = r_domain(c)->vcpus;
    return cap < vcpus ? cap : vcpus;
}

void io_set_queues(vt_rule_ctx *c, xmlNodePtr drv, long n, const char *why)
{
    char q[24];
    snprintf(q, sizeof q, "%ld", n);
    r_set(c, drv, "queues", q, "%s", why);
}
