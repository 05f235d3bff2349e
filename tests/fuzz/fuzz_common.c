/*
 * fuzz_common.c - the helpers every libFuzzer harness uses (see
 * fuzz_common.h): the quiet stderr, invariant and set-up failures, the
 * NUL-terminated copy of the input, the host from the environment.
 */
#include "fuzz_common.h"
#include "alloc.h"
#include "load.h"

#include <libxml/parser.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

FILE *fz_log;
static const char *fz_harness = "fuzz";

void fz_init(const char *harness)
{
    const char *v = getenv("FUZZ_VERBOSE");
    fz_harness = harness;
    fz_log = stderr;
    xmlInitParser();
    if (v && *v && strcmp(v, "0") != 0)
        return;
    FILE *null = fopen("/dev/null", "w");
    if (null)
        stderr = null;
}

void fz_broken(const char *what)
{
    fprintf(fz_log, "\n%s: INVARIANT BROKEN: %s\n", fz_harness, what);
}

_Noreturn void fz_abort(void)
{
    fflush(fz_log);
    abort();
}

_Noreturn void fz_fatal(const char *fmt, ...)
{
    va_list ap;
    fprintf(fz_log, "%s: ", fz_harness);
    va_start(ap, fmt);
    vfprintf(fz_log, fmt, ap);
    va_end(ap);
    fputc('\n', fz_log);
    fflush(fz_log);
    exit(2);
}

char *fz_cstring(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

vt_host *fz_load_host(const char *env, const char *default_src)
{
    const char *src = getenv(env);
    if (!src || !*src)
        src = default_src;
    vt_host *h;
    if (host_load(src, &h) != 0)
        fz_fatal("cannot load host %s", src);
    return h;
}
