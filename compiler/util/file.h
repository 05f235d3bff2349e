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

/* Writes all of DATA to FD; returns 0 or -1 with errno set. */
int file_write_all(int fd, const char *data, size_t len);

/* Writes LEN bytes of DATA to PATH atomically: a temporary file in the
 * same folder, fsync, rename. PATH may be a symlink: its target is
 * replaced and the link kept. The mode of an existing file is kept.
 * Returns 0, or -1 with errno set and nothing left behind. */
int file_write_atomic(const char *path, const char *data, size_t len);

#endif
