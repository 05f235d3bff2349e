/*
 * test_diff.c - unit tests for diff_unified (compiler/out/diff.c): exact
 * output for hand-made cases, an in-process property test (the diff is
 * well formed, applies, and is minimal against an LCS computed by dynamic
 * programming), and a property test against the real tools: `patch -p1`
 * and `git apply` must turn the old text into the new one, and GNU
 * `diff -u` must find the same number of added and removed lines.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "diff.h"
#include "file.h"
#include "strbuf.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* Runs diff_unified on two C strings with name "f"; returns the output
 * (caller frees) and the hunk count in *HUNKS. */
static char *udiff(const char *a, const char *b, int context, int *hunks)
{
    vt_strbuf out;
    strbuf_init(&out);
    *hunks = diff_unified(&out, "f", a, strlen(a), b, strlen(b), context);
    return strbuf_detach(&out, NULL);
}

/* Asserts that diffing A and B gives exactly EXPECT and NHUNKS hunks. */
static void check_diff(const char *a, const char *b, int context,
                       const char *expect, int nhunks)
{
    int hunks;
    char *got = udiff(a, b, context, &hunks);
    assert_string_equal(got, expect);
    assert_int_equal(hunks, nhunks);
    free(got);
}

/* "1\n2\n...N\n", with line K replaced by REPL (if K > 0) and line K2
 * replaced by REPL2 (if K2 > 0). */
static char *numbered(int n, int k, const char *repl, int k2,
                      const char *repl2)
{
    vt_strbuf sb;
    strbuf_init(&sb);
    for (int i = 1; i <= n; i++) {
        if (i == k)
            strbuf_addf(&sb, "%s\n", repl);
        else if (i == k2)
            strbuf_addf(&sb, "%s\n", repl2);
        else
            strbuf_addf(&sb, "%d\n", i);
    }
    return strbuf_detach(&sb, NULL);
}

/* ------------------------------------------------------------------ */
/* Exact outputs                                                      */
/* ------------------------------------------------------------------ */

static void test_equal(void **state)
{
    (void)state;
    vt_strbuf out;
    strbuf_init(&out);
    strbuf_adds(&out, "keep");
    assert_int_equal(diff_unified(&out, "f", "a\nb\n", 4, "a\nb\n", 4, 3),
                     0);
    assert_int_equal(diff_unified(&out, "f", "", 0, "", 0, 3), 0);
    assert_int_equal(diff_unified(&out, "f", "x", 1, "x", 1, 3), 0);
    assert_string_equal(out.buf, "keep");
    strbuf_free(&out);
}

static void test_appends(void **state)
{
    (void)state;
    vt_strbuf out;
    strbuf_init(&out);
    strbuf_adds(&out, "before\n");
    assert_int_equal(diff_unified(&out, "dir/x.xml", "a\n", 2, "b\n", 2, 3),
                     1);
    assert_string_equal(out.buf, "before\n"
                                 "--- a/dir/x.xml\n+++ b/dir/x.xml\n"
                                 "@@ -1 +1 @@\n-a\n+b\n");
    strbuf_free(&out);
}

static void test_one_change_middle(void **state)
{
    (void)state;
    char *a = numbered(10, 0, NULL, 0, NULL);
    char *b = numbered(10, 5, "five", 0, NULL);
    check_diff(a, b, 3,
               "--- a/f\n+++ b/f\n"
               "@@ -2,7 +2,7 @@\n"
               " 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
               1);
    /* Context 1 and context 0. */
    check_diff(a, b, 1,
               "--- a/f\n+++ b/f\n@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n",
               1);
    check_diff(a, b, 0, "--- a/f\n+++ b/f\n@@ -5 +5 @@\n-5\n+five\n", 1);
    free(a);
    free(b);
}

