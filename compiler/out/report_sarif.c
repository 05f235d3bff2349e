/*
 * report_sarif.c - SARIF 2.1.0 (--report sarif) for CI code scanning
 * (GitHub's among them): a log valid against OASIS's schema
 * (tests/sarif.sh checks it), deterministic (no time stamps).
 *
 * Results. Every edit is a result of its rule at level "warning" (a
 * change --check fails on): the message says what changes and why, the
 * location is the edit's input line (the node's, or its closest input
 * ancestor's) with the XPath as a logical location, and one fix. Every
 * finding is a result too (infeasible "error", warning "warning", info
 * "note"), with its host command in the message and in
 * properties.hostAction. Results name their rule by ruleId and ruleIndex
 * in tool.driver.rules (0 is the engine's own, "vtune-xml").
 *
 * Fixes. Each change result's fix is exact: a hunk of the diff that
 * `--diff` prints (compiler/out/diff.c, taken without context), which
 * replaces whole lines of the input with the tuned XML's lines. Applying
 * the distinct fixes of a file's results gives the tuned XML byte for
 * byte. The hunk of an edit is the one whose tuned lines hold its node
 * (found in the tuned XML by the edit's XPath; for an attribute, its
 * element), or else, for a removed node or a node not found, the one
 * whose input lines hold the edit's line (the node's, or its closest
 * input ancestor's), or else the nearest (a tie: the one after). Several
 * edits often share a hunk (a new element and its children, attributes
 * of one element), and their fixes are then the same; the description
 * says which lines the hunk rewrites and how many other edits it
 * carries. A hunk that no edit maps to (the tool writes nothing an edit
 * does not account for, so this is not expected) rides along with the
 * nearest hunk that has edits, as a second replacement of its fixes.
 * When the tuned XML is the input (edits that undo each other), there is
 * nothing to apply, and the results have no fix.
 *
 * A fix's region is a text region in lines and columns: from column 1
 * of the hunk's first input line to column 1 of the line after it, so
 * that it holds the line ends of every line (3.30.2: a region ending at
 * endLine without endColumn would stop before the last newline), or to
 * the end of the last line (endColumn one past its last character, its
 * newline included) when the hunk reaches the end of the input; a hunk
 * that only inserts is an insertion point at column 1 of the line after
 * it (startColumn = endColumn), or at the end of the input. Column 1
 * needs no counting of characters, so only the end of the file needs a
 * count, in code points (run.columnKind). Text regions do not count a
 * byte order mark (3.30.2): line 1, column 1 is after it, so the mark
 * stays and a hunk from the top of the file inserts its text without
 * it. The inserted text is the hunk's tuned lines exactly, newlines
 * included; a hunk that only deletes has no insertedContent (3.57.4).
 * The result's properties keep the node-level change (XPath, old and
 * new value).
 *
 * Locations. URIs are relative to SRCROOT, the process's directory
 * (run.originalUriBaseIds, percent-encoded, ending in '/'), with "."
 * and empty segments removed and ".." resolved (its directory, through
 * realpath). A file outside the directory is an absolute file URI
 * without uriBaseId. Standard input ("-") is the relative reference
 * "stdin" without uriBaseId: it is no file of the directory. Each file
 * is one entry of run.artifacts, which every artifactLocation names by
 * index.
 *
 * Files the run could not take (unreadable, not XML, not a domain) are
 * error notifications of run.invocations[0], with the file, the line
 * and the exit code, and executionSuccessful is then false; a file
 * passed over under --skip-non-domain is a note.
 */
#include "report.h"
#include "alloc.h"
#include "diff.h"
#include "jsonfmt.h"

#include <cjson/cJSON.h>
#include <libxml/parser.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASE_ID "SRCROOT"

static const char *sarif_level(enum vt_severity sev)
{
    return sev == SEV_INFEASIBLE ? "error" : sev == SEV_WARNING ? "warning"
                                                                 : "note";
}

/* --- URIs --- */

/* Appends S percent-encoded (RFC 3986): every byte but the unreserved
 * characters and those of KEEP as %XX, upper-case (the normal form). */
static void add_pct_keep(vt_strbuf *sb, const char *s, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p) ||
            (*p && strchr(keep, *p)))
            strbuf_add(sb, (const char *)p, 1);
        else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            strbuf_add(sb, e, 3);
        }
    }
}

/* S as a URI path: '/' kept. */
static void add_pct(vt_strbuf *sb, const char *s)
{
    add_pct_keep(sb, s, "/");
}

/* A domain of a connection (--all), URI#NAME: the libvirt URI as it is
 * (its reserved characters kept, others encoded) and the domain's name
 * as the fragment. */
