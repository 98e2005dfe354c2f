#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Sends crafted Ethernet frames on an interface through an AF_PACKET raw socket.

Run it inside a test namespace (ip netns exec NS python3 sendframes.py eth0 ...).
Every frame is exactly --len bytes on the wire as the switch sees it: veth does not
pad short frames and the FCS is not part of what AF_XDP delivers.

Exit status: 0 when every frame was sent in full, 3 when the kernel refused a frame
(the error is printed), 2 on a usage error.
"""
import argparse
import socket
import sys
import time


def mac_bytes(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise argparse.ArgumentTypeError("bad MAC address: " + s)
    return b


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("iface")
    ap.add_argument("--dst", type=mac_bytes, default=mac_bytes("ff:ff:ff:ff:ff:ff"))
    ap.add_argument("--src", type=mac_bytes, help="default: the interface's address")
    ap.add_argument("--src-count", type=int, default=1,
                    help="frame i uses source MAC src + (i mod SRC_COUNT)")
    ap.add_argument("--ethertype", type=lambda s: int(s, 0), default=0x88B5)
    ap.add_argument("--payload", type=bytes.fromhex, default=b"",
                    help="hex bytes right after the ethertype (then a counting pattern)")
    ap.add_argument("--len", type=int, default=60, help="frame length in bytes, header included")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16,
                    help="frames sent back to back before a short pause, so that the "
                         "veth's 256-frame XDP ring never overflows")
    a = ap.parse_args()

    if a.src is None:
        with open("/sys/class/net/%s/address" % a.iface) as f:
            a.src = mac_bytes(f.read().strip())
    base = int.from_bytes(a.src, "big")

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((a.iface, 0))
    sent = 0
    for i in range(a.count):
        src = ((base + i % a.src_count) & (2**48 - 1)).to_bytes(6, "big")
        hdr = a.dst + src + a.ethertype.to_bytes(2, "big")
        body = a.payload + bytes((i + k) & 0xFF for k in range(max(0, a.len - 14)))
        frame = (hdr + body)[: a.len]
        try:
            n = s.send(frame)
        except OSError as e:
            print("sendframes: frame %d of %d bytes refused: %s" % (i, len(frame), e),
                  file=sys.stderr)
            return 3
        if n != len(frame):
            print("sendframes: short send %d of %d bytes" % (n, len(frame)), file=sys.stderr)
            return 1
        sent += 1
        if a.batch and sent % a.batch == 0:
            time.sleep(0.0005)
    print("sent %d frames of %d bytes" % (sent, a.len))
    return 0


if __name__ == "__main__":
    sys.exit(main())
