/*
 * clock_timers.c - clock.timers: the guest timers that cost least.
 *
 * The emulated HPET is slow to read and unneeded by modern guests (off);
 * the RTC catches up missed ticks and the PIT delays them, which keeps
 * guest time right after a pause; Linux guests use kvmclock, the
 * paravirtual clock. x86 only: these are PC timers.
 */
#include "rule.h"

#include <string.h>

struct timer {
    const char *name, *attr, *value, *why;
};

static const struct timer timers[] = {
    {"rtc", "tickpolicy", "catchup",
     "missed RTC ticks are delivered faster until the guest catches up, so "
     "its wall clock stays right after a pause or host overload"},
    {"pit", "tickpolicy", "delay",
     "missed PIT ticks are delivered late rather than in a burst, which "
     "avoids interrupt storms after a pause"},
    {"hpet", "present", "no",
     "the emulated HPET is costly to read and modern guests do not need "
     "it; without it they use kvmclock or the TSC"},
};

static void add_timer(vt_rule_ctx *c, xmlNodePtr clock, const char *name,
                      const char *attr, const char *value, const char *why)
{
    xmlNodePtr t = r_child_with(clock, "timer", "name", name);
    if (t) {
        const char *v = r_attr(t, attr);
        if (v && strcmp(v, value) != 0)
            r_finding(c, SEV_INFO, t, NULL, "timer %s has %s='%s' set "
                      "explicitly; kept (recommended: %s)", name, attr, v,
                      value);
        return;
    }
    const char *attrs[] = {"name", name, attr, value, NULL};
    r_add(c, clock, "timer", NULL, attrs, "%s", why);
}

static void run_clock_timers(vt_rule_ctx *c)
{
    const vt_domain *d = r_domain(c);
    if (!r_x86(c))
        return;
    xmlNodePtr root = r_root(c);
    xmlNodePtr clock = r_child(root, "clock");
    if (!clock) {
        int win = d->os == OS_WINDOWS;
        const char *attrs[] = {"offset", win ? "localtime" : "utc", NULL};
        clock = r_insert(c, root, "clock", attrs,
                         "holds the guest timers; %s", win
                         ? "Windows keeps its RTC in local time"
                         : "the guest RTC runs in UTC");
    }
    for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++)
        add_timer(c, clock, timers[i].name, timers[i].attr, timers[i].value,
                  timers[i].why);
    if (d->os == OS_LINUX)
        add_timer(c, clock, "kvmclock", "present", "yes",
                  "Linux guests read time through kvmclock, the paravirtual "
                  "clock, without exits to the hypervisor");
    else if (d->os == OS_UNKNOWN)
        r_finding(c, SEV_INFO, clock, NULL,
                  "guest OS unknown (no libosinfo metadata): kvmclock, "
                  "which only Linux guests use, is left to libvirt's "
                  "default");
}

const vt_rule rule_clock_timers = {
    .id = "clock.timers",
    .summary = "hpet off, rtc catchup, pit delay, kvmclock for Linux (x86)",
    .profiles = PROFILE_ALL,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#time-keeping",
    .description =
        "Adds the timers virt-install and the tuning guides recommend to "
        "x86 guests: <timer name='rtc' tickpolicy='catchup'/>, <timer "
        "name='pit' tickpolicy='delay'/>, <timer name='hpet' "
        "present='no'/>, and <timer name='kvmclock' present='yes'/> for "
        "Linux guests (from the libosinfo metadata). Timers the domain "
        "already sets are kept.",
    .needs = "The architecture (x86 only); unknown: the domain's is used. The guest OS comes from the domain's libosinfo metadata; unknown: no kvmclock, with a finding.",
    .run = run_clock_timers,
};
