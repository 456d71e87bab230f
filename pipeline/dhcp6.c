/*
 * pipeline/dhcp6: see dhcp6.h for the contract and doc/ipv6.md for the
 * design.
 */

#include <config.h>

#include "pipeline/dhcp6.h"

#include <netinet/ip6.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "util.h"

#define IA_NA_HEADER 12         /* IAID, T1, T2. */
#define IAADDR_LEN 24           /* Address, preferred and valid lifetime. */

const char *
dhcp6_parse_result_to_string(enum dhcp6_parse_result r)
{
    static const char *const names[DHCP6_PARSE_N_RESULTS] = {
        [DHCP6_PARSE_OK] = "ok",
        [DHCP6_PARSE_TRUNCATED] = "truncated",
        [DHCP6_PARSE_OVERSIZED] = "oversized",
        [DHCP6_PARSE_NOT_CLIENT] = "not a client message",
        [DHCP6_PARSE_BAD_OPTION] = "bad option",
        [DHCP6_PARSE_NO_CLIENT_ID] = "no client identifier",
        [DHCP6_PARSE_NO_SERVER_ID] = "no server identifier",
        [DHCP6_PARSE_UNEXPECTED_SERVER_ID] = "unexpected server identifier",
        [DHCP6_PARSE_UNEXPECTED_IA] = "IA in information-request",
    };
    return (unsigned int) r < DHCP6_PARSE_N_RESULTS ? names[r] : "?";
}

const char *
dhcp6_type_to_string(uint8_t type)
{
    static const char *const names[DHCP6_N_TYPES] = {
        [DHCP6_SOLICIT] = "solicit", [DHCP6_ADVERTISE] = "advertise",
        [DHCP6_REQUEST] = "request", [DHCP6_CONFIRM] = "confirm",
        [DHCP6_RENEW] = "renew", [DHCP6_REBIND] = "rebind",
        [DHCP6_REPLY] = "reply", [DHCP6_RELEASE] = "release",
        [DHCP6_DECLINE] = "decline", [DHCP6_RECONFIGURE] = "reconfigure",
        [DHCP6_INFORMATION_REQUEST] = "information-request",
    };
    return type && type < DHCP6_N_TYPES ? names[type] : "?";
}

static uint16_t
get_be16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get_be32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
           | ((uint32_t) p[2] << 8) | p[3];
}

static void
put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

const uint8_t *
dhcp6_option_find(const uint8_t *opts, size_t len, uint16_t code,
                  size_t *olen)
{
    for (size_t off = 0; off + 4 <= len; ) {
        size_t n = get_be16(opts + off + 2);
        if (n > len - off - 4) {
            return NULL;
        }
        if (get_be16(opts + off) == code) {
            *olen = n;
            return opts + off + 4;
        }
        off += 4 + n;
    }
    return NULL;
}

/* Parses the IA_NA 'data' ('len' bytes, at least IA_NA_HEADER) into
 * 'ia'. */
static bool
parse_ia_na(const uint8_t *data, size_t len, struct dhcp6_ia *ia)
{
    memset(ia, 0, sizeof *ia);
    ia->iaid = get_be32(data);
    for (size_t off = IA_NA_HEADER; off < len; ) {
        if (len - off < 4) {
            return false;
        }
        uint16_t code = get_be16(data + off);
        size_t n = get_be16(data + off + 2);
        if (n > len - off - 4) {
            return false;
        }
        if (code == DHCP6_OPT_IAADDR) {
            if (n < IAADDR_LEN) {
                return false;
            }
            if (ia->n_addrs < DHCP6_MAX_ADDRS) {
                memcpy(&ia->addrs[ia->n_addrs++], data + off + 4, 16);
            }
        }
        off += 4 + n;
    }
    return true;
}

