/*
 * pipeline/icmp: builds the ICMPv4 errors a router owes (RFC 792, RFC
 * 1812): time exceeded, destination unreachable, fragmentation needed;
 * and the ICMPv6 ones (RFC 4443): time exceeded, destination unreachable,
 * packet too big.
 *
 * Contract
 *   - Pure: a frame in, a frame out, no I/O.
 *   - No error is built about an ICMP error, a non-first fragment, a
 *     packet to or from a broadcast or multicast address, or a frame that
 *     is not a well-formed IPv4 packet: icmp_build_error() then returns
 *     false and builds nothing.
 *   - The error carries the original IP header and up to 'ICMP_QUOTE'
 *     bytes of what followed it; it goes from 'src_mac'/'src_ip' back to
 *     the original sender's MAC and address.
 *   - ICMPv6: no error is built about an ICMPv6 error message (type below
 *     128), a packet from '::' or a multicast address, to a multicast
 *     address, or a frame that is not a well-formed IPv6 packet.  The
 *     error quotes as much of the packet as fits in IPv6's minimum MTU
 *     (1280 bytes in all), hop limit 64.
 */

#ifndef PIPELINE_ICMP_H
#define PIPELINE_ICMP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/icmp6.h>

#include "openvswitch/types.h"
#include "packets.h"

struct dp_packet;

#define ICMP_QUOTE 64

/* Codes of "destination unreachable" (type 3). */
#define ICMP_CODE_NET_UNREACH 0
#define ICMP_CODE_FRAG_NEEDED 4

/* True if 'frame' has DF set (and is a well-formed IPv4 packet). */
bool icmp_dont_fragment(const void *frame, size_t len);

bool icmp_build_error(const void *frame, size_t len, struct eth_addr src_mac,
                      ovs_be32 src_ip, uint8_t type, uint8_t code,
                      uint16_t mtu, struct dp_packet *out);

/* IPv6's minimum MTU (RFC 8200). */
#define ICMP6_MIN_MTU 1280

/* 'type' and 'code' as <netinet/icmp6.h> names them (ICMP6_TIME_EXCEEDED,
 * ICMP6_DST_UNREACH, ICMP6_PACKET_TOO_BIG); 'param' is the MTU of "packet
 * too big", else 0. */
bool icmp6_build_error(const void *frame, size_t len,
                       struct eth_addr src_mac, const struct in6_addr *src_ip,
                       uint8_t type, uint8_t code, uint32_t param,
                       struct dp_packet *out);

#endif /* pipeline/icmp.h */
