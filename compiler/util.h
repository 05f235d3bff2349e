/*
 * util.h - the small things every module needs: exit codes, error
 * messages in the tool's one format, allocation that never returns NULL,
 * whole-file reading and atomic file writing.
 */
#ifndef VT_UTIL_H
#define VT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Exit codes: doc/exit-codes (README) is the contract. */
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

/* Allocation that aborts with a message on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads all of PATH ("-" is stdin) into a NUL-terminated buffer owned by
 * the caller; *len gets its size. Returns NULL with errno set on failure
 * (a directory gives EISDIR). Inputs above 64 MiB fail with EFBIG. */
char *read_whole_file(const char *path, size_t *len);

/* The same for an open FD (a pipe), read to its end; FD stays open. */
char *read_fd_whole(int fd, size_t *len);

/* Writes all of DATA to FD; returns 0 or -1 with errno set. */
int write_all(int fd, const char *data, size_t len);

/* Writes LEN bytes of DATA to PATH atomically: a temporary file in the
 * same folder, fsync, rename. PATH may be a symlink: its target is
 * replaced and the link kept. The mode of an existing file is kept.
 * Returns 0, or -1 with errno set and nothing left behind. */
int write_file_atomic(const char *path, const char *data, size_t len);

/* A growable byte buffer. */
typedef struct strbuf {
    char *buf;      /* NUL-terminated, owned */
    size_t len, cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_add(strbuf *sb, const char *s, size_t n);
void sb_adds(strbuf *sb, const char *s);
void sb_addf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Returns the buffer (caller frees) and resets SB. */
char *sb_detach(strbuf *sb, size_t *len);
void sb_free(strbuf *sb);

#endif