enum dhcp6_parse_result
dhcp6_parse(const void *msg_, size_t len, struct dhcp6_request *req)
{
    const uint8_t *msg = msg_;
    bool has_ia = false;

    memset(req, 0, sizeof *req);
    if (len < 4) {
        return DHCP6_PARSE_TRUNCATED;
    }
    if (len > DHCP6_MAX_REQUEST) {
        return DHCP6_PARSE_OVERSIZED;
    }
    switch (msg[0]) {
    case DHCP6_SOLICIT: case DHCP6_REQUEST: case DHCP6_CONFIRM:
    case DHCP6_RENEW: case DHCP6_REBIND: case DHCP6_RELEASE:
    case DHCP6_DECLINE: case DHCP6_INFORMATION_REQUEST:
        break;
    default:
        return DHCP6_PARSE_NOT_CLIENT;
    }
    req->type = msg[0];
    memcpy(req->xid, msg + 1, 3);

    for (size_t off = 4; off < len; ) {
        if (len - off < 4) {
            return DHCP6_PARSE_BAD_OPTION;
        }
        uint16_t code = get_be16(msg + off);
        size_t n = get_be16(msg + off + 2);
        const uint8_t *data = msg + off + 4;
        if (n > len - off - 4) {
            return DHCP6_PARSE_BAD_OPTION;
        }
        switch (code) {
        case DHCP6_OPT_CLIENTID:
        case DHCP6_OPT_SERVERID: {
            bool client = code == DHCP6_OPT_CLIENTID;
            size_t *id_len = client ? &req->client_id_len
                                    : &req->server_id_len;
            if (n < 3 || n > DHCP6_MAX_DUID || *id_len) {
                return DHCP6_PARSE_BAD_OPTION;
            }
            memcpy(client ? req->client_id : req->server_id, data, n);
            *id_len = n;
            break;
        }
        case DHCP6_OPT_IA_NA:
            if (n < IA_NA_HEADER) {
                return DHCP6_PARSE_BAD_OPTION;
            }
            has_ia = true;
            if (req->n_ias < DHCP6_MAX_IA) {
                if (!parse_ia_na(data, n, &req->ias[req->n_ias])) {
                    return DHCP6_PARSE_BAD_OPTION;
                }
                req->n_ias++;
            }
            break;
        case DHCP6_OPT_IA_TA:
        case DHCP6_OPT_IA_PD:
            has_ia = true;      /* Not served: no temporary addresses, no
                                 * prefix delegation. */
            break;
        case DHCP6_OPT_ORO:
            if (n % 2) {
                return DHCP6_PARSE_BAD_OPTION;
            }
            break;
        case DHCP6_OPT_ELAPSED_TIME:
            if (n != 2) {
                return DHCP6_PARSE_BAD_OPTION;
            }
            break;
        case DHCP6_OPT_RAPID_COMMIT:
            if (n != 0) {
                return DHCP6_PARSE_BAD_OPTION;
            }
            req->rapid_commit = true;
            break;
        default:
            break;              /* Unknown options are ignored. */
        }
        off += 4 + n;
    }

    /* RFC 8415 section 16: which identifiers each message must carry. */
    bool need_client = req->type != DHCP6_INFORMATION_REQUEST;
    bool need_server = (req->type == DHCP6_REQUEST
                        || req->type == DHCP6_RENEW
                        || req->type == DHCP6_RELEASE
                        || req->type == DHCP6_DECLINE);
    bool no_server = (req->type == DHCP6_SOLICIT
                      || req->type == DHCP6_CONFIRM
                      || req->type == DHCP6_REBIND);
    if (need_client && !req->client_id_len) {
        return DHCP6_PARSE_NO_CLIENT_ID;
    }
    if (need_server && !req->server_id_len) {
        return DHCP6_PARSE_NO_SERVER_ID;
    }
    if (no_server && req->server_id_len) {
        return DHCP6_PARSE_UNEXPECTED_SERVER_ID;
    }
    if (req->type == DHCP6_INFORMATION_REQUEST && has_ia) {
        return DHCP6_PARSE_UNEXPECTED_IA;
    }
    return DHCP6_PARSE_OK;
}

size_t
dhcp6_server_duid(struct eth_addr mac, uint8_t duid[DHCP6_MAX_DUID])
{
    put_be16(duid, 3);          /* DUID-LL. */
    put_be16(duid + 2, 1);      /* Ethernet. */
    memcpy(duid + 4, &mac, ETH_ADDR_LEN);
    return 4 + ETH_ADDR_LEN;
}

