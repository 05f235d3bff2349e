/*
 * host.c - the host a command works on (see cmd.h).
 */
#include "cmd.h"
#include "load.h"

#include <string.h>

int cmd_uri_is_local(const char *uri)
{
    if (!uri)
        return 1;               /* libvirt's default: this machine's */
    size_t drv = strcspn(uri, "+:");
    if (drv == 4 && !strncmp(uri, "test", 4))
        return 0;               /* the test driver's host is made up */
    const char *t = uri + drv;
    if (*t == '+') {
        size_t tl = strcspn(t + 1, ":");
        if (!(tl == 4 && !strncmp(t + 1, "unix", 4)))
            return 0;           /* ssh, tcp, tls, libssh...: another host */
        t += 1 + tl;
    }
    if (strncmp(t, "://", 3))
        return 0;
    const char *h = t + 3;      /* the host part, up to the path */
    return *h == '/' || !*h;
}

int cmd_load_host(const char *src, const char *uri, vt_conn **conn, vt_host **out)
{
    return cmd_load_host_for(src, uri, 0, conn, out);
}

int cmd_load_host_for(const char *src, const char *uri, int live_when_local,
                      vt_conn **conn, vt_host **out)
{
    *conn = NULL;
    if (uri) {
        int rc = connection_open(uri, conn);
        if (rc)
            return rc;
        if (!src && !(live_when_local && cmd_uri_is_local(uri))) {
            rc = connection_host(*conn, out);
            if (rc) {
                connection_close(*conn);
                *conn = NULL;
            }
            return rc;
        }
    }
    int rc = host_load(src, out);
    if (rc) {
        connection_close(*conn);
        *conn = NULL;
    }
    return rc;
}
