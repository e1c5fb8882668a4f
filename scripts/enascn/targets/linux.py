# The linux target: the real ena.ko of Debian's kernels in a TCG guest.
# SPDX-License-Identifier: GPL-2.0-or-later
"""scripts/linux/run-guest.sh boots the kernel with the scenario test
(scripts/linux/guest/scenario.sh), which brings the interface up, prints
ENATEST-READY, runs the traffic and prints ENATEST-RESULT and the kernel
log. Meanwhile a thread of this process follows the serial log, plays the
scenario's actions over QMP from READY on, and keeps reading the device
properties until the guest has printed its result.

A deterministic run (run(..., det=Det(...)), from ena-scenario --icount,
--record or --replay; docs/determinism.md) boots the guest under -icount
with no host clock reaching it; the guest says READY at a fixed uptime
and every action is a fault rule set at start-up, timed in virtual time,
so that it acts at the same instant of the guest's life on every run."""

import functools
import hashlib
import http.server
import json
import os
import random
import re
import subprocess
import tempfile
import threading
import time

from .. import paths
from ..model import NS, Result
from ..qmp import QMP, QMPError
from .guest import plan as preset_plan

NAME = 'linux'
ORDER = 30
CANNOT_CHECK = {
    'event': "driver events are the reference driver's",
    'no-event': "driver events are the reference driver's",
}
NIC = 'nic0'
QOM = '/machine/peripheral/' + NIC


def variants(sc, kernel):
    return [kernel] if kernel else list(sc.kernels)


def skip(sc, kernel):
    if kernel and kernel not in sc.kernels:
        return 'not a kernel of this scenario'
    return None


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


class Driver:
    """Plays the scenario on the running guest (a thread): waits for READY,
    acts at the scenario's times, reads the device properties."""

    def __init__(self, sc, log, qmp_path, proc):
        self.sc, self.log, self.qmp_path, self.proc = sc, log, qmp_path, proc
        self.ready = False
        self.actions = []       # (t, text)
        self.props = {}
        self.error = None
        self.qmp = None
        self.last_read = 0.0

    def alive(self):
        return self.proc.poll() is None

    def guest_done(self):
        try:
            with open(self.log, errors='replace') as f:
                return 'ENATEST-RESULT' in f.read()
        except OSError:
            return False

    def read_props(self):
        # Keep the last values read. A read counts only if the guest had
        # not yet printed its result when the read ended: after that it
        # powers off, and ena.ko's shutdown resets the device, which is
        # not part of the story. The serial log is written as the guest
        # writes, so a read that ends before RESULT is in the log saw
        # nothing of the shutdown.
        if not self.alive() or (self.props and self.guest_done()):
            return
        props = {}
        for p in self.sc.props_wanted():
            try:
                props[p] = self.qmp.execute('qom-get', {'path': QOM,
                                                        'property': p})
            except QMPError as e:       # gone, or a property it lacks
                props[p] = self.props.get(p, 'error: %s' % e)
        if self.props and self.guest_done():
            return
        self.props = props

    def wait_until(self, when):
        """Refresh the properties a few times a second until @when (or
        until QEMU is gone)."""
        while time.monotonic() < when and self.alive():
            if time.monotonic() - self.last_read >= 0.25:
                self.last_read = time.monotonic()
                self.read_props()
            time.sleep(max(0.0, min(0.2, when - time.monotonic())))

    def act(self, a):
        if a.kind == 'unplug':
            self.qmp.execute('device_del', {'id': NIC})
        elif a.kind == 'link':
            self.qmp.execute('set_link', {'name': NIC, 'up': a.up})
        elif a.kind == 'set':
            self.qmp.execute('qom-set', {'path': QOM, 'property': a.point,
                                         'value': int(a.rule)})
        else:
            self.qmp.execute('qom-set', {'path': QOM,
                                         'property': 'fault-' + a.point,
                                         'value': a.rule})

    def run(self):
        try:
            self.qmp = QMP(self.qmp_path, wait=30, alive=self.alive)
            self.play()
        except QMPError as e:
            if self.alive():
                self.error = str(e)
        finally:
            if self.qmp:
                self.qmp.close()

    def play(self):
        # No wall-clock budget of our own: a slow host boots slowly, and
        # run-guest.sh ends a guest that stops making progress.
        while self.alive():
            try:
                with open(self.log, errors='replace') as f:
                    text = f.read()
            except OSError:
                text = ''
            if 'ENATEST-READY' in text:
                self.ready = True
                break
            if 'ENATEST-RESULT' in text:
                self.read_props()
                break
            self.wait_until(time.monotonic() + 0.2)
        t0 = time.monotonic()
        if self.ready:
            for a in sorted(self.sc.actions, key=lambda a: a.t):
                self.wait_until(t0 + a.t)
                if not self.alive():
                    return
                self.act(a)
                self.actions.append((time.monotonic() - t0, a.describe()))
            self.wait_until(t0 + self.sc.duration)
            # the guest goes on checking recovery: follow it to its result
            while not self.guest_done() and self.alive():
                self.wait_until(time.monotonic() + 0.25)
        self.read_props()


