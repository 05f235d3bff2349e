/*
 * file.c - whole-file reading and atomic writes (see file.h).
 */
#include "file.h"
#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *file_read_fd(int fd, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= VT_MAX_INPUT) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *file_read(const char *path, size_t *len)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        errno = EISDIR;
    else
        buf = file_read_fd(fd, len);
    if (fd != STDIN_FILENO) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return buf;
}

int file_write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

int file_write_atomic(const char *path, const char *data, size_t len)
{
    struct stat pst;
    if (stat(path, &pst) == 0 && !S_ISREG(pst.st_mode)) {
        /* a device or pipe (-o /dev/stdout) is written, never replaced */
        if (!S_ISCHR(pst.st_mode) && !S_ISFIFO(pst.st_mode)) {
            errno = S_ISDIR(pst.st_mode) ? EISDIR : EINVAL;
            return -1;
        }
        int fd = open(path, O_WRONLY);
        if (fd < 0)
            return -1;
        int rc = file_write_all(fd, data, len), e = errno;
        if (close(fd) < 0 && !rc) {
            rc = -1;
            e = errno;
        }
        errno = e;
        return rc;
    }
    /* Write through a symlink: replace its target, keep the link. */
    char *target = realpath(path, NULL);
    if (!target) {
        if (errno != ENOENT)
            return -1;
        target = xstrdup(path);
    }
    char *dircopy = xstrdup(target);
    char *tmp = xasprintf("%s/.%s.XXXXXX", dirname(dircopy),
                          strrchr(target, '/') ? strrchr(target, '/') + 1
                                               : target);
    free(dircopy);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        free(target);
        errno = e;
        return -1;
    }
    struct stat st;
    mode_t mode = 0644;
    if (stat(target, &st) == 0)
        mode = st.st_mode & 07777;
    else {
        mode_t um = umask(0);
        umask(um);
        mode = 0666 & ~um;
    }
    int e = file_write_all(fd, data, len) < 0 ? errno : 0;
    if (!e && fchmod(fd, mode) < 0)
        e = errno;
    if (!e && fsync(fd) < 0)
        e = errno;
    if (close(fd) < 0 && !e)
        e = errno;
    if (!e && rename(tmp, target) < 0)
        e = errno;
    if (e)
        unlink(tmp);
    free(tmp);
    free(target);
    errno = e;
    return e ? -1 : 0;
}
