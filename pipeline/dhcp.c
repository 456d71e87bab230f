/*
 * pipeline/dhcp: see dhcp.h.
 */

#include <config.h>

#include "pipeline/dhcp.h"

#include <string.h>

#include "csum.h"
#include "lib/dhcp.h"          /* OVS's: struct dhcp_header. */
#include "dp-packet.h"
#include "packets.h"
#include "util.h"

#define DHCP_COOKIE_LEN 4
#define DHCP_FLAG_BROADCAST 0x8000
/* BOOTP's minimum message (RFC 951): some clients drop shorter ones. */
#define BOOTP_MIN_LEN 300

static const char *const parse_results[DHCP_PARSE_N_RESULTS] = {
    [DHCP_PARSE_OK] = "ok",
    [DHCP_PARSE_TRUNCATED] = "truncated",
    [DHCP_PARSE_OVERSIZED] = "oversized",
    [DHCP_PARSE_NOT_REQUEST] = "not a BOOTREQUEST",
    [DHCP_PARSE_BAD_HW] = "not Ethernet",
    [DHCP_PARSE_BAD_COOKIE] = "no DHCP magic cookie",
    [DHCP_PARSE_BAD_OPTION] = "malformed option",
    [DHCP_PARSE_NO_TYPE] = "no message type",
    [DHCP_PARSE_BAD_TYPE] = "not a client message type",
};

const char *
dhcp_parse_result_to_string(enum dhcp_parse_result r)
{
    return r < DHCP_PARSE_N_RESULTS ? parse_results[r] : "unknown";
}

/* Calls 'cb' for each option of the options area 'p'..'end' in order, with
 * its code, data and length.  Returns false if an option runs past the
 * end; an END option or the end of the area ends the walk. */
static bool
walk_options(const uint8_t *p, const uint8_t *end,
             bool (*cb)(uint8_t code, const uint8_t *data, uint8_t len,
                        void *aux),
             void *aux)
{
    while (p < end) {
        uint8_t code = *p++;
        if (code == DHCPV4_OPT_PAD) {
            continue;
        } else if (code == DHCPV4_OPT_END) {
            return true;
        }
        if (p >= end) {
            return false;
        }
        uint8_t len = *p++;
        if (len > end - p) {
            return false;
        }
        if (!cb(code, p, len, aux)) {
            return false;
        }
        p += len;
    }
    return true;
}

struct parse_ctx {
    struct dhcp_request *req;
    bool bad_length;
};

static ovs_be32
get_be32(const uint8_t *p)
{
    ovs_be32 x;
    memcpy(&x, p, sizeof x);
    return x;
}

static bool
parse_option(uint8_t code, const uint8_t *data, uint8_t len, void *ctx_)
{
    struct parse_ctx *ctx = ctx_;

    switch (code) {
    case DHCPV4_OPT_MSG_TYPE:
        if (len != 1) {
            ctx->bad_length = true;
            return false;
        }
        ctx->req->type = data[0];
        break;
    case DHCPV4_OPT_REQ_IP:
    case DHCPV4_OPT_SERVER_ID:
        if (len != 4) {
            ctx->bad_length = true;
            return false;
        }
        if (code == DHCPV4_OPT_REQ_IP) {
            ctx->req->requested_ip = get_be32(data);
        } else {
            ctx->req->server_id = get_be32(data);
        }
        break;
    default:
        break;
    }
    return true;
}

enum dhcp_parse_result
dhcp_parse_request(const void *payload, size_t len, struct dhcp_request *req)
{
    const struct dhcp_header *h = payload;
    const uint8_t *p = payload;

    memset(req, 0, sizeof *req);
    if (len > DHCP_MAX_REQUEST) {
        return DHCP_PARSE_OVERSIZED;
    }
    if (len < DHCP_HEADER_LEN + DHCP_COOKIE_LEN) {
        return DHCP_PARSE_TRUNCATED;
    }
    if (h->op != DHCP_OP_REQUEST) {
        return DHCP_PARSE_NOT_REQUEST;
    }
    if (h->htype != ARP_HRD_ETHERNET || h->hlen != ETH_ADDR_LEN) {
        return DHCP_PARSE_BAD_HW;
    }
    if (get_be32(p + DHCP_HEADER_LEN) != htonl(DHCP_MAGIC_COOKIE)) {
        return DHCP_PARSE_BAD_COOKIE;
    }
    req->xid = h->xid;
    req->flags = h->flags;
    req->ciaddr = h->ciaddr;
    req->giaddr = h->giaddr;
    memcpy(req->chaddr.ea, h->chaddr, ETH_ADDR_LEN);

    struct parse_ctx ctx = { .req = req };
    if (!walk_options(p + DHCP_HEADER_LEN + DHCP_COOKIE_LEN, p + len,
                      parse_option, &ctx)) {
        return DHCP_PARSE_BAD_OPTION;
    }
    switch (req->type) {
    case 0:
        return DHCP_PARSE_NO_TYPE;
    case DHCPV4_DISCOVER:
    case DHCPV4_REQUEST:
    case DHCPV4_DECLINE:
    case DHCPV4_RELEASE:
    case DHCPV4_INFORM:
        return DHCP_PARSE_OK;
    default:
        return DHCP_PARSE_BAD_TYPE;
    }
}

