/*
 * diff.c - owns the unified diff that vtune-xml prints (see diff.h):
 * splitting texts into lines, a minimal line diff computed with Myers'
 * O(ND) algorithm in its linear-space divide-and-conquer form, and
 * printing hunks byte for byte in the format of GNU `diff -u` (hunk
 * headers, context, hunk merging, "\ No newline at end of file"), so that
 * `patch -p1` and `git apply` accept the result.
 *
 * Pipeline: split -> trim the common prefix and suffix -> give lines
 * integer ids -> set aside lines found in one text only -> Myers on the
 * rest -> slide runs of changes the way GNU diff does (the minimal diff
 * is often not unique; this makes the choice deterministic and, in most
 * cases, the same as GNU's) -> group changes into hunks -> print them
 * (diff_unified) or return their line ranges (diff_hunks).
 *
 * Lines are compared as raw bytes, newline included: "x\r\n" and "x\n"
 * differ, and so do a last line "x" without newline and "x\n".
 *
 * Memory is linear in the number of lines: the line tables, a few
 * integers and a flag per line, and two V arrays of N + M + 3 entries
 * shared by every level of the recursion.
 */
#include "alloc.h"
#include "diff.h"
#include "quote.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Lines                                                              */
/* ------------------------------------------------------------------ */

/* One line of a text: its bytes, with the '\n' unless it is a last line
 * without one. Points into the caller's text. */
typedef struct line {
    const char *s;
    size_t len;
} line;

/* The lines of one text. */
typedef struct lines {
    line *v;
    long n;
} lines;

/* Splits TEXT into lines; an empty text has no lines. */
static lines split_lines(const char *text, size_t len)
{
    lines ls = { NULL, 0 };
    long count = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            count++;
    if (len > 0 && text[len - 1] != '\n')
        count++;
    ls.v = xmalloc((size_t)count * sizeof *ls.v);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        ls.v[ls.n].s = p;
        ls.v[ls.n].len = (size_t)(next - p);
        ls.n++;
        p = next;
    }
    return ls;
}

static int line_eq(const line *x, const line *y)
{
    return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

/* True when L is a last line that lacks its '\n'. */
static int line_unterminated(const line *l)
{
    return l->len == 0 || l->s[l->len - 1] != '\n';
}

/* ------------------------------------------------------------------ */
/* Interning: equal lines get equal small integer ids, so the diff    */
/* compares integers instead of bytes.                                */
/* ------------------------------------------------------------------ */

typedef struct intern_slot {
    const line *l;  /* NULL: empty slot */
    uint64_t hash;
    long id;
} intern_slot;

typedef struct intern_table {
    intern_slot *slot;
    size_t mask;    /* capacity - 1, capacity a power of two */
    long next_id;
} intern_table;

/* FNV-1a, 64 bits. */
static uint64_t line_hash(const line *l)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < l->len; i++) {
        h ^= (unsigned char)l->s[i];
        h *= 1099511628211u;
    }
    return h;
}

/* A table with room for NLINES distinct lines at load <= 1/2. */
static void intern_init(intern_table *t, long nlines)
{
    size_t cap = 16;
    while (cap < 2 * (size_t)nlines)
        cap *= 2;
    t->slot = xcalloc(cap, sizeof *t->slot);
    t->mask = cap - 1;
    t->next_id = 0;
}

/* Returns the id of L, giving it a new one when it is first seen. */
static long intern_line(intern_table *t, const line *l)
{
    uint64_t h = line_hash(l);
    size_t i = (size_t)h & t->mask;
    while (t->slot[i].l) {
        if (t->slot[i].hash == h && line_eq(t->slot[i].l, l))
            return t->slot[i].id;
        i = (i + 1) & t->mask;
    }
    t->slot[i].l = l;
    t->slot[i].hash = h;
    t->slot[i].id = t->next_id++;
    return t->slot[i].id;
}

/* ------------------------------------------------------------------ */
/* Myers' diff, linear-space variant                                  */
/* ------------------------------------------------------------------ */

/* The sequences being compared (as line ids) and the result: a flag per
 * element saying it is deleted (in A) or inserted (in B). Diagonal k of
 * the edit graph holds the points (x, y) with x - y == k. */
struct myers {
    const long *a, *b;
    unsigned char *achg, *bchg;
    long *vf;   /* forward: furthest x reached on each diagonal */
    long *vb;   /* backward: smallest x reached on each diagonal */
};