class PresetDriver(Driver):
    """The player of deterministic runs: every action is a fault rule set
    on -device at start-up, timed in virtual time (Det.plan), so this
    player only follows the guest to its result, reading the device
    properties (reads change nothing the guest sees). Under record/replay
    it also follows QEMU's instruction count (query-replay): a recording
    notes how far it got, and a replay that runs past that, or whose
    count stops moving, has gone astray and is ended (a guest that went
    astray may spin with no serial output, which run-guest.sh's watchdog
    takes for work)."""

    STUCK_S = 60        # a replay whose count has not moved for this long

    def __init__(self, sc, log, qmp_path, proc, det=None):
        super().__init__(sc, log, qmp_path, proc)
        self.det = det
        self.moved = (None, time.monotonic())

    def follow_replay(self):
        """False (and self.error set) when a replay went astray."""
        icount = self.qmp.execute('query-replay').get('icount')
        if icount is None:
            return True
        det = self.det
        if det.mode == 'record':
            det.icount = max(det.icount or 0, icount)
            return True
        if det.icount and icount > det.icount * 1.2:
            self.error = ('the replay went past the recording (%d '
                          'instructions, the recording ran %d)' %
                          (icount, det.icount))
            return False
        if icount != self.moved[0]:
            self.moved = (icount, time.monotonic())
        elif time.monotonic() - self.moved[1] > self.STUCK_S:
            self.error = ('the replay stopped at %d instructions for %d s' %
                          (icount, self.STUCK_S))
            return False
        return True

    def play(self):
        rr = self.det and self.det.mode in ('record', 'replay')
        while self.alive() and not self.guest_done():
            if not self.ready:
                try:
                    with open(self.log, errors='replace') as f:
                        self.ready = 'ENATEST-READY' in f.read()
                except OSError:
                    pass
            if rr and not self.follow_replay():
                try:
                    self.qmp.execute('quit')
                except QMPError:
                    pass        # gone already
                return
            self.wait_until(time.monotonic() + 0.25)
        self.read_props()


