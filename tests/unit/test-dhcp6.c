/*
 * Unit tests of pipeline/dhcp6: client messages parsed (and the malformed
 * ones refused), the answer chosen for each message type, and the reply
 * frames built and read back.
 */

#include <config.h>

#include <criterion/criterion.h>
#include <netinet/ip6.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "pipeline/dhcp6.h"

static const struct eth_addr server_mac = ETH_ADDR_C(02, 00, a9, fe, a9, fe);
static const struct eth_addr vm_mac = ETH_ADDR_C(fa, 16, 3e, 12, 34, 56);

static struct in6_addr
addr(const char *s)
{
    struct in6_addr a;
    cr_assert(ipv6_parse(s, &a), "%s", s);
    return a;
}

/* A message under construction. */
struct msg {
    uint8_t b[2048];
    size_t n;
};

static void
msg_start(struct msg *m, uint8_t type)
{
    m->b[0] = type;
    m->b[1] = 0x12;
    m->b[2] = 0x34;
    m->b[3] = 0x56;
    m->n = 4;
}

static void
msg_opt(struct msg *m, uint16_t code, const void *data, size_t len)
{
    m->b[m->n] = code >> 8;
    m->b[m->n + 1] = code;
    m->b[m->n + 2] = len >> 8;
    m->b[m->n + 3] = len;
    if (len) {
        memcpy(m->b + m->n + 4, data, len);
    }
    m->n += 4 + len;
}

static const uint8_t client_duid[] = {
    0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d, 0xfa, 0x16, 0x3e, 0x12, 0x34, 0x56
};

static void
msg_client(struct msg *m)
{
    msg_opt(m, DHCP6_OPT_CLIENTID, client_duid, sizeof client_duid);
}

static void
msg_server(struct msg *m, struct eth_addr mac)
{
    uint8_t duid[DHCP6_MAX_DUID];
    size_t n = dhcp6_server_duid(mac, duid);
    msg_opt(m, DHCP6_OPT_SERVERID, duid, n);
}

/* An IA_NA with IAID 7 and the addresses 'a' (NULL-terminated). */
static void
msg_ia(struct msg *m, const char *a[])
{
    uint8_t ia[256];
    size_t n = 12;

    memset(ia, 0, sizeof ia);
    ia[3] = 7;
    for (size_t i = 0; a && a[i]; i++) {
        struct in6_addr x = addr(a[i]);
        ia[n + 1] = DHCP6_OPT_IAADDR;
        ia[n + 3] = 24;
        memcpy(ia + n + 4, &x, 16);
        n += 28;
    }
    msg_opt(m, DHCP6_OPT_IA_NA, ia, n);
}

static void
lease_init(struct dhcp6_lease *l, bool stateful)
{
    memset(l, 0, sizeof *l);
    l->server_mac = server_mac;
    if (stateful) {
        l->addrs[0] = addr("2001:db8:1::10");
        l->n_addrs = 1;
    }
    l->links[0] = addr("2001:db8:1::");
    l->link_plens[0] = 64;
    l->n_links = 1;
    l->valid_lifetime = l->preferred_lifetime = 86400;
    l->t1 = 43200;
    l->t2 = 69120;
    l->dns[0] = addr("2001:db8::53");
    l->n_dns = 1;
    strcpy(l->domain, "openstacklocal");
}

/* Builds the answer to 'm' and checks its headers; returns the DHCPv6
 * message in 'out' (the UDP payload) and its length. */
static size_t
answer(const struct msg *m, const struct dhcp6_lease *l, uint8_t expect_type,
       struct dhcp6_answer *a, uint8_t *out)
{
    struct dhcp6_request req;
    struct in6_addr dst = addr("fe80::f816:3eff:fe12:3456");
    struct dp_packet p;

    cr_assert_eq(dhcp6_parse(m->b, m->n, &req), DHCP6_PARSE_OK);
    cr_assert_eq(dhcp6_decide(&req, l, a), expect_type);
    if (!expect_type) {
        return 0;
    }
    dp_packet_init(&p, 64);
    dhcp6_build_reply(&req, l, a, vm_mac, &dst, &p);

