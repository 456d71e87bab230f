#!/usr/bin/python3
"""tests/attack/frames.py: the hostile frames of the attack suite.

Prints one Ethernet frame as hex (for `ovs-appctl netdev-dummy/receive`),
or sends it on an interface (AF_PACKET, in a VM's namespace), with valid
checksums, so that a real kernel takes it as well as a dummy port.

  frames.py udp4 SMAC DMAC SRC DST [--vlan VID] [--tpid 0x8100|0x88a8]
                                   [--ttl N] [--sport N] [--dport N]
  frames.py udp6 SMAC DMAC SRC DST --sport N --dport N
  frames.py icmp6 SMAC DMAC SRC DST TYPE [--target IP] [--sll MAC]
                                         [--tll MAC]
      TYPE: a number, or ra, ns, na, echo; ND options as given
  ... [--send IFACE [--count N]]   sends instead of printing
"""

import argparse
import socket
import struct
import sys


def mac(s):
    return bytes(int(x, 16) for x in s.split(':'))


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def eth(a, ethertype, payload):
    hdr = mac(a.dmac) + mac(a.smac)
    if a.vlan is not None:
        hdr += struct.pack('!HH', int(a.tpid, 0), a.vlan)
    return hdr + struct.pack('!H', ethertype) + payload


def ipv4(a, proto, l4):
    src = socket.inet_aton(a.src)
    dst = socket.inet_aton(a.dst)
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0x4000,
                      a.ttl, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    return hdr, src, dst


def udp4(a, payload=b'dvrflow attack'):
    u = struct.pack('!HHHH', a.sport, a.dport, 8 + len(payload), 0) + payload
    ip, src, dst = ipv4(a, 17, u)
    c = csum(src + dst + struct.pack('!BBH', 0, 17, len(u)) + u) or 0xffff
    u = u[:6] + struct.pack('!H', c) + u[8:]
    return eth(a, 0x0800, ip + u)


def ipv6(a, nh, l4):
    src = socket.inet_pton(socket.AF_INET6, a.src)
    dst = socket.inet_pton(socket.AF_INET6, a.dst)
    pseudo = src + dst + struct.pack('!IxxxB', len(l4), nh)
    return src, dst, pseudo


def with_ipv6(a, nh, l4, cksum_off):
    src, dst, pseudo = ipv6(a, nh, l4)
    c = csum(pseudo + l4)
    if nh == 17 and not c:
        c = 0xffff
    l4 = l4[:cksum_off] + struct.pack('!H', c) + l4[cksum_off + 2:]
    hdr = struct.pack('!IHBB16s16s', 6 << 28, len(l4), nh, a.ttl, src, dst)
    return eth(a, 0x86dd, hdr + l4)


def udp6(a, payload=b'dvrflow attack'):
    u = struct.pack('!HHHH', a.sport, a.dport, 8 + len(payload), 0) + payload
    return with_ipv6(a, 17, u, 6)


ICMP6_TYPES = {'ra': 134, 'ns': 135, 'na': 136, 'echo': 128}


def icmp6(a):
    t = ICMP6_TYPES.get(a.type)
    t = int(a.type) if t is None else t
    if t == 134:
        # Router advertisement: hop limit 64, lifetime 1800 s, a prefix.
        body = struct.pack('!BBHII', 64, 0, 1800, 0, 0)
        body += struct.pack('!BBBBIII16s', 3, 4, 64, 0xc0, 86400, 14400, 0,
                            socket.inet_pton(socket.AF_INET6, 'fd66::'))
    elif t in (135, 136):
        flags = 0x60000000 if t == 136 else 0     # Solicited, override.
        target = a.target or a.src
        body = struct.pack('!I16s', flags,
                           socket.inet_pton(socket.AF_INET6, target))
    else:
        body = struct.pack('!HH', 0x1234, 1) + b'dvrflow attack'
    if a.sll:
        body += struct.pack('!BB6s', 1, 1, mac(a.sll))
    if a.tll:
        body += struct.pack('!BB6s', 2, 1, mac(a.tll))
    l4 = struct.pack('!BBH', t, 0, 0) + body
    a.ttl = 255
    return with_ipv6(a, 58, l4, 2)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('kind', choices=['udp4', 'udp6', 'icmp6'])
    p.add_argument('smac')
    p.add_argument('dmac')
    p.add_argument('src')
    p.add_argument('dst')
    p.add_argument('type', nargs='?', default='echo')
    p.add_argument('--vlan', type=int)
    p.add_argument('--tpid', default='0x8100')
    p.add_argument('--ttl', type=int, default=64)
    p.add_argument('--sport', type=int, default=40000)
    p.add_argument('--dport', type=int, default=9)
    p.add_argument('--target')
    p.add_argument('--sll')
    p.add_argument('--tll')
    p.add_argument('--send')
    p.add_argument('--count', type=int, default=1)
    a = p.parse_args()
    frame = {'udp4': udp4, 'udp6': udp6, 'icmp6': icmp6}[a.kind](a)
    if not a.send:
        print(frame.hex())
        return 0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.send, 0))
    for _ in range(a.count):
        s.send(frame)
    return 0


if __name__ == '__main__':
    sys.exit(main())
