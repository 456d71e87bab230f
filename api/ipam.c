/*
 * api/ipam: IP and MAC address arithmetic.  See ipam.h for the contract.
 */

#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "api/ipam.h"

int
ipam_family_bits(int family)
{
    return family == 4 ? 32 : 128;
}

static ipam_u128
ipam_host_mask(int family, int plen)
{
    int host_bits = ipam_family_bits(family) - plen;
    if (host_bits <= 0) {
        return 0;
    } else if (host_bits >= 128) {
        return ~(ipam_u128) 0;
    }
    return ((ipam_u128) 1 << host_bits) - 1;
}

bool
ipam_parse_addr_family(const char *s, int family, struct ipam_addr *addr)
{
    if (!s) {
        return false;
    }
    if (family == 4) {
        struct in_addr in4;
        if (inet_pton(AF_INET, s, &in4) != 1) {
            return false;
        }
        addr->family = 4;
        addr->v = ntohl(in4.s_addr);
        return true;
    } else if (family == 6) {
        struct in6_addr in6;
        if (inet_pton(AF_INET6, s, &in6) != 1) {
            return false;
        }
        addr->family = 6;
        addr->v = 0;
        for (int i = 0; i < 16; i++) {
            addr->v = (addr->v << 8) | in6.s6_addr[i];
        }
        return true;
    }
    return false;
}

/* Parses 's' as an IPv4 or IPv6 address (inet_pton() syntax). */
bool
ipam_parse_addr(const char *s, struct ipam_addr *addr)
{
    return (ipam_parse_addr_family(s, 4, addr)
            || ipam_parse_addr_family(s, 6, addr));
}

/* Parses 's' as "ADDR/PLEN" into 'prefix'.  With 'strict', host bits must
 * be zero.  Returns NULL on success, otherwise an error message. */
char *
ipam_parse_cidr(const char *s, bool strict, struct ipam_prefix *prefix)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash || slash == s || strlen(s) >= IPAM_PREFIX_STRLEN) {
        return xasprintf("'%s' is not a valid IP subnet", s ? s : "");
    }

    char addr_s[IPAM_PREFIX_STRLEN];
    memcpy(addr_s, s, slash - s);
    addr_s[slash - s] = '\0';
    if (!ipam_parse_addr(addr_s, &prefix->addr)) {
        return xasprintf("'%s' is not a valid IP subnet", s);
    }

    const char *p = slash + 1;
    if (!*p || strlen(p) > 3) {
        return xasprintf("'%s' is not a valid IP subnet", s);
    }
    int plen = 0;
    for (; *p; p++) {
        if (!isdigit((unsigned char) *p)) {
            return xasprintf("'%s' is not a valid IP subnet", s);
        }
        plen = plen * 10 + (*p - '0');
    }
    if (plen > ipam_family_bits(prefix->addr.family)) {
        return xasprintf("'%s' is not a valid IP subnet", s);
    }
    prefix->plen = plen;

    if (strict && ipam_prefix_has_host_bits(prefix)) {
        struct ipam_prefix net = *prefix;
        char buf[IPAM_PREFIX_STRLEN];
        net.addr = ipam_prefix_network(prefix);
        ipam_format_prefix(&net, buf);
        return xasprintf("'%s' isn't a recommended CIDR, '%s' should be "
                         "used instead", s, buf);
    }
    return NULL;
}

void
ipam_format_addr(const struct ipam_addr *addr, char buf[IPAM_ADDR_STRLEN])
{
    if (addr->family == 4) {
        struct in_addr in4 = { .s_addr = htonl((uint32_t) addr->v) };
        inet_ntop(AF_INET, &in4, buf, IPAM_ADDR_STRLEN);
    } else {
        struct in6_addr in6;
        ipam_u128 v = addr->v;
        for (int i = 15; i >= 0; i--) {
            in6.s6_addr[i] = v & 0xff;
            v >>= 8;
        }
        inet_ntop(AF_INET6, &in6, buf, IPAM_ADDR_STRLEN);
    }
}

