# A scenario's expectations checked against a run's result, and the report.
# SPDX-License-Identifier: GPL-2.0-or-later
"""evaluate() decides each expectation (True, False, or None when the
target cannot check it); report() prints the timeline, the device
properties, the notes and one line per expectation, then PASS or FAIL."""

import os

from . import targets
from .model import OPS


def diag_device(res):
    """ena-diag's verdict for the run's ENA function: (status, problems),
    or None when the guest printed none."""
    rc, doc = res.diag.get('status', (None, None))
    if doc is None:
        return None
    devs = doc.get('devices') or []
    if not devs:
        return ('none', [])
    return (devs[0].get('status'), devs[0].get('problems') or [])


def check_diag(e, res, pos):
    """One `expect diag` line: (ok, why, new event position)."""
    what, arg, reason = e.args
    if what in ('status', 'problem'):
        dev = diag_device(res)
        if dev is None:
            return False, 'no ena-diag status from the guest', pos
        ok = dev[0] == arg if what == 'status' else arg in dev[1]
        return ok, 'status %s, problems %s' % (dev[0], ','.join(dev[1]) or
                                              'none'), pos
    if what == 'seen':
        samples = res.diag.get('samples', [])
        hits = [t for t, codes in samples if arg in codes]
        if hits:
            return True, 'first at %.1fs of %d samples' % (hits[0],
                                                          len(samples)), pos
        return False, 'in none of %d samples (%s)' % (
            len(samples), ' '.join(sorted({c for _, cs in samples
                                           for c in cs})) or '-'), pos
    rc, doc = res.diag.get('events', (None, None))
    if doc is None:
        return False, 'no ena-diag events from the guest', pos
    evs = [(ev.get('id'), ev.get('reason')) for ev in doc.get('events', [])
           if ev.get('id')]
    if what == 'no-event':
        n = sum(1 for i, _ in evs if i == arg)
        return n == 0, 'seen %d times' % n, pos
    for i in range(pos, len(evs)):
        if evs[i][0] == arg and (reason is None or evs[i][1] == reason):
            return True, 'found (%s)' % (evs[i][1] or 'no reason'), i + 1
    return False, 'not found after the previous expected event; ena-diag ' \
        'saw %s' % (' '.join('%s%s' % (i, '(%s)' % r if r else '')
                             for i, r in evs) or 'none'), pos


def evaluate(sc, target, kernel, res):
    out = []
    ev_pos = 0
    diag_pos = 0
    cannot = targets.get(target).CANNOT_CHECK
    for e in sc.expects:
        skip = None
        if e.only and target not in e.only:
            skip = 'for %s' % ','.join(e.only)
        elif e.kind in cannot:
            skip = cannot[e.kind]
        elif e.kind in ('log', 'no-log') and e.args[1] and \
                e.args[1] != kernel:
            skip = 'for kernel %s' % e.args[1]
        if skip:
            out.append((None, e, skip))
            continue
        if e.kind == 'device':
            prop, op, want = e.args
            have = res.props.get(prop)
            ok = isinstance(have, int) and OPS[op](have, want)
            out.append((ok, e, 'is %s' % (have,)))
        elif e.kind == 'event':
            eid, reason = e.args
            found = None
            for i in range(ev_pos, len(res.events)):
                if res.events[i][0] == eid and \
                        (reason is None or res.events[i][1] == reason):
                    found = i
                    break
            if found is not None:
                ev_pos = found + 1
            out.append((found is not None, e, 'found' if found is not None
                        else 'not found after the previous expected event'))
        elif e.kind == 'no-event':
            n = sum(1 for ev in res.events if ev[0] == e.args[0])
            out.append((n == 0, e, 'seen %d times' % n))
        elif e.kind in ('log', 'no-log'):
            hits = [line for line in res.log if e.args[0] in line]
            ok = bool(hits) if e.kind == 'log' else not hits
            out.append((ok, e, ('found: ' + hits[0]) if hits else
                        'not in the log'))
        elif e.kind == 'reset':
            have = str(res.props.get('reset-reasons', '')).split()
            out.append((e.args[0] in have, e, 'device saw: %s' %
                        (' '.join(have) or 'none')))
        elif e.kind == 'diag':
            ok, why, diag_pos = check_diag(e, res, diag_pos)
            out.append((ok, e, why))
        elif e.kind == 'debug-area':
            how, want = e.args
            have = res.props.get('debug-area')
            if not isinstance(have, str) or have.startswith('error: '):
                out.append((False, e, 'not read: %s' % (have,)))
                continue
            hits = [line for line in have.splitlines() if want in line]
            ok = bool(hits) if how == 'contains' else not hits
            out.append((ok, e, ('found: ' + hits[0]) if hits else
                        'not in %d lines' % len(have.splitlines())))
        elif e.kind == 'traffic':
            out.append((res.traffic == e.args[0], e,
                        'traffic %s' % (res.traffic or 'unknown')))
    return out


def label(sc, target, kernel):
    return '%s [%s%s]' % (sc.name, target, (' ' + kernel) if kernel else '')


def report(sc, target, kernel, res):
    """Print the run; True if every expectation held."""
    name = label(sc, target, kernel)
    print('== %s' % name)
    for t, src, text in sorted(res.timeline, key=lambda x: x[0]):
        print('  %9.3fs  %-7s %s' % (t, src, text))
    for k in sorted(res.props):
        val = res.props[k]
        if isinstance(val, str):
            val = val.replace('\n', '\\n')
        print('  device   %s = %s' % (k, val))
    for note in res.notes:
        print('  note     %s' % note)
    failed = 0 if res.deterministic else 1
    if not res.complete:
        failed += 1
        print('  FAIL the run did not reach its end (see the notes)')
    for ok, e, why in evaluate(sc, target, kernel, res):
        tag = 'SKIP' if ok is None else 'ok  ' if ok else 'FAIL'
        failed += ok is False
        print('  %s %s:%d expect %s  (%s)' % (tag, os.path.basename(sc.path),
                                           e.line, e.text, why))
    print('%s: %s' % (name, 'FAIL' if failed else 'PASS'))
    return failed == 0
