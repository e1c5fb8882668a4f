# JUnit XML for CI systems (ena-scenario --junit): one testsuite per run,
# one testcase per expectation, the timeline attached.
# SPDX-License-Identifier: GPL-2.0-or-later
"""write(path, runs): @runs is a list of (scenario, target, variant,
Result, evaluate() output, wall seconds). GitLab, Jenkins and GitHub
Actions read the common subset used here: testsuites > testsuite >
testcase with failure / skipped, and system-out."""

import os
import xml.etree.ElementTree as ET

from .check import label


def timeline_text(res):
    lines = ['%9.3fs  %-7s %s' % (t, src, text)
             for t, src, text in sorted(res.timeline, key=lambda x: x[0])]
    lines += ['device   %s = %s' % (k, res.props[k])
              for k in sorted(res.props)]
    lines += ['note     %s' % n for n in res.notes]
    return '\n'.join(lines) + '\n'


def build(runs):
    root = ET.Element('testsuites', name='ena-scenario')
    totals = {'tests': 0, 'failures': 0, 'skipped': 0}
    for sc, target, variant, res, results, secs in runs:
        name = label(sc, target, variant)
        suite = ET.SubElement(root, 'testsuite', name=name,
                              time='%.3f' % secs)
        cls = 'scenario.%s.%s%s' % (sc.name, target,
                                    '.' + variant if variant else '')
        n = {'tests': 0, 'failures': 0, 'skipped': 0}
        checks = list(results)
        if res is None or not res.complete or not res.deterministic:
            why = ('target not available' if res is None else
                   'the run did not reach its end' if not res.complete
                   else 'the repeated runs differ')
            checks.insert(0, (False, None, why))
        for ok, e, why in checks:
            tname = ('%s:%d expect %s' % (os.path.basename(sc.path), e.line,
                                          e.text) if e else 'run')
            case = ET.SubElement(suite, 'testcase', classname=cls,
                                 name=tname, time='0')
            n['tests'] += 1
            if ok is None:
                ET.SubElement(case, 'skipped', message=why)
                n['skipped'] += 1
            elif not ok:
                f = ET.SubElement(case, 'failure', message=why,
                                  type='expectation')
                f.text = why
                n['failures'] += 1
        for k, v in n.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set('errors', '0')
        out = ET.SubElement(suite, 'system-out')
        out.text = timeline_text(res) if res else ''
    for k, v in totals.items():
        root.set(k, str(v))
    root.set('errors', '0')
    return ET.ElementTree(root)


def write(path, runs):
    tree = build(runs)
    ET.indent(tree)
    tree.write(path, encoding='utf-8', xml_declaration=True)
