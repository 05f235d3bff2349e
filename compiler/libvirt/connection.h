/*
 * connection.h - what a libvirt connection (-c URI) tells vtune-xml: the
 * host's capabilities (when no --host is given) and the domains already
 * defined there, whose CPUs and memory placement must not give again.
 * The only module that talks to libvirt; it works with any URI, including
 * the in-process test:///default driver that needs no daemon.
 */
#ifndef VT_CONNECTION_H
#define VT_CONNECTION_H

#include "load.h"
#include "usage.h"

typedef struct vt_conn vt_conn;

/* Opens URI (NULL: libvirt's default) read-only. Returns 0 and *out
 * (connection_close), or prints "vtune-xml: URI: message" and returns
 * 4. */
/* Bounds connecting and every libvirt call that follows to SECONDS
 * (--timeout; 0: no bound). A call that gets no answer in time ends the
 * run: one line naming the URI and what was asked, the staged outputs
 * removed, and the exit code of what was asked (4 reading the host, 6
 * defining). The default is VT_TIMEOUT_DEFAULT. */
#define VT_TIMEOUT_DEFAULT 30
void connection_set_timeout(unsigned seconds);

int connection_open(const char *uri, vt_conn **out);
/* The same, read-write: libvirt gives domain capabilities only to
 * those who may define domains (--apply --dry-run). */
int connection_open_rw(const char *uri, vt_conn **out);
void connection_close(vt_conn *c);

/* Loads the host from the connection's capabilities (virsh capabilities).
 * Returns 0 and *out, or prints and returns 4. */
int connection_host(vt_conn *c, vt_host **out);

/* Adds to U what every domain defined on the connection takes, except
 * those whose name is in SKIP (NSKIP names; the domains being tuned now,
 * which their new definition replaces). Returns the number of domains
 * accounted, or -1 after printing an error (exit 4). */
int connection_add_usage(vt_conn *c, const vt_host *h, vt_usage *u,
                         const vt_pools *pools,
                         const char *const *skip, int nskip);

/* A domain defined on the connection, as libvirt keeps it. */
typedef struct vt_defined {
    char *name;
    char *xml;              /* its inactive (persistent) definition */
    char *live_xml;         /* running: the definition it runs with */
    int active;             /* running now */
} vt_defined;

/* Every domain defined on the connection, by name, into *OUT (free with
 * connection_defined_free). Returns how many, or -1 after printing an
 * error (exit 4). */
int connection_defined(vt_conn *c, vt_defined **out);
void connection_defined_free(vt_defined *d, int n);

/* The connection's domain capabilities (virsh domcapabilities) for the
 * emulator, architecture, machine type and virt type given (NULL: the
 * connection's defaults), as XML owned by the caller; NULL with libvirt's
 * message in ERR (N bytes) when it gives none (the test driver, an old
 * libvirt). */
char *connection_domcaps(vt_conn *c, const char *emulator, const char *arch,
                         const char *machine, const char *virttype,
                         char *err, size_t n);

/* One domain of a run to define: its file (for messages), tuned XML and
 * <name>. */
typedef struct vt_define {
    const char *file;
    const char *xml;
    const char *name;
} vt_define;

/* Defines the N domains of DEFS on URI (NULL: libvirt's default)
 * through one connection, in order, with validation. When one is
 * refused, those this call defined are undone: a domain it replaced gets
 * its old definition back, a new one is undefined; then libvirt's message
 * is printed as "vtune-xml: FILE: libvirt rejected the domain: ..." and
 * 6 returned. On success prints "defined NAME (UUID)" for each and
 * returns 0. */
int connection_define_all(const char *uri, const vt_define *defs, int n);

#endif
