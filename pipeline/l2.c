/*
 * pipeline/l2: see l2.h for the contract and pipeline/tables.h for the
 * table map.
 */

#include <config.h>

#include "pipeline/l2.h"

#include <netinet/icmp6.h>
#include <string.h>

#include "dvr/l3.h"
#include "lib/flow.h"            /* OVS's: ofp_to_u16(). */
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "smap.h"
#include "pipeline/actions.h"
#include "pipeline/tables.h"
#include "pipeline/trunk.h"
#include "util.h"

void
l2_output_init(struct l2_output *out)
{
    flow_list_init(&out->int_flows);
    flow_list_init(&out->tun_flows);
    flow_list_init(&out->ex_flows);
}

void
l2_output_destroy(struct l2_output *out)
{
    flow_list_destroy(&out->int_flows);
    flow_list_destroy(&out->tun_flows);
    flow_list_destroy(&out->ex_flows);
}

/* Output to the port in reg7 (table output). */
static void
put_output_reg7(struct ofpbuf *ofpacts)
{
    struct ofpact_output_reg *out = ofpact_put_OUTPUT_REG(ofpacts);

    out->max_len = 0;
    out->src = (struct mf_subfield) { mf_from_id(MFF_REG0 + REG_OUTPORT), 0,
                                      32 };
}

/* Delivery to local port 'port': reg7 := port, then sg_ingress decides.
 * 'resubmit' for one of several deliveries (flooding), else goto. */
static void
put_deliver(struct ofpbuf *ofpacts, ofp_port_t port, bool resubmit)
{
    put_load(ofpacts, MFF_REG0 + REG_OUTPORT, (OVS_FORCE uint16_t) port);
    if (resubmit) {
        put_resubmit(ofpacts, T_SG_INGRESS);
    } else {
        put_goto(ofpacts, T_SG_INGRESS);
    }
}

/* The skeleton: table defaults and the classification of the patch port
 * from br-int on br-tun. */
