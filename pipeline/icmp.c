/*
 * pipeline/icmp: see icmp.h.
 */

#include <config.h>

#include "pipeline/icmp.h"

#include <netinet/ip6.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "packets.h"

/* Returns the IPv4 header of 'frame' (an untagged Ethernet frame) if it is
 * well formed, with its header length in '*ihl'. */
static const struct ip_header *
parse_ipv4(const void *frame, size_t len, size_t *ihl)
{
    const struct eth_header *eth = frame;
    const struct ip_header *ip;

    if (len < ETH_HEADER_LEN + IP_HEADER_LEN
        || eth->eth_type != htons(ETH_TYPE_IP)) {
        return NULL;
    }
    ip = (const struct ip_header *) ((const uint8_t *) frame
                                     + ETH_HEADER_LEN);
    *ihl = IP_IHL(ip->ip_ihl_ver) * 4;
    if (IP_VER(ip->ip_ihl_ver) != 4 || *ihl < IP_HEADER_LEN
        || len < ETH_HEADER_LEN + *ihl
        || ntohs(ip->ip_tot_len) < *ihl) {
        return NULL;
    }
    return ip;
}

bool
icmp_dont_fragment(const void *frame, size_t len)
{
    size_t ihl;
    const struct ip_header *ip = parse_ipv4(frame, len, &ihl);

    return ip && (ip->ip_frag_off & htons(IP_DONT_FRAGMENT));
}

bool
icmp_build_error(const void *frame, size_t len, struct eth_addr src_mac,
                 ovs_be32 src_ip, uint8_t type, uint8_t code, uint16_t mtu,
                 struct dp_packet *out)
{
    const struct eth_header *eth = frame;
    size_t ihl;
    const struct ip_header *ip = parse_ipv4(frame, len, &ihl);

    if (!ip || eth_addr_is_multicast(eth->eth_src)
        || eth_addr_is_multicast(eth->eth_dst)) {
        return false;
    }
    ovs_be32 ip_src = get_16aligned_be32(&ip->ip_src);
    ovs_be32 ip_dst = get_16aligned_be32(&ip->ip_dst);
    if (ip_is_multicast(ip_src) || ip_is_multicast(ip_dst)
        || ip_src == htonl(INADDR_BROADCAST)
        || ip_dst == htonl(INADDR_BROADCAST) || !ip_src
        || ip->ip_frag_off & htons(IP_FRAG_OFF_MASK)) {
        return false;
    }

    /* Never an error about an error. */
    const uint8_t *l4 = (const uint8_t *) ip + ihl;
    size_t l4_len = MIN(len - ETH_HEADER_LEN, ntohs(ip->ip_tot_len)) - ihl;
    if (ip->ip_proto == IPPROTO_ICMP) {
        if (l4_len < 1) {
            return false;
        }
        uint8_t t = l4[0];
        if (t != ICMP4_ECHO_REQUEST && t != ICMP4_ECHO_REPLY
            && t != 13 && t != 14) {
            return false;
        }
    }
    size_t quote = ihl + MIN(l4_len, (size_t) ICMP_QUOTE);

    dp_packet_clear(out);
    struct eth_header *neth = dp_packet_put_zeros(out, sizeof *neth);
    neth->eth_dst = eth->eth_src;
    neth->eth_src = src_mac;
    neth->eth_type = htons(ETH_TYPE_IP);
    dp_packet_set_l3(out, dp_packet_tail(out));

    struct ip_header *nip = dp_packet_put_zeros(out, sizeof *nip);
    nip->ip_ihl_ver = IP_IHL_VER(5, 4);
    nip->ip_tot_len = htons(IP_HEADER_LEN + ICMP_HEADER_LEN + quote);
    nip->ip_ttl = 64;
    nip->ip_proto = IPPROTO_ICMP;
    put_16aligned_be32(&nip->ip_src, src_ip);
    put_16aligned_be32(&nip->ip_dst, ip_src);
    nip->ip_csum = csum(nip, sizeof *nip);

