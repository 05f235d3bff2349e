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

#endif