static char *defined_uri(const char *label)
{
    vt_strbuf sb;
    strbuf_init(&sb);
    const char *hash = strrchr(label, '#');
    char *uri = xstrdup(label);
    if (hash)
        uri[hash - label] = '\0';
    add_pct_keep(&sb, uri, ":/?#[]@!$&'()*+,;=%");
    if (hash) {
        strbuf_adds(&sb, "#");
        add_pct_keep(&sb, hash + 1, "!$&'()*+,;=:@/?");
    }
    free(uri);
    return strbuf_detach(&sb, NULL);
}

/* PATH without "." and empty segments, ".." taken lexically; absolute
 * (a leading '/') when PATH is. *DOTDOT is set when there was a "..". */
static char *lexical(const char *path, int *dotdot)
{
    size_t n = strlen(path);
    char *out = xmalloc(n + 2);
    size_t len = 0;
    int abs = path[0] == '/';
    if (abs)
        out[len++] = '/';
    size_t keep = len;     /* a relative path keeps its leading ".." */
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = p + strcspn(p, "/");
        size_t sl = (size_t)(e - p);
        if (sl == 0 || (sl == 1 && p[0] == '.')) {
            /* nothing */
        } else if (sl == 2 && p[0] == '.' && p[1] == '.') {
            *dotdot = 1;
            if (len > keep) {
                while (len > keep && out[len - 1] != '/')
                    len--;
                if (len > keep)
                    len--;      /* the '/' before it */
            } else if (!abs) {
                if (len)
                    out[len++] = '/';
                memcpy(out + len, "..", 2);
                len += 2;
                keep = len;
            }
        } else {
            if (len && out[len - 1] != '/')
                out[len++] = '/';
            memcpy(out + len, p, sl);
            len += sl;
        }
        p = e;
    }
    out[len] = '\0';
    return out;
}

/* ABS (an absolute path) relative to DIR (absolute, canonical), or NULL
 * when it is not under DIR. */
static const char *under(const char *abs, const char *dir)
{
    if (!dir)
        return NULL;
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return abs[1] ? abs + 1 : NULL;
    if (strncmp(abs, dir, n) != 0 || abs[n] != '/' || !abs[n + 1])
        return NULL;
    return abs + n + 1;
}

/* ABS with its directory through realpath (symlinks and ".." resolved;
 * the file's own name kept), or NULL when that directory cannot be
 * resolved. */
static char *real_dir(const char *abs)
{
    const char *slash = strrchr(abs, '/');
    char *dir = xstrdup(abs);
    dir[slash - abs] = '\0';
    char *real = realpath(*dir ? dir : "/", NULL);
    free(dir);
    if (!real)
        return NULL;
    char *r = xasprintf("%s/%s", strcmp(real, "/") ? real : "", slash + 1);
    free(real);
    return r;
}

typedef struct artifact {
    char *uri;
    int based;          /* relative to SRCROOT */
} artifact;

/* Where FILE (as given on the command line) is, for CWD (NULL:
 * unknown). */
static artifact locate(const char *file, const char *cwd)
{
    artifact a = {0};
    vt_strbuf sb;
    strbuf_init(&sb);
    if (!strcmp(file, "-")) {
        a.uri = xstrdup("stdin");
        strbuf_free(&sb);
        return a;
    }
    char *full = file[0] == '/' || !cwd ? xstrdup(file)
                                        : xasprintf("%s/%s", cwd, file);
    int dotdot = 0;
    char *path = lexical(full, &dotdot);
    if (path[0] == '/') {
        /* SARIF 3.10.2: ".." resolved on the file system, not lexically */
        char *real = dotdot ? real_dir(full) : NULL;
        if (real) {
            free(path);
            path = real;
        }
        const char *rel = under(path, cwd);
        char *alt = NULL;
        if (!rel && (alt = real_dir(path)) != NULL)
            rel = under(alt, cwd);      /* through a symlink */
        if (rel) {
            add_pct(&sb, rel);
            a.based = 1;
        } else {
            strbuf_adds(&sb, "file://");
            add_pct(&sb, path);
        }
        free(alt);
    } else
        add_pct(&sb, *path ? path : ".");    /* no directory to start from */
    free(path);
    free(full);
    a.uri = strbuf_detach(&sb, NULL);
    return a;
}

/* The artifactLocation of artifact IDX of ARTS. */
static cJSON *art_location(const artifact *arts, int idx)
{
    cJSON *al = cJSON_CreateObject();
    cJSON_AddStringToObject(al, "uri", arts[idx].uri);
    if (arts[idx].based)
        cJSON_AddStringToObject(al, "uriBaseId", BASE_ID);
    cJSON_AddNumberToObject(al, "index", idx);
    return al;
}