class Det:
    """How a deterministic run is made (docs/determinism.md): @mode
    'icount', 'record' or 'replay'; @shift the -icount shift; @rrfile the
    record/replay log; @port the blob server port the guest is told (a
    replay's must be the recording's); @ready_s the guest uptime of READY,
    the instant the preset rules count from. After the run, @serial holds
    the whole serial log (CRs dropped) and @log_prefix names its files."""

    READY_S = 20        # the default: 6.12's bring-up ends at ~15.5 s

    def __init__(self, mode, shift, rrfile=None, port=None, ready_s=None,
                 icount=None):
        self.mode, self.shift, self.rrfile = mode, shift, rrfile
        self.port = port
        # record: the furthest instruction count seen; replay: the
        # recording's, past which the replay has gone astray
        self.icount = icount
        self.ready_s = ready_s or self.READY_S
        self.serial = ''
        self.log_prefix = None

    def plan(self, sc):
        """The scenario's actions as -device fault rules in virtual time
        from start-up, as the guest target sets them: ({property: rule},
        [actions no rule can say], [notes]). The guest's clock starts a
        little after QEMU's (firmware, early boot), so a rule at READY + t
        acts that little earlier, on every run alike."""
        presets, paused, notes = preset_plan(sc, round(self.ready_s * NS))
        cannot = [a.describe() for t in sorted(paused) for a in paused[t]]
        return presets, cannot, notes

    def guest_port(self, sc, port):
        """The blob server's port on the guest's command line, which the
        kernel prints: fixed unless the story fetches from it (tcp)."""
        if self.port is None:
            self.port = port if sc.traffic in ('tcp', 'jumbo') else 0
        return self.port

    def args(self, sc):
        a = ['--icount', str(self.shift),
             '-p', 'ready_at=%d' % round(self.ready_s * 100)]
        if self.mode in ('record', 'replay'):
            a += ['--' + self.mode, self.rrfile]
        if sc.traffic in ('idle', 'ping', 'admin'):
            # slirp answers the guest's ARP and pings of its gateway in the
            # call that hands it the frame, on the virtual clock; no host
            # socket, no IPv6 router adverts of its own
            a += ['--netdev', 'user,ipv6=off,restrict=on']
        return a


def diag_args(sc):
    """run-guest.sh arguments for a scenario with `expect diag` lines:
    ena-diag's report at the end, samples during the story for `seen`,
    and BAR0 readable by ena-diag while ena holds it (Debian's kernels
    keep a driver's BARs exclusive unless booted with iomem=relaxed)."""
    diag = [e for e in sc.expects if e.kind == 'diag' and
            (not e.only or NAME in e.only)]
    if not diag:
        return []
    args = ['-p', 'diag=1', '--append', 'iomem=relaxed']
    if any(e.args[0] == 'seen' for e in diag):
        args += ['-p', 'diag_watch=1']
    return args


def parse_diag(serial, res, ready_t):
    """ena-diag's report (ENATEST-DIAG) and samples into res.diag and
    the timeline."""
    for what, rc, doc in re.findall(r'^ENATEST-DIAG (status|events) (\d+) '
                                    r'(.*)$', serial, re.M):
        try:
            res.diag[what] = (int(rc), json.loads(doc))
        except ValueError as e:
            res.diag[what] = (int(rc), None)
            res.notes.append('ena-diag %s: unreadable output (%s)' %
                             (what, e))
    samples = []
    for cs, line in re.findall(r'^ENATEST-DIAG-SAMPLE (\d+) (.*)$', serial,
                               re.M):
        t = int(cs) / 100 - (ready_t or 0.0)
        codes = line.split()[1:] if line.strip() != 'none' else ['none']
        if not samples or samples[-1][1] != codes:
            res.timeline.append((t, 'diag', 'status ' + ' '.join(codes)))
        samples.append((t, codes))
    res.diag['samples'] = samples
    dev = res.diag.get('status', (None, None))[1]
    if dev is not None:
        devs = dev.get('devices') or [{}]
        res.notes.append('ena-diag status: %s (exit %d)' %
                         (devs[0].get('verdict', 'no ENA device'),
                          res.diag['status'][0]))


def kernel_log(serial):
    """The kernel log the guest printed (`dmesg -r` between the
    ENATEST-DMESG markers), as lines, timestamps included."""
    m = re.search(r'ENATEST-DMESG-BEGIN\n(.*?)ENATEST-DMESG-END', serial,
                  re.S)
    return m.group(1).splitlines() if m else []


