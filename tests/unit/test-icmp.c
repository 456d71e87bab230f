/*
 * Unit tests of pipeline/icmp: the ICMP errors a router sends, and the
 * packets it must not answer with one.
 */

#include <config.h>

#include <criterion/criterion.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "pipeline/icmp.h"

static const struct eth_addr vm_mac = ETH_ADDR_C(fa, 16, 3e, 00, 00, 01);
static const struct eth_addr router_mac = ETH_ADDR_C(fa, 16, 3e, ff, 00, 01);

/* A UDP packet from 192.168.10.11 to 192.168.20.12 with 'payload' bytes of
 * data, DF set if 'df', fragment offset 'frag_off'. */
static size_t
udp_frame(uint8_t *buf, size_t payload, bool df, uint16_t frag_off,
          uint8_t proto, uint8_t icmp_type)
{
    struct eth_header *eth = (struct eth_header *) buf;
    struct ip_header *ip = (struct ip_header *) (buf + ETH_HEADER_LEN);
    size_t l4 = 8 + payload;

    memset(buf, 0, ETH_HEADER_LEN + IP_HEADER_LEN + l4);
    eth->eth_dst = router_mac;
    eth->eth_src = vm_mac;
    eth->eth_type = htons(ETH_TYPE_IP);
    ip->ip_ihl_ver = IP_IHL_VER(5, 4);
    ip->ip_tot_len = htons(IP_HEADER_LEN + l4);
    ip->ip_frag_off = htons((df ? IP_DONT_FRAGMENT : 0) | frag_off);
    ip->ip_ttl = 1;
    ip->ip_proto = proto;
    put_16aligned_be32(&ip->ip_src, htonl(0xc0a80a0b));
    put_16aligned_be32(&ip->ip_dst, htonl(0xc0a8140c));
    ip->ip_csum = csum(ip, IP_HEADER_LEN);
    buf[ETH_HEADER_LEN + IP_HEADER_LEN] = icmp_type;
    return ETH_HEADER_LEN + IP_HEADER_LEN + l4;
}

Test(icmp, time_exceeded_quotes_header_and_data)
{
    uint8_t buf[2048];
    size_t len = udp_frame(buf, 100, false, 0, IPPROTO_UDP, 0);
    struct dp_packet out;

    dp_packet_init(&out, 128);
    cr_assert(icmp_build_error(buf, len, router_mac, htonl(0xc0a80a01),
                               ICMP4_TIME_EXCEEDED, 0, 0, &out));
    const struct eth_header *eth = dp_packet_data(&out);
    cr_assert(eth_addr_equals(eth->eth_dst, vm_mac));
    cr_assert(eth_addr_equals(eth->eth_src, router_mac));
    const struct ip_header *ip = dp_packet_l3(&out);
    cr_assert_eq(get_16aligned_be32(&ip->ip_src), htonl(0xc0a80a01));
    cr_assert_eq(get_16aligned_be32(&ip->ip_dst), htonl(0xc0a80a0b));
    cr_assert_eq(csum(ip, IP_HEADER_LEN), 0);
    const struct icmp_header *icmp = dp_packet_l4(&out);
    cr_assert_eq(icmp->icmp_type, ICMP4_TIME_EXCEEDED);
    /* The IP header and ICMP_QUOTE bytes of what followed it. */
    size_t quote = IP_HEADER_LEN + ICMP_QUOTE;
    cr_assert_eq(ntohs(ip->ip_tot_len), IP_HEADER_LEN + ICMP_HEADER_LEN
                 + quote);
    cr_assert_eq(memcmp(icmp + 1, buf + ETH_HEADER_LEN, quote), 0);
    cr_assert_eq(csum(icmp, ICMP_HEADER_LEN + quote), 0);
    dp_packet_uninit(&out);
}