/* A location: artifact IDX at LINE (none when < 1), and XPATH as the
 * logical location of KIND (NULL: none). */
static cJSON *location(const artifact *arts, int idx, long line,
                       const char *xpath, const char *kind)
{
    cJSON *loc = cJSON_CreateObject();
    cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
    cJSON_AddItemToObject(phys, "artifactLocation", art_location(arts, idx));
    if (line >= 1) {
        cJSON *region = cJSON_AddObjectToObject(phys, "region");
        cJSON_AddNumberToObject(region, "startLine", (double)line);
    }
    if (xpath) {
        cJSON *logical = cJSON_AddArrayToObject(loc, "logicalLocations");
        cJSON *ll = cJSON_CreateObject();
        const char *last = strrchr(xpath, '/');
        char *name = xstrdup(last ? last + 1 : xpath);
        name[strcspn(name, "[")] = '\0';
        cJSON_AddStringToObject(ll, "name", name[0] == '@' ? name + 1 : name);
        cJSON_AddStringToObject(ll, "fullyQualifiedName", xpath);
        cJSON_AddStringToObject(ll, "kind", kind);
        cJSON_AddItemToArray(logical, ll);
        free(name);
    }
    return loc;
}

/* The index of RL in tool.driver.rules: 0 the engine, then vt_rules. */
static int rule_position(const vt_rule *rl)
{
    if (!rl)
        return 0;
    for (int i = 0; i < vt_nrules; i++)
        if (vt_rules[i] == rl)
            return i + 1;
    return -1;
}

/* --- edits --- */

enum change { ADD_ELEMENT, SET_ATTR, CHANGE_ATTR, REMOVE_ATTR, SET_TEXT,
              CHANGE_TEXT, REMOVE_ELEMENT };

static const char *attr_of(const char *xpath)
{
    const char *last = strrchr(xpath, '/');
    return last && last[1] == '@' ? last + 2 : NULL;
}

static enum change change_of(const vt_edit *e)
{
    if (attr_of(e->xpath))
        return !e->new_value ? REMOVE_ATTR
               : e->old_value && *e->old_value ? CHANGE_ATTR : SET_ATTR;
    if (!e->new_value)
        return REMOVE_ELEMENT;
    if (!e->old_value)
        return ADD_ELEMENT;
    return *e->old_value ? CHANGE_TEXT : SET_TEXT;
}

/* "driver/@cache" for .../driver/@cache, "vcpu" for .../vcpu[2]: the
 * node, briefly. */
static char *short_name(const char *xpath)
{
    const char *last = strrchr(xpath, '/');
    const char *from = last ? last + 1 : xpath;
    if (last && last[1] == '@') {
        const char *p = last;
        while (p > xpath && p[-1] != '/')
            p--;
        from = p;
    }
    char *s = xmalloc(strlen(from) + 1), *o = s;
    for (int skip = 0; *from; from++) {     /* without [N] */
        if (*from == '[')
            skip = 1;
        else if (*from == ']')
            skip = 0;
        else if (!skip)
            *o++ = *from;
    }
    *o = '\0';
    return s;
}

/* What the edit changes, for the result's message. */
static char *what_changes(const vt_edit *e)
{
    char *n = short_name(e->xpath), *s;
    switch (change_of(e)) {
    case ADD_ELEMENT:
        s = xasprintf("%s added", e->new_value);
        break;
    case REMOVE_ELEMENT:
        s = xasprintf("<%s> removed", n);
        break;
    case SET_ATTR:
    case SET_TEXT:
        s = xasprintf("%s set to \"%s\"", n, e->new_value);
        break;
    case REMOVE_ATTR:
        s = xasprintf("%s removed (was \"%s\")", n, e->old_value ? e->old_value
                                                                 : "");
        break;
    default:
        s = xasprintf("%s changed from \"%s\" to \"%s\"", n, e->old_value,
                      e->new_value);
    }
    free(n);
    return s;
}

/* The fix's description: the exact node-level change. */
static char *fix_text(const vt_edit *e, long line)
{
    const char *x = e->xpath;
    switch (change_of(e)) {
    case ADD_ELEMENT:
        return xasprintf("Add %s as %s (in the element at line %ld)",
                         e->new_value, x, line);
    case REMOVE_ELEMENT:
        return xasprintf("Remove %s (at line %ld)", x, line);
    case SET_ATTR:
        return xasprintf("Set %s to \"%s\" (the element at line %ld)", x,
                         e->new_value, line);
    case REMOVE_ATTR:
        return xasprintf("Remove %s (the element at line %ld)", x, line);
    case CHANGE_ATTR:
        return xasprintf("Change %s from \"%s\" to \"%s\" (the element at "
                         "line %ld)", x, e->old_value, e->new_value, line);
    case SET_TEXT:
        return xasprintf("Set the content of %s to \"%s\" (line %ld)", x,
                         e->new_value, line);
    case CHANGE_TEXT:
        break;
    }
    return xasprintf("Change the content of %s from \"%s\" to \"%s\" (line "
                     "%ld)", x, e->old_value, e->new_value, line);
}

