# Names shared with the C side, read from hw/ena's headers, never retyped.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fault points come from enum ENAFaultPoint (hw/ena/ena_fault.h:
ENA_FAULT_KEEPALIVE is the point "keepalive", property fault-keepalive),
reset reasons from enum EnaResetReason (hw/ena/ena_hw.h:
ENA_REGS_RESET_KEEP_ALIVE_TO = 1), the properties qom-set may change
while the device runs from the table ena_allow_props[] (hw/ena/ena.c),
and the Linux guests' kernels from the kernel:ALIAS lines of
scripts/linux/kernels.conf.

python3 -m enascn.cdefs [--device QEMU] prints them; with --device it
also checks that QEMU's -device ena,help offers exactly these fault-POINT
properties (exit 1 if not)."""

import argparse
import functools
import glob
import re
import subprocess
import sys

from . import paths


class CDefsError(Exception):
    pass


def _enum_body(name):
    """The text between the braces of C enum @name in hw/ena/*.h."""
    pat = re.compile(r'enum\s+%s\s*\{(.*?)\}' % re.escape(name), re.S)
    for header in sorted(glob.glob(paths.src('hw', 'ena', '*.h'))):
        with open(header, encoding='utf-8') as f:
            m = pat.search(f.read())
        if m:
            return re.sub(r'/\*.*?\*/', '', m.group(1), flags=re.S)
    raise CDefsError('enum %s not found in hw/ena/*.h' % name)


@functools.lru_cache(maxsize=None)
def fault_points():
    """The fault point names, in the device's order."""
    names = re.findall(r'\bENA_FAULT_([A-Z0-9_]+)\b', _enum_body(
        'ENAFaultPoint'))
    return tuple(n.lower() for n in names if not n.startswith('_'))


@functools.lru_cache(maxsize=None)
def reset_reasons():
    """{name: code} of the DEV_CTL reset reasons."""
    found = re.findall(r'\bENA_REGS_RESET_([A-Z0-9_]+)\s*=\s*(\w+)',
                       _enum_body('EnaResetReason'))
    reasons = {n: int(v, 0) for n, v in found}
    if not reasons:
        raise CDefsError('no reset reasons in enum EnaResetReason')
    return reasons


@functools.lru_cache(maxsize=None)
def runtime_props():
    """The uint32 properties of the device that qom-set may change while
    it runs (besides fault-POINT): the allowances and conntrack timeouts."""
    path = paths.src('hw', 'ena', 'ena.c')
    with open(path, encoding='utf-8') as f:
        m = re.search(r'\bena_allow_props\[\]\s*=\s*\{(.*?)\n\};',
                      f.read(), re.S)
    names = re.findall(r'^\s*\{\s*"([a-z0-9-]+)"', m.group(1), re.M) \
        if m else []
    if not names:
        raise CDefsError('%s: no ena_allow_props[] table' % path)
    return tuple(names)


@functools.lru_cache(maxsize=None)
def kernels():
    """The kernel aliases the Linux guests can boot (6.1, 6.12, ...)."""
    conf = paths.src('scripts', 'linux', 'kernels.conf')
    with open(conf, encoding='utf-8') as f:
        found = re.findall(r'^kernel:(\S+)\s', f.read(), re.M)
    if not found:
        raise CDefsError('%s: no kernel:ALIAS lines' % conf)
    return tuple(found)


def device_help(qemu):
    return subprocess.run([qemu, '-device', 'ena,help'], check=True,
                          capture_output=True, text=True).stdout


def device_fault_points(qemu):
    """The POINTs of the fault-POINT string properties of -device ena."""
    return set(re.findall(r'^\s*fault-([a-z0-9-]+)=<str>',
                          device_help(qemu), re.M))


def device_uint32_props(qemu):
    """The names of the uint32 properties of -device ena."""
    return set(re.findall(r'^\s*([a-z0-9-]+)=<uint32>', device_help(qemu),
                          re.M))


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog='python3 -m enascn.cdefs',
        description='The names the scenario tooling reads from the C side.')
    ap.add_argument('--device', metavar='QEMU',
                    help='check them against QEMU\'s -device ena,help')
    args = ap.parse_args(argv)
    print('fault points: %s' % ' '.join(fault_points()))
    print('reset reasons: %s' % ' '.join(
        '%s=%d' % kv for kv in reset_reasons().items()))
    print('runtime properties: %s' % ' '.join(runtime_props()))
    print('kernels: %s' % ' '.join(kernels()))
    if not args.device:
        return 0
    have, want = device_fault_points(args.device), set(fault_points())
    for p in sorted(want - have):
        print('fault-%s: in hw/ena but not a property of the device' % p)
    for p in sorted(have - want):
        print('fault-%s: a device property missing from enum '
              'ENAFaultPoint' % p)
    missing = set(runtime_props()) - device_uint32_props(args.device)
    for p in sorted(missing):
        print('%s: in ena_allow_props[] but not a uint32 property of the '
              'device' % p)
    ok = have == want and not missing
    print('device %s: %s' % (args.device, 'agrees' if ok else 'DIFFERS'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
