/*
 * pipeline/dhcp6: the DHCPv6 server's wire format and decisions (RFC
 * 8415, RFC 3646 for DNS), as pure functions (no I/O, no logging, no
 * global state), so that they can be unit tested and fuzzed alone.
 * controller/dhcp6-server feeds it the packet-ins and the NB rows.
 *
 * Contract
 *   - dhcp6_parse() reads a client's UDP payload of any length and
 *     content: it never reads outside it and returns DHCP6_PARSE_OK only
 *     for a client message (Solicit, Request, Confirm, Renew, Rebind,
 *     Release, Decline, Information-request) whose options all lie within
 *     it, with the lengths RFC 8415 gives them, and with the Client and
 *     Server Identifiers that RFC 8415 section 16 requires or forbids for
 *     its type.  Anything else gets another result and no other effect.
 *   - dhcp6_decide() decides the answer to a parsed message for the one
 *     port it came from ('struct dhcp6_lease': the port's fixed addresses
 *     on stateful subnets, the network's on-link prefixes, DNS, domain).
 *     Messages for another server (a Server Identifier not ours) get none.
 *   - dhcp6_build_reply() writes a complete Ethernet + IPv6 + UDP frame
 *     (547 -> 546, the UDP checksum set) from the lease's server MAC and
 *     its link-local address.  Every count is bounded (DHCP6_MAX_*), so a
 *     reply fits in DHCP6_MAX_REPLY bytes of UDP payload.
 *   - dhcp6_option_find() walks a message's options, for tests and tools.
 */

#ifndef PIPELINE_DHCP6_H
#define PIPELINE_DHCP6_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "packets.h"

struct dp_packet;

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547

/* Message types. */
enum {
    DHCP6_SOLICIT = 1,
    DHCP6_ADVERTISE = 2,
    DHCP6_REQUEST = 3,
    DHCP6_CONFIRM = 4,
    DHCP6_RENEW = 5,
    DHCP6_REBIND = 6,
    DHCP6_REPLY = 7,
    DHCP6_RELEASE = 8,
    DHCP6_DECLINE = 9,
    DHCP6_RECONFIGURE = 10,
    DHCP6_INFORMATION_REQUEST = 11,
    DHCP6_N_TYPES = 12          /* Relay messages are not served. */
};

/* Options this server reads or writes. */
enum {
    DHCP6_OPT_CLIENTID = 1,
    DHCP6_OPT_SERVERID = 2,
    DHCP6_OPT_IA_NA = 3,
    DHCP6_OPT_IA_TA = 4,
    DHCP6_OPT_IAADDR = 5,
    DHCP6_OPT_ORO = 6,
    DHCP6_OPT_PREFERENCE = 7,
    DHCP6_OPT_ELAPSED_TIME = 8,
    DHCP6_OPT_STATUS_CODE = 13,
    DHCP6_OPT_RAPID_COMMIT = 14,
    DHCP6_OPT_DNS_SERVERS = 23,
    DHCP6_OPT_DOMAIN_LIST = 24,
    DHCP6_OPT_IA_PD = 25,
};

/* Status codes. */
enum dhcp6_status {
    DHCP6_STATUS_SUCCESS = 0,
    DHCP6_STATUS_UNSPEC_FAIL = 1,
    DHCP6_STATUS_NO_ADDRS_AVAIL = 2,
    DHCP6_STATUS_NO_BINDING = 3,
    DHCP6_STATUS_NOT_ON_LINK = 4,
    DHCP6_STATUS_USE_MULTICAST = 5,
    DHCP6_STATUS_NONE = 0xffff  /* No status code option. */
};

/* Bounds. */
#define DHCP6_MAX_REQUEST 1452  /* 1500 bytes of IPv6 without extensions. */
#define DHCP6_MAX_DUID 130      /* 2 bytes of type + at most 128. */
#define DHCP6_MAX_IA 2          /* IA_NAs answered; more are ignored. */
#define DHCP6_MAX_ADDRS 4       /* Addresses per IA_NA, and per port. */
#define DHCP6_MAX_LINKS 8       /* On-link prefixes of a network. */
#define DHCP6_MAX_DNS 4
#define DHCP6_MAX_DOMAIN 253
#define DHCP6_MAX_REPLY 1232   /* 1280 bytes of IPv6, the least MTU. */

/* An IA_NA of a client message. */
struct dhcp6_ia {
    uint32_t iaid;
    struct in6_addr addrs[DHCP6_MAX_ADDRS];     /* Its IAADDRs. */
    size_t n_addrs;
};