/* --- fixes (see the top) --- */

/* The hunks of one file's diff and which edits they carry. */
typedef struct file_fixes {
    vt_diff_hunk *hunk;
    int nhunks;
    int *of;            /* per edit: the hunk of its fix */
    int *carried;       /* per hunk: the edits mapped to it */
    int *with;          /* per hunk: the hunk whose fixes it is part of
                           (itself, unless no edit maps to it) */
    long nlines;        /* the input's lines */
} file_fixes;

/* The line of the element at XPATH (as libxml2's xmlGetNodePath writes
 * it, "/domain/devices/disk[2]/driver/@cache": its element) in DOC, 0
 * when there is none or the path has steps this walk does not know
 * (namespaces, wildcards). */
static long element_line(xmlDocPtr doc, const char *xpath)
{
    xmlNodePtr cur = NULL;
    const char *p = xpath;
    while (*p == '/' && p[1] != '@' && p[1]) {
        p++;
        size_t n = strcspn(p, "/[");
        long want = 1;
        const char *q = p + n;
        if (*q == '[') {
            char *end;
            want = strtol(q + 1, &end, 10);
            if (end == q + 1 || *end != ']' || want < 1)
                return 0;
            q = end + 1;
        }
        if (n == 0 || memchr(p, ':', n) || memchr(p, '*', n) ||
            (*q && *q != '/'))
            return 0;
        xmlNodePtr c = cur ? cur->children : xmlDocGetRootElement(doc);
        long k = 0;
        for (; c; c = cur ? c->next : NULL) {
            if (c->type == XML_ELEMENT_NODE && !c->ns &&
                strlen((const char *)c->name) == n &&
                !memcmp(c->name, p, n) && ++k == want)
                break;
        }
        if (!c)
            return 0;
        cur = c;
        p = q;
    }
    return cur && (!*p || p[1] == '@') ? xmlGetLineNo(cur) : 0;
}

/* The hunk whose tuned lines hold line L of the tuned XML, or -1. */
static int hunk_out(const file_fixes *ff, long l)
{
    for (int k = 0; k < ff->nhunks; k++) {
        const vt_diff_hunk *h = &ff->hunk[k];
        if (h->b_count && h->b_start <= l && l < h->b_start + h->b_count)
            return k;
    }
    return -1;
}

/* The hunk whose input lines hold line L of the input, else the nearest
 * one, the one after on a tie. Distances are in half lines: an
 * insertion after line S sits at S + 1/2. */
static int hunk_in(const file_fixes *ff, long l)
{
    int best = -1;
    long bestd = 0;
    for (int k = 0; k < ff->nhunks; k++) {
        const vt_diff_hunk *h = &ff->hunk[k];
        long d;
        if (!h->a_count)
            d = labs(2 * l - (2 * h->a_start + 1));
        else if (l < h->a_start)
            d = 2 * (h->a_start - l);
        else if (l >= h->a_start + h->a_count)
            d = 2 * (l - (h->a_start + h->a_count - 1));
        else
            d = 0;
        if (best < 0 || d < bestd || (d == bestd && d > 0)) {
            best = k;
            bestd = d;
        }
    }
    return best;
}

/* The hunks of DR's diff and the hunk of each edit; nothing (no hunks)
 * when DR has no tuned output or it equals the input. */
