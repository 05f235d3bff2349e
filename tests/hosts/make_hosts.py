#!/usr/bin/env python3
"""make_hosts.py - writes the hand-described test hosts of tests/hosts/
that are easier to generate than to type (README.md lists them all):

  pools-mixed.json   2 nodes x 8 cores x 2 threads, 16 GiB each; node 0
                     has 10 free 1 GiB and 1024 free 2 MiB pages, node 1
                     no hugepages at all
  tiny-nodes.json    1 package of 8 nodes of 1 core x 2 threads (the
                     shape of `synthetic:pack:1 numa:8 core:1 pu:2`),
                     1 GiB each, x86_64
  s390x.json         1 node, 4 cores x 2 threads (z15 SMT-2), 16 GiB,
                     s390x
  bmc-gpus.json      two-node.json's shape with the PCI devices of a GPU
                     server: the BMC's Matrox VGA (boot VGA), two GPUs
                     with their audio functions (one IOMMU group each),
                     NIC PF eno1 carrying the host's interface with 2
                     VFs, a second PF without a netdev, both on node 0;
                     a NIC ens2f0 on node 1; memlock not raisable
  caps-ppc64le.xml   `virsh capabilities` of a POWER9 host: 2 nodes x 4
                     cores x 4 threads, 64 KiB base pages, 16 MiB and
                     16 GiB hugepage pools (none reserved on node 1)

Run from anywhere: python3 tests/hosts/make_hosts.py. The files are
committed; run it again only to change them.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
GIB = 1048576
FLAGS = ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8",
         "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36",
         "clflush", "mmx", "fxsr", "sse", "sse2", "ht", "syscall", "nx",
         "pdpe1gb", "rdtscp", "lm", "constant_tsc", "nonstop_tsc",
         "tsc_known_freq", "pni", "vmx", "ssse3", "fma", "cx16", "sse4_1",
         "sse4_2", "x2apic", "movbe", "popcnt", "aes", "xsave", "avx",
         "f16c", "rdrand", "hypervisor", "tsc_deadline_timer", "avx2",
         "bmi1", "bmi2", "invpcid", "avx512f"]


def snapshot(source, arch, packages, nodes, cpus, flags=None,
             distances=None, isolated=None):
    n = len(nodes)
    if distances is None:
        distances = [[10 if a == b else 21 for b in range(n)]
                     for a in range(n)]
    return {
        "vtune_xml_snapshot": 1,
        "source": source,
        "kind": "manual",
        "arch": arch,
        "packages": packages,
        "cpu_flags": flags,
        "cpu_flags_complete": flags is not None,
        "isolated_cpus": isolated,
        "nohz_full_cpus": isolated,
        "reserved_cpus": None,
        "nodes": nodes,
        "distances": distances,
        "cpus": cpus,
        "pci": [],
    }


def node(nid, first, count, mem_kib, pages):
    return {"id": nid, "cpus": "%d-%d" % (first, first + count - 1),
            "memory_kib": mem_kib, "pages": pages}


def cpu_list(first, count, node_id, package, cores_from, threads):
    """CPUs FIRST.. of one node, THREADS consecutive ids per core."""
    out = []
    for i in range(count):
        out.append({"id": first + i, "online": True, "node": node_id,
                    "package": package,
                    "core": cores_from + i // threads, "l3": node_id})
    return out


def write_json(name, data):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


def pools_mixed():
    base = lambda mem: {"size_kib": 4, "total": mem // 4, "free": None}
    n0 = node(0, 0, 16, 16 * GIB, [
        base(16 * GIB),
        {"size_kib": 2048, "total": 1024, "free": 1024},
        {"size_kib": GIB, "total": 10, "free": 10}])
    n1 = node(1, 16, 16, 16 * GIB, [
        base(16 * GIB),
        {"size_kib": 2048, "total": 0, "free": 0},
        {"size_kib": GIB, "total": 0, "free": 0}])
    cpus = cpu_list(0, 16, 0, 0, 0, 2) + cpu_list(16, 16, 1, 1, 8, 2)
    write_json("pools-mixed.json", snapshot(
        "tests/hosts/make_hosts.py: 2 nodes x 8 cores x 2 threads, 16 GiB "
        "each; 1 GiB and 2 MiB pages free on node 0 only",
        "x86_64", 2, [n0, n1], cpus, FLAGS))


def tiny_nodes():
    nodes, cpus = [], []
    for i in range(8):
        nodes.append(node(i, 2 * i, 2, GIB,
                          [{"size_kib": 4, "total": GIB // 4, "free": None}]))
        cpus += cpu_list(2 * i, 2, i, 0, i, 2)
    dist = [[10 if a == b else 12 for b in range(8)] for a in range(8)]
    write_json("tiny-nodes.json", snapshot(
        "tests/hosts/make_hosts.py: 1 package of 8 nodes of 1 core x 2 "
        "threads, 1 GiB each (synthetic:pack:1 numa:8 core:1 pu:2)",
        "x86_64", 1, nodes, cpus, FLAGS, dist))


def s390x():
    n0 = node(0, 0, 8, 16 * GIB, [
        {"size_kib": 4, "total": 4 * GIB, "free": None},
        {"size_kib": 1024, "total": 0, "free": 0}])
    write_json("s390x.json", snapshot(
        "tests/hosts/make_hosts.py: 1 node, 4 cores x 2 threads (z15 "
        "SMT-2), 16 GiB", "s390x", 1, [n0], cpu_list(0, 8, 0, 0, 0, 2)))


def caps_ppc64le():
    cells = []
    for c in range(2):
        cpus = []
        for i in range(16):
            cid = c * 16 + i
            core = cid // 4
            sib = "%d-%d" % (core * 4, core * 4 + 3)
            cpus.append("            <cpu id='%d' socket_id='%d' die_id='0' "
                        "core_id='%d' siblings='%s'/>" % (cid, c, core, sib))
        free16m = 256 if c == 0 else 0
        cells.append("""        <cell id='%d'>
          <memory unit='KiB'>%d</memory>
          <pages unit='KiB' size='64'>%d</pages>
          <pages unit='KiB' size='16384'>%d</pages>
          <pages unit='KiB' size='16777216'>0</pages>
          <distances>
            <sibling id='0' value='%d'/>
            <sibling id='1' value='%d'/>
          </distances>
          <cpus num='16'>
