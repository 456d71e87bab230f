/*
 * Unit tests of pipeline/dhcp: the parser takes well-formed client messages
 * and rejects malformed, truncated and oversized ones with the right code;
 * the server answers each message type as RFC 2131 says; the reply frame
 * carries every option of the lease, with correct checksums, the default
 * route in option 121 (RFC 3442) and long options split (RFC 3396).
 */

#include <config.h>

#include <criterion/criterion.h>
#include <string.h>

#include "csum.h"
#include "lib/dhcp.h"
#include "dp-packet.h"
#include "flow.h"
#include "packets.h"
#include "pipeline/dhcp.h"

static const struct eth_addr client_mac
    = ETH_ADDR_C(fa, 16, 3e, 00, 00, 01);

/* Writes a client message of 'type' into 'buf' (at least 548 bytes) with
 * the given options after the type; returns its length. */
static size_t
make_request(uint8_t *buf, uint8_t type, ovs_be32 ciaddr,
             const uint8_t *extra, size_t extra_len)
{
    struct dhcp_header *h = (struct dhcp_header *) buf;
    ovs_be32 cookie = htonl(DHCP_MAGIC_COOKIE);
    uint8_t *p = buf + DHCP_HEADER_LEN;

    memset(buf, 0, 548);
    h->op = DHCP_OP_REQUEST;
    h->htype = 1;
    h->hlen = 6;
    h->xid = htonl(0x12345678);
    h->ciaddr = ciaddr;
    memcpy(h->chaddr, client_mac.ea, 6);
    memcpy(p, &cookie, 4);
    p += 4;
    *p++ = DHCPV4_OPT_MSG_TYPE;
    *p++ = 1;
    *p++ = type;
    if (extra_len) {
        memcpy(p, extra, extra_len);
        p += extra_len;
    }
    *p++ = DHCPV4_OPT_END;
    return 300;
}

static void
make_lease(struct dhcp_lease *l)
{
    memset(l, 0, sizeof *l);
    l->server_mac = (struct eth_addr) ETH_ADDR_C(fa, 16, 3e, ff, ff, fe);
    l->server_ip = htonl(0x0a000001);           /* 10.0.0.1 */
    l->ip = htonl(0x0a00000b);                  /* 10.0.0.11 */
    l->netmask = htonl(0xffffff00);
    l->router = htonl(0x0a000001);
    l->dns[0] = htonl(0x08080808);
    l->dns[1] = htonl(0x01010101);
    l->n_dns = 2;
    l->routes[0] = (struct dhcp_route) {
        .dst = htonl(0xac100000), .plen = 12, .gw = htonl(0x0a000005),
    };
    l->n_routes = 1;
    l->mtu = 1442;
    l->lease_time = 86400;
    strcpy(l->hostname, "vm-one");
    strcpy(l->domain, "openstacklocal");
}

Test(dhcp_parse, discover)
{
    uint8_t buf[548];
    struct dhcp_request req;
    size_t n = make_request(buf, DHCPV4_DISCOVER, 0, NULL, 0);

    cr_assert_eq(dhcp_parse_request(buf, n, &req), DHCP_PARSE_OK);
    cr_assert_eq(req.type, DHCPV4_DISCOVER);
    cr_assert_eq(req.xid, htonl(0x12345678));
    cr_assert(eth_addr_equals(req.chaddr, client_mac));
    cr_assert_eq(req.requested_ip, 0);
}

Test(dhcp_parse, request_options)
{
    uint8_t buf[548];
    uint8_t opts[] = { 0, 0, 50, 4, 10, 0, 0, 11, 54, 4, 10, 0, 0, 1,
                       61, 7, 1, 0xfa, 0x16, 0x3e, 0, 0, 1 };
    struct dhcp_request req;
    size_t n = make_request(buf, DHCPV4_REQUEST, 0, opts, sizeof opts);

    cr_assert_eq(dhcp_parse_request(buf, n, &req), DHCP_PARSE_OK);
    cr_assert_eq(req.requested_ip, htonl(0x0a00000b));
    cr_assert_eq(req.server_id, htonl(0x0a000001));
}

