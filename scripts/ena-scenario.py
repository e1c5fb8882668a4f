#!/usr/bin/python3
# Run an ENA fault scenario (scenarios/*.scn) against a driver and check it.
# SPDX-License-Identifier: GPL-2.0-or-later
"""usage: ena-scenario [--target qtest|guest|linux] [--kernel 6.1|6.12]
                    [--check] [-v] SCENARIO...

Prints a timeline and PASS/FAIL per expectation; exits 1 if any scenario
failed, 2 if a scenario file is bad. --check only parses. See
scenarios/README.md for the format."""

import argparse
import dataclasses
import hashlib
import http.server
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('ENA_BUILD', os.path.join(REPO, 'build'))
sys.path.insert(0, os.path.join(REPO, 'scripts', 'linux'))

TARGETS = ('qtest', 'guest', 'linux')
KERNELS = ('6.1', '6.12')
TRAFFIC = ('idle', 'ping', 'tcp', 'jumbo', 'admin')
POINTS = ('keepalive', 'readless', 'reg', 'admin', 'tx', 'rx', 'irq',
          'reset', 'fatal', 'link', 'hints')
REASONS = {
    'NORMAL': 0, 'KEEP_ALIVE_TO': 1, 'ADMIN_TO': 2, 'MISS_TX_CMPL': 3,
    'INV_RX_REQ_ID': 4, 'INV_TX_REQ_ID': 5, 'TOO_MANY_RX_DESCS': 6,
    'INIT_ERR': 7, 'DRIVER_INVALID_STATE': 8, 'OS_TRIGGER': 9,
    'OS_NETDEV_WD': 10, 'SHUTDOWN': 11, 'USER_TRIGGER': 12, 'GENERIC': 13,
    'MISS_INTERRUPT': 14, 'SUSPECTED_POLL_STARVATION': 15,
    'RX_DESCRIPTOR_MALFORMED': 16, 'TX_DESCRIPTOR_MALFORMED': 17,
    'MISSING_ADMIN_INTERRUPT': 18, 'DEVICE_REQUEST': 19,
    'MISS_FIRST_INTERRUPT': 20,
}
OPS = {
    '==': lambda a, b: a == b, '!=': lambda a, b: a != b,
    '>=': lambda a, b: a >= b, '<=': lambda a, b: a <= b,
    '>': lambda a, b: a > b, '<': lambda a, b: a < b,
}


class ScenarioError(Exception):
    pass


@dataclasses.dataclass
class Action:
    line: int
    t: float            # seconds after the driver is up
    kind: str           # fault | link | unplug
    point: str = ''
    rule: str = ''
    up: bool = True

    def describe(self):
        if self.kind == 'unplug':
            return 'device_del (surprise removal)'
        if self.kind == 'link':
            return 'link %s' % ('up' if self.up else 'down')
        return 'fault-%s = %s' % (self.point, self.rule or 'none')


@dataclasses.dataclass
class Expect:
    line: int
    kind: str           # device event no-event log no-log traffic
    args: tuple
    text: str
    only: tuple = ()    # the targets it applies to; () all


@dataclasses.dataclass
class Scenario:
    path: str
    name: str = ''
    targets: tuple = TARGETS
    kernels: tuple = KERNELS
    device: list = dataclasses.field(default_factory=list)
    traffic: str = 'ping'
    duration: float = 20.0
    actions: list = dataclasses.field(default_factory=list)
    expects: list = dataclasses.field(default_factory=list)


def parse_time(s):
    m = re.fullmatch(r'(\d+(?:\.\d+)?)(ms|s|m)?', s)
    if not m:
        return None
    v = float(m.group(1))
    return v / 1000 if m.group(2) == 'ms' else v * 60 if m.group(2) == 'm' \
        else v