%s
          </cpus>
        </cell>""" % (c, 32 * GIB, (32 * GIB - free16m * 16384) // 64, free16m,
                      10 if c == 0 else 40, 40 if c == 0 else 10,
                      "\n".join(cpus)))
    text = """<!-- tests/hosts/caps-ppc64le.xml: a `virsh capabilities` of a POWER9
     host, written by tests/hosts/make_hosts.py: 2 nodes x 4 cores x 4
     threads, 32 GiB each, 64 KiB base pages; hugepages of 16 MiB (256
     reserved on node 0) and 16 GiB (none) -->
<capabilities>
  <host>
    <uuid>00000000-0000-0000-0000-000000000002</uuid>
    <cpu>
      <arch>ppc64le</arch>
      <model>POWER9</model>
      <vendor>IBM</vendor>
      <topology sockets='2' dies='1' cores='4' threads='4'/>
      <pages unit='KiB' size='64'/>
      <pages unit='KiB' size='16384'/>
      <pages unit='KiB' size='16777216'/>
    </cpu>
    <topology>
      <cells num='2'>
%s
      </cells>
    </topology>
  </host>
</capabilities>
""" % "\n".join(cells)
    with open(os.path.join(HERE, "caps-ppc64le.xml"), "w") as f:
        f.write(text)


def bmc_gpus():
    with open(os.path.join(HERE, "two-node.json")) as f:
        data = json.load(f)
    data["source"] = ("tests/hosts/make_hosts.py: two-node.json with a GPU "
                      "server's PCI devices (BMC VGA, GPUs with audio, host "
                      "NIC with VFs)")
    data["memlock_raisable"] = False

    def dev(addr, cls, vendor, device, nid, group, name=None, pf=None,
            vga=None):
        d = {"address": addr, "class": cls, "vendor": vendor,
             "device": device, "node": nid, "name": name, "pf": pf,
             "iommu_group": group}
        if vga is not None:
            d["boot_vga"] = vga
        return d
    data["pci"] = [
        dev("0000:03:00.0", "0x0300", "0x102b", "0x0536", 0, 20, vga=True),
        dev("0000:18:00.0", "0x0200", "0x8086", "0x1572", 0, 30, "eno1"),
        dev("0000:18:00.1", "0x0200", "0x8086", "0x1572", 0, 31),
        dev("0000:18:02.0", "0x0200", "0x8086", "0x154c", 0, 32,
            pf="0000:18:00.0"),
        dev("0000:18:02.1", "0x0200", "0x8086", "0x154c", 0, 33,
            pf="0000:18:00.0"),
        dev("0000:65:00.0", "0x0300", "0x10de", "0x1eb8", 0, 40, vga=False),
        dev("0000:65:00.1", "0x0403", "0x10de", "0x10f8", 0, 40),
        dev("0000:ca:00.0", "0x0302", "0x10de", "0x20b5", 1, 50),
        dev("0000:ca:00.1", "0x0403", "0x10de", "0x1aef", 1, 50),
        dev("0000:d8:00.0", "0x0200", "0x8086", "0x1572", 1, 60, "ens2f0"),
    ]
    write_json("bmc-gpus.json", data)


if __name__ == "__main__":
    pools_mixed()
    tiny_nodes()
    s390x()
    caps_ppc64le()
    bmc_gpus()
