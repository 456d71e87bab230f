#!/usr/bin/env python3
"""IPv6 neighbour discovery frames for tests, as hex for
netdev-dummy/receive (standard library only).

  nd.py rs SRC_MAC SRC_IP [HOP_LIMIT]     router solicitation to ff02::2
  nd.py ns SRC_MAC SRC_IP TARGET           neighbour solicitation (with
                                           the source link-layer option)
                                           to TARGET's solicited-node group
  nd.py ra SRC_MAC SRC_IP PREFIX           a router advertisement (forged
                                           by a VM) to ff02::1
  nd.py send IFACE HEX                     sends the frame HEX on IFACE
                                           (a raw socket: as root, in the
                                           VM's namespace)
"""
import socket
import struct
import sys


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(':'))


def ip6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(src_mac, dst_mac, src, dst, icmp, hlim=255):
    icmp = bytearray(icmp)
    pseudo = src + dst + struct.pack('!I', len(icmp)) + b'\0\0\0\x3a'
    c = csum(pseudo + bytes(icmp))
    icmp[2:4] = struct.pack('!H', c)
    ip = struct.pack('!IHBB', 6 << 28, len(icmp), 58, hlim) + src + dst
    return dst_mac + src_mac + b'\x86\xdd' + ip + bytes(icmp)


def main(argv):
    if argv[1] == 'send':
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((argv[2], 0))
        s.send(bytes.fromhex(argv[3]))
        return
    kind, smac, sip = argv[1], mac_bytes(argv[2]), ip6(argv[3])
    sll = bytes([1, 1]) + smac
    if kind == 'rs':
        hlim = int(argv[4]) if len(argv) > 4 else 255
        out = frame(smac, mac_bytes('33:33:00:00:00:02'), sip, ip6('ff02::2'),
                    bytes([133, 0, 0, 0, 0, 0, 0, 0]) + sll, hlim)
    elif kind == 'ns':
        target = ip6(argv[4])
        group = ip6('ff02::1:ff00:0')[:13] + target[13:]
        gmac = b'\x33\x33' + group[12:]
        out = frame(smac, gmac, sip, group,
                    bytes([135, 0, 0, 0, 0, 0, 0, 0]) + target + sll)
    elif kind == 'ra':
        prefix = ip6(argv[4])
        pio = (bytes([3, 4, 64, 0xc0]) + struct.pack('!II', 86400, 14400)
               + b'\0' * 4 + prefix)
        out = frame(smac, mac_bytes('33:33:00:00:00:01'), sip,
                    ip6('ff02::1'),
                    bytes([134, 0, 0, 0, 64, 0, 0x07, 0x08]) + b'\0' * 8
                    + sll + pio)
    else:
        sys.exit('usage: nd.py rs|ns|ra ...')
    print(out.hex())


if __name__ == '__main__':
    main(sys.argv)