def parse(path):
    sc = Scenario(path=path)
    try:
        lines = open(path, encoding='utf-8').read().splitlines()
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
                if words[1] not in POINTS:
                    err(n, "unknown fault point '%s' (one of %s)" %
                        (words[1], ', '.join(POINTS)))
                rule = '' if words[2] == 'none' else words[2]
                sc.actions.append(Action(n, t, 'fault', words[1], rule))
            elif len(words) == 2 and words[0] == 'link' and \
                    words[1] in ('up', 'down'):
                sc.actions.append(Action(n, t, 'link', up=words[1] == 'up'))
            elif words == ['unplug']:
                sc.actions.append(Action(n, t, 'unplug'))
            else:
                err(n, "expected 'fault POINT RULE', 'link up|down' or "
                    "'unplug' after 'at TIME:'")
            continue
        m = re.match(r'expect(?:\[([a-z0-9.,]+)\])?\s+(.*)', line)
        if m:
            only = tuple(m.group(1).split(',')) if m.group(1) else ()
            bad = [q for q in only if q not in TARGETS]
            if bad:
                err(n, "expect[%s]: '%s' is not a target (%s)" %
                    (m.group(1), bad[0], ', '.join(TARGETS)))
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
            bad = [t for t in val.split() if t not in TARGETS]
            if bad or not val:
                err(n, "unknown target '%s' (one of %s)" %
                    (' '.join(bad), ', '.join(TARGETS)))
            sc.targets = tuple(val.split())
        elif key == 'kernels':
            bad = [k for k in val.split() if k not in KERNELS]
            if bad or not val:
                err(n, "unknown kernel '%s' (one of %s)" %
                    (' '.join(bad), ', '.join(KERNELS)))
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
    words = text.split()
    if not words:
        err(n, 'empty expect')
    kind = words[0]
    if kind == 'device':
        if len(words) != 4 or words[2] not in OPS:
            err(n, "expected 'expect device PROPERTY OP VALUE' with OP one "
                "of %s" % ' '.join(OPS))
        val = words[3]
        if val in REASONS:
            val = REASONS[val]
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
            if not w.startswith('reason=') or w[7:] not in REASONS:
                err(n, "'%s': expected reason=NAME (e.g. reason="
                    "KEEP_ALIVE_TO)" % w)
            reason = w[7:]
        return Expect(n, kind, (int(words[1]), reason), text)
    m = re.fullmatch(r'(log|no-log)(?:\[([0-9.]+)\])?\s+"(.*)"', text)
    if m:
        if m.group(2) and m.group(2) not in KERNELS:
            err(n, "unknown kernel '%s' in %s[...]" % (m.group(2),
                                                        m.group(1)))
        return Expect(n, m.group(1), (m.group(3), m.group(2)), text)
    if kind in ('log', 'no-log'):
        err(n, 'expected %s "TEXT" (the text in double quotes)' % kind)
    if kind == 'reset':
        if len(words) != 2 or words[1] not in REASONS:
            err(n, "expected 'expect reset REASON' (e.g. KEEP_ALIVE_TO)")
        return Expect(n, 'reset', (words[1],), text)
    if kind == 'traffic' and len(words) == 2 and words[1] in ('ok',
                                                              'failed'):
        return Expect(n, 'traffic', (words[1],), text)
    err(n, "unknown expectation '%s' (device, reset, event, no-event, log, "
        "no-log, traffic)" % kind)


@dataclasses.dataclass
class Result:
    timeline: list = dataclasses.field(default_factory=list)   # (t, src, s)
    props: dict = dataclasses.field(default_factory=dict)
    events: list = dataclasses.field(default_factory=list)     # (id, reason)
    log: list = dataclasses.field(default_factory=list)
    traffic: str = ''
    notes: list = dataclasses.field(default_factory=list)
    deterministic: bool = True


def device_props_wanted(sc):
    props = {e.args[0] for e in sc.expects if e.kind == 'device'}
    return sorted(props | {'reset-count', 'reset-reasons'})


# ---- linux target ---------------------------------------------------------

def blob_server():
    """An HTTP server on loopback serving a deterministic 2 MiB blob."""
    rnd = random.Random(0x454e41)
    blob = bytes(rnd.getrandbits(8) for _ in range(2 << 20))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header('Content-Length', str(len(blob)))
            self.end_headers()
            self.wfile.write(blob)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, hashlib.sha256(blob).hexdigest()[:16]