static void test_insert_start_and_end(void **state)
{
    (void)state;
    char *a = numbered(10, 0, NULL, 0, NULL);
    char *b = xasprintf("0\n%s11\n", a);
    check_diff(a, b, 3,
               "--- a/f\n+++ b/f\n"
               "@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"
               "@@ -8,3 +9,4 @@\n 8\n 9\n 10\n+11\n",
               2);
    /* With no context, an insertion names the line before it. */
    check_diff(a, b, 0,
               "--- a/f\n+++ b/f\n"
               "@@ -0,0 +1 @@\n+0\n"
               "@@ -10,0 +12 @@\n+11\n",
               2);
    free(b);
    b = xasprintf("%s", "1\n2\n3\n4\n5\nX\nY\n6\n7\n8\n9\n10\n");
    check_diff(a, b, 0, "--- a/f\n+++ b/f\n@@ -5,0 +6,2 @@\n+X\n+Y\n", 1);
    free(a);
    free(b);
}

static void test_two_hunks_far_apart(void **state)
{
    (void)state;
    char *a = numbered(20, 0, NULL, 0, NULL);
    /* Changes at 3 and 11: 7 equal lines between, more than 2 * 3. */
    char *b = numbered(20, 3, "c", 11, "k");
    check_diff(a, b, 3,
               "--- a/f\n+++ b/f\n"
               "@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+c\n 4\n 5\n 6\n"
               "@@ -8,7 +8,7 @@\n 8\n 9\n 10\n-11\n+k\n 12\n 13\n 14\n",
               2);
    free(a);
    free(b);
}

static void test_close_changes_one_hunk(void **state)
{
    (void)state;
    char *a = numbered(20, 0, NULL, 0, NULL);
    /* Changes at 3 and 10: 6 equal lines between, contexts touch. */
    char *b = numbered(20, 3, "c", 10, "j");
    check_diff(a, b, 3,
               "--- a/f\n+++ b/f\n"
               "@@ -1,13 +1,13 @@\n 1\n 2\n-3\n+c\n 4\n 5\n 6\n 7\n 8\n"
               " 9\n-10\n+j\n 11\n 12\n 13\n",
               1);
    free(b);
    /* Changes at 3 and 5: contexts overlap. */
    b = numbered(20, 3, "c", 5, "e");
    check_diff(a, b, 3,
               "--- a/f\n+++ b/f\n"
               "@@ -1,8 +1,8 @@\n 1\n 2\n-3\n+c\n 4\n-5\n+e\n 6\n 7\n 8\n",
               1);
    free(a);
    free(b);
}

static void test_empty_sides(void **state)
{
    (void)state;
    check_diff("", "a\nb\nc\n", 3,
               "--- a/f\n+++ b/f\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n", 1);
    check_diff("a\nb\nc\n", "", 3,
               "--- a/f\n+++ b/f\n@@ -1,3 +0,0 @@\n-a\n-b\n-c\n", 1);
    check_diff("", "x", 3,
               "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n"
               "\\ No newline at end of file\n",
               1);
}

static void test_no_final_newline(void **state)
{
    (void)state;
    check_diff("x\ny", "x\ny\n", 3,
               "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n x\n-y\n"
               "\\ No newline at end of file\n+y\n",
               1);
    check_diff("x\ny\n", "x\ny", 3,
               "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n x\n-y\n+y\n"
               "\\ No newline at end of file\n",
               1);
    /* Both lack it and the last line is context. */
    check_diff("a\nb\nc", "A\nb\nc", 3,
               "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n-a\n+A\n b\n c\n"
               "\\ No newline at end of file\n",
               1);
    /* Both lack it and the last lines differ. */
    check_diff("a\nb", "a\nc", 3,
               "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n"
               "\\ No newline at end of file\n+c\n"
               "\\ No newline at end of file\n",
               1);
}

static void test_crlf_is_bytes(void **state)
{
    (void)state;
    check_diff("a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n", 3,
               "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+b\n c\r\n",
               1);
    check_diff("a\r\n", "a\r", 3,
               "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\r\n+a\r\n"
               "\\ No newline at end of file\n",
               1);
}

/* Several minimal diffs exist; the runs of changes are slid the way GNU
 * diff slides them (here either "d" of the "d d" pair could go; GNU
 * deletes the second, joining the run of deletions after it). */
