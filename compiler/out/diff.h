/*
 * diff.h - unified diff of two texts, as `diff -u` / `git diff` print it,
 * so that `git apply` and `patch -p1` accept it.
 */
#ifndef VT_DIFF_H
#define VT_DIFF_H

#include <stddef.h>
#include "strbuf.h"

/* Appends to OUT the unified diff turning A (ALEN bytes) into B (BLEN
 * bytes), with headers "--- a/NAME" and "+++ b/NAME" and CONTEXT lines of
 * context (3 is the convention). Appends nothing when A and B are equal.
 * A last line without a newline gets "\ No newline at end of file".
 * Returns the number of hunks. */
int diff_unified(vt_strbuf *out, const char *name, const char *a, size_t alen,
                 const char *b, size_t blen, int context);

#endif
