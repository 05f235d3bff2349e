#!/usr/bin/env python3
"""numa-host.py N OUT [CORES]: an hwloc v2 XML topology of N NUMA nodes, one
package each with CORES cores (default 2) of one PU, 1 GiB of memory per
node and a full N x N latency matrix: the shape of the largest hosts the
tool is measured on (bench/scale.sh) and tested with (tests/cli.sh). The
file grows with N squared: every object's cpuset and nodeset are bitmaps of
all N nodes' CPUs, and the matrix has N * N values."""
import sys

def bitmap(first, count):
    """hwloc's bitmap text for bits first..first+count-1 (highest 32-bit
    word first, zero words below it as 0x0)."""
    words = {}
    for b in range(first, first + count):
        words[b // 32] = words.get(b // 32, 0) | (1 << (b % 32))
    top = max(words)
    parts = ["0x%08x" % words[top]]
    for w in range(top - 1, -1, -1):
        v = words.get(w, 0)
        parts.append("0x%08x" % v if v else "0x0")
    return ",".join(parts)

def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    cores = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    pus = n * cores
    allc, alln = bitmap(0, pus), bitmap(0, n)
    gp = [1]

    def g():
        gp[0] += 1
        return gp[0]
    w = []
    w.append('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE topology SYSTEM "hwloc2.dtd">\n'
             '<topology version="2.0">\n')
    w.append('  <object type="Machine" os_index="0" cpuset="%s" complete_cpuset="%s" '
             'allowed_cpuset="%s" nodeset="%s" complete_nodeset="%s" allowed_nodeset="%s" '
             'gp_index="1">\n    <info name="Architecture" value="x86_64"/>\n'
             % (allc, allc, allc, alln, alln, alln))
    for i in range(n):
        cs, ns = bitmap(i * cores, cores), bitmap(i, 1)
        sets = 'cpuset="%s" complete_cpuset="%s" nodeset="%s" complete_nodeset="%s"' % (cs, cs, ns, ns)
        w.append('    <object type="Package" os_index="%d" %s gp_index="%d">\n' % (i, sets, g()))
        w.append('      <object type="NUMANode" os_index="%d" %s gp_index="%d" '
                 'local_memory="1073741824">\n        <page_type size="4096" count="262144"/>\n'
                 '        <page_type size="2097152" count="0"/>\n      </object>\n' % (i, sets, g()))
        for c in range(cores):
            p = i * cores + c
            one = bitmap(p, 1)
            # (hwloc derives the nodesets of CPU-side objects)
            s1 = 'cpuset="%s" complete_cpuset="%s"' % (one, one)
            w.append('      <object type="Core" os_index="%d" %s gp_index="%d">\n'
                     '        <object type="PU" os_index="%d" %s gp_index="%d"/>\n      </object>\n'
                     % (p, s1, g(), p, s1, g()))
        w.append('    </object>\n')
    w.append('  </object>\n')
    idx = " ".join(str(i) for i in range(n))
    w.append('  <distances2 type="NUMANode" nbobjs="%d" kind="5" indexing="os">\n'
             '    <indexes length="%d">%s </indexes>\n' % (n, len(idx) + 1, idx))
    row = [str(20 + 10 * (d % 4)) for d in range(n)]
    for i in range(n):
        vals = " ".join(("10" if k == i else row[abs(i - k)]) for k in range(n))
        w.append('    <u64values length="%d">%s </u64values>\n' % (len(vals) + 1, vals))
    w.append('  </distances2>\n</topology>\n')
    with open(out, "w") as f:
        f.write("".join(w))

main()
