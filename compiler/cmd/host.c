/*
 * host.c - the host a command works on (see cmd.h).
 */
#include "cmd.h"
#include "load.h"

int cmd_load_host(const char *src, const char *uri, vt_conn **conn, vt_host **out)
{
    *conn = NULL;
    if (uri) {
        int rc = connection_open(uri, conn);
        if (rc)
            return rc;
        if (!src) {
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