    const struct eth_header *eth = dp_packet_data(&p);
    cr_assert(eth_addr_equals(eth->eth_dst, vm_mac));
    cr_assert(eth_addr_equals(eth->eth_src, server_mac));
    const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(&p);
    struct in6_addr lla;
    in6_generate_lla(server_mac, &lla);
    cr_assert(!memcmp(&ip6->ip6_src, &lla, 16));
    cr_assert(!memcmp(&ip6->ip6_dst, &dst, 16));
    cr_assert_eq(ip6->ip6_nxt, IPPROTO_UDP);
    const struct udp_header *udp = dp_packet_l4(&p);
    size_t udp_len = ntohs(udp->udp_len);
    cr_assert_eq(ntohs(ip6->ip6_plen), udp_len);
    cr_assert_eq(dp_packet_l4_size(&p), udp_len);
    cr_assert_eq(ntohs(udp->udp_src), 547);
    cr_assert_eq(ntohs(udp->udp_dst), 546);
    /* The checksum over the pseudo-header and the datagram is 0. */
    cr_assert_eq(csum_finish(csum_continue(packet_csum_pseudoheader6(ip6),
                                           udp, udp_len)), 0);
    size_t n = udp_len - UDP_HEADER_LEN;
    cr_assert_leq(n, DHCP6_MAX_REPLY);
    memcpy(out, udp + 1, n);
    dp_packet_uninit(&p);

    cr_assert_eq(out[0], expect_type);
    cr_assert(!memcmp(out + 1, m->b + 1, 3), "transaction id echoed");
    size_t olen;
    const uint8_t *o = dhcp6_option_find(out + 4, n - 4, DHCP6_OPT_SERVERID,
                                         &olen);
    cr_assert(o && olen == 10);
    cr_assert(!memcmp(o + 4, &server_mac, 6));
    o = dhcp6_option_find(out + 4, n - 4, DHCP6_OPT_CLIENTID, &olen);
    cr_assert(o && olen == sizeof client_duid);
    cr_assert(!memcmp(o, client_duid, olen));
    return n;
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) get16(p) << 16) | get16(p + 2);
}

/* The status code in 'opts' or DHCP6_STATUS_NONE. */
static uint16_t
status_of(const uint8_t *opts, size_t len)
{
    size_t olen;
    const uint8_t *o = dhcp6_option_find(opts, len, DHCP6_OPT_STATUS_CODE,
                                         &olen);
    return o && olen >= 2 ? get16(o) : DHCP6_STATUS_NONE;
}

/* The IA_NA in the message 'r' ('n' bytes): IAID 7, T1, T2, and its
 * first address (or a status). */
static const uint8_t *
ia_of(const uint8_t *r, size_t n, size_t *olen)
{
    const uint8_t *ia = dhcp6_option_find(r + 4, n - 4, DHCP6_OPT_IA_NA,
                                          olen);
    cr_assert(ia && *olen >= 12);
    cr_assert_eq(get32(ia), 7);
    return ia;
}

Test(dhcp6, solicit_stateful_advertise)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;
    uint8_t r[DHCP6_MAX_REPLY];

    lease_init(&l, true);
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_ia(&m, NULL);
    size_t n = answer(&m, &l, DHCP6_ADVERTISE, &a, r);

    size_t olen;
    const uint8_t *o = dhcp6_option_find(r + 4, n - 4, DHCP6_OPT_PREFERENCE,
                                         &olen);
    cr_assert(o && olen == 1 && o[0] == 255);
    const uint8_t *ia = ia_of(r, n, &olen);
    cr_assert_eq(get32(ia + 4), 43200);
    cr_assert_eq(get32(ia + 8), 69120);
    const uint8_t *ad = dhcp6_option_find(ia + 12, olen - 12,
                                          DHCP6_OPT_IAADDR, &olen);
    cr_assert(ad && olen == 24);
    struct in6_addr want = addr("2001:db8:1::10");
    cr_assert(!memcmp(ad, &want, 16));
    cr_assert_eq(get32(ad + 16), 86400);
    cr_assert_eq(get32(ad + 20), 86400);
    o = dhcp6_option_find(r + 4, n - 4, DHCP6_OPT_DNS_SERVERS, &olen);
    cr_assert(o && olen == 16);
    o = dhcp6_option_find(r + 4, n - 4, DHCP6_OPT_DOMAIN_LIST, &olen);
    cr_assert(o && olen == 16);
    cr_assert(!memcmp(o, "\x0eopenstacklocal", 16));
    cr_assert_eq(status_of(r + 4, n - 4), DHCP6_STATUS_NONE);
}

