/*
 * pipeline/dhcp: the DHCPv4 server's wire format and decisions, as pure
 * functions (no I/O, no logging, no global state), so that they can be
 * unit tested and fuzzed alone.
 *
 * Contract
 *   - dhcp_parse_request() reads a client's UDP payload of any length and
 *     content: it never reads outside it and returns DHCP_PARSE_OK only
 *     for a well-formed BOOTREQUEST with a message type option; anything
 *     else gets an error code (the caller counts and drops).
 *   - dhcp_reply_type() decides the answer (RFC 2131 section 4.3) to a
 *     parsed request for the one lease a port has.
 *   - dhcp_build_reply() writes a complete Ethernet + IPv4 + UDP frame with
 *     correct checksums.  Every option comes from the lease; options longer
 *     than 255 bytes are split as RFC 3396 says.  The lease's sizes are
 *     bounded (DHCP_MAX_DNS, DHCP_MAX_ROUTES, the name lengths) so that a
 *     reply always fits in DHCP_MAX_REPLY bytes of UDP payload, well
 *     within any network's MTU.
 *   - dhcp_options_find() walks a reply's (or request's) options, for
 *     tests and tools.
 */

#ifndef PIPELINE_DHCP_H
#define PIPELINE_DHCP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "packets.h"

struct dp_packet;

/* Message types (option 53). */
enum {
    DHCPV4_DISCOVER = 1,
    DHCPV4_OFFER = 2,
    DHCPV4_REQUEST = 3,
    DHCPV4_DECLINE = 4,
    DHCPV4_ACK = 5,
    DHCPV4_NAK = 6,
    DHCPV4_RELEASE = 7,
    DHCPV4_INFORM = 8,
};

/* Options this server reads or writes. */
enum {
    DHCPV4_OPT_PAD = 0,
    DHCPV4_OPT_NETMASK = 1,
    DHCPV4_OPT_ROUTER = 3,
    DHCPV4_OPT_DNS = 6,
    DHCPV4_OPT_HOSTNAME = 12,
    DHCPV4_OPT_DOMAIN = 15,
    DHCPV4_OPT_MTU = 26,
    DHCPV4_OPT_BROADCAST = 28,
    DHCPV4_OPT_REQ_IP = 50,
    DHCPV4_OPT_LEASE_TIME = 51,
    DHCPV4_OPT_MSG_TYPE = 53,
    DHCPV4_OPT_SERVER_ID = 54,
    DHCPV4_OPT_T1 = 58,
    DHCPV4_OPT_T2 = 59,
    DHCPV4_OPT_CLASSLESS_ROUTES = 121,
    DHCPV4_OPT_END = 255,
};

/* The largest UDP payload accepted from a client: an Ethernet frame of
 * 1500 bytes of IP without IP options. */
#define DHCP_MAX_REQUEST 1472

enum dhcp_parse_result {
    DHCP_PARSE_OK,
    DHCP_PARSE_TRUNCATED,           /* Shorter than header + cookie. */
    DHCP_PARSE_OVERSIZED,           /* Longer than DHCP_MAX_REQUEST. */
    DHCP_PARSE_NOT_REQUEST,         /* op is not BOOTREQUEST. */
    DHCP_PARSE_BAD_HW,              /* Not Ethernet (htype 1, hlen 6). */
    DHCP_PARSE_BAD_COOKIE,          /* No DHCP magic cookie: BOOTP. */
    DHCP_PARSE_BAD_OPTION,          /* An option runs past the end or has
                                     * the wrong length. */
    DHCP_PARSE_NO_TYPE,             /* No message type option. */
    DHCP_PARSE_BAD_TYPE,            /* Not a client's message type. */
    DHCP_PARSE_N_RESULTS
};

const char *dhcp_parse_result_to_string(enum dhcp_parse_result);

/* What the server needs from a client's message. */
struct dhcp_request {
    uint8_t type;                   /* DHCPV4_DISCOVER ... DHCPV4_INFORM. */
    ovs_be32 xid;
    ovs_be16 flags;                 /* Bit 15: broadcast. */
    ovs_be32 ciaddr;
    ovs_be32 giaddr;
    struct eth_addr chaddr;
    ovs_be32 requested_ip;          /* Option 50, or 0. */
    ovs_be32 server_id;             /* Option 54, or 0. */
};

enum dhcp_parse_result dhcp_parse_request(const void *payload, size_t len,
                                          struct dhcp_request *);

/* The largest reply payload the bounds below allow. */
#define DHCP_MAX_REPLY 1024

#define DHCP_MAX_DNS 8
#define DHCP_MAX_ROUTES 32
#define DHCP_MAX_HOSTNAME 63        /* A DNS label. */
#define DHCP_MAX_DOMAIN 127

struct dhcp_route {
    ovs_be32 dst;
    uint8_t plen;
    ovs_be32 gw;                    /* 0: on link. */
};

/* Everything a port's lease says. */
struct dhcp_lease {
    struct eth_addr server_mac;
    ovs_be32 server_ip;             /* Server identifier, reply source. */
    ovs_be32 ip;                    /* The port's address. */
    ovs_be32 netmask;
    ovs_be32 router;                /* 0: none (option 3 omitted). */
    ovs_be32 dns[DHCP_MAX_DNS];
    size_t n_dns;
    struct dhcp_route routes[DHCP_MAX_ROUTES]; /* Without the default. */
    size_t n_routes;
    uint16_t mtu;                   /* 0: omitted. */
    uint32_t lease_time;            /* Seconds. */
    char hostname[DHCP_MAX_HOSTNAME + 1];      /* "": omitted. */
    char domain[DHCP_MAX_DOMAIN + 1];          /* "": omitted. */
};

/* The answer to 'req' for 'lease': DHCPV4_OFFER, DHCPV4_ACK, DHCPV4_NAK,
 * or 0 for none (a RELEASE, a DECLINE, a REQUEST meant for another
 * server). */
uint8_t dhcp_reply_type(const struct dhcp_request *,
                        const struct dhcp_lease *);

/* Clears 'out' and writes into it the frame of reply 'type' to 'req' from
 * the server of 'lease' to the client 'client_mac'. */
void dhcp_build_reply(const struct dhcp_request *, const struct dhcp_lease *,
                      uint8_t type, struct eth_addr client_mac,
                      struct dp_packet *out);

/* Finds option 'code' in the options that follow the magic cookie of the
 * DHCP message 'payload' ('len' bytes), concatenating repeated instances
 * (RFC 3396) into 'buf' ('buf_size' bytes).  Returns the option's length,
 * or -1 if it is absent or the options are malformed. */
int dhcp_options_find(const void *payload, size_t len, uint8_t code,
                      uint8_t *buf, size_t buf_size);

/* Encodes 'routes' and, if 'router' is nonzero, the default route through
 * it, as option 121 (RFC 3442) into 'buf'.  Returns the length. */
size_t dhcp_encode_routes(const struct dhcp_route *routes, size_t n,
                          ovs_be32 router, uint8_t *buf, size_t buf_size);

#endif /* pipeline/dhcp.h */