def run_guest(sc, cmd, env, log_prefix, qmp_path, res, player=None):
    """Run run-guest.sh (@cmd) while a Driver (or @player, a subclass)
    plays @sc over QMP. Returns the serial log (CRs dropped) and the
    player; the run's notes, the device properties read and the
    injections go into @res."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    drv = (player or Driver)(sc, log_prefix + '.log', qmp_path, proc)
    thread = threading.Thread(target=drv.run, daemon=True)
    thread.start()
    stdout = proc.communicate()[0]
    thread.join(timeout=30)
    res.notes.append('guest run exited %d; logs in %s' %
                     (proc.returncode, os.path.dirname(log_prefix)))
    serial = ''
    try:
        with open(log_prefix + '.log', errors='replace') as f:
            serial = f.read().replace('\r', '')
    except OSError:
        res.notes.append('no serial log: ' + stdout[-2000:])
    res.props = dict(drv.props)
    for t, what in drv.actions:
        res.timeline.append((t, 'inject', what))
    if drv.error:
        res.notes.append('QMP: %s' % drv.error)
    return serial, drv


def run(sc, kernel, verbose, det=None):
    res = Result()
    srv, sha = blob_server()
    work = tempfile.mkdtemp(prefix='ena-scn-')
    log_prefix = os.path.join(work, 'guest')
    qmp_path = os.path.join(work, 'qmp')
    cmd = [paths.src('scripts', 'linux', 'run-guest.sh'),
           '-k', kernel, '-t', 'scenario', '--qmp', qmp_path,
           '--timeout', str(int(sc.duration) + 200),
           '-p', 'traffic=' + ('tcp' if sc.traffic == 'jumbo' else
                               sc.traffic),
           '-p', 'duration=%d' % max(1, round(sc.duration)),
           '-p', 'port=%d' % (det.guest_port(sc, srv.server_address[1])
                              if det else srv.server_address[1]),
           '-p', 'sha=' + sha,
           '--log', log_prefix]
    if sc.traffic == 'phc':
        # enable_phc through devlink, reads with phc_ctl (7.3's tools)
        cmd += ['--tools', 'ethtool devlink phc_ctl']
    device = list(sc.device)
    if det:
        presets, cannot, notes = det.plan(sc)
        res.notes += notes + ['not played (no start-up rule can say it): '
                              + c for c in cannot]
        device += ['%s=%s' % kv for kv in sorted(presets.items())]
        for a in sc.actions:
            if a.describe() not in cannot:
                res.timeline.append((a.t, 'inject', a.describe() +
                                     ' (start-up rule)'))
        cmd += det.args(sc)
        det.log_prefix = log_prefix
    cmd += diag_args(sc)
    if device:
        cmd += ['--device-opts', ','.join(p.replace(',', ',,')
                                          for p in device)]
    if verbose:
        cmd.append('-v')
    env = dict(os.environ, ENA_BUILD=paths.BUILD)
    if any(a.kind == 'unplug' for a in sc.actions):
        env['ENA_GUEST_HOTPLUG'] = '1'
    serial, drv = run_guest(sc, cmd, env, log_prefix, qmp_path, res,
                            functools.partial(PresetDriver, det=det)
                            if det else None)
    srv.shutdown()
    if det:
        det.serial = serial
    parse_serial(serial, res)
    if not drv.ready:
        res.notes.append('the guest never became ready')
        res.traffic = res.traffic or 'failed'    # nothing could pass
    if 'ENATEST-RESULT' not in serial:
        res.complete = False
    return res


def parse_serial(serial, res):
    """The kernel log between the ENATEST-DMESG markers, the traffic
    verdict, and the ena lines on the timeline (times from READY on)."""
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
    for cs, how, nbytes in re.findall(r'^ENATEST-TRAFFIC (\d+) (ok|failed) '
                                      r'(\d+|-)', serial, re.M):
        res.traffic_series.append((int(cs) / 100 - (ready_t or 0.0),
                                   how == 'ok', None if nbytes == '-'
                                   else int(nbytes)))
    parse_diag(serial, res, ready_t)