void
ipam_format_prefix(const struct ipam_prefix *prefix,
                   char buf[IPAM_PREFIX_STRLEN])
{
    char addr[IPAM_ADDR_STRLEN];
    ipam_format_addr(&prefix->addr, addr);
    snprintf(buf, IPAM_PREFIX_STRLEN, "%s/%d", addr, prefix->plen);
}

/* Returns the canonical text of the address 's' (malloc'd), or NULL if 's'
 * is not an address. */
char *
ipam_normalize_addr(const char *s)
{
    struct ipam_addr addr;
    if (!ipam_parse_addr(s, &addr)) {
        return NULL;
    }
    char buf[IPAM_ADDR_STRLEN];
    ipam_format_addr(&addr, buf);
    return xstrdup(buf);
}

int
ipam_addr_cmp(const struct ipam_addr *a, const struct ipam_addr *b)
{
    if (a->family != b->family) {
        return a->family < b->family ? -1 : 1;
    }
    return a->v < b->v ? -1 : a->v > b->v;
}

bool
ipam_addr_equals(const struct ipam_addr *a, const struct ipam_addr *b)
{
    return !ipam_addr_cmp(a, b);
}

struct ipam_addr
ipam_prefix_network(const struct ipam_prefix *prefix)
{
    struct ipam_addr net = prefix->addr;
    net.v &= ~ipam_host_mask(net.family, prefix->plen);
    return net;
}

struct ipam_addr
ipam_prefix_last(const struct ipam_prefix *prefix)
{
    struct ipam_addr last = prefix->addr;
    last.v |= ipam_host_mask(last.family, prefix->plen);
    return last;
}

bool
ipam_prefix_has_host_bits(const struct ipam_prefix *prefix)
{
    return (prefix->addr.v & ipam_host_mask(prefix->addr.family,
                                            prefix->plen)) != 0;
}

bool
ipam_prefix_contains(const struct ipam_prefix *prefix,
                     const struct ipam_addr *addr)
{
    if (addr->family != prefix->addr.family) {
        return false;
    }
    ipam_u128 mask = ~ipam_host_mask(addr->family, prefix->plen);
    return (addr->v & mask) == (prefix->addr.v & mask);
}

bool
ipam_prefix_overlaps(const struct ipam_prefix *a, const struct ipam_prefix *b)
{
    if (a->addr.family != b->addr.family) {
        return false;
    }
    const struct ipam_prefix *shorter = a->plen <= b->plen ? a : b;
    const struct ipam_prefix *longer = shorter == a ? b : a;
    return ipam_prefix_contains(shorter, &longer->addr);
}

/* Stores in 'range' the addresses of 'prefix' that can be hosts: for IPv4
 * all but the network and broadcast addresses (all of them for /31 and
 * /32), for IPv6 all but the subnet-router anycast address (the first).
 * Returns false if there are none. */
bool
ipam_host_range(const struct ipam_prefix *prefix, struct ipam_range *range)
{
    range->start = ipam_prefix_network(prefix);
    range->end = ipam_prefix_last(prefix);
    int bits = ipam_family_bits(prefix->addr.family);
    if (prefix->addr.family == 4 && prefix->plen >= bits - 1) {
        return true;
    }
    if (prefix->plen >= bits) {
        return false;
    }
    range->start.v++;
    if (prefix->addr.family == 4) {
        range->end.v--;
    }
    return ipam_addr_cmp(&range->start, &range->end) <= 0;
}

bool
ipam_is_host(const struct ipam_prefix *prefix, const struct ipam_addr *addr)
{
    struct ipam_range hosts;
    return (ipam_prefix_contains(prefix, addr)
            && ipam_host_range(prefix, &hosts)
            && ipam_range_contains(&hosts, addr));
}

