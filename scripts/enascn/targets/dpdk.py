# The dpdk target: DPDK's unmodified ENA PMD under the project's own app.
# SPDX-License-Identifier: GPL-2.0-or-later
"""scripts/linux/run-guest.sh --dpdk boots Debian's kernel with two ena
NICs on one QEMU hub, handed to vfio-pci, and runs ena-dpdk-fwd (the
project's DPDK application, ena-dpdk-fwd/; guest side
scripts/linux/dpdk/guest/ena-dpdk-fwd.sh) on Debian's DPDK 22.11 and its
ENA PMD. The app sends frames on both ports, calls rte_timer_manage() so
that the PMD's watchdog runs, and resets a port when the PMD raises
RTE_ETH_EVENT_INTR_RESET. Faults go to the first port (nic0) over QMP
from ENATEST-READY on, as on the linux target (the same player). Log
expectations match the PMD's and EAL's log lines and the app's APP-EVENT
lines; traffic is the app's verdict after the story."""

import fcntl
import glob
import os
import re
import subprocess
import tempfile

from .. import paths
from ..model import Result
from .linux import Driver as LinuxDriver, run_guest

NAME = 'dpdk'
ORDER = 40
CANNOT_CHECK = {
    'event': "driver events are the reference driver's",
    'no-event': "driver events are the reference driver's",
    'diag': 'ena-diag runs in the Linux guests',
}
# a scenario names it in `targets:`, with expectations on the PMD's lines
OPT_IN = True
KERNEL = '6.1'      # the DPDK guest's kernel (docs/dpdk.md)
APP = 'ena-dpdk-fwd'


def variants(sc, kernel):
    return [kernel or KERNEL]


def skip(sc, kernel):
    return None


class Driver(LinuxDriver):
    """The linux target's player; the story ends at the app's result
    (the app then closes its ports, which resets the device)."""

    def guest_done(self):
        try:
            with open(self.log, errors='replace') as f:
                text = f.read()
        except OSError:
            return False
        return 'APP-RESULT' in text or 'ENATEST-RESULT' in text


def app_binary():
    return paths.build(APP, APP)


def initramfs(kernel):
    """The DPDK initramfs with the app, rebuilt when an input is newer."""
    linux = paths.src('scripts', 'linux')
    work = os.environ.get('ENA_LINUX_WORK', paths.build('linux'))
    cache = os.path.join(os.environ.get('ENA_CACHE', '/var/cache/ena-dev'),
                         'linux', 'dpdk')
    if not os.path.exists(os.path.join(cache, '.ena-stamp')) and \
            os.geteuid() == 0:
        subprocess.run([os.path.join(linux, 'fetch-kernels.sh'), '--dpdk'],
                       stdout=subprocess.DEVNULL, check=True)
    out = os.path.join(work, 'initramfs', '%s-dpdk-app.cpio' % kernel)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    inputs = [app_binary(), os.path.join(linux, 'init.sh'),
              os.path.join(linux, 'mkinitramfs.sh'),
              os.path.join(linux, 'kernels.conf'),
              os.path.join(linux, 'dpdk', 'packages.conf'),
              os.path.join(cache, '.ena-stamp')]
    inputs += glob.glob(os.path.join(linux, 'guest', '*.sh'))
    inputs += glob.glob(os.path.join(linux, 'dpdk', 'guest', '*.sh'))
    with open(out + '.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(out) or any(
                os.path.exists(f) and
                os.path.getmtime(f) > os.path.getmtime(out) for f in inputs):
            subprocess.run([os.path.join(linux, 'mkinitramfs.sh'),
                            '--modules', 'vfio_iommu_type1 vfio-pci',
                            '--dpdk', '--dpdk-app', app_binary(),
                            kernel, out], check=True,
                           stdout=subprocess.DEVNULL)
    return out


def run(sc, kernel, verbose):
    if not os.access(app_binary(), os.X_OK):
        return None
    res = Result()
    try:
        initrd = initramfs(kernel)
    except (OSError, subprocess.CalledProcessError) as e:
        print('dpdk: no initramfs: %s' % e)
        return None
    work = tempfile.mkdtemp(prefix='ena-scn-dpdk-')
    log_prefix = os.path.join(work, 'guest')
    qmp_path = os.path.join(work, 'qmp')
    traffic = sc.traffic if sc.traffic in ('idle', 'admin') else 'ping'
    cmd = [paths.src('scripts', 'linux', 'run-guest.sh'),
           '-k', kernel, '--dpdk', '--nics', '2', '--smp', '2',
           '--mem', '768', '--initrd', initrd, '-t', APP,
           '--qmp', qmp_path, '--timeout', str(int(sc.duration) + 200),
           '-p', 'traffic=' + traffic,
           '-p', 'duration=%d' % max(1, round(sc.duration)),
           '--log', log_prefix]
    if sc.device:
        cmd += ['--device-opts', ','.join(p.replace(',', ',,')
                                          for p in sc.device)]
    if verbose:
        cmd.append('-v')
    env = dict(os.environ, ENA_BUILD=paths.BUILD)
    serial, drv = run_guest(sc, cmd, env, log_prefix, qmp_path, res, Driver)
    parse_serial(serial, res)
    if not drv.ready:
        res.notes.append('the app never became ready')
        res.traffic = res.traffic or 'failed'
    if 'APP-RESULT' not in serial or 'ENATEST-RESULT' not in serial:
        res.complete = False
    return res


def parse_serial(serial, res):
    """The app's lines: LOG (EAL and PMD log lines) and APP-EVENT are the
    log the expectations match; both go on the timeline from READY on
    (times are the app's own, from its start)."""
    m = re.search(r'^APP-EVENT ([\d.]+) ready', serial, re.M)
    ready_t = float(m.group(1)) if m else 0.0
    for line in serial.splitlines():
        lm = re.match(r'(LOG|APP-EVENT) (-?[\d.]+) (.*)', line)
        if lm:
            t, text = float(lm.group(2)) - ready_t, lm.group(3).strip()
            res.log.append(text)
            if t >= 0 or lm.group(1) == 'APP-EVENT':
                res.timeline.append((t, 'dpdk' if lm.group(1) == 'LOG'
                                     else 'app', text))
        elif line.startswith(('APP-RESULT', 'APP-XSTAT')):
            res.log.append(line)
            res.notes.append(line)
    for key, val in re.findall(r'ENATEST-VALUE (\w+)=(.*)', serial):
        if key == 'traffic_final':
            res.traffic = val.strip()
    m = re.search(r'ENATEST-RESULT .*', serial)
    if m and 'status=PASS' not in m.group(0):
        res.notes.append(m.group(0))
