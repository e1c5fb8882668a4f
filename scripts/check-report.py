#!/usr/bin/env python3
# Checks ena-scenario's pictures and CI reports (TAP).
# SPDX-License-Identifier: GPL-2.0-or-later
"""usage: check-report.py --self-test
       check-report.py SCENARIO.scn TIMELINE.svg REPORT.xml
       check-report.py --run TARGET [KERNEL] SCENARIO.scn

--self-test draws a made-up run (a fault at 2 s, a reset at 5 s, its
recovery at 5.5 s, traffic that fails from 3 s to 5 s) and an empty one,
renders each with rsvg-convert and reads the pixels back: each mark must
be in its lane at its time, in its colour, and nowhere else; then it
writes the JUnit report of a run with a passing, a failing and a skipped
expectation and reads it back. The second form checks the files of a real
run (`ena-scenario --svg --junit`): the picture renders, its fault and
reset lanes hold marks, and the report has one testcase per expectation
of the scenario with the timeline attached. --run makes that run first
(ena-scenario --target TARGET [--kernel KERNEL] --svg --junit)."""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from enascn import junit, svg  # noqa: E402
from enascn.model import Expect, Result, Scenario, parse  # noqa: E402


def png_pixels(data):
    """(width, height, rows of (r, g, b, a)) of an 8-bit RGBA or RGB PNG."""
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, w = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            assert depth == 8 and ctype in (2, 6), 'unexpected PNG format'
            bpp = 4 if ctype == 6 else 3
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 0xff
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return w, h, rows


def render(svg_text, tmp):
    path = os.path.join(tmp, 'r.svg')
    with open(path, 'w') as f:
        f.write(svg_text)
    png = subprocess.run(['rsvg-convert', '--format=png', path],
                         capture_output=True, check=True).stdout
    return png_pixels(png)


def hexrgb(c):
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))


def near(p, q):
    return all(abs(a - b) <= 24 for a, b in zip(p, q))


def lane_hits(rows, lane, color):
    """x positions where @color shows in @lane's rows."""
    y0 = svg.TOP + svg.LANES.index(lane) * svg.LANE_H
    want, xs = hexrgb(color), set()
    for y in range(y0, y0 + svg.LANE_H - 4):
        for x, p in enumerate(rows[y]):
            if near(p, want):
                xs.add(x)
    return xs


def x_of(t, t0, t1):
    return svg.LEFT + (t - t0) / (t1 - t0) * (svg.WIDTH - svg.RIGHT -
                                             svg.LEFT)


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def check(self, ok, what, detail=''):
        self.n += 1
        self.failed += not ok
        print('%s %d - %s' % ('ok' if ok else 'not ok', self.n, what))
        if not ok and detail:
            print('# ' + detail)


def self_test(tap, tmp):
    sc = Scenario(path='made-up.scn', name='made-up', duration=10.0)
    res = Result(traffic='ok')
    res.timeline = [(2.0, 'inject', 'fault-keepalive = stop'),
                    (5.0, 'driver', '5205 KEEP_ALIVE_TO reset-started'),
                    (5.5, 'driver', '5210 KEEP_ALIVE_TO recovered'),
                    (1.0, 'driver', '5200 - initialized')]
    res.traffic_series = [(float(t), not 3 <= t < 5, 1000 * t)
                          for t in range(1, 10)]
    w, h, rows = render(svg.render(sc, 'qtest', None, res, True), tmp)
    tap.check(w == svg.WIDTH, 'the picture is %d pixels wide' % svg.WIDTH,
              'width %d' % w)
    t1 = 10.5
    for lane, color, t in (('faults', svg.COLORS['fault'], 2.0),
                           ('resets', svg.COLORS['reset'], 5.0),
                           ('resets', svg.COLORS['recovered'], 5.5),
                           ('driver', svg.COLORS['event'], 1.0)):
        xs = lane_hits(rows, lane, color)
        x = x_of(t, 0.0, t1)
        ok = bool(xs) and min(xs) >= x - 3 and min(xs) <= x + 3
        tap.check(ok, '%s lane: a %s mark at %.1f s (x %.0f)' %
                  (lane, color, t, x), 'found at x %s' %
                  (sorted(xs)[:8] if xs else 'nowhere'))
    # nothing of the fault's colour past its mark and label
    xs = lane_hits(rows, 'faults', svg.COLORS['fault'])
    tap.check(max(xs, default=0) < x_of(2.0, 0.0, t1) + 200,
              'the fault lane holds one fault', 'x %s' % sorted(xs)[-5:])
    bad = lane_hits(rows, 'traffic', svg.COLORS['bad'])
    good = lane_hits(rows, 'traffic', svg.COLORS['ok'])
    tap.check(bad and min(bad) >= x_of(2.0, 0.0, t1) - 2 and
              max(bad) <= x_of(5.0, 0.0, t1) + 2,
              'traffic lane: failed rounds from 2 s to 5 s only',
              'failed at x %s..%s' % (min(bad, default=None),
                                      max(bad, default=None)))
    tap.check(good and min(good) < x_of(2.0, 0.0, t1) and
              max(good) > x_of(8.0, 0.0, t1), 'traffic lane: passing '
              'rounds before and after')
    # a run with nothing in it still draws, with no marks
    w, h, rows = render(svg.render(sc, 'linux', '6.12', Result(), False),
                        tmp)
    tap.check(not lane_hits(rows, 'resets', svg.COLORS['reset']),
              'an empty run has no reset mark')

    e1 = Expect(3, 'traffic', ('ok',), 'traffic ok')
    e2 = Expect(4, 'event', (5205, None), 'event 5205')
    e3 = Expect(5, 'log', ('x', None), 'log "x"')
    path = os.path.join(tmp, 'r.xml')
    junit.write(path, [(sc, 'qtest', None, res,
                        [(True, e1, 'ok'), (False, e2, 'not found'),
                         (None, e3, 'kernel log lines are linux\'s')], 1.5)])
    root = ET.parse(path).getroot()
    suite = root.find('testsuite')
    cases = suite.findall('testcase')
    tap.check(len(cases) == 3 and root.get('tests') == '3' and
              root.get('failures') == '1' and root.get('skipped') == '1',
              'JUnit: 3 testcases, 1 failure, 1 skipped',
              ET.tostring(root, encoding='unicode')[:300])
    tap.check(cases[1].find('failure') is not None and
              cases[2].find('skipped') is not None and
              cases[0].find('failure') is None, 'JUnit: each verdict on its '
              'testcase')
    out = suite.find('system-out').text or ''
    tap.check('fault-keepalive = stop' in out, 'JUnit: the timeline is '
              'attached')