Test(dhcp_parse, rejects_malformed)
{
    uint8_t buf[2048];
    struct dhcp_request req;
    size_t n;

    n = make_request(buf, DHCPV4_DISCOVER, 0, NULL, 0);
    for (size_t len = 0; len < DHCP_HEADER_LEN + 4; len++) {
        cr_assert_eq(dhcp_parse_request(buf, len, &req),
                     DHCP_PARSE_TRUNCATED, "length %zu", len);
    }
    /* Cut right after the cookie: no type. */
    cr_assert_eq(dhcp_parse_request(buf, DHCP_HEADER_LEN + 4, &req),
                 DHCP_PARSE_NO_TYPE);
    /* Cut inside the type option. */
    cr_assert_eq(dhcp_parse_request(buf, DHCP_HEADER_LEN + 6, &req),
                 DHCP_PARSE_BAD_OPTION);
    cr_assert_eq(dhcp_parse_request(buf, DHCP_MAX_REQUEST + 1, &req),
                 DHCP_PARSE_OVERSIZED);

    buf[0] = DHCP_OP_REPLY;
    cr_assert_eq(dhcp_parse_request(buf, n, &req), DHCP_PARSE_NOT_REQUEST);
    buf[0] = DHCP_OP_REQUEST;
    buf[2] = 16;
    cr_assert_eq(dhcp_parse_request(buf, n, &req), DHCP_PARSE_BAD_HW);
    buf[2] = 6;
    buf[DHCP_HEADER_LEN] = 0;
    cr_assert_eq(dhcp_parse_request(buf, n, &req), DHCP_PARSE_BAD_COOKIE);

    /* An option whose length runs past the end. */
    uint8_t long_opt[] = { 12, 200 };
    n = make_request(buf, DHCPV4_DISCOVER, 0, long_opt, sizeof long_opt);
    cr_assert_eq(dhcp_parse_request(buf, DHCP_HEADER_LEN + 4 + 3 + 2 + 10,
                                    &req), DHCP_PARSE_BAD_OPTION);
    /* A requested IP of the wrong size. */
    uint8_t bad_ip[] = { 50, 3, 10, 0, 0 };
    n = make_request(buf, DHCPV4_REQUEST, 0, bad_ip, sizeof bad_ip);
    cr_assert_eq(dhcp_parse_request(buf, n, &req), DHCP_PARSE_BAD_OPTION);
    /* A server's message type. */
    n = make_request(buf, DHCPV4_OFFER, 0, NULL, 0);
    cr_assert_eq(dhcp_parse_request(buf, n, &req), DHCP_PARSE_BAD_TYPE);
    /* Every result has a name. */
    for (int r = 0; r < DHCP_PARSE_N_RESULTS; r++) {
        cr_assert_str_neq(dhcp_parse_result_to_string(r), "unknown");
    }
}

Test(dhcp_reply, decisions)
{
    struct dhcp_lease l;
    struct dhcp_request req = { .type = DHCPV4_DISCOVER };

    make_lease(&l);
    cr_assert_eq(dhcp_reply_type(&req, &l), DHCPV4_OFFER);

    /* SELECTING: our server and our address. */
    req = (struct dhcp_request) { .type = DHCPV4_REQUEST,
                                  .server_id = l.server_ip,
                                  .requested_ip = l.ip };
    cr_assert_eq(dhcp_reply_type(&req, &l), DHCPV4_ACK);
    /* Another server was chosen: silence. */
    req.server_id = htonl(0x0a0000fe);
    cr_assert_eq(dhcp_reply_type(&req, &l), 0);
    /* INIT-REBOOT with a wrong address. */
    req = (struct dhcp_request) { .type = DHCPV4_REQUEST,
                                  .requested_ip = htonl(0x0a000063) };
    cr_assert_eq(dhcp_reply_type(&req, &l), DHCPV4_NAK);
    /* RENEWING: ciaddr. */
    req = (struct dhcp_request) { .type = DHCPV4_REQUEST, .ciaddr = l.ip };
    cr_assert_eq(dhcp_reply_type(&req, &l), DHCPV4_ACK);
    req.ciaddr = htonl(0x0a000063);
    cr_assert_eq(dhcp_reply_type(&req, &l), DHCPV4_NAK);

    req = (struct dhcp_request) { .type = DHCPV4_INFORM, .ciaddr = l.ip };
    cr_assert_eq(dhcp_reply_type(&req, &l), DHCPV4_ACK);
    req.type = DHCPV4_RELEASE;
    cr_assert_eq(dhcp_reply_type(&req, &l), 0);
    req.type = DHCPV4_DECLINE;
    cr_assert_eq(dhcp_reply_type(&req, &l), 0);
}

/* Parses the frame in 'b' and returns its DHCP payload and length after
 * checking the Ethernet, IP and UDP headers and both checksums. */
