/*
 * cmd.h - the tool's commands, one file each (tune.c, snapshot.c,
 * list_rules.c), as git's builtins, and what they share: main() parses
 * the command line and calls one of these, which returns the process exit
 * code.
 */
#ifndef VT_CMD_H
#define VT_CMD_H

#include "cli.h"
#include "connection.h"
#include "policy.h"

/* Tunes the domains named in O (the main job). */
int cmd_tune(const vt_cli *o);
/* `fit --host H... DOMAIN...`: how many copies of each domain, and of
 * their mix, fit each host when every copy is tuned (fit.c). */
int cmd_fit(const vt_cli *o);
/* Prints the JSON snapshot of the host named by O->host (or -o FILE). */
int cmd_snapshot(const vt_cli *o);
/* Prints the rules' metadata in O->list_rules format (O->inputs: more
 * formats or rule filters). */
int cmd_list_rules(const vt_cli *o);
/* `explain RULE...`: what each rule does, its parameters, its reference. */
int cmd_explain(const vt_cli *o);
/* --help[=FORMAT]: text (default), man or markdown (the manual's OPTIONS
 * section), completion (the words bash completion offers). */
int cmd_help(const char *format);

/* --- what the commands share --- */

/* The host of the command line: SRC (--host) when given, else URI's
 * capabilities when -c URI is given, else the live machine. Opens URI
 * when given (*conn, NULL otherwise; the caller closes it). Returns 0 or
 * prints and returns 4. */
int cmd_load_host(const char *src, const char *uri, vt_conn **conn, vt_host **out);
/* The same; with LIVE_WHEN_LOCAL, a URI of this machine's daemon
 * (cmd_uri_is_local) without SRC gives the live machine (hwloc, sysfs:
 * free hugepages, isolcpus) rather than the connection's capabilities. */
int cmd_load_host_for(const char *src, const char *uri, int live_when_local,
                      vt_conn **conn, vt_host **out);
/* 1 when URI (NULL: libvirt's default) is a daemon of this machine: no
 * host part, no remote transport, not the test driver. */
int cmd_uri_is_local(const char *uri);

/* The policy of the command line: --profile, --policy (or the domains'
 * .vtune-xml.json) and --enable/--disable/--set. Returns 0 or an exit
 * code (messages printed); *SOURCE is the policy file used, NULL for
 * none (tune.c). */
int cmd_build_policy(const vt_cli *o, vt_policy **out, char **source);

#endif
