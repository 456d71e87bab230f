/*
 * pipeline/services: see services.h for the contract and
 * doc/dhcp-metadata.md for the design.
 */

#include <config.h>

#include "pipeline/services.h"

#include <netinet/icmp6.h>
#include <stdlib.h>
#include <string.h>

#include "lib/flow.h"            /* OVS's: ofp_to_u16(). */
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "ovsdb/nb-idl.h"
#include "smap.h"
#include "packets.h"
#include "pipeline/actions.h"
#include "pipeline/tables.h"
#include "util.h"

#define META_CLIENT_BASE 0xa9fe4000             /* 169.254.64.0/18 */
#define META_CLIENT_MASK 0xffffc000

ovs_be32
services_meta_client_ip(ofp_port_t ofport)
{
    return htonl(META_CLIENT_BASE | (ofp_to_u16(ofport) & ZONE_MAX_OFPORT));
}

ofp_port_t
services_meta_client_ofport(ovs_be32 ip)
{
    uint32_t h = ntohl(ip);

    if ((h & META_CLIENT_MASK) != META_CLIENT_BASE
        || !(h & ZONE_MAX_OFPORT)) {
        return OFPP_NONE;
    }
    return u16_to_ofp(h & ZONE_MAX_OFPORT);
}

void
services_meta_client_ip6(ofp_port_t ofport, struct in6_addr *ip)
{
    uint16_t n = ofp_to_u16(ofport) & ZONE_MAX_OFPORT;

    ovs_assert(ipv6_parse("fe80::a9fe:4000:0", ip));
    ip->s6_addr[14] = n >> 8;
    ip->s6_addr[15] = n;
}

ofp_port_t
services_meta_client6_ofport(const struct in6_addr *ip)
{
    struct in6_addr base;
    struct in6_addr mask = ipv6_create_mask(112);
    struct in6_addr net = ipv6_addr_bitand(ip, &mask);
    uint16_t n = (ip->s6_addr[14] << 8) | ip->s6_addr[15];

    services_meta_client_ip6(u16_to_ofp(0), &base);
    if (!ipv6_addr_equals(&net, &base) || !n || n > ZONE_MAX_OFPORT) {
        return OFPP_NONE;
    }
    return u16_to_ofp(n);
}

ofp_port_t
services_meta_peer_ofport(const char *peer)
{
    struct in6_addr ip6;
    ovs_be32 ip;

    if (!peer) {
        return OFPP_NONE;
    }
    if (ip_parse(peer, &ip)) {
        return services_meta_client_ofport(ip);
    }
    /* A link-local peer may come with its scope: "fe80::1%dvr-meta". */
    char *addr = xstrdup(peer);
    char *scope = strchr(addr, '%');
    if (scope) {
        *scope = '\0';
    }
    ofp_port_t ofport = (ipv6_parse(addr, &ip6)
                         ? services_meta_client6_ofport(&ip6) : OFPP_NONE);
    free(addr);
    return ofport;
}

const struct nbrec_fixed_ip *
services_dhcp_ip(const struct nbrec_port *nb)
{
    for (size_t i = 0; i < nb->n_fixed_ips; i++) {
        const struct nbrec_fixed_ip *fip = nb->fixed_ips[i];
        ovs_be32 ip;

        if (fip->subnet && fip->subnet->enable_dhcp
            && fip->subnet->ip_version == 4
            && ip_parse(fip->ip_address, &ip)) {
            return fip;
        }
    }
    return NULL;
}

bool
services_network_is_virtual(const struct nbrec_network *net)
{
    const char *type = net ? net->provider_network_type : NULL;

    return type && (!strcmp(type, "vxlan") || !strcmp(type, "geneve"));
}

ovs_be32
services_dhcp_server_ip(const struct nbrec_fixed_ip *fip)
{
    const struct nbrec_subnet *subnet = fip->subnet;
    ovs_be32 gw;

    if (subnet->gateway_ip && ip_parse(subnet->gateway_ip, &gw) && gw) {
        return gw;
    }
    return htonl(SERVICES_META_IP);
}