def hook_linux(sc_path, out_path):
    """Runs while the guest runs: waits for READY, acts, reads the device."""
    from qmp import QMP
    sc = parse(sc_path)
    log = os.environ['ENA_LOG_A']
    qmp = QMP(os.environ['ENA_QMP_A'], wait=30)
    out = {'ready': False, 'actions': [], 'props': {}}

    def save():
        with open(out_path + '.tmp', 'w') as f:
            json.dump(out, f)
        os.replace(out_path + '.tmp', out_path)

    def guest_done():
        try:
            return 'ENATEST-RESULT' in open(log, errors='replace').read()
        except OSError:
            return False

    def read_props():
        # Keep the last values read, saved at once: a guest that fails
        # early powers off (QEMU exits, this hook is ended) soon after.
        # A read counts only if the guest had not yet printed its result
        # when the read ended: after that it powers off, and ena.ko's
        # shutdown resets the device, which is not part of the story.
        # The serial log is written as the guest writes, so a read that
        # ends before RESULT is in the log saw nothing of the shutdown.
        if out['props'] and guest_done():
            return
        props = {}
        for p in device_props_wanted(sc):
            try:
                props[p] = qmp.execute('qom-get', {
                    'path': '/machine/peripheral/nic0', 'property': p})
            except Exception as e:      # gone, or a property it lacks
                props[p] = out['props'].get(p, 'error: %s' % e)
        if out['props'] and guest_done():
            return
        out['props'] = props
        save()

    last_read = [0.0]

    def wait_until(when):
        # refresh the saved counters a few times a second while waiting
        while time.monotonic() < when:
            if time.monotonic() - last_read[0] >= 0.25:
                last_read[0] = time.monotonic()
                read_props()
            time.sleep(max(0.0, min(0.2, when - time.monotonic())))

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            text = open(log, errors='replace').read()
        except OSError:
            text = ''
        if 'ENATEST-READY' in text:
            out['ready'] = True
            break
        if 'ENATEST-RESULT' in text:
            read_props()
            break
        wait_until(time.monotonic() + 0.2)
    t0 = time.monotonic()
    if out['ready']:
        for a in sorted(sc.actions, key=lambda a: a.t):
            wait_until(t0 + a.t)
            if a.kind == 'unplug':
                qmp.execute('device_del', {'id': 'nic0'})
            elif a.kind == 'link':
                qmp.execute('set_link', {'name': 'nic0', 'up': a.up})
            else:
                qmp.execute('qom-set', {'path': '/machine/peripheral/nic0',
                                    'property': 'fault-' + a.point,
                                    'value': a.rule})
            out['actions'].append([time.monotonic() - t0, a.describe()])
            save()
        wait_until(t0 + sc.duration)
        # the guest goes on checking recovery: follow it to its result
        end = time.monotonic() + 120
        while not guest_done() and time.monotonic() < end:
            wait_until(time.monotonic() + 0.25)
    read_props()


