/*
 * units.h - libvirt's size units (formatdomain "Memory Allocation";
 * virScaleInteger in libvirt's src/util/virutil.c): b, byte, bytes;
 * k or KiB (1024), KB (1000); likewise M, G, T, P and E; compared
 * case-insensitively.
 */
#ifndef VT_UNITS_H
#define VT_UNITS_H

/* Bytes in one UNIT, or 0 when libvirt does not know the unit. */
unsigned long long units_bytes(const char *unit);

/* Parses a count as libvirt writes one (<vcpu>, <memory>): a decimal
 * integer, blanks around it allowed. Returns 0, or -1 when S is not one or
 * does not fit 64 bits. */
int units_count(const char *s, unsigned long long *out);

/* Parses VALUE (a decimal integer, blanks around it allowed) in UNIT
 * (NULL: KiB, libvirt's default) into KiB, rounded up to a whole KiB.
 * Returns 0, or -1 when the value is not a number, the unit is unknown or
 * the size does not fit 64 bits. */
int units_kib(const char *value, const char *unit, unsigned long long *kib);

/* A page or memory size of KIB in words, into BUF (N): "1 GiB", "2 MiB",
 * "64 KiB" (the largest unit it is a whole number of). Returns BUF. */
const char *units_name(unsigned long long kib, char *buf, unsigned long n);

/* The same size as the kernel's command line writes it (hugepagesz=):
 * "1G", "2M", "64K". Returns BUF. */
const char *units_kernel(unsigned long long kib, char *buf, unsigned long n);

#endif