static void plan_fixes(const vt_domain_report *dr, file_fixes *ff)
{
    memset(ff, 0, sizeof *ff);
    if (!dr->in || !dr->out || !dr->nedits)
        return;
    ff->nhunks = diff_hunks(dr->in, dr->inlen, dr->out, dr->outlen,
                            &ff->hunk);
    if (!ff->nhunks)
        return;
    for (size_t i = 0; i < dr->inlen; i++)
        ff->nlines += dr->in[i] == '\n';
    if (dr->inlen && dr->in[dr->inlen - 1] != '\n')
        ff->nlines++;
    ff->of = xcalloc((size_t)dr->nedits, sizeof *ff->of);
    ff->carried = xcalloc((size_t)ff->nhunks, sizeof *ff->carried);
    ff->with = xcalloc((size_t)ff->nhunks, sizeof *ff->with);

    /* The tuned XML, to find the edits' nodes in: the tool's own output,
     * from an input that domdoc_parse took (no DTD, no entities), parsed
     * here without network and quietly. */
    xmlDocPtr doc = dr->outlen <= INT_MAX
        ? xmlReadMemory(dr->out, (int)dr->outlen, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                        XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES)
        : NULL;
    for (int i = 0; i < dr->nedits; i++) {
        const vt_edit *e = &dr->edits[i];
        int k = -1;
        if (doc && change_of(e) != REMOVE_ELEMENT) {
            long l = element_line(doc, e->xpath);
            if (l > 0)
                k = hunk_out(ff, l);
        }
        if (k < 0)
            k = hunk_in(ff, e->line >= 1 ? e->line : 1);
        ff->of[i] = k;
        ff->carried[k]++;
    }
    if (doc)
        xmlFreeDoc(doc);

    /* a hunk no edit maps to goes with the nearest one that has edits
     * (the one before on a tie) */
    for (int k = 0; k < ff->nhunks; k++) {
        ff->with[k] = k;
        if (ff->carried[k])
            continue;
        int best = -1;
        for (int j = 0; j < ff->nhunks; j++)
            if (ff->carried[j] && (best < 0 || abs(j - k) < abs(best - k)))
                best = j;
        ff->with[k] = best;
    }
}

static void free_fixes(file_fixes *ff)
{
    free(ff->hunk);
    free(ff->of);
    free(ff->carried);
    free(ff->with);
}

/* Code points in the LEN bytes of UTF-8 at S. */
static long codepoints(const char *s, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static int has_bom(const char *s, size_t len)
{
    return len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3);
}

/* Sets the end point (or, for START, the start point) of REGION to the
 * end of DR's input: its last line, one column past its last character
 * (its newline included). */
static void end_of_input(const vt_domain_report *dr, long nlines,
                         cJSON *region, int start)
{
    size_t from = dr->inlen;
    if (from && dr->in[from - 1] == '\n')
        from--;
    while (from > 0 && dr->in[from - 1] != '\n')
        from--;
    if (from == 0 && has_bom(dr->in, dr->inlen))
        from = 3;
    long col = codepoints(dr->in + from, dr->inlen - from) + 1;
    cJSON_AddNumberToObject(region, start ? "startLine" : "endLine",
                            (double)nlines);
    cJSON_AddNumberToObject(region, start ? "startColumn" : "endColumn",
                            (double)col);
}

/* The replacement that applies hunk H of DR's diff. */
static cJSON *hunk_replacement(const vt_domain_report *dr, long nlines,
                               const vt_diff_hunk *h)
{
    cJSON *rep = cJSON_CreateObject();
    cJSON *region = cJSON_AddObjectToObject(rep, "deletedRegion");
    /* the input lines [first, next): line FIRST, column 1 to line NEXT,
     * column 1 */
    long first = h->a_count ? h->a_start : h->a_start + 1;
    long next = first + h->a_count;
    if (first > nlines) {
        end_of_input(dr, nlines, region, 1);
        end_of_input(dr, nlines, region, 0);
    } else {
        cJSON_AddNumberToObject(region, "startLine", (double)first);
        cJSON_AddNumberToObject(region, "startColumn", 1);
        if (next > nlines) {
            end_of_input(dr, nlines, region, 0);
        } else {
            cJSON_AddNumberToObject(region, "endLine", (double)next);
            cJSON_AddNumberToObject(region, "endColumn", 1);
        }
    }
    size_t off = h->b_off, len = h->b_len;
    if (off == 0 && h->a_off == 0 && has_bom(dr->out, dr->outlen) &&
        has_bom(dr->in, dr->inlen) && len >= 3) {
        off += 3;       /* line 1, column 1 is after the mark, which stays */
        len -= 3;
    }
    if (len) {
        char *text = xmalloc(len + 1);
        memcpy(text, dr->out + off, len);
        text[len] = '\0';
        cJSON *ins = cJSON_AddObjectToObject(rep, "insertedContent");
        cJSON_AddStringToObject(ins, "text", text);
        free(text);
    }
    return rep;
}

/* What hunk H does, for a fix's description: "replaces lines 30-31 with
 * 3 lines". */