def run_linux(sc, kernel, verbose):
    res = Result()
    srv, sha = blob_server()
    work = tempfile.mkdtemp(prefix='ena-scn-')
    hook_out = os.path.join(work, 'hook.json')
    hook = '%s %s --hook-linux %s %s' % (
        '/usr/bin/python3', shlex.quote(os.path.abspath(__file__)),
        shlex.quote(os.path.abspath(sc.path)), shlex.quote(hook_out))
    cmd = [os.path.join(REPO, 'scripts', 'linux', 'run-guest.sh'),
           '-k', kernel, '-t', 'scenario', '--qmp', 'auto',
           '--timeout', str(int(sc.duration) + 200),
           '-p', 'traffic=' + ('tcp' if sc.traffic == 'jumbo' else
                               sc.traffic),
           '-p', 'duration=%d' % max(1, round(sc.duration)),
           '-p', 'port=%d' % srv.server_address[1], '-p', 'sha=' + sha,
           '--log', os.path.join(work, 'guest'), '--hook', hook]
    if sc.device:
        cmd += ['--device-opts', ','.join(p.replace(',', ',,')
                                          for p in sc.device)]
    if verbose:
        cmd.append('-v')
    env = dict(os.environ, ENA_BUILD=BUILD)
    if any(a.kind == 'unplug' for a in sc.actions):
        env['ENA_GUEST_HOTPLUG'] = '1'
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, env=env)
    srv.shutdown()
    res.notes.append('guest run exited %d; logs in %s' % (p.returncode,
                                                         work))
    serial = ''
    try:
        serial = open(os.path.join(work, 'guest.log'),
                      errors='replace').read().replace('\r', '')
    except OSError:
        res.notes.append('no serial log: ' + p.stdout[-2000:])
    m = re.search(r'ENATEST-DMESG-BEGIN\n(.*?)ENATEST-DMESG-END', serial,
                  re.S)
    ready_t = None
    mv = re.search(r'ENATEST-VALUE ready_uptime_cs=(\d+)', serial)
    if mv:
        ready_t = int(mv.group(1)) / 100
    for line in (m.group(1).splitlines() if m else []):
        lm = re.match(r'<\d+>\[\s*([\d.]+)\]\s?(.*)', line)
        text = lm.group(2) if lm else line
        res.log.append(text)
        # the reset's statistics dump ("name: value") is not the story
        if lm and re.search(r'\bena\b|ENA', text) and \
                not re.search(r': \S+: -?\d+$', text):
            t = float(lm.group(1)) - (ready_t or 0.0)
            res.timeline.append((t, 'linux', text))
    for key, val in re.findall(r'ENATEST-VALUE (\w+)=(.*)', serial):
        if key == 'traffic_final':
            res.traffic = val.strip()
    try:
        h = json.load(open(hook_out))
        res.props = h['props']
        for t, what in h['actions']:
            res.timeline.append((t, 'inject', what))
        if not h['ready']:
            res.notes.append('the guest never became ready')
            res.traffic = res.traffic or 'failed'    # nothing could pass
    except (OSError, ValueError) as e:
        res.notes.append('no result from the QMP hook (%s)' % e)
    return res


# ---- qtest target -----------------------------------------------------------