def check_run(tap, scn, svg_file, xml_file, tmp):
    sc = parse(scn)
    with open(svg_file) as f:
        w, h, rows = render(f.read(), tmp)
    tap.check(w == svg.WIDTH and h > 100, '%s renders' % svg_file)
    if sc.actions:
        tap.check(bool(lane_hits(rows, 'faults', svg.COLORS['fault'])),
                  'its fault lane has the injection')
    resets = lane_hits(rows, 'resets', svg.COLORS['reset'])
    want = any(e.kind == 'reset' for e in sc.expects)
    tap.check(bool(resets) == want, 'its reset lane %s' %
              ('shows the reset' if want else 'is empty'))
    root = ET.parse(xml_file).getroot()
    for suite in root.findall('testsuite'):
        cases = [c for c in suite.findall('testcase') if c.get('name') !=
                 'run']
        tap.check(len(cases) == len(sc.expects), '%s: one testcase per '
                  'expectation (%d)' % (suite.get('name'), len(sc.expects)),
                  'has %d' % len(cases))
        tap.check(bool((suite.find('system-out').text or '').strip()),
                  '%s: timeline attached' % suite.get('name'))


def main():
    if not shutil.which('rsvg-convert'):
        print('1..0 # SKIP rsvg-convert is not installed (librsvg2-bin)')
        return 77
    tap = Tap()
    with tempfile.TemporaryDirectory() as tmp:
        if sys.argv[1:] == ['--self-test']:
            self_test(tap, tmp)
        elif sys.argv[1:2] == ['--run'] and len(sys.argv) in (4, 5):
            scn = sys.argv[-1]
            out_svg = os.path.join(tmp, 'run.svg')
            out_xml = os.path.join(tmp, 'run.xml')
            cmd = [sys.executable, os.path.join(os.path.dirname(
                os.path.abspath(__file__)), 'ena-scenario.py'),
                '--target', sys.argv[2], '--svg', out_svg, '--junit',
                out_xml, scn]
            if len(sys.argv) == 5:
                cmd[4:4] = ['--kernel', sys.argv[3]]
            p = subprocess.run(cmd, capture_output=True, text=True)
            for line in p.stdout.splitlines():
                print('# ' + line)
            print('# ena-scenario exited %d' % p.returncode)
            tap.check(os.path.exists(out_svg) and os.path.exists(out_xml),
                      'the run wrote its picture and its report',
                      p.stderr[-500:])
            if tap.failed:
                print('1..%d' % tap.n)
                return 1
            check_run(tap, scn, out_svg, out_xml, tmp)
        elif len(sys.argv) == 4:
            check_run(tap, sys.argv[1], sys.argv[2], sys.argv[3], tmp)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    print('1..%d' % tap.n)
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