/* Finds a point (*sx, *sy) on a minimal edit path from (off1, off2) to
 * (lim1, lim2), about halfway in edit count, by running the greedy search
 * forward from the top-left corner and backward from the bottom-right
 * one until they meet. Both ends must differ (the caller trimmed the
 * common prefix and suffix) and both ranges be non-empty.
 *
 * The set of diagonals searched grows by one on each side per step but
 * is kept inside the box [dmin, dmax]; when it would leave the box it
 * shrinks by one instead, which keeps its parity right. Entries just
 * outside the searched set hold sentinels (-1 forward, LONG_MAX
 * backward) so the "which neighbour is further" tests need no bounds
 * checks. */
static void myers_split(struct myers *m, long off1, long lim1, long off2,
                        long lim2, long *sx, long *sy)
{
    const long *a = m->a, *b = m->b;
    long *vf = m->vf, *vb = m->vb;
    long dmin = off1 - lim2, dmax = lim1 - off2;
    long fmid = off1 - off2, bmid = lim1 - lim2;
    int odd = (fmid - bmid) & 1;
    long fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;

    vf[fmid] = off1;
    vb[bmid] = lim1;
    for (;;) {
        /* One forward step: widen the diagonal range, then extend each
         * diagonal by one edit and follow the snake of equal lines. */
        if (fmin > dmin)
            vf[--fmin - 1] = -1;
        else
            ++fmin;
        if (fmax < dmax)
            vf[++fmax + 1] = -1;
        else
            --fmax;
        for (long k = fmax; k >= fmin; k -= 2) {
            long x = vf[k - 1] >= vf[k + 1] ? vf[k - 1] + 1 : vf[k + 1];
            long y = x - k;
            while (x < lim1 && y < lim2 && a[x] == b[y])
                x++, y++;
            vf[k] = x;
            if (odd && bmin <= k && k <= bmax && vb[k] <= x) {
                *sx = x;
                *sy = y;
                return;
            }
        }

        /* One backward step, mirrored. */
        if (bmin > dmin)
            vb[--bmin - 1] = LONG_MAX;
        else
            ++bmin;
        if (bmax < dmax)
            vb[++bmax + 1] = LONG_MAX;
        else
            --bmax;
        for (long k = bmax; k >= bmin; k -= 2) {
            long x = vb[k - 1] < vb[k + 1] ? vb[k - 1] : vb[k + 1] - 1;
            long y = x - k;
            while (x > off1 && y > off2 && a[x - 1] == b[y - 1])
                x--, y--;
            vb[k] = x;
            if (!odd && fmin <= k && k <= fmax && x <= vf[k]) {
                *sx = x;
                *sy = y;
                return;
            }
        }
    }
}

/* Marks a minimal set of deleted a[off1..lim1) and inserted
 * b[off2..lim2) lines: trims the common ends, then splits the box at a
 * point of a minimal path and recurses on both halves. Each half needs
 * about half the edits of the whole, so the depth is logarithmic. */
static void myers_compare(struct myers *m, long off1, long lim1, long off2,
                          long lim2)
{
    while (off1 < lim1 && off2 < lim2 && m->a[off1] == m->b[off2])
        off1++, off2++;
    while (off1 < lim1 && off2 < lim2 && m->a[lim1 - 1] == m->b[lim2 - 1])
        lim1--, lim2--;

    if (off1 == lim1) {
        for (long j = off2; j < lim2; j++)
            m->bchg[j] = 1;
    } else if (off2 == lim2) {
        for (long i = off1; i < lim1; i++)
            m->achg[i] = 1;
    } else {
        long sx, sy;
        myers_split(m, off1, lim1, off2, lim2, &sx, &sy);
        myers_compare(m, off1, sx, off2, sy);
        myers_compare(m, sx, lim1, sy, lim2);
    }
}

/* Copies to KID the ids among IDS[0..n) that occur in the other text
 * (OTHER_COUNT[id] > 0) and to KIDX their indices; the others can never
 * be matched, so they are only flagged in CHG. Returns the number kept. */
static long keep_matchable(const long *ids, long n, const long *other_count,
                           long *kid, long *kidx, unsigned char *chg)
{
    long kept = 0;
    for (long i = 0; i < n; i++) {
        if (other_count[ids[i]] > 0) {
            kid[kept] = ids[i];
            kidx[kept++] = i;
        } else {
            chg[i] = 1;
        }
    }
    return kept;
}

/* Fills ACHG (A->n flags) and BCHG (B->n flags) with a minimal line diff
 * of A and B. The common prefix and suffix are skipped before anything
 * is allocated, so a small edit in a large text stays cheap. Lines that
 * occur in one text only are flagged at once and left out of the search
 * (as GNU diff does): no common subsequence can hold them, so the diff
 * stays minimal, and replacing a block of lines stays cheap. */
