/*
 * pipeline/ra: see ra.h for the contract.
 */

#include <config.h>

#include "pipeline/ra.h"

#include <netinet/ip6.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "util.h"

/* Option types (RFC 4861 4.6, RFC 8106). */
#define OPT_SLL 1
#define OPT_PREFIX 3
#define OPT_MTU 5
#define OPT_RDNSS 25

#define RS_HEADER_LEN 8
#define RA_HEADER_LEN 16

const char *
ra_parse_result_to_string(enum ra_parse_result r)
{
    static const char *const names[RA_PARSE_N_RESULTS] = {
        [RA_PARSE_OK] = "ok",
        [RA_PARSE_TOO_SHORT] = "too short",
        [RA_PARSE_BAD_TYPE] = "not a router solicitation or advertisement",
        [RA_PARSE_BAD_CODE] = "bad code",
        [RA_PARSE_BAD_HOP_LIMIT] = "hop limit not 255",
        [RA_PARSE_BAD_CHECKSUM] = "bad checksum",
        [RA_PARSE_BAD_OPTION] = "bad option",
        [RA_PARSE_SLL_FROM_UNSPECIFIED] = "link-layer address from ::",
    };
    return (unsigned int) r < RA_PARSE_N_RESULTS ? names[r] : "?";
}

/* The ICMPv6 checksum of 'icmp' ('len' bytes) from 'src' to 'dst', with
 * the checksum field as it is: 0 when the message is intact. */
static ovs_be16
icmp6_csum(const struct in6_addr *src, const struct in6_addr *dst,
           const void *icmp, size_t len)
{
    uint8_t pseudo[40];
    ovs_be32 plen = htonl(len);

    memcpy(pseudo, src, 16);
    memcpy(pseudo + 16, dst, 16);
    memcpy(pseudo + 32, &plen, 4);
    memset(pseudo + 36, 0, 3);
    pseudo[39] = IPPROTO_ICMPV6;
    return csum_finish(csum_continue(csum_continue(0, pseudo, sizeof pseudo),
                                     icmp, len));
}

static uint32_t
get_be32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
           | ((uint32_t) p[2] << 8) | p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* Parses one option of an RA into 'ra'. */
static bool
parse_ra_option(const uint8_t *opt, size_t olen, struct ra_info *ra)
{
    switch (opt[0]) {
    case OPT_MTU:
        if (olen != 8) {
            return false;
        }
        ra->mtu = get_be32(opt + 4);
        return true;
    case OPT_PREFIX:
        if (olen != 32 || opt[2] > 128) {
            return false;
        }
        if (ra->n_prefixes < RA_MAX_PREFIXES) {
            struct ra_prefix *p = &ra->prefixes[ra->n_prefixes++];
            p->plen = opt[2];
            p->on_link = opt[3] & 0x80;
            p->autonomous = opt[3] & 0x40;
            p->valid_lifetime = get_be32(opt + 4);
            p->preferred_lifetime = get_be32(opt + 8);
            memcpy(&p->prefix, opt + 16, 16);
        }
        return true;
    case OPT_RDNSS:
        if (olen < 24 || (olen - 8) % 16) {
            return false;
        }
        ra->dns_lifetime = get_be32(opt + 4);
        for (size_t off = 8; off < olen && ra->n_dns < RA_MAX_DNS;
             off += 16) {
            memcpy(&ra->dns[ra->n_dns++], opt + off, 16);
        }
        return true;
    default:
        return true;            /* Unknown options are ignored. */
    }
}

enum ra_parse_result
ra_parse(const struct in6_addr *src, const struct in6_addr *dst,
         uint8_t hop_limit, const void *icmp_, size_t len,
         struct ra_message *msg)
{
    const uint8_t *icmp = icmp_;
    size_t hdr;

    memset(msg, 0, sizeof *msg);
    if (len < RS_HEADER_LEN) {
        return RA_PARSE_TOO_SHORT;
    }
    if (icmp[0] != RA_TYPE_RS && icmp[0] != RA_TYPE_RA) {
        return RA_PARSE_BAD_TYPE;
    }
    msg->type = icmp[0];
    hdr = msg->type == RA_TYPE_RS ? RS_HEADER_LEN : RA_HEADER_LEN;
    if (len < hdr) {
        return RA_PARSE_TOO_SHORT;
    }
    if (icmp[1] != 0) {
        return RA_PARSE_BAD_CODE;
    }
    if (hop_limit != 255) {
        return RA_PARSE_BAD_HOP_LIMIT;
    }
    if (icmp6_csum(src, dst, icmp, len)) {
        return RA_PARSE_BAD_CHECKSUM;
    }
    if (msg->type == RA_TYPE_RA) {
        msg->ra.cur_hop_limit = icmp[4];
        msg->ra.managed = icmp[5] & 0x80;
        msg->ra.other = icmp[5] & 0x40;
        msg->ra.router_lifetime = (icmp[6] << 8) | icmp[7];
    }

