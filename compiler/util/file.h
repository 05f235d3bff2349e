/*
 * file.h - whole-file reading and atomic file writing: inputs are read at
 * once (bounded), outputs appear whole or not at all.
 */
#ifndef VT_FILE_H
#define VT_FILE_H

#include <stddef.h>

/* Inputs above this many bytes fail with EFBIG. */
#define VT_MAX_INPUT (64u << 20)

/* Reads all of PATH ("-" is stdin) into a NUL-terminated buffer owned by
 * the caller; *len gets its size. Returns NULL with errno set on failure
 * (a directory gives EISDIR). */
char *file_read(const char *path, size_t *len);

/* The same for an open FD (a pipe), read to its end; FD stays open. */
char *file_read_fd(int fd, size_t *len);
/* file_read_fd up to MAX bytes (EFBIG beyond) instead of VT_MAX_INPUT:
 * for what the tool's own child process sends. */
char *file_read_fd_max(int fd, size_t *len, size_t max);
/* file_read up to MAX bytes (EFBIG beyond). */
char *file_read_max(const char *path, size_t *len, size_t max);
/* Host descriptions may be larger than domains: a 4,096-node host's
 * snapshot is 68 MB. */
#define VT_MAX_HOST_INPUT (256u << 20)

/* Writes all of DATA to FD; returns 0 or -1 with errno set. */
int file_write_all(int fd, const char *data, size_t len);

/* A file written but not yet in place: a run stages every output first
 * and commits them all at the end, so that a failure or a signal on the
 * tenth file leaves none of the ten. */
typedef struct vt_staged {
    char *tmp;          /* the temporary file (.NAME.vtune-xml.XXXXXX in
                           the target's folder), or NULL (direct) */
    char *target;       /* the file it becomes */
    const char *data;   /* the bytes (borrowed) for direct and in-place */
    size_t len;
    int direct;         /* a device or pipe: written at commit */
    int inplace;        /* the target has other hard links: rewritten in
                           place at commit, so that every name sees it */
    /* what file_rollback needs after a commit: */
    char *backup;       /* a hard link to the replaced file
                           (.NAME.vtune-xml.old.XXXXXX), or NULL */
    char *old;          /* an in-place target's old bytes */
    size_t oldlen;
    int created;        /* there was no file: rollback removes it */
    int committed;
} vt_staged;

/* Writes LEN bytes of DATA to a temporary file beside PATH and fsyncs
 * it. An existing file's owner and group (where this process may set
 * them), mode and extended attributes go to the new file. PATH may be a
 * symlink: its target is replaced and the link kept. Returns 0, or -1
 * with errno set and nothing left behind. */
int file_stage(const char *path, const char *data, size_t len,
               vt_staged *out);
/* Puts a staged file in place (rename; or a write for a device or a
 * file with other hard links). Returns 0 or -1 with errno set. */
int file_commit(vt_staged *st);
/* Removes a staged file that is not to be committed. */
void file_unstage(vt_staged *st);
/* Undoes a commit (a later output of the run failed): the replaced file
 * is put back (its backup renamed over the target, or its old bytes
 * written back in place), a created one removed. A device's write
 * cannot be undone. Then as file_done. */
void file_rollback(vt_staged *st);
/* Ends a commit: the backup is removed, ST freed. */
void file_done(vt_staged *st);

/* SIGINT, SIGTERM and SIGHUP remove the staged files that exist and end
 * the process with 128 + the signal (main() installs it). */
/* Whether PATH is an existing file this process should not replace
 * unasked: no write permission bit (root may write it anyway), or none
 * for this user. Its mode goes to *MODE. */
int file_read_only(const char *path, unsigned *mode);

void file_signals(void);

/* Removes the temporary files staged now; async-signal-safe (for a
 * handler that ends the run, as the --timeout alarm does). */
void file_remove_temps(void);

/* Stages and commits one file: PATH written atomically. */
int file_write_atomic(const char *path, const char *data, size_t len);

#endif
