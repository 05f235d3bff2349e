/*
 * fuzz_policy.c - libFuzzer harness: the bytes are a policy file
 * (schemas/policy.schema.json) given to policy_load, which reads a path:
 * the harness keeps one temporary file per process (in /dev/shm when it
 * exists, else $TMPDIR or /tmp), rewritten for each input.
 *
 * When the policy loads, its values are read back through the API the
 * rules use (policy_rule_on, policy_param for every parameter) and, as
 * the point of a policy, it tunes a fixed domain (examples/domains/db.xml,
 * built in) on a host: engine_run_init (reserved_cpus), engine_preaccount,
 * engine_tune (every parameter and hostdev request), domdoc_emit,
 * report_json. The host is FUZZ_POLICY_HOST when set (run.sh gives
 * tests/hosts/sriov.json, whose PCI devices the hostdev requests can
 * match), else a synthetic one. Oracle: the sanitizers, and the tuned
 * output parses again.
 *
 * FUZZ_VERBOSE=1 keeps vtune-xml's messages on stderr.
 */
#include "domain.h"
#include "domdoc.h"
#include "engine.h"
#include "fuzz_common.h"
#include "policy.h"
#include "report.h"
#include "rule.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_HOST "synthetic:pack:2 numa:1(memory=64GiB) core:8 pu:2"

static const char domain_xml[] =
    "<domain type=\"kvm\">\n"
    "  <name>db01</name>\n"
    "  <uuid>5b0c8b5e-2f4d-4c57-9a8e-0d1e6f2a3b4c</uuid>\n"
    "  <metadata>\n"
    "    <libosinfo:libosinfo xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n"
    "      <libosinfo:os id=\"http://redhat.com/rhel/9.2\"/>\n"
    "    </libosinfo:libosinfo>\n"
    "  </metadata>\n"
    "  <memory unit=\"GiB\">32</memory>\n"
    "  <currentMemory unit=\"GiB\">32</currentMemory>\n"
    "  <vcpu>8</vcpu>\n"
    "  <os>\n"
    "    <type arch=\"x86_64\" machine=\"q35\">hvm</type>\n"
    "    <boot dev=\"hd\"/>\n"
    "  </os>\n"
    "  <features>\n"
    "    <acpi/>\n"
    "    <apic/>\n"
    "  </features>\n"
    "  <clock offset=\"utc\">\n"
    "    <timer name=\"rtc\" tickpolicy=\"catchup\"/>\n"
    "  </clock>\n"
    "  <on_poweroff>destroy</on_poweroff>\n"
    "  <on_reboot>restart</on_reboot>\n"
    "  <on_crash>destroy</on_crash>\n"
    "  <devices>\n"
    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    "    <disk type=\"block\" device=\"disk\">\n"
    "      <driver name=\"qemu\" type=\"raw\"/>\n"
    "      <source dev=\"/dev/nvme0n1p3\"/>\n"
    "      <target dev=\"vda\" bus=\"virtio\"/>\n"
    "    </disk>\n"
    "    <disk type=\"file\" device=\"disk\">\n"
    "      <driver name=\"qemu\" type=\"qcow2\"/>\n"
    "      <source file=\"/var/lib/libvirt/images/db01-root.qcow2\"/>\n"
    "      <target dev=\"vdb\" bus=\"virtio\"/>\n"
    "    </disk>\n"
    "    <disk type=\"file\" device=\"disk\">\n"
    "      <source file=\"/var/lib/libvirt/images/db01-old.img\"/>\n"
    "      <target dev=\"hda\" bus=\"ide\"/>\n"
    "    </disk>\n"
    "    <interface type=\"network\">\n"
    "      <source network=\"default\"/>\n"
    "      <mac address=\"52:54:00:6b:3c:01\"/>\n"
    "      <model type=\"virtio\"/>\n"
    "    </interface>\n"
    "    <interface type=\"network\">\n"
    "      <source network=\"default\"/>\n"
    "      <model type=\"e1000\"/>\n"
    "    </interface>\n"
    "    <filesystem type=\"mount\">\n"
    "      <driver type=\"virtiofs\"/>\n"
    "      <source dir=\"/srv/share\"/>\n"
    "      <target dir=\"share\"/>\n"
    "    </filesystem>\n"
    "    <console type=\"pty\"/>\n"
    "    <memballoon model=\"virtio\"/>\n"
    "  </devices>\n"
    "</domain>\n";