    for (size_t off = hdr; off < len; ) {
        if (len - off < 2 || !icmp[off + 1]) {
            return RA_PARSE_BAD_OPTION;
        }
        size_t olen = (size_t) icmp[off + 1] * 8;
        if (olen > len - off) {
            return RA_PARSE_BAD_OPTION;
        }
        const uint8_t *opt = icmp + off;
        if (opt[0] == OPT_SLL) {
            if (olen != 8) {
                return RA_PARSE_BAD_OPTION;
            }
            msg->has_sll = true;
            memcpy(&msg->sll, opt + 2, ETH_ADDR_LEN);
        } else if (msg->type == RA_TYPE_RA
                   && !parse_ra_option(opt, olen, &msg->ra)) {
            return RA_PARSE_BAD_OPTION;
        }
        off += olen;
    }
    if (msg->type == RA_TYPE_RS && msg->has_sll
        && ipv6_addr_equals(src, &in6addr_any)) {
        return RA_PARSE_SLL_FROM_UNSPECIFIED;
    }
    return RA_PARSE_OK;
}

void
ra_build(const struct ra_info *ra, struct eth_addr dst_mac,
         const struct in6_addr *dst_ip, struct dp_packet *out)
{
    size_t n_prefixes = MIN(ra->n_prefixes, RA_MAX_PREFIXES);
    size_t n_dns = MIN(ra->n_dns, RA_MAX_DNS);
    size_t icmp_len = RA_HEADER_LEN + 8 + (ra->mtu ? 8 : 0)
                      + 32 * n_prefixes + (n_dns ? 8 + 16 * n_dns : 0);

    /* One allocation: a later put could move what the pointers see. */
    dp_packet_clear(out);
    uint8_t *frame = dp_packet_put_zeros(out, ETH_HEADER_LEN
                                         + IPV6_HEADER_LEN + icmp_len);
    struct eth_header *eth = (struct eth_header *) frame;
    eth->eth_dst = dst_mac;
    eth->eth_src = ra->src_mac;
    eth->eth_type = htons(ETH_TYPE_IPV6);

    struct ovs_16aligned_ip6_hdr *ip6
        = (struct ovs_16aligned_ip6_hdr *) (frame + ETH_HEADER_LEN);
    put_16aligned_be32(&ip6->ip6_flow, htonl(6u << 28));
    ip6->ip6_plen = htons(icmp_len);
    ip6->ip6_nxt = IPPROTO_ICMPV6;
    ip6->ip6_hlim = 255;
    memcpy(&ip6->ip6_src, &ra->src_ip, 16);
    memcpy(&ip6->ip6_dst, dst_ip, 16);

    uint8_t *icmp = frame + ETH_HEADER_LEN + IPV6_HEADER_LEN;
    uint8_t *p = icmp;
    p[0] = RA_TYPE_RA;
    p[4] = ra->cur_hop_limit;
    p[5] = (ra->managed ? 0x80 : 0) | (ra->other ? 0x40 : 0);
    p[6] = ra->router_lifetime >> 8;
    p[7] = ra->router_lifetime;
    p += RA_HEADER_LEN;         /* Reachable time, retrans timer: 0. */

    p[0] = OPT_SLL;
    p[1] = 1;
    memcpy(p + 2, &ra->src_mac, ETH_ADDR_LEN);
    p += 8;

    if (ra->mtu) {
        p[0] = OPT_MTU;
        p[1] = 1;
        put_be32(p + 4, ra->mtu);
        p += 8;
    }

    for (size_t i = 0; i < n_prefixes; i++) {
        const struct ra_prefix *pfx = &ra->prefixes[i];
        struct in6_addr mask = ipv6_create_mask(MIN(pfx->plen, 128));
        struct in6_addr net = ipv6_addr_bitand(&pfx->prefix, &mask);

        p[0] = OPT_PREFIX;
        p[1] = 4;
        p[2] = MIN(pfx->plen, 128);
        p[3] = (pfx->on_link ? 0x80 : 0) | (pfx->autonomous ? 0x40 : 0);
        put_be32(p + 4, pfx->valid_lifetime);
        put_be32(p + 8, pfx->preferred_lifetime);
        memcpy(p + 16, &net, 16);
        p += 32;
    }

    if (n_dns) {
        p[0] = OPT_RDNSS;
        p[1] = 1 + 2 * n_dns;
        put_be32(p + 4, ra->dns_lifetime);
        for (size_t i = 0; i < n_dns; i++) {
            memcpy(p + 8 + 16 * i, &ra->dns[i], 16);
        }
        p += 8 + 16 * n_dns;
    }
    ovs_assert(p == icmp + icmp_len);

    ovs_be16 csum = icmp6_csum(&ra->src_ip, dst_ip, icmp, icmp_len);
    memcpy(icmp + 2, &csum, 2);

    dp_packet_set_l3(out, ip6);
    dp_packet_set_l4(out, icmp);
}

void
ra_eui64(const struct in6_addr *prefix, struct eth_addr mac,
         struct in6_addr *out)
{
    struct in6_addr mask = ipv6_create_mask(64);
    struct in6_addr net = ipv6_addr_bitand(prefix, &mask);

    in6_generate_eui64(mac, &net, out);
}
