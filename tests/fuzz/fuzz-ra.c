/*
 * libFuzzer target for pipeline/ra: the input's first 33 bytes are the
 * source and destination addresses and the hop limit, the rest is the
 * ICMPv6 message a VM sent.  The parser must not read outside it; what it
 * parses as an advertisement must build into a frame that parses back to
 * the same prefixes and flags.  Built and run with fuzz-dhcp ("make fuzz",
 * "make fuzz-run").
 */

#include <config.h>

#include <stdlib.h>
#include <netinet/ip6.h>
#include <string.h>

#include "dp-packet.h"
#include "packets.h"
#include "pipeline/ra.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in6_addr src, dst;
    struct ra_message msg;

    if (size < 33) {
        return 0;
    }
    memcpy(&src, data, 16);
    memcpy(&dst, data + 16, 16);
    uint8_t hop_limit = data[32];
    size -= 33;

    /* A private copy, so that the sanitizer sees any read past 'size'. */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data + 33, size);
    if (ra_parse(&src, &dst, hop_limit, copy, size, &msg) == RA_PARSE_OK
        && msg.type == RA_TYPE_RA) {
        struct dp_packet p;
        struct ra_message back;

        msg.ra.src_mac = msg.sll;
        msg.ra.src_ip = src;
        dp_packet_init(&p, 64);
        ra_build(&msg.ra, eth_addr_broadcast, &dst, &p);
        const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(&p);
        ovs_assert(ra_parse(&src, &dst, ip6->ip6_hlim, dp_packet_l4(&p),
                            dp_packet_l4_size(&p), &back) == RA_PARSE_OK);
        ovs_assert(back.ra.n_prefixes == msg.ra.n_prefixes);
        ovs_assert(back.ra.managed == msg.ra.managed);
        ovs_assert(back.ra.router_lifetime == msg.ra.router_lifetime);
        dp_packet_uninit(&p);
    }
    free(copy);
    return 0;
}
