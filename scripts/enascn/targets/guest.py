# The guest target: the reference driver as a bare-metal guest.
# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU boots ena-baremetal.elf (in build/, or build/driver/baremetal/)
under -icount shift=0,sleep=off, so virtual time depends only on what the
guest executes (driver/baremetal/README.md has the guest's side). The NIC
is on QEMU's user network (slirp), which reflects the guest's pings
synchronously. QEMU starts paused (-S). The guest's clock is QEMU's
virtual clock and its scenario time 0 is a fixed virtual instant
(READY_NS), so every timed action is set before the guest runs, as a
fault rule with after= in virtual time: 'at T: fault P R' becomes
fault-P=R:after=(READY_NS + T); a later 'none' on the same point becomes
for= on it; 'link down' / 'link up' become fault-link=down:after=...:for=.
What a rule cannot say (device_del, a second rule on one point) is done
while the guest has paused itself through pvpanic (-action panic=pause)
at that scenario time. At the end of the story the guest pauses once more
while the device properties are read. Its serial log (a file) carries
EVENT/TRAFFIC lines; isa-debug-exit ends QEMU.

As a program (python3 -m enascn.targets.guest, with scripts/ on
PYTHONPATH) it runs scenarios on this target and prints what the guest
printed, or with --determinism runs each N times (default 2) and checks
that the guest's EVENT lines, virtual timestamps included, are identical
(exit 0), else prints the difference (exit 1).
"""

import argparse
import difflib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from .. import paths
from ..model import NS, Result, ScenarioError, parse, rule_time_ns
from ..qmp import QMP, QMPError

NAME = 'guest'
ORDER = 20
GOLDEN = True
# the guest's serial lines that make up the trace (-icount: exact)
TRACE = ('EVENT', 'INJECT', 'STAT', 'TRAFFIC', 'TRAFFIC-ROUNDS')
CANNOT_CHECK = {
    'log': 'kernel log lines are checked on the linux target',
    'no-log': 'kernel log lines are checked on the linux target',
    'diag': 'ena-diag runs in the Linux guests',
}
ICOUNT = 'shift=0,sleep=off'
# the virtual instant of scenario time 0 (the guest's ready=)
READY_NS = NS
# fault points whose rules take no for= (they act once, at their start)
NO_FOR = ('fatal', 'hints')
DEVICE_ID = 'ena0'
KERNEL = 'ena.elf'      # the image, linked into the run's directory
QOM = '/machine/peripheral/' + DEVICE_ID


def variants(sc, kernel):
    return [None]


def skip(sc, kernel):
    return None


def find_image():
    for p in (paths.build('ena-baremetal.elf'),
              paths.build('driver', 'baremetal', 'ena-baremetal.elf')):
        if os.path.exists(p):
            return p
    return None


def timed_rule(rule, start_ns, end_ns, point):
    """@rule with after= at absolute @start_ns (plus its own after=) and
    for= ending at @end_ns at the latest; None if it would never act."""
    parts = rule.split(':')
    keep, after, dur = [parts[0]], 0, None
    for p in parts[1:]:
        k, _, v = p.partition('=')
        t = rule_time_ns(v) if k in ('after', 'for') else None
        if k in ('after', 'for') and t is None:
            return rule     # let the device say what is wrong with it
        if k == 'after':
            after = t
        elif k == 'for':
            dur = t
        else:
            keep.append(p)
    start = start_ns + after
    end = start + dur if dur is not None else None
    if end_ns is not None:
        end = end_ns if end is None else min(end, end_ns)
    if end is not None and end <= start:
        return None
    keep.append('after=%dns' % start)
    if end is not None and point not in NO_FOR:
        keep.append('for=%dns' % (end - start))
    return ':'.join(keep)


def plan(sc, ready_ns):
    """Split the scenario's actions into rules set before the guest starts
    ({property: rule}) and actions done at guest pauses ({t: [action]})."""
    presets, paused, notes = {}, {}, []
    points = {}
    # a point with a rule from device: keeps it until its first action
    at_start = {p.split('=', 1)[0][len('fault-'):] for p in sc.device
                if p.startswith('fault-')}
    for a in sorted(sc.actions, key=lambda a: a.t):
        point = 'link' if a.kind == 'link' else a.point
        # set: no rule can say it, so at a pause
        if a.kind in ('unplug', 'set') or point in at_start:
            paused.setdefault(a.t, []).append(a)
        else:
            points.setdefault(point, []).append(a)
    for point, acts in points.items():
        cur = None              # [action, rule, start_ns, end_ns]
        for i, a in enumerate(acts):
            rule = ('down' if not a.up else '') if a.kind == 'link' \
                else a.rule
            t_ns = ready_ns + round(a.t * NS)
            if not rule:
                if cur and cur[3] is None:
                    cur[3] = t_ns
                continue
            if cur:
                # a second rule on this point: the rest at guest pauses
                if cur[3] is None or cur[3] > t_ns:
                    cur[3] = t_ns
                for b in acts[i:]:
                    paused.setdefault(b.t, []).append(b)
                break
            cur = [a, rule, t_ns, None]
        if cur:
            r = timed_rule(cur[1], cur[2], cur[3], point)
            if r is None:
                notes.append('%s never acts (cleared at once)' %
                             cur[0].describe())
            else:
                presets['fault-' + point] = r
    return presets, paused, notes


def guest_cmdline(sc, times, ready_ns, verbose):
    args = ['duration=%d' % round(sc.duration * NS),
            'traffic=%s' % ('ping' if sc.traffic == 'phc' else sc.traffic),
            'hold=1', 'vclock=1',
            'ready=%d' % ready_ns, 'log=%d' % (3 if verbose else 2)]
    if times:
        args.append('at=' + ','.join('%d' % round(t * NS) for t in times))
    return ' '.join(args)


def qemu_command(sc, work, times, ready_ns, verbose):
    qemu = paths.qemu_binary()
    dev = ['ena', 'id=' + DEVICE_ID, 'netdev=n0', 'addr=4']
    dev += [p.replace(',', ',,') for p in sc.device]
    return [qemu, '-M', 'pc', '-m', '256', '-nodefaults', '-no-user-config',
            '-display', 'none', '-no-reboot',
            '-icount', ICOUNT,
            '-kernel', KERNEL,
            '-append', guest_cmdline(sc, times, ready_ns, verbose),
            '-chardev', 'file,id=ser0,path=%s' %
            os.path.join(work, 'serial.log'),
            '-serial', 'chardev:ser0',
            '-netdev', 'user,id=n0,ipv6=off,restrict=on',
            '-device', ','.join(dev),
            '-device', 'isa-debug-exit,iobase=0xf4,iosize=4',
            '-device', 'pvpanic', '-action', 'panic=pause',
            '-qmp', 'unix:%s,server=on,wait=off' %
            os.path.join(work, 'qmp.sock'),
            '-S']


def apply_action(qmp, a):
    """One scenario action, at the virtual instant the guest paused at."""
    if a.kind == 'unplug':
        qmp.execute('device_del', {'id': DEVICE_ID})
    elif a.kind == 'link':
        # as the preset rules do: the device's own link fault
        qmp.execute('qom-set', {'path': QOM, 'property': 'fault-link',
                                'value': '' if a.up else 'down'})
    elif a.kind == 'set':
        qmp.execute('qom-set', {'path': QOM, 'property': a.point,
                                'value': int(a.rule)})
    else:
        qmp.execute('qom-set', {'path': QOM, 'property': 'fault-' + a.point,
                                'value': a.rule})


def run_qemu(sc, verbose, work, ready_ns=READY_NS):
    """Boot the guest and play the scenario; returns (out dict, serial)."""
    out = {'timeline': [], 'props': {}, 'notes': [], 'pauses': 0,
           'rc': None}
    image = find_image()
    if not image:
        out['notes'].append('ena-baremetal.elf is not built (meson compile '
                            '-C %s)' % paths.BUILD)
        return out, None
    presets, paused, notes = plan(sc, ready_ns)
    out['notes'] += notes
    times = sorted(paused)
    for a in sc.actions:
        if not any(a in acts for acts in paused.values()):
            out['timeline'].append((a.t, 'inject', a.describe()))
    # The multiboot command line starts with the kernel's file name, and
    # the guest prints it: a name of fixed length (QEMU runs in @work)
    # keeps virtual time independent of where the tree was checked out.
    link = os.path.join(work, KERNEL)
    if not os.path.lexists(link):
        os.symlink(os.path.abspath(image), link)
    cmd = qemu_command(sc, work, times, ready_ns, verbose)
    with open(os.path.join(work, 'cmdline'), 'w') as f:
        f.write(' '.join(shlex.quote(c) for c in cmd) + '\n')
    limit = 120 + 10 * sc.duration
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=work)
    except OSError as e:
        out['notes'].append('cannot start QEMU: %s' % e)
        return out, None
    t0 = time.monotonic()
    qmp = None
    try:
        qmp = QMP(os.path.join(work, 'qmp.sock'), wait=30.0,
                  alive=lambda: proc.poll() is None)
        for prop, rule in sorted(presets.items()):
            try:
                qmp.execute('qom-set', {'path': QOM, 'property': prop,
                                        'value': rule})
                out['notes'].append('set before start: %s=%s' % (prop, rule))
            except QMPError as e:
                out['notes'].append('%s=%s: FAILED: %s' % (prop, rule, e))
        qmp.execute('cont')
        pause = 0
        while True:
            left = limit - (time.monotonic() - t0)
            try:
                ev = qmp.wait_event(('GUEST_PANICKED', 'SHUTDOWN'),
                                    max(left, 0))
            except QMPError:
                break           # isa-debug-exit: QEMU is gone
            if ev is None:
                out['notes'].append('the guest did not finish within %d s '
                                    '(wall clock)' % limit)
                break
            if ev['event'] == 'SHUTDOWN':
                break
            if pause < len(times):
                for a in paused[times[pause]]:
                    try:
                        apply_action(qmp, a)
                        what = a.describe()
                    except QMPError as e:
                        what = '%s: FAILED: %s' % (a.describe(), e)
                        out['notes'].append(what)
                    out['timeline'].append((a.t, 'inject', what))
            else:
                for p in sc.props_wanted():
                    try:
                        out['props'][p] = qmp.execute('qom-get', {
                            'path': QOM, 'property': p})
                    except QMPError as e:
                        out['props'][p] = 'error: %s' % e
            pause += 1
            try:
                qmp.execute('cont')
            except QMPError:
                break           # it finished before 'cont' was answered
        out['pauses'] = pause
    except QMPError as e:
        out['notes'].append('QMP: %s' % e)
    finally:
        if qmp:
            qmp.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out['rc'] = proc.returncode
        msgs = '\n'.join(
            l for l in proc.stdout.read().decode(errors='replace').splitlines()
            # a guest left without any timer after a failed bring-up
            if 'icount sleep disabled and no active timers' not in l).strip()
        if msgs:
            out['notes'].append('QEMU said: ' + msgs[-1000:])
    try:
        serial = open(os.path.join(work, 'serial.log'),
                      errors='replace').read().replace('\r', '')
    except OSError:
        serial = None
    return out, serial


def parse_serial(serial, res):
    """EVENT/LOG/TRAFFIC lines of the guest into Result @res."""
    ready = None
    for line in serial.splitlines():
        w = line.split(None, 4)
        if not w:
            continue
        if w[0] == 'READY' and len(w) == 2:
            ready = int(w[1])
        elif w[0] == 'EVENT' and len(w) >= 4:
            reason = None if w[3] == '-' else w[3]
            res.events.append((int(w[2]), reason))
            res.timeline.append((int(w[1]) / NS, 'driver',
                                 ' '.join(w[2:])))
        elif w[0] == 'LOG' and len(w) >= 4:
            text = line.split(None, 3)[3]
            res.log.append(text)
            if w[2] == 'err' and ready is not None:
                res.timeline.append(((int(w[1]) - ready) / NS, 'log',
                                     text))
        elif w[0] == 'UNPLUGGED' and len(w) == 2:
            res.timeline.append((int(w[1]) / NS, 'guest',
                                 'the device is gone (ejected)'))
        elif w[0] == 'TRAFFIC' and len(w) == 2:
            res.traffic = w[1]
        elif w[0] in ('TRAFFIC-ROUNDS', 'PRE-READY', 'NOTE', 'WARNING',
                      'EXCEPTION', 'PROBE', 'RECOVER'):
            res.notes.append('guest: ' + line.strip())
    return ready


def late_ready(serial):
    """The READY instant when the guest says bring-up was LATE, else 0."""
    if serial and '\nLATE ' in serial:
        for line in serial.splitlines():
            if line.startswith('READY '):
                return int(line.split()[1])
    return 0


def run(sc, variant, verbose):
    """Run scenario @sc on the bare-metal guest: a Result, or None when
    the target cannot run here."""
    if not find_image() or not os.path.exists(paths.qemu_binary()):
        return None
    work = tempfile.mkdtemp(prefix='ena-bm-')
    out, serial = run_qemu(sc, verbose, work)
    late = late_ready(serial)
    if late:
        # bring-up outlasted READY_NS: the preset rules were misplaced
        out, serial = run_qemu(sc, verbose, work, late)
        out['notes'].append('bring-up took longer than %.1f s: rerun with '
                            'time 0 at %.1f s' % (READY_NS / NS, late / NS))
    res = Result(timeline=out['timeline'], props=out['props'])
    # ENA_SCENARIO_REPEAT=N (as for the qtest target): N runs, same trace?
    repeat = int(os.environ.get('ENA_SCENARIO_REPEAT', '1') or 1)
    if repeat > 1:
        same = bool(event_lines(serial))
        for i in range(1, repeat):
            w = tempfile.mkdtemp(prefix='ena-bm-')
            _, again = run_qemu(sc, False, w, late or READY_NS)
            if event_lines(again) != event_lines(serial):
                same = False
                res.notes.append('run %d printed other EVENT lines (logs '
                                 'in %s)' % (i + 1, w))
            else:
                shutil.rmtree(w, ignore_errors=True)
        res.deterministic = same
        res.notes.append('identical event traces across %d runs: %s' %
                         (repeat, 'yes' if same else 'no'))
    if verbose and serial:
        sys.stdout.write(serial)
    if serial is None:
        res.notes.append('no serial log')
    else:
        parse_serial(serial, res)
        res.trace = [line.rstrip('\r') for line in serial.splitlines()
                     if line.split(' ', 1)[0] in TRACE]
        if 'ENA-BAREMETAL-DONE' not in serial:
            res.notes.append('the guest did not finish')
            res.traffic = res.traffic or 'failed'
    res.notes += out['notes']
    res.notes.append('guest exited %s after %d pauses; logs in %s' %
                     (out['rc'], out['pauses'], work))
    return res


# ---- command line ---------------------------------------------------------

def event_lines(serial):
    return [l for l in (serial or '').splitlines() if l.startswith('EVENT ')]


def determinism(sc, runs, verbose):
    results = []
    for i in range(runs):
        work = tempfile.mkdtemp(prefix='ena-bm-')
        t0 = time.monotonic()
        out, serial = run_qemu(sc, verbose, work)
        if late_ready(serial):
            out, serial = run_qemu(sc, verbose, work, late_ready(serial))
        ev = event_lines(serial)
        print('  run %d: %d EVENT lines, %s, %.1f s, in %s' %
              (i + 1, len(ev), 'finished' if serial and
               'ENA-BAREMETAL-DONE' in serial else 'DID NOT FINISH',
               time.monotonic() - t0, work))
        for note in out['notes']:
            print('    note: %s' % note)
        results.append((ev, serial or '', work))
    ok = all(r[0] == results[0][0] for r in results) and results[0][0]
    for ev, _, _ in results[1:]:
        if ev != results[0][0]:
            sys.stdout.writelines(difflib.unified_diff(
                [l + '\n' for l in results[0][0]], [l + '\n' for l in ev],
                'run 1', 'run N'))
    same_serial = all(r[1] == results[0][1] for r in results)
    for l in results[0][0]:
        print('    %s' % l)
    if ok:
        for r in results:
            shutil.rmtree(r[2], ignore_errors=True)
    print('%s [guest]: EVENT lines %s over %d runs (whole serial log %s)' %
          (sc.name, 'IDENTICAL' if ok else 'DIFFER', runs,
           'identical' if same_serial else 'differs'))
    return bool(ok)


def main():
    ap = argparse.ArgumentParser(
        description='Run scenarios on the bare-metal guest; --determinism '
        'checks that runs print identical EVENT lines.')
    ap.add_argument('--determinism', action='store_true')
    ap.add_argument('--runs', type=int, default=2)
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('scenario', nargs='+')
    args = ap.parse_args()
    try:
        scs = [parse(p) for p in args.scenario]
    except ScenarioError as e:
        print('enascn.targets.guest: %s' % e, file=sys.stderr)
        return 2
    if not find_image():
        print('ena-baremetal.elf is not built', file=sys.stderr)
        return 2
    ok = True
    for sc in scs:
        if args.determinism:
            ok &= determinism(sc, max(2, args.runs), args.verbose)
        else:
            work = tempfile.mkdtemp(prefix='ena-bm-')
            out, serial = run_qemu(sc, args.verbose, work)
            sys.stdout.write(serial or '(no serial log)\n')
            print(json.dumps({k: out[k] for k in ('props', 'notes', 'rc',
                                                  'pauses')}, indent=1))
            ok &= bool(serial) and 'ENA-BAREMETAL-DONE' in serial
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
