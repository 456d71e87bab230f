#!/usr/bin/python3
# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""The openstack client, started once for a test's many commands.

  osc-server.py serve SOCKET      listens on the Unix socket SOCKET; runs
                                  each request's command in this process
  osc-server.py call SOCKET URL ARGS...
                                  one 'openstack ARGS...' against the
                                  Neutron API at URL (no authentication):
                                  prints the command's stdout and stderr
                                  and exits with its status

Starting the client costs seconds (it imports some hundred modules);
'call' is a bare Python process and the server has them loaded, so a
test with dozens of commands saves minutes.  Each command runs in a new
OpenStackShell, with its own streams, as a new 'openstack' process
would; requests are served one at a time.
"""

import contextlib
import io
import json
import logging
import os
import socket
import sys


def _read_all(conn):
    chunks = []
    while True:
        data = conn.recv(65536)
        if not data:
            return b''.join(chunks)
        chunks.append(data)


def _run(url, argv):
    from openstackclient import shell
    os.environ['OS_AUTH_TYPE'] = 'none'
    os.environ['OS_ENDPOINT'] = url
    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        sys.stdin = io.StringIO()
        try:
            rc = shell.OpenStackShell().run(argv)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except Exception as e:      # What would end the process.
            err.write('osc-server: %s: %s\n' % (type(e).__name__, e))
            rc = 1
    return {'rc': rc or 0, 'out': out.getvalue(), 'err': err.getvalue()}


def serve(path):
    sys.argv[0] = 'openstack'   # For the client's messages.
    from openstackclient import shell  # noqa: F401 (import once, now)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(16)
    while True:
        conn, _ = sock.accept()
        with conn:
            try:
                req = json.loads(_read_all(conn).decode())
                reply = _run(req['url'], req['argv'])
            except (ValueError, KeyError, TypeError) as e:
                reply = {'rc': 2, 'out': '',
                         'err': 'osc-server: bad request: %s\n' % e}
            conn.sendall(json.dumps(reply).encode())


def call(path, url, argv):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(json.dumps({'url': url, 'argv': argv}).encode())
    sock.shutdown(socket.SHUT_WR)
    reply = json.loads(_read_all(sock).decode())
    sys.stdout.write(reply['out'])
    sys.stderr.write(reply['err'])
    return reply['rc']


def main():
    if len(sys.argv) == 3 and sys.argv[1] == 'serve':
        serve(sys.argv[2])
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == 'call':
        return call(sys.argv[2], sys.argv[3], sys.argv[4:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