Test(dhcp6, solicit_rapid_commit_reply)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;
    uint8_t r[DHCP6_MAX_REPLY];

    lease_init(&l, true);
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_opt(&m, DHCP6_OPT_RAPID_COMMIT, NULL, 0);
    msg_ia(&m, NULL);
    size_t n = answer(&m, &l, DHCP6_REPLY, &a, r);
    size_t olen;
    cr_assert(dhcp6_option_find(r + 4, n - 4, DHCP6_OPT_RAPID_COMMIT,
                                &olen));
    ia_of(r, n, &olen);
}

Test(dhcp6, solicit_without_address_no_addrs_avail)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;
    uint8_t r[DHCP6_MAX_REPLY];

    lease_init(&l, false);
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_ia(&m, NULL);
    size_t n = answer(&m, &l, DHCP6_ADVERTISE, &a, r);
    cr_assert_eq(status_of(r + 4, n - 4), DHCP6_STATUS_NO_ADDRS_AVAIL);
    size_t olen;
    cr_assert_null(dhcp6_option_find(r + 4, n - 4, DHCP6_OPT_IA_NA, &olen));
}

Test(dhcp6, request_and_renew)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;
    uint8_t r[DHCP6_MAX_REPLY];
    size_t olen;

    lease_init(&l, true);
    for (int i = 0; i < 3; i++) {
        static const uint8_t types[] = {
            DHCP6_REQUEST, DHCP6_RENEW, DHCP6_REBIND
        };
        msg_start(&m, types[i]);
        msg_client(&m);
        if (types[i] != DHCP6_REBIND) {
            msg_server(&m, server_mac);
        }
        const char *old[] = { "2001:db8:1::10", "2001:db8:1::99", NULL };
        msg_ia(&m, old);
        size_t n = answer(&m, &l, DHCP6_REPLY, &a, r);
        const uint8_t *ia = ia_of(r, n, &olen);
        /* Ours with its lifetimes, the other with 0. */
        const uint8_t *ad = dhcp6_option_find(ia + 12, olen - 12,
                                              DHCP6_OPT_IAADDR, &olen);
        cr_assert(ad);
        cr_assert_eq(get32(ad + 20), 86400);
        cr_assert_eq(get16(ad + 24), DHCP6_OPT_IAADDR);
        struct in6_addr other = addr("2001:db8:1::99");
        cr_assert(!memcmp(ad + 28, &other, 16));
        cr_assert_eq(get32(ad + 28 + 20), 0);
    }
}

Test(dhcp6, request_without_address)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;
    uint8_t r[DHCP6_MAX_REPLY];
    size_t olen;

    lease_init(&l, false);
    msg_start(&m, DHCP6_REQUEST);
    msg_client(&m);
    msg_server(&m, server_mac);
    msg_ia(&m, NULL);
    size_t n = answer(&m, &l, DHCP6_REPLY, &a, r);
    const uint8_t *ia = ia_of(r, n, &olen);
    cr_assert_eq(status_of(ia + 12, olen - 12), DHCP6_STATUS_NO_ADDRS_AVAIL);
    cr_assert_null(dhcp6_option_find(ia + 12, olen - 12, DHCP6_OPT_IAADDR,
                                      &olen));
}

Test(dhcp6, another_servers_request_ignored)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;

    lease_init(&l, true);
    msg_start(&m, DHCP6_REQUEST);
    msg_client(&m);
    msg_server(&m, vm_mac);
    msg_ia(&m, NULL);
    answer(&m, &l, 0, &a, NULL);
}

