# The scenario model and the parser of scenarios/*.scn (scenarios/README.md).
# SPDX-License-Identifier: GPL-2.0-or-later
"""parse(path) -> Scenario, or ScenarioError naming the file and line.

Times: one grammar for both kinds the tooling reads, a number with an
optional unit among ns, us, ms, s, m. A bare number is in seconds in a
scenario (at 2:, duration: 15) and in milliseconds in a device fault rule
(after=500, as hw/ena/ena_fault.c reads it)."""

import dataclasses
import re

from . import cdefs

TRAFFIC = ('idle', 'ping', 'tcp', 'jumbo', 'admin', 'flood', 'linklocal',
           'phc')
OPS = {
    '==': lambda a, b: a == b, '!=': lambda a, b: a != b,
    '>=': lambda a, b: a >= b, '<=': lambda a, b: a <= b,
    '>': lambda a, b: a > b, '<': lambda a, b: a < b,
}
NS = 1000000000
# ena-diag's status codes and the guide's event ids (ena-diag/)
DIAG_STATUS = ('ok', 'removed', 'not-responding', 'fatal-error',
               'probe-failed', 'no-driver', 'reset-failed', 'reset-loop',
               'mmio-timeouts', 'link-down', 'none')
DIAG_EVENTS = (5001, 5002, 5005, 5007, 5032, 5200, 5201, 5202, 5203, 5204,
               5205, 5206, 5208, 5210)
UNITS_NS = {'ns': 1, 'us': 1000, 'ms': 1000000, 's': NS, 'm': 60 * NS}


class ScenarioError(Exception):
    pass


def time_ns(text, bare='s'):
    """@text ("500ms", "2s", "1.5", "7ns") in ns; a bare number is in
    @bare units. None if it is not a time."""
    m = re.fullmatch(r'(\d+(?:\.\d+)?)(ns|us|ms|s|m)?', text)
    if not m:
        return None
    return round(float(m.group(1)) * UNITS_NS[m.group(2) or bare])


def rule_time_ns(text):
    """A time in a device fault rule as hw/ena/ena_fault.c reads it (an
    integer; ns, us, ms or s; bare in ms), in ns; None if it is not."""
    if not re.fullmatch(r'\d+(?:ns|us|ms|s)?', text):
        return None
    return time_ns(text, 'ms')


def parse_time(text):
    """A scenario time in seconds (a float), or None."""
    ns = time_ns(text, 's')
    return None if ns is None else ns / NS


def target_names():
    from . import targets       # the targets import this module
    return targets.names()


def default_targets():
    from . import targets
    return targets.defaults()


@dataclasses.dataclass
class Action:
    line: int
    t: float            # seconds after the driver is up
    kind: str           # fault | set | link | unplug
    point: str = ''     # set: the property
    rule: str = ''      # set: its value, an unsigned integer
    up: bool = True

    def describe(self):
        if self.kind == 'unplug':
            return 'device_del (surprise removal)'
        if self.kind == 'link':
            return 'link %s' % ('up' if self.up else 'down')
        if self.kind == 'set':
            return '%s = %s' % (self.point, self.rule)
        return 'fault-%s = %s' % (self.point, self.rule or 'none')


@dataclasses.dataclass
class Expect:
    line: int
    kind: str           # device reset event no-event log no-log traffic
                        # diag
    args: tuple
    text: str
    only: tuple = ()    # the targets it applies to; () all


@dataclasses.dataclass
class Scenario:
    path: str
    name: str = ''
    targets: tuple = ()
    kernels: tuple = ()
    device: list = dataclasses.field(default_factory=list)
    traffic: str = 'ping'
    duration: float = 20.0
    actions: list = dataclasses.field(default_factory=list)
    expects: list = dataclasses.field(default_factory=list)

    def props_wanted(self):
        """The device properties a run reads at its end."""
        props = {e.args[0] for e in self.expects if e.kind == 'device'}
        if any(e.kind == 'debug-area' for e in self.expects):
            props.add('debug-area')
        return sorted(props | {'reset-count', 'reset-reasons'})