struct dhcp6_request {
    uint8_t type;
    uint8_t xid[3];
    uint8_t client_id[DHCP6_MAX_DUID];
    size_t client_id_len;                       /* 0: none. */
    uint8_t server_id[DHCP6_MAX_DUID];
    size_t server_id_len;                       /* 0: none. */
    struct dhcp6_ia ias[DHCP6_MAX_IA];
    size_t n_ias;
    bool rapid_commit;
};

enum dhcp6_parse_result {
    DHCP6_PARSE_OK,
    DHCP6_PARSE_TRUNCATED,          /* Shorter than the 4-byte header. */
    DHCP6_PARSE_OVERSIZED,          /* Longer than DHCP6_MAX_REQUEST. */
    DHCP6_PARSE_NOT_CLIENT,         /* A server's or a relay's message. */
    DHCP6_PARSE_BAD_OPTION,         /* Past the end, wrong length, twice. */
    DHCP6_PARSE_NO_CLIENT_ID,       /* Missing where it is required. */
    DHCP6_PARSE_NO_SERVER_ID,       /* Missing where it is required. */
    DHCP6_PARSE_UNEXPECTED_SERVER_ID, /* Present where it is forbidden. */
    DHCP6_PARSE_UNEXPECTED_IA,      /* An IA in an Information-request. */
    DHCP6_PARSE_N_RESULTS
};

const char *dhcp6_parse_result_to_string(enum dhcp6_parse_result);
const char *dhcp6_type_to_string(uint8_t type);

enum dhcp6_parse_result dhcp6_parse(const void *msg, size_t len,
                                    struct dhcp6_request *);

/* What the server knows of the port a message came from. */
struct dhcp6_lease {
    struct eth_addr server_mac;     /* Server DUID-LL, Ethernet source. */
    /* The port's fixed addresses on the stateful subnets. */
    struct in6_addr addrs[DHCP6_MAX_ADDRS];
    size_t n_addrs;
    /* The prefixes of the network's IPv6 subnets (for Confirm). */
    struct in6_addr links[DHCP6_MAX_LINKS];
    uint8_t link_plens[DHCP6_MAX_LINKS];
    size_t n_links;
    uint32_t preferred_lifetime;    /* Seconds. */
    uint32_t valid_lifetime;
    uint32_t t1, t2;
    struct in6_addr dns[DHCP6_MAX_DNS];
    size_t n_dns;
    char domain[DHCP6_MAX_DOMAIN + 1];  /* "": no domain search list. */
};

/* The answer dhcp6_decide() chose. */
struct dhcp6_answer {
    uint8_t type;                   /* 0 (none), ADVERTISE or REPLY. */
    uint16_t status;                /* Top-level enum dhcp6_status. */
    bool ias;                       /* Answer the IA_NAs. */
    uint16_t ia_status;             /* For an IA without address. */
    bool preference;                /* Preference 255 (Advertise). */
    bool rapid_commit;              /* Rapid Commit (Reply to Solicit). */
    bool config;                    /* DNS servers and domain list. */
};

/* The server's DUID-LL for 'mac' in 'duid' (10 bytes); returns its
 * length. */
size_t dhcp6_server_duid(struct eth_addr mac, uint8_t duid[DHCP6_MAX_DUID]);

/* Fills 'a' with the answer to 'req' for 'lease'; returns a->type. */
uint8_t dhcp6_decide(const struct dhcp6_request *,
                     const struct dhcp6_lease *, struct dhcp6_answer *a);

/* Replaces the contents of 'out' with the frame of answer 'a' to 'req'
 * for 'lease', to 'dst_mac' and 'dst_ip'; sets its l3 and l4 offsets. */
void dhcp6_build_reply(const struct dhcp6_request *,
                       const struct dhcp6_lease *,
                       const struct dhcp6_answer *,
                       struct eth_addr dst_mac, const struct in6_addr *dst_ip,
                       struct dp_packet *out);

/* The first option 'code' among the options in 'opts' ('len' bytes);
 * its data and length in '*olen', or NULL. */
const uint8_t *dhcp6_option_find(const uint8_t *opts, size_t len,
                                 uint16_t code, size_t *olen);

/* Appends to 'out' (DHCP6_MAX_DOMAIN + 2 bytes) 'domain' in DNS wire
 * format (RFC 1035 3.1); returns its length, 0 if 'domain' is empty or
 * not a valid name. */
size_t dhcp6_encode_domain(const char *domain, uint8_t *out);

#endif /* pipeline/dhcp6.h */
