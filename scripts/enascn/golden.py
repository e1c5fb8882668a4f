# Golden traces: a run's trace against the one kept in scenarios/golden/.
# SPDX-License-Identifier: GPL-2.0-or-later
"""On the targets that replay exactly (qtest, guest) a scenario's trace,
virtual timestamps included, depends only on the device and the driver.
Keeping it as a file makes any change to what they do visible: a
refactoring must leave every trace byte for byte as it was, and a change
of behaviour shows up as a diff, to be reviewed and then recorded with
--update-golden."""

import difflib
import os


def path(golden_dir, sc, target):
    return os.path.join(golden_dir, '%s.%s.trace' % (sc.name, target))


def check(golden_dir, sc, target, res, update):
    """Print the outcome; False when the trace differs from the file."""
    f = path(golden_dir, sc, target)
    text = ''.join(line + '\n' for line in res.trace)
    if update:
        with open(f, 'w', encoding='utf-8') as out:
            out.write(text)
        print('  golden trace written: %s (%d lines)' % (f, len(res.trace)))
        return True
    try:
        with open(f, encoding='utf-8') as g:
            want = g.read()
    except OSError:
        print('  FAIL golden trace %s missing (record it with '
              '--update-golden)' % f)
        return False
    if want == text:
        print('  ok   golden trace %s (%d lines)' % (f, len(res.trace)))
        return True
    print('  FAIL golden trace %s differs:' % f)
    for line in difflib.unified_diff(want.splitlines(), res.trace,
                                     'golden', 'this run', lineterm='',
                                     n=2):
        print('    ' + line)
    return False
