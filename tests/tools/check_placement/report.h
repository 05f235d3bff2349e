/*
 * report.h - what vt-check-placement prints: a violation of an
 * invariant on stdout, an input error on stderr; its exit codes.
 */
#ifndef CKP_REPORT_H
#define CKP_REPORT_H

#include <hwloc.h>

#define PROG "vt-check-placement"
#define EXIT_VIOLATION 1
#define EXIT_INPUT 2

/* The violations reported so far. */
extern int nviolations;

/* "FILE: INV: detail" on stdout, counted in nviolations. */
void violation(const char *file, const char *inv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "vt-check-placement: [FILE: ]message" on stderr. */
void input_error(const char *file, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A CPU or node list as text; the caller frees. */
char *fmt_set(hwloc_const_bitmap_t set);

#endif
