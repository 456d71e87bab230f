/*
 * libFuzzer target for pipeline/dhcp6: the input is the UDP payload a VM
 * sent to port 547.  The parser must not read outside it; what it accepts
 * is answered for a stateful and a stateless lease, and each answer must
 * build into a frame whose UDP checksum holds and whose message carries
 * our server identifier and the client's.  Built and run with fuzz-dhcp
 * ("make fuzz", "make fuzz-run").
 */

#include <config.h>

#include <netinet/ip6.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "pipeline/dhcp6.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_answer(const struct dhcp6_request *req, const struct dhcp6_lease *l)
{
    struct dhcp6_answer a;
    struct dp_packet p;
    struct in6_addr dst;

    if (!dhcp6_decide(req, l, &a)) {
        return;
    }
    ovs_assert(a.type == DHCP6_ADVERTISE || a.type == DHCP6_REPLY);
    in6_generate_lla(eth_addr_broadcast, &dst);
    dp_packet_init(&p, 64);
    dhcp6_build_reply(req, l, &a, eth_addr_broadcast, &dst, &p);

    const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(&p);
    const struct udp_header *udp = dp_packet_l4(&p);
    size_t udp_len = ntohs(udp->udp_len);
    ovs_assert(udp_len == dp_packet_l4_size(&p));
    ovs_assert(udp_len - UDP_HEADER_LEN <= DHCP6_MAX_REPLY);
    ovs_assert(!csum_finish(csum_continue(packet_csum_pseudoheader6(ip6),
                                          udp, udp_len)));
    const uint8_t *msg = (const uint8_t *) (udp + 1);
    size_t len = udp_len - UDP_HEADER_LEN, olen;
    ovs_assert(msg[0] == a.type && !memcmp(msg + 1, req->xid, 3));
    ovs_assert(dhcp6_option_find(msg + 4, len - 4, DHCP6_OPT_SERVERID,
                                 &olen) && olen == 10);
    if (req->client_id_len) {
        const uint8_t *c = dhcp6_option_find(msg + 4, len - 4,
                                             DHCP6_OPT_CLIENTID, &olen);
        ovs_assert(c && olen == req->client_id_len
                   && !memcmp(c, req->client_id, olen));
    }
    dp_packet_uninit(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dhcp6_request req;

    /* A private copy, so that the sanitizer sees any read past 'size'. */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    if (dhcp6_parse(copy, size, &req) == DHCP6_PARSE_OK) {
        struct dhcp6_lease l;

        memset(&l, 0, sizeof l);
        l.server_mac = (struct eth_addr) ETH_ADDR_C(02, 00, a9, fe, a9, fe);
        ovs_assert(ipv6_parse("2001:db8::", &l.links[0]));
        l.link_plens[0] = 64;
        l.n_links = 1;
        l.n_dns = DHCP6_MAX_DNS;
        l.valid_lifetime = l.preferred_lifetime = 86400;
        strcpy(l.domain, "openstacklocal");
        check_answer(&req, &l);         /* Stateless. */

        l.n_addrs = DHCP6_MAX_ADDRS;
        ovs_assert(ipv6_parse("2001:db8::10", &l.addrs[0]));
        check_answer(&req, &l);         /* Stateful. */
    }
    free(copy);
    return 0;
}
