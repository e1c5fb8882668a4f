# Deterministic runs of the linux target: --icount, --record, --replay.
# SPDX-License-Identifier: GPL-2.0-or-later
"""ena-scenario --icount N runs a scenario several times (--runs, default
2) on the linux target under -icount shift=N,sleep=off and compares the
kernel logs the guest printed, timestamps included, byte for byte.
--record DIR runs it once under QEMU's record/replay (rr=record) and keeps
the log in DIR/<scenario>-<kernel>/; --replay DIR replays that log and
compares the kernel log with the recorded one (both options at once:
record, then replay). docs/determinism.md says what this covers."""

import json
import math
import os
import re
import shutil
import time

from .check import label, report
from .targets import linux

SHIFT = 3               # the default -icount shift (docs/determinism.md)
RRFILE = 'replay.bin'
META = 'meta.json'


def first_difference(a, b, context=3):
    """Lines describing where line lists @a and @b first differ, or []."""
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    if n == len(a) and n == len(b):
        return []
    out = ['first difference at line %d (of %d and %d):' %
           (n + 1, len(a), len(b))]
    for i in range(max(0, n - context), n):
        out.append('    %s' % a[i])
    for tag, lines in (('-', a), ('+', b)):
        for i in range(n, min(len(lines), n + context)):
            out.append('  %s %s' % (tag, lines[i]))
        if n >= len(lines):
            out.append('  %s (end of log)' % tag)
    return out


def playable(sc, kernel):
    """True if every action of @sc can be a start-up rule; else says why
    not."""
    _, cannot, _ = linux.Det('icount', SHIFT).plan(sc)
    for c in cannot:
        print('%s: cannot run deterministically: %s needs the host to act '
              'at an instant, which no start-up rule can say' %
              (label(sc, 'linux', kernel), c))
    return not cannot


def late(serial):
    """The uptime (s) at which a late bring-up was ready, or None."""
    m = re.search(r'ENATEST-VALUE late_cs=(\d+)', serial)
    return int(m.group(1)) / 100 if m else None


def _one(sc, kernel, verbose, det):
    """One run; prints its report. (Result, ok, kernel log, seconds).
    A bring-up that ended after the READY instant is run again with a
    later one (and @det keeps it)."""
    t0 = time.monotonic()
    res = linux.run(sc, kernel, verbose, det)
    lt = late(det.serial)
    if lt is not None and det.mode != 'replay':
        print('  bring-up ended at %.2f s, after READY at %d s: again with '
              'READY at %d s' % (lt, det.ready_s, math.ceil(lt) + 2))
        det.ready_s = math.ceil(lt) + 2
        res = linux.run(sc, kernel, verbose, det)
    secs = time.monotonic() - t0
    if not det.serial:
        res.notes.append('no serial log')
    log = linux.kernel_log(det.serial)
    if not log:
        res.complete = False
        res.notes.append('the guest printed no kernel log')
    res.notes.append('%s run, -icount shift=%d: %.1f s, %d kernel log '
                     'lines' % (det.mode, det.shift, secs, len(log)))
    ok = report(sc, 'linux', kernel, res)
    return res, ok, log, secs


def _compare(name, what, logs, serials):
    """Print the verdict over the runs' kernel logs; True if identical."""
    ok = bool(logs[0])
    for i in range(1, len(logs)):
        diff = first_difference(logs[0], logs[i])
        if diff:
            ok = False
            print('  kernel log of %s %d differs from %s 1:' %
                  (what[1], i + 1, what[0]))
            for line in diff:
                print('  ' + line)
    same_serial = all(s == serials[0] for s in serials)
    over = 'in %s and %s' % what if what[0] != what[1] else \
        'over %d runs' % len(logs)
    print('%s: kernel log %s %s (%d lines, timestamps included); whole '
          'serial log %s' %
          (name, 'IDENTICAL' if ok else 'DIFFERS', over, len(logs[0]),
           'identical' if same_serial else 'differs'))
    return ok


def icount(sc, kernel, shift, runs, verbose):
    """--icount: @runs runs under icount; True if every one passed and
    their kernel logs are identical."""
    if not playable(sc, kernel):
        return False
    logs, serials, all_ok = [], [], True
    ready_s = None
    for _ in range(runs):
        det = linux.Det('icount', shift, ready_s=ready_s)
        _, ok, log, _ = _one(sc, kernel, verbose, det)
        all_ok &= ok
        logs.append(log)
        serials.append(det.serial)
        ready_s = det.ready_s
    name = label(sc, 'linux', kernel) + ' determinism'
    same = _compare(name, ('run', 'run'), logs, serials)
    if not same:
        print('  the runs\' logs are kept in the directories named above')
    return all_ok and same


def run_dir(top, sc, kernel):
    return os.path.join(top, '%s-linux-%s' % (sc.name, kernel))


def record(sc, kernel, shift, top, verbose):
    """--record: one run under rr=record, kept in run_dir()."""
    if not playable(sc, kernel):
        return False
    d = run_dir(top, sc, kernel)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    det = linux.Det('record', shift, os.path.join(d, RRFILE))
    _, ok, log, secs = _one(sc, kernel, verbose, det)
    with open(os.path.join(d, 'record.log'), 'w') as f:
        f.write(det.serial)
    with open(os.path.join(d, META), 'w') as f:
        json.dump({'scenario': os.path.abspath(sc.path), 'kernel': kernel,
                   'shift': shift, 'port': det.port,
                   'ready_s': det.ready_s, 'icount': det.icount,
                   'seconds': round(secs, 1),
                   'kernel_log_lines': len(log)}, f, indent=1)
    size = os.path.getsize(det.rrfile) if os.path.exists(det.rrfile) else 0
    print('%s: recorded in %s (%d bytes of replay log)' %
          (label(sc, 'linux', kernel), d, size))
    return ok and size > 0 and bool(log)


def replay(sc, kernel, top, verbose):
    """--replay: replay run_dir()'s log; True if the run passed and its
    kernel log is the recorded one."""
    d = run_dir(top, sc, kernel)
    name = label(sc, 'linux', kernel) + ' replay'
    try:
        with open(os.path.join(d, META)) as f:
            meta = json.load(f)
        with open(os.path.join(d, 'record.log')) as f:
            recorded = f.read()
    except (OSError, ValueError) as e:
        print('%s: no recording in %s: %s' % (name, d, e))
        return False
    det = linux.Det('replay', meta['shift'], os.path.join(d, RRFILE),
                    meta.get('port'), meta.get('ready_s'),
                    meta.get('icount'))
    _, ok, log, _ = _one(sc, kernel, verbose, det)
    with open(os.path.join(d, 'replay.log'), 'w') as f:
        f.write(det.serial)
    same = _compare(name, ('recording', 'replay'),
                    [linux.kernel_log(recorded), log],
                    [recorded, det.serial])
    return ok and same
