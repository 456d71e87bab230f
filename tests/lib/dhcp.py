#!/usr/bin/env python3
"""tests/lib/dhcp.py: DHCPv4 frames for the component tests.

  dhcp.py frame TYPE MAC [--ciaddr IP] [--requested IP] [--server IP]
                         [--src IP] [--dst IP] [--xid N] [--truncate N]
      prints, as hex, an Ethernet frame with a client's DHCP message TYPE
      (discover, request, release, inform, decline) from MAC, UDP 68 -> 67,
      to the broadcast address unless --dst; --truncate N cuts the DHCP
      payload to N bytes (the UDP and IP lengths say so).
  dhcp.py server-frame MAC
      prints a DHCP OFFER from MAC (UDP 67 -> 68), as a rogue server sends.
  dhcp.py replies PCAP
      prints each DHCP reply in PCAP, one per line: type=offer xid=0x...
      yiaddr=... ipdst=... then its options as name=value.
"""
import ipaddress
import struct
import sys

TYPES = {"discover": 1, "offer": 2, "request": 3, "decline": 4, "ack": 5,
         "nak": 6, "release": 7, "inform": 8}
NAMES = {v: k for k, v in TYPES.items()}


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(s):
    return ipaddress.IPv4Address(s).packed


def frame(mac, src, dst, sport, dport, payload, op_len=None):
    macb = bytes.fromhex(mac.replace(":", ""))
    udp_len = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    c = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17,
                     0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth_dst = b"\xff" * 6 if dst == b"\xff" * 4 else bytes.fromhex(
        "0200a9fea9fe")
    return eth_dst + macb + b"\x08\x00" + ip + udp


def bootp(op, mac, msg_type, xid=0x1234, ciaddr="0.0.0.0", options=b""):
    macb = bytes.fromhex(mac.replace(":", ""))
    h = struct.pack("!BBBBIHH4s4s4s4s", op, 1, 6, 0, xid, 0, 0, ip4(ciaddr),
                    ip4("0.0.0.0"), ip4("0.0.0.0"), ip4("0.0.0.0"))
    h += macb + b"\0" * 10 + b"\0" * 192
    opts = bytes([53, 1, msg_type]) + options + b"\xff"
    return h + struct.pack("!I", 0x63825363) + opts + b"\0" * 40


def main_frame(args):
    msg_type = TYPES[args[0]]
    mac = args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    ciaddr = opts.get("--ciaddr", "0.0.0.0")
    extra = b""
    if "--requested" in opts:
        extra += bytes([50, 4]) + ip4(opts["--requested"])
    if "--server" in opts:
        extra += bytes([54, 4]) + ip4(opts["--server"])
    extra += bytes([55, 6, 1, 3, 6, 15, 26, 121])
    payload = bootp(1, mac, msg_type, int(opts.get("--xid", "0x1234"), 0),
                    ciaddr, extra)
    if "--truncate" in opts:
        payload = payload[:int(opts["--truncate"])]
    src = ip4(opts.get("--src", ciaddr))
    dst = ip4(opts.get("--dst", "255.255.255.255"))
    print(frame(mac, src, dst, 68, 67, payload).hex())


def main_server_frame(args):
    payload = bootp(2, args[0], 2)
    print(frame(args[0], ip4("10.0.0.66"), ip4("255.255.255.255"), 67, 68,
                payload).hex())


OPTS = {1: "netmask", 3: "router", 6: "dns", 12: "hostname", 15: "domain",
        26: "mtu", 28: "broadcast", 51: "lease", 54: "server", 58: "t1",
        59: "t2", 121: "routes"}


def fmt_option(code, data):
    if code in (1, 3, 28, 54):
        return str(ipaddress.IPv4Address(data[:4]))
    if code == 6:
        return ",".join(str(ipaddress.IPv4Address(data[i:i + 4]))
                        for i in range(0, len(data), 4))
    if code in (12, 15):
        return data.decode()
    if code == 26:
        return str(struct.unpack("!H", data)[0])
    if code in (51, 58, 59):
        return str(struct.unpack("!I", data)[0])
    if code == 121:
        out, i = [], 0
        while i < len(data):
            plen = data[i]
            n = (plen + 7) // 8
            dst = data[i + 1:i + 1 + n] + b"\0" * (4 - n)
            gw = data[i + 1 + n:i + 5 + n]
            out.append("%s/%d-%s" % (ipaddress.IPv4Address(dst), plen,
                                     ipaddress.IPv4Address(gw)))
            i += 5 + n
        return ",".join(out)
    return data.hex()


def main_replies(args):
    data = open(args[0], "rb").read()
    i = 24
    while i + 16 <= len(data):
        incl = struct.unpack("<I", data[i + 8:i + 12])[0]
        pkt = data[i + 16:i + 16 + incl]
        i += 16 + incl
        if len(pkt) < 42 or pkt[12:14] != b"\x08\x00" or pkt[23] != 17:
            continue
        ihl = (pkt[14] & 15) * 4
        udp = pkt[14 + ihl:]
        if struct.unpack("!HH", udp[:4]) != (67, 68):
            continue
        d = udp[8:]
        if len(d) < 240 or d[0] != 2:
            continue
        fields = {"xid": "0x%x" % struct.unpack("!I", d[4:8])[0],
                  "yiaddr": str(ipaddress.IPv4Address(d[16:20])),
                  "ipdst": str(ipaddress.IPv4Address(pkt[30:34])),
                  "ethsrc": pkt[6:12].hex(":")}
        opts, j = {}, 240
        while j < len(d) and d[j] != 255:
            if d[j] == 0:
                j += 1
                continue
            code, n = d[j], d[j + 1]
            opts[code] = opts.get(code, b"") + d[j + 2:j + 2 + n]
            j += 2 + n
        line = ["type=%s" % NAMES.get(opts.get(53, b"\0")[0], "?")]
        line += ["%s=%s" % kv for kv in fields.items()]
        for code in sorted(opts):
            if code in OPTS:
                line.append("%s=%s" % (OPTS[code],
                                       fmt_option(code, opts[code])))
        print(" ".join(line))


if __name__ == "__main__":
    {"frame": main_frame, "server-frame": main_server_frame,
     "replies": main_replies}[sys.argv[1]](sys.argv[2:])
