#!/usr/bin/python3
"""VLAN sub-interfaces for a VM namespace whose kernel has no 8021q module.

Usage: vlan-tap.py IFACE VID=TAP [VID=TAP...]

Run inside the VM's namespace (ip netns exec).  Creates a tap device TAP
per VLAN id VID and bridges it to IFACE as Linux's "ip link add link
IFACE name TAP type vlan id VID" would: a frame IFACE receives with an
802.1Q tag VID arrives on TAP untagged, and what the namespace's kernel
sends through TAP leaves IFACE tagged VID.  So the VM's own IP stack
(ARP, ICMP, TCP) runs over real VLAN sub-interfaces; the test configures
TAP's MAC and address with ip(8) as it would a VLAN device.  Writes
"ready" on stdout once the taps exist; runs until killed.
"""

import fcntl
import os
import select
import socket
import struct
import sys

ETH_P_ALL = 0x0003
ETH_P_8021Q = 0x8100
TUNSETIFF = 0x400454ca
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
PACKET_OUTGOING = 4


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF,
                struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    iface = sys.argv[1]
    taps = {}
    for arg in sys.argv[2:]:
        vid, name = arg.split("=", 1)
        taps[int(vid)] = (name, open_tap(name))
    by_fd = {fd: vid for vid, (name, fd) in taps.items()}

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_ALL))
    sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    sock.bind((iface, 0))
    print("ready", flush=True)

    fds = [sock.fileno()] + list(by_fd)
    while True:
        ready, _, _ = select.select(fds, [], [])
        for fd in ready:
            if fd == sock.fileno():
                frame, anc, _, addr = sock.recvmsg(65536, 512)
                if addr[2] == PACKET_OUTGOING or len(frame) < 14:
                    continue
                vid = None
                for level, kind, data in anc:
                    if level == SOL_PACKET and kind == PACKET_AUXDATA:
                        status = struct.unpack_from("I", data, 0)[0]
                        tci = struct.unpack_from("H", data, 16)[0]
                        if status & TP_STATUS_VLAN_VALID:
                            vid = tci & 0xfff
                if vid is None and len(frame) >= 18 and \
                        struct.unpack_from("!H", frame, 12)[0] == ETH_P_8021Q:
                    vid = struct.unpack_from("!H", frame, 14)[0] & 0xfff
                    frame = frame[:12] + frame[16:]
                if vid in taps:
                    os.write(taps[vid][1], frame)
            else:
                frame = os.read(fd, 65536)
                tag = struct.pack("!HH", ETH_P_8021Q, by_fd[fd])
                sock.send(frame[:12] + tag + frame[12:])


if __name__ == "__main__":
    main()
