/*
 * domcaps.h - what `--apply --dry-run` asks libvirt before anything is
 * defined: does the connection's QEMU support what the tuned domain
 * uses? The domain capabilities (virsh domcapabilities) for the domain's
 * own emulator, architecture, machine and virt type are compared with the
 * domain: CPU mode, firmware and loader, TPM model and version, disk buses
 * and devices, hostdev types, video and graphics types, memory backing
 * source, iothreads, Hyper-V enlightenments, SEV, the vCPU maximum.
 */
#ifndef VT_DOMCAPS_H
#define VT_DOMCAPS_H

#include <stddef.h>

/* Compares domain XML (LEN bytes) with domain capabilities CAPS. Each
 * mismatch is printed as "vtune-xml: FILE: the connection's ... " on
 * stderr; returns how many there are (-1 when either document cannot be
 * parsed). */
int domcaps_check(const char *file, const char *xml, size_t len,
                  const char *caps);

/* The attributes of domain XML that domcapabilities is asked for: each
 * a newly allocated string or NULL (the connection's default). */
void domcaps_query(const char *xml, size_t len, char **emulator,
                   char **arch, char **machine, char **virttype);

#endif
