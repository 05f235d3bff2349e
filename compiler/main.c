/*
 * main.c - entry point: parse the command line, run one command.
 */
#include "cmd.h"
#include "connection.h"
#include "options.h"
#include "file.h"
#include "stdout.h"

#include <libxml/parser.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    /* a file size limit (ulimit -f) makes write() fail with EFBIG, which
     * is reported, instead of killing the process half way */
    signal(SIGXFSZ, SIG_IGN);
    stdout_guard();
    file_signals();
    vt_cli o;
    int rc = cli_parse(argc, argv, &o);
    if (rc) {
        cli_free(&o);
        return rc;
    }
    connection_set_timeout(o.timeout >= 0 ? (unsigned)o.timeout
                                          : VT_TIMEOUT_DEFAULT);
    xmlInitParser();
    if (o.help) {
        rc = cmd_help(o.help);
    } else if (o.version)
        stdout_puts("vtune-xml " VT_VERSION "\n");
    else if (o.list_rules)
        rc = cmd_list_rules(&o);
    else if (o.explain_rules)
        rc = cmd_explain(&o);
    else if (o.snapshot)
        rc = cmd_snapshot(&o);
    else if (o.fit)
        rc = cmd_fit(&o);
    else
        rc = cmd_tune(&o);
    cli_free(&o);
    xmlCleanupParser();
    return stdout_finish(rc);
}
