/*
 * dvr/l3: see l3.h for the contract, pipeline/tables.h for the table
 * and register map and doc/pipeline.md for a packet's walk.
 *
 * Route priorities: 10 + 2 * prefix length, plus one for the routes that
 * apply only to a floating IP's VM, so that a longer prefix always wins
 * and, at equal length, the floating IP's own route does.
 */

#include <config.h>

#include "dvr/l3.h"

#include <netinet/icmp6.h>
#include <string.h>

#include "lib/flow.h"            /* OVS's: ofp_to_u16(). */
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/actions.h"
#include "pipeline/sg.h"
#include "pipeline/tables.h"
#include "smap.h"
#include "util.h"

/* l3_ext_in: neighbour advertisements to learn (and, one below,
 * link-local and multicast destinations dropped), above the gateway's own
 * address (100) and the routing of tenant prefixes (90). */
#define L3_PRIO_EXT_ND 105

static uint16_t
route_priority(ovs_be32 mask, bool fip)
{
    return 10 + 2 * ip_count_cidr_bits(mask) + fip;
}

void
l3_output_init(struct l3_output *out)
{
    flow_list_init(&out->int_flows);
    flow_list_init(&out->tun_flows);
    svec_init(&out->errors);
}

void
l3_output_destroy(struct l3_output *out)
{
    flow_list_destroy(&out->int_flows);
    flow_list_destroy(&out->tun_flows);
    svec_destroy(&out->errors);
}

char *
l3_iface_parse(const struct nbrec_port *nb, struct l3_iface *iface)
{
    if (!eth_addr_from_string(nb->mac_address, &iface->mac)
        || eth_addr_is_multicast(iface->mac)
        || eth_addr_is_zero(iface->mac)) {
        return xasprintf("router port "UUID_FMT": invalid mac_address '%s'",
                         UUID_ARGS(&nb->header_.uuid), nb->mac_address);
    }
    if (nb->network
        && (nb->network->mtu < L3_MIN_MTU || nb->network->mtu > L3_MAX_MTU)) {
        return xasprintf("router port "UUID_FMT": network "UUID_FMT" MTU "
                         "%"PRId64" outside %d..%d (routing checks the frame "
                         "length, MTU + 14, in 16 bits)",
                         UUID_ARGS(&nb->header_.uuid),
                         UUID_ARGS(&nb->network->header_.uuid),
                         nb->network->mtu, L3_MIN_MTU, L3_MAX_MTU);
    }
    iface->ip = iface->mask = htonl(0);
    iface->ip6 = iface->mask6 = in6addr_any;
    for (size_t i = 0; i < nb->n_fixed_ips; i++) {
        const struct nbrec_fixed_ip *fip = nb->fixed_ips[i];
        struct in6_addr ip6, net6;
        unsigned int plen;
        ovs_be32 ip, net;
        char *error;

        if (!fip->subnet) {
            continue;
        }
        if (!l3_iface_has_ip4(iface) && ip_parse(fip->ip_address, &ip)
            && ip) {
            error = ip_parse_cidr(fip->subnet->cidr, &net, &plen);
            if (!error) {
                iface->ip = ip;
                iface->mask = be32_prefix_mask(plen);
            }
            free(error);
        } else if (!l3_iface_has_ip6(iface)
                   && ipv6_parse(fip->ip_address, &ip6)
                   && ipv6_addr_is_set(&ip6)
                   && !in6_is_lla(&ip6) && !ipv6_addr_is_multicast(&ip6)) {
            error = ipv6_parse_cidr(fip->subnet->cidr, &net6, &plen);
            if (!error) {
                iface->ip6 = ip6;
                iface->mask6 = ipv6_create_mask(plen);
            }
            free(error);
        }
    }
    if (l3_iface_has_ip4(iface) || l3_iface_has_ip6(iface)) {
        return NULL;
    }
    return xasprintf("router port "UUID_FMT": no IPv4 or IPv6 address on a "
                     "subnet of its IP version",
                     UUID_ARGS(&nb->header_.uuid));
}

