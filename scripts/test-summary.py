#!/usr/bin/python3
# Print a summary of a `meson test` run, counting TAP subtests.
# SPDX-License-Identifier: GPL-2.0-or-later
"""usage: test-summary.py build/meson-logs/testlog.json
       test-summary.py --self-test      (TAP)

Each meson test that speaks TAP counts as its subtests; any other test
counts as one. Ends with the plain line 'N passed, N failed, N skipped'.
A failed test's 'not ok' lines and their diagnostics (or a non-TAP
test's last lines) follow its FAILED line. Exits 1 when nothing ran or
anything failed."""
import json
import re
import sys

# glib's "-s" (how run-qtest.sh selects tests) is not a test result
OK = re.compile(r'^ok \d+ (?!.*# SKIP by request)(?:.*?(?P<skip># SKIP))?',
                re.M)
PLAN = re.compile(r'^1\.\.\d+', re.M)
NOT_OK = re.compile(r'^not ok \d+(?! # TODO)', re.M)



def failure_lines(out, tap, limit=40):
    """What a failed test said about its failure: its 'not ok' lines
    and the diagnostics right after each (TAP), or its last lines. CI
    shows the end of the run's output, where this is printed."""
    lines = out.splitlines()
    if not tap:
        return lines[-limit:]
    keep = []
    follow = False
    for line in lines:
        if NOT_OK.match(line):
            keep.append(line)
            follow = True
        elif follow and line.startswith('#'):
            keep.append(line)
        else:
            follow = False
    if not keep:
        return lines[-limit:]       # it died (crash, timeout) between checks
    if len(keep) > limit:
        keep = keep[:limit] + ['... (%d more lines)' % (len(keep) - limit)]
    return keep


def summarize(log, write):
    """Summarize the JSON lines LOG with WRITE; the exit status."""
    passed = failed = skipped = 0
    per_suite = {}
    for line in log:
        t = json.loads(line)
        out = t.get('stdout') or ''
        tap = PLAN.search(out) is not None
        oks = OK.findall(out) if tap else []
        bad = NOT_OK.findall(out) if tap else []
        if oks or bad:
            p = sum(1 for s in oks if not s)
            s = sum(1 for s in oks if s)
            n = len(bad)
            if t['result'] not in ('OK', 'SKIP', 'EXPECTEDFAIL') and n == 0:
                n = 1       # the program itself failed (crash, timeout)
        elif t['result'] in ('OK', 'EXPECTEDFAIL'):
            p, s, n = 1, 0, 0
        elif t['result'] == 'SKIP':
            p, s, n = 0, 1, 0
        else:
            p, s, n = 0, 0, 1
        for suite in t.get('suite') or ['-']:
            suite = suite.split(':')[-1]
            a = per_suite.setdefault(suite, [0, 0, 0])
            a[0] += p
            a[1] += n
            a[2] += s
        passed += p
        failed += n
        skipped += s
        if n:
            write('FAILED: %s (%s)' % (t['name'], t['result']))
            for line in failure_lines(out, tap):
                write('  ' + line)
    for suite, (p, n, s) in sorted(per_suite.items()):
        if suite != '-':
            write('suite %-8s %d passed, %d failed, %d skipped' %
                  (suite, p, n, s))
    write('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed or passed == 0 else 0


def self_test():
    """Made-up runs through summarize(), as TAP."""
    def run(*tests):
        out = []
        rc = summarize([json.dumps(t) for t in tests], out.append)
        return rc, out

    tap_bad = ('1..3\nok 1 - a\nnot ok 2 - b\n# why b\n# more\n'
               'ok 3 - c\n# unrelated\nok 4 - d # SKIP no nic\n')
    checks = []
    rc, out = run({'name': 'good', 'suite': ['ena:lint'], 'result': 'OK',
                   'stdout': '1..2\nok 1 - x\nok 2 - y # SKIP z\n'})
    checks.append(('passing run exits 0 and counts subtests',
                   rc == 0 and out[-1] == '1 passed, 0 failed, 1 skipped'))
    rc, out = run({'name': 'bad', 'suite': ['ena:linux'], 'result': 'FAIL',
                   'stdout': tap_bad})
    checks.append(('failed TAP test exits 1', rc == 1))
    checks.append(('its not ok line and diagnostics follow FAILED',
                   out[:4] == ['FAILED: bad (FAIL)', '  not ok 2 - b',
                               '  # why b', '  # more']))
    checks.append(('diagnostics of passing subtests are left out',
                   '  # unrelated' not in out))
    rc, out = run({'name': 'crash', 'suite': ['ena:qtest'],
                   'result': 'FAIL', 'stdout': 'start\nAborted\n'})
    checks.append(('a non-TAP failure shows its last lines',
                   out[:3] == ['FAILED: crash (FAIL)', '  start',
                               '  Aborted']))
    rc, out = run({'name': 'killed', 'result': 'TIMEOUT',
                   'stdout': '1..3\nok 1 - a\n# waiting for b\n'})
    checks.append(('a TAP test that died between checks shows its last '
                   'lines', rc == 1 and out[:4] == [
                       'FAILED: killed (TIMEOUT)', '  1..3', '  ok 1 - a',
                       '  # waiting for b']))
    many = '1..100\n' + ''.join('not ok %d - t\n# d\n' % i
                                  for i in range(1, 101))
    rc, out = run({'name': 'many', 'result': 'FAIL', 'stdout': many})
    checks.append(('a long failure is cut at 40 lines',
                   len(out) == 1 + 41 + 1 and out[41].startswith('  ...')))
    rc, out = run()
    checks.append(('an empty run fails', rc == 1))
    print('1..%d' % len(checks))
    bad = 0
    for i, (name, good) in enumerate(checks, 1):
        print('%s %d - %s' % ('ok' if good else 'not ok', i, name))
        bad += not good
    return 1 if bad else 0


if len(sys.argv) == 2 and sys.argv[1] == '--self-test':
    sys.exit(self_test())
if len(sys.argv) != 2:
    sys.exit(__doc__)
try:
    log = open(sys.argv[1]).readlines()
except OSError as e:
    print('no test log (%s): the build failed before any test ran' % e)
    print('0 passed, 1 failed, 0 skipped')
    sys.exit(1)
sys.exit(summarize(log, print))