static bool
on_link(const struct dhcp6_lease *lease, const struct in6_addr *a)
{
    for (size_t i = 0; i < lease->n_links; i++) {
        struct in6_addr mask = ipv6_create_mask(MIN(lease->link_plens[i],
                                                    128));
        struct in6_addr x = ipv6_addr_bitand(a, &mask);
        struct in6_addr y = ipv6_addr_bitand(&lease->links[i], &mask);
        if (ipv6_addr_equals(&x, &y)) {
            return true;
        }
    }
    return false;
}

uint8_t
dhcp6_decide(const struct dhcp6_request *req, const struct dhcp6_lease *lease,
             struct dhcp6_answer *a)
{
    uint8_t duid[DHCP6_MAX_DUID];
    size_t duid_len = dhcp6_server_duid(lease->server_mac, duid);

    memset(a, 0, sizeof *a);
    a->status = DHCP6_STATUS_NONE;
    a->ia_status = DHCP6_STATUS_NONE;
    if (req->server_id_len
        && (req->server_id_len != duid_len
            || memcmp(req->server_id, duid, duid_len))) {
        return 0;               /* Another server's. */
    }

    switch (req->type) {
    case DHCP6_SOLICIT:
        a->config = true;
        if (!lease->n_addrs || !req->n_ias) {
            /* RFC 8415 18.3.9: nothing to assign, a status alone. */
            a->type = DHCP6_ADVERTISE;
            a->status = DHCP6_STATUS_NO_ADDRS_AVAIL;
            a->config = false;
        } else if (req->rapid_commit) {
            a->type = DHCP6_REPLY;
            a->rapid_commit = true;
            a->ias = true;
        } else {
            a->type = DHCP6_ADVERTISE;
            a->preference = true;
            a->ias = true;
        }
        a->ia_status = DHCP6_STATUS_NO_ADDRS_AVAIL;
        break;
    case DHCP6_REQUEST:
    case DHCP6_RENEW:
    case DHCP6_REBIND:
        a->type = DHCP6_REPLY;
        a->config = true;
        a->ias = true;
        a->ia_status = (req->type == DHCP6_REQUEST
                        ? DHCP6_STATUS_NO_ADDRS_AVAIL
                        : DHCP6_STATUS_NO_BINDING);
        if (!req->n_ias) {
            a->status = DHCP6_STATUS_NO_ADDRS_AVAIL;
        }
        break;
    case DHCP6_CONFIRM: {
        /* RFC 8415 18.3.3: no addresses, no answer; any address off every
         * link of the network: NotOnLink. */
        size_t n = 0;
        bool all_on_link = true;
        for (size_t i = 0; i < req->n_ias; i++) {
            for (size_t j = 0; j < req->ias[i].n_addrs; j++) {
                n++;
                all_on_link &= on_link(lease, &req->ias[i].addrs[j]);
            }
        }
        if (!n) {
            return 0;
        }
        a->type = DHCP6_REPLY;
        a->status = (all_on_link ? DHCP6_STATUS_SUCCESS
                     : DHCP6_STATUS_NOT_ON_LINK);
        break;
    }
    case DHCP6_RELEASE:
    case DHCP6_DECLINE:
        /* A fixed address stays the port's: nothing to free or mark. */
        a->type = DHCP6_REPLY;
        a->status = DHCP6_STATUS_SUCCESS;
        break;
    case DHCP6_INFORMATION_REQUEST:
        a->type = DHCP6_REPLY;
        a->config = true;
        break;
    default:
        return 0;
    }
    return a->type;
}

size_t
dhcp6_encode_domain(const char *domain, uint8_t *out)
{
    size_t n = 0;
    const char *p = domain;

    if (!*domain || strlen(domain) > DHCP6_MAX_DOMAIN) {
        return 0;
    }
    while (*p) {
        size_t label = 0;
        while (p[label] && p[label] != '.') {
            char c = p[label];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return 0;
            }
            label++;
        }
        if (!label || label > 63) {
            return 0;
        }
        out[n++] = label;
        memcpy(out + n, p, label);
        n += label;
        p += label;
        if (*p == '.') {
            p++;
        }
    }
    out[n++] = 0;
    return n;
}