Test(icmp, frag_needed_carries_the_mtu)
{
    uint8_t buf[2048];
    size_t len = udp_frame(buf, 1472, true, 0, IPPROTO_UDP, 0);
    struct dp_packet out;

    cr_assert(icmp_dont_fragment(buf, len));
    dp_packet_init(&out, 128);
    cr_assert(icmp_build_error(buf, len, router_mac, htonl(0xc0a80a01),
                               ICMP4_DST_UNREACH, ICMP_CODE_FRAG_NEEDED,
                               1300, &out));
    const struct icmp_header *icmp = dp_packet_l4(&out);
    cr_assert_eq(icmp->icmp_code, ICMP_CODE_FRAG_NEEDED);
    cr_assert_eq(ntohs(icmp->icmp_fields.frag.mtu), 1300);
    dp_packet_uninit(&out);
}

Test(icmp, short_packet_quoted_whole)
{
    uint8_t buf[2048];
    size_t len = udp_frame(buf, 0, false, 0, IPPROTO_UDP, 0);
    struct dp_packet out;

    cr_assert(!icmp_dont_fragment(buf, len));
    dp_packet_init(&out, 128);
    cr_assert(icmp_build_error(buf, len, router_mac, htonl(1),
                               ICMP4_DST_UNREACH, 0, 0, &out));
    const struct ip_header *ip = dp_packet_l3(&out);
    cr_assert_eq(ntohs(ip->ip_tot_len),
                 IP_HEADER_LEN + ICMP_HEADER_LEN + IP_HEADER_LEN + 8);
    dp_packet_uninit(&out);
}

Test(icmp, no_error_about_errors_fragments_or_garbage)
{
    uint8_t buf[2048];
    struct dp_packet out;
    size_t len;

    dp_packet_init(&out, 128);
    /* An ICMP error (time exceeded) gets none; an echo request does. */
    len = udp_frame(buf, 20, false, 0, IPPROTO_ICMP, ICMP4_TIME_EXCEEDED);
    cr_assert(!icmp_build_error(buf, len, router_mac, htonl(1),
                                ICMP4_TIME_EXCEEDED, 0, 0, &out));
    len = udp_frame(buf, 20, false, 0, IPPROTO_ICMP, ICMP4_ECHO_REQUEST);
    cr_assert(icmp_build_error(buf, len, router_mac, htonl(1),
                               ICMP4_TIME_EXCEEDED, 0, 0, &out));
    /* A non-first fragment gets none. */
    len = udp_frame(buf, 20, false, 100, IPPROTO_UDP, 0);
    cr_assert(!icmp_build_error(buf, len, router_mac, htonl(1),
                                ICMP4_TIME_EXCEEDED, 0, 0, &out));
    /* Truncated and non-IPv4 frames get none, and do not crash. */
    len = udp_frame(buf, 20, false, 0, IPPROTO_UDP, 0);
    for (size_t i = 0; i < ETH_HEADER_LEN + IP_HEADER_LEN; i++) {
        cr_assert(!icmp_build_error(buf, i, router_mac, htonl(1),
                                    ICMP4_TIME_EXCEEDED, 0, 0, &out));
    }
    buf[ETH_HEADER_LEN] = IP_IHL_VER(15, 4);
    cr_assert(!icmp_build_error(buf, ETH_HEADER_LEN + 30, router_mac,
                                htonl(1), ICMP4_TIME_EXCEEDED, 0, 0, &out));
    ((struct eth_header *) buf)->eth_type = htons(ETH_TYPE_ARP);
    cr_assert(!icmp_build_error(buf, len, router_mac, htonl(1),
                                ICMP4_TIME_EXCEEDED, 0, 0, &out));
    /* A broadcast destination gets none. */
    len = udp_frame(buf, 20, false, 0, IPPROTO_UDP, 0);
    ((struct eth_header *) buf)->eth_dst = eth_addr_broadcast;
    cr_assert(!icmp_build_error(buf, len, router_mac, htonl(1),
                                ICMP4_TIME_EXCEEDED, 0, 0, &out));
    dp_packet_uninit(&out);
}