static void test_ties_like_gnu(void **state)
{
    (void)state;
    check_diff("d\na\nd\nb\nd\nd\nb\nc\nc\n", "a\nd\na\nb\nd\nc\nd\n", 3,
               "--- a/f\n+++ b/f\n@@ -1,9 +1,7 @@\n"
               "-d\n a\n d\n+a\n b\n d\n-d\n-b\n-c\n c\n+d\n",
               1);
    /* One of three equal lines removed: the last one goes. */
    check_diff("x\na\na\na\ny\n", "x\na\na\ny\n", 3,
               "--- a/f\n+++ b/f\n@@ -1,5 +1,4 @@\n x\n a\n a\n-a\n y\n", 1);
}

/* ------------------------------------------------------------------ */
/* Property tests                                                     */
/* ------------------------------------------------------------------ */

/* A random text: up to MAXLINES lines from a small alphabet (including
 * a CRLF line), sometimes without a final newline. */
static char *random_text(int maxlines)
{
    static const char *const alphabet[] = { "a", "b", "c", "d", "a\r", "" };
    vt_strbuf sb;
    strbuf_init(&sb);
    int n = rand() % (maxlines + 1);
    for (int i = 0; i < n; i++)
        strbuf_addf(&sb, "%s\n", alphabet[rand() % 6]);
    if (sb.len > 0 && rand() % 4 == 0)
        sb.buf[--sb.len] = '\0';
    return strbuf_detach(&sb, NULL);
}

/* A copy of TEXT with a few random line edits, so that pairs also have
 * long common runs and several hunks. */
static char *mutate(const char *text)
{
    vt_strbuf sb;
    strbuf_init(&sb);
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        int r = rand() % 10;
        if (r == 0)
            strbuf_addf(&sb, "new%d\n", rand() % 3);   /* insert */
        if (r != 1)                                /* 1: delete */
            strbuf_add(&sb, p, len);
        if (r == 2)
            strbuf_adds(&sb, "x\n");                   /* insert after */
        p += len;
    }
    if (rand() % 8 == 0 && sb.len > 0 && sb.buf[sb.len - 1] == '\n')
        sb.buf[--sb.len] = '\0';
    return strbuf_detach(&sb, NULL);
}

/* A pair of texts for the property tests. */
static void random_pair(int maxlines, char **a, char **b)
{
    *a = random_text(maxlines);
    if (rand() % 2)
        *b = random_text(maxlines);
    else
        *b = mutate(*a);
}

/* Splits TEXT into lines (pointers into TEXT, '\n' included). */
typedef struct tlines {
    const char **s;
    size_t *len;
    int n;
} tlines;

static tlines tsplit(const char *text)
{
    tlines t = { NULL, NULL, 0 };
    size_t total = strlen(text);
    t.s = xmalloc((total + 1) * sizeof *t.s);
    t.len = xmalloc((total + 1) * sizeof *t.len);
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        t.s[t.n] = p;
        t.len[t.n++] = len;
        p += len;
    }
    return t;
}

static void tfree(tlines *t)
{
    free(t->s);
    free(t->len);
}

static int tline_eq(const tlines *x, int i, const tlines *y, int j)
{
    return x->len[i] == y->len[j] && memcmp(x->s[i], y->s[j], x->len[i]) == 0;
}

/* Length of a longest common subsequence of lines, by plain dynamic
 * programming: the reference for minimality. */
static int lcs_length(const tlines *x, const tlines *y)
{
    int *row = xcalloc((size_t)y->n + 1, sizeof *row);
    for (int i = 1; i <= x->n; i++) {
        int diag = 0;   /* row[j - 1] of the previous row */
        for (int j = 1; j <= y->n; j++) {
            int up = row[j];
            if (tline_eq(x, i - 1, y, j - 1))
                row[j] = diag + 1;
            else if (row[j - 1] > row[j])
                row[j] = row[j - 1];
            diag = up;
        }
    }
    int r = row[y->n];
    free(row);
    return r;
}