@dataclasses.dataclass
class Result:
    timeline: list = dataclasses.field(default_factory=list)   # (t, src, s)
    props: dict = dataclasses.field(default_factory=dict)
    events: list = dataclasses.field(default_factory=list)     # (id, reason)
    log: list = dataclasses.field(default_factory=list)
    traffic: str = ''
    notes: list = dataclasses.field(default_factory=list)
    deterministic: bool = True
    # False when the run never reached its end (QEMU did not start, the
    # guest printed no result): its expectations prove nothing
    complete: bool = True
    # the driver's own record of the run (EVENT, INJECT, STAT ... lines,
    # virtual timestamps included), for targets that replay exactly
    trace: list = dataclasses.field(default_factory=list)
    # ena-diag in the guest (linux): 'status' and 'events', each
    # (exit status, parsed JSON or None); 'samples': (t, [codes])
    diag: dict = dataclasses.field(default_factory=dict)
    # traffic rounds as the target reports them: (t, passed, bytes moved
    # so far or None)
    traffic_series: list = dataclasses.field(default_factory=list)


def parse(path):
    targets, kernels = target_names(), cdefs.kernels()
    points = cdefs.fault_points()
    sc = Scenario(path=path, targets=default_targets(), kernels=kernels)
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise ScenarioError('%s: cannot read: %s' % (path, e.strerror))

    def err(n, msg):
        raise ScenarioError('%s:%d: %s' % (path, n, msg))

    for n, raw in enumerate(lines, 1):
        line = raw.split('#', 1)[0].strip() if not re.search(r'"[^"]*#', raw) \
            else raw.strip()
        if not line:
            continue
        m = re.fullmatch(r'at\s+(\S+)\s*:\s*(.*)', line)
        if m:
            t = parse_time(m.group(1))
            if t is None:
                err(n, "'%s' is not a time (e.g. 500ms, 2s)" % m.group(1))
            words = m.group(2).split()
            if len(words) == 3 and words[0] == 'fault':
                if words[1] not in points:
                    err(n, "unknown fault point '%s' (one of %s)" %
                        (words[1], ', '.join(points)))
                rule = '' if words[2] == 'none' else words[2]
                sc.actions.append(Action(n, t, 'fault', words[1], rule))
            elif len(words) == 3 and words[0] == 'set':
                settable = cdefs.runtime_props()
                if words[1] not in settable:
                    err(n, "'%s' cannot be set while the device runs (one "
                        "of %s; others go on the device: line)" %
                        (words[1], ', '.join(settable)))
                if not re.fullmatch(r'[0-9]+', words[2]) or \
                        int(words[2]) > 0xffffffff:
                    err(n, "%s: '%s' is not an unsigned 32-bit number" %
                        (words[1], words[2]))
                sc.actions.append(Action(n, t, 'set', words[1], words[2]))
            elif len(words) == 2 and words[0] == 'link' and \
                    words[1] in ('up', 'down'):
                sc.actions.append(Action(n, t, 'link', up=words[1] == 'up'))
            elif words == ['unplug']:
                sc.actions.append(Action(n, t, 'unplug'))
            else:
                err(n, "expected 'fault POINT RULE', 'set PROPERTY VALUE', "
                    "'link up|down' or 'unplug' after 'at TIME:'")
            continue
        m = re.match(r'expect(?:\[([a-z0-9.,]+)\])?\s+(.*)', line)
        if m:
            only = tuple(m.group(1).split(',')) if m.group(1) else ()
            bad = [q for q in only if q not in targets]
            if bad:
                err(n, "expect[%s]: '%s' is not a target (%s)" %
                    (m.group(1), bad[0], ', '.join(targets)))
            e = parse_expect(m.group(2).strip(), n, err)
            e.only = only
            sc.expects.append(e)
            continue
        m = re.fullmatch(r'([a-z]+)\s*:\s*(.*)', line)
        if not m:
            err(n, "cannot read '%s' (a statement is 'key: value', "
                "'at TIME: ...' or 'expect ...')" % line)
        key, val = m.group(1), m.group(2).strip()
        if key == 'name':
            if not re.fullmatch(r'[A-Za-z0-9-]+', val):
                err(n, "name '%s': use letters, digits and '-'" % val)
            sc.name = val
        elif key == 'targets':
            bad = [t for t in val.split() if t not in targets]
            if bad or not val:
                err(n, "unknown target '%s' (one of %s)" %
                    (' '.join(bad), ', '.join(targets)))
            sc.targets = tuple(val.split())
        elif key == 'kernels':
            bad = [k for k in val.split() if k not in kernels]
            if bad or not val:
                err(n, "unknown kernel '%s' (one of %s)" %
                    (' '.join(bad), ', '.join(kernels)))
            sc.kernels = tuple(val.split())
        elif key == 'device':
            for prop in val.split():
                if not re.fullmatch(r'[a-z][a-z0-9-]*=\S+', prop):
                    err(n, "device property '%s' is not NAME=VALUE" % prop)
                sc.device.append(prop)
        elif key == 'traffic':
            if val not in TRAFFIC:
                err(n, "unknown traffic '%s' (one of %s)" %
                    (val, ', '.join(TRAFFIC)))
            sc.traffic = val
        elif key == 'duration':
            t = parse_time(val)
            if t is None or t <= 0:
                err(n, "duration '%s' is not a time" % val)
            sc.duration = t
        else:
            err(n, "unknown statement '%s'" % key)
    if not sc.name:
        raise ScenarioError('%s: no name: statement' % path)
    for a in sc.actions:
        if a.t > sc.duration:
            err(a.line, 'at %gs is after the duration (%gs)' %
                (a.t, sc.duration))
    return sc