/* An IPv6 packet from 2001:db8:1::10 to 2001:db8:2::10 with next header
 * 'proto', 'payload' bytes after the IPv6 header (the first being
 * 'icmp_type' for ICMPv6). */
static size_t
ip6_frame(uint8_t *buf, size_t payload, uint8_t proto, uint8_t icmp_type)
{
    struct eth_header *eth = (struct eth_header *) buf;
    struct ovs_16aligned_ip6_hdr *ip6
        = (struct ovs_16aligned_ip6_hdr *) (buf + ETH_HEADER_LEN);
    struct in6_addr src, dst;

    memset(buf, 0, ETH_HEADER_LEN + IPV6_HEADER_LEN + payload);
    eth->eth_dst = router_mac;
    eth->eth_src = vm_mac;
    eth->eth_type = htons(ETH_TYPE_IPV6);
    put_16aligned_be32(&ip6->ip6_ctlun.ip6_un1.ip6_un1_flow,
                       htonl(6u << 28));
    ip6->ip6_ctlun.ip6_un1.ip6_un1_plen = htons(payload);
    ip6->ip6_ctlun.ip6_un1.ip6_un1_nxt = proto;
    ip6->ip6_ctlun.ip6_un1.ip6_un1_hlim = 1;
    cr_assert(ipv6_parse("2001:db8:1::10", &src));
    cr_assert(ipv6_parse("2001:db8:2::10", &dst));
    memcpy(&ip6->ip6_src, &src, sizeof src);
    memcpy(&ip6->ip6_dst, &dst, sizeof dst);
    for (size_t i = 0; i < payload; i++) {
        buf[ETH_HEADER_LEN + IPV6_HEADER_LEN + i] = i & 0xff;
    }
    buf[ETH_HEADER_LEN + IPV6_HEADER_LEN] = icmp_type;
    return ETH_HEADER_LEN + IPV6_HEADER_LEN + payload;
}

/* Checks 'out' as an ICMPv6 error of 'type'/'code'/'param' from 'router'
 * to 2001:db8:1::10 quoting 'quote' bytes of 'buf''s IPv6 packet. */
static void
check_icmp6(const struct dp_packet *out, const uint8_t *buf,
            const struct in6_addr *router, uint8_t type, uint8_t code,
            uint32_t param, size_t quote)
{
    const struct eth_header *eth = dp_packet_data(out);
    cr_assert(eth_addr_equals(eth->eth_dst, vm_mac));
    cr_assert(eth_addr_equals(eth->eth_src, router_mac));
    cr_assert_eq(eth->eth_type, htons(ETH_TYPE_IPV6));
    const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(out);
    cr_assert_eq(memcmp(&ip6->ip6_src, router, 16), 0);
    cr_assert_eq(memcmp(&ip6->ip6_dst, buf + ETH_HEADER_LEN + 8, 16), 0);
    cr_assert_eq(ip6->ip6_ctlun.ip6_un1.ip6_un1_nxt, IPPROTO_ICMPV6);
    cr_assert_eq(ip6->ip6_ctlun.ip6_un1.ip6_un1_hlim, 64);
    cr_assert_eq(ntohs(ip6->ip6_ctlun.ip6_un1.ip6_un1_plen),
                 ICMP6_DATA_HEADER_LEN + quote);
    cr_assert_eq(dp_packet_size(out), ETH_HEADER_LEN + IPV6_HEADER_LEN
                 + ICMP6_DATA_HEADER_LEN + quote);
    const struct icmp6_data_header *icmp = dp_packet_l4(out);
    cr_assert_eq(icmp->icmp6_base.icmp6_type, type);
    cr_assert_eq(icmp->icmp6_base.icmp6_code, code);
    cr_assert_eq(ntohl(get_16aligned_be32(icmp->icmp6_data.be32)), param);
    cr_assert_eq(memcmp(icmp + 1, buf + ETH_HEADER_LEN, quote), 0);
    /* The checksum over the pseudo-header and the message is right. */
    cr_assert_eq(packet_csum_upperlayer6(ip6, icmp, IPPROTO_ICMPV6,
                                         ICMP6_DATA_HEADER_LEN + quote), 0);
}

