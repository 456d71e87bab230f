/*
 * Unit tests of pipeline/ra: router advertisements built and parsed back,
 * the solicitations a router must ignore, and EUI-64 addresses.
 */

#include <config.h>

#include <criterion/criterion.h>
#include <netinet/ip6.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "pipeline/ra.h"

static const struct eth_addr vm_mac = ETH_ADDR_C(fa, 16, 3e, 12, 34, 56);
static const struct eth_addr router_mac = ETH_ADDR_C(fa, 16, 3e, ff, 00, 01);

static struct in6_addr
addr(const char *s)
{
    struct in6_addr a;
    cr_assert(ipv6_parse(s, &a), "%s", s);
    return a;
}

/* An RS from 'src' ('sll' option if 'with_sll'), ICMPv6 bytes in 'buf';
 * returns its length. */
static size_t
rs(uint8_t *buf, const struct in6_addr *src, bool with_sll)
{
    struct in6_addr dst = addr("ff02::2");
    size_t len = 8 + (with_sll ? 8 : 0);
    uint8_t pseudo[40];
    ovs_be32 plen = htonl(len);

    memset(buf, 0, len);
    buf[0] = RA_TYPE_RS;
    if (with_sll) {
        buf[8] = 1;
        buf[9] = 1;
        memcpy(buf + 10, &vm_mac, 6);
    }
    memcpy(pseudo, src, 16);
    memcpy(pseudo + 16, &dst, 16);
    memcpy(pseudo + 32, &plen, 4);
    memset(pseudo + 36, 0, 3);
    pseudo[39] = IPPROTO_ICMPV6;
    ovs_be16 c = csum_finish(csum_continue(csum_continue(0, pseudo, 40),
                                           buf, len));
    memcpy(buf + 2, &c, 2);
    return len;
}

Test(ra, parses_solicitation)
{
    struct in6_addr src = addr("fe80::f816:3eff:fe12:3456");
    struct in6_addr dst = addr("ff02::2");
    struct ra_message m;
    uint8_t buf[64];
    size_t len = rs(buf, &src, true);

    cr_assert_eq(ra_parse(&src, &dst, 255, buf, len, &m), RA_PARSE_OK);
    cr_assert_eq(m.type, RA_TYPE_RS);
    cr_assert(m.has_sll);
    cr_assert(eth_addr_equals(m.sll, vm_mac));
}

Test(ra, refuses_bad_solicitations)
{
    struct in6_addr src = addr("fe80::f816:3eff:fe12:3456");
    struct in6_addr any = in6addr_any;
    struct in6_addr dst = addr("ff02::2");
    struct ra_message m;
    uint8_t buf[64];
    size_t len = rs(buf, &src, true);

    /* From off link. */
    cr_assert_eq(ra_parse(&src, &dst, 64, buf, len, &m),
                 RA_PARSE_BAD_HOP_LIMIT);
    /* Truncated, or its checksum wrong. */
    cr_assert_eq(ra_parse(&src, &dst, 255, buf, 7, &m), RA_PARSE_TOO_SHORT);
    cr_assert_neq(ra_parse(&src, &dst, 255, buf, len - 1, &m),
                  RA_PARSE_OK);
    buf[12] ^= 1;
    cr_assert_eq(ra_parse(&src, &dst, 255, buf, len, &m),
                 RA_PARSE_BAD_CHECKSUM);
    /* An option of length 0 (an endless loop for a naive parser). */
    len = rs(buf, &src, true);
    buf[9] = 0;
    buf[2] = buf[3] = 0;
    cr_assert_neq(ra_parse(&src, &dst, 255, buf, len, &m), RA_PARSE_OK);
    /* A link-layer address from the unspecified address. */
    len = rs(buf, &any, true);
    cr_assert_eq(ra_parse(&any, &dst, 255, buf, len, &m),
                 RA_PARSE_SLL_FROM_UNSPECIFIED);
    len = rs(buf, &any, false);
    cr_assert_eq(ra_parse(&any, &dst, 255, buf, len, &m), RA_PARSE_OK);
    /* Another type, another code. */
    len = rs(buf, &src, false);
    buf[0] = 135;
    cr_assert_eq(ra_parse(&src, &dst, 255, buf, len, &m), RA_PARSE_BAD_TYPE);
    buf[0] = RA_TYPE_RS;
    buf[1] = 1;
    cr_assert_eq(ra_parse(&src, &dst, 255, buf, len, &m), RA_PARSE_BAD_CODE);
}