Test(dhcp6, information_request)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;
    uint8_t r[DHCP6_MAX_REPLY];
    size_t olen;

    lease_init(&l, false);
    msg_start(&m, DHCP6_INFORMATION_REQUEST);
    msg_client(&m);
    size_t n = answer(&m, &l, DHCP6_REPLY, &a, r);
    const uint8_t *o = dhcp6_option_find(r + 4, n - 4, DHCP6_OPT_DNS_SERVERS,
                                         &olen);
    struct in6_addr dns = addr("2001:db8::53");
    cr_assert(o && olen == 16 && !memcmp(o, &dns, 16));
    cr_assert(dhcp6_option_find(r + 4, n - 4, DHCP6_OPT_DOMAIN_LIST,
                                &olen));
    cr_assert_null(dhcp6_option_find(r + 4, n - 4, DHCP6_OPT_IA_NA, &olen));
}

Test(dhcp6, confirm)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;
    uint8_t r[DHCP6_MAX_REPLY];

    lease_init(&l, true);
    const char *ours[] = { "2001:db8:1::10", NULL };
    msg_start(&m, DHCP6_CONFIRM);
    msg_client(&m);
    msg_ia(&m, ours);
    size_t n = answer(&m, &l, DHCP6_REPLY, &a, r);
    cr_assert_eq(status_of(r + 4, n - 4), DHCP6_STATUS_SUCCESS);

    const char *foreign[] = { "2001:db8:1::10", "2001:db8:99::10", NULL };
    msg_start(&m, DHCP6_CONFIRM);
    msg_client(&m);
    msg_ia(&m, foreign);
    n = answer(&m, &l, DHCP6_REPLY, &a, r);
    cr_assert_eq(status_of(r + 4, n - 4), DHCP6_STATUS_NOT_ON_LINK);

    msg_start(&m, DHCP6_CONFIRM);
    msg_client(&m);
    msg_ia(&m, NULL);
    answer(&m, &l, 0, &a, NULL);
}

Test(dhcp6, release_and_decline)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;
    uint8_t r[DHCP6_MAX_REPLY];

    lease_init(&l, true);
    for (uint8_t t = DHCP6_RELEASE; t <= DHCP6_DECLINE; t++) {
        msg_start(&m, t);
        msg_client(&m);
        msg_server(&m, server_mac);
        msg_ia(&m, NULL);
        size_t n = answer(&m, &l, DHCP6_REPLY, &a, r);
        cr_assert_eq(status_of(r + 4, n - 4), DHCP6_STATUS_SUCCESS);
    }
}

Test(dhcp6, malformed)
{
    struct dhcp6_request req;
    struct msg m;

    cr_assert_eq(dhcp6_parse("\x01\x00\x00", 3, &req),
                 DHCP6_PARSE_TRUNCATED);
    msg_start(&m, DHCP6_ADVERTISE);
    msg_client(&m);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_NOT_CLIENT);
    msg_start(&m, 12);          /* Relay-forward. */
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_NOT_CLIENT);

    /* An option running past the end. */
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    m.b[m.n - sizeof client_duid - 1] = 200;
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_BAD_OPTION);

    /* Half an option header. */
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    m.b[m.n++] = 0;
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_BAD_OPTION);

    /* Two client identifiers; a DUID too long. */
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_client(&m);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_BAD_OPTION);
    uint8_t big[200] = { 0 };
    msg_start(&m, DHCP6_SOLICIT);
    msg_opt(&m, DHCP6_OPT_CLIENTID, big, sizeof big);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_BAD_OPTION);

    /* An IA_NA too short, an IAADDR too short inside one. */
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_opt(&m, DHCP6_OPT_IA_NA, big, 11);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_BAD_OPTION);
    uint8_t ia[12 + 4 + 10] = { [13] = DHCP6_OPT_IAADDR, [15] = 10 };
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_opt(&m, DHCP6_OPT_IA_NA, ia, sizeof ia);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_BAD_OPTION);

    /* Rapid commit with data, odd ORO, elapsed time of 3 bytes. */
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_opt(&m, DHCP6_OPT_RAPID_COMMIT, big, 1);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_BAD_OPTION);
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_opt(&m, DHCP6_OPT_ORO, big, 3);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_BAD_OPTION);
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_opt(&m, DHCP6_OPT_ELAPSED_TIME, big, 3);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_BAD_OPTION);

    /* Oversized. */
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    m.n = DHCP6_MAX_REQUEST + 1;
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_OVERSIZED);
}