static char *hunk_action(const vt_diff_hunk *h)
{
    char *lines = h->a_count == 1
        ? xasprintf("line %ld", h->a_start)
        : xasprintf("lines %ld-%ld", h->a_start,
                    h->a_start + h->a_count - 1);
    const char *plural = h->b_count == 1 ? "" : "s";
    char *s;
    if (!h->a_count)
        s = h->a_start ? xasprintf("inserts %ld line%s after line %ld",
                                   h->b_count, plural, h->a_start)
                       : xasprintf("inserts %ld line%s before line 1",
                                   h->b_count, plural);
    else if (!h->b_count)
        s = xasprintf("deletes %s", lines);
    else
        s = xasprintf("replaces %s with %ld line%s", lines, h->b_count,
                      plural);
    free(lines);
    return s;
}

/* The fix of edit I of DR on artifact IDX: the hunk FF maps it to (and
 * any hunk that goes with it), or NULL when the file has no hunk. */
static cJSON *edit_fix(const vt_domain_report *dr, int i, const artifact *arts,
                       int idx, long line, const file_fixes *ff)
{
    if (!ff->nhunks)
        return NULL;
    int k = ff->of[i];
    const vt_diff_hunk *h = &ff->hunk[k];
    vt_strbuf sb;
    strbuf_init(&sb);
    char *t = fix_text(&dr->edits[i], line);
    char *act = hunk_action(h);
    strbuf_addf(&sb, "%s. The fix is the hunk of --diff that %s", t, act);
    if (h->b_count == 1)
        strbuf_addf(&sb, " (line %ld of the tuned XML)", h->b_start);
    else if (h->b_count)
        strbuf_addf(&sb, " (lines %ld-%ld of the tuned XML)", h->b_start,
                    h->b_start + h->b_count - 1);
    free(act);
    free(t);
    int others = ff->carried[k] - 1;
    if (others > 0)
        strbuf_addf(&sb, "; this hunk also carries %d other edit%s", others,
                    others == 1 ? "" : "s");
    const char *sep = "; it also applies what no edit maps to: the hunk that ";
    for (int j = 0; j < ff->nhunks; j++) {
        if (j == k || ff->with[j] != k)
            continue;
        act = hunk_action(&ff->hunk[j]);
        strbuf_addf(&sb, "%s%s", sep, act);
        free(act);
        sep = ", the hunk that ";
    }
    strbuf_adds(&sb, ".");

    cJSON *fix = cJSON_CreateObject();
    cJSON *d = cJSON_AddObjectToObject(fix, "description");
    cJSON_AddStringToObject(d, "text", sb.buf);
    strbuf_free(&sb);
    cJSON *changes = cJSON_AddArrayToObject(fix, "artifactChanges");
    cJSON *ac = cJSON_CreateObject();
    cJSON_AddItemToObject(ac, "artifactLocation", art_location(arts, idx));
    cJSON *reps = cJSON_AddArrayToObject(ac, "replacements");
    for (int j = 0; j < ff->nhunks; j++)
        if (ff->with[j] == k)
            cJSON_AddItemToArray(reps, hunk_replacement(dr, ff->nlines,
                                                        &ff->hunk[j]));
    cJSON_AddItemToArray(changes, ac);
    return fix;
}

static cJSON *edit_result(const vt_domain_report *dr, int i,
                          const artifact *arts, int idx,
                          const file_fixes *ff)
{
    const vt_edit *e = &dr->edits[i];
    int rule_idx = rule_position(e->rule);
    long line = e->line >= 1 ? e->line : 1;
    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "ruleId", report_rule_id(e->rule));
    if (rule_idx >= 0)
        cJSON_AddNumberToObject(res, "ruleIndex", rule_idx);
    cJSON_AddStringToObject(res, "level", "warning");
    cJSON *msg = cJSON_AddObjectToObject(res, "message");
    char *what = what_changes(e);
    char *text = *e->reason ? xasprintf("%s: %s", what, e->reason)
                            : xstrdup(what);
    cJSON_AddStringToObject(msg, "text", text);
    free(text);
    free(what);
    cJSON *locs = cJSON_AddArrayToObject(res, "locations");
    cJSON_AddItemToArray(locs, location(arts, idx, line, e->xpath,
                                        attr_of(e->xpath) ? "attribute"
                                                          : "element"));
    cJSON *fix = edit_fix(dr, i, arts, idx, line, ff);
    if (fix) {
        cJSON *fixes = cJSON_AddArrayToObject(res, "fixes");
        cJSON_AddItemToArray(fixes, fix);
    }
    cJSON *props = cJSON_AddObjectToObject(res, "properties");
    cJSON_AddStringToObject(props, "xpath", e->xpath);
    if (e->old_value)
        cJSON_AddStringToObject(props, "old", e->old_value);
    if (e->new_value)
        cJSON_AddStringToObject(props, "new", e->new_value);
    return res;
}