void
services_chassis_format(const struct services_chassis *sc, struct ds *s)
{
    ds_put_format(s, ";meta=%d,"ETH_ADDR_FMT",%d,%d",
                  ofp_to_u16(sc->meta_ofport), ETH_ADDR_ARGS(sc->meta_mac),
                  sc->use_meters, sc->meta_ip6);
}

void
services_dns_domain(const struct nbrec_nb_global *global, char *buf,
                    size_t size)
{
    const char *domain = global ? smap_get(&global->options, "dns_domain")
                                : NULL;
    ovs_strlcpy(buf, domain ? domain : "openstacklocal", size);
    /* A trailing dot is DNS syntax, not part of the domain name. */
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '.') {
        buf[n - 1] = '\0';
    }
}

bool
services_chassis_equal(const struct services_chassis *a,
                       const struct services_chassis *b)
{
    return (a->meta_ofport == b->meta_ofport
            && eth_addr_equals(a->meta_mac, b->meta_mac)
            && a->use_meters == b->use_meters
            && a->meta_ip6 == b->meta_ip6);
}

bool
services_subnet_changed(const struct nbrec_subnet *subnet)
{
    return (!nbrec_subnet_is_deleted(subnet)
            && (nbrec_subnet_is_new(subnet)
                || nbrec_subnet_is_updated(subnet,
                                           NBREC_SUBNET_COL_ENABLE_DHCP)
                || nbrec_subnet_is_updated(subnet,
                                           NBREC_SUBNET_COL_GATEWAY_IP)));
}

/* ARP requests for 'ip' that match 'match' are answered with
 * SERVICES_MAC. */
