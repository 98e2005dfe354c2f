#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Backends and clients for service_test.sh.
#   svcpeer.py http NAME ADDR PORT       HTTP/1.1 server (keep-alive) answering "NAME\n"
#   svcpeer.py udp NAME ADDR PORT        UDP server answering each datagram with "NAME"
#   svcpeer.py udpget ADDR PORT          sends one datagram, prints "REPLY FROM_ADDR:FROM_PORT"
#   svcpeer.py hold ADDR PORT N GOFILE   opens N keep-alive connections, prints the backend of
#                                        each, waits for GOFILE, asks again on each and prints
#                                        "same", "moved" or "reset" per connection
import http.client
import http.server
import os
import socket
import socketserver
import sys
import time


def serve_http(name, addr, port):
    body = (name + "\n").encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    Server((addr, port), Handler).serve_forever()


def serve_udp(name, addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        _, peer = s.recvfrom(2048)
        s.sendto(name.encode(), peer)


def udpget(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    for _ in range(5):  # the first datagram may be spent resolving the backend's MAC
        s.sendto(b"who", (addr, port))
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        print(f"{data.decode()} {peer[0]}:{peer[1]}")
        return 0
    return 1


def ask(conn):
    conn.request("GET", "/")
    return conn.getresponse().read().decode().strip()


def hold(addr, port, n, gofile):
    conns, first = [], []
    for _ in range(n):
        c = http.client.HTTPConnection(addr, port, timeout=10)
        conns.append(c)
        first.append(ask(c))
    print(" ".join(first), flush=True)
    while not os.path.exists(gofile):
        time.sleep(0.1)
    out = []
    for c, b in zip(conns, first):
        try:
            out.append("same" if ask(c) == b else "moved")
        except (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError):
            out.append("reset")
        except OSError as e:
            out.append(f"error:{e.__class__.__name__}")
    print(" ".join(out), flush=True)
    return 0


def main(argv):
    if argv[1] == "http":
        serve_http(argv[2], argv[3], int(argv[4]))
    elif argv[1] == "udp":
        serve_udp(argv[2], argv[3], int(argv[4]))
    elif argv[1] == "udpget":
        return udpget(argv[2], int(argv[3]))
    elif argv[1] == "hold":
        return hold(argv[2], int(argv[3]), int(argv[4]), argv[5])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
