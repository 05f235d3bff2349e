/*
 * connection.c - reads a libvirt connection: capabilities and the domains
 * defined there (see connection.h).
 *
 * libvirt is loaded with dlopen() only when a connection is used: linked
 * in, its library and the fifty it pulls in cost ten times the whole
 * start-up of a run that never talks to libvirt (see doc/performance.md).
 */
#include "connection.h"
#include "alloc.h"
#include "error.h"
#include "file.h"
#include "stdout.h"

#include <dlfcn.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The libvirt functions vtune-xml calls, resolved from libvirt.so.0. */
#define VIR_FUNCTIONS(X) \
    X(virSetErrorFunc) \
    X(virGetLastErrorMessage) \
    X(virConnectOpenReadOnly) \
    X(virConnectOpen) \
    X(virConnectClose) \
    X(virConnectGetCapabilities) \
    X(virConnectListAllDomains) \
    X(virDomainGetName) \
    X(virDomainIsActive) \
    X(virDomainGetXMLDesc) \
    X(virDomainFree) \
    X(virDomainDefineXMLFlags) \
    X(virDomainGetUUIDString) \
    X(virConnectGetDomainCapabilities) \
    X(virDomainUndefine) \
    X(virDomainDefineXML)

#define DECLARE(f) static __typeof__(f) *p_##f;
VIR_FUNCTIONS(DECLARE)
#undef DECLARE

/* Loads libvirt once; returns 0, or -1 with a message in ERR. */
static int load_libvirt(char *err, size_t n)
{
    static void *lib;
    if (lib)
        return 0;
    void *h = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, n, "cannot load libvirt (libvirt.so.0): %s; install "
                 "libvirt0", dlerror());
        return -1;
    }
