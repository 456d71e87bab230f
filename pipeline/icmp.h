/*
 * pipeline/icmp: builds the ICMPv4 errors a router owes (RFC 792, RFC
 * 1812): time exceeded, destination unreachable, fragmentation needed.
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
 */

#ifndef PIPELINE_ICMP_H
#define PIPELINE_ICMP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif /* pipeline/icmp.h */