#define NO_NL "\\ No newline at end of file\n"

/* Reads "N" or "N,S" at *P of a hunk header. */
static void parse_range(const char **p, long *start, long *count)
{
    char *end;
    *start = strtol(*p, &end, 10);
    *count = 1;
    if (*end == ',')
        *count = strtol(end + 1, &end, 10);
    *p = end;
}

/* Applies unified diff D (as diff_unified prints it) to A strictly,
 * checking its form on the way: headers, header counts, context equal
 * to A, full context around each hunk, hunks that neither touch nor
 * overlap. Counts removed and added lines, and hunks. Returns the new
 * text (caller frees). */
static char *apply_checked(const char *a, const char *d, int context,
                           int *removed, int *added, int *hunks)
{
    tlines A = tsplit(a);
    vt_strbuf out;
    strbuf_init(&out);
    *removed = *added = *hunks = 0;
    const char *hdr = "--- a/f\n+++ b/f\n";
    assert_memory_equal(d, hdr, strlen(hdr));
    const char *p = d + strlen(hdr);
    long done = 0;  /* A lines already consumed */
    while (*p) {
        long as, ac, bs, bc;
        assert_memory_equal(p, "@@ -", 4);
        p += 4;
        parse_range(&p, &as, &ac);
        assert_memory_equal(p, " +", 2);
        p += 2;
        parse_range(&p, &bs, &bc);
        assert_memory_equal(p, " @@\n", 4);
        p += 4;
        (*hunks)++;
        long first = ac == 0 ? as : as - 1;     /* 0-based */
        assert_true(first >= done);
        if (*hunks > 1)
            assert_true(first > done);          /* would have merged */
        long first_b = first + *added - *removed;   /* 0-based in B */
        assert_int_equal(bs, bc == 0 ? first_b : first_b + 1);
        for (; done < first; done++)
            strbuf_add(&out, A.s[done], A.len[done]);
        long seen_a = 0, seen_b = 0, lead = 0, trail = 0;
        int changed = 0;
        while (*p && *p != '@') {
            char kind = *p++;
            const char *nl = strchr(p, '\n');
            assert_non_null(nl);
            size_t len = (size_t)(nl - p) + 1;
            if (strncmp(nl + 1, NO_NL, strlen(NO_NL)) == 0)
                len--;
            if (kind == ' ' || kind == '-') {
                assert_true(done < A.n);
                assert_int_equal(len, A.len[done]);
                assert_memory_equal(p, A.s[done], len);
                done++;
                seen_a++;
            }
            if (kind == ' ' || kind == '+') {
                strbuf_add(&out, p, len);
                seen_b++;
            }
            if (kind == ' ') {
                lead += !changed;
                trail++;
            } else {
                assert_true(kind == '-' || kind == '+');
                changed = 1;
                trail = 0;
                *(kind == '-' ? removed : added) += 1;
            }
            p = nl + 1;
            if (strncmp(p, NO_NL, strlen(NO_NL)) == 0)
                p += strlen(NO_NL);
        }
        assert_true(changed);
        assert_int_equal(seen_a, ac);
        assert_int_equal(seen_b, bc);
        /* Context is cut short only at the ends of the file. */
        assert_true(lead == context || (lead < context && first == 0));
        assert_true(trail == context || (trail < context && done == A.n));
    }
    for (; done < A.n; done++)
        strbuf_add(&out, A.s[done], A.len[done]);
    tfree(&A);
    return strbuf_detach(&out, NULL);
}

/* Thousands of random pairs, checked in-process: the diff applies, is
 * well formed, and removes and adds exactly the lines outside a longest
 * common subsequence. */