/* Appends option 'code' of 'len' bytes at '*p'; returns its data. */
static uint8_t *
put_option(uint8_t **p, uint16_t code, size_t len)
{
    uint8_t *opt = *p;

    put_be16(opt, code);
    put_be16(opt + 2, len);
    *p += 4 + len;
    return opt + 4;
}

static void
put_status(uint8_t **p, uint16_t status)
{
    static const char *const text[] = {
        [DHCP6_STATUS_SUCCESS] = "success",
        [DHCP6_STATUS_UNSPEC_FAIL] = "failure",
        [DHCP6_STATUS_NO_ADDRS_AVAIL] = "no addresses for this port",
        [DHCP6_STATUS_NO_BINDING] = "no binding for this port",
        [DHCP6_STATUS_NOT_ON_LINK] = "not on this network",
        [DHCP6_STATUS_USE_MULTICAST] = "use multicast",
    };
    const char *msg = status < ARRAY_SIZE(text) ? text[status] : "";
    size_t n = strlen(msg);
    uint8_t *d = put_option(p, DHCP6_OPT_STATUS_CODE, 2 + n);

    put_be16(d, status);
    memcpy(d + 2, msg, n);
}

static void
put_iaaddr(uint8_t **p, const struct in6_addr *addr, uint32_t preferred,
           uint32_t valid)
{
    uint8_t *d = put_option(p, DHCP6_OPT_IAADDR, IAADDR_LEN);

    memcpy(d, addr, 16);
    put_be32(d + 16, preferred);
    put_be32(d + 20, valid);
}

/* True if 'addr' is one of the lease's. */
static bool
lease_has(const struct dhcp6_lease *lease, const struct in6_addr *addr)
{
    for (size_t i = 0; i < lease->n_addrs; i++) {
        if (ipv6_addr_equals(&lease->addrs[i], addr)) {
            return true;
        }
    }
    return false;
}

/* Writes the answer to 'ia' at '*p': the lease's addresses in the first
 * IA ('first'), and the client's other addresses with lifetimes 0; an IA
 * without any address gets 'a->ia_status'. */
static void
put_ia(uint8_t **p, const struct dhcp6_ia *ia, bool first,
       const struct dhcp6_lease *lease, const struct dhcp6_answer *a)
{
    uint8_t *opt = *p;
    bool give = first && lease->n_addrs;
    size_t n_addrs = MIN(lease->n_addrs, DHCP6_MAX_ADDRS);

    *p += 4 + IA_NA_HEADER;
    put_be32(opt + 4, ia->iaid);
    put_be32(opt + 8, give ? lease->t1 : 0);
    put_be32(opt + 12, give ? lease->t2 : 0);
    if (!give) {
        if (a->ia_status != DHCP6_STATUS_NONE) {
            put_status(p, a->ia_status);
        }
    } else {
        for (size_t i = 0; i < n_addrs; i++) {
            put_iaaddr(p, &lease->addrs[i], lease->preferred_lifetime,
                       lease->valid_lifetime);
        }
        for (size_t i = 0; i < MIN(ia->n_addrs, DHCP6_MAX_ADDRS); i++) {
            /* An address the client names that is not (or no longer)
             * the port's: lifetimes 0 (RFC 8415 18.3.4). */
            if (a->type == DHCP6_REPLY && !a->rapid_commit
                && !lease_has(lease, &ia->addrs[i])
                && !ipv6_addr_is_multicast(&ia->addrs[i])) {
                put_iaaddr(p, &ia->addrs[i], 0, 0);
            }
        }
    }
    put_be16(opt, DHCP6_OPT_IA_NA);
    put_be16(opt + 2, *p - opt - 4);
}