static cJSON *finding_result(const vt_finding *f, const artifact *arts,
                             int idx)
{
    int rule_idx = rule_position(f->rule);
    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "ruleId", report_rule_id(f->rule));
    if (rule_idx >= 0)
        cJSON_AddNumberToObject(res, "ruleIndex", rule_idx);
    cJSON_AddStringToObject(res, "level", sarif_level(f->sev));
    cJSON *msg = cJSON_AddObjectToObject(res, "message");
    char *text = f->action ? xasprintf("%s (fix on the host: %s)",
                                       f->message, f->action)
                           : xstrdup(f->message);
    cJSON_AddStringToObject(msg, "text", text);
    free(text);
    cJSON *locs = cJSON_AddArrayToObject(res, "locations");
    cJSON_AddItemToArray(locs, location(arts, idx, f->line >= 1 ? f->line : 1,
                                        f->xpath, "element"));
    if (f->action) {
        cJSON *props = cJSON_AddObjectToObject(res, "properties");
        cJSON_AddStringToObject(props, "hostAction", f->action);
    }
    return res;
}

/* --- the tool --- */

static void add_text(cJSON *o, const char *key, const char *text)
{
    if (text && *text) {
        cJSON *m = cJSON_AddObjectToObject(o, key);
        cJSON_AddStringToObject(m, "text", text);
    }
}

static cJSON *rule_descriptor(const vt_rule *rl)
{
    cJSON *jr = cJSON_CreateObject();
    cJSON_AddStringToObject(jr, "id", rl->id);
    add_text(jr, "shortDescription", rl->summary);
    add_text(jr, "fullDescription", rl->description);
    const char *ref = rl->reference;
    if (ref && (!strncmp(ref, "https://", 8) || !strncmp(ref, "http://", 7))) {
        /* the first of "URL; URL (note)" */
        char *uri = xstrdup(ref);
        uri[strcspn(uri, "; \t\n")] = '\0';
        cJSON_AddStringToObject(jr, "helpUri", uri);
        free(uri);
    }
    if (ref && *ref) {
        char *help = rl->description && *rl->description
                         ? xasprintf("%s\n\nReferences: %s", rl->description,
                                     ref)
                         : xasprintf("References: %s", ref);
        add_text(jr, "help", help);
        free(help);
    }
    return jr;
}

static cJSON *tool_object(void)
{
    cJSON *tool = cJSON_CreateObject();
    cJSON *driver = cJSON_AddObjectToObject(tool, "driver");
    cJSON_AddStringToObject(driver, "name", "vtune-xml");
    cJSON_AddStringToObject(driver, "version", VT_VERSION);
    cJSON_AddStringToObject(driver, "informationUri",
                            "https://libvirt.org/formatdomain.html");
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    cJSON *engine = cJSON_CreateObject();
    cJSON_AddStringToObject(engine, "id", "vtune-xml");
    add_text(engine, "shortDescription", "which domains vtune-xml tunes");
    cJSON_AddItemToArray(rules, engine);
    for (int i = 0; i < vt_nrules; i++)
        cJSON_AddItemToArray(rules, rule_descriptor(vt_rules[i]));
    cJSON *notes = cJSON_AddArrayToObject(driver, "notifications");
    cJSON *n = cJSON_CreateObject();
    cJSON_AddStringToObject(n, "id", "input-error");
    add_text(n, "shortDescription", "a file that cannot be read, is not XML "
             "or is not a libvirt domain: not tuned, and the run fails (its "
             "exit code in properties.exitCode)");
    cJSON_AddItemToArray(notes, n);
    n = cJSON_CreateObject();
    cJSON_AddStringToObject(n, "id", "input-skipped");
    add_text(n, "shortDescription", "a document that is not a libvirt "
             "<domain>, passed over under --skip-non-domain");
    cJSON_AddItemToArray(notes, n);
    return tool;
}

/* The notification for DR, a file that failed or was skipped. */
static cJSON *file_notification(const vt_domain_report *dr,
                                const artifact *arts, int idx)
{
    cJSON *n = cJSON_CreateObject();
    cJSON *desc = cJSON_AddObjectToObject(n, "descriptor");
    cJSON_AddStringToObject(desc, "id", dr->skipped ? "input-skipped"
                                                    : "input-error");
    cJSON_AddNumberToObject(desc, "index", dr->skipped ? 1 : 0);
    cJSON_AddStringToObject(n, "level", dr->skipped ? "note" : "error");
    const char *shown = strcmp(dr->file, "-") ? dr->file : "<stdin>";
    char *text = dr->error_line > 0
                     ? xasprintf("%s:%ld: %s", shown, dr->error_line, dr->error)
                     : xasprintf("%s: %s", shown, dr->error);
    add_text(n, "message", text);
    free(text);
    cJSON *locs = cJSON_AddArrayToObject(n, "locations");
    cJSON_AddItemToArray(locs, location(arts, idx, dr->error_line, NULL, NULL));
    if (!dr->skipped) {
        cJSON *props = cJSON_AddObjectToObject(n, "properties");
        cJSON_AddNumberToObject(props, "exitCode", dr->error_code);
    }
    return n;
}

