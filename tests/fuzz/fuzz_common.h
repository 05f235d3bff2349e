/*
 * fuzz_common.h - what the three libFuzzer harnesses (fuzz_domain.c,
 * fuzz_host.c, fuzz_policy.c) share: the quiet stderr, the report of a
 * broken invariant, set-up failures, the input as the pipeline receives
 * it and the host a harness tunes on. Compiled once (fuzz_common.c, an
 * object library of tests/fuzz/CMakeLists.txt) into each harness.
 */
#ifndef VT_FUZZ_COMMON_H
#define VT_FUZZ_COMMON_H

#include "host.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The real stderr, for invariant failures and set-up errors (stderr
 * itself goes to /dev/null after fz_init, see there). */
extern FILE *fz_log;

/* Call first in LLVMFuzzerInitialize. HARNESS ("fuzz_domain") prefixes
 * the harness's messages. vtune-xml, libxml2 and hwloc print through the
 * stdio stream `stderr`: it is pointed at /dev/null and the original FILE
 * kept in fz_log. File descriptor 2 stays open, so libFuzzer's status
 * lines and the sanitizer reports (written to fd 2) still show.
 * FUZZ_VERBOSE=1 keeps vtune-xml's own messages on stderr. Also
 * initializes libxml2. */
void fz_init(const char *harness);

/* Prints "\nHARNESS: INVARIANT BROKEN: WHAT" to fz_log (run.sh looks for
 * "INVARIANT BROKEN"); the caller adds what explains it, then calls
 * fz_abort. */
void fz_broken(const char *what);

/* Flushes fz_log and abort()s: libFuzzer saves the input as a crash. */
_Noreturn void fz_abort(void);

/* A set-up problem (no host, no temporary file): prints "HARNESS:
 * message" to fz_log and exits 2, which run.sh reports as an error. */
_Noreturn void fz_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* The SIZE bytes of DATA in a buffer NUL-terminated at [SIZE], as
 * file_read hands them to the pipeline; the caller frees it. */
char *fz_cstring(const uint8_t *data, size_t size);

/* host_load of the environment variable ENV when it is set and not
 * empty, else of DEFAULT_SRC ("synthetic:..."); fz_fatal when it does
 * not load. */
vt_host *fz_load_host(const char *env, const char *default_src);

#endif