static char fz_path[256];
static int fz_fd = -1;
static vt_host *fz_host;

static void remove_temp(void)
{
    if (fz_fd >= 0) {
        close(fz_fd);
        unlink(fz_path);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_init("fuzz_policy");
    struct stat st;
    const char *dir = getenv("TMPDIR");
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
        access("/dev/shm", W_OK) == 0)
        dir = "/dev/shm";
    else if (!dir || !*dir)
        dir = "/tmp";
    snprintf(fz_path, sizeof fz_path, "%s/vtune-fuzz-policy-XXXXXX", dir);
    fz_fd = mkstemp(fz_path);
    if (fz_fd < 0)
        fz_fatal("cannot create a file in %s", dir);
    atexit(remove_temp);
    fz_host = fz_load_host("FUZZ_POLICY_HOST", DEFAULT_HOST);
    return 0;
}

static _Noreturn void fail(const char *what)
{
    fz_broken(what);
    fz_abort();
}

/* Parameter NAME of rule I as the rules read it: declared (META), with a
 * value and its text (the default's when the policy does not set it). */
static void read_param(const vt_policy *p, int i, const char *name,
                       const vt_rule_param *meta)
{
    const char *text = NULL;
    const vt_rule_param *got = NULL;
    if (!policy_param(p, i, name, &text, &got))
        fail("policy_param is NULL for a declared parameter");
    if (!text)
        fail("policy_param gives no text for a declared parameter");
    if (got != meta)
        fail("policy_param gives another parameter's metadata");
}

/* Every value the rules could ask for. */
static void read_back(const vt_policy *p)
{
    for (int i = 0; i < vt_nrules; i++) {
        (void)policy_rule_on(p, i);
        for (const vt_rule_param *q = vt_rules[i]->params; q && q->name; q++)
            read_param(p, i, q->name, q);
        read_param(p, i, "override", &policy_override_param);
    }
}

static void tune(const vt_policy *p)
{
    vt_domdoc *d;
    vt_domain info;
    if (domdoc_parse("db.xml", domain_xml, sizeof domain_xml - 1, &d) ||
        domain_inspect(d, &info))
        fail("the built-in domain does not load");
    vt_domain_report *rep = report_domain_new("db.xml");
    vt_run run;
    engine_run_init(&run, fz_host, p);
    int accounted = engine_preaccount(d, &info, fz_host, p, &run);
    engine_tune(d, &info, fz_host, p, &run, accounted, rep);
    size_t len;
    char *out = domdoc_emit(d, &len);
    vt_domain_report *reps[1] = {rep};
    vt_report r = {
        .profile = policy_profile_name(p->profile),
        .host_source = fz_host->source, .host_kind = fz_host->kind,
        .ndomains = 1, .domains = reps,
    };
    vt_strbuf sb;
    strbuf_init(&sb);
    report_json(&r, &sb);
    strbuf_free(&sb);
    vt_domdoc *d2;
    if (domdoc_parse("db.xml", out, len, &d2) != 0)
        fail("the tuned output does not parse");
    domdoc_free(d2);
    free(out);
    engine_run_free(&run);
    report_domain_free(rep);
    domain_free(&info);
    domdoc_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(fz_fd, 0) != 0 ||
        pwrite(fz_fd, data, size, 0) != (ssize_t)size)
        fz_fatal("cannot write %s", fz_path);
    vt_policy *p = policy_new();
    if (policy_load(p, fz_path) == 0) {
        read_back(p);
        tune(p);
    }
    policy_free(p);
    return 0;
}
