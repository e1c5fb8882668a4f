# The qtest target: the reference driver in a qtest process.
# SPDX-License-Identifier: GPL-2.0-or-later
"""build/qemu-build/tests/qtest/ena-scenario-test (qtest/ena-scenario-test.c)
takes the scenario as JSON in $ENA_SCENARIO and prints EVENT, INJECT,
PROP and TRAFFIC lines; ENA_SCENARIO_REPEAT=N makes it run N times and
print whether the event traces were identical."""

import json
import os
import re
import subprocess
import sys

from .. import paths
from ..model import NS, Result

NAME = 'qtest'
ORDER = 10
GOLDEN = True
# the lines of ena-scenario-test's output that make up the trace
TRACE = ('T0', 'EVENT', 'INJECT', 'STAT', 'PROP', 'TRAFFIC')
CANNOT_CHECK = {
    'log': 'kernel log lines are checked on the linux target',
    'no-log': 'kernel log lines are checked on the linux target',
    'diag': 'ena-diag runs in the Linux guests',
}


def variants(sc, kernel):
    return [None]


def skip(sc, kernel):
    return None


def spec(sc):
    """The scenario as ena-scenario-test reads it."""
    return json.dumps({
        # phc: the reference driver reads its PTP clock by itself
        'device': sc.device,
        'traffic': 'ping' if sc.traffic == 'phc' else sc.traffic,
        'duration_ns': int(sc.duration * 1e9),
        'actions': [{'t_ns': int(a.t * 1e9), 'kind': a.kind,
                     'point': a.point, 'rule': a.rule, 'up': a.up}
                    for a in sc.actions],
        'props': sc.props_wanted(),
    })


def run(sc, variant, verbose):
    res = Result()
    exe = paths.build('qemu-build', 'tests', 'qtest', 'ena-scenario-test')
    if not os.path.exists(exe):
        return None
    env = dict(os.environ, QTEST_QEMU_BINARY=paths.qemu_binary(),
               ENA_SCENARIO=spec(sc))
    p = subprocess.run([exe, '--tap', '-q'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, env=env)
    if verbose:
        sys.stdout.write(p.stdout)
    parse_driver_output(p.stdout, res)
    res.trace = [line for line in p.stdout.splitlines()
                 if line.split(' ', 1)[0] in TRACE]
    res.notes.append('qtest runner exited %d' % p.returncode)
    m = re.search(r'^TIME wall_us=(\d+) virtual_ns=(\d+)', p.stdout, re.M)
    if m:
        wall, virt = int(m.group(1)) / 1e6, int(m.group(2)) / NS
        res.notes.append('wall %.2f s for %.2f s of virtual time (%.1f%%)'
                         % (wall, virt, 100 * wall / virt if virt else 0))
    m = re.search(r'^DETERMINISTIC (yes|no)', p.stdout, re.M)
    if m:
        # ENA_SCENARIO_REPEAT=N: the same trace N times, timestamps included
        res.deterministic = m.group(1) == 'yes'
        res.notes.append('identical event traces across runs: ' + m.group(1))
    return res


def unescape(val):
    """A string property as ena-scenario-test prints it: one line, C
    escapes (g_strescape) for newlines and the like."""
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(
        m.group(1), m.group(1)), val)


def parse_driver_output(out, res):
    """Reads 'EVENT t_ns id reason detail' / 'PROP name value' /
    'TRAFFIC ok|failed' / 'INJECT t_ns text' lines. A PROP value is the
    rest of the line (reset-reasons holds spaces); numbers become ints."""
    for line in out.splitlines():
        w = line.split(None, 4)
        if len(w) >= 3 and w[0] == 'EVENT':
            reason = w[3] if len(w) > 3 and w[3] != '-' else None
            res.events.append((int(w[2]), reason))
            res.timeline.append((int(w[1]) / NS, 'driver', ' '.join(w[2:])))
        elif len(w) >= 3 and w[0] == 'INJECT':
            res.timeline.append((int(w[1]) / NS, 'inject',
                                 line.split(None, 2)[2]))
        elif len(w) >= 2 and w[0] == 'PROP':
            p = line.split(None, 2)
            val = p[2] if len(p) > 2 else ''
            try:
                res.props[w[1]] = int(val, 0)
            except ValueError:
                res.props[w[1]] = unescape(val)
        elif len(w) == 2 and w[0] == 'TRAFFIC':
            res.traffic = w[1]