uint8_t
dhcp_reply_type(const struct dhcp_request *req, const struct dhcp_lease *lease)
{
    switch (req->type) {
    case DHCPV4_DISCOVER:
        return DHCPV4_OFFER;
    case DHCPV4_REQUEST: {
        /* SELECTING names its server; INIT-REBOOT (requested IP, no
         * server) and RENEWING/REBINDING (ciaddr) do not. */
        if (req->server_id && req->server_id != lease->server_ip) {
            return 0;
        }
        ovs_be32 ip = req->requested_ip ? req->requested_ip : req->ciaddr;
        return ip == lease->ip ? DHCPV4_ACK : DHCPV4_NAK;
    }
    case DHCPV4_INFORM:
        return DHCPV4_ACK;
    case DHCPV4_DECLINE:
    case DHCPV4_RELEASE:
    default:
        return 0;
    }
}

/* Appends option 'code' with 'len' bytes of 'data' to 'b', split into
 * instances of at most 255 bytes (RFC 3396). */
static void
put_option(struct dp_packet *b, uint8_t code, const void *data, size_t len)
{
    const uint8_t *p = data;

    do {
        uint8_t chunk = MIN(len, 255);
        uint8_t *o = dp_packet_put_uninit(b, 2 + chunk);
        o[0] = code;
        o[1] = chunk;
        memcpy(o + 2, p, chunk);
        p += chunk;
        len -= chunk;
    } while (len);
}

static void
put_option_be32(struct dp_packet *b, uint8_t code, ovs_be32 value)
{
    put_option(b, code, &value, sizeof value);
}

static void
put_option_u8(struct dp_packet *b, uint8_t code, uint8_t value)
{
    put_option(b, code, &value, 1);
}

static void
put_route(uint8_t **pp, const uint8_t *end, ovs_be32 dst, uint8_t plen,
          ovs_be32 gw)
{
    size_t n_dst = DIV_ROUND_UP(plen, 8);
    uint8_t *p = *pp;

    if (1 + n_dst + 4 > end - p) {
        return;
    }
    *p++ = plen;
    memcpy(p, &dst, n_dst);
    p += n_dst;
    memcpy(p, &gw, 4);
    *pp = p + 4;
}

size_t
dhcp_encode_routes(const struct dhcp_route *routes, size_t n, ovs_be32 router,
                   uint8_t *buf, size_t buf_size)
{
    uint8_t *p = buf, *end = buf + buf_size;

    for (size_t i = 0; i < n; i++) {
        uint8_t plen = MIN(routes[i].plen, 32);
        put_route(&p, end, routes[i].dst & be32_prefix_mask(plen), plen,
                  routes[i].gw);
    }
    if (router) {
        /* A client that gets option 121 ignores option 3 (RFC 3442), so
         * the default route goes here too. */
        put_route(&p, end, 0, 0, router);
    }
    return p - buf;
}

void
dhcp_build_reply(const struct dhcp_request *req,
                 const struct dhcp_lease *lease, uint8_t type,
                 struct eth_addr client_mac, struct dp_packet *out)
{
    bool nak = type == DHCPV4_NAK;
    bool inform = req->type == DHCPV4_INFORM;

    /* eth_compose() clears 'out' and zeroes the headers after Ethernet.
     * The options fit in the tailroom reserved next, so that the pointers
     * taken after it stay valid. */
    eth_compose(out, client_mac, lease->server_mac, ETH_TYPE_IP,
                IP_HEADER_LEN + UDP_HEADER_LEN + DHCP_HEADER_LEN);
    dp_packet_prealloc_tailroom(out, DHCP_MAX_REPLY);
    struct ip_header *ip = dp_packet_l3(out);
    struct udp_header *udp = (struct udp_header *) (ip + 1);
    dp_packet_set_l4(out, udp);
    struct dhcp_header *h = (struct dhcp_header *) (udp + 1);
    size_t dhcp_ofs = (char *) h - (char *) dp_packet_data(out);

    h->op = DHCP_OP_REPLY;
    h->htype = ARP_HRD_ETHERNET;
    h->hlen = ETH_ADDR_LEN;
    h->xid = req->xid;
    h->flags = req->flags;
    if (!nak) {
        h->ciaddr = req->ciaddr;
        h->yiaddr = inform ? 0 : lease->ip;
    }
    h->giaddr = req->giaddr;
    memcpy(h->chaddr, req->chaddr.ea, ETH_ADDR_LEN);
    ovs_be32 cookie = htonl(DHCP_MAGIC_COOKIE);
    dp_packet_put(out, &cookie, sizeof cookie);