static const uint8_t *
check_frame(struct dp_packet *b, ovs_be32 ip_dst, size_t *len)
{
    struct flow flow;

    flow_extract(b, &flow);
    cr_assert(eth_addr_equals(flow.dl_dst, client_mac));
    cr_assert_eq(flow.dl_type, htons(ETH_TYPE_IP));
    cr_assert_eq(flow.nw_proto, IPPROTO_UDP);
    cr_assert_eq(flow.nw_src, htonl(0x0a000001));
    cr_assert_eq(flow.nw_dst, ip_dst);
    cr_assert_eq(flow.tp_src, htons(67));
    cr_assert_eq(flow.tp_dst, htons(68));

    struct ip_header *ip = dp_packet_l3(b);
    cr_assert_eq(csum(ip, IP_HEADER_LEN), 0, "bad IP checksum");
    struct udp_header *udp = dp_packet_l4(b);
    size_t udp_len = ntohs(udp->udp_len);
    cr_assert_eq(udp_len, dp_packet_l4_size(b));
    cr_assert_eq(csum_finish(csum_continue(packet_csum_pseudoheader(ip),
                                           udp, udp_len)), 0,
                 "bad UDP checksum");
    *len = udp_len - UDP_HEADER_LEN;
    cr_assert_geq(*len, 300);
    cr_assert_leq(*len, DHCP_MAX_REPLY);
    return (const uint8_t *) (udp + 1);
}

static uint32_t
opt_be32(const uint8_t *p, size_t len, uint8_t code)
{
    uint8_t buf[4];
    cr_assert_eq(dhcp_options_find(p, len, code, buf, sizeof buf), 4,
                 "option %d", code);
    ovs_be32 x;
    memcpy(&x, buf, 4);
    return ntohl(x);
}

Test(dhcp_reply, offer_has_every_option)
{
    struct dhcp_request req;
    struct dhcp_lease l;
    uint8_t buf[548], opt[512];
    struct dp_packet b;
    size_t n, len;

    make_lease(&l);
    n = make_request(buf, DHCPV4_DISCOVER, 0, NULL, 0);
    cr_assert_eq(dhcp_parse_request(buf, n, &req), DHCP_PARSE_OK);
    dp_packet_init(&b, 0);
    dhcp_build_reply(&req, &l, DHCPV4_OFFER, client_mac, &b);
    const uint8_t *p = check_frame(&b, l.ip, &len);

    const struct dhcp_header *h = (const struct dhcp_header *) p;
    cr_assert_eq(h->op, DHCP_OP_REPLY);
    cr_assert_eq(h->xid, htonl(0x12345678));
    cr_assert_eq(h->yiaddr, l.ip);
    cr_assert(!memcmp(h->chaddr, client_mac.ea, 6));

    cr_assert_eq(dhcp_options_find(p, len, DHCPV4_OPT_MSG_TYPE, opt, 1), 1);
    cr_assert_eq(opt[0], DHCPV4_OFFER);
    cr_assert_eq(opt_be32(p, len, DHCPV4_OPT_SERVER_ID), 0x0a000001);
    cr_assert_eq(opt_be32(p, len, DHCPV4_OPT_NETMASK), 0xffffff00);
    cr_assert_eq(opt_be32(p, len, DHCPV4_OPT_ROUTER), 0x0a000001);
    cr_assert_eq(opt_be32(p, len, DHCPV4_OPT_LEASE_TIME), 86400);
    cr_assert_eq(opt_be32(p, len, DHCPV4_OPT_T1), 43200);
    cr_assert_eq(opt_be32(p, len, DHCPV4_OPT_BROADCAST), 0x0a0000ff);
    cr_assert_eq(dhcp_options_find(p, len, DHCPV4_OPT_DNS, opt, sizeof opt),
                 8);
    cr_assert(!memcmp(opt, "\x08\x08\x08\x08\x01\x01\x01\x01", 8));
    cr_assert_eq(dhcp_options_find(p, len, DHCPV4_OPT_MTU, opt, sizeof opt),
                 2);
    cr_assert_eq(opt[0] << 8 | opt[1], 1442);
    int k = dhcp_options_find(p, len, DHCPV4_OPT_HOSTNAME, opt, sizeof opt);
    cr_assert_eq(k, 6);
    cr_assert(!memcmp(opt, "vm-one", 6));
    k = dhcp_options_find(p, len, DHCPV4_OPT_DOMAIN, opt, sizeof opt);
    cr_assert_eq(k, 14);
    cr_assert(!memcmp(opt, "openstacklocal", 14));

    /* 172.16.0.0/12 via 10.0.0.5, then the default via 10.0.0.1. */
    static const uint8_t routes[] = { 12, 172, 16, 10, 0, 0, 5,
                                      0, 10, 0, 0, 1 };
    k = dhcp_options_find(p, len, DHCPV4_OPT_CLASSLESS_ROUTES, opt,
                          sizeof opt);
    cr_assert_eq(k, sizeof routes);
    cr_assert(!memcmp(opt, routes, sizeof routes));
    dp_packet_uninit(&b);
}

