# The project's QMP client: every tool that talks to a running QEMU uses it.
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small synchronous QMP client over a Unix socket.

QMP(path, wait=10.0, alive=None) connects (retrying for @wait seconds
while QEMU starts; @alive, a callable, stops the retries early once it
returns False), reads the greeting and negotiates capabilities.
execute(cmd, args) returns the "return" value or raises QMPError;
asynchronous events read meanwhile are kept for wait_event().

Why not QEMU's python/qemu/qmp: it exists only once the overlay build has
unpacked QEMU's source (build/qemu-src), while the lint suite parses
scenarios without one, and it is an asyncio client behind a sync shim;
these tools need five commands and one event wait."""

import json
import socket
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, wait=10.0, alive=None, timeout=60.0):
        self.timeout = timeout
        deadline = time.monotonic() + wait
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError as e:
                self.sock.close()
                if (alive and not alive()) or time.monotonic() >= deadline:
                    raise QMPError('cannot connect to QMP at %s: %s' %
                                   (path, e.strerror))
                time.sleep(0.05)
        self.buf = b''
        self.events = []
        greeting = self._read(30)
        if not greeting or 'QMP' not in greeting:
            raise QMPError('no QMP greeting: %r' % (greeting,))
        self.execute('qmp_capabilities')

    def _read(self, timeout):
        """The next message, or None after @timeout seconds."""
        while b'\n' not in self.buf:
            self.sock.settimeout(timeout)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError as e:
                raise QMPError('QMP connection lost: %s' % e)
            if not data:
                raise QMPError('QMP connection closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def execute(self, cmd, args=None):
        msg = {'execute': cmd}
        if args is not None:
            msg['arguments'] = args
        try:
            self.sock.sendall(json.dumps(msg).encode() + b'\n')
        except OSError as e:
            raise QMPError('%s: QMP connection lost: %s' % (cmd, e))
        while True:
            resp = self._read(self.timeout)
            if resp is None:
                raise QMPError('%s: no answer' % cmd)
            if 'return' in resp:
                return resp['return']
            if 'error' in resp:
                raise QMPError('%s: %s' % (cmd, resp['error'].get('desc',
                                                                  resp)))
            self.events.append(resp)

    def wait_event(self, names, timeout):
        """The next event named in @names, or None after @timeout s;
        other events are dropped."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev.get('event') in names:
                    return self.events.pop(i)
            self.events.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ev = self._read(left)
            if ev is not None and 'event' in ev:
                self.events.append(ev)

    def close(self):
        self.sock.close()
