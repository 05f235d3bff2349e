/*
 * stdout.h - the one writer of standard output. Every command writes its
 * output through stdout_write, and main() ends with stdout_finish, which
 * checks every write, the final flush and the close: a full disk
 * (/dev/full), a file size limit (ulimit -f) or a closed stdout (>&-)
 * is one line, "vtune-xml: stdout: cannot write: REASON", and exit 2,
 * never a truncated report and exit 0.
 */
#ifndef VT_STDOUT_H
#define VT_STDOUT_H

#include <stddef.h>

/* At start-up: when stdout is closed, /dev/null takes its descriptor, so
 * that no file the run opens becomes descriptor 1 and receives the
 * output; stdout_finish then reports the closed stdout if anything was
 * to be written. */
void stdout_guard(void);

/* Writes LEN bytes of BUF to stdout; remembers the first failure. */
void stdout_write(const void *buf, size_t len);

/* The same for a C string. */
void stdout_puts(const char *s);

/* Flushes and closes stdout. Returns RC, or 2 (when RC is 0 or 1) after
 * printing why when any write, the flush or the close failed. */
int stdout_finish(int rc);

#endif
