/*
 * util.c - exit codes, error messages, allocation, whole-file reading and
 * atomic writes (see util.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VT_MAX_INPUT (64u << 20)

static void vt_verror(const char *file, long line, const char *fmt, va_list ap)
{
    fputs(VT_PROG ": ", stderr);
    if (file) {
        if (line > 0)
            fprintf(stderr, "%s:%ld: ", file, line);
        else
            fprintf(stderr, "%s: ", file);
    }
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void vt_error(const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vt_verror(file, line, fmt, ap);
    va_end(ap);
}

int vt_fail(int code, const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vt_verror(file, line, fmt, ap);
    va_end(ap);
    return code;
}

static void oom(void)
{
    fputs(VT_PROG ": out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        oom();
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        oom();
    va_end(ap);
    return s;
}

char *read_fd_whole(int fd, size_t *len)
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

char *read_whole_file(const char *path, size_t *len)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        errno = EISDIR;
    else
        buf = read_fd_whole(fd, len);
    if (fd != STDIN_FILENO) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return buf;
}

int write_all(int fd, const char *data, size_t len)
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

int write_file_atomic(const char *path, const char *data, size_t len)
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
        int rc = write_all(fd, data, len), e = errno;
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
    int e = write_all(fd, data, len) < 0 ? errno : 0;
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

void sb_init(strbuf *sb)
{
    sb->cap = 256;
    sb->len = 0;
    sb->buf = xmalloc(sb->cap);
    sb->buf[0] = '\0';
}

void sb_add(strbuf *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap) {
        while (sb->len + n + 1 > sb->cap)
            sb->cap *= 2;
        sb->buf = xrealloc(sb->buf, sb->cap);
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sb_adds(strbuf *sb, const char *s)
{
    sb_add(sb, s, strlen(s));
}

void sb_addf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    sb_add(sb, s, (size_t)n);
    free(s);
}

char *sb_detach(strbuf *sb, size_t *len)
{
    char *b = sb->buf;
    if (len)
        *len = sb->len;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return b;
}

void sb_free(strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}
