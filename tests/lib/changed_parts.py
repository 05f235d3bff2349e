#!/usr/bin/env python3
"""changed_parts.py IN OUT DIR - writes DIR/in.xml and DIR/out.xml: minimal
domains holding a fixed skeleton (name, memory, vcpu, os from OUT) plus the
top-level elements that differ between IN and OUT, each from its own file.
corpus.sh validates them against libvirt's schema to tell whether the
elements vtune-xml changed are valid when the input as a whole is not (the
RelaxNG validator stops at the first error, which an edit elsewhere can
move)."""
import copy
import sys
import xml.etree.ElementTree as ET

SKELETON = ("name", "memory", "vcpu", "os")


def children(root):
    out = {}
    for el in root:
        if isinstance(el.tag, str):
            out.setdefault(el.tag, []).append(el)
    return out


def main():
    a = ET.parse(sys.argv[1]).getroot()
    b = ET.parse(sys.argv[2]).getroot()
    ca, cb = children(a), children(b)
    changed = [t for t in cb if t not in SKELETON and
               [ET.tostring(e) for e in cb[t]] !=
               [ET.tostring(e) for e in ca.get(t, [])]]
    for name, src, parts in (("in", a, ca), ("out", b, cb)):
        dom = ET.Element("domain", b.attrib)
        for t in SKELETON:
            for e in cb.get(t, []):
                dom.append(copy.deepcopy(e))
        for t in changed:
            for e in parts.get(t, []):
                dom.append(copy.deepcopy(e))
        ET.ElementTree(dom).write(f"{sys.argv[3]}/{name}.xml")


main()