Test(dhcp6, identifiers_required_and_forbidden)
{
    struct dhcp6_request req;
    struct msg m;

    msg_start(&m, DHCP6_SOLICIT);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_NO_CLIENT_ID);
    msg_start(&m, DHCP6_SOLICIT);
    msg_client(&m);
    msg_server(&m, server_mac);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req),
                 DHCP6_PARSE_UNEXPECTED_SERVER_ID);
    msg_start(&m, DHCP6_REQUEST);
    msg_client(&m);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_NO_SERVER_ID);
    msg_start(&m, DHCP6_RENEW);
    msg_client(&m);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_NO_SERVER_ID);
    msg_start(&m, DHCP6_REBIND);
    msg_client(&m);
    msg_server(&m, server_mac);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req),
                 DHCP6_PARSE_UNEXPECTED_SERVER_ID);
    msg_start(&m, DHCP6_INFORMATION_REQUEST);
    msg_ia(&m, NULL);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_UNEXPECTED_IA);
    /* An Information-request needs no client identifier. */
    msg_start(&m, DHCP6_INFORMATION_REQUEST);
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_OK);
}

Test(dhcp6, domain_encoding)
{
    uint8_t out[DHCP6_MAX_DOMAIN + 2];

    cr_assert_eq(dhcp6_encode_domain("example.org", out), 13);
    cr_assert(!memcmp(out, "\x07" "example" "\x03" "org", 13));
    cr_assert_eq(dhcp6_encode_domain("", out), 0);
    cr_assert_eq(dhcp6_encode_domain("a..b", out), 0);
    cr_assert_eq(dhcp6_encode_domain("bad name", out), 0);
    char long_label[70];
    memset(long_label, 'a', 64);
    long_label[64] = '\0';
    cr_assert_eq(dhcp6_encode_domain(long_label, out), 0);
}

/* The largest answer (two IAs naming four foreign addresses each, the
 * longest DUID, four DNS servers, the longest domain) fits. */
Test(dhcp6, largest_reply_fits)
{
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct msg m;
    uint8_t r[DHCP6_MAX_REPLY];

    lease_init(&l, true);
    l.n_addrs = DHCP6_MAX_ADDRS;
    l.n_dns = DHCP6_MAX_DNS;
    memset(l.domain, 'a', DHCP6_MAX_DOMAIN);
    for (size_t i = 63; i < DHCP6_MAX_DOMAIN; i += 64) {
        l.domain[i] = '.';
    }
    l.domain[DHCP6_MAX_DOMAIN] = '\0';
    uint8_t duid[DHCP6_MAX_DUID] = { 0, 2 };
    msg_start(&m, DHCP6_RENEW);
    msg_opt(&m, DHCP6_OPT_CLIENTID, duid, sizeof duid);
    msg_server(&m, server_mac);
    const char *foreign[] = { "2001:db8:9::1", "2001:db8:9::2",
                              "2001:db8:9::3", "2001:db8:9::4", NULL };
    msg_ia(&m, foreign);
    msg_ia(&m, foreign);
    msg_ia(&m, foreign);

    struct dhcp6_request req;
    struct dp_packet p;
    struct in6_addr dst = addr("fe80::1");
    cr_assert_eq(dhcp6_parse(m.b, m.n, &req), DHCP6_PARSE_OK);
    cr_assert_eq(req.n_ias, DHCP6_MAX_IA);
    cr_assert_eq(dhcp6_decide(&req, &l, &a), DHCP6_REPLY);
    dp_packet_init(&p, 64);
    dhcp6_build_reply(&req, &l, &a, vm_mac, &dst, &p);
    cr_assert_leq(dp_packet_l4_size(&p) - UDP_HEADER_LEN, DHCP6_MAX_REPLY);
    cr_assert_gt(dp_packet_l4_size(&p), 700);
    dp_packet_uninit(&p);
    (void) r;
}
