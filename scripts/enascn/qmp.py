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
        # An event can come first: QEMU's monitor sends events to a
        # connection whose OPENED event (which sends the greeting) has not
        # run yet, so a client that connects while QEMU starts may get its
        # RESUME before the greeting. Such events are kept like any other.
        deadline = time.monotonic() + 30
        while True:
            greeting = self._read(max(0.05, deadline - time.monotonic()))
            if (not greeting or 'event' not in greeting or
                    time.monotonic() >= deadline):
                break
            self.events.append(greeting)
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


def _self_test():
    """TAP: a QEMU stand-in that sends an event before its greeting."""
    import os
    import tempfile
    import threading

    path = os.path.join(tempfile.mkdtemp(prefix='qmp-self-test-'), 's')
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)

    def serve():
        c, _ = srv.accept()
        c.sendall(b'{"timestamp": {"seconds": 1, "microseconds": 0}, '
                  b'"event": "RESUME"}\n'
                  b'{"QMP": {"version": {}, "capabilities": []}}\n')
        c.makefile('rb').readline()
        c.sendall(b'{"return": {}}\n')
        c.close()

    threading.Thread(target=serve, daemon=True).start()
    print('1..2')
    try:
        q = QMP(path, wait=5)
        print('ok 1 greeting found behind an event')
        ok = q.wait_event(['RESUME'], 0.1) is not None
        print('%s 2 the event is kept' % ('ok' if ok else 'not ok'))
        return 0 if ok else 1
    except QMPError as e:
        print('not ok 1 greeting found behind an event # %s' % e)
        print('not ok 2 the event is kept')
        return 1
    finally:
        os.unlink(path)
        os.rmdir(os.path.dirname(path))


if __name__ == '__main__':
    import sys
    sys.exit(_self_test())