def run_qtest(sc, verbose):
    """The reference driver in a qtest process (ena-scenario-test)."""
    res = Result()
    exe = os.path.join(BUILD, 'qemu-build', 'tests', 'qtest',
                       'ena-scenario-test')
    if not os.path.exists(exe):
        res.notes.append('the qtest scenario runner is not built (%s)' % exe)
        return None
    spec = json.dumps({
        'device': sc.device, 'traffic': sc.traffic,
        'duration_ns': int(sc.duration * 1e9),
        'actions': [{'t_ns': int(a.t * 1e9), 'kind': a.kind,
                     'point': a.point, 'rule': a.rule, 'up': a.up}
                    for a in sc.actions],
        'props': device_props_wanted(sc),
    })
    env = dict(os.environ, QTEST_QEMU_BINARY=os.path.join(
        BUILD, 'qemu-system-x86_64'), ENA_SCENARIO=spec)
    p = subprocess.run([exe, '--tap', '-q'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, env=env)
    if verbose:
        sys.stdout.write(p.stdout)
    parse_driver_output(p.stdout, res)
    res.notes.append('qtest runner exited %d' % p.returncode)
    m = re.search(r'^DETERMINISTIC (yes|no)', p.stdout, re.M)
    if m:
        # ENA_SCENARIO_REPEAT=N: the same trace N times, timestamps included
        res.deterministic = m.group(1) == 'yes'
        res.notes.append('identical event traces across runs: ' + m.group(1))
    return res


def parse_driver_output(out, res):
    """Reads 'EVENT t_ns id reason detail' / 'PROP name value' /
    'TRAFFIC ok|failed' / 'INJECT t_ns text' lines. A PROP value is the
    rest of the line (reset-reasons holds spaces); numbers become ints."""
    for line in out.splitlines():
        w = line.split(None, 4)
        if len(w) >= 3 and w[0] == 'EVENT':
            reason = w[3] if len(w) > 3 and w[3] != '-' else None
            res.events.append((int(w[2]), reason))
            res.timeline.append((int(w[1]) / 1e9, 'driver', ' '.join(w[2:])))
        elif len(w) >= 3 and w[0] == 'INJECT':
            res.timeline.append((int(w[1]) / 1e9, 'inject',
                                 line.split(None, 2)[2]))
        elif len(w) >= 2 and w[0] == 'PROP':
            p = line.split(None, 2)
            val = p[2] if len(p) > 2 else ''
            try:
                res.props[w[1]] = int(val, 0)
            except ValueError:
                res.props[w[1]] = val
        elif len(w) == 2 and w[0] == 'TRAFFIC':
            res.traffic = w[1]


# ---- guest target ----------------------------------------------------------

def run_guest(sc, verbose):
    """The reference driver as a bare-metal guest (ena_scenario_guest.py)."""
    sys.path.insert(0, os.path.join(REPO, 'scripts'))
    try:
        import ena_scenario_guest
    except ImportError:
        return None
    d = ena_scenario_guest.run_guest(sc, verbose)
    if d is None:
        return None
    res = Result()
    for k, v in d.items():
        setattr(res, k, v)
    return res


# ---- checking -----------------------------------------------------------

def evaluate(sc, target, kernel, res):
    out = []
    ev_pos = 0
    for e in sc.expects:
        skip = None
        if e.only and target not in e.only:
            skip = 'for %s' % ','.join(e.only)
        elif e.kind in ('log', 'no-log') and target != 'linux':
            skip = 'kernel log lines are checked on the linux target'
        elif e.kind in ('event', 'no-event') and target == 'linux':
            skip = 'driver events are the reference driver\'s'
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
            hits = [l for l in res.log if e.args[0] in l]
            ok = bool(hits) if e.kind == 'log' else not hits
            out.append((ok, e, ('found: ' + hits[0]) if hits else
                        'not in the kernel log'))
        elif e.kind == 'reset':
            have = str(res.props.get('reset-reasons', '')).split()
            out.append((e.args[0] in have, e, 'device saw: %s' %
                        (' '.join(have) or 'none')))
        elif e.kind == 'traffic':
            out.append((res.traffic == e.args[0], e,
                        'traffic %s' % (res.traffic or 'unknown')))
    return out


def report(sc, target, kernel, res):
    label = '%s [%s%s]' % (sc.name, target, (' ' + kernel) if kernel else '')
    print('== %s' % label)
    for t, src, text in sorted(res.timeline, key=lambda x: x[0]):
        print('  %9.3fs  %-7s %s' % (t, src, text))
    for k in sorted(res.props):
        print('  device   %s = %s' % (k, res.props[k]))
    for note in res.notes:
        print('  note     %s' % note)
    failed = 0 if res.deterministic else 1
    for ok, e, why in evaluate(sc, target, kernel, res):
        tag = 'SKIP' if ok is None else 'ok  ' if ok else 'FAIL'
        failed += ok is False
        print('  %s %s:%d expect %s  (%s)' % (tag, os.path.basename(sc.path),
                                           e.line, e.text, why))
    print('%s: %s' % (label, 'FAIL' if failed else 'PASS'))
    return failed == 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == '--hook-linux':
        hook_linux(sys.argv[2], sys.argv[3])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--target', choices=TARGETS + ('all',), default='all')
    ap.add_argument('--kernel', choices=KERNELS)
    ap.add_argument('--check', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('scenario', nargs='+')
    args = ap.parse_args()
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
             (args.target == 'linux' and args.kernel and
              args.kernel not in scs[0].kernels)):
        print('%s [%s%s]: not a target of this scenario: SKIP' %
              (scs[0].name, args.target, ' ' + args.kernel if args.kernel
               else ''))
        return 77
    all_ok = True
    for sc in scs:
        targets = sc.targets if args.target == 'all' else (args.target,)
        for target in targets:
            if target not in sc.targets:
                print('%s [%s]: not a target of this scenario' %
                      (sc.name, target))
                continue
            kernels = ([args.kernel] if args.kernel else list(sc.kernels)) \
                if target == 'linux' else [None]
            for k in kernels:
                if target == 'linux':
                    res = run_linux(sc, k, args.verbose)
                elif target == 'qtest':
                    res = run_qtest(sc, args.verbose)
                else:
                    res = run_guest(sc, args.verbose)
                if res is None:
                    print('%s [%s]: FAIL (target not available)' %
                          (sc.name, target))
                    all_ok = False
                    continue
                all_ok &= report(sc, target, k, res)
    return 0 if all_ok else 1


if __name__ == '__main__':
    sys.exit(main())