    dp_packet_set_l4(out, dp_packet_tail(out));
    struct icmp_header *icmp = dp_packet_put_zeros(out, sizeof *icmp);
    icmp->icmp_type = type;
    icmp->icmp_code = code;
    if (type == ICMP4_DST_UNREACH && code == ICMP_CODE_FRAG_NEEDED) {
        icmp->icmp_fields.frag.mtu = htons(mtu);
    }
    dp_packet_put(out, ip, quote);
    icmp = dp_packet_l4(out);       /* The put may have moved the data. */
    icmp->icmp_csum = csum(icmp, ICMP_HEADER_LEN + quote);
    return true;
}

bool
icmp6_build_error(const void *frame, size_t len, struct eth_addr src_mac,
                  const struct in6_addr *src_ip, uint8_t type, uint8_t code,
                  uint32_t param, struct dp_packet *out)
{
    const struct eth_header *eth = frame;
    const size_t hdrs = ETH_HEADER_LEN + IPV6_HEADER_LEN;

    if (len < hdrs || eth->eth_type != htons(ETH_TYPE_IPV6)
        || eth_addr_is_multicast(eth->eth_src)
        || eth_addr_is_multicast(eth->eth_dst)
        || !ipv6_addr_is_set(src_ip)) {
        return false;
    }
    const struct ovs_16aligned_ip6_hdr *ip6
        = (const void *) ((const uint8_t *) frame + ETH_HEADER_LEN);
    if ((ntohl(get_16aligned_be32(&ip6->ip6_flow)) >> 28) != 6) {
        return false;
    }
    struct in6_addr ip_src, ip_dst;
    memcpy(&ip_src, &ip6->ip6_src, sizeof ip_src);
    memcpy(&ip_dst, &ip6->ip6_dst, sizeof ip_dst);
    if (!ipv6_addr_is_set(&ip_src) || ipv6_addr_is_multicast(&ip_src)
        || ipv6_addr_is_multicast(&ip_dst)) {
        return false;
    }

    /* The packet as it is (no more than its payload length says), and
     * never an error about an error.  Only an ICMPv6 header right after
     * the IPv6 header is looked at: an error behind extension headers is
     * answered, as RFC 4443 2.4 (e.1) asks only best effort. */
    size_t pkt_len = MIN(len - ETH_HEADER_LEN,
                         IPV6_HEADER_LEN + ntohs(ip6->ip6_plen));
    if (ip6->ip6_nxt == IPPROTO_ICMPV6) {
        const uint8_t *l4 = (const uint8_t *) ip6 + IPV6_HEADER_LEN;
        if (pkt_len < IPV6_HEADER_LEN + 1 || l4[0] < 128) {
            return false;
        }
    }
    size_t quote = MIN(pkt_len, (size_t) ICMP6_MIN_MTU - IPV6_HEADER_LEN
                                - ICMP6_DATA_HEADER_LEN);

    dp_packet_clear(out);
    struct eth_header *neth = dp_packet_put_zeros(out, sizeof *neth);
    neth->eth_dst = eth->eth_src;
    neth->eth_src = src_mac;
    neth->eth_type = htons(ETH_TYPE_IPV6);
    dp_packet_set_l3(out, dp_packet_tail(out));

    struct ovs_16aligned_ip6_hdr *nip = dp_packet_put_zeros(out,
                                                            sizeof *nip);
    put_16aligned_be32(&nip->ip6_flow, htonl(6u << 28));
    nip->ip6_plen = htons(ICMP6_DATA_HEADER_LEN + quote);
    nip->ip6_nxt = IPPROTO_ICMPV6;
    nip->ip6_hlim = 64;
    memcpy(&nip->ip6_src, src_ip, sizeof nip->ip6_src);
    memcpy(&nip->ip6_dst, &ip_src, sizeof nip->ip6_dst);

    dp_packet_set_l4(out, dp_packet_tail(out));
    struct icmp6_data_header *icmp = dp_packet_put_zeros(out,
                                                         sizeof *icmp);
    icmp->icmp6_base.icmp6_type = type;
    icmp->icmp6_base.icmp6_code = code;
    put_16aligned_be32(icmp->icmp6_data.be32, htonl(param));
    dp_packet_put(out, ip6, quote);

    /* The put may have moved the data: the headers again, by offset. */
    nip = dp_packet_l3(out);
    icmp = dp_packet_l4(out);
    icmp->icmp6_base.icmp6_cksum = packet_csum_upperlayer6(
        nip, icmp, IPPROTO_ICMPV6, ICMP6_DATA_HEADER_LEN + quote);
    return true;
}
