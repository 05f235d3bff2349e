/*
 * stdout.c - the checked writer of standard output (see stdout.h).
 */
#include "stdout.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int was_closed;      /* stdout was closed when the run began */
static size_t written;      /* bytes asked to be written */
static int first_errno;     /* the first write's failure, 0: none */

void stdout_guard(void)
{
    if (fcntl(STDOUT_FILENO, F_GETFD) >= 0 || errno != EBADF)
        return;
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0 && fd != STDOUT_FILENO) {
        dup2(fd, STDOUT_FILENO);
        close(fd);
    }
    was_closed = 1;
}

void stdout_write(const void *buf, size_t len)
{
    if (!len)
        return;
    written += len;
    errno = 0;
    if (fwrite(buf, 1, len, stdout) != len && !first_errno)
        first_errno = errno ? errno : EIO;
}

void stdout_puts(const char *s)
{
    stdout_write(s, strlen(s));
}

int stdout_finish(int rc)
{
    int e = first_errno;
    if (was_closed && written && !e)
        e = EBADF;
    errno = 0;
    if (fflush(stdout) != 0 && !e)
        e = errno ? errno : EIO;
    if (ferror(stdout) && !e)
        e = EIO;
    errno = 0;
    if (fclose(stdout) != 0 && !e && !was_closed)
        e = errno ? errno : EIO;
    if (!e)
        return rc;
    vt_error("stdout", 0, "cannot write: %s", strerror(e));
    return rc <= VT_EXIT_CHANGES ? VT_EXIT_USAGE : rc;
}