void
dhcp6_build_reply(const struct dhcp6_request *req,
                  const struct dhcp6_lease *lease,
                  const struct dhcp6_answer *a,
                  struct eth_addr dst_mac, const struct in6_addr *dst_ip,
                  struct dp_packet *out)
{
    uint8_t msg[DHCP6_MAX_REPLY];
    uint8_t *p = msg;
    uint8_t duid[DHCP6_MAX_DUID];
    size_t duid_len = dhcp6_server_duid(lease->server_mac, duid);

    /* The bounds of every part keep 'msg' from overflowing: header 4,
     * identifiers 14 + 134, status 32, preference 5, rapid commit 4,
     * DHCP6_MAX_IA IAs of 16 + 2 * DHCP6_MAX_ADDRS * 28 + 32, DNS 4 + 64,
     * domain 4 + 255: 1,064 < DHCP6_MAX_REPLY. */
    p[0] = a->type;
    memcpy(p + 1, req->xid, 3);
    p += 4;
    memcpy(put_option(&p, DHCP6_OPT_SERVERID, duid_len), duid, duid_len);
    if (req->client_id_len) {
        memcpy(put_option(&p, DHCP6_OPT_CLIENTID, req->client_id_len),
               req->client_id, req->client_id_len);
    }
    if (a->status != DHCP6_STATUS_NONE) {
        put_status(&p, a->status);
    }
    if (a->preference) {
        *put_option(&p, DHCP6_OPT_PREFERENCE, 1) = 255;
    }
    if (a->rapid_commit) {
        put_option(&p, DHCP6_OPT_RAPID_COMMIT, 0);
    }
    if (a->ias) {
        for (size_t i = 0; i < MIN(req->n_ias, DHCP6_MAX_IA); i++) {
            put_ia(&p, &req->ias[i], i == 0, lease, a);
        }
    }
    if (a->config) {
        size_t n_dns = MIN(lease->n_dns, DHCP6_MAX_DNS);
        if (n_dns) {
            memcpy(put_option(&p, DHCP6_OPT_DNS_SERVERS, 16 * n_dns),
                   lease->dns, 16 * n_dns);
        }
        uint8_t name[DHCP6_MAX_DOMAIN + 2];
        size_t n = dhcp6_encode_domain(lease->domain, name);
        if (n) {
            memcpy(put_option(&p, DHCP6_OPT_DOMAIN_LIST, n), name, n);
        }
    }
    size_t msg_len = p - msg;
    ovs_assert(msg_len <= DHCP6_MAX_REPLY);

    /* One allocation: a later put could move what the pointers see. */
    size_t udp_len = UDP_HEADER_LEN + msg_len;
    dp_packet_clear(out);
    uint8_t *frame = dp_packet_put_zeros(out, ETH_HEADER_LEN
                                         + IPV6_HEADER_LEN + udp_len);
    struct eth_header *eth = (struct eth_header *) frame;
    eth->eth_dst = dst_mac;
    eth->eth_src = lease->server_mac;
    eth->eth_type = htons(ETH_TYPE_IPV6);

    struct in6_addr src_ip;
    in6_generate_lla(lease->server_mac, &src_ip);
    struct ovs_16aligned_ip6_hdr *ip6
        = (struct ovs_16aligned_ip6_hdr *) (frame + ETH_HEADER_LEN);
    put_16aligned_be32(&ip6->ip6_flow, htonl(6u << 28));
    ip6->ip6_plen = htons(udp_len);
    ip6->ip6_nxt = IPPROTO_UDP;
    ip6->ip6_hlim = 255;
    memcpy(&ip6->ip6_src, &src_ip, 16);
    memcpy(&ip6->ip6_dst, dst_ip, 16);

    struct udp_header *udp = (struct udp_header *) (ip6 + 1);
    udp->udp_src = htons(DHCP6_SERVER_PORT);
    udp->udp_dst = htons(DHCP6_CLIENT_PORT);
    udp->udp_len = htons(udp_len);
    memcpy(udp + 1, msg, msg_len);
    ovs_be16 csum = csum_finish(csum_continue(packet_csum_pseudoheader6(ip6),
                                              udp, udp_len));
    udp->udp_csum = csum ? csum : htons(0xffff);

    dp_packet_set_l3(out, ip6);
    dp_packet_set_l4(out, udp);
}
