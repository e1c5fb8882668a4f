# The command line of build/ena-scenario.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run ENA fault scenarios against a driver and check them.

usage: ena-scenario [--target TARGET|all] [--kernel K] [--check] [-v]
                    [--golden DIR [--update-golden]]
                    [--svg FILE.svg] [--junit FILE.xml]
                    [--icount N [--runs R]] [--record DIR] [--replay DIR]
                    SCENARIO...

Prints a timeline and PASS/FAIL per expectation; exits 1 if any scenario
failed, 2 if a scenario file is bad, 77 (a skip, for meson) when the one
scenario given does not name the one target asked for. --check only
parses. --golden DIR also compares the trace of each run on a target that
replays exactly with DIR/NAME.TARGET.trace (--update-golden writes it).
See scenarios/README.md for the format.

--svg FILE.svg draws each run's timeline (FILE-NAME-TARGET[-KERNEL].svg
when there is more than one run); --junit FILE.xml writes every run as
JUnit XML, one testcase per expectation, the timeline as system-out.

Deterministic runs, linux target only (docs/determinism.md): --icount N
runs each scenario R times (default 2) under -icount shift=N,sleep=off,
the actions played while the guest has stopped itself, and fails unless
the kernel logs, timestamps included, are identical. --record DIR records
one run with QEMU's record/replay into DIR; --replay DIR replays it and
fails unless the kernel log is the recorded one; with both, it records
and then replays. --icount N also sets the shift of a recording."""

import argparse
import os
import sys
import time

from . import cdefs, determinism, golden, junit, svg, targets
from .check import evaluate, report
from .model import ScenarioError, parse


def main(argv=None):
    names = targets.names()
    ap = argparse.ArgumentParser(prog='ena-scenario',
                                 description=__doc__.split('\n')[0])
    ap.add_argument('--target', choices=names + ('all',), default='all')
    ap.add_argument('--kernel', choices=cdefs.kernels())
    ap.add_argument('--check', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--golden', metavar='DIR')
    ap.add_argument('--update-golden', action='store_true')
    ap.add_argument('--icount', type=int, metavar='N', choices=range(11))
    ap.add_argument('--runs', type=int, default=2, metavar='R')
    ap.add_argument('--record', metavar='DIR')
    ap.add_argument('--replay', metavar='DIR')
    ap.add_argument('--svg', metavar='FILE.svg')
    ap.add_argument('--junit', metavar='FILE.xml')
    ap.add_argument('scenario', nargs='+')
    args = ap.parse_args(argv)
    det = args.icount is not None or args.record or args.replay
    if det and args.target == 'all':
        args.target = 'linux'
    if det and args.target != 'linux':
        ap.error('--icount, --record and --replay are for --target linux')
    if det and args.golden:
        ap.error('--golden is not for deterministic linux runs')
    if args.runs < 2:
        ap.error('--runs: at least 2')
    if det and (args.svg or args.junit):
        ap.error('--svg and --junit are for ordinary runs, not --icount, '
                 '--record or --replay')
    try:
        scs = [parse(p) for p in args.scenario]
    except ScenarioError as e:
        print('ena-scenario: %s' % e, file=sys.stderr)
        return 2
    if args.check:
        for sc in scs:
            print('%s: ok (%d actions, %d expectations)' %
                  (sc.path, len(sc.actions), len(sc.expects)))
        return 0
    # one scenario, one target it does not name: a skip (exit 77 for meson)
    if len(scs) == 1 and args.target != 'all' and \
            (args.target not in scs[0].targets or
             targets.get(args.target).skip(scs[0], args.kernel)):
        print('%s [%s%s]: not a target of this scenario: SKIP' %
              (scs[0].name, args.target, ' ' + args.kernel if args.kernel
               else ''))
        return 77
    all_ok = True
    plan = []
    for sc in scs:
        for name in sc.targets if args.target == 'all' else (args.target,):
            if name not in sc.targets:
                print('%s [%s]: not a target of this scenario' %
                      (sc.name, name))
                continue
            target = targets.get(name)
            if det:
                for kernel in target.variants(sc, args.kernel):
                    all_ok &= run_det(args, sc, kernel)
                continue
            for variant in target.variants(sc, args.kernel):
                plan.append((sc, name, variant))
    for path in (args.svg, args.junit):
        if path and os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
    runs = []
    for sc, name, variant in plan:
        target = targets.get(name)
        start = time.monotonic()
        res = target.run(sc, variant, args.verbose)
        if res is None:
            print('%s [%s]: FAIL (target not available)' % (sc.name, name))
            all_ok = False
            runs.append((sc, name, variant, None, [],
                         time.monotonic() - start))
            continue
        ok = report(sc, name, variant, res)
        if args.golden and getattr(target, 'GOLDEN', False):
            ok &= golden.check(args.golden, sc, name, res,
                               args.update_golden)
        all_ok &= ok
        runs.append((sc, name, variant, res,
                     evaluate(sc, name, variant, res),
                     time.monotonic() - start))
        if args.svg:
            path = svg_path(args.svg, sc, name, variant, len(plan) > 1)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(svg.render(sc, name, variant, res, ok))
            print('%s: timeline picture in %s' % (sc.name, path))
    if args.junit and runs:
        junit.write(args.junit, runs)
        print('JUnit report: %s' % args.junit)
    return 0 if all_ok else 1


def svg_path(path, sc, target, variant, several):
    """@path itself for a single run, else one file per run beside it."""
    if not several:
        return path
    stem, ext = os.path.splitext(path)
    return '%s-%s-%s%s%s' % (stem, sc.name, target,
                             '-' + variant if variant else '', ext or '.svg')


def run_det(args, sc, kernel):
    """The deterministic runs the options ask for; True if all passed."""
    shift = determinism.SHIFT if args.icount is None else args.icount
    ok = True
    if args.record:
        ok &= determinism.record(sc, kernel, shift, args.record,
                                 args.verbose)
    if args.replay and (ok or not args.record):
        ok &= determinism.replay(sc, kernel, args.replay, args.verbose)
    if args.icount is not None and not args.record and not args.replay:
        ok &= determinism.icount(sc, kernel, shift, args.runs, args.verbose)
    return ok
