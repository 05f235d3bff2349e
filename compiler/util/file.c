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
#include <sys/xattr.h>
#include <signal.h>
#include <unistd.h>

char *file_read_fd(int fd, size_t *len)
{
    return file_read_fd_max(fd, len, VT_MAX_INPUT);
}

char *file_read_fd_max(int fd, size_t *len, size_t max)
{
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
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
    return file_read_max(path, len, VT_MAX_INPUT);
}

char *file_read_max(const char *path, size_t *len, size_t max)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        errno = EISDIR;
    else
        buf = file_read_fd_max(fd, len, max);
    if (fd != STDIN_FILENO) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return buf;
}

int file_read_only(const char *path, unsigned *mode)
{
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    *mode = st.st_mode & 07777;
    return (st.st_mode & 0222) == 0 ||
           (access(path, W_OK) < 0 && errno == EACCES);
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

/* ------------------------------------------------------------------ */
/* staged writes: every output of a run written first, renamed at the end */

/* The temporary files that exist now, for the signal handler: a fixed
 * table, so that the handler only reads it and calls unlink(). */
#define MAX_TEMPS 4096
static char *volatile temps[MAX_TEMPS];

static void temp_add(char *path)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (!temps[i]) {
            temps[i] = path;
            return;
        }
}

static void temp_drop(const char *path)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temps[i] == path)
            temps[i] = NULL;
}

void file_remove_temps(void)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temps[i])
            unlink(temps[i]);
}

static void on_signal(int sig)
{
    file_remove_temps();
    _exit(128 + sig);
}

void file_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Gives the new file FD what the file it replaces had: owner and group
 * (where this process may), then mode (chown clears set-id bits; they
 * are kept only with the owner), then extended attributes (SELinux
 * labels among them). Returns 0 or errno. */
static int keep_attributes(int fd, const char *target, const struct stat *st)
{
    mode_t mode = st->st_mode & 07777;
    if (fchown(fd, st->st_uid, st->st_gid) < 0) {
        if (errno != EPERM)
            return errno;
        /* not ours to give away: the new file is this process's, and
         * set-id bits would now run as it, so they are not kept */
        mode &= ~(mode_t)06000;
    }
    if (fchmod(fd, mode) < 0)
        return errno;
    ssize_t n = listxattr(target, NULL, 0);
    if (n <= 0)
        return 0;
    char *names = xmalloc((size_t)n);
    n = listxattr(target, names, (size_t)n);
    for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
        const char *name = names + off;
        ssize_t vl = getxattr(target, name, NULL, 0);
        if (vl < 0)
            continue;
        char *val = xmalloc((size_t)vl + 1);
        vl = getxattr(target, name, val, (size_t)vl);
        /* best effort: an attribute this process may not set stays off */
        if (vl >= 0)
            (void)fsetxattr(fd, name, val, (size_t)vl, 0);
        free(val);
    }
    free(names);
    return 0;
}

int file_stage(const char *path, const char *data, size_t len,
               vt_staged *out)
{
    memset(out, 0, sizeof *out);
    struct stat pst;
    if (stat(path, &pst) == 0 && !S_ISREG(pst.st_mode)) {
        /* a device or pipe (-o /dev/stdout) is written at commit, never
         * replaced */
        if (!S_ISCHR(pst.st_mode) && !S_ISFIFO(pst.st_mode)) {
            errno = S_ISDIR(pst.st_mode) ? EISDIR : EINVAL;
            return -1;
        }
        out->target = xstrdup(path);
        out->data = data;
        out->len = len;
        out->direct = 1;
        return 0;
    }
    /* Write through a symlink: replace its target, keep the link. */
    char *target = realpath(path, NULL);
    if (!target) {
        if (errno != ENOENT)
            return -1;
        target = xstrdup(path);
    }
    char *dircopy = xstrdup(target);
    const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1
                                            : target;
    /* recognizable: .NAME.vtune-xml.XXXXXX */
    char *tmp = xasprintf("%s/.%s.vtune-xml.XXXXXX", dirname(dircopy), base);
    free(dircopy);
    /* no signal between the file's creation and its registration, or
     * the handler would not know to remove it */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    int fd = mkstemp(tmp);
    if (fd >= 0)
        temp_add(tmp);
    int me = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        free(tmp);
        free(target);
        errno = me;
        return -1;
    }
    struct stat st;
    int e = 0;
    if (stat(target, &st) == 0) {
        e = keep_attributes(fd, target, &st);
        /* another name of the same file: rewritten in place at commit,
         * so that every name sees the new content */
        out->inplace = st.st_nlink > 1;
    } else {
        mode_t um = umask(0);
        umask(um);
        if (fchmod(fd, 0666 & ~um) < 0)
            e = errno;
    }
    if (!e && file_write_all(fd, data, len) < 0)
        e = errno;
    if (!e && fsync(fd) < 0)
        e = errno;
    if (close(fd) < 0 && !e)
        e = errno;
    out->tmp = tmp;
    out->target = target;
    out->data = data;
    out->len = len;
    if (e) {
        file_unstage(out);
        errno = e;
        return -1;
    }
    return 0;
}