void
l2_compile_skeleton(const struct l2_bridges *br, struct l2_output *out)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    /* br-int: anything unclassified, unvalidated or unknown is dropped;
     * the ARP responder passes what it does not answer to l2_lookup. */
    match_init_catchall(&match);
    flow_list_add(&out->int_flows, T_CLASSIFY, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* br-int: a VIF is an access port: a frame with an 802.1Q or 802.1ad
     * tag (OVS parses both into vlan_tci, with the CFI bit set) never
     * enters the pipeline, whatever port security says, so that no VM
     * reaches a VLAN of a trunk (VLAN hopping).  A VIF's own classify flow
     * matches untagged frames only; this one flow, below the uplinks'
     * tagged frames and a trunk's subports, drops the others and its
     * counters show the attempts. */
    match_set_dl_tci_masked(&match, htons(VLAN_CFI), htons(VLAN_CFI));
    flow_list_add(&out->int_flows, T_CLASSIFY, L2_PRIO_TAGGED, COOKIE_STATIC,
                  &match, &ofpacts);
    match_init_catchall(&match);
    flow_list_add(&out->int_flows, T_PORT_SEC, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    flow_list_add(&out->int_flows, T_L2_LOOKUP, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    put_goto(&ofpacts, T_L2_LOOKUP);
    flow_list_add(&out->int_flows, T_ARP_RESP, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    ofpbuf_clear(&ofpacts);
    put_goto(&ofpacts, T_ARP_RESP);
    flow_list_add(&out->int_flows, T_PUNT, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* br-int: the neighbour solicitations the responder does not answer
     * (pipeline/l2.h): duplicate address detection and those without a
     * source link-layer address option go on to their target. */
    ofpbuf_clear(&ofpacts);
    put_goto(&ofpacts, T_L2_LOOKUP);
    for (int i = 0; i < 2; i++) {
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
        match_set_nw_proto(&match, IPPROTO_ICMPV6);
        match_set_icmp_type(&match, ND_NEIGHBOR_SOLICIT);
        if (i) {
            match_set_ipv6_src(&match, &in6addr_any);
        } else {
            match_set_arp_sha(&match, eth_addr_zero);
        }
        flow_list_add(&out->int_flows, T_ARP_RESP, L2_PRIO_ND_PASS,
                      COOKIE_STATIC, &match, &ofpacts);
    }

    /* br-int: local delivery ends here, after sg_ingress, at the port that
     * l2_lookup chose. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    put_output_reg7(&ofpacts);
    flow_list_add(&out->int_flows, T_OUTPUT, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* br-int: a reply goes back where its request came from (a trunk's
     * subport has a flow of its own here: pipeline/trunk.h). */
    ofpbuf_clear(&ofpacts);
    put_output(&ofpacts, OFPP_IN_PORT);
    flow_list_add(&out->int_flows, T_TO_SENDER, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* br-int: a VM never answers DHCP or DHCPv6 for others (no rogue DHCP
     * server), whatever its port security. */
    ofpbuf_clear(&ofpacts);
    for (int v6 = 0; v6 < 2; v6++) {
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP));
        match_set_nw_proto(&match, IPPROTO_UDP);
        match_set_tp_src(&match, htons(v6 ? 547 : 67));
        match_set_tp_dst(&match, htons(v6 ? 546 : 68));
        flow_list_add(&out->int_flows, T_PORT_SEC, 200, COOKIE_STATIC,
                      &match, &ofpacts);
    }

    /* br-int: port_security_load, where IPv4 and ARP from a VIF with port
     * security go once their source MAC passed: the source address and
     * MAC into registers, for port_security_addr's one flow per address
     * (pipeline/tables.h); DHCP from an unconfigured client (0.0.0.0 to
     * the broadcast address) from the port's own MAC needs no address;
     * anything else (an IPv6 source that no flow of port_security let
     * through, another ethertype) is dropped here and there. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    flow_list_add(&out->int_flows, T_PORT_SEC_LOAD, 0, COOKIE_STATIC,
                  &match, &ofpacts);
    flow_list_add(&out->int_flows, T_PORT_SEC_ADDR, 0, COOKIE_STATIC,
                  &match, &ofpacts);
    match_set_reg_masked(&match, REG_SRC_MAC_HI, FLAG_OWN_MAC,
                         FLAG_OWN_MAC);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_src(&match, htonl(0));
    match_set_nw_dst(&match, OVS_BE32_MAX);
    match_set_nw_proto(&match, IPPROTO_UDP);
    match_set_tp_src(&match, htons(68));
    match_set_tp_dst(&match, htons(67));
    put_goto(&ofpacts, T_SG_EGRESS);
    flow_list_add(&out->int_flows, T_PORT_SEC_LOAD, 110, COOKIE_STATIC,
                  &match, &ofpacts);
    for (int arp = 0; arp < 2; arp++) {
        const char *ip = arp ? "NXM_OF_ARP_SPA" : "NXM_OF_IP_SRC";
        const char *mac = arp ? "NXM_NX_ARP_SHA" : "NXM_OF_ETH_SRC";

        ofpbuf_clear(&ofpacts);
        put_parsed(&ofpacts, "move:%s[]->NXM_NX_REG%d[],"
                   "move:%s[32..47]->NXM_NX_REG%d[0..15],"
                   "move:%s[0..31]->NXM_NX_REG%d[],goto_table:%d",
                   ip, REG_SRC_IP4, mac, REG_SRC_MAC_HI, mac,
                   REG_SRC_MAC_LO, T_PORT_SEC_ADDR);
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(arp ? ETH_TYPE_ARP : ETH_TYPE_IP));
        flow_list_add(&out->int_flows, T_PORT_SEC_LOAD, 100, COOKIE_STATIC,
                      &match, &ofpacts);
    }
    ofpbuf_clear(&ofpacts);

    /* br-int: ipv6_security, where the IPv6 of a VIF with port security
     * goes once its source passed: no DHCPv6 server replies, router
     * advertisements or redirects (only routers send those, and dvrflow's
     * routers are flows), and no neighbour solicitation or advertisement
     * that no port flow let through; the rest goes on. */
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&match, IPPROTO_UDP);
    match_set_tp_src(&match, htons(547));
    match_set_tp_dst(&match, htons(546));
    flow_list_add(&out->int_flows, T_IP6_SEC, 200, COOKIE_STATIC, &match,
                  &ofpacts);
    static const uint8_t types[] = {
        ND_ROUTER_ADVERT, ND_REDIRECT, ND_NEIGHBOR_SOLICIT, ND_NEIGHBOR_ADVERT
    };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
        match_set_nw_proto(&match, IPPROTO_ICMPV6);
        match_set_icmp_type(&match, types[i]);
        flow_list_add(&out->int_flows, T_IP6_SEC, i < 2 ? 200 : 50,
                      COOKIE_STATIC, &match, &ofpacts);
    }
    match_init_catchall(&match);
    put_goto(&ofpacts, T_SG_EGRESS);
    flow_list_add(&out->int_flows, T_IP6_SEC, 0, COOKIE_STATIC, &match,
                  &ofpacts);

    /* br-tun. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    flow_list_add(&out->tun_flows, T_TUN_OUT, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    flow_list_add(&out->tun_flows, T_TUN_IN, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    put_goto(&ofpacts, T_TUN_IN);
    flow_list_add(&out->tun_flows, T_TUN_CLASSIFY, 50, COOKIE_STATIC, &match,
                  &ofpacts);
    if (br->tun_patch_int != OFPP_NONE) {
        ofpbuf_clear(&ofpacts);
        put_goto(&ofpacts, T_TUN_OUT);
        match_set_in_port(&match, br->tun_patch_int);
        flow_list_add(&out->tun_flows, T_TUN_CLASSIFY, 100, COOKIE_STATIC,
                      &match, &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

char *
l2_network_segment(const struct nbrec_network *nb, bool *tunnelled,
                   uint32_t *segment_id)
{
    const char *type = nb->provider_network_type;

    *segment_id = 0;
    *tunnelled = !strcmp(type, "vxlan") || !strcmp(type, "geneve");
    if (*tunnelled || !strcmp(type, "vlan")) {
        if (!nb->n_provider_segmentation_id) {
            return xasprintf("network "UUID_FMT": provider_segmentation_id "
                             "missing for a %s network",
                             UUID_ARGS(&nb->header_.uuid), type);
        }
        int64_t id = nb->provider_segmentation_id[0];
        if (id < 1 || id > (*tunnelled ? 0xffffff : 4094)) {
            return xasprintf("network "UUID_FMT": provider_segmentation_id "
                             "%"PRId64" out of range",
                             UUID_ARGS(&nb->header_.uuid), id);
        }
        *segment_id = id;
    } else if (strcmp(type, "flat")) {
        return xasprintf("network "UUID_FMT": unknown provider_network_type "
                         "'%s'", UUID_ARGS(&nb->header_.uuid), type);
    }
    if (!*tunnelled && (!nb->provider_physical_network
                        || !nb->provider_physical_network[0])) {
        return xasprintf("network "UUID_FMT": provider_physical_network "
                         "missing for a %s network",
                         UUID_ARGS(&nb->header_.uuid), type);
    }
    return NULL;
}

/* The flows a network owns: classification of what arrives from other
 * nodes, flooding, and the segment translation on br-tun or br-ex. */
char *
l2_compile_network(const struct l2_network *net, struct l2_output *out)
{
    uint64_t cookie = flow_cookie_from_uuid(&net->nb->header_.uuid);
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;
    bool tunnelled;
    uint32_t segment;
    char *error;

    error = l2_network_segment(net->nb, &tunnelled, &segment);
    if (error) {
        return error;
    }

    /* br-int: from the uplink, tagged with the local VLAN. */
    if (net->int_uplink != OFPP_NONE) {
        match_init_catchall(&match);
        match_set_in_port(&match, net->int_uplink);
        match_vlan(&match, net->lvid);
        put_pop_vlan(&ofpacts);
        put_load(&ofpacts, MFF_METADATA, net->lvid);
        put_load(&ofpacts, MFF_REG0, FLAG_FROM_REMOTE);
        put_goto(&ofpacts, T_L2_LOOKUP);
        flow_list_add(&out->int_flows, T_CLASSIFY, 100, cookie, &match,
                      &ofpacts);
    }

    /* br-int: flood to the local ports and, for what came from a local
     * port, to the other nodes of the network. */
    for (int from_remote = 0; from_remote < 2; from_remote++) {
        ofpbuf_clear(&ofpacts);
        for (size_t i = 0; i < net->n_local_ports; i++) {
            put_deliver(&ofpacts, net->local_ports[i], true);
        }
        if (!from_remote && net->int_uplink != OFPP_NONE
            && (!tunnelled || net->n_tunnels)) {
            put_push_vlan(&ofpacts, net->lvid);
            put_output(&ofpacts, net->int_uplink);
        }
        match_init_catchall(&match);
        match_set_metadata(&match, htonll(net->lvid));
        match_set_reg_masked(&match, REG_FLAGS,
                             from_remote ? FLAG_FROM_REMOTE : 0,
                             FLAG_FROM_REMOTE);
        flow_list_add(&out->int_flows, T_L2_LOOKUP, 50, cookie, &match,
                      &ofpacts);
    }

    if (tunnelled) {
        /* br-tun: local VLAN <-> VNI, flooding to every node with a port
         * of the network. */
        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_vlan(&match, net->lvid);
        put_pop_vlan(&ofpacts);
        put_load(&ofpacts, MFF_TUN_ID, net->vni);
        for (size_t i = 0; i < net->n_tunnels; i++) {
            put_output(&ofpacts, net->tunnels[i]);
        }
        flow_list_add(&out->tun_flows, T_TUN_OUT, 50, cookie, &match,
                      &ofpacts);

        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_set_tun_id(&match, htonll(net->vni));
        put_push_vlan(&ofpacts, net->lvid);
        put_output(&ofpacts, net->tun_patch);
        flow_list_add(&out->tun_flows, T_TUN_IN, 100, cookie, &match,
                      &ofpacts);
    } else if (net->ex_patch != OFPP_NONE) {
        /* br-ex: local VLAN <-> the physical network's segment. */
        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_set_in_port(&match, net->ex_patch);
        match_vlan(&match, net->lvid);
        if (segment) {
            put_load(&ofpacts, MFF_VLAN_VID, OFPVID12_PRESENT | segment);
        } else {
            put_pop_vlan(&ofpacts);
        }
        put_output(&ofpacts, OFPP_NORMAL);
        flow_list_add(&out->ex_flows, T_EX_CLASSIFY, 100, cookie, &match,
                      &ofpacts);

        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        if (segment) {
            match_vlan(&match, segment);
            put_load(&ofpacts, MFF_VLAN_VID, OFPVID12_PRESENT | net->lvid);
        } else {
            match_untagged(&match);
            put_push_vlan(&ofpacts, net->lvid);
        }
        put_output(&ofpacts, net->ex_patch);
        flow_list_add(&out->ex_flows, T_EX_CLASSIFY, 90, cookie, &match,
                      &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
    return NULL;
}

/* The static flows of a provider bridge whose patch port to br-int is
 * 'ex_patch': what comes from br-int untranslated is dropped, everything
 * else on the physical network is switched normally. */
void
l2_compile_ex_skeleton(ofp_port_t ex_patch, struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_in_port(&match, ex_patch);
    flow_list_add(flows, T_EX_CLASSIFY, 95, COOKIE_STATIC, &match, &ofpacts);

    match_init_catchall(&match);
    put_output(&ofpacts, OFPP_NORMAL);
    flow_list_add(flows, T_EX_CLASSIFY, 0, COOKIE_STATIC, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* A port's addresses, parsed and validated. */
struct addr_pair {
    struct eth_addr mac;
    bool ipv6;
    ovs_be32 ip4, mask4;
    struct in6_addr ip6, mask6;
};

struct port_addrs {
    struct eth_addr mac;
    ovs_be32 *ip4s;
    size_t n_ip4s;
    struct in6_addr *ip6s;
    size_t n_ip6s;
    struct addr_pair *pairs;        /* Allowed address pairs. */
    size_t n_pairs;
};

static void
port_addrs_destroy(struct port_addrs *pa)
{
    free(pa->ip4s);
    free(pa->ip6s);
    free(pa->pairs);
}

static char *
addr_pair_parse(const struct nbrec_port *nb, const char *prefix,
                const char *mac, struct eth_addr port_mac,
                struct addr_pair *pair)
{
    char *error;
    unsigned int plen;

    memset(pair, 0, sizeof *pair);
    if (!mac[0]) {
        pair->mac = port_mac;
    } else if (!eth_addr_from_string(mac, &pair->mac)
               || eth_addr_is_multicast(pair->mac)) {
        return xasprintf("port "UUID_FMT": allowed_address_pairs: invalid "
                         "mac_address '%s'", UUID_ARGS(&nb->header_.uuid),
                         mac);
    }
    error = ip_parse_cidr(prefix, &pair->ip4, &plen);
    if (!error) {
        pair->mask4 = be32_prefix_mask(plen);
        return NULL;
    }
    free(error);
    error = ipv6_parse_cidr(prefix, &pair->ip6, &plen);
    if (!error) {
        pair->ipv6 = true;
        pair->mask6 = ipv6_create_mask(plen);
        return NULL;
    }
    free(error);
    return xasprintf("port "UUID_FMT": allowed_address_pairs: invalid "
                     "ip_address '%s'", UUID_ARGS(&nb->header_.uuid), prefix);
}

static char *
port_addrs_parse(const struct nbrec_port *nb, struct port_addrs *pa)
{
    memset(pa, 0, sizeof *pa);
    if (!eth_addr_from_string(nb->mac_address, &pa->mac)
        || eth_addr_is_multicast(pa->mac) || eth_addr_is_zero(pa->mac)) {
        return xasprintf("port "UUID_FMT": invalid mac_address '%s'",
                         UUID_ARGS(&nb->header_.uuid), nb->mac_address);
    }
    pa->ip4s = xmalloc(nb->n_fixed_ips * sizeof *pa->ip4s);
    pa->ip6s = xmalloc(nb->n_fixed_ips * sizeof *pa->ip6s);
    for (size_t i = 0; i < nb->n_fixed_ips; i++) {
        const char *s = nb->fixed_ips[i]->ip_address;
        if (ip_parse(s, &pa->ip4s[pa->n_ip4s])) {
            pa->n_ip4s++;
        } else if (ipv6_parse(s, &pa->ip6s[pa->n_ip6s])) {
            pa->n_ip6s++;
        } else {
            port_addrs_destroy(pa);
            return xasprintf("port "UUID_FMT": fixed_ips: invalid "
                             "ip_address '%s'",
                             UUID_ARGS(&nb->header_.uuid), s);
        }
    }

    const struct smap_node *node;
    pa->pairs = xmalloc(smap_count(&nb->allowed_address_pairs)
                        * sizeof *pa->pairs);
    SMAP_FOR_EACH (node, &nb->allowed_address_pairs) {
        char *error = addr_pair_parse(nb, node->key, node->value, pa->mac,
                                      &pa->pairs[pa->n_pairs]);
        if (error) {
            port_addrs_destroy(pa);
            return error;
        }
        pa->n_pairs++;
    }
    return NULL;
}

static void
add_arp_responder(const struct port_addrs *pa, const struct l2_network *net,
                  uint64_t cookie, ovs_be32 ip, struct flow_list *flows)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_metadata(&match, htonll(net->lvid));
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    match_set_nw_proto(&match, ARP_OP_REQUEST);
    match_set_nw_dst(&match, ip);

    put_arp_reply(&ofpacts, pa->mac, ip);
    put_to_sender(&ofpacts);
    flow_list_add(flows, T_ARP_RESP, 100, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

void
l2_add_nd_responder(struct flow_list *flows, uint64_t cookie, uint16_t lvid,
                    const struct in6_addr *ip, struct eth_addr mac,
                    bool router)
{
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_metadata(&match, htonll(lvid));
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&match, IPPROTO_ICMPV6);
    match_set_icmp_type(&match, ND_NEIGHBOR_SOLICIT);
    match_set_icmp_code(&match, 0);
    match_set_nd_target(&match, ip);

    /* The solicitation becomes the advertisement; a second pass sets the
     * target link-layer address (put_nd_advert()). */
    put_nd_advert(&ofpacts, mac, ip, router, T_ARP_RESP);
    flow_list_add(flows, T_ARP_RESP, 100, cookie, &match, &ofpacts);

    ofpbuf_clear(&ofpacts);
    match_set_icmp_type(&match, ND_NEIGHBOR_ADVERT);
    match_set_reg_masked(&match, REG_FLAGS, FLAG_ND_REPLY, FLAG_ND_REPLY);
    put_parsed(&ofpacts, "set_field:"ETH_ADDR_FMT"->nd_tll,in_port",
               ETH_ADDR_ARGS(mac));
    flow_list_add(flows, T_ARP_RESP, 100, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Port security: 'ofport' may send IPv4 and ARP from 'mac' and
 * 'ip'/'mask'.  One flow for both: port_security_load copied the source
 * address (nw_src, arp_spa) and MAC (dl_src, arp_sha) into registers. */
static void
add_ip4_source(ofp_port_t ofport, struct eth_addr mac, ovs_be32 ip,
               ovs_be32 mask, uint64_t cookie, struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    uint64_t mac64 = eth_addr_to_uint64(mac);
    struct match match;

    put_goto(&ofpacts, T_SG_EGRESS);
    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    match_set_dl_src(&match, mac);
    match_set_reg_masked(&match, REG_SRC_IP4, ntohl(ip), ntohl(mask));
    match_set_reg_masked(&match, REG_SRC_MAC_HI, mac64 >> 32, 0xffff);
    match_set_reg(&match, REG_SRC_MAC_LO, mac64 & UINT32_MAX);
    flow_list_add(flows, T_PORT_SEC_ADDR, 100, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Port security: frames from 'ofport' with source 'mac' go on to have
 * their IPv4 or ARP source checked (port_security_load, then
 * port_security_addr), marked FLAG_OWN_MAC if 'own'. */
static void
add_mac_source(ofp_port_t ofport, struct eth_addr mac, bool own,
               uint64_t cookie, struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    if (own) {
        put_parsed(&ofpacts, "set_field:%#x/%#x->reg%d,", FLAG_OWN_MAC,
                   FLAG_OWN_MAC, REG_SRC_MAC_HI);
    }
    put_goto(&ofpacts, T_PORT_SEC_LOAD);
    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    match_set_dl_src(&match, mac);
    flow_list_add(flows, T_PORT_SEC, L2_PRIO_MAC_SOURCE, cookie, &match,
                  &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

static void
add_ip6_source(ofp_port_t ofport, struct eth_addr mac,
               const struct in6_addr *ip, const struct in6_addr *mask,
               uint64_t cookie, struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    put_goto(&ofpacts, T_IP6_SEC);
    match_init_catchall(&match);
    match_set_in_port(&match, ofport);
    match_set_dl_src(&match, mac);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_ipv6_src_masked(&match, ip, mask);
    flow_list_add(flows, T_PORT_SEC, 100, cookie, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Neighbour discovery from 'ofport' (table ipv6_security, after the source
 * address checks): an NS or NA whose link-layer address option is a MAC
 * of the port's own (or absent), and an NA only for an address of the
 * port's own (a fixed IP, its link-local address, an allowed address
 * pair), so that no VM poisons others' neighbour caches.  The skeleton
 * drops any other NS or NA. */
static void
add_nd(ofp_port_t ofport, uint8_t type, struct eth_addr mac,
       const struct in6_addr *target, const struct in6_addr *mask,
       uint64_t cookie, struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    put_goto(&ofpacts, T_SG_EGRESS);
    for (int lla = 0; lla < 2; lla++) {
        match_init_catchall(&match);
        match_set_in_port(&match, ofport);
        match_set_dl_src(&match, mac);
        match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
        match_set_nw_proto(&match, IPPROTO_ICMPV6);
        match_set_icmp_type(&match, type);
        match_set_icmp_code(&match, 0);
        if (target) {
            match_set_nd_target_masked(&match, target, mask);
        }
        if (type == ND_NEIGHBOR_SOLICIT) {
            match_set_arp_sha(&match, lla ? mac : eth_addr_zero);
        } else {
            match_set_arp_tha(&match, lla ? mac : eth_addr_zero);
        }
        flow_list_add(flows, T_IP6_SEC, 100, cookie, &match, &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

/* True if 'mac' is the port's or that of an address pair (an IPv6 one if
 * 'ipv6_only') before pair 'n'. */
static bool
pair_mac_seen(const struct port_addrs *pa, size_t n, struct eth_addr mac,
              bool ipv6_only)
{
    if (eth_addr_equals(mac, pa->mac)) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if ((pa->pairs[i].ipv6 || !ipv6_only)
            && eth_addr_equals(pa->pairs[i].mac, mac)) {
            return true;
        }
    }
    return false;
}

/* True if 'mac' is the port's or that of an IPv4 address pair before
 * pair 'n'. */
static bool
pair_mac_seen4(const struct port_addrs *pa, size_t n, struct eth_addr mac)
{
    if (eth_addr_equals(mac, pa->mac)) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if (!pa->pairs[i].ipv6 && eth_addr_equals(pa->pairs[i].mac, mac)) {
            return true;
        }
    }
    return false;
}

static void
add_nd_security(const struct port_addrs *pa, ofp_port_t ofport,
                uint64_t cookie, struct flow_list *flows)
{
    bool ipv6 = pa->n_ip6s > 0;
    struct in6_addr lla;

    for (size_t i = 0; i < pa->n_pairs; i++) {
        ipv6 |= pa->pairs[i].ipv6;
    }
    if (!ipv6) {
        return;                 /* No IPv6 gets to table ipv6_security. */
    }
    add_nd(ofport, ND_NEIGHBOR_SOLICIT, pa->mac, NULL, NULL, cookie, flows);
    in6_generate_lla(pa->mac, &lla);
    add_nd(ofport, ND_NEIGHBOR_ADVERT, pa->mac, &lla, &in6addr_exact,
           cookie, flows);
    for (size_t i = 0; i < pa->n_ip6s; i++) {
        add_nd(ofport, ND_NEIGHBOR_ADVERT, pa->mac, &pa->ip6s[i],
               &in6addr_exact, cookie, flows);
    }
    for (size_t i = 0; i < pa->n_pairs; i++) {
        const struct addr_pair *p = &pa->pairs[i];
        if (p->ipv6) {
            add_nd(ofport, ND_NEIGHBOR_ADVERT, p->mac, &p->ip6, &p->mask6,
                   cookie, flows);
            if (!pair_mac_seen(pa, i, p->mac, true)) {
                add_nd(ofport, ND_NEIGHBOR_SOLICIT, p->mac, NULL, NULL,
                       cookie, flows);
            }
        }
    }
}

static void
add_port_security(const struct nbrec_port *nb, const struct port_addrs *pa,
                  ofp_port_t ofport, uint64_t cookie, struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    put_goto(&ofpacts, T_SG_EGRESS);
    if (!nb->port_security_enabled) {
        match_init_catchall(&match);
        match_set_in_port(&match, ofport);
        flow_list_add(flows, T_PORT_SEC, 100, cookie, &match, &ofpacts);
        ofpbuf_uninit(&ofpacts);
        return;
    }

    /* IPv4 and ARP: the MAC first (its own, marked for DHCP from 0.0.0.0,
     * and those of its IPv4 address pairs), then each address with its
     * MAC. */
    add_mac_source(ofport, pa->mac, true, cookie, flows);
    for (size_t i = 0; i < pa->n_pairs; i++) {
        const struct addr_pair *p = &pa->pairs[i];
        if (!p->ipv6 && !pair_mac_seen4(pa, i, p->mac)) {
            add_mac_source(ofport, p->mac, false, cookie, flows);
        }
    }
    for (size_t i = 0; i < pa->n_ip4s; i++) {
        add_ip4_source(ofport, pa->mac, pa->ip4s[i], OVS_BE32_MAX, cookie,
                       flows);
    }
    for (size_t i = 0; i < pa->n_ip6s; i++) {
        add_ip6_source(ofport, pa->mac, &pa->ip6s[i], &in6addr_exact, cookie,
                       flows);
    }
    if (pa->n_ip6s) {
        /* The port's own link-local address (EUI-64 from its MAC), not
         * any other's, and the unspecified source of duplicate address
         * detection. */
        struct in6_addr lla;
        in6_generate_lla(pa->mac, &lla);
        add_ip6_source(ofport, pa->mac, &lla, &in6addr_exact, cookie, flows);
        add_ip6_source(ofport, pa->mac, &in6addr_any, &in6addr_exact,
                       cookie, flows);
    }
    add_nd_security(pa, ofport, cookie, flows);

    /* (DHCP from an unconfigured client: a static flow of
     * port_security_load, for a frame from the port's own MAC.) */

    /* Allowed address pairs: an address or prefix, with a MAC of their
     * own or the port's. */
    for (size_t i = 0; i < pa->n_pairs; i++) {
        const struct addr_pair *p = &pa->pairs[i];
        if (p->ipv6) {
            add_ip6_source(ofport, p->mac, &p->ip6, &p->mask6, cookie, flows);
        } else {
            add_ip4_source(ofport, p->mac, p->ip4, p->mask4, cookie, flows);
        }
    }
    ofpbuf_uninit(&ofpacts);
}

/* A VIF with port security receives only unicast frames to its own MACs
 * (its own and its address pairs'), besides broadcast and multicast: a
 * frame to a MAC that no port of the network has (a physical host, say
 * the upstream gateway) is flooded, and must not reach every VM. */
static void
add_unicast_security(const struct port_addrs *pa, ofp_port_t ofport,
                     const struct trunk_subport *sp, uint64_t cookie,
                     struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct eth_addr unicast = ETH_ADDR_C(01, 00, 00, 00, 00, 00);
    struct match match;

    match_init_catchall(&match);
    match_set_reg(&match, REG_OUTPORT, ofp_to_u16(ofport));
    match_set_dl_dst_masked(&match, eth_addr_zero, unicast);
    flow_list_add(flows, T_OUTPUT, 100, cookie, &match, &ofpacts);

    if (sp) {
        trunk_put_output(&ofpacts, sp);
    } else {
        put_output_reg7(&ofpacts);
    }
    for (size_t i = 0; i <= pa->n_pairs; i++) {
        struct eth_addr mac = i ? pa->pairs[i - 1].mac : pa->mac;
        if (i && pair_mac_seen(pa, i - 1, mac, false)) {
            continue;
        }
        match_set_dl_dst(&match, mac);
        flow_list_add(flows, T_OUTPUT, 110, cookie, &match, &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

/* True if 'ip' is the gateway_ip of a subnet of one of the fixed IPs of
 * 'nb'. */
static bool
is_subnet_gateway(const struct nbrec_port *nb, ovs_be32 ip)
{
    for (size_t i = 0; i < nb->n_fixed_ips; i++) {
        const struct nbrec_subnet *subnet = nb->fixed_ips[i]->subnet;
        ovs_be32 gw;

        if (subnet && subnet->gateway_ip && ip_parse(subnet->gateway_ip, &gw)
            && gw == ip) {
            return true;
        }
    }
    return false;
}

bool
l2_port_is_up(const struct nbrec_port *nb)
{
    return nb->admin_state_up
           && (!nb->network || nb->network->admin_state_up);
}

char *
l2_compile_port(const struct l2_port *port, const struct l2_network *net,
                struct l2_output *out)
{
    const struct nbrec_port *nb = port->nb;
    uint64_t cookie = flow_cookie_from_uuid(&nb->header_.uuid);
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct port_addrs pa;
    struct match match;
    char *error;

    error = port_addrs_parse(nb, &pa);
    if (error) {
        return error;
    }
    /* Every known IPv6 address of the network is answered by neighbour
     * discovery on the node where the solicitation is sent: the fixed IPs
     * of a bound port and those of a router's interface (bound nowhere),
     * with the interface's link-local address. */
    bool router = (nb->device_owner
                   && !strncmp(nb->device_owner, "network:router_interface",
                               24));
    if (port->location != L2_PORT_UNBOUND || router) {
        for (size_t i = 0; i < pa.n_ip6s; i++) {
            l2_add_nd_responder(&out->int_flows, cookie, net->lvid,
                                &pa.ip6s[i], pa.mac, router);
        }
        if (router && pa.n_ip6s) {
            struct in6_addr lla;
            in6_generate_lla(pa.mac, &lla);
            l2_add_nd_responder(&out->int_flows, cookie, net->lvid, &lla,
                                pa.mac, true);
        }
    }
    if (port->location == L2_PORT_UNBOUND) {
        port_addrs_destroy(&pa);
        return NULL;
    }

    /* Every known IPv4 address of the network is answered by ARP on the
     * node where the request is sent and, on a routed network, is a next
     * hop whose MAC routing knows. */
    /* On an external network, a port never stands for the upstream
     * gateway (its subnet's gateway_ip: no ARP answer, no next hop), and
     * its next hops yield to those learned by ARP, so that no tenant port
     * takes the routers' traffic to the outside. */
    bool external = net->nb->external;
    for (size_t i = 0; i < pa.n_ip4s; i++) {
        if (external && is_subnet_gateway(nb, pa.ip4s[i])) {
            continue;
        }
        add_arp_responder(&pa, net, cookie, pa.ip4s[i], &out->int_flows);
        if (net->routed) {
            l3_add_nexthop(&out->int_flows, cookie,
                           external ? L3_NEXTHOP_VIF_EXTERNAL
                                    : L3_NEXTHOP_KNOWN,
                           net->lvid, pa.ip4s[i], pa.mac);
        }
    }
    /* Its IPv6 addresses on a routed tenant network are next hops too
     * (IPv6 is not routed to or from external networks yet). */
    if (net->routed && !external) {
        for (size_t i = 0; i < pa.n_ip6s; i++) {
            l3_add_nexthop6(&out->int_flows, cookie, L3_NEXTHOP_KNOWN,
                            net->lvid, &pa.ip6s[i], pa.mac);
        }
    }
    ofpbuf_clear(&ofpacts);

    if (port->location == L2_PORT_LOCAL) {
        bool up = l2_port_is_up(nb);

        /* Only untagged frames: a VIF is an access port (the skeleton
         * drops the tagged ones).  A port or network that is
         * administratively down drops what the port sends here and, below,
         * what it would receive. */
        match_init_catchall(&match);
        match_set_in_port(&match, port->ofport);
        match_set_dl_tci_masked(&match, htons(0), htons(VLAN_CFI));
        if (up) {
            put_load(&ofpacts, MFF_METADATA, net->lvid);
            put_goto(&ofpacts, T_QOS_EGRESS);
        }
        flow_list_add(&out->int_flows, T_CLASSIFY, 100, cookie, &match,
                      &ofpacts);
        if (!up) {
            match_init_catchall(&match);
            match_set_reg(&match, REG_OUTPORT, ofp_to_u16(port->ofport));
            flow_list_add(&out->int_flows, T_SG_INGRESS, L2_PRIO_PORT_DOWN,
                          cookie, &match, &ofpacts);
        }

        add_port_security(nb, &pa, port->ofport, cookie, &out->int_flows);
        if (port->subport) {
            trunk_compile_subport(port->subport, cookie, &out->int_flows);
        }

        /* A VM probing for its own address is not answered for itself. */
        ofpbuf_clear(&ofpacts);
        put_goto(&ofpacts, T_L2_LOOKUP);
        for (size_t i = 0; i < pa.n_ip4s; i++) {
            match_init_catchall(&match);
            match_set_in_port(&match, port->ofport);
            match_set_dl_type(&match, htons(ETH_TYPE_ARP));
            match_set_nw_proto(&match, ARP_OP_REQUEST);
            match_set_nw_dst(&match, pa.ip4s[i]);
            flow_list_add(&out->int_flows, T_ARP_RESP, 110, cookie, &match,
                          &ofpacts);
        }

        if (nb->port_security_enabled) {
            add_unicast_security(&pa, port->ofport, port->subport, cookie,
                                 &out->int_flows);
        }

        ofpbuf_clear(&ofpacts);
        match_init_catchall(&match);
        match_set_metadata(&match, htonll(net->lvid));
        match_set_dl_dst(&match, pa.mac);
        put_deliver(&ofpacts, port->ofport, false);
        flow_list_add(&out->int_flows, T_L2_LOOKUP, 100, cookie, &match,
                      &ofpacts);
    } else if (net->int_uplink != OFPP_NONE) {
        /* Remote: to the uplink, tagged; br-tun picks the tunnel. */
        match_init_catchall(&match);
        match_set_metadata(&match, htonll(net->lvid));
        match_set_reg_masked(&match, REG_FLAGS, 0, FLAG_FROM_REMOTE);
        match_set_dl_dst(&match, pa.mac);
        put_push_vlan(&ofpacts, net->lvid);
        put_output(&ofpacts, net->int_uplink);
        flow_list_add(&out->int_flows, T_L2_LOOKUP, 100, cookie, &match,
                      &ofpacts);

        if (net->tunnelled && port->tunnel != OFPP_NONE) {
            ofpbuf_clear(&ofpacts);
            match_init_catchall(&match);
            match_vlan(&match, net->lvid);
            match_set_dl_dst(&match, pa.mac);
            put_pop_vlan(&ofpacts);
            put_load(&ofpacts, MFF_TUN_ID, net->vni);
            put_output(&ofpacts, port->tunnel);
            flow_list_add(&out->tun_flows, T_TUN_OUT, 100, cookie, &match,
                          &ofpacts);
        }
    }
    port_addrs_destroy(&pa);
    ofpbuf_uninit(&ofpacts);
    return NULL;
}
