/*
 * api/ipam: IP address and MAC address arithmetic for dvr-api, as pure
 * functions (no I/O, no database, no global state).
 *
 * Addresses of both families are held as 128-bit integers so that IPv4 and
 * IPv6 share one code path; 'family' (4 or 6) says how to read them.  The
 * functions here parse and validate what Neutron accepts (subnet CIDRs,
 * gateways, allocation pools), compute Neutron's defaults (gateway = first
 * host, pools = the other hosts), and choose free addresses.  The callers
 * (the API handlers) supply which addresses are in use; the database, not
 * this module, guarantees that no address is handed out twice.
 *
 * Contract:
 *   - Parsers accept only canonical-enough text: inet_pton() syntax for
 *     addresses, "ADDR/PLEN" for prefixes.  ipam_parse_cidr() with 'strict'
 *     rejects host bits (Neutron: "isn't a recommended CIDR").
 *   - Every error is a string that names the offending value; callers own
 *     and free() it.
 *   - Formatting always yields the canonical inet_ntop() text, so stored
 *     addresses compare equal as strings.
 */

#ifndef API_IPAM_H
#define API_IPAM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 ipam_u128;

/* One IPv4 or IPv6 address. */
struct ipam_addr {
    int family;                 /* 4 or 6. */
    ipam_u128 v;                /* Host byte order, IPv4 in the low bits. */
};

/* One prefix: 'addr' with the low (bits - plen) bits possibly set. */
struct ipam_prefix {
    struct ipam_addr addr;
    int plen;
};

/* An inclusive range of addresses of one family. */
struct ipam_range {
    struct ipam_addr start;
    struct ipam_addr end;
};

#define IPAM_ADDR_STRLEN 46     /* INET6_ADDRSTRLEN. */
#define IPAM_PREFIX_STRLEN (IPAM_ADDR_STRLEN + 16)
#define IPAM_MAC_STRLEN 18

int ipam_family_bits(int family);

bool ipam_parse_addr(const char *, struct ipam_addr *);
bool ipam_parse_addr_family(const char *, int family, struct ipam_addr *);
char *ipam_parse_cidr(const char *, bool strict, struct ipam_prefix *);
void ipam_format_addr(const struct ipam_addr *, char buf[IPAM_ADDR_STRLEN]);
void ipam_format_prefix(const struct ipam_prefix *,
                        char buf[IPAM_PREFIX_STRLEN]);
char *ipam_normalize_addr(const char *);

int ipam_addr_cmp(const struct ipam_addr *, const struct ipam_addr *);
bool ipam_addr_equals(const struct ipam_addr *, const struct ipam_addr *);
struct ipam_addr ipam_prefix_network(const struct ipam_prefix *);
struct ipam_addr ipam_prefix_last(const struct ipam_prefix *);
bool ipam_prefix_contains(const struct ipam_prefix *,
                          const struct ipam_addr *);
bool ipam_prefix_overlaps(const struct ipam_prefix *,
                          const struct ipam_prefix *);
bool ipam_prefix_has_host_bits(const struct ipam_prefix *);

/* Hosts, gateways and pools. */
bool ipam_host_range(const struct ipam_prefix *, struct ipam_range *);
bool ipam_is_host(const struct ipam_prefix *, const struct ipam_addr *);
bool ipam_default_gateway(const struct ipam_prefix *, struct ipam_addr *);
size_t ipam_default_pools(const struct ipam_prefix *,
                          const struct ipam_addr *gateway,
                          struct ipam_range pools[2]);
char *ipam_check_pools(const struct ipam_prefix *,
                       const struct ipam_addr *gateway,
                       const struct ipam_range *, size_t n);
bool ipam_range_contains(const struct ipam_range *,
                         const struct ipam_addr *);
bool ipam_ranges_overlap(const struct ipam_range *,
                         const struct ipam_range *);

/* Allocation: the first address of 'pools' (in order) for which 'in_use'
 * returns false.  Returns false if every address is in use.  At most
 * 'max_tries' addresses are examined (0 means no limit). */
bool ipam_find_free(const struct ipam_range *pools, size_t n_pools,
                    bool (*in_use)(const struct ipam_addr *, void *aux),
                    void *aux, uint64_t max_tries, struct ipam_addr *out);

/* MAC addresses. */
bool ipam_parse_mac(const char *, uint8_t mac[6]);
void ipam_format_mac(const uint8_t mac[6], char buf[IPAM_MAC_STRLEN]);
char *ipam_check_port_mac(const char *);
void ipam_neutron_mac(uint32_t random_bits, char buf[IPAM_MAC_STRLEN]);

/* The SLAAC address of 'mac' in IPv6 'prefix' (a /64): EUI-64, as
 * Neutron computes it. */
void ipam_eui64(const struct ipam_prefix *, const uint8_t mac[6],
                struct ipam_addr *);

#endif /* api/ipam.h */
