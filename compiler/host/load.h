/*
 * load.h - the host model from its sources, and the JSON snapshot back.
 *
 * One in-memory model, filled by exactly one loader (loaders.h):
 *   hwloc.c  hwloc 2.x XML file, the live machine, or a synthetic
 *            description ("synthetic:pack:2 numa:1 core:8 pu:2")
 *   caps.c   libvirt capabilities XML (`virsh capabilities`)
 *   json.c   the tool's own JSON snapshot (also writes it)
 *   live.c   what hwloc does not see on the live machine: free hugepages
 *            per node (sysfs), isolcpus / nohz_full, CPU flags
 * load.c detects the source kind from the content, never the file name.
 */
#ifndef VT_LOAD_H
#define VT_LOAD_H

#include "host.h"

/* Loads a host from SRC: NULL for the live machine, "synthetic:DESC", or a
 * file path ("-" is not accepted) whose content decides the kind.
 * On success returns 0 and *out (owned by the caller, host_free).
 * On failure prints "vtune-xml: SRC[:LINE]: message" to stderr and returns
 * 4 (VT_EXIT_HOST). */
int host_load(const char *src, vt_host **out);

/* Loads libvirt capabilities XML (LEN bytes of BUF, NUL-terminated at
 * BUF[LEN]) named NAME in messages, as `virConnectGetCapabilities`
 * returns them. Returns 0 and *out, or prints and returns 4. */
int host_load_caps(const char *name, const char *buf, size_t len,
                   vt_host **out);

/* The JSON snapshot (schemas/host.schema.json) of H, as a NUL-terminated
 * string owned by the caller (free), pretty-printed, deterministic. */
char *host_to_json(const vt_host *h);

#endif