Test(icmp6, time_exceeded_quotes_the_packet)
{
    uint8_t buf[2048];
    size_t len = ip6_frame(buf, 100, IPPROTO_UDP, 0);
    struct in6_addr router;
    struct dp_packet out;

    cr_assert(ipv6_parse("2001:db8:1::1", &router));
    dp_packet_init(&out, 64);
    cr_assert(icmp6_build_error(buf, len, router_mac, &router,
                                ICMP6_TIME_EXCEEDED,
                                ICMP6_TIME_EXCEED_TRANSIT, 0, &out));
    check_icmp6(&out, buf, &router, ICMP6_TIME_EXCEEDED,
                ICMP6_TIME_EXCEED_TRANSIT, 0, IPV6_HEADER_LEN + 100);
    dp_packet_uninit(&out);
}

Test(icmp6, packet_too_big_carries_the_mtu_within_1280_bytes)
{
    uint8_t buf[2048];
    size_t len = ip6_frame(buf, 1452, IPPROTO_ICMPV6, ICMP6_ECHO_REQUEST);
    struct in6_addr router;
    struct dp_packet out;

    cr_assert(ipv6_parse("2001:db8:1::1", &router));
    dp_packet_init(&out, 64);
    cr_assert(icmp6_build_error(buf, len, router_mac, &router,
                                ICMP6_PACKET_TOO_BIG, 0, 1400, &out));
    /* No more than IPv6's minimum MTU in all. */
    check_icmp6(&out, buf, &router, ICMP6_PACKET_TOO_BIG, 0, 1400,
                ICMP6_MIN_MTU - IPV6_HEADER_LEN - ICMP6_DATA_HEADER_LEN);
    cr_assert_eq(dp_packet_size(&out) - ETH_HEADER_LEN, ICMP6_MIN_MTU);
    dp_packet_uninit(&out);
}

