#!/usr/bin/env python3
# The device model's files call each other in layers, never in a cycle.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Reads the symbols of the compiled hw/ena objects (nm) and draws an edge
a -> b when a.c uses a function or table that b.c defines. The layers are
ena.c (QOM shell) over ena_core.c (registers, reset, life cycle) over
ena_admin.c over ena_io.c over ena_allow.c (ENI allowances) over
ena_event.c (DMA, interrupts, AENQ) over ena_fault.c; any cycle fails.
Prints TAP.

usage: check-layering.py OBJDIR    (e.g. build/qemu-build/libcommon.a.p)
       check-layering.py --self-test
"""

import glob
import os
import subprocess
import sys


def graph(objdir):
    """{file: set of files whose symbols it uses}"""
    defs, undefs = {}, {}
    for obj in sorted(glob.glob(os.path.join(objdir, 'hw_ena_*.o'))):
        name = os.path.basename(obj)[len('hw_ena_'):-len('.o')]
        out = subprocess.run(['nm', obj], capture_output=True, text=True,
                             check=True).stdout
        defs[name], undefs[name] = set(), set()
        for line in out.splitlines():
            w = line.split()
            if len(w) == 3 and w[1] in 'TDRB':
                defs[name].add(w[2])
            elif len(w) == 2 and w[0] == 'U':
                undefs[name].add(w[1])
    return {a: {b for b in defs if b != a and undefs[a] & defs[b]}
            for a in defs}


def cycles(edges):
    """Edges a -> b that close a cycle (b reaches a again)."""
    def reaches(src, dst):
        seen, todo = set(), [src]
        while todo:
            n = todo.pop()
            if n == dst:
                return True
            if n not in seen:
                seen.add(n)
                todo.extend(edges.get(n, ()))
        return False
    return sorted((a, b) for a in edges for b in edges[a] if reaches(b, a))


def main():
    if sys.argv[1:] == ['--self-test']:
        good = {'x.c': {'y.c'}, 'y.c': {'z.c'}, 'z.c': set()}
        bad = {'x.c': {'y.c'}, 'y.c': {'z.c'}, 'z.c': {'x.c'}}
        ok = not cycles(good) and len(cycles(bad)) == 3
        print('1..1')
        print('%s 1 - a cycle of three files is found, a chain is not' %
              ('ok' if ok else 'not ok'))
        return 0 if ok else 1
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    edges = graph(sys.argv[1])
    if len(edges) < 2:
        print('1..0 # SKIP no hw/ena objects in %s' % sys.argv[1])
        return 0
    print('1..%d' % len(edges))
    bad = cycles(edges)
    for i, a in enumerate(sorted(edges), 1):
        mine = [e for e in bad if e[0] == a]
        print('%s %d - %s uses %s' % ('not ok' if mine else 'ok', i, a,
                                      ', '.join(sorted(edges[a])) or
                                      'no other file'))
        for e in mine:
            print('# %s -> %s closes a cycle' % e)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