/* Neutron's default gateway: the first host address. */
bool
ipam_default_gateway(const struct ipam_prefix *prefix, struct ipam_addr *gw)
{
    struct ipam_range hosts;
    if (!ipam_host_range(prefix, &hosts)) {
        return false;
    }
    *gw = hosts.start;
    return true;
}

/* Neutron's default allocation pools: the host range of 'prefix' minus
 * 'gateway' (if nonnull), as 0, 1 or 2 ranges stored in 'pools'.  Returns
 * the number of ranges. */
size_t
ipam_default_pools(const struct ipam_prefix *prefix,
                   const struct ipam_addr *gateway,
                   struct ipam_range pools[2])
{
    struct ipam_range hosts;
    if (!ipam_host_range(prefix, &hosts)) {
        return 0;
    }
    if (!gateway || !ipam_range_contains(&hosts, gateway)) {
        pools[0] = hosts;
        return 1;
    }

    size_t n = 0;
    if (gateway->v > hosts.start.v) {
        pools[n].start = hosts.start;
        pools[n].end = *gateway;
        pools[n].end.v--;
        n++;
    }
    if (gateway->v < hosts.end.v) {
        pools[n].start = *gateway;
        pools[n].start.v++;
        pools[n].end = hosts.end;
        n++;
    }
    return n;
}

bool
ipam_range_contains(const struct ipam_range *range,
                    const struct ipam_addr *addr)
{
    return (addr->family == range->start.family
            && ipam_addr_cmp(&range->start, addr) <= 0
            && ipam_addr_cmp(addr, &range->end) <= 0);
}

bool
ipam_ranges_overlap(const struct ipam_range *a, const struct ipam_range *b)
{
    return (a->start.family == b->start.family
            && ipam_addr_cmp(&a->start, &b->end) <= 0
            && ipam_addr_cmp(&b->start, &a->end) <= 0);
}

/* Checks allocation pools for subnet 'prefix' as Neutron does: each pool
 * of the subnet's family, start <= end, inside the host addresses of the
 * subnet, pools disjoint, and the gateway (if nonnull) in none of them.
 * Returns NULL if they are valid, otherwise an error message. */
char *
ipam_check_pools(const struct ipam_prefix *prefix,
                 const struct ipam_addr *gateway,
                 const struct ipam_range *pools, size_t n)
{
    char cidr[IPAM_PREFIX_STRLEN];
    struct ipam_range hosts;
    bool has_hosts = ipam_host_range(prefix, &hosts);

    ipam_format_prefix(prefix, cidr);
    for (size_t i = 0; i < n; i++) {
        const struct ipam_range *p = &pools[i];
        char s[IPAM_ADDR_STRLEN], e[IPAM_ADDR_STRLEN];

        ipam_format_addr(&p->start, s);
        ipam_format_addr(&p->end, e);
        if (p->start.family != prefix->addr.family
            || p->end.family != prefix->addr.family) {
            return xasprintf("Invalid input for allocation_pools: "
                             "allocation pool %s-%s is not of the IP "
                             "version of subnet %s", s, e, cidr);
        }
        if (ipam_addr_cmp(&p->start, &p->end) > 0) {
            return xasprintf("Invalid input for allocation_pools: "
                             "allocation pool %s-%s has its start after "
                             "its end", s, e);
        }
        if (!has_hosts || !ipam_range_contains(&hosts, &p->start)
            || !ipam_range_contains(&hosts, &p->end)) {
            return xasprintf("Invalid input for allocation_pools: "
                             "the allocation pool %s-%s spans beyond the "
                             "subnet cidr %s", s, e, cidr);
        }
        for (size_t j = 0; j < i; j++) {
            if (ipam_ranges_overlap(p, &pools[j])) {
                char s2[IPAM_ADDR_STRLEN], e2[IPAM_ADDR_STRLEN];
                ipam_format_addr(&pools[j].start, s2);
                ipam_format_addr(&pools[j].end, e2);
                return xasprintf("Invalid input for allocation_pools: "
                                 "found overlapping allocation pools "
                                 "%s-%s and %s-%s", s2, e2, s, e);
            }
        }
        if (gateway && ipam_range_contains(p, gateway)) {
            char g[IPAM_ADDR_STRLEN];
            ipam_format_addr(gateway, g);
            return xasprintf("Invalid input for allocation_pools: "
                             "gateway_ip %s overlaps with allocation pool "
                             "%s-%s", g, s, e);
        }
    }
    return NULL;
}