Test(ra, builds_advertisement_that_parses_back)
{
    struct ra_info ra = {
        .src_mac = router_mac,
        .cur_hop_limit = 64,
        .managed = false,
        .other = true,
        .router_lifetime = 600,
        .mtu = 1450,
        .n_prefixes = 2,
        .n_dns = 2,
        .dns_lifetime = 400,
    };
    in6_generate_lla(router_mac, &ra.src_ip);
    ra.prefixes[0] = (struct ra_prefix) {
        .prefix = addr("2001:db8:1::"), .plen = 64, .on_link = true,
        .autonomous = true, .valid_lifetime = 86400,
        .preferred_lifetime = 14400,
    };
    ra.prefixes[1] = (struct ra_prefix) {
        /* Host bits are cleared in the option. */
        .prefix = addr("2001:db8:2::5"), .plen = 64, .on_link = true,
        .autonomous = false, .valid_lifetime = 1, .preferred_lifetime = 1,
    };
    ra.dns[0] = addr("2001:db8::53");
    ra.dns[1] = addr("2001:db8::54");

    struct in6_addr all_nodes = addr("ff02::1");
    struct eth_addr all_nodes_mac = ETH_ADDR_C(33, 33, 00, 00, 00, 01);
    struct dp_packet p;
    dp_packet_init(&p, 64);
    ra_build(&ra, all_nodes_mac, &all_nodes, &p);

    const struct eth_header *eth = dp_packet_data(&p);
    cr_assert(eth_addr_equals(eth->eth_dst, all_nodes_mac));
    cr_assert(eth_addr_equals(eth->eth_src, router_mac));
    cr_assert_eq(eth->eth_type, htons(ETH_TYPE_IPV6));
    const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(&p);
    cr_assert_eq(ip6->ip6_hlim, 255);
    cr_assert_eq(ip6->ip6_nxt, IPPROTO_ICMPV6);
    size_t icmp_len = ntohs(ip6->ip6_plen);
    cr_assert_eq(icmp_len, dp_packet_l4_size(&p));
    /* Header 16, SLL 8, MTU 8, 2 prefixes 64, RDNSS 8 + 32. */
    cr_assert_eq(icmp_len, 16 + 8 + 8 + 64 + 40);

    struct in6_addr src, dst;
    memcpy(&src, &ip6->ip6_src, 16);
    memcpy(&dst, &ip6->ip6_dst, 16);
    cr_assert(ipv6_addr_equals(&src, &ra.src_ip));

    struct ra_message m;
    cr_assert_eq(ra_parse(&src, &dst, 255, dp_packet_l4(&p), icmp_len, &m),
                 RA_PARSE_OK);
    cr_assert_eq(m.type, RA_TYPE_RA);
    cr_assert(m.has_sll);
    cr_assert(eth_addr_equals(m.sll, router_mac));
    cr_assert_eq(m.ra.cur_hop_limit, 64);
    cr_assert(!m.ra.managed);
    cr_assert(m.ra.other);
    cr_assert_eq(m.ra.router_lifetime, 600);
    cr_assert_eq(m.ra.mtu, 1450);
    cr_assert_eq(m.ra.n_prefixes, 2);
    struct in6_addr p1 = addr("2001:db8:1::");
    struct in6_addr p2 = addr("2001:db8:2::");
    cr_assert(ipv6_addr_equals(&m.ra.prefixes[0].prefix, &p1));
    cr_assert(ipv6_addr_equals(&m.ra.prefixes[1].prefix, &p2));
    cr_assert_eq(m.ra.prefixes[0].plen, 64);
    cr_assert(m.ra.prefixes[0].autonomous && m.ra.prefixes[0].on_link);
    cr_assert(!m.ra.prefixes[1].autonomous);
    cr_assert_eq(m.ra.prefixes[0].valid_lifetime, 86400);
    cr_assert_eq(m.ra.prefixes[0].preferred_lifetime, 14400);
    cr_assert_eq(m.ra.n_dns, 2);
    cr_assert(ipv6_addr_equals(&m.ra.dns[1], &ra.dns[1]));
    cr_assert_eq(m.ra.dns_lifetime, 400);

    /* A router without a default route: lifetime 0, no options left. */
    ra.router_lifetime = 0;
    ra.mtu = 0;
    ra.n_prefixes = 0;
    ra.n_dns = 0;
    ra_build(&ra, all_nodes_mac, &all_nodes, &p);
    ip6 = dp_packet_l3(&p);
    cr_assert_eq(ntohs(ip6->ip6_plen), 16 + 8);
    cr_assert_eq(ra_parse(&src, &dst, 255, dp_packet_l4(&p), 24, &m),
                 RA_PARSE_OK);
    cr_assert_eq(m.ra.router_lifetime, 0);
    dp_packet_uninit(&p);
}

Test(ra, eui64_as_neutron)
{
    /* Neutron: ipv6_utils.get_ipv6_addr_by_EUI64('2001:db8::/64',
     * 'fa:16:3e:12:34:56') == 2001:db8::f816:3eff:fe12:3456. */
    struct in6_addr prefix = addr("2001:db8::");
    struct in6_addr want = addr("2001:db8::f816:3eff:fe12:3456");
    struct in6_addr got;
    ra_eui64(&prefix, vm_mac, &got);
    cr_assert(ipv6_addr_equals(&got, &want));

    /* The universal/local bit is flipped, not set; host bits of the
     * prefix are ignored. */
    struct eth_addr local = ETH_ADDR_C(02, 00, 00, 00, 00, 01);
    prefix = addr("2001:db8:0:1::77");
    want = addr("2001:db8:0:1:0:ff:fe00:1");
    ra_eui64(&prefix, local, &got);
    cr_assert(ipv6_addr_equals(&got, &want));
}
