#!/usr/bin/env python3
# ena-diag events over saved kernel logs of Debian's 6.1 and 6.12 ena.ko
# (tests/logs/*.log, from the linux scenario runs): each log's mapped
# events must be the ones in its .expected file ("ID REASON" lines), and
# the exit status must say whether a problem event is among them.
# SPDX-License-Identifier: GPL-2.0-or-later
import glob
import json
import os
import subprocess
import sys


def main():
    exe, logs = sys.argv[1], sys.argv[2]
    files = sorted(glob.glob(os.path.join(logs, '*.log')))
    print('1..%d' % (len(files) + 4))
    failed = 0
    for n, log in enumerate(files, 1):
        want = open(log[:-4] + '.expected').read().split('\n')
        want = [w for w in want if w]
        p = subprocess.run([exe, 'events', '--mapped', '--json', '--log', log],
                           capture_output=True, text=True)
        have = ['%s %s' % (e['id'], e['reason'] or '-')
                for e in json.loads(p.stdout)['events']]
        bad = any(not w.startswith(('5200 ', '5210 ')) for w in want)
        ok = have == want and p.returncode == (1 if bad else 0)
        failed += not ok
        print('%s %d - %s' % ('ok' if ok else 'not ok', n,
                               os.path.basename(log)))
        if not ok:
            print('# want %s (exit %d)\n# have %s (exit %d)' %
                  (want, 1 if bad else 0, have, p.returncode))
    n = len(files)

    def check(ok, what):
        nonlocal n, failed
        n += 1
        failed += not ok
        print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))

    def events(*args):
        p = subprocess.run([exe, 'events', '--json', '--log',
                            os.path.join(logs, 'keepalive-6.12.log')] +
                           list(args), capture_output=True, text=True)
        return [(e['id'], e['time']) for e in json.loads(p.stdout)['events']]

    # filters: by id, and from a time since boot (the reset is at 11.8 s)
    have = events('--id', '5205,5210')
    check([i for i, _ in have] == [5205, 5210], '--id 5205,5210 keeps those')
    have = events('--since', '11', '--mapped')
    check([i for i, _ in have] == [5205, 5210] and
          all(t >= 11 for _, t in have), '--since 11 drops what came before')
    have = events('--since', '-100ms', '--mapped')
    check([i for i, _ in have] == [5210], '--since -100ms: the last 0.1 s of '
          'the log only')
    # a bad option is a usage error, not a verdict
    p = subprocess.run([exe, 'events', '--id', '42'], capture_output=True,
                       text=True)
    check(p.returncode == 2 and 'not an event id' in p.stderr,
          '--id 42 is refused')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