    put_option_u8(out, DHCPV4_OPT_MSG_TYPE, type);
    put_option_be32(out, DHCPV4_OPT_SERVER_ID, lease->server_ip);
    if (!nak) {
        if (!inform) {
            uint32_t t = lease->lease_time;
            put_option_be32(out, DHCPV4_OPT_LEASE_TIME, htonl(t));
            put_option_be32(out, DHCPV4_OPT_T1, htonl(t / 2));
            put_option_be32(out, DHCPV4_OPT_T2, htonl(t / 8 * 7));
        }
        put_option_be32(out, DHCPV4_OPT_NETMASK, lease->netmask);
        put_option_be32(out, DHCPV4_OPT_BROADCAST,
                        lease->ip | ~lease->netmask);
        if (lease->router) {
            put_option_be32(out, DHCPV4_OPT_ROUTER, lease->router);
        }
        if (lease->n_dns) {
            put_option(out, DHCPV4_OPT_DNS, lease->dns,
                       MIN(lease->n_dns, DHCP_MAX_DNS) * sizeof *lease->dns);
        }
        size_t n = strnlen(lease->domain, DHCP_MAX_DOMAIN);
        if (n) {
            put_option(out, DHCPV4_OPT_DOMAIN, lease->domain, n);
        }
        n = strnlen(lease->hostname, DHCP_MAX_HOSTNAME);
        if (n) {
            put_option(out, DHCPV4_OPT_HOSTNAME, lease->hostname, n);
        }
        if (lease->mtu >= 68) {
            ovs_be16 mtu = htons(lease->mtu);
            put_option(out, DHCPV4_OPT_MTU, &mtu, sizeof mtu);
        }
        if (lease->n_routes || lease->router) {
            uint8_t routes[DHCP_MAX_ROUTES * 9 + 5];
            n = dhcp_encode_routes(lease->routes,
                                   MIN(lease->n_routes, DHCP_MAX_ROUTES),
                                   lease->router, routes, sizeof routes);
            put_option(out, DHCPV4_OPT_CLASSLESS_ROUTES, routes, n);
        }
    }
    *(uint8_t *) dp_packet_put_uninit(out, 1) = DHCPV4_OPT_END;
    size_t dhcp_len = dp_packet_size(out) - dhcp_ofs;
    if (dhcp_len < BOOTP_MIN_LEN) {
        dp_packet_put_zeros(out, BOOTP_MIN_LEN - dhcp_len);
        dhcp_len = BOOTP_MIN_LEN;
    }

    /* Where the reply goes (RFC 2131 section 4.1). */
    ovs_be32 dst;
    if (nak || (!req->ciaddr && req->flags & htons(DHCP_FLAG_BROADCAST))) {
        dst = OVS_BE32_MAX;
    } else if (req->ciaddr) {
        dst = req->ciaddr;
    } else {
        dst = lease->ip;
    }

    size_t udp_len = sizeof *udp + dhcp_len;
    ip->ip_ihl_ver = IP_IHL_VER(5, 4);
    ip->ip_tot_len = htons(sizeof *ip + udp_len);
    ip->ip_ttl = 64;
    ip->ip_proto = IPPROTO_UDP;
    put_16aligned_be32(&ip->ip_src, lease->server_ip);
    put_16aligned_be32(&ip->ip_dst, dst);
    ip->ip_csum = csum(ip, sizeof *ip);

    udp->udp_src = htons(DHCP_SERVER_PORT);
    udp->udp_dst = htons(DHCP_CLIENT_PORT);
    udp->udp_len = htons(udp_len);
    uint32_t partial = packet_csum_pseudoheader(ip);
    udp->udp_csum = csum_finish(csum_continue(partial, udp, udp_len));
    if (!udp->udp_csum) {
        udp->udp_csum = htons(0xffff);
    }
}

struct find_ctx {
    uint8_t code;
    uint8_t *buf;
    size_t size;
    size_t len;
    bool found;
};

static bool
find_option(uint8_t code, const uint8_t *data, uint8_t len, void *ctx_)
{
    struct find_ctx *ctx = ctx_;

    if (code == ctx->code) {
        size_t n = MIN(len, ctx->size - ctx->len);
        memcpy(ctx->buf + ctx->len, data, n);
        ctx->len += n;
        ctx->found = true;
    }
    return true;
}

int
dhcp_options_find(const void *payload, size_t len, uint8_t code,
                  uint8_t *buf, size_t buf_size)
{
    const uint8_t *p = payload;
    struct find_ctx ctx = { .code = code, .buf = buf, .size = buf_size };

    if (len < DHCP_HEADER_LEN + DHCP_COOKIE_LEN
        || get_be32(p + DHCP_HEADER_LEN) != htonl(DHCP_MAGIC_COOKIE)
        || !walk_options(p + DHCP_HEADER_LEN + DHCP_COOKIE_LEN, p + len,
                         find_option, &ctx)
        || !ctx.found) {
        return -1;
    }
    return ctx.len;
}
