/*
 * diff.h - unified diff of two texts, as `diff -u` / `git diff` print it,
 * so that `git apply` and `patch -p1` accept it; and the same diff as
 * line ranges (hunks), for the SARIF report's fixes.
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

/* A hunk of the same diff without context: A's lines a_start ..
 * a_start + a_count - 1 (1-based) become B's lines b_start .. b_start +
 * b_count - 1. As in a hunk header, an empty range (count 0) starts at
 * the number of the line before it: "-19,0" inserts after line 19, "-0,0"
 * before line 1. The same lines as bytes: A's [a_off, a_off + a_len)
 * become B's [b_off, b_off + b_len), newlines included (an empty range
 * is where it would begin). */
typedef struct vt_diff_hunk {
    long a_start, a_count, b_start, b_count;
    size_t a_off, a_len, b_off, b_len;
} vt_diff_hunk;

/* The hunks of the diff turning A (ALEN bytes) into B (BLEN bytes) with 0
 * lines of context, in order, into *OUT (owned by the caller; NULL when
 * there are none): the changes diff_unified prints, each run of changed
 * lines a hunk of its own. Returns the number of hunks, 0 when A and B
 * are equal. Replacing each hunk's A bytes by its B bytes turns A into B
 * exactly. */
int diff_hunks(const char *a, size_t alen, const char *b, size_t blen,
               vt_diff_hunk **out);

#endif