static void diff_lines(const lines *A, const lines *B, unsigned char *achg,
                       unsigned char *bchg)
{
    long pre = 0, an = A->n, bn = B->n;
    while (pre < an && pre < bn && line_eq(&A->v[pre], &B->v[pre]))
        pre++;
    while (an > pre && bn > pre && line_eq(&A->v[an - 1], &B->v[bn - 1]))
        an--, bn--;
    long n = an - pre, mm = bn - pre;
    achg += pre;
    bchg += pre;
    if (n == 0 || mm == 0) {
        memset(achg, 1, (size_t)n);
        memset(bchg, 1, (size_t)mm);
        return;
    }

    /* Ids for the middle lines only, and how often each occurs in A and
     * in B. */
    intern_table t;
    intern_init(&t, n + mm);
    long *ids = xmalloc((size_t)(n + mm) * sizeof *ids);
    for (long i = 0; i < n; i++)
        ids[i] = intern_line(&t, &A->v[pre + i]);
    for (long j = 0; j < mm; j++)
        ids[n + j] = intern_line(&t, &B->v[pre + j]);
    free(t.slot);
    long *acount = xcalloc(2 * (size_t)t.next_id, sizeof *acount);
    long *bcount = acount + t.next_id;
    for (long i = 0; i < n; i++)
        acount[ids[i]]++;
    for (long j = 0; j < mm; j++)
        bcount[ids[n + j]]++;

    /* The lines that may match, with their indices. */
    long *kid = xmalloc(2 * (size_t)(n + mm) * sizeof *kid);
    long *kidx = kid + n + mm;
    long kn = keep_matchable(ids, n, bcount, kid, kidx, achg);
    long km = keep_matchable(ids + n, mm, acount, kid + kn, kidx + kn, bchg);
    unsigned char *kchg = xcalloc((size_t)(kn + km), 1);

    /* Diagonals run from -km to kn, plus a sentinel on each side. */
    long ndiags = kn + km + 3;
    long *v = xmalloc(2 * (size_t)ndiags * sizeof *v);
    struct myers m = {
        .a = kid, .b = kid + kn,
        .achg = kchg, .bchg = kchg + kn,
        .vf = v + km + 1, .vb = v + ndiags + km + 1,
    };
    myers_compare(&m, 0, kn, 0, km);
    for (long k = 0; k < kn; k++)
        achg[kidx[k]] = kchg[k];
    for (long k = 0; k < km; k++)
        bchg[kidx[kn + k]] = kchg[kn + k];

    free(v);
    free(kchg);
    free(kid);
    free(acount);
    free(ids);
}

/* ------------------------------------------------------------------ */
/* Boundary shifting                                                  */
/* ------------------------------------------------------------------ */

/* A minimal diff is often not unique: a run of changed lines can slide
 * over equal lines ("a b a" minus one "a"). To print what GNU diff
 * prints in most such cases, each run of changes of one text is slid
 * up as far as it goes, then down as far as it goes (merging with the
 * runs it meets), and finally back up to where it last lined up with a
 * run of changes in the other text, if it did. Sliding only ever swaps
 * equal lines, so the diff stays minimal and valid.
 *
 * CHG and OTHER hold one flag per line of L and of the other text, with
 * a 0 sentinel at index -1 and one past the end. J walks the other text
 * in step with I: it is the index of the unchanged line paired with the
 * first unchanged line at or after I. */