Test(icmp6, no_error_about_errors_multicast_or_garbage)
{
    uint8_t buf[2048];
    struct in6_addr router, any = in6addr_any;
    struct dp_packet out;
    size_t len;

    cr_assert(ipv6_parse("2001:db8:1::1", &router));
    dp_packet_init(&out, 64);
    /* An ICMPv6 error (type < 128) gets none; an echo request does. */
    len = ip6_frame(buf, 20, IPPROTO_ICMPV6, ICMP6_TIME_EXCEEDED);
    cr_assert(!icmp6_build_error(buf, len, router_mac, &router,
                                 ICMP6_TIME_EXCEEDED, 0, 0, &out));
    len = ip6_frame(buf, 20, IPPROTO_ICMPV6, ICMP6_ECHO_REQUEST);
    cr_assert(icmp6_build_error(buf, len, router_mac, &router,
                                ICMP6_TIME_EXCEEDED, 0, 0, &out));
    /* No source address for the error: none. */
    cr_assert(!icmp6_build_error(buf, len, router_mac, &any,
                                 ICMP6_TIME_EXCEEDED, 0, 0, &out));
    /* A multicast destination or an unspecified source: none. */
    len = ip6_frame(buf, 20, IPPROTO_UDP, 0);
    buf[ETH_HEADER_LEN + 24] = 0xff;
    cr_assert(!icmp6_build_error(buf, len, router_mac, &router,
                                 ICMP6_DST_UNREACH, 0, 0, &out));
    len = ip6_frame(buf, 20, IPPROTO_UDP, 0);
    memset(buf + ETH_HEADER_LEN + 8, 0, 16);
    cr_assert(!icmp6_build_error(buf, len, router_mac, &router,
                                 ICMP6_DST_UNREACH, 0, 0, &out));
    /* Truncated, not version 6, or not IPv6 at all: none, no crash. */
    len = ip6_frame(buf, 20, IPPROTO_UDP, 0);
    for (size_t i = 0; i < ETH_HEADER_LEN + IPV6_HEADER_LEN; i++) {
        cr_assert(!icmp6_build_error(buf, i, router_mac, &router,
                                     ICMP6_DST_UNREACH, 0, 0, &out));
    }
    buf[ETH_HEADER_LEN] = 0x45;
    cr_assert(!icmp6_build_error(buf, len, router_mac, &router,
                                 ICMP6_DST_UNREACH, 0, 0, &out));
    len = udp_frame(buf, 20, false, 0, IPPROTO_UDP, 0);
    cr_assert(!icmp6_build_error(buf, len, router_mac, &router,
                                 ICMP6_DST_UNREACH, 0, 0, &out));
    /* A payload length beyond the frame quotes only what is there. */
    len = ip6_frame(buf, 20, IPPROTO_UDP, 0);
    buf[ETH_HEADER_LEN + 4] = 0x7f;
    cr_assert(icmp6_build_error(buf, len, router_mac, &router,
                                ICMP6_DST_UNREACH, 0, 0, &out));
    cr_assert_eq(dp_packet_size(&out), ETH_HEADER_LEN + IPV6_HEADER_LEN
                 + ICMP6_DATA_HEADER_LEN + IPV6_HEADER_LEN + 20);
    dp_packet_uninit(&out);
}

/* An error that quotes a header with options (60 bytes) and 64 bytes more
 * outgrows a small buffer: the ICMP checksum must land in the packet as it
 * is after the quote is added, not in the buffer it had before (a write
 * into freed memory that AddressSanitizer reports; without it, realloc
 * may grow in place and hide it). */
Test(icmp, error_quoting_ip_options_outgrows_the_buffer)
{
    uint8_t buf[2048], opt[2048];
    size_t len = udp_frame(buf, 100, false, 0, IPPROTO_UDP, 0);
    struct dp_packet out;

    /* The same packet with 40 bytes of options (NOPs) after its header. */
    memcpy(opt, buf, ETH_HEADER_LEN + IP_HEADER_LEN);
    memset(opt + ETH_HEADER_LEN + IP_HEADER_LEN, 1, 40);
    memcpy(opt + ETH_HEADER_LEN + IP_HEADER_LEN + 40,
           buf + ETH_HEADER_LEN + IP_HEADER_LEN, len - ETH_HEADER_LEN
           - IP_HEADER_LEN);
    struct ip_header *ip = (struct ip_header *) (opt + ETH_HEADER_LEN);
    ip->ip_ihl_ver = IP_IHL_VER(15, 4);
    ip->ip_tot_len = htons(ntohs(ip->ip_tot_len) + 40);
    ip->ip_csum = 0;
    ip->ip_csum = csum(ip, 60);
    len += 40;

    dp_packet_init(&out, 16);
    cr_assert(icmp_build_error(opt, len, router_mac, htonl(0xc0a80a01),
                               ICMP4_TIME_EXCEEDED, 0, 0, &out));
    const struct ip_header *nip = dp_packet_l3(&out);
    size_t quote = 60 + ICMP_QUOTE;
    cr_assert_eq(ntohs(nip->ip_tot_len), IP_HEADER_LEN + ICMP_HEADER_LEN
                 + quote);
    const struct icmp_header *icmp = dp_packet_l4(&out);
    cr_assert_eq(memcmp(icmp + 1, opt + ETH_HEADER_LEN, quote), 0);
    cr_assert_eq(csum(icmp, ICMP_HEADER_LEN + quote), 0);
    dp_packet_uninit(&out);
}