/* The skeleton of the routing tables. */
void
l3_compile_skeleton(struct l3_output *out)
{
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    /* l3_input: TTL expiring here gets "time exceeded"; other IP is
     * routed; anything else sent to a router MAC is dropped. */
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_ttl(&match, 1);
    put_pin(&ofpacts, PIN_ICMP_TTL);
    flow_list_add(&out->int_flows, T_L3_INPUT, 100, COOKIE_STATIC, &match,
                  &ofpacts);
    ofpbuf_clear(&ofpacts);
    match_set_nw_ttl(&match, 0);
    flow_list_add(&out->int_flows, T_L3_INPUT, 100, COOKIE_STATIC, &match,
                  &ofpacts);
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    put_goto(&ofpacts, T_L3_ROUTE);
    flow_list_add(&out->int_flows, T_L3_INPUT, 1, COOKIE_STATIC, &match,
                  &ofpacts);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    flow_list_add(&out->int_flows, T_L3_INPUT, 1, COOKIE_STATIC, &match,
                  &ofpacts);

    /* IPv6 whose hop limit expires here gets "time exceeded"; IPv6
     * multicast (neighbour discovery to the router's solicited-node
     * address, MLD) and link-local destinations are never routed. */
    ofpbuf_clear(&ofpacts);
    match_set_nw_ttl(&match, 1);
    put_pin(&ofpacts, PIN_ICMP6_TTL);
    flow_list_add(&out->int_flows, T_L3_INPUT, 100, COOKIE_STATIC, &match,
                  &ofpacts);
    ofpbuf_clear(&ofpacts);
    match_set_nw_ttl(&match, 0);
    flow_list_add(&out->int_flows, T_L3_INPUT, 100, COOKIE_STATIC, &match,
                  &ofpacts);
    for (int i = 0; i < 2; i++) {
        /* ff00::/8 and fe80::/10. */
        struct in6_addr net = in6addr_any, mask;
        net.s6_addr[0] = i ? 0xfe : 0xff;
        net.s6_addr[1] = i ? 0x80 : 0;
        mask = ipv6_create_mask(i ? 10 : 8);
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
        match_set_ipv6_dst_masked(&match, &net, &mask);
        flow_list_add(&out->int_flows, T_L3_INPUT, 105, COOKIE_STATIC,
                      &match, &ofpacts);
    }
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    flow_list_add(&out->int_flows, T_L3_INPUT, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    flow_list_add(&out->int_flows, T_L3_TO_GW, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    flow_list_add(&out->int_flows, T_L3_EXT_IN, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* l3_route: no route to the destination. */
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    put_pin(&ofpacts, PIN_ICMP_UNREACH);
    flow_list_add(&out->int_flows, T_L3_ROUTE, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    ofpbuf_clear(&ofpacts);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    put_pin(&ofpacts, PIN_ICMP6_UNREACH);
    flow_list_add(&out->int_flows, T_L3_ROUTE, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* l3_mtu: too big for the egress network; the controller sends
     * "fragmentation needed" if DF is set (and l3_egress drops it). */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_reg_masked(&match, REG_FLAGS, FLAG_PKT_LARGER,
                         FLAG_PKT_LARGER);
    put_pin(&ofpacts, PIN_ICMP_FRAG);
    flow_list_add(&out->int_flows, T_L3_MTU, 100, COOKIE_STATIC, &match,
                  &ofpacts);
    ofpbuf_clear(&ofpacts);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    put_pin(&ofpacts, PIN_ICMP6_BIG);
    flow_list_add(&out->int_flows, T_L3_MTU, 100, COOKIE_STATIC, &match,
                  &ofpacts);
    ofpbuf_clear(&ofpacts);
    flow_list_add(&out->int_flows, T_L3_EGRESS, 100, COOKIE_STATIC, &match,
                  &ofpacts);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    flow_list_add(&out->int_flows, T_L3_EGRESS, 100, COOKIE_STATIC, &match,
                  &ofpacts);
    match_init_catchall(&match);
    flow_list_add(&out->int_flows, T_L3_MTU, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* l3_egress: the TTL decrement and on to the next hop, as a local
     * packet of the egress network. */
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    put_parsed(&ofpacts, "dec_ttl,load:0->NXM_NX_REG%d[0],goto_table:%d",
               REG_FLAGS, T_L3_NEXTHOP);
    flow_list_add(&out->int_flows, T_L3_EGRESS, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    flow_list_add(&out->int_flows, T_L3_EGRESS, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* l3_nexthop: an unknown next hop is resolved by ARP; the packet that
     * needed it is dropped. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    put_pin(&ofpacts, PIN_ARP_RESOLVE);
    flow_list_add(&out->int_flows, T_L3_NEXTHOP, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* An IPv6 next hop that no port has (the external network's router)
     * is resolved by neighbour solicitation, the same way. */
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    flow_list_add(&out->int_flows, T_L3_NEXTHOP, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* pin_meter: the per-VIF flows meter what a VIF caused (pipeline/
     * services); the rest (from the uplinks) goes on to pin_out, where
     * each opcode becomes its packet-in, through PIN_METER_ID. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    put_goto(&ofpacts, T_PIN_OUT);
    flow_list_add(&out->int_flows, T_PIN_METER, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    static const uint8_t ops[] = {
        PIN_ICMP_TTL, PIN_ICMP_UNREACH, PIN_ICMP_FRAG, PIN_ARP_RESOLVE,
        PIN_ARP_LEARN, PIN_ICMP6_TTL, PIN_ICMP6_UNREACH, PIN_ICMP6_BIG,
    };
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_set_reg_masked(&match, REG_FLAGS,
                             (uint32_t) ops[i] << PIN_OP_SHIFT,
                             0xffu << PIN_OP_SHIFT);
        put_controller(&ofpacts, ops[i], NULL, 0);
        flow_list_add(&out->int_flows, T_PIN_OUT, 100, COOKIE_STATIC,
                      &match, &ofpacts);
    }
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    flow_list_add(&out->int_flows, T_PIN_OUT, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* l3_ext_in: ARP replies (and gratuitous ARPs) to a router or
     * floating-IP MAC teach the controller the next hops. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    put_pin(&ofpacts, PIN_ARP_LEARN);
    flow_list_add(&out->int_flows, T_L3_EXT_IN, 50, COOKIE_STATIC, &match,
                  &ofpacts);

    /* l3_ext_in: so do neighbour advertisements (to the gateway's MAC,
     * from the external network's IPv6 router); IPv6 multicast and
     * link-local destinations from outside are never routed. */
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&match, IPPROTO_ICMPV6);
    match_set_icmp_type(&match, ND_NEIGHBOR_ADVERT);
    match_set_icmp_code(&match, 0);
    flow_list_add(&out->int_flows, T_L3_EXT_IN, L3_PRIO_EXT_ND, COOKIE_STATIC,
                  &match, &ofpacts);
    ofpbuf_clear(&ofpacts);
    for (int i = 0; i < 2; i++) {
        /* ff00::/8 and fe80::/10. */
        struct in6_addr net = in6addr_any, mask;
        net.s6_addr[0] = i ? 0xfe : 0xff;
        net.s6_addr[1] = i ? 0x80 : 0;
        mask = ipv6_create_mask(i ? 10 : 8);
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
        match_set_ipv6_dst_masked(&match, &net, &mask);
        flow_list_add(&out->int_flows, T_L3_EXT_IN, L3_PRIO_EXT_ND - 1,
                      COOKIE_STATIC, &match, &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

/* Actions that send a routed packet out of 'iface': its MTU check (in
 * l3_mtu, which sees the packet as it arrived), the egress network, the
 * router's MAC on it, then l3_egress.  The next hop is in reg2 already. */
static void
put_egress(struct ofpbuf *ofpacts, const struct l3_iface *iface,
           struct eth_addr src_mac)
{
    put_load_bits(ofpacts, MFF_REG0 + REG_MTU, 0, 16, iface->mtu);
    put_parsed(ofpacts, "check_pkt_larger(%d)->NXM_NX_REG%d[1]",
               iface->mtu + ETH_HEADER_LEN, REG_FLAGS);
    put_resubmit(ofpacts, T_L3_MTU);
    put_load(ofpacts, MFF_METADATA, iface->lvid);
    put_load_mac(ofpacts, MFF_ETH_SRC, src_mac);
    put_goto(ofpacts, T_L3_EGRESS);
}

static void
put_nexthop_dst(struct ofpbuf *ofpacts)
{
    put_parsed(ofpacts, "move:NXM_OF_IP_DST[]->NXM_NX_REG%d[]", REG_NEXTHOP);
}

/* An ICMP echo reply from 'ip' to a request that arrived on a router
 * MAC: swaps the addresses and sends it back where it came from (tagged,
 * if it came from another node through 'lvid''s uplink). */
static void
add_echo_reply(struct flow_list *flows, uint8_t table, uint64_t cookie,
               uint16_t lid, uint16_t lvid, ovs_be32 ip, bool from_remote)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, lid);
    if (from_remote) {
        match_set_metadata(&match, htonll(lvid));
    }
    match_set_reg_masked(&match, REG_FLAGS,
                         from_remote ? FLAG_FROM_REMOTE : 0,
                         FLAG_FROM_REMOTE);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, IPPROTO_ICMP);
    match_set_nw_dst(&match, ip);
    match_set_icmp_type(&match, ICMP4_ECHO_REQUEST);
    put_parsed(&ofpacts,
               "push:NXM_OF_ETH_SRC[],move:NXM_OF_ETH_DST[]->NXM_OF_ETH_SRC[],"
               "pop:NXM_OF_ETH_DST[],"
               "push:NXM_OF_IP_SRC[],move:NXM_OF_IP_DST[]->NXM_OF_IP_SRC[],"
               "pop:NXM_OF_IP_DST[],"
               "set_field:64->nw_ttl,set_field:0->icmp_type");
    if (from_remote) {
        put_push_vlan(&ofpacts, lvid);
    }
    put_to_sender(&ofpacts);
    flow_list_add(flows, table, 120, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* ARP replies for an address of the external network ('ip' at 'mac'),
 * from this node only: to local requests and to those from the physical
 * network (which get the local VLAN back for br-ex). */
void
l3_add_ext_arp_responder(struct flow_list *flows, uint64_t cookie,
                         uint16_t lvid, ovs_be32 ip, struct eth_addr mac)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    for (int from_remote = 0; from_remote < 2; from_remote++) {
        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_set_metadata(&match, htonll(lvid));
        match_set_reg_masked(&match, REG_FLAGS,
                             from_remote ? FLAG_FROM_REMOTE : 0,
                             FLAG_FROM_REMOTE);
        match_set_dl_type(&match, htons(ETH_TYPE_ARP));
        match_set_nw_proto(&match, ARP_OP_REQUEST);
        match_set_nw_dst(&match, ip);
        put_arp_reply(&ofpacts, mac, ip);
        if (from_remote) {
            put_push_vlan(&ofpacts, lvid);
        }
        put_to_sender(&ofpacts);
        flow_list_add(flows, T_L2_LOOKUP, 110, cookie, &match, &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

void
l3_add_ext_nd_responder(struct flow_list *flows, uint64_t cookie,
                        uint16_t lvid, const struct in6_addr *ip6,
                        struct eth_addr mac)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    for (int from_remote = 0; from_remote < 2; from_remote++) {
        /* The solicitation becomes the advertisement (put_nd_advert(),
         * as a router), the target link-layer address set in a second
         * pass (FLAG_ND_REPLY). */
        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_set_metadata(&match, htonll(lvid));
        match_set_reg_masked(&match, REG_FLAGS,
                             from_remote ? FLAG_FROM_REMOTE : 0,
                             FLAG_FROM_REMOTE | FLAG_ND_REPLY);
        match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
        match_set_nw_proto(&match, IPPROTO_ICMPV6);
        match_set_icmp_type(&match, ND_NEIGHBOR_SOLICIT);
        match_set_icmp_code(&match, 0);
        match_set_nd_target(&match, ip6);
        put_nd_advert(&ofpacts, mac, ip6, true, T_L2_LOOKUP);
        flow_list_add(flows, T_L2_LOOKUP, 110, cookie, &match, &ofpacts);

        ofpbuf_clear(&ofpacts);
        match_set_icmp_type(&match, ND_NEIGHBOR_ADVERT);
        match_set_reg_masked(&match, REG_FLAGS,
                             (from_remote ? FLAG_FROM_REMOTE : 0)
                             | FLAG_ND_REPLY,
                             FLAG_FROM_REMOTE | FLAG_ND_REPLY);
        put_parsed(&ofpacts, "set_field:"ETH_ADDR_FMT"->nd_tll",
                   ETH_ADDR_ARGS(mac));
        if (from_remote) {
            put_push_vlan(&ofpacts, lvid);
        }
        put_to_sender(&ofpacts);
        flow_list_add(flows, T_L2_LOOKUP, 110, cookie, &match, &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

void
l3_add_nexthop(struct flow_list *flows, uint64_t cookie, uint16_t priority,
               uint16_t lvid, ovs_be32 ip, struct eth_addr mac)
{
    uint64_t stub[128 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_metadata(&match, htonll(lvid));
    match_set_reg(&match, REG_NEXTHOP, ntohl(ip));
    put_load_mac(&ofpacts, MFF_ETH_DST, mac);
    put_resubmit(&ofpacts, T_L2_LOOKUP);
    flow_list_add(flows, T_L3_NEXTHOP, priority, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Finds the interface (or the gateway) whose subnet holds 'ip'. */
static const struct l3_iface *
find_connected(const struct l3_router *r, ovs_be32 ip)
{
    for (size_t i = 0; i < r->n_ifaces; i++) {
        const struct l3_iface *iface = &r->ifaces[i];
        if (l3_iface_has_ip4(iface) && !((ip ^ iface->ip) & iface->mask)) {
            return iface;
        }
    }
    if (r->gw_role != L3_GW_NONE && l3_iface_has_ip4(&r->gw)
        && !((ip ^ r->gw.ip) & r->gw.mask)) {
        return &r->gw;
    }
    return NULL;
}

static bool
ip6_in_subnet(const struct in6_addr *ip6, const struct l3_iface *iface)
{
    if (!l3_iface_has_ip6(iface)) {
        return false;
    }
    struct in6_addr a = ipv6_addr_bitand(ip6, &iface->mask6);
    struct in6_addr b = ipv6_addr_bitand(&iface->ip6, &iface->mask6);
    return ipv6_addr_equals(&a, &b);
}

/* Finds the interface (or the gateway) whose IPv6 subnet holds 'ip6'. */
static const struct l3_iface *
find_connected6(const struct l3_router *r, const struct in6_addr *ip6)
{
    for (size_t i = 0; i < r->n_ifaces; i++) {
        if (ip6_in_subnet(ip6, &r->ifaces[i])) {
            return &r->ifaces[i];
        }
    }
    if (r->gw_role != L3_GW_NONE && ip6_in_subnet(ip6, &r->gw)) {
        return &r->gw;
    }
    return NULL;
}

static void
match_set_nexthop6(struct match *match, const struct in6_addr *ip6)
{
    for (int i = 0; i < 4; i++) {
        match_set_reg(match, REG_NEXTHOP6 + i,
                      ntohl(get_16aligned_be32(
                                (const ovs_16aligned_be32 *)
                                &ip6->s6_addr[4 * i])));
    }
}

void
l3_add_nexthop6(struct flow_list *flows, uint64_t cookie, uint16_t priority,
                uint16_t lvid, const struct in6_addr *ip6,
                struct eth_addr mac)
{
    uint64_t stub[128 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_metadata(&match, htonll(lvid));
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nexthop6(&match, ip6);
    put_load_mac(&ofpacts, MFF_ETH_DST, mac);
    put_resubmit(&ofpacts, T_L2_LOOKUP);
    flow_list_add(flows, T_L3_NEXTHOP, priority, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* An IPv6 route to 'dst'/'mask' out of 'egress', via 'nexthop' (NULL:
 * the destination itself).  The MTU check comes first, while xxreg3 still
 * holds the router's address on the ingress network (the source of
 * "packet too big"); then the next hop replaces it. */
static void
add_route6(const struct l3_router *r, uint64_t cookie,
           const struct in6_addr *dst, const struct in6_addr *mask,
           const struct in6_addr *nexthop, const struct l3_iface *egress,
           struct l3_output *out)
{
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_ipv6_dst_masked(&match, dst, mask);
    if (egress == &r->gw && r->gw_role == L3_GW_REMOTE) {
        /* External traffic leaves through a gateway chassis. */
        put_goto(&ofpacts, T_L3_TO_GW);
        goto add;
    }
    put_load_bits(&ofpacts, MFF_REG0 + REG_MTU, 0, 16, egress->mtu);
    put_parsed(&ofpacts, "check_pkt_larger(%d)->NXM_NX_REG%d[1]",
               egress->mtu + ETH_HEADER_LEN, REG_FLAGS);
    put_resubmit(&ofpacts, T_L3_MTU);
    if (nexthop) {
        put_load_ip6(&ofpacts, MFF_XXREG3, nexthop);
    } else {
        put_move(&ofpacts, MFF_IPV6_DST, MFF_XXREG3);
    }
    put_load(&ofpacts, MFF_METADATA, egress->lvid);
    put_load_mac(&ofpacts, MFF_ETH_SRC, egress->mac);
    put_goto(&ofpacts, T_L3_EGRESS);
add:
    flow_list_add(&out->int_flows, T_L3_ROUTE,
                  10 + 2 * ipv6_count_cidr_bits(mask), cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* A route to 'dst'/'mask' out of 'egress', via 'nexthop' (0: the
 * destination itself). */
static void
add_route(const struct l3_router *r, uint64_t cookie, ovs_be32 dst,
          ovs_be32 mask, ovs_be32 nexthop, const struct l3_iface *egress,
          struct l3_output *out)
{
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst_masked(&match, dst, mask);
    if (egress == &r->gw && r->gw_role == L3_GW_REMOTE) {
        /* External traffic leaves through a gateway chassis. */
        put_goto(&ofpacts, T_L3_TO_GW);
    } else {
        if (nexthop) {
            put_load(&ofpacts, MFF_REG0 + REG_NEXTHOP, ntohl(nexthop));
        } else {
            put_nexthop_dst(&ofpacts);
        }
        put_egress(&ofpacts, egress, egress->mac);
    }
    flow_list_add(&out->int_flows, T_L3_ROUTE, route_priority(mask, false),
                  cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Priorities of the source check in l3_input: below the TTL and the
 * router's own addresses, above routing (1). */
#define L3_PRIO_SPOOFED 40
#define L3_PRIO_SPOOFED_EXT 150     /* In l3_ext_in: above everything. */

/* An interface's IPv6 subnet: its connected route and the source check
 * (as for IPv4, below).  Neighbour discovery for its addresses is answered
 * by pipeline/l2. */
static void
compile_iface6(const struct l3_router *r, const struct l3_iface *iface,
               uint64_t cookie, struct l3_output *out)
{
    uint64_t stub[128 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct in6_addr net = ipv6_addr_bitand(&iface->ip6, &iface->mask6);
    struct match match;

    add_route6(r, cookie, &net, &iface->mask6, NULL, iface, out);

    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_ipv6_src_masked(&match, &net, &iface->mask6);
    flow_list_add(&out->int_flows, T_L3_INPUT, L3_PRIO_SPOOFED, cookie,
                  &match, &ofpacts);
    if (r->gw_role != L3_GW_NONE) {
        flow_list_add(&out->int_flows, T_L3_EXT_IN, L3_PRIO_SPOOFED_EXT,
                      cookie, &match, &ofpacts);
    }
    match_set_metadata(&match, htonll(iface->lvid));
    put_goto(&ofpacts, T_L3_ROUTE);
    flow_list_add(&out->int_flows, T_L3_INPUT, L3_PRIO_SPOOFED + 10, cookie,
                  &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* On a compute chassis, whatever an interface's IP versions: l3_to_gw
 * sends the unrouted packet to the gateway chassis on its own network... */
static void
compile_to_gw(const struct l3_router *r, const struct l3_iface *iface,
              uint64_t cookie, struct l3_output *out)
{
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_metadata(&match, htonll(iface->lvid));
    put_push_vlan(&ofpacts, iface->lvid);
    put_output(&ofpacts, r->int_patch_tun);
    flow_list_add(&out->int_flows, T_L3_TO_GW, 100, cookie, &match,
                  &ofpacts);

    /* ...where br-tun sends it to the first live gateway. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_vlan(&match, iface->lvid);
    match_set_dl_dst(&match, iface->mac);
    put_pop_vlan(&ofpacts);
    put_load(&ofpacts, MFF_TUN_ID, iface->vni);
    if (r->n_gw_tunnels) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&s, "bundle(eth_src,0,active_backup,ofport,members:");
        for (size_t i = 0; i < r->n_gw_tunnels; i++) {
            ds_put_format(&s, "%s%d", i ? "," : "",
                          ofp_to_u16(r->gw_tunnels[i]));
        }
        ds_put_char(&s, ')');
        put_parsed(&ofpacts, "%s", ds_cstr(&s));
        ds_destroy(&s);
    } else {
        ofpbuf_clear(&ofpacts);
    }
    flow_list_add(&out->tun_flows, T_TUN_OUT, 110, cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

static void
compile_iface(const struct l3_router *r, const struct l3_iface *iface,
              uint64_t cookie, struct l3_output *out)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    /* l2_lookup: a packet to the router's MAC enters the router. */
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(iface->lvid));
    match_set_dl_dst(&match, iface->mac);
    put_load(&ofpacts, MFF_REG0 + REG_ROUTER, r->lid);
    put_load(&ofpacts, MFF_REG0 + REG_ROUTER_IP, ntohl(iface->ip));
    put_load_ip6(&ofpacts, MFF_XXREG3, &iface->ip6);
    put_goto(&ofpacts, T_L3_INPUT);
    flow_list_add(&out->int_flows, T_L2_LOOKUP, 100, cookie, &match,
                  &ofpacts);

    if (r->gw_role == L3_GW_REMOTE && iface->tunnelled) {
        compile_to_gw(r, iface, cookie, out);
    }
    if (l3_iface_has_ip6(iface)) {
        compile_iface6(r, iface, cookie, out);
    }
    if (!l3_iface_has_ip4(iface)) {
        ofpbuf_uninit(&ofpacts);
        return;
    }

    /* arp_responder: the router's address on the subnet. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(iface->lvid));
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    match_set_nw_proto(&match, ARP_OP_REQUEST);
    match_set_nw_dst(&match, iface->ip);
    put_arp_reply(&ofpacts, iface->mac, iface->ip);
    put_to_sender(&ofpacts);
    flow_list_add(&out->int_flows, T_ARP_RESP, 100, cookie, &match,
                  &ofpacts);

    /* The connected subnet. */
    add_route(r, cookie, iface->ip & iface->mask, iface->mask, 0, iface, out);

    /* Source check: an address of this subnet enters the router only from
     * the subnet's own network, never from another interface or from
     * outside, so that a routed packet's source address says which
     * network it came from (pipeline/sg's peer tables rely on it). */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_src_masked(&match, iface->ip & iface->mask, iface->mask);
    flow_list_add(&out->int_flows, T_L3_INPUT, L3_PRIO_SPOOFED, cookie,
                  &match, &ofpacts);
    if (r->gw_role != L3_GW_NONE) {
        flow_list_add(&out->int_flows, T_L3_EXT_IN, L3_PRIO_SPOOFED_EXT,
                      cookie, &match, &ofpacts);
    }
    match_set_metadata(&match, htonll(iface->lvid));
    put_goto(&ofpacts, T_L3_ROUTE);
    flow_list_add(&out->int_flows, T_L3_INPUT, L3_PRIO_SPOOFED + 10, cookie,
                  &match, &ofpacts);

    ofpbuf_uninit(&ofpacts);
}

/* The router's own addresses: answered to ping, otherwise dropped, from
 * whichever of its subnets. */
static void
compile_own_ip(const struct l3_router *r, ovs_be32 ip, uint64_t cookie,
               struct l3_output *out)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    add_echo_reply(&out->int_flows, T_L3_INPUT, cookie, r->lid, 0, ip,
                   false);
    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst(&match, ip);
    flow_list_add(&out->int_flows, T_L3_INPUT, 110, cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Turns an ICMPv6 echo request into its reply, in place: the Ethernet and
 * IPv6 addresses swapped, hop limit 64. */
static void
put_echo_reply6(struct ofpbuf *ofpacts)
{
    put_parsed(ofpacts,
               "push:NXM_OF_ETH_SRC[],move:NXM_OF_ETH_DST[]->NXM_OF_ETH_SRC[],"
               "pop:NXM_OF_ETH_DST[],"
               "push:NXM_NX_IPV6_SRC[],"
               "move:NXM_NX_IPV6_DST[]->NXM_NX_IPV6_SRC[],"
               "pop:NXM_NX_IPV6_DST[],"
               "set_field:64->nw_ttl,set_field:%d->icmpv6_type",
               ICMP6_ECHO_REPLY);
}

/* The router's own IPv6 address: an ICMPv6 echo request to it is
 * answered, anything else to it dropped. */
static void
compile_own_ip6(const struct l3_router *r, const struct in6_addr *ip6,
                uint64_t cookie, struct l3_output *out)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_ipv6_dst(&match, ip6);
    flow_list_add(&out->int_flows, T_L3_INPUT, 110, cookie, &match,
                  &ofpacts);

    match_set_reg_masked(&match, REG_FLAGS, 0, FLAG_FROM_REMOTE);
    match_set_nw_proto(&match, IPPROTO_ICMPV6);
    match_set_icmp_type(&match, ICMP6_ECHO_REQUEST);
    match_set_icmp_code(&match, 0);
    put_echo_reply6(&ofpacts);
    put_to_sender(&ofpacts);
    flow_list_add(&out->int_flows, T_L3_INPUT, 120, cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* The gateway's IPv4 address: SNAT (or routing without it), its ARP and
 * echo replies, the external subnet and the default route. */
static void
compile_gateway4(const struct l3_router *r, uint64_t cookie,
                 struct l3_output *out)
{
    const struct l3_iface *gw = &r->gw;
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;
    uint16_t zone = ZONE_SNAT_BASE | r->lid;

    /* Every node: the gateway IP's MAC on the external network. */
    l3_add_nexthop(&out->int_flows, cookie, L3_NEXTHOP_KNOWN, gw->lvid, gw->ip,
                   gw->mac);

    /* The external subnet and the default route. */
    add_route(r, cookie, gw->ip & gw->mask, gw->mask, 0, gw, out);
    if (r->gw_nexthop) {
        add_route(r, cookie, 0, 0, r->gw_nexthop, gw, out);
    }
    if (r->gw_role == L3_GW_REMOTE) {
        ofpbuf_uninit(&ofpacts);
        return;
    }

    if (r->gw_role == L3_GW_ACTIVE) {
        l3_add_ext_arp_responder(&out->int_flows, cookie, gw->lvid, gw->ip,
                                 gw->mac);
    }
    add_echo_reply(&out->int_flows, T_L3_EXT_IN, cookie, r->lid, gw->lvid,
                   gw->ip, true);

    /* Replies to SNATed connections get their tenant destination back and
     * are routed; nothing else to the gateway IP is forwarded. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(gw->lvid));
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst(&match, gw->ip);
    if (r->nb->enable_snat) {
        if (r->gw_ingress_meter) {
            put_parsed(&ofpacts, "meter:%"PRIu32, r->gw_ingress_meter);
        }
        put_parsed(&ofpacts, "ct(zone=%d,nat,table=%d)", zone, T_L3_ROUTE);
    }
    flow_list_add(&out->int_flows, T_L3_EXT_IN, 100, cookie, &match,
                  &ofpacts);
    if (!r->nb->enable_snat) {
        /* Without SNAT, tenant addresses are routed from outside. */
        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_set_metadata(&match, htonll(gw->lvid));
        match_set_reg(&match, REG_ROUTER, r->lid);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        put_resubmit(&ofpacts, T_L3_ROUTE);
        flow_list_add(&out->int_flows, T_L3_EXT_IN, 90, cookie, &match,
                      &ofpacts);
    }
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst(&match, gw->ip);
    flow_list_add(&out->int_flows, T_L3_ROUTE, 200, cookie, &match,
                  &ofpacts);

    /* l3_egress: SNAT to the gateway IP on the way out. */
    if (r->nb->enable_snat) {
        match_init_catchall(&match);
        match_set_metadata(&match, htonll(gw->lvid));
        match_set_reg(&match, REG_ROUTER, r->lid);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        if (r->gw_egress_meter) {
            put_parsed(&ofpacts, "meter:%"PRIu32, r->gw_egress_meter);
        }
        put_parsed(&ofpacts, "dec_ttl,load:0->NXM_NX_REG%d[0],"
                   "ct(commit,zone=%d,nat(src="IP_FMT"),table=%d)",
                   REG_FLAGS, zone, IP_ARGS(gw->ip), T_L3_NEXTHOP);
        flow_list_add(&out->int_flows, T_L3_EGRESS, 50, cookie, &match,
                      &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

/* An ICMPv6 echo reply from the gateway's IPv6 address 'ip6' to a request
 * from the external network (tagged back for br-ex if it came from the
 * physical network). */
static void
add_ext_echo_reply6(const struct l3_router *r, uint64_t cookie,
                    struct l3_output *out)
{
    const struct l3_iface *gw = &r->gw;
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    for (int from_remote = 0; from_remote < 2; from_remote++) {
        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_set_metadata(&match, htonll(gw->lvid));
        match_set_reg(&match, REG_ROUTER, r->lid);
        match_set_reg_masked(&match, REG_FLAGS,
                             from_remote ? FLAG_FROM_REMOTE : 0,
                             FLAG_FROM_REMOTE);
        match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
        match_set_nw_proto(&match, IPPROTO_ICMPV6);
        match_set_ipv6_dst(&match, &gw->ip6);
        match_set_icmp_type(&match, ICMP6_ECHO_REQUEST);
        match_set_icmp_code(&match, 0);
        put_echo_reply6(&ofpacts);
        if (from_remote) {
            put_push_vlan(&ofpacts, gw->lvid);
        }
        put_to_sender(&ofpacts);
        flow_list_add(&out->int_flows, T_L3_EXT_IN, 120, cookie, &match,
                      &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

/* The gateway's IPv6 address: routed both ways without NAT, as Neutron
 * does (the external network's router routes the tenant prefixes via the
 * gateway's address).  Neighbour discovery for it (and its link-local
 * address) is answered on the active gateway chassis; the external next
 * hop is resolved by neighbour solicitation (dvr/neighbor). */
static void
compile_gateway6(const struct l3_router *r, uint64_t cookie,
                 struct l3_output *out)
{
    const struct l3_iface *gw = &r->gw;
    uint64_t stub[128 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct in6_addr net = ipv6_addr_bitand(&gw->ip6, &gw->mask6);
    struct match match;

    /* Every node: the gateway's MAC; the external subnet and the default
     * route. */
    l3_add_nexthop6(&out->int_flows, cookie, L3_NEXTHOP_KNOWN, gw->lvid,
                    &gw->ip6, gw->mac);
    add_route6(r, cookie, &net, &gw->mask6, NULL, gw, out);
    if (ipv6_addr_is_set(&r->gw_nexthop6)) {
        add_route6(r, cookie, &in6addr_any, &in6addr_any, &r->gw_nexthop6,
                   gw, out);
    }
    if (r->gw_role == L3_GW_REMOTE) {
        ofpbuf_uninit(&ofpacts);
        return;
    }

    /* A gateway chassis. */
    if (r->gw_role == L3_GW_ACTIVE) {
        struct in6_addr lla;

        in6_generate_lla(gw->mac, &lla);
        l3_add_ext_nd_responder(&out->int_flows, cookie, gw->lvid, &gw->ip6,
                                gw->mac);
        l3_add_ext_nd_responder(&out->int_flows, cookie, gw->lvid, &lla,
                                gw->mac);
    }
    add_ext_echo_reply6(r, cookie, out);

    /* Nothing else to the gateway's address is forwarded; everything
     * else from outside is routed (the tenant prefixes; the source check
     * above keeps tenant sources out). */
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(gw->lvid));
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_ipv6_dst(&match, &gw->ip6);
    flow_list_add(&out->int_flows, T_L3_EXT_IN, 100, cookie, &match,
                  &ofpacts);
    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_ipv6_dst(&match, &gw->ip6);
    flow_list_add(&out->int_flows, T_L3_ROUTE, 200, cookie, &match,
                  &ofpacts);
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(gw->lvid));
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    put_resubmit(&ofpacts, T_L3_ROUTE);
    flow_list_add(&out->int_flows, T_L3_EXT_IN, 90, cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

static void
compile_gateway(const struct l3_router *r, uint64_t cookie,
                struct l3_output *out)
{
    const struct l3_iface *gw = &r->gw;

    if (r->gw_role != L3_GW_REMOTE) {
        /* A gateway chassis: packets to the gateway MAC enter the
         * router. */
        uint64_t stub[64 / 8];
        struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
        struct match match;

        match_init_catchall(&match);
        match_set_metadata(&match, htonll(gw->lvid));
        match_set_dl_dst(&match, gw->mac);
        put_load(&ofpacts, MFF_REG0 + REG_ROUTER, r->lid);
        put_goto(&ofpacts, T_L3_EXT_IN);
        flow_list_add(&out->int_flows, T_L2_LOOKUP, 100, cookie, &match,
                      &ofpacts);
        ofpbuf_uninit(&ofpacts);
    }
    if (l3_iface_has_ip4(gw)) {
        compile_gateway4(r, cookie, out);
    }
    if (l3_iface_has_ip6(gw)) {
        compile_gateway6(r, cookie, out);
    }
}

/* An extra route with an IPv6 destination 'key' via 'value', a next hop
 * on one of the router's IPv6 subnets. */
static void
compile_route6(const struct l3_router *r, uint64_t cookie, const char *key,
               const char *value, struct l3_output *out)
{
    struct in6_addr dst, nexthop;
    unsigned int plen;
    char *error = ipv6_parse_cidr(key, &dst, &plen);

    if (error) {
        svec_add_nocopy(&out->errors, xasprintf(
            "router "UUID_FMT": route %s: %s",
            UUID_ARGS(&r->nb->header_.uuid), key, error));
        free(error);
        return;
    }
    const struct l3_iface *egress = NULL;
    if (ipv6_parse(value, &nexthop)) {
        egress = find_connected6(r, &nexthop);
    }
    if (!egress) {
        svec_add_nocopy(&out->errors, xasprintf(
            "router "UUID_FMT": route %s via %s: next hop not on a "
            "connected IPv6 subnet", UUID_ARGS(&r->nb->header_.uuid),
            key, value));
        return;
    }
    struct in6_addr mask = ipv6_create_mask(plen);
    struct in6_addr net = ipv6_addr_bitand(&dst, &mask);
    add_route6(r, cookie, &net, &mask, &nexthop, egress, out);
}

void
l3_compile_router(const struct l3_router *r, struct l3_output *out)
{
    uint64_t cookie = flow_cookie_from_uuid(&r->nb->header_.uuid);
    const struct smap_node *node;

    struct sg_router_iface *peers = xmalloc(r->n_ifaces * sizeof *peers);
    for (size_t i = 0; i < r->n_ifaces; i++) {
        const struct l3_iface *iface = &r->ifaces[i];
        compile_iface(r, iface, cookie, out);
        if (l3_iface_has_ip4(iface)) {
            compile_own_ip(r, iface->ip, cookie, out);
        }
        if (l3_iface_has_ip6(iface)) {
            compile_own_ip6(r, &iface->ip6, cookie, out);
        }
        peers[i] = (struct sg_router_iface) {
            .lvid = iface->lvid,
            .mac = iface->mac,
            .ip = iface->ip,
            .mask = iface->mask,
            .ip6 = iface->ip6,
            .mask6 = iface->mask6,
        };
    }
    sg_compile_router_peers(cookie, r->lid, peers, r->n_ifaces,
                            &out->int_flows);
    free(peers);
    if (r->gw_role != L3_GW_NONE) {
        if (l3_iface_has_ip4(&r->gw)) {
            compile_own_ip(r, r->gw.ip, cookie, out);
        }
        if (l3_iface_has_ip6(&r->gw)) {
            compile_own_ip6(r, &r->gw.ip6, cookie, out);
        }
        compile_gateway(r, cookie, out);
    }

    /* Extra routes: destination CIDR -> next hop on a connected subnet. */
    SMAP_FOR_EACH (node, &r->nb->routes) {
        ovs_be32 dst, nexthop;
        unsigned int plen;
        if (strchr(node->key, ':')) {
            compile_route6(r, cookie, node->key, node->value, out);
            continue;
        }
        char *error = ip_parse_cidr(node->key, &dst, &plen);
        if (error) {
            svec_add_nocopy(&out->errors, xasprintf(
                "router "UUID_FMT": route %s: %s",
                UUID_ARGS(&r->nb->header_.uuid), node->key, error));
            free(error);
            continue;
        }
        const struct l3_iface *egress = NULL;
        if (ip_parse(node->value, &nexthop)) {
            egress = find_connected(r, nexthop);
        }
        if (!egress) {
            svec_add_nocopy(&out->errors, xasprintf(
                "router "UUID_FMT": route %s via %s: next hop not on a "
                "connected subnet", UUID_ARGS(&r->nb->header_.uuid),
                node->key, node->value));
            continue;
        }
        ovs_be32 mask = be32_prefix_mask(plen);
        add_route(r, cookie, dst & mask, mask, nexthop, egress, out);
    }
}

char *
l3_compile_fip(const struct l3_fip *f, struct l3_output *out)
{
    uint64_t cookie = flow_cookie_from_uuid(&f->nb->header_.uuid);
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    /* Every node: the floating IP's MAC, for traffic to it. */
    l3_add_nexthop(&out->int_flows, cookie, L3_NEXTHOP_KNOWN, f->ext_lvid,
                   f->fip, f->mac);
    if (!f->local || !f->router || f->router->gw_role == L3_GW_NONE) {
        ofpbuf_uninit(&ofpacts);
        return NULL;
    }
    if (!l3_iface_has_ip4(&f->router->gw)) {
        ofpbuf_uninit(&ofpacts);
        return xasprintf("floating IP "UUID_FMT": its router's gateway has "
                         "no IPv4 address", UUID_ARGS(&f->nb->header_.uuid));
    }
    if (ofp_to_u16(f->vm_ofport) > ZONE_MAX_OFPORT) {
        ofpbuf_uninit(&ofpacts);
        return xasprintf("floating IP "UUID_FMT": its port's ofport %d is "
                         "too large for a conntrack zone",
                         UUID_ARGS(&f->nb->header_.uuid),
                         ofp_to_u16(f->vm_ofport));
    }
    const struct l3_router *r = f->router;
    uint16_t zone = ZONE_FIP_BASE | ofp_to_u16(f->vm_ofport);

    /* This node alone answers ARP for the floating IP, and packets to its
     * MAC enter the router... */
    l3_add_ext_arp_responder(&out->int_flows, cookie, f->ext_lvid, f->fip,
                             f->mac);
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(f->ext_lvid));
    match_set_dl_dst(&match, f->mac);
    put_load(&ofpacts, MFF_REG0 + REG_ROUTER, r->lid);
    put_goto(&ofpacts, T_L3_EXT_IN);
    flow_list_add(&out->int_flows, T_L2_LOOKUP, 100, cookie, &match,
                  &ofpacts);

    /* ...where they are DNATed to the VM, then routed to it. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(f->ext_lvid));
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst(&match, f->fip);
    if (f->ingress_meter) {
        put_parsed(&ofpacts, "meter:%"PRIu32, f->ingress_meter);
    }
    put_parsed(&ofpacts, "ct(commit,zone=%d,nat(dst="IP_FMT"),table=%d)",
               zone, IP_ARGS(f->vm_ip), T_L3_ROUTE);
    flow_list_add(&out->int_flows, T_L3_EXT_IN, 100, cookie, &match,
                  &ofpacts);

    /* The VM's external routes leave from here, from the floating IP's
     * MAC... */
    for (int i = 0; i < 2; i++) {
        ovs_be32 mask = i ? r->gw.mask : 0;
        if (!i && !r->gw_nexthop) {
            continue;
        }
        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_set_reg(&match, REG_ROUTER, r->lid);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_src(&match, f->vm_ip);
        match_set_nw_dst_masked(&match, r->gw.ip & mask, mask);
        if (i) {
            put_nexthop_dst(&ofpacts);
        } else {
            put_load(&ofpacts, MFF_REG0 + REG_NEXTHOP, ntohl(r->gw_nexthop));
        }
        put_egress(&ofpacts, &r->gw, f->mac);
        flow_list_add(&out->int_flows, T_L3_ROUTE, route_priority(mask, true),
                      cookie, &match, &ofpacts);
    }

    /* ...SNATed to the floating IP (replies to DNATed connections get it
     * back the same way). */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(f->ext_lvid));
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_src(&match, f->vm_ip);
    if (f->egress_meter) {
        put_parsed(&ofpacts, "meter:%"PRIu32, f->egress_meter);
    }
    put_parsed(&ofpacts, "dec_ttl,load:0->NXM_NX_REG%d[0],"
               "ct(commit,zone=%d,nat(src="IP_FMT"),table=%d)",
               REG_FLAGS, zone, IP_ARGS(f->fip), T_L3_NEXTHOP);
    flow_list_add(&out->int_flows, T_L3_EGRESS, 60, cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
    return NULL;
}
