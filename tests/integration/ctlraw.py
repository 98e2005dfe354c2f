#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Talks to vswitchd's control socket byte by byte, for robustness tests.

  ctlraw.py SOCK send [--keep-open] [--timeout T]
      Sends stdin as it is, then (unless --keep-open) shuts down the write side, and
      prints every response line until the server closes the connection. The last
      line printed is "EOF after S s" (server closed, or answered the shutdown) or
      "OPEN after S s" (still open when T seconds passed).
  ctlraw.py SOCK idle [--timeout T]
      Connects, sends stdin (may be empty) without a newline, then waits for the server
      to close the connection; prints "EOF after S s" or "OPEN after S s".
  ctlraw.py SOCK flood N [--timeout T]
      Sends stdin N times without ever reading a response, until the server drops
      the connection; prints "DROPPED after S s" or "OPEN after S s".
  ctlraw.py SOCK abort
      Connects, sends stdin, and closes the connection at once without reading.
  ctlraw.py - pad N
      Prints a "version" request padded with spaces to exactly N bytes, newline included.
"""
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_until_eof(s, timeout, out):
    start = time.monotonic()
    buf = b""
    while True:
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            state = "OPEN"
            break
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            state = "OPEN"
            break
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            state = "EOF"
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            out.write(line.decode("utf-8", "replace") + "\n")
            out.flush()
    if buf:
        out.write("PARTIAL " + buf.decode("utf-8", "replace") + "\n")
    out.write("%s after %.1f s\n" % (state, time.monotonic() - start))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "-" and sys.argv[2] == "pad":
        n = int(sys.argv[3])
        head, tail = b'{"id": 1, "method": "version"', b"}\n"
        sys.stdout.buffer.write(head + b" " * (n - len(head) - len(tail)) + tail)
        return 0
    path, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    timeout = 30.0
    if "--timeout" in args:
        timeout = float(args[args.index("--timeout") + 1])
    data = sys.stdin.buffer.read() if not sys.stdin.isatty() else b""
    s = connect(path)
    if mode == "send":
        try:
            s.sendall(data)
            if "--keep-open" not in args:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError) as e:
            # The server may close first (too-large); what it answered is still readable.
            print("SEND-ERROR %s" % e.__class__.__name__)
        read_until_eof(s, timeout, sys.stdout)
    elif mode == "idle":
        s.sendall(data)
        read_until_eof(s, timeout, sys.stdout)
    elif mode == "flood":
        start = time.monotonic()
        s.settimeout(timeout)
        state = "OPEN"
        try:
            s.sendall(data * int(args[0]))
            while time.monotonic() - start < timeout:  # wait for the drop
                s.sendall(data)
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            state = "DROPPED"
        except socket.timeout:
            pass
        print("%s after %.1f s" % (state, time.monotonic() - start))
    elif mode == "abort":
        s.sendall(data)
        s.close()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