/* Writes LEN bytes of DATA over the file PATH (truncated and synced when
 * TRUNC: a file, not a device). Returns 0 or errno. */
static int write_over(const char *path, const char *data, size_t len,
                      int trunc)
{
    int e = 0, fd = open(path, O_WRONLY | (trunc ? O_TRUNC : 0));
    if (fd < 0)
        return errno;
    if (file_write_all(fd, data, len) < 0 || (trunc && fsync(fd) < 0))
        e = errno;
    if (close(fd) < 0 && !e)
        e = errno;
    return e;
}

int file_commit(vt_staged *st)
{
    int e = 0;
    if (st->direct || st->inplace) {
        if (st->inplace)    /* kept to write back if the run fails later */
            st->old = file_read(st->target, &st->oldlen);
        e = write_over(st->target, st->data, st->len, st->inplace);
        if (st->tmp)
            unlink(st->tmp);
    } else {
        /* the file it replaces, kept under a second name until the whole
         * run is in place: a later failure puts it back */
        struct stat ts;
        if (lstat(st->target, &ts) == 0) {
            char *dircopy = xstrdup(st->target);
            const char *slash = strrchr(st->target, '/');
            char *bk = xasprintf("%s/.%s.vtune-xml.old.XXXXXX",
                                 slash ? dirname(dircopy) : ".",
                                 slash ? slash + 1 : st->target);
            free(dircopy);
            int fd = mkstemp(bk);
            if (fd >= 0) {
                close(fd);
                unlink(bk);
                if (link(st->target, bk) == 0) {
                    st->backup = bk;
                    temp_add(bk);
                    bk = NULL;
                }
            }
            free(bk);
        } else {
            st->created = 1;
        }
        if (rename(st->tmp, st->target) < 0) {
            e = errno;
            unlink(st->tmp);
        }
    }
    if (st->tmp)
        temp_drop(st->tmp);
    free(st->tmp);
    st->tmp = NULL;
    if (e) {
        file_done(st);
        errno = e;
        return -1;
    }
    st->committed = 1;
    return 0;
}

void file_rollback(vt_staged *st)
{
    if (st->committed && st->target) {
        if (st->inplace && st->old) {
            (void)write_over(st->target, st->old, st->oldlen, 1);
        } else if (st->backup) {
            if (rename(st->backup, st->target) == 0) {
                temp_drop(st->backup);
                free(st->backup);
                st->backup = NULL;
            }
        } else if (st->created) {
            unlink(st->target);
        }
    }
    file_done(st);
}

void file_done(vt_staged *st)
{
    if (st->backup) {
        unlink(st->backup);
        temp_drop(st->backup);
        free(st->backup);
    }
    free(st->old);
    free(st->target);
    st->backup = st->old = st->target = NULL;
    st->committed = 0;
}

void file_unstage(vt_staged *st)
{
    if (st->tmp) {
        unlink(st->tmp);
        temp_drop(st->tmp);
    }
    free(st->tmp);
    free(st->target);
    st->tmp = st->target = NULL;
}

int file_write_atomic(const char *path, const char *data, size_t len)
{
    vt_staged st;
    if (file_stage(path, data, len, &st) < 0 || file_commit(&st) < 0)
        return -1;
    file_done(&st);
    return 0;
}
