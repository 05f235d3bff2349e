/*
 * error.h - the exit codes of the tool and its one error format,
 * "vtune-xml: FILE:LINE: message" on stderr. The exit codes are the
 * contract documented in the README ("Exit codes") and the man page.
 */
#ifndef VT_ERROR_H
#define VT_ERROR_H

enum {
    VT_EXIT_OK = 0,         /* success; --check: nothing to change */
    VT_EXIT_CHANGES = 1,    /* --check found changes */
    VT_EXIT_USAGE = 2,      /* bad command line, unusable output path */
    VT_EXIT_DOMAIN = 3,     /* invalid domain input */
    VT_EXIT_HOST = 4,       /* invalid or unreadable host or policy */
    VT_EXIT_STRICT = 5,     /* infeasible under --strict */
    VT_EXIT_LIBVIRT = 6,    /* libvirt rejected the result */
    VT_EXIT_INTERNAL = 70   /* a bug in the tool (never expected) */
};

#define VT_PROG "vtune-xml"

/* Prints "vtune-xml: FILE:LINE: message\n" to stderr; FILE may be NULL
 * (then "vtune-xml: message"), LINE <= 0 leaves the line out. */
void vt_error(const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As vt_error, then returns CODE: `return vt_fail(4, path, 0, "...")`. */
int vt_fail(int code, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The message of the last vt_error/vt_fail, without "vtune-xml: FILE:
 * LINE: ", and its line in *LINE (0: none); "" before any. Static. For
 * reports that carry a file's error beside the other files' results. */
const char *vt_last_error(long *line);

#endif
