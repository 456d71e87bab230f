/*
 * pipeline/ra: the wire format of IPv6 router discovery (RFC 4861): the
 * parser of router solicitations and advertisements and the builder of
 * the router advertisements dvr-controller sends (controller/ra-server),
 * and the EUI-64 address of a MAC in a /64 (RFC 4291, as Neutron
 * computes SLAAC addresses).
 *
 * Contract
 *   - Pure: bytes in, a structure or a frame out, no I/O.
 *   - ra_parse() reads only the 'len' bytes it is given and accepts only
 *     what RFC 4861 6.1.1 / 6.1.2 says a node must accept: ICMPv6 type
 *     133 or 134, code 0, hop limit 255, a correct checksum, options
 *     whose length is not zero and that end within the message, a source
 *     link-layer address option of 8 bytes and none in a solicitation from
 *     the unspecified address.  Anything else gets a result other than
 *     RA_PARSE_OK and no other effect.
 *   - ra_build() writes a complete Ethernet frame (IPv6 hop limit 255,
 *     the ICMPv6 checksum set) with the options that 'struct ra_info'
 *     asks for, at most RA_MAX_PREFIXES prefixes and RA_MAX_DNS servers.
 */

#ifndef PIPELINE_RA_H
#define PIPELINE_RA_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "packets.h"

struct dp_packet;

#define RA_MAX_PREFIXES 8
#define RA_MAX_DNS 3

#define RA_TYPE_RS 133
#define RA_TYPE_RA 134

/* One prefix information option. */
struct ra_prefix {
    struct in6_addr prefix;
    uint8_t plen;
    bool on_link;                   /* L flag. */
    bool autonomous;                /* A flag: SLAAC from this prefix. */
    uint32_t valid_lifetime;        /* Seconds. */
    uint32_t preferred_lifetime;
};

/* What a router advertisement says. */
struct ra_info {
    struct eth_addr src_mac;        /* Ethernet source, link-layer option. */
    struct in6_addr src_ip;         /* The router's link-local address. */
    uint8_t cur_hop_limit;          /* 0: unspecified. */
    bool managed;                   /* M flag: addresses by DHCPv6. */
    bool other;                     /* O flag: other settings by DHCPv6. */
    uint16_t router_lifetime;       /* Seconds; 0: not a default router. */
    uint32_t mtu;                   /* 0: no MTU option. */
    struct ra_prefix prefixes[RA_MAX_PREFIXES];
    size_t n_prefixes;
    struct in6_addr dns[RA_MAX_DNS];        /* RDNSS (RFC 8106). */
    size_t n_dns;
    uint32_t dns_lifetime;
};

/* A parsed solicitation or advertisement. */
struct ra_message {
    uint8_t type;                   /* RA_TYPE_RS or RA_TYPE_RA. */
    bool has_sll;                   /* Source link-layer address option. */
    struct eth_addr sll;
    struct ra_info ra;              /* RA_TYPE_RA only (src_* unset). */
};

enum ra_parse_result {
    RA_PARSE_OK,
    RA_PARSE_TOO_SHORT,
    RA_PARSE_BAD_TYPE,              /* Not an RS or RA. */
    RA_PARSE_BAD_CODE,
    RA_PARSE_BAD_HOP_LIMIT,         /* Not 255: from off link. */
    RA_PARSE_BAD_CHECKSUM,
    RA_PARSE_BAD_OPTION,            /* Zero length, overrun, bad size. */
    RA_PARSE_SLL_FROM_UNSPECIFIED,  /* RS from :: with an SLL option. */
    RA_PARSE_N_RESULTS
};

const char *ra_parse_result_to_string(enum ra_parse_result);

/* Parses the ICMPv6 message 'icmp' ('len' bytes, from its ICMPv6 header to
 * the end of the IPv6 payload) that came from 'src' to 'dst' with hop
 * limit 'hop_limit'. */
enum ra_parse_result ra_parse(const struct in6_addr *src,
                              const struct in6_addr *dst, uint8_t hop_limit,
                              const void *icmp, size_t len,
                              struct ra_message *);

/* Replaces the contents of 'out' with a router advertisement frame from
 * 'ra' to 'dst_mac'/'dst_ip'; sets its l3 and l4 offsets. */
void ra_build(const struct ra_info *, struct eth_addr dst_mac,
              const struct in6_addr *dst_ip, struct dp_packet *out);

/* The EUI-64 address of 'mac' in 'prefix' (its first 64 bits are taken):
 * the MAC with ff:fe in its middle and the universal/local bit flipped. */
void ra_eui64(const struct in6_addr *prefix, struct eth_addr mac,
              struct in6_addr *out);

#endif /* pipeline/ra.h */
