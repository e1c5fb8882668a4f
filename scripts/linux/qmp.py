#!/usr/bin/python3
# QMP from the shell for the Linux-guest tests: qom-get/qom-set/HMP/raw commands
# on a running QEMU, through the project's client (scripts/enascn/qmp.py).
# SPDX-License-Identifier: GPL-2.0-or-later
"""Usage:
  qmp.py [--wait SECS] SOCKET qom-get PATH PROPERTY
  qmp.py [--wait SECS] SOCKET qom-set PATH PROPERTY VALUE
  qmp.py [--wait SECS] SOCKET hmp 'COMMAND LINE'
  qmp.py [--wait SECS] SOCKET raw '{"execute": ..., "arguments": {...}}'
  qmp.py [--wait SECS] SOCKET EXECUTE ['{"arg": ...}']

PATH may be a device id (nic0): it is expanded to /machine/peripheral/nic0.
VALUE is parsed as JSON when it can be (1, true, "x"), else sent as a string.
The result ("return") is printed as JSON (HMP output as plain text); a QMP
error is printed to stderr and the exit status is 1. --wait retries the
connection for that long (default 10 s), for a QEMU that is still starting.
Several commands can be chained with ';;' as an argument between them.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from enascn.qmp import QMP, QMPError  # noqa: E402


def json_or_str(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def qom_path(path):
    return path if path.startswith('/') else '/machine/peripheral/' + path


def run_one(qmp, argv):
    cmd = argv[0]
    if cmd == 'qom-get' and len(argv) == 3:
        return qmp.execute('qom-get', {'path': qom_path(argv[1]),
                                       'property': argv[2]})
    if cmd == 'qom-set' and len(argv) == 4:
        return qmp.execute('qom-set', {'path': qom_path(argv[1]),
                                       'property': argv[2],
                                       'value': json_or_str(argv[3])})
    if cmd == 'hmp' and len(argv) == 2:
        return qmp.execute('human-monitor-command',
                           {'command-line': argv[1]})
    if cmd == 'raw' and len(argv) == 2:
        msg = json.loads(argv[1])
        return qmp.execute(msg['execute'], msg.get('arguments'))
    if len(argv) in (1, 2) and cmd not in ('qom-get', 'qom-set', 'hmp', 'raw'):
        return qmp.execute(cmd,
                           json.loads(argv[1]) if len(argv) == 2 else None)
    raise SystemExit(__doc__)


def main(argv):
    wait = 10.0
    if len(argv) >= 2 and argv[0] == '--wait':
        wait = float(argv[1])
        argv = argv[2:]
    if len(argv) < 2:
        raise SystemExit(__doc__)
    path, rest = argv[0], argv[1:]
    cmds = [[]]
    for a in rest:
        if a == ';;':
            cmds.append([])
        else:
            cmds[-1].append(a)
    try:
        qmp = QMP(path, wait=wait)
        for c in cmds:
            if not c:
                continue
            ret = run_one(qmp, c)
            if isinstance(ret, str):
                sys.stdout.write(ret if ret.endswith('\n') or not ret
                                 else ret + '\n')
            else:
                print(json.dumps(ret))
        qmp.close()
    except (OSError, QMPError, ValueError) as e:
        print('qmp.py: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