bool
ipam_find_free(const struct ipam_range *pools, size_t n_pools,
               bool (*in_use)(const struct ipam_addr *, void *aux),
               void *aux, uint64_t max_tries, struct ipam_addr *out)
{
    uint64_t tries = 0;
    for (size_t i = 0; i < n_pools; i++) {
        struct ipam_addr a = pools[i].start;
        for (;;) {
            if (max_tries && tries++ >= max_tries) {
                return false;
            }
            if (!in_use(&a, aux)) {
                *out = a;
                return true;
            }
            if (a.v >= pools[i].end.v) {
                break;
            }
            a.v++;
        }
    }
    return false;
}

/* Parses a MAC address "xx:xx:xx:xx:xx:xx" (hex digits, either case, also
 * with '-' separators). */
bool
ipam_parse_mac(const char *s, uint8_t mac[6])
{
    if (!s || strlen(s) != 17) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        const char *p = s + 3 * i;
        if (!isxdigit((unsigned char) p[0]) || !isxdigit((unsigned char) p[1])
            || (i < 5 && p[2] != ':' && p[2] != '-')) {
            return false;
        }
        char hex[3] = { p[0], p[1], '\0' };
        mac[i] = strtoul(hex, NULL, 16);
    }
    return true;
}

void
ipam_format_mac(const uint8_t mac[6], char buf[IPAM_MAC_STRLEN])
{
    snprintf(buf, IPAM_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
             mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Checks that 's' is usable as a port's MAC address: well formed, unicast,
 * not all zeros.  Returns NULL if so, otherwise an error message. */
char *
ipam_check_port_mac(const char *s)
{
    uint8_t mac[6];
    if (!ipam_parse_mac(s, mac)) {
        return xasprintf("'%s' is not a valid MAC address", s ? s : "");
    }
    if (mac[0] & 1) {
        return xasprintf("'%s' is not a valid unicast MAC address", s);
    }
    if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
        return xasprintf("'%s' is not a valid MAC address", s);
    }
    return NULL;
}

/* Formats Neutron's default MAC, fa:16:3e:xx:xx:xx, the low three bytes
 * taken from 'random_bits'. */
void
ipam_neutron_mac(uint32_t random_bits, char buf[IPAM_MAC_STRLEN])
{
    uint8_t mac[6] = { 0xfa, 0x16, 0x3e, (random_bits >> 16) & 0xff,
                       (random_bits >> 8) & 0xff, random_bits & 0xff };
    ipam_format_mac(mac, buf);
}

/* The EUI-64 address of 'mac' in 'prefix' (its first 64 bits), as
 * Neutron's ipv6_utils.get_ipv6_addr_by_EUI64() computes it: the MAC with
 * ff:fe inserted in its middle and the universal/local bit flipped. */
void
ipam_eui64(const struct ipam_prefix *prefix, const uint8_t mac[6],
           struct ipam_addr *out)
{
    uint64_t iid = ((uint64_t) (mac[0] ^ 0x02) << 56)
                   | ((uint64_t) mac[1] << 48) | ((uint64_t) mac[2] << 40)
                   | ((uint64_t) 0xfffe << 24) | ((uint64_t) mac[3] << 16)
                   | ((uint64_t) mac[4] << 8) | mac[5];

    out->family = 6;
    out->v = (prefix->addr.v & ~(ipam_u128) UINT64_MAX) | iid;
}
