#!/usr/bin/python3
# Print a summary of a `meson test` run, counting TAP subtests.
# SPDX-License-Identifier: GPL-2.0-or-later
"""usage: test-summary.py build/meson-logs/testlog.json

Each meson test that speaks TAP counts as its subtests; any other test
counts as one. Ends with the plain line 'N passed, N failed, N skipped'.
Exits 1 when nothing ran or anything failed."""
import json
import re
import sys

# glib's "-s" (how run-qtest.sh selects tests) is not a test result
OK = re.compile(r'^ok \d+ (?!.*# SKIP by request)(?:.*?(?P<skip># SKIP))?',
                re.M)
PLAN = re.compile(r'^1\.\.\d+', re.M)
NOT_OK = re.compile(r'^not ok \d+(?! # TODO)', re.M)

passed = failed = skipped = 0
per_suite = {}
try:
    log = open(sys.argv[1]).readlines()
except OSError as e:
    print('no test log (%s): the build failed before any test ran' % e)
    log = []
    failed = 1
if True:
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
            print('FAILED: %s (%s)' % (t['name'], t['result']))

for suite, (p, n, s) in sorted(per_suite.items()):
    if suite == '-':
        continue
    print('suite %-8s %d passed, %d failed, %d skipped' % (suite, p, n, s))
print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
sys.exit(1 if failed or passed == 0 else 0)
