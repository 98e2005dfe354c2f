#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Sends crafted VXLAN (and almost-VXLAN) frames on an interface through an AF_PACKET
raw socket, to exercise a VTEP's validation: one frame per KIND given.

  vxlan_frames.py IFACE --src-ip A --dst-ip B [--dst-mac M] [--vni N] KIND...

KIND: good (a valid VXLAN frame carrying a broadcast), unknown-vni (VNI + 1000),
bad-flags (I flag clear), truncated (UDP datagram too short for the VXLAN header),
inner-truncated (8 inner bytes), fragment (first fragment of a VXLAN datagram),
bad-ip-csum (outer IPv4 checksum wrong).
"""
import argparse
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, payload, frag=0, bad_csum=False):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(hdr) ^ (0x5555 if bad_csum else 0)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def frame(a, kind):
    inner = bytes.fromhex("ffffffffffff") + bytes.fromhex("020000abcdef") + b"\x08\x06" + \
        bytes(46)
    flags, vni, frag, bad = 0x08, a.vni, 0, False
    if kind == "unknown-vni":
        vni = a.vni + 1000
    elif kind == "bad-flags":
        flags = 0x00
    elif kind == "inner-truncated":
        inner = inner[:8]
    elif kind == "fragment":
        frag = 0x2000  # more fragments, offset 0
    elif kind == "bad-ip-csum":
        bad = True
    vx = struct.pack("!B3xI", flags, vni << 8)
    udp_payload = vx + inner
    if kind == "truncated":
        udp_payload = vx[:4]
    udp = struct.pack("!HHHH", 54321, a.dst_port, 8 + len(udp_payload), 0) + udp_payload
    ip = ipv4(a.src_ip, a.dst_ip, udp, frag, bad)
    return a.dst_mac + a.src_mac + b"\x08\x00" + ip


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("iface")
    ap.add_argument("--src-ip", required=True)
    ap.add_argument("--dst-ip", required=True)
    ap.add_argument("--dst-mac", default="ff:ff:ff:ff:ff:ff")
    ap.add_argument("--vni", type=int, default=100)
    ap.add_argument("--dst-port", type=int, default=4789)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("kinds", nargs="+")
    a = ap.parse_args()
    a.dst_mac = bytes(int(x, 16) for x in a.dst_mac.split(":"))
    with open("/sys/class/net/%s/address" % a.iface) as f:
        a.src_mac = bytes(int(x, 16) for x in f.read().strip().split(":"))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((a.iface, 0))
    for kind in a.kinds:
        for _ in range(a.count):
            s.send(frame(a, kind))
    return 0


if __name__ == "__main__":
    sys.exit(main())
