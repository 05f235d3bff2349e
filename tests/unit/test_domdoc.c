/*
 * test_domdoc.c - the domain document: byte-exact round trips, edits that
 * keep the document's style, and refusal of unsafe or broken input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domdoc.h"

static vt_domdoc *parse_ok(const char *text)
{
    vt_domdoc *d = NULL;
    assert_int_equal(domdoc_parse("t.xml", text, strlen(text), &d), 0);
    return d;
}

static void assert_emits(vt_domdoc *d, const char *want)
{
    size_t len;
    char *out = domdoc_emit(d, &len);
    if (strlen(want) != len || memcmp(out, want, len) != 0)
        fprintf(stderr, "got:\n%.*s\nwant:\n%s\n", (int)len, out, want);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
    free(out);
}

static void roundtrip(const char *text)
{
    vt_domdoc *d = parse_ok(text);
    assert_emits(d, text);
    assert_int_equal(domdoc_changed(d), 0);
    domdoc_free(d);
}

static void test_roundtrip_styles(void **state)
{
    (void)state;
    roundtrip("<domain type='kvm'><name>a</name></domain>");
    roundtrip("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<!-- header -->\n<domain  type = \"kvm\" >\n"
              "  <name>a &amp; b &#65; &lt;x&gt;</name>\n"
              "  <!-- a comment -->\n  <memory unit='KiB' >1024</memory >\n"
              "  <description><![CDATA[<raw> & stuff]]></description>\n"
              "  <?pi data?>\n  <empty></empty>\n  <e2 a=\"x&quot;y\"/>\n"
              "</domain>\n<!-- trailer -->\n");
    roundtrip("<domain type='kvm'>\r\n\t<name>crlf</name>\r\n</domain>");
    roundtrip("<domain type=\"kvm\" xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\">\n"
              "  <qemu:commandline>\n    <qemu:arg value=\"-x\"/>\n"
              "  </qemu:commandline>\n</domain>");
}

static void test_add_child_indent(void **state)
{
    (void)state;
    vt_domdoc *d = parse_ok("<domain type=\"kvm\">\n    <vcpu>2</vcpu>\n"
                            "    <cpu mode=\"host-passthrough\"/>\n"
                            "    <devices/>\n</domain>\n");
    xmlNodePtr root = domdoc_root(d);
    xmlNodePtr cpu = domdoc_child(root, "cpu");
    xmlNodePtr t = domdoc_add_child(d, cpu, "topology", NULL);
    domdoc_set_attr(d, t, "sockets", "1");
    xmlNodePtr ct = domdoc_add_child(d, root, "cputune", domdoc_child(root, "vcpu"));
    domdoc_set_attr(d, ct, "a", "it's \"q\"");
    assert_int_equal(domdoc_changed(d), 1);
    assert_emits(d, "<domain type=\"kvm\">\n    <vcpu>2</vcpu>\n"
                 "    <cputune a=\"it's &quot;q&quot;\"/>\n"
                 "    <cpu mode=\"host-passthrough\">\n"
                 "        <topology sockets=\"1\"/>\n    </cpu>\n"
                 "    <devices/>\n</domain>\n");
    domdoc_free(d);
}

static void test_single_quotes_and_attr_edit(void **state)
{
    (void)state;
    vt_domdoc *d = parse_ok("<domain type='kvm'>\n  <cpu  mode='host-model'  check='partial'>\n"
                         "    <model fallback='allow'/>\n  </cpu>\n</domain>");
    xmlNodePtr cpu = domdoc_child(domdoc_root(d), "cpu");
    domdoc_set_attr(d, cpu, "mode", "host-passthrough");
    domdoc_set_attr(d, cpu, "check", NULL);
    domdoc_remove(d, domdoc_child(cpu, "model"));
    /* its only child removed, <cpu> becomes an empty tag; the spacing
     * of the attributes kept is as written */
    assert_emits(d, "<domain type='kvm'>\n  <cpu  mode='host-passthrough'/>\n</domain>");
    domdoc_free(d);
}

/* an edited start tag keeps its bytes: attributes across lines, their
 * quotes, and the xmlns declarations; a value written in its own quote,
 * an added attribute in the tag's */
static void test_attr_edit_keeps_the_tag(void **state)
{
    (void)state;
    vt_domdoc *d = parse_ok("<domain type=\"kvm\">\n<vcpu\n\tplacement='static'\n"
                            "\tcurrent=\"4\" >4</vcpu>\n<x:a xmlns:x='u' x:k=\"1\" "
                            "b='2'/>\n</domain>");
    xmlNodePtr root = domdoc_root(d);
    domdoc_set_attr(d, domdoc_child(root, "vcpu"), "cpuset", "0-3");
    domdoc_set_attr(d, domdoc_child(root, "vcpu"), "current", "it's");
    xmlNodePtr a = domdoc_root(d)->children;
    while (a && !(a->type == XML_ELEMENT_NODE && xmlStrEqual(a->name, BAD_CAST "a")))
        a = a->next;
    assert_non_null(a);
    domdoc_set_attr(d, a, "b", NULL);
    assert_emits(d, "<domain type=\"kvm\">\n<vcpu\n\tplacement='static'\n"
                 "\tcurrent=\"it's\" cpuset='0-3' >4</vcpu>\n<x:a xmlns:x='u' "
                 "x:k=\"1\"/>\n</domain>");
    domdoc_free(d);
}

static void test_set_same_value_is_no_change(void **state)
{
    (void)state;
    vt_domdoc *d = parse_ok("<domain type='kvm'><cpu mode='x'/></domain>");
    domdoc_set_attr(d, domdoc_child(domdoc_root(d), "cpu"), "mode", "x");
    assert_int_equal(domdoc_changed(d), 0);
    domdoc_free(d);
}

static void test_add_to_flat_document(void **state)
{
    (void)state;
    vt_domdoc *d = parse_ok("<domain type='kvm'><vcpu>1</vcpu></domain>");
    xmlNodePtr c = domdoc_add_child(d, domdoc_root(d), "cpu", NULL);
    domdoc_set_attr(d, c, "mode", "host-passthrough");
    assert_emits(d, "<domain type='kvm'><vcpu>1</vcpu><cpu mode='host-passthrough'/></domain>");
    domdoc_free(d);
}

static void refused(const char *text)
{
    vt_domdoc *d = NULL;
    assert_int_equal(domdoc_parse("bad.xml", text, strlen(text), &d), 3);
    assert_null(d);
}

static void test_refuses_unsafe_and_broken(void **state)
{
    (void)state;
    refused("");
    refused("not xml at all");
    refused("<domain type='kvm'><name>x</name>");
    refused("<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
            "<domain>&x;</domain>");
    refused("<!DOCTYPE d [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]><domain>&b;</domain>");
    refused("<domain>&undefined;</domain>");
    refused("<?xml version='1.0' encoding='ISO-8859-1'?><domain/>");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_styles),
        cmocka_unit_test(test_add_child_indent),
        cmocka_unit_test(test_single_quotes_and_attr_edit),
        cmocka_unit_test(test_attr_edit_keeps_the_tag),
        cmocka_unit_test(test_set_same_value_is_no_change),
        cmocka_unit_test(test_add_to_flat_document),
        cmocka_unit_test(test_refuses_unsafe_and_broken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