static void test_property_in_process(void **state)
{
    (void)state;
    srand(12345);
    for (int iter = 0; iter < 4000; iter++) {
        char *a, *b;
        random_pair(iter < 2000 ? 12 : 60, &a, &b);
        int context = iter % 5 == 4 ? rand() % 5 : 3;
        int hunks, removed, added, hunks_seen;
        char *d = udiff(a, b, context, &hunks);
        if (strcmp(a, b) == 0) {
            assert_string_equal(d, "");
            assert_int_equal(hunks, 0);
        } else {
            char *got = apply_checked(a, d, context, &removed, &added,
                                      &hunks_seen);
            assert_string_equal(got, b);
            assert_int_equal(hunks, hunks_seen);
            tlines A = tsplit(a), B = tsplit(b);
            int lcs = lcs_length(&A, &B);
            assert_int_equal(removed, A.n - lcs);
            assert_int_equal(added, B.n - lcs);
            tfree(&A);
            tfree(&B);
            free(got);
        }
        /* Determinism: the same input gives the same bytes. */
        int hunks2;
        char *d2 = udiff(a, b, context, &hunks2);
        assert_string_equal(d, d2);
        free(d2);
        free(d);
        free(a);
        free(b);
    }
}

/* A large input: the common-prefix/suffix trim and the linear-space
 * search keep this fast and small. */
static void test_large(void **state)
{
    (void)state;
    vt_strbuf sa, sb;
    strbuf_init(&sa);
    strbuf_init(&sb);
    srand(777);
    for (int i = 0; i < 20000; i++) {
        strbuf_addf(&sa, "line %d\n", i);
        if (rand() % 500 == 0)
            strbuf_addf(&sb, "changed %d\n", i);
        else
            strbuf_addf(&sb, "line %d\n", i);
    }
    /* Then a block with nothing in common. */
    for (int i = 0; i < 1500; i++) {
        strbuf_addf(&sa, "old %d\n", i);
        strbuf_addf(&sb, "new %d\n", i);
    }
    int hunks, removed, added, hunks_seen;
    char *d = udiff(sa.buf, sb.buf, 3, &hunks);
    char *got = apply_checked(sa.buf, d, 3, &removed, &added, &hunks_seen);
    assert_string_equal(got, sb.buf);
    assert_int_equal(hunks, hunks_seen);
    assert_int_equal(removed, added);
    assert_true(removed >= 1500 && removed < 1500 + 200);
    free(got);
    free(d);
    strbuf_free(&sa);
    strbuf_free(&sb);
}

/* Large texts where every line can match: the divide-and-conquer search
 * does all the work, and must still be minimal. */
static void test_large_all_matchable(void **state)
{
    (void)state;
    srand(99);
    for (int round = 0; round < 3; round++) {
        vt_strbuf sa, sb;
        strbuf_init(&sa);
        strbuf_init(&sb);
        for (int i = 0; i < 1500; i++) {
            strbuf_addf(&sa, "%c\n", "abc"[rand() % 3]);
            strbuf_addf(&sb, "%c\n", "abc"[rand() % 3]);
        }
        int hunks, removed, added, hunks_seen;
        char *d = udiff(sa.buf, sb.buf, round, &hunks);
        char *got = apply_checked(sa.buf, d, round, &removed, &added,
                                  &hunks_seen);
        assert_string_equal(got, sb.buf);
        assert_int_equal(hunks, hunks_seen);
        tlines A = tsplit(sa.buf), B = tsplit(sb.buf);
        int lcs = lcs_length(&A, &B);
        assert_int_equal(removed, A.n - lcs);
        assert_int_equal(added, B.n - lcs);
        tfree(&A);
        tfree(&B);
        free(got);
        free(d);
        strbuf_free(&sa);
        strbuf_free(&sb);
    }
}

/* ------------------------------------------------------------------ */
/* Property test against patch, git apply and GNU diff                */
/* ------------------------------------------------------------------ */

static int have_tool(const char *cmd)
{
    char *c = xasprintf("%s >/dev/null 2>&1", cmd);
    int r = system(c);
    free(c);
    return r == 0;
}

static void put_file(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    free(path);
}

/* The contents of DIR/NAME; a missing file reads as empty. */
static char *get_file(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    size_t len;
    char *text = file_read(path, &len);
    free(path);
    return text ? text : xstrdup("");
}