static void shift_runs(const lines *L, unsigned char *chg,
                       const unsigned char *other)
{
    long n = L->n, i = 0, j = 0;
    for (;;) {
        /* Skip unchanged lines, each with its partner. */
        while (i < n && !chg[i]) {
            while (other[j])
                j++;
            j++, i++;
        }
        if (i == n)
            return;
        long start = i;
        while (chg[i])
            i++;
        while (other[j])
            j++;

        long len, corresponding;
        do {
            len = i - start;
            /* Up, while the line before the run equals its last line. */
            while (start > 0 && line_eq(&L->v[start - 1], &L->v[i - 1])) {
                chg[--start] = 1;
                chg[--i] = 0;
                while (chg[start - 1])
                    start--;
                do
                    j--;
                while (other[j]);
            }
            /* Where the run's end last met a change in the other text;
             * N: nowhere. */
            corresponding = other[j - 1] ? i : n;
            /* Down, while the run's first line equals the line after. */
            while (i < n && line_eq(&L->v[start], &L->v[i])) {
                chg[start++] = 0;
                chg[i++] = 1;
                while (chg[i])
                    i++;
                for (j++; other[j]; j++)
                    corresponding = i;
            }
        } while (len != i - start);

        /* Back up to the last place lined up with the other text. */
        while (corresponding < i) {
            chg[--start] = 1;
            chg[--i] = 0;
            do
                j--;
            while (other[j]);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Hunks                                                              */
/* ------------------------------------------------------------------ */

/* A maximal run of changes: A lines [a, a + na) replaced by B lines
 * [b, b + nb); the lines just before and after it are equal. */
typedef struct change {
    long a, na, b, nb;
} change;

/* Turns the flags into the list of changes, in order. Unchanged lines of
 * A and B pair up one to one, so both are walked in lockstep. Returns the
 * number of changes; *OUT is owned by the caller. */
static long collect_changes(const unsigned char *achg, long an,
                            const unsigned char *bchg, long bn,
                            change **out)
{
    change *v = NULL;
    long count = 0, cap = 0, i = 0, j = 0;
    while (i < an || j < bn) {
        if (i < an && j < bn && !achg[i] && !bchg[j]) {
            i++, j++;
            continue;
        }
        change c = { i, 0, j, 0 };
        /* A line with no partner left counts as changed, so the walk
         * always advances (the flags never allow it, but be safe). */
        while (i < an && (achg[i] || j >= bn))
            i++;
        while (j < bn && (bchg[j] || i >= an))
            j++;
        c.na = i - c.a;
        c.nb = j - c.b;
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            v = xrealloc(v, (size_t)cap * sizeof *v);
        }
        v[count++] = c;
    }
    *out = v;
    return count;
}

/* Appends a line range of a hunk header as GNU diff does: "L" for one
 * line, "L,N" otherwise, and for an empty range the number of the line
 * before it (START is 0-based). */
static void print_range(vt_strbuf *out, long start, long count)
{
    if (count == 0)
        strbuf_addf(out, "%ld,0", start);
    else if (count == 1)
        strbuf_addf(out, "%ld", start + 1);
    else
        strbuf_addf(out, "%ld,%ld", start + 1, count);
}

/* Appends one body line: PREFIX, the line, and the marker when the line
 * is a last line without '\n'. */
static void print_line(vt_strbuf *out, char prefix, const line *l)
{
    strbuf_add(out, &prefix, 1);
    strbuf_add(out, l->s, l->len);
    if (line_unterminated(l))
        strbuf_adds(out, "\n\\ No newline at end of file\n");
}

/* The line ranges of the hunk made of changes C[0..count), with up to
 * CONTEXT equal lines before the first and after the last: A lines
 * [*A0, *A0 + *ALEN) and B lines [*B0, *B0 + *BLEN), 0-based. */
static void hunk_bounds(const lines *A, const lines *B, const change *c,
                        long count, long context, long *a0, long *b0,
                        long *alen, long *blen)
{
    const change *last = &c[count - 1];
    long before = c->a < context ? c->a : context;
    if (c->b < before)
        before = c->b;
    long a_end = last->a + last->na, b_end = last->b + last->nb;
    long after = A->n - a_end < context ? A->n - a_end : context;
    if (B->n - b_end < after)
        after = B->n - b_end;
    *a0 = c->a - before;
    *b0 = c->b - before;
    *alen = a_end + after - *a0;
    *blen = b_end + after - *b0;
}

/* Appends the hunk made of changes C[0..count), with up to CONTEXT equal
 * lines before the first and after the last. Between changes, the equal
 * lines are printed as context. */
static void print_hunk(vt_strbuf *out, const lines *A, const lines *B,
                       const change *c, long count, long context)
{
    long a0, b0, alen, blen;
    hunk_bounds(A, B, c, count, context, &a0, &b0, &alen, &blen);

    strbuf_adds(out, "@@ -");
    print_range(out, a0, alen);
    strbuf_adds(out, " +");
    print_range(out, b0, blen);
    strbuf_adds(out, " @@\n");

    long i = a0;
    for (long h = 0; h < count; h++) {
        for (; i < c[h].a; i++)
            print_line(out, ' ', &A->v[i]);
        for (long k = 0; k < c[h].na; k++)
            print_line(out, '-', &A->v[c[h].a + k]);
        for (long k = 0; k < c[h].nb; k++)
            print_line(out, '+', &B->v[c[h].b + k]);
        i = c[h].a + c[h].na;
    }
    for (; i < a0 + alen; i++)
        print_line(out, ' ', &A->v[i]);
}

/* The end of the hunk that starts at change FIRST of C[0..n): the hunk
 * extends while the next change's leading context touches or overlaps
 * this one's trailing context. */
static long hunk_end(const change *c, long n, long first, long context)
{
    long end = first + 1;
    while (end < n && c[end].a - (c[end - 1].a + c[end - 1].na) <= 2 * context)
        end++;
    return end;
}

/* The diff of A (ALEN bytes) and B (BLEN bytes): their lines into *LA
 * and *LB and the changes into *C (all owned by the caller). Returns the
 * number of changes. */
static long diff_changes(const char *a, size_t alen, const char *b,
                         size_t blen, lines *la, lines *lb, change **c)
{
    lines A = split_lines(a, alen), B = split_lines(b, blen);
    /* Change flags, with a 0 sentinel on each side. */
    unsigned char *aflags = xcalloc((size_t)A.n + 2, 1);
    unsigned char *bflags = xcalloc((size_t)B.n + 2, 1);
    unsigned char *achg = aflags + 1, *bchg = bflags + 1;
    diff_lines(&A, &B, achg, bchg);
    shift_runs(&A, achg, bchg);
    shift_runs(&B, bchg, achg);
    long n = collect_changes(achg, A.n, bchg, B.n, c);
    free(bflags);
    free(aflags);
    *la = A;
    *lb = B;
    return n;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                        */
/* ------------------------------------------------------------------ */

/* PREFIX + NAME as git writes a path in a diff header: without leading
 * slashes, and in C-style double quotes when it holds a control
 * character, a quote, a backslash or a byte beyond ASCII (git's
 * quote_c_style with core.quotePath on), which git apply and GNU patch
 * read back. */
static void add_path(vt_strbuf *out, const char *prefix, const char *name)
{
    while (*name == '/')
        name++;
    quote_path(out, prefix, name);
    /* git ends an unquoted name that holds a space with a TAB, which
     * tells GNU patch where it ends */
    if (!quote_needed(name) && strchr(name, ' '))
        strbuf_adds(out, "\t");
}

int diff_unified(vt_strbuf *out, const char *name, const char *a, size_t alen,
                 const char *b, size_t blen, int context)
{
    if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
        return 0;
    long ctx = context > 0 ? context : 0;
    lines A, B;
    change *c;
    long nchanges = diff_changes(a, alen, b, blen, &A, &B, &c);

    strbuf_adds(out, "--- ");
    add_path(out, "a/", name);
    strbuf_adds(out, "\n+++ ");
    add_path(out, "b/", name);
    strbuf_adds(out, "\n");
    int hunks = 0;
    for (long first = 0; first < nchanges; hunks++) {
        long end = hunk_end(c, nchanges, first, ctx);
        print_hunk(out, &A, &B, &c[first], end - first, ctx);
        first = end;
    }

    free(c);
    free(B.v);
    free(A.v);
    return hunks;
}

/* Where line START (0-based) of L begins in its text, which starts at
 * BASE; the end of the text when START is past the last line. */
static size_t line_offset(const lines *L, const char *base, long start,
                          size_t len)
{
    return start < L->n ? (size_t)(L->v[start].s - base) : len;
}

int diff_hunks(const char *a, size_t alen, const char *b, size_t blen,
               vt_diff_hunk **out)
{
    *out = NULL;
    if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
        return 0;
    lines A, B;
    change *c;
    long nchanges = diff_changes(a, alen, b, blen, &A, &B, &c);
    vt_diff_hunk *h = nchanges ? xcalloc((size_t)nchanges, sizeof *h) : NULL;
    int hunks = 0;
    for (long first = 0; first < nchanges; hunks++) {
        long end = hunk_end(c, nchanges, first, 0);
        long a0, b0, an, bn;
        hunk_bounds(&A, &B, &c[first], end - first, 0, &a0, &b0, &an, &bn);
        vt_diff_hunk *x = &h[hunks];
        /* as print_range numbers them */
        x->a_start = an ? a0 + 1 : a0;
        x->a_count = an;
        x->b_start = bn ? b0 + 1 : b0;
        x->b_count = bn;
        x->a_off = line_offset(&A, a, a0, alen);
        x->a_len = line_offset(&A, a, a0 + an, alen) - x->a_off;
        x->b_off = line_offset(&B, b, b0, blen);
        x->b_len = line_offset(&B, b, b0 + bn, blen) - x->b_off;
        first = end;
    }
    free(c);
    free(B.v);
    free(A.v);
    *out = h;
    return hunks;
}
