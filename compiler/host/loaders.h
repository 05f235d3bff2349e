/*
 * loaders.h - private to compiler/host/: the loaders load.c dispatches to
 * and the safe XML reading they share. Tests and fuzzers include it too.
 */
#ifndef VT_LOADERS_H
#define VT_LOADERS_H

#include "load.h"

/* Parses BUF (LEN bytes) of PATH as XML without network access, DTD
 * loading or entity substitution, and refuses a DOCTYPE that declares
 * entities. Returns the document (caller frees with xmlFreeDoc), or NULL
 * after printing "vtune-xml: PATH[:LINE]: message". */
struct _xmlDoc *host_xml_parse(const char *path, const char *buf,
                               size_t len);

/* The root element of an XML host description, read without building the
 * document (libxml2's reader stops there): its name, line and version
 * attribute ("" when absent). The DOCTYPE must declare no entities. 0, or
 * -1 after printing why (a document broken before its root: the full
 * parse's message, with its line). */
typedef struct vt_xml_head {
    char name[64];
    char version[32];
    long line;
} vt_xml_head;
int host_xml_root(const char *path, const char *buf, size_t len,
                  vt_xml_head *head);

/* --- loaders, called by host_load; each returns 0 or prints and returns 4.
 * BUF holds LEN bytes and is NUL-terminated at BUF[LEN], as
 * file_read returns it. */
int host_load_hwloc_xml(const char *path, const char *buf, size_t len,
                        vt_host **out);
/* the same in this process, without the child: for tests/fuzz, which
 * needs the coverage, and only on input the isolated loader accepted */
int host_load_hwloc_xml_inproc(const char *path, const char *buf,
                               size_t len, vt_host **out);
int host_load_hwloc_live(vt_host **out);
/* Synthetic descriptions are bounded (hwloc's time and memory grow
 * with the square of the CPUs: 65,536 take 23 s and 2 GB) and loaded in
 * a child with a 60 s limit, as XML files are. */
#define VT_SYNTHETIC_MAX_PUS 16384
#define VT_SYNTHETIC_MAX_NODES 4096
int host_load_hwloc_synthetic(const char *desc, vt_host **out);
int host_load_json(const char *path, const char *buf, size_t len,
                   vt_host **out);
/* Adds sysfs hugepage pools (total and free), isolcpus / nohz_full,
 * /proc/cpuinfo flags and SR-IOV PF links (sysfs physfn) of the running
 * machine to H, keeping H's documented order. Files are read below
 * $VTUNE_XML_SYSROOT (default: the real root). Returns 0. */
int host_live_extras(vt_host *h);

#endif