/* Runs CMD through the shell and frees it; returns its exit code. */
static int run(char *cmd)
{
    int r = system(cmd);
    free(cmd);
    return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* Removed ('-') and added ('+') lines of a unified diff, headers aside. */
static void count_changes(const char *d, int *removed, int *added)
{
    *removed = *added = 0;
    int lineno = 0;
    for (const char *p = d; *p; lineno++) {
        if (lineno >= 2 && *p == '-')
            (*removed)++;
        if (lineno >= 2 && *p == '+')
            (*added)++;
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
}

static void test_property_tools(void **state)
{
    (void)state;
    if (!have_tool("command -v patch")) {
        print_message("patch is not installed; skipping the tool test\n");
        skip();
    }
    int git = have_tool("command -v git");
    int gnu_diff = have_tool("diff --version | grep -q GNU");
    if (!git)
        print_message("git is not installed; checking patch only\n");
    if (!gnu_diff)
        print_message("GNU diff is not installed; minimality checked "
                      "against the LCS only\n");

    char tmpl[] = "/tmp/vt-test-diff-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    assert_int_equal(run(xasprintf("mkdir %s/a %s/b %s/p", dir, dir, dir)), 0);
    srand(4242);
    int same_as_gnu = 0, compared = 0;
    for (int iter = 0; iter < 200; iter++) {
        char *a, *b;
        random_pair(12, &a, &b);
        int hunks;
        char *d = udiff(a, b, 3, &hunks);
        if (*d == '\0') {   /* equal texts */
            assert_string_equal(a, b);
            free(d), free(a), free(b);
            continue;
        }
        put_file(dir, "a/f", a);
        put_file(dir, "b/f", b);
        put_file(dir, "p/f", a);
        put_file(dir, "my.diff", d);

        /* patch -p1 turns a/f into b/f. */
        assert_int_equal(run(xasprintf("cd %s/p && patch -s -t -p1 "
                                       "--no-backup-if-mismatch < ../my.diff",
                                       dir)), 0);
        char *patched = get_file(dir, "p/f");
        assert_string_equal(patched, b);
        free(patched);

        /* So does git apply (outside any repository). */
        if (git) {
            put_file(dir, "p/f", a);
            assert_int_equal(run(xasprintf("cd %s/p && "
                                           "GIT_CEILING_DIRECTORIES=%s git "
                                           "apply --whitespace=nowarn "
                                           "../my.diff", dir, dir)), 0);
            patched = get_file(dir, "p/f");
            assert_string_equal(patched, b);
            free(patched);
        }

        /* GNU diff removes and adds as many lines: both are minimal. */
        if (gnu_diff) {
            assert_int_equal(run(xasprintf("cd %s && diff -u --label a/f "
                                           "--label b/f a/f b/f > gnu.diff",
                                           dir)), 1);
            char *g = get_file(dir, "gnu.diff");
            int r1, a1, r2, a2;
            count_changes(d, &r1, &a1);
            count_changes(g, &r2, &a2);
            assert_int_equal(r1, r2);
            assert_int_equal(a1, a2);
            same_as_gnu += strcmp(g, d) == 0;
            compared++;
            free(g);
        }
        free(d), free(a), free(b);
    }
    if (compared)
        print_message("%d of %d diffs byte-identical to GNU diff -u\n",
                      same_as_gnu, compared);
    assert_int_equal(run(xasprintf("rm -rf %s", dir)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_one_change_middle),
        cmocka_unit_test(test_insert_start_and_end),
        cmocka_unit_test(test_two_hunks_far_apart),
        cmocka_unit_test(test_close_changes_one_hunk),
        cmocka_unit_test(test_empty_sides),
        cmocka_unit_test(test_no_final_newline),
        cmocka_unit_test(test_crlf_is_bytes),
        cmocka_unit_test(test_ties_like_gnu),
        cmocka_unit_test(test_property_in_process),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_large_all_matchable),
        cmocka_unit_test(test_property_tools),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