#define RESOLVE(f)                                                         \
    if (!(p_##f = (__typeof__(f) *)dlsym(h, #f))) {                        \
        snprintf(err, n, "libvirt.so.0 has no %s", #f);                   \
        dlclose(h);                                                         \
        return -1;                                                          \
    }
    VIR_FUNCTIONS(RESOLVE)
#undef RESOLVE
    lib = h;
    return 0;
}

/* ------------------------------------------------------------------ */
/* --timeout: a libvirt call that never returns (a host that accepts the
 * connection and never answers, a black-holed address) would block a
 * provisioning pipeline for minutes; libvirt's client has no bound of
 * its own on connecting or on a call. An alarm bounds each one. */

static unsigned timeout_s = VT_TIMEOUT_DEFAULT;
static char alarm_msg[640];
static size_t alarm_len;
static int alarm_code;

void connection_set_timeout(unsigned seconds)
{
    timeout_s = seconds;
}

static void on_alarm(int sig)
{
    (void)sig;
    ssize_t w = write(STDERR_FILENO, alarm_msg, alarm_len);
    (void)w;
    file_remove_temps();
    _exit(alarm_code);
}

/* Arms the alarm for one call: URI, what is asked ("connecting"), the
 * exit code and what else the message says (or ""). */
static void deadline(const char *uri, const char *what, int code,
                     const char *more)
{
    if (!timeout_s)
        return;
    int n = snprintf(alarm_msg, sizeof alarm_msg, VT_PROG ": %s: no answer "
                     "within %u s while %s (--timeout)%s\n", uri ? uri :
                     "libvirt's default URI", timeout_s, what, more);
    alarm_len = n < 0 ? 0 : (size_t)n < sizeof alarm_msg ? (size_t)n
                                                         : sizeof alarm_msg - 1;
    alarm_code = code;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigfillset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm(timeout_s);
}

static void deadline_off(void)
{
    alarm(0);
}

struct vt_conn {
    char *uri;
    virConnectPtr conn;
};

/* libvirt prints every error by default; we report them ourselves. */
static void quiet(void *data, virErrorPtr err)
{
    (void)data, (void)err;
}

/* libvirt's last error as one line (its schema errors span several). */
static const char *last_error(void)
{
    static char line[1024];
    const char *m = p_virGetLastErrorMessage();
    snprintf(line, sizeof line, "%s", m ? m : "unknown libvirt error");
    for (char *p = line; *p; p++)
        if (*p == '\n')
            *p = p[1] ? ';' : '\0';
    return line;
}

/* libxml2 inside libvirt prints parse warnings through the generic
 * handler; the error libvirt returns says it all. */
static void quiet_xml(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

static int open_conn(const char *uri, int rw, vt_conn **out);

int connection_open(const char *uri, vt_conn **out)
{
    return open_conn(uri, 0, out);
}

int connection_open_rw(const char *uri, vt_conn **out)
{
    return open_conn(uri, 1, out);
}

/* A URI libvirt could only fail on obscurely: empty, or a scheme no
 * libvirt driver has (libvirt blames a CA certificate for "bogus://x").
 * Returns 0, or prints and returns 4. */
static int check_uri(const char *uri)
{
    static const char *const drivers[] = {"qemu", "test", "lxc", "xen",
        "libxl", "vbox", "vmwareplayer", "vmwarews", "vmwarefusion", "esx",
        "gsx", "vpx", "hyperv", "bhyve", "ch", "vz", "openvz", "phyp",
        "interface", "network", "nodedev", "nwfilter", "secret", "storage",
        NULL};
    if (!uri)
        return 0;
    if (!*uri)
        return vt_fail(VT_EXIT_HOST, "-c", 0, "an empty URI: give one "
                       "(qemu:///system, test:///default) or leave out -c");
    size_t n = strcspn(uri, "+:");
    if (!strchr(uri, ':'))
        return vt_fail(VT_EXIT_HOST, uri, 0, "not a libvirt URI (expected "
                       "DRIVER[+TRANSPORT]://[HOST]/PATH, e.g. "
                       "qemu:///system)");
    for (int i = 0; drivers[i]; i++)
        if (strlen(drivers[i]) == n && !strncmp(uri, drivers[i], n))
            return 0;
    return vt_fail(VT_EXIT_HOST, uri, 0, "unknown libvirt driver '%.*s' in "
                   "the URI (qemu, test, lxc, xen, ch, bhyve, esx, ...)",
                   (int)n, uri);
}

static int open_conn(const char *uri, int rw, vt_conn **out)
{
    if (check_uri(uri))
        return VT_EXIT_HOST;
    char err[256];
    if (load_libvirt(err, sizeof err) < 0)
        return vt_fail(VT_EXIT_HOST, uri, 0, "%s", err);
    p_virSetErrorFunc(NULL, quiet);
    xmlSetGenericErrorFunc(NULL, quiet_xml);
    deadline(uri, "connecting", VT_EXIT_HOST, "");
    virConnectPtr conn = rw ? p_virConnectOpen(uri)
                            : p_virConnectOpenReadOnly(uri);
    deadline_off();
    xmlSetGenericErrorFunc(NULL, NULL);
    const char *shown = uri ? uri : "libvirt's default URI";
    if (!conn)
        return vt_fail(VT_EXIT_HOST, shown, 0, "cannot connect: %s",
                       last_error());
    vt_conn *c = xcalloc(1, sizeof *c);
    c->uri = xstrdup(shown);
    c->conn = conn;
    *out = c;
    return 0;
}

void connection_close(vt_conn *c)
{
    if (!c)
        return;
    deadline(c->uri, "closing the connection", VT_EXIT_HOST, "");
    p_virConnectClose(c->conn);
    deadline_off();
    free(c->uri);
    free(c);
}

int connection_host(vt_conn *c, vt_host **out)
{
    deadline(c->uri, "reading its capabilities", VT_EXIT_HOST, "");
    char *caps = p_virConnectGetCapabilities(c->conn);
    deadline_off();
    if (!caps)
        return vt_fail(VT_EXIT_HOST, c->uri, 0, "cannot read capabilities: "
                       "%s", last_error());
    char *name = xasprintf("%s (capabilities)", c->uri);
    int rc = host_load_caps(name, caps, strlen(caps), out);
    free(name);
    free(caps);
    return rc;
}

static int skipped(const char *name, const char *const *skip, int nskip)
{
    for (int i = 0; i < nskip; i++)
        if (skip[i] && name && strcmp(skip[i], name) == 0)
            return 1;
    return 0;
}

int connection_add_usage(vt_conn *c, const vt_host *h, vt_usage *u,
                         const vt_pools *pools,
                         const char *const *skip, int nskip)
{
    virDomainPtr *doms = NULL;
    deadline(c->uri, "listing its domains", VT_EXIT_HOST, "");
    int n = p_virConnectListAllDomains(c->conn, &doms, 0);
    deadline_off();
    if (n < 0) {
        vt_error(c->uri, 0, "cannot list domains: %s", last_error());
        return -1;
    }
    int counted = 0;
    for (int i = 0; i < n; i++) {
        const char *name = p_virDomainGetName(doms[i]);
        /* a running domain holds what its live definition says */
        deadline(c->uri, "reading its domains", VT_EXIT_HOST, "");
        int active = p_virDomainIsActive(doms[i]) == 1;
        unsigned flags = active ? 0 : VIR_DOMAIN_XML_INACTIVE;
        if (skipped(name, skip, nskip)) {
            /* tuned now, its new definition replaces it; but running, what
             * it holds is missing from a measured free count: credited
             * back (usage_add_held) */
            char *live = active ? p_virDomainGetXMLDesc(doms[i], 0) : NULL;
            deadline_off();
            usage_add_held_xml(u, h, live, name, pools);
            free(live);
            p_virDomainFree(doms[i]);
            continue;
        }
        /* a domain whose definition cannot be read would hold CPUs and
         * memory nobody knows of: an error, not a guess */
        char *xml = p_virDomainGetXMLDesc(doms[i], flags);
        deadline_off();
        xmlDocPtr doc = xml ? xmlReadMemory(xml, (int)strlen(xml), name,
                                            NULL, XML_PARSE_NONET |
                                            XML_PARSE_NOERROR |
                                            XML_PARSE_NOWARNING) : NULL;
        if (!doc) {
            vt_error(c->uri, 0, "cannot read the definition of domain "
                     "'%s': %s", name ? name : "?", xml ? "not well-formed "
                     "XML" : last_error());
            counted = -1;
        } else if (counted >= 0) {
            (active ? usage_add_running_domain : usage_add_domain)(u, h, doc,
                                                                pools);
            counted++;
        }
        xmlFreeDoc(doc);
        free(xml);
        p_virDomainFree(doms[i]);
    }
    free(doms);
    return counted;
}

static int cmp_defined(const void *a, const void *b)
{
    return strcmp(((const vt_defined *)a)->name, ((const vt_defined *)b)->name);
}

int connection_defined(vt_conn *c, vt_defined **out)
{
    virDomainPtr *doms = NULL;
    *out = NULL;
    deadline(c->uri, "listing its domains", VT_EXIT_HOST, "");
    int n = p_virConnectListAllDomains(c->conn, &doms,
                                       VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
    deadline_off();
    if (n < 0) {
        vt_error(c->uri, 0, "cannot list domains: %s", last_error());
        return -1;
    }
    vt_defined *d = xcalloc((size_t)n + 1, sizeof *d);
    int k = 0, rc = 0;
    for (int i = 0; i < n; i++) {
        deadline(c->uri, "reading its domains", VT_EXIT_HOST, "");
        const char *name = p_virDomainGetName(doms[i]);
        char *xml = p_virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
        int active = p_virDomainIsActive(doms[i]) == 1;
        /* what a running domain holds now: its live definition */
        char *live = xml && active ? p_virDomainGetXMLDesc(doms[i], 0) : NULL;
        deadline_off();
        if (!xml || !name || (active && !live)) {
            if (!rc)
                vt_error(c->uri, 0, "cannot read the definition of domain "
                         "'%s': %s", name ? name : "?", last_error());
            rc = -1;
        } else {
            d[k++] = (vt_defined){xstrdup(name), xml, live, active};
            xml = live = NULL;
        }
        free(xml);
        free(live);
        p_virDomainFree(doms[i]);
    }
    free(doms);
    if (rc) {
        connection_defined_free(d, k);
        return -1;
    }
    qsort(d, (size_t)k, sizeof *d, cmp_defined);
    *out = d;
    return k;
}

void connection_defined_free(vt_defined *d, int n)
{
    for (int i = 0; d && i < n; i++) {
        free(d[i].name);
        free(d[i].xml);
        free(d[i].live_xml);
    }
    free(d);
}

char *connection_domcaps(vt_conn *c, const char *emulator, const char *arch,
                         const char *machine, const char *virttype,
                         char *err, size_t n)
{
    deadline(c->uri, "reading its domain capabilities", VT_EXIT_HOST, "");
    char *caps = p_virConnectGetDomainCapabilities(c->conn, emulator, arch,
                                                   machine, virttype, 0);
    deadline_off();
    if (!caps)
        snprintf(err, n, "%s", last_error());
    return caps;
}

int connection_define_all(const char *uri, const vt_define *defs, int n)
{
    char err[256];
    if (load_libvirt(err, sizeof err) < 0)
        return vt_fail(VT_EXIT_LIBVIRT, uri ? uri : "libvirt", 0, "%s", err);
    p_virSetErrorFunc(NULL, quiet);
    xmlSetGenericErrorFunc(NULL, quiet_xml);
    deadline(uri, "connecting", VT_EXIT_LIBVIRT, "; nothing defined, "
             "nothing written");
    virConnectPtr conn = p_virConnectOpen(uri);
    deadline_off();
    xmlSetGenericErrorFunc(NULL, NULL);
    if (!conn)
        return vt_fail(VT_EXIT_LIBVIRT, uri ? uri : "libvirt", 0,
                       "cannot connect: %s", last_error());
    virDomainPtr *done = xcalloc((size_t)n + 1, sizeof *done);
    char **old = xcalloc((size_t)n + 1, sizeof *old);
    /* what each define replaces, to put back if a later one fails: the
     * definitions of the domains of those names, read first */
    virDomainPtr *have = NULL;
    deadline(uri, "reading the domains it has", VT_EXIT_LIBVIRT, "; nothing "
             "defined, nothing written");
    int nhave = p_virConnectListAllDomains(conn, &have, 0);
    for (int i = 0; i < nhave; i++) {
        const char *nm = p_virDomainGetName(have[i]);
        for (int k = 0; nm && k < n; k++)
            if (defs[k].name && !old[k] && !strcmp(nm, defs[k].name))
                old[k] = p_virDomainGetXMLDesc(have[i],
                                               VIR_DOMAIN_XML_INACTIVE |
                                               VIR_DOMAIN_XML_SECURE);
        p_virDomainFree(have[i]);
    }
    deadline_off();
    free(have);
    int rc = 0, k = 0;
    for (; k < n && !rc; k++) {
        char what[320];
        const char *more = k ? "; whether libvirt defined it is not "
            "known, the domains this run defined before it stay defined, "
            "nothing written" : "; whether libvirt defined it is not known, "
            "nothing written";
        snprintf(what, sizeof what, "defining domain '%.200s'",
                 defs[k].name ? defs[k].name : "?");
        deadline(uri, what, VT_EXIT_LIBVIRT, more);
        done[k] = p_virDomainDefineXMLFlags(conn, defs[k].xml,
                                            VIR_DOMAIN_DEFINE_VALIDATE);
        deadline_off();
        if (!done[k])
            rc = vt_fail(VT_EXIT_LIBVIRT, defs[k].file, 0, "libvirt rejected "
                         "the domain: %s%s", last_error(), k ? "; the "
                         "domains this run defined before it are undone" : "");
    }
    deadline(uri, rc ? "undoing this run's defines" : "reading the "
             "defined domains' UUIDs", VT_EXIT_LIBVIRT, rc ? "; some domains "
             "of this run may stay defined, nothing written" : "; every "
             "domain is defined, nothing written");
    for (int i = 0; i < n; i++) {
        if (!done[i])
            continue;
        if (rc) {
            /* undo, newest first is not needed: names are distinct */
            if (old[i]) {
                virDomainPtr back = p_virDomainDefineXML(conn, old[i]);
                if (back)
                    p_virDomainFree(back);
            } else {
                p_virDomainUndefine(done[i]);
            }
        } else {
            char uuid[VIR_UUID_STRING_BUFLEN];
            if (p_virDomainGetUUIDString(done[i], uuid) < 0)
                snprintf(uuid, sizeof uuid, "?");
            /* libvirt changes a running domain's persistent definition
             * only: its live state stays until it is started again */
            int running = p_virDomainIsActive(done[i]) == 1;
            char *line = xasprintf("defined %s (%s)%s\n",
                                   p_virDomainGetName(done[i]), uuid,
                                   running ? "; running: the new definition "
                                   "takes effect at its next start" : "");
            stdout_puts(line);
            free(line);
        }
        p_virDomainFree(done[i]);
    }
    for (int i = 0; i < n; i++)
        free(old[i]);
    free(old);
    free(done);
    p_virConnectClose(conn);
    deadline_off();
    return rc;
}
