/*
 * fuzz_host.c - libFuzzer harness: the bytes are a host description, given
 * to the loader compiler/host/load.c would pick from the content (its
 * load_buffer is static, so the choice is repeated here, rule for rule):
 *
 *   '{' first (after a UTF-8 BOM and blanks)  host_load_json
 *   '<' first, root <topology> or <root>      host_load_hwloc_xml (in a
 *                                             child), then _inproc
 *   '<' first, root <capabilities>            host_load_caps
 *   "synthetic:DESC"                          host_load_hwloc_synthetic
 *                                             (small descriptions only)
 *
 * Oracle, besides the sanitizers: a host that loads survives the JSON
 * snapshot round trip, as host.h promises (VT_HOST_MAX_*): its
 * host_to_json loads again with host_load_json, and gives the same JSON
 * again. abort() otherwise.
 *
 * FUZZ_VERBOSE=1 keeps vtune-xml's messages on stderr.
 */
#include "fuzz_common.h"
#include "loaders.h"

#include <ctype.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME "fuzz-host"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_init("fuzz_host");
    return 0;
}

/* Reports a broken invariant WHAT with the snapshots A and B (each may be
 * NULL) and aborts. */
static _Noreturn void fail(const char *what, const char *a, const char *b)
{
    fz_broken(what);
    if (a)
        fprintf(fz_log, "--- first snapshot:\n%s\n", a);
    if (b)
        fprintf(fz_log, "--- second snapshot:\n%s\n", b);
    fz_abort();
}

/* The root element's name, as load.c's load_xml uses it; -1 when the XML
 * is refused (host_xml_parse printed why). */
static int xml_root(const char *buf, size_t len, char *name, size_t n)
{
    xmlDocPtr doc = host_xml_parse(NAME, buf, len);
    if (!doc)
        return -1;
    snprintf(name, n, "%s", (const char *)xmlDocGetRootElement(doc)->name);
    xmlFreeDoc(doc);
    return 0;
}

/* hwloc builds a synthetic topology in memory before vtune-xml can check
 * its size: the product of the numbers in DESC bounds the objects, keep it
 * small so the fuzzer measures vtune-xml, not the allocator. */
static int small_synthetic(const char *desc)
{
    unsigned long long prod = 1;
    for (const char *p = desc; *p;) {
        if (!isdigit((unsigned char)*p)) {
            p++;
            continue;
        }
        unsigned long long v = 0;
        while (isdigit((unsigned char)*p)) {
            v = v * 10 + (unsigned)(*p++ - '0');
            if (v > 4096)
                return 0;
        }
        if (v > 1 && (prod *= v) > 4096)
            return 0;
    }
    return strlen(desc) < 256;
}

/* hwloc XML: the tool's loader imports it in a child process, whose
 * coverage libFuzzer cannot see; so when the child succeeded, load again
 * in this process (hwloc is deterministic: what the child survived, this
 * process survives) and check both give the same host. */
static int load_hwloc_xml(const char *buf, size_t len, vt_host **out)
{
    vt_host *isolated = NULL;
    int rc = host_load_hwloc_xml(NAME, buf, len, &isolated);
    if (rc)
        return rc;
    rc = host_load_hwloc_xml_inproc(NAME, buf, len, out);
    if (rc)
        fail("the child loaded this hwloc XML, this process did not",
             NULL, NULL);
    char *a = host_to_json(isolated), *b = host_to_json(*out);
    if (strcmp(a, b))
        fail("the hwloc XML loaded in a child differs from in-process", a,
             b);
    free(a);
    free(b);
    host_free(isolated);
    return 0;
}

static int load(const char *buf, size_t len, vt_host **out)
{
    *out = NULL;
    if (len > 10 && memcmp(buf, "synthetic:", 10) == 0) {
        if (memchr(buf, '\0', len) || !small_synthetic(buf + 10))
            return -1;
        return host_load_hwloc_synthetic(buf + 10, out);
    }
    size_t i = 0;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && isspace((unsigned char)buf[i]))
        i++;
    if (i == len)
        return -1;
    if (buf[i] == '{')
        return host_load_json(NAME, buf, len, out);
    if (buf[i] != '<')
        return -1;
    char root[64];
    if (xml_root(buf, len, root, sizeof root) < 0)
        return -1;
    if (!strcmp(root, "topology") || !strcmp(root, "root"))
        return load_hwloc_xml(buf, len, out);
    if (!strcmp(root, "capabilities"))
        return host_load_caps(NAME, buf, len, out);
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the loaders expect buf[len] == '\0', as file_read gives */
    char *buf = fz_cstring(data, size);
    vt_host *h = NULL;
    int rc = load(buf, size, &h);
    free(buf);
    if (rc != 0)
        return 0;   /* refused, with a message: fine */
    if (!h)
        fail("a loader succeeded without a host", NULL, NULL);

    char *j1 = host_to_json(h);
    vt_host *h2 = NULL;
    if (host_load_json(NAME, j1, strlen(j1), &h2) != 0)
        fail("host_to_json's snapshot does not load again", j1, NULL);
    char *j2 = host_to_json(h2);
    if (strcmp(j1, j2) != 0)
        fail("the snapshot changed through a round trip", j1, j2);
    free(j2);
    free(j1);
    host_free(h2);
    host_free(h);
    return 0;
}
