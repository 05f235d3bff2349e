/*
 * clock_timers.c - clock.timers: the guest timers that cost least.
 *
 * The emulated HPET is slow to read and unneeded by modern guests (off);
 * the RTC catches up missed ticks, which keeps guest time right after a
 * pause; Linux guests use kvmclock, the paravirtual clock. Defaults are
 * not written out: KVM's in-kernel PIT already delays missed ticks
 * (kvm-pit's lost_tick_policy is delay, QEMU hw/i386/kvm/i8254.c) and
 * kvmclock is on for every KVM x86 guest. x86 only: these are PC
 * timers.
 */
#include "rule.h"

#include <string.h>

struct timer {
    const char *name, *attr, *value, *why;
};

static const struct timer timers[] = {
    {"rtc", "tickpolicy", "catchup", NULL},
    {"hpet", "present", "no", NULL},
};

/* Why the RTC catches up: who counts its ticks. */
static const char *rtc_why(enum vt_os os)
{
    if (os == OS_WINDOWS)
        return "Windows keeps time by counting RTC ticks: missed ones are "
               "delivered faster until it catches up (QEMU's default "
               "discards them), so its clock stays right after a pause or "
               "host overload";
    if (os == OS_LINUX)
        return "a Linux guest keeps time with kvmclock, not RTC ticks, so "
               "this matters only to programs that use the RTC's periodic "
               "interrupt (/dev/rtc): their missed ticks catch up instead "
               "of being discarded (QEMU's default)";
    return "missed RTC ticks are delivered faster until the guest catches "
           "up instead of being discarded (QEMU's default), so a guest that "
           "counts them keeps its clock right after a pause";
}

/* Why the HPET goes: what the guest reads instead. */
static const char *hpet_why(enum vt_os os)
{
    if (os == OS_WINDOWS)
        return "the emulated HPET is costly to read; without it Windows "
               "reads the Hyper-V reference clock (hypervclock, the hyperv "
               "rule) and takes its timers from the synthetic timers";
    if (os == OS_LINUX)
        return "the emulated HPET is costly to read; without it Linux "
               "reads kvmclock, the paravirtual clock KVM gives every x86 "
               "guest by default, or the TSC";
    return "the emulated HPET is costly to read and modern guests do not "
           "need it; without it they read a paravirtual clock (kvmclock, "
           "or Hyper-V's for Windows) or the TSC";
}

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
                  timers[i].why ? timers[i].why : i == 0 ? rtc_why(d->os)
                  : hpet_why(d->os));
    /* kvmclock is on by default for KVM x86 guests: not written out */
}

const vt_rule rule_clock_timers = {
    .id = "clock.timers",
    .summary = "hpet off, rtc catchup (x86)",
    .profiles = PROFILE_ALL,
    .params = r_no_params,
    .reference = "https://libvirt.org/formatdomain.html#time-keeping",
    .description =
        "Adds the timers virt-install and the tuning guides recommend to "
        "x86 guests: <timer name='rtc' tickpolicy='catchup'/> (QEMU's RTC "
        "discards missed ticks by default) and <timer name='hpet' "
        "present='no'/>; a new <clock> has offset='localtime' for Windows "
        "(its RTC runs in local time), else utc. Defaults are not written "
        "out: <timer name='pit' tickpolicy='delay'/>, which virt-install "
        "writes, is what KVM's in-kernel PIT does anyway (kvm-pit "
        "lost_tick_policy=delay, QEMU hw/i386/kvm/i8254.c), and kvmclock is "
        "KVM's default for x86 guests; Windows guests get the "
        "Hyper-V clock from the hyperv rule. Timers the domain already sets "
        "are kept.",
    .needs = "The architecture (x86 only); unknown: the domain's is used. The guest OS (the clock's offset, the reasons) comes from the domain's libosinfo metadata or the policy's guest.os.",
    .run = run_clock_timers,
};
