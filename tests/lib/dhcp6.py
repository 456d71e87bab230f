#!/usr/bin/env python3
"""DHCPv6 client frames for tests, as hex for netdev-dummy/receive
(standard library only).  Each comes from the link-local address of
SRC_MAC (EUI-64), to ff02::1:2, UDP 546 -> 547, with a DUID-LL of SRC_MAC
as the client identifier, transaction id 0x123456 and one IA_NA (IAID 7).

  dhcp6.py solicit SRC_MAC [rapid]       Solicit (with Rapid Commit)
  dhcp6.py request SRC_MAC SERVER_MAC    Request to the server whose
                                         DUID-LL is of SERVER_MAC
  dhcp6.py info SRC_MAC                  Information-request
  dhcp6.py confirm SRC_MAC ADDR          Confirm of ADDR
  dhcp6.py bad SRC_MAC                   a Solicit whose option overruns
  dhcp6.py reply SRC_MAC                 a server Reply (547 -> 546) to
                                         ff02::1, as a rogue server would
"""
import socket
import struct
import sys


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(':'))


def lla(mac):
    m = bytearray(mac_bytes(mac))
    m[0] ^= 2
    return b'\xfe\x80' + b'\0' * 6 + bytes(m[:3]) + b'\xff\xfe' + bytes(m[3:])


def ip6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def opt(code, data):
    return struct.pack('!HH', code, len(data)) + data


def duid_ll(mac):
    return struct.pack('!HH', 3, 1) + mac_bytes(mac)


def ia_na(addrs=()):
    sub = b''.join(opt(5, ip6(a) + struct.pack('!II', 0, 0)) for a in addrs)
    return opt(3, struct.pack('!III', 7, 0, 0) + sub)


def frame(src_mac, src, dst_mac, dst, sport, dport, payload):
    udp = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    pseudo = src + dst + struct.pack('!I', len(udp)) + b'\0\0\0\x11'
    c = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack('!H', c) + udp[8:]
    ip = struct.pack('!IHBB', 6 << 28, len(udp), 17, 1) + src + dst
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + b'\x86\xdd' + ip + udp


def main(argv):
    kind, smac = argv[1], argv[2]
    common = (opt(1, duid_ll(smac)) + opt(8, b'\0\0')
              + opt(6, struct.pack('!HH', 23, 24)))
    xid = b'\x12\x34\x56'
    if kind == 'solicit':
        rapid = opt(14, b'') if len(argv) > 3 and argv[3] == 'rapid' else b''
        msg = b'\x01' + xid + common + rapid + ia_na()
    elif kind == 'request':
        msg = b'\x03' + xid + common + opt(2, duid_ll(argv[3])) + ia_na()
    elif kind == 'info':
        msg = b'\x0b' + xid + common
    elif kind == 'confirm':
        msg = b'\x04' + xid + common + ia_na([argv[3]])
    elif kind == 'bad':
        msg = b'\x01' + xid + common + struct.pack('!HH', 3, 200) + b'\0' * 12
    elif kind == 'reply':
        msg = (b'\x07' + xid + opt(2, duid_ll(smac))
               + opt(23, ip6('2001:db8::666')))
        print(frame(smac, lla(smac), '33:33:00:00:00:01', ip6('ff02::1'),
                    547, 546, msg).hex())
        return
    else:
        sys.exit('usage: dhcp6.py solicit|request|info|confirm|bad|reply ...')
    print(frame(smac, lla(smac), '33:33:00:01:00:02', ip6('ff02::1:2'),
                546, 547, msg).hex())


if __name__ == '__main__':
    main(sys.argv)