static void
add_arp_answer(struct match *match, ovs_be32 ip, ovs_be32 mask,
               uint8_t table_id, uint16_t priority, uint64_t cookie,
               struct flow_list *flows)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct eth_addr mac = SERVICES_MAC;

    match_set_dl_type(match, htons(ETH_TYPE_ARP));
    match_set_nw_proto(match, ARP_OP_REQUEST);
    match_set_nw_dst_masked(match, ip, mask);
    put_parsed(&ofpacts,
               "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
               "set_field:"ETH_ADDR_FMT"->eth_src,"
               "set_field:2->arp_op,"
               "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],"
               "set_field:"ETH_ADDR_FMT"->arp_sha,"
               "push:NXM_OF_ARP_TPA[],"
               "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
               "pop:NXM_OF_ARP_SPA[],"
               "resubmit(,%d)",
               ETH_ADDR_ARGS(mac), ETH_ADDR_ARGS(mac), T_TO_SENDER);
    flow_list_add(flows, table_id, priority, cookie, match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Neighbour solicitations that match 'match' (in_port and the
 * solicitor's link-layer address option 'sll' set by the caller) for
 * 'target'/'mask' are answered with SERVICES_MAC, solicited and override,
 * in two passes as pipeline/l2's (the option becomes the target's only
 * once the packet is an advertisement). */
static void
add_nd_answer(struct match *match, struct eth_addr sll,
              const struct in6_addr *target, const struct in6_addr *mask,
              uint8_t table_id, uint16_t priority, uint64_t cookie,
              struct flow_list *flows)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct eth_addr mac = SERVICES_MAC;

    match_set_dl_type(match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(match, IPPROTO_ICMPV6);
    match_set_icmp_code(match, 0);
    match_set_nd_target_masked(match, target, mask);
    struct match second = *match;

    match_set_icmp_type(match, ND_NEIGHBOR_SOLICIT);
    match_set_arp_sha(match, sll);
    put_parsed(&ofpacts,
               "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
               "set_field:"ETH_ADDR_FMT"->eth_src,"
               "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
               "move:NXM_NX_ND_TARGET[]->NXM_NX_IPV6_SRC[],"
               "set_field:255->nw_ttl,"
               "set_field:%d->icmpv6_type,"
               "set_field:0x60000000->nd_reserved,"
               "set_field:2->nd_options_type,"
               "set_field:%#x/%#x->reg%d,"
               "resubmit(,%d)",
               ETH_ADDR_ARGS(mac), ND_NEIGHBOR_ADVERT,
               FLAG_ND_REPLY, FLAG_ND_REPLY, REG_FLAGS, table_id);
    flow_list_add(flows, table_id, priority, cookie, match, &ofpacts);

    ofpbuf_clear(&ofpacts);
    match_set_icmp_type(&second, ND_NEIGHBOR_ADVERT);
    match_set_reg_masked(&second, REG_FLAGS, FLAG_ND_REPLY, FLAG_ND_REPLY);
    put_parsed(&ofpacts, "set_field:"ETH_ADDR_FMT"->nd_tll,resubmit(,%d)",
               ETH_ADDR_ARGS(mac), T_TO_SENDER);
    flow_list_add(flows, table_id, priority, cookie, &second, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

void
services_compile_skeleton(const struct services_chassis *sc,
                          struct flow_list *flows)
{
    uint64_t stub[128 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    /* (T_PUNT's default, on to the ARP responder, is pipeline/l2's.) */

    /* Every VM resolves the metadata address, which is also the DHCP
     * server's on a subnet without a gateway (a client renews by unicast),
     * below a real port that owns it (priority 100).  One flow for all:
     * only a local VIF's traffic reaches arp_responder (what comes from the
     * tunnels and provider networks goes to l2_lookup at once, the
     * metadata port's stays in punt). */
    match_init_catchall(&match);
    add_arp_answer(&match, htonl(SERVICES_META_IP), OVS_BE32_MAX,
                   T_ARP_RESP, 90, COOKIE_STATIC, flows);

    if (sc->meta_ofport == OFPP_NONE) {
        ofpbuf_uninit(&ofpacts);
        return;
    }

    /* The metadata port's traffic is classified to T_PUNT, where the
     * replies of each port find their way back; anything else from it is
     * dropped there. */
    match_init_catchall(&match);
    match_set_in_port(&match, sc->meta_ofport);
    put_parsed(&ofpacts, "goto_table:%d", T_PUNT);
    flow_list_add(flows, T_CLASSIFY, 100, COOKIE_STATIC, &match, &ofpacts);

    ofpbuf_clear(&ofpacts);
    flow_list_add(flows, T_PUNT, 50, COOKIE_STATIC, &match, &ofpacts);

    /* Whatever has been through a metadata NAT zone and matched no VIF's
     * flow of the second pass (conntrack called it invalid, or a reply
     * that is no established connection's) is dropped. */
    match_init_catchall(&match);
    match_set_reg_masked(&match, REG_FLAGS, SERVICES_FLAG_META,
                         SERVICES_FLAG_META);
    flow_list_add(flows, T_PUNT, 105, COOKIE_STATIC, &match, &ofpacts);

    /* The host resolves the clients' link-local addresses. */
    match_init_catchall(&match);
    match_set_in_port(&match, sc->meta_ofport);
    add_arp_answer(&match, htonl(META_CLIENT_BASE), htonl(META_CLIENT_MASK),
                   T_PUNT, 100, COOKIE_STATIC, flows);

    /* ... and their IPv6 ones. */
    if (sc->meta_ip6) {
        struct in6_addr base, mask = ipv6_create_mask(112);
        services_meta_client_ip6(u16_to_ofp(0), &base);
        match_init_catchall(&match);
        match_set_in_port(&match, sc->meta_ofport);
        add_nd_answer(&match, sc->meta_mac, &base, &mask, T_PUNT, 100,
                      COOKIE_STATIC, flows);
    }
    ofpbuf_uninit(&ofpacts);
}

/* A packet-in of opcode 'op' for port 'nb': through the meter of VIF
 * 'meter' (a subport's is its parent's), then PIN_METER_ID.  The port's UUID
 * follows the opcode (its 16 bytes in the order of its text form), so that the
 * service finds the port at once. */
static void
put_port_pin(const struct services_chassis *sc, const struct nbrec_port *nb,
             ofp_port_t meter, enum pin_op op, struct ofpbuf *ofpacts)
{
    struct ds userdata = DS_EMPTY_INITIALIZER;

    ds_put_format(&userdata, "%02x", op);
    for (size_t i = 0; i < 4; i++) {
        uint32_t part = nb->header_.uuid.parts[i];
        for (int shift = 24; shift >= 0; shift -= 8) {
            ds_put_format(&userdata, ".%02"PRIx32, (part >> shift) & 0xff);
        }
    }
    if (sc->use_meters) {
        put_parsed(ofpacts, "meter:%"PRIu32",", PIN_PORT_METER(meter));
    }
    put_parsed(ofpacts, "controller(userdata=%s,meter_id=%d)",
               ds_cstr(&userdata), PIN_METER_ID);
    ds_destroy(&userdata);
}

/* IPv6 router solicitations go to controller/ra-server, whatever the
 * port's security: dvrflow is the only router of its networks, and the
 * solicitation goes nowhere else. */
static void
add_router_solicitation(const struct services_chassis *sc,
                        const struct nbrec_port *nb, ofp_port_t ofport,
                        ofp_port_t meter, uint64_t cookie,
                        struct flow_list *flows)
{
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    put_port_pin(sc, nb, meter, PIN_ND_RS, &ofpacts);
    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&match, IPPROTO_ICMPV6);
    match_set_icmp_type(&match, 133);
    match_set_icmp_code(&match, 0);
    flow_list_add(flows, T_PORT_SEC, SERVICES_PRIO_RS, cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* DHCPv6 client messages go to controller/dhcp6-server, whatever the
 * port's security and subnets (the server answers those on a network with
 * a DHCPv6 subnet and counts the others): dvrflow is the only DHCPv6
 * server of its networks, and the message goes nowhere else. */
static void
add_dhcp6(const struct services_chassis *sc, const struct nbrec_port *nb,
          ofp_port_t ofport, ofp_port_t meter, uint64_t cookie,
          struct flow_list *flows)
{
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    put_port_pin(sc, nb, meter, PIN_DHCP6, &ofpacts);
    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&match, IPPROTO_UDP);
    match_set_tp_src(&match, htons(546));
    match_set_tp_dst(&match, htons(547));
    flow_list_add(flows, T_PORT_SEC, SERVICES_PRIO_DHCP6, cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

static void
add_dhcp(const struct services_chassis *sc, const struct nbrec_port *nb,
         ofp_port_t ofport, ofp_port_t meter, uint64_t cookie,
         struct flow_list *flows)
{
    const struct nbrec_fixed_ip *fip = services_dhcp_ip(nb);
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    if (!fip) {
        return;
    }
    put_port_pin(sc, nb, meter, PIN_DHCP, &ofpacts);

    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, IPPROTO_UDP);
    match_set_tp_src(&match, htons(68));
    match_set_tp_dst(&match, htons(67));
    flow_list_add(flows, T_PUNT, 100, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Every other packet-in the VIF causes (dvr/l3's, by put_pin()) goes
 * through the VIF's own meter too. */
static void
add_pin_meter(const struct services_chassis *sc, ofp_port_t ofport,
              ofp_port_t meter, uint64_t cookie, struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    if (sc->use_meters) {
        put_parsed(&ofpacts, "meter:%"PRIu32",", PIN_PORT_METER(meter));
    }
    put_parsed(&ofpacts, "goto_table:%d", T_PIN_OUT);
    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    flow_list_add(flows, T_PIN_METER, 100, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

static void
add_metadata(const struct services_chassis *sc, ofp_port_t ofport,
             struct eth_addr port_mac, uint64_t cookie,
             struct flow_list *flows)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    uint16_t zone = ZONE_META_BASE | (ofp_to_u16(ofport) & ZONE_MAX_OFPORT);
    ovs_be32 client = services_meta_client_ip(ofport);
    struct eth_addr smac = SERVICES_MAC;
    struct match match;

    if (ofp_to_u16(ofport) > ZONE_MAX_OFPORT) {
        return;
    }

    /* Requests: SNAT to the port's client address, to the service.  The
     * packet may have been through conntrack already (security groups):
     * a reg0 flag, not its ct_state, tells the second pass. */
    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, IPPROTO_TCP);
    match_set_nw_dst(&match, htonl(SERVICES_META_IP));
    match_set_tp_dst(&match, htons(80));
    match_set_reg_masked(&match, REG_FLAGS, 0, SERVICES_FLAG_META);
    put_parsed(&ofpacts, "set_field:%#x/%#x->reg%d,"
               "ct(commit,zone=%"PRIu16",table=%d,nat(src="IP_FMT"))",
               SERVICES_FLAG_META, SERVICES_FLAG_META, REG_FLAGS, zone,
               T_PUNT, IP_ARGS(client));
    flow_list_add(flows, T_PUNT, 110, cookie, &match, &ofpacts);

    /* Only a request that conntrack placed (and so NATed) goes to the
     * host: an invalid one (SYN+ACK or SYN+FIN without a connection, no
     * flags, a segment out of its window) would arrive with the VM's own
     * source address.  The skeleton drops what is left with the flag. */
    ofpbuf_clear(&ofpacts);
    match_set_reg_masked(&match, REG_FLAGS, SERVICES_FLAG_META,
                         SERVICES_FLAG_META);
    match_set_ct_state_masked(&match, CS_TRACKED, CS_TRACKED | CS_INVALID);
    match_set_ct_zone(&match, zone);
    put_parsed(&ofpacts, "set_field:"ETH_ADDR_FMT"->eth_src,"
               "set_field:"ETH_ADDR_FMT"->eth_dst,output:%"PRIu16,
               ETH_ADDR_ARGS(smac), ETH_ADDR_ARGS(sc->meta_mac),
               ofp_to_u16(sc->meta_ofport));
    flow_list_add(flows, T_PUNT, 110, cookie, &match, &ofpacts);

    /* Replies: un-NAT in the port's zone, then to the port through its
     * security groups (sg_ingress), whose conntrack must see both
     * directions of the connection. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_in_port(&match, sc->meta_ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, IPPROTO_TCP);
    match_set_nw_src(&match, htonl(SERVICES_META_IP));
    match_set_nw_dst(&match, client);
    match_set_tp_src(&match, htons(80));
    match_set_reg_masked(&match, REG_FLAGS, 0, SERVICES_FLAG_META);
    put_parsed(&ofpacts, "set_field:%#x/%#x->reg%d,"
               "set_field:%"PRIu16"->reg%d,"
               "ct(zone=%"PRIu16",table=%d,nat)",
               SERVICES_FLAG_META, SERVICES_FLAG_META, REG_FLAGS,
               ofp_to_u16(ofport), REG_OUTPORT, zone, T_PUNT);
    flow_list_add(flows, T_PUNT, 110, cookie, &match, &ofpacts);

    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_in_port(&match, sc->meta_ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, IPPROTO_TCP);
    match_set_tp_src(&match, htons(80));
    match_set_reg(&match, REG_OUTPORT, ofp_to_u16(ofport));
    match_set_reg_masked(&match, REG_FLAGS, SERVICES_FLAG_META,
                         SERVICES_FLAG_META);
    match_set_ct_state_masked(&match, CS_TRACKED | CS_ESTABLISHED
                              | CS_REPLY_DIR,
                              CS_TRACKED | CS_ESTABLISHED | CS_REPLY_DIR);
    match_set_ct_zone(&match, zone);
    put_parsed(&ofpacts, "set_field:"ETH_ADDR_FMT"->eth_src,"
               "set_field:"ETH_ADDR_FMT"->eth_dst,goto_table:%d",
               ETH_ADDR_ARGS(smac), ETH_ADDR_ARGS(port_mac),
               T_SG_INGRESS);
    flow_list_add(flows, T_PUNT, 110, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* True if 'nb' has an IPv6 fixed IP: only such a port is served metadata
 * over IPv6 (the flows are not spent on IPv4-only ports). */
static bool
has_ipv6(const struct nbrec_port *nb)
{
    for (size_t i = 0; i < nb->n_fixed_ips; i++) {
        struct in6_addr a;
        if (ipv6_parse(nb->fixed_ips[i]->ip_address, &a)) {
            return true;
        }
    }
    return false;
}

/* The IPv6 twin of add_metadata(): TCP to [SERVICES_META_IP6]:80. */
static void
add_metadata6(const struct services_chassis *sc, ofp_port_t ofport,
              struct eth_addr port_mac, uint64_t cookie,
              struct flow_list *flows)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    uint16_t zone = ZONE_META_BASE | (ofp_to_u16(ofport) & ZONE_MAX_OFPORT);
    struct eth_addr smac = SERVICES_MAC;
    struct in6_addr meta, client;
    char client_s[INET6_ADDRSTRLEN];
    struct match match;

    if (ofp_to_u16(ofport) > ZONE_MAX_OFPORT) {
        return;
    }
    ovs_assert(ipv6_parse(SERVICES_META_IP6, &meta));
    services_meta_client_ip6(ofport, &client);
    ipv6_string_mapped(client_s, &client);

    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&match, IPPROTO_TCP);
    match_set_ipv6_dst(&match, &meta);
    match_set_tp_dst(&match, htons(80));
    match_set_reg_masked(&match, REG_FLAGS, 0, SERVICES_FLAG_META);
    put_parsed(&ofpacts, "set_field:%#x/%#x->reg%d,"
               "ct(commit,zone=%"PRIu16",table=%d,nat(src=[%s]))",
               SERVICES_FLAG_META, SERVICES_FLAG_META, REG_FLAGS, zone,
               T_PUNT, client_s);
    flow_list_add(flows, T_PUNT, 110, cookie, &match, &ofpacts);

    ofpbuf_clear(&ofpacts);
    match_set_reg_masked(&match, REG_FLAGS, SERVICES_FLAG_META,
                         SERVICES_FLAG_META);
    match_set_ct_state_masked(&match, CS_TRACKED, CS_TRACKED | CS_INVALID);
    match_set_ct_zone(&match, zone);
    put_parsed(&ofpacts, "set_field:"ETH_ADDR_FMT"->eth_src,"
               "set_field:"ETH_ADDR_FMT"->eth_dst,output:%"PRIu16,
               ETH_ADDR_ARGS(smac), ETH_ADDR_ARGS(sc->meta_mac),
               ofp_to_u16(sc->meta_ofport));
    flow_list_add(flows, T_PUNT, 110, cookie, &match, &ofpacts);

    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_in_port(&match, sc->meta_ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&match, IPPROTO_TCP);
    match_set_ipv6_src(&match, &meta);
    match_set_ipv6_dst(&match, &client);
    match_set_tp_src(&match, htons(80));
    match_set_reg_masked(&match, REG_FLAGS, 0, SERVICES_FLAG_META);
    put_parsed(&ofpacts, "set_field:%#x/%#x->reg%d,"
               "set_field:%"PRIu16"->reg%d,"
               "ct(zone=%"PRIu16",table=%d,nat)",
               SERVICES_FLAG_META, SERVICES_FLAG_META, REG_FLAGS,
               ofp_to_u16(ofport), REG_OUTPORT, zone, T_PUNT);
    flow_list_add(flows, T_PUNT, 110, cookie, &match, &ofpacts);

    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_in_port(&match, sc->meta_ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&match, IPPROTO_TCP);
    match_set_tp_src(&match, htons(80));
    match_set_reg(&match, REG_OUTPORT, ofp_to_u16(ofport));
    match_set_reg_masked(&match, REG_FLAGS, SERVICES_FLAG_META,
                         SERVICES_FLAG_META);
    match_set_ct_state_masked(&match, CS_TRACKED | CS_ESTABLISHED
                              | CS_REPLY_DIR,
                              CS_TRACKED | CS_ESTABLISHED | CS_REPLY_DIR);
    match_set_ct_zone(&match, zone);
    put_parsed(&ofpacts, "set_field:"ETH_ADDR_FMT"->eth_src,"
               "set_field:"ETH_ADDR_FMT"->eth_dst,goto_table:%d",
               ETH_ADDR_ARGS(smac), ETH_ADDR_ARGS(port_mac),
               T_SG_INGRESS);
    flow_list_add(flows, T_PUNT, 110, cookie, &match, &ofpacts);

    /* The VM finds SERVICES_META_IP6 at SERVICES_MAC. */
    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    add_nd_answer(&match, port_mac, &meta, &in6addr_exact, T_ARP_RESP, 90,
                  cookie, flows);
    ofpbuf_uninit(&ofpacts);
}

static void
compile_port(const struct services_chassis *sc, const struct nbrec_port *nb,
             ofp_port_t ofport, ofp_port_t meter, uint16_t lvid,
             bool metadata, struct flow_list *flows)
{
    uint64_t cookie = flow_cookie_from_uuid(&nb->header_.uuid);
    struct eth_addr mac;

    if (!eth_addr_from_string(nb->mac_address, &mac)) {
        return;                 /* l2_compile_port() reports it. */
    }
    add_dhcp(sc, nb, ofport, meter, cookie, flows);
    add_router_solicitation(sc, nb, ofport, meter, cookie, flows);
    add_dhcp6(sc, nb, ofport, meter, cookie, flows);
    add_pin_meter(sc, ofport, meter, cookie, flows);
    if (metadata && sc->meta_ofport != OFPP_NONE) {
        add_metadata(sc, ofport, mac, cookie, flows);
        if (sc->meta_ip6 && has_ipv6(nb)) {
            add_metadata6(sc, ofport, mac, cookie, flows);
        }
    }

    /* The DHCP server's address (the gateway, for a port without a router
     * there) answers ARP, below a real port that owns it (priority 100, any
     * in_port); the metadata address has a static flow (above).  The flow
     * matches the network ('lvid'), not the VIF: every local port of the
     * network whose DHCP subnet it serves compiles the same flow, and the
     * switch gets one (pipeline/flow.h: the smallest cookie's), which stays
     * as long as one of those ports does.
     * But on a provider network (flat, vlan) the gateway may be a physical
     * router: its address is answered only by what owns it, a router's
     * interface or the physical gateway itself.  An answer with
     * SERVICES_MAC there, which no flow delivers, would make every
     * off-subnet packet flood the network.  (The VM's DHCP and metadata
     * traffic is taken by in_port, whatever MAC it goes to.) */
    const struct nbrec_fixed_ip *fip = services_dhcp_ip(nb);
    ovs_be32 server = fip ? services_dhcp_server_ip(fip) : 0;
    struct match match;
    if (server && server != htonl(SERVICES_META_IP)
        && services_network_is_virtual(nb->network)) {
        match_init_catchall(&match);
        match_set_metadata(&match, htonll(lvid));
        add_arp_answer(&match, server, OVS_BE32_MAX, T_ARP_RESP, 90, cookie,
                       flows);
    }
}

void
services_compile_port(const struct services_chassis *sc,
                      const struct nbrec_port *nb, ofp_port_t ofport,
                      uint16_t lvid, struct flow_list *flows)
{
    compile_port(sc, nb, ofport, ofport, lvid, true, flows);
}

void
services_compile_subport(const struct services_chassis *sc,
                         const struct nbrec_port *nb, ofp_port_t ofport,
                         ofp_port_t parent, uint16_t lvid,
                         struct flow_list *flows)
{
    compile_port(sc, nb, ofport, parent, lvid, false, flows);
}