def parse_expect(text, n, err):
    reasons = cdefs.reset_reasons()
    words = text.split()
    if not words:
        err(n, 'empty expect')
    kind = words[0]
    if kind == 'device':
        if len(words) != 4 or words[2] not in OPS:
            err(n, "expected 'expect device PROPERTY OP VALUE' with OP one "
                "of %s" % ' '.join(OPS))
        val = words[3]
        if val in reasons:
            val = reasons[val]
        else:
            try:
                val = int(val, 0)
            except ValueError:
                err(n, "'%s' is neither a number nor a reset reason" % val)
        return Expect(n, 'device', (words[1], words[2], val), text)
    if kind in ('event', 'no-event'):
        if len(words) < 2 or not words[1].isdigit():
            err(n, "expected 'expect %s ID [reason=NAME]'" % kind)
        reason = None
        for w in words[2:]:
            if not w.startswith('reason=') or w[7:] not in reasons:
                err(n, "'%s': expected reason=NAME (e.g. reason="
                    "KEEP_ALIVE_TO)" % w)
            reason = w[7:]
        return Expect(n, kind, (int(words[1]), reason), text)
    m = re.fullmatch(r'(log|no-log)(?:\[([0-9.]+)\])?\s+"(.*)"', text)
    if m:
        if m.group(2) and m.group(2) not in cdefs.kernels():
            err(n, "unknown kernel '%s' in %s[...]" % (m.group(2),
                                                        m.group(1)))
        return Expect(n, m.group(1), (m.group(3), m.group(2)), text)
    if kind in ('log', 'no-log'):
        err(n, 'expected %s "TEXT" (the text in double quotes)' % kind)
    m = re.fullmatch(r'debug-area\s+(contains|no-contains)\s+"(.*)"', text)
    if m:
        return Expect(n, 'debug-area', (m.group(1), m.group(2)), text)
    if kind == 'debug-area':
        err(n, 'expected debug-area contains|no-contains "TEXT" (a line of '
            'the debug area the device read at the last reset has TEXT)')
    if kind == 'reset':
        if len(words) != 2 or words[1] not in reasons:
            err(n, "expected 'expect reset REASON' (e.g. KEEP_ALIVE_TO)")
        return Expect(n, 'reset', (words[1],), text)
    if kind == 'traffic' and len(words) == 2 and words[1] in ('ok',
                                                              'failed'):
        return Expect(n, 'traffic', (words[1],), text)
    if kind == 'diag':
        return parse_diag(words[1:], text, n, err, reasons)
    err(n, "unknown expectation '%s' (device, reset, event, no-event, log, "
        "no-log, traffic, diag, debug-area)" % kind)
    return None


def parse_diag(words, text, n, err, reasons):
    """expect diag status|problem|seen CODE, expect diag event ID
    [reason=NAME], expect diag no-event ID."""
    what = words[0] if words else ''
    if what in ('status', 'problem', 'seen'):
        if len(words) != 2 or words[1] not in DIAG_STATUS:
            err(n, "expected 'expect diag %s CODE', CODE one of %s" %
                (what, ', '.join(DIAG_STATUS)))
        return Expect(n, 'diag', (what, words[1], None), text)
    if what in ('event', 'no-event'):
        if len(words) < 2 or not words[1].isdigit() or \
                int(words[1]) not in DIAG_EVENTS:
            err(n, "expected 'expect diag %s ID' with an event id of the "
                "guide (%s)" % (what, ' '.join(map(str, DIAG_EVENTS))))
        reason = None
        for w in words[2:]:
            if what == 'no-event' or not w.startswith('reason=') or \
                    w[7:] not in reasons:
                err(n, "'%s': expected reason=NAME (e.g. reason="
                    "KEEP_ALIVE_TO)" % w)
            reason = w[7:]
        return Expect(n, 'diag', (what, int(words[1]), reason), text)
    err(n, "expected 'expect diag status|problem|seen CODE' or 'expect diag "
        "event|no-event ID'")
    return None
