/*
 * snapshot.c - `vtune-xml snapshot`: loads any host source (the live
 * machine by default) and prints the JSON snapshot, the fast, complete
 * form that CI runs use.
 */
#include "cmd.h"
#include "connection.h"
#include "error.h"
#include "file.h"
#include "host.h"
#include "stdout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_snapshot(const vt_cli *o)
{
    unsigned mode;
    if (o->out && !o->force && file_read_only(o->out, &mode))
        return vt_fail(VT_EXIT_USAGE, o->out, 0, "is read-only (mode %04o): "
                       "--force replaces it", mode);
    vt_host *h;
    vt_conn *conn;
    int rc = cmd_load_host(o->host, o->uri, &conn, &h);
    if (rc)
        return rc;
    connection_close(conn);
    char *json = host_to_json(h);
    size_t len = strlen(json);
    if (o->out) {
        if (file_write_atomic(o->out, json, len) < 0)
            rc = vt_fail(VT_EXIT_USAGE, o->out, 0, "cannot write: %s",
                         strerror(errno));
    } else {
        stdout_write(json, len);
    }
    free(json);
    host_free(h);
    return rc;
}