Test(dhcp_reply, no_gateway_no_router)
{
    struct dhcp_request req = { .type = DHCPV4_DISCOVER,
                                .flags = htons(0x8000) };
    struct dhcp_lease l;
    uint8_t opt[512];
    struct dp_packet b;
    size_t len;

    make_lease(&l);
    l.router = 0;
    l.n_routes = 0;
    l.mtu = 0;
    l.hostname[0] = l.domain[0] = '\0';
    req.chaddr = client_mac;
    dp_packet_init(&b, 0);
    dhcp_build_reply(&req, &l, DHCPV4_OFFER, client_mac, &b);
    /* The broadcast flag: to 255.255.255.255. */
    const uint8_t *p = check_frame(&b, OVS_BE32_MAX, &len);
    for (uint8_t code = 1; code < 255; code++) {
        if (code == DHCPV4_OPT_ROUTER || code == DHCPV4_OPT_MTU
            || code == DHCPV4_OPT_CLASSLESS_ROUTES
            || code == DHCPV4_OPT_HOSTNAME || code == DHCPV4_OPT_DOMAIN) {
            cr_assert_eq(dhcp_options_find(p, len, code, opt, sizeof opt),
                         -1, "option %d present", code);
        }
    }
    dp_packet_uninit(&b);
}

Test(dhcp_reply, nak_and_renewal)
{
    struct dhcp_request req = { .type = DHCPV4_REQUEST,
                                .requested_ip = htonl(0x0a000063) };
    struct dhcp_lease l;
    uint8_t opt[512];
    struct dp_packet b;
    size_t len;

    make_lease(&l);
    dp_packet_init(&b, 0);
    dhcp_build_reply(&req, &l, DHCPV4_NAK, client_mac, &b);
    const uint8_t *p = check_frame(&b, OVS_BE32_MAX, &len);
    const struct dhcp_header *h = (const struct dhcp_header *) p;
    cr_assert_eq(h->yiaddr, 0);
    cr_assert_eq(dhcp_options_find(p, len, DHCPV4_OPT_LEASE_TIME, opt, 4),
                 -1);
    cr_assert_eq(opt_be32(p, len, DHCPV4_OPT_SERVER_ID), 0x0a000001);

    /* A renewal is unicast to the client's address. */
    req = (struct dhcp_request) { .type = DHCPV4_REQUEST, .ciaddr = l.ip };
    dhcp_build_reply(&req, &l, DHCPV4_ACK, client_mac, &b);
    p = check_frame(&b, l.ip, &len);
    h = (const struct dhcp_header *) p;
    cr_assert_eq(h->ciaddr, l.ip);
    cr_assert_eq(h->yiaddr, l.ip);

    /* INFORM: no address and no lease time. */
    req.type = DHCPV4_INFORM;
    dhcp_build_reply(&req, &l, DHCPV4_ACK, client_mac, &b);
    p = check_frame(&b, l.ip, &len);
    h = (const struct dhcp_header *) p;
    cr_assert_eq(h->yiaddr, 0);
    cr_assert_eq(dhcp_options_find(p, len, DHCPV4_OPT_LEASE_TIME, opt, 4),
                 -1);
    cr_assert_eq(opt_be32(p, len, DHCPV4_OPT_NETMASK), 0xffffff00);
    dp_packet_uninit(&b);
}

Test(dhcp_reply, long_routes_are_split)
{
    struct dhcp_request req = { .type = DHCPV4_DISCOVER };
    struct dhcp_lease l;
    uint8_t opt[1024];
    struct dp_packet b;
    size_t len;

    make_lease(&l);
    for (size_t i = 0; i < DHCP_MAX_ROUTES; i++) {
        l.routes[i] = (struct dhcp_route) {
            .dst = htonl(0xc0a80000 | i << 8), .plen = 24,
            .gw = htonl(0x0a000005),
        };
    }
    l.n_routes = DHCP_MAX_ROUTES;
    memset(l.hostname, 'h', DHCP_MAX_HOSTNAME);
    memset(l.domain, 'd', DHCP_MAX_DOMAIN);
    l.n_dns = DHCP_MAX_DNS;
    dp_packet_init(&b, 0);
    dhcp_build_reply(&req, &l, DHCPV4_OFFER, client_mac, &b);
    const uint8_t *p = check_frame(&b, l.ip, &len);

    /* 32 routes of 8 bytes plus the default's 5: two instances. */
    int k = dhcp_options_find(p, len, DHCPV4_OPT_CLASSLESS_ROUTES, opt,
                              sizeof opt);
    cr_assert_eq(k, DHCP_MAX_ROUTES * 8 + 5);
    cr_assert_eq(opt[31 * 8], 24);
    cr_assert_eq(opt[31 * 8 + 3], 31);
    cr_assert_eq(opt[DHCP_MAX_ROUTES * 8], 0);
    cr_assert_eq(dhcp_options_find(p, len, DHCPV4_OPT_HOSTNAME, opt,
                                   sizeof opt), DHCP_MAX_HOSTNAME);
    cr_assert_eq(dhcp_options_find(p, len, DHCPV4_OPT_DOMAIN, opt,
                                   sizeof opt), DHCP_MAX_DOMAIN);
    dp_packet_uninit(&b);
}