void report_sarif(const vt_report *r, vt_strbuf *out)
{
    char *cwd = getcwd(NULL, 0);
    if (cwd && cwd[0] != '/') {
        free(cwd);
        cwd = NULL;
    }
    /* one artifact per file; dom_art[d]: that of domain d */
    artifact *arts = xcalloc((size_t)r->ndomains + 1, sizeof *arts);
    int *dom_art = xcalloc((size_t)r->ndomains + 1, sizeof *dom_art);
    int narts = 0;
    for (int d = 0; d < r->ndomains; d++) {
        artifact a = r->domains[d]->defined
                     ? (artifact){defined_uri(r->domains[d]->file), 0}
                     : locate(r->domains[d]->file, cwd);
        int k = 0;
        while (k < narts && (arts[k].based != a.based ||
                             strcmp(arts[k].uri, a.uri)))
            k++;
        if (k == narts)
            arts[narts++] = a;
        else
            free(a.uri);
        dom_art[d] = k;
    }

    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema",
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
        "sarif-schema-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON_AddItemToObject(run, "tool", tool_object());

    char *base = NULL;
    if (cwd) {
        vt_strbuf sb;
        strbuf_init(&sb);
        strbuf_adds(&sb, "file://");
        add_pct(&sb, cwd);
        if (sb.buf[sb.len - 1] != '/')
            strbuf_adds(&sb, "/");
        base = strbuf_detach(&sb, NULL);
    }
    cJSON *inv = cJSON_CreateObject();
    int failed = 0, notified = 0;
    for (int d = 0; d < r->ndomains; d++) {
        failed += r->domains[d]->error && !r->domains[d]->skipped;
        notified += r->domains[d]->error != NULL;
    }
    cJSON_AddBoolToObject(inv, "executionSuccessful", !failed);
    if (notified) {
        cJSON *notes = cJSON_AddArrayToObject(inv,
                                              "toolExecutionNotifications");
        for (int d = 0; d < r->ndomains; d++)
            if (r->domains[d]->error)
                cJSON_AddItemToArray(notes, file_notification(r->domains[d],
                                                              arts,
                                                              dom_art[d]));
    }
    if (base) {
        cJSON *wd = cJSON_AddObjectToObject(inv, "workingDirectory");
        cJSON_AddStringToObject(wd, "uri", base);
    }
    cJSON *invs = cJSON_AddArrayToObject(run, "invocations");
    cJSON_AddItemToArray(invs, inv);
    if (base) {
        cJSON *ids = cJSON_AddObjectToObject(run, "originalUriBaseIds");
        cJSON *src = cJSON_AddObjectToObject(ids, BASE_ID);
        cJSON_AddStringToObject(src, "uri", base);
        add_text(src, "description", "the directory vtune-xml ran in");
    }
    cJSON *jarts = cJSON_AddArrayToObject(run, "artifacts");
    for (int k = 0; k < narts; k++) {
        cJSON *ja = cJSON_CreateObject();
        cJSON_AddItemToObject(ja, "location", art_location(arts, k));
        if (!arts[k].based && !strcmp(arts[k].uri, "stdin"))
            add_text(ja, "description", "the standard input");
        cJSON *roles = cJSON_AddArrayToObject(ja, "roles");
        cJSON_AddItemToArray(roles, cJSON_CreateString("analysisTarget"));
        cJSON_AddStringToObject(ja, "mimeType", "application/xml");
        cJSON_AddItemToArray(jarts, ja);
    }
    cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");

    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (int d = 0; d < r->ndomains; d++) {
        const vt_domain_report *dr = r->domains[d];
        file_fixes ff;
        plan_fixes(dr, &ff);
        for (int i = 0; i < dr->nedits; i++)
            cJSON_AddItemToArray(results, edit_result(dr, i, arts,
                                                      dom_art[d], &ff));
        free_fixes(&ff);
        for (int i = 0; i < dr->nfindings; i++)
            cJSON_AddItemToArray(results, finding_result(&dr->findings[i],
                                                         arts, dom_art[d]));
    }
    jsonfmt_print(out, root, 0);
    cJSON_Delete(root);
    for (int k = 0; k < narts; k++)
        free(arts[k].uri);
    free(arts);
    free(dom_art);
    free(base);
    free(cwd);
}
