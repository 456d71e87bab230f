/*
 * pipeline/sg: see sg.h for the model and the contract, pipeline/tables.h
 * for the table map.
 */

#include <config.h>

#include "pipeline/sg.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "ovsdb/nb-idl.h"
#include "packets.h"
#include "pipeline/actions.h"
#include "smap.h"
#include "svec.h"
#include "util.h"

/* Action helpers (the common ones are in pipeline/actions.h). */

/* ct(zone=reg6[0..15], [commit], [table=...]). */
static void
put_ct(struct ofpbuf *ofpacts, bool commit, uint8_t recirc_table)
{
    struct ofpact_conntrack *ct = ofpact_put_CT(ofpacts);

    ct->flags = commit ? NX_CT_F_COMMIT : 0;
    ct->zone_src.field = mf_from_id(MFF_REG0 + REG_SG_PORT);
    ct->zone_src.ofs = 0;
    ct->zone_src.n_bits = 16;
    ct->recirc_table = recirc_table;
    ct->alg = 0;
    ofpact_finish_CT(ofpacts, &ct);
}

static void
put_conjunction(struct ofpbuf *ofpacts, uint32_t id, uint8_t clause,
                uint8_t n_clauses)
{
    struct ofpact_conjunction *c = ofpact_put_CONJUNCTION(ofpacts);
    c->id = id;
    c->clause = clause - 1;
    c->n_clauses = n_clauses;
}

static void
match_tracked_valid(struct match *match)
{
    match_set_ct_state_masked(match, CS_TRACKED, CS_TRACKED | CS_INVALID);
}

/* Port ranges. */

size_t
sg_split_port_range(uint16_t min, uint16_t max,
                    struct sg_port_match out[32])
{
    uint32_t lo = min, hi = max;
    size_t n = 0;

    while (lo <= hi) {
        /* The largest aligned block that starts at 'lo' and ends by 'hi'. */
        uint32_t size = lo ? lo & -lo : 0x10000;
        while (lo + size - 1 > hi) {
            size >>= 1;
        }
        out[n].value = lo;
        out[n].mask = ~(size - 1) & 0xffff;
        n++;
        lo += size;
    }
    return n;
}

/* Rules. */

static const struct {
    const char *name;
    int number;
} protocols[] = {
    { "ah", 51 }, { "dccp", 33 }, { "egp", 8 }, { "esp", 50 },
    { "gre", 47 }, { "hopopt", 0 }, { "icmp", 1 }, { "igmp", 2 },
    { "ip", 0 }, { "ipip", 4 }, { "ipv6-encap", 41 }, { "ipv6-frag", 44 },
    { "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "ipv6-nonxt", 59 },
    { "ipv6-opts", 60 }, { "ipv6-route", 43 }, { "ospf", 89 },
    { "pgm", 113 }, { "rsvp", 46 }, { "sctp", 132 }, { "tcp", 6 },
    { "udp", 17 }, { "udplite", 136 }, { "vrrp", 112 },
};

/* The protocol number of 'name' (a Neutron name or "0" to "255"), -1 for
 * any protocol, -2 if unknown. */
static int
protocol_number(const char *name)
{
    if (!name || !name[0] || !strcasecmp(name, "any")) {
        return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(protocols); i++) {
        if (!strcasecmp(protocols[i].name, name)) {
            return protocols[i].number;
        }
    }
    char *end;
    long n = strtol(name, &end, 10);
    return (*end || end == name || n < 0 || n > 255) ? -2 : n;
}

static bool
protocol_has_ports(int proto)
{
    return (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == 33
            || proto == IPPROTO_SCTP || proto == 136);
}

static bool
protocol_is_icmp(int proto)
{
    return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static char *
parse_prefix(const char *s, bool ipv6, struct in6_addr *prefix,
             struct in6_addr *mask)
{
    unsigned int plen;
    char *error;

    if (!ipv6) {
        ovs_be32 ip;
        error = ip_parse_cidr(s, &ip, &plen);
        if (error) {
            return error;
        }
        ovs_be32 m = be32_prefix_mask(plen);
        *prefix = in6_addr_mapped_ipv4(ip & m);
        *mask = in6_addr_mapped_ipv4(m);
    } else {
        struct in6_addr ip;
        error = ipv6_parse_cidr(s, &ip, &plen);
        if (error) {
            return error;
        }
        *mask = ipv6_create_mask(plen);
        *prefix = ipv6_addr_bitand(&ip, mask);
    }
    return NULL;
}

#define RULE_FMT "security group "UUID_FMT" rule "UUID_FMT": "
#define RULE_ARGS(SG, R) UUID_ARGS(&(SG)->header_.uuid), \
                         UUID_ARGS(&(R)->header_.uuid)

char *
sg_rule_parse(const struct nbrec_security_group *sg, size_t rule_index,
              struct sg_rule *r)
{
    const struct nbrec_security_group_rule *nb = sg->rules[rule_index];

    memset(r, 0, sizeof *r);
    r->uuid = nb->header_.uuid;
    r->cookie = flow_cookie_from_uuid(&r->uuid);
    r->icmp_type = r->icmp_code = -1;

    if (!nb->direction || (strcmp(nb->direction, "ingress")
                           && strcmp(nb->direction, "egress"))) {
        return xasprintf(RULE_FMT"invalid direction '%s'", RULE_ARGS(sg, nb),
                         nb->direction ? nb->direction : "");
    }
    r->ingress = !strcmp(nb->direction, "ingress");
    if (!nb->ethertype || (strcmp(nb->ethertype, "IPv4")
                           && strcmp(nb->ethertype, "IPv6"))) {
        return xasprintf(RULE_FMT"invalid ethertype '%s'", RULE_ARGS(sg, nb),
                         nb->ethertype ? nb->ethertype : "");
    }
    r->ipv6 = !strcmp(nb->ethertype, "IPv6");

    r->proto = protocol_number(nb->protocol);
    if (r->proto == -2) {
        return xasprintf(RULE_FMT"unknown protocol '%s'", RULE_ARGS(sg, nb),
                         nb->protocol);
    }
    if (r->ipv6 && r->proto == IPPROTO_ICMP) {
        r->proto = IPPROTO_ICMPV6;      /* Neutron's "icmp" in IPv6. */
    } else if (!r->ipv6 && r->proto == IPPROTO_ICMPV6) {
        return xasprintf(RULE_FMT"protocol '%s' is not IPv4",
                         RULE_ARGS(sg, nb), nb->protocol);
    }

    bool has_min = nb->n_port_range_min > 0;
    bool has_max = nb->n_port_range_max > 0;
    int64_t min = has_min ? nb->port_range_min[0] : -1;
    int64_t max = has_max ? nb->port_range_max[0] : -1;
    if ((has_min && (min < 0 || min > 65535))
        || (has_max && (max < 0 || max > 65535))) {
        return xasprintf(RULE_FMT"port range out of 0 to 65535",
                         RULE_ARGS(sg, nb));
    }
    if (!has_min && !has_max) {
        /* Any port, type or code. */
    } else if (protocol_has_ports(r->proto)) {
        if (!has_min || !has_max) {
            return xasprintf(RULE_FMT"port_range_min and port_range_max "
                             "go together", RULE_ARGS(sg, nb));
        }
        if (min > max) {
            return xasprintf(RULE_FMT"port_range_min %"PRId64" > "
                             "port_range_max %"PRId64, RULE_ARGS(sg, nb),
                             min, max);
        }
        if (min == 0) {
            return xasprintf(RULE_FMT"port 0 in port range",
                             RULE_ARGS(sg, nb));
        }
        if (min > 1 || max < 65535) {
            r->has_ports = true;
            r->port_min = min;
            r->port_max = max;
        }
    } else if (protocol_is_icmp(r->proto)) {
        if (min > 255 || max > 255) {
            return xasprintf(RULE_FMT"ICMP type or code above 255",
                             RULE_ARGS(sg, nb));
        }
        if (!has_min) {
            return xasprintf(RULE_FMT"ICMP code (port_range_max) without "
                             "type (port_range_min)", RULE_ARGS(sg, nb));
        }
        r->icmp_type = min;
        r->icmp_code = has_max ? max : -1;
    } else {
        return xasprintf(RULE_FMT"port range on protocol '%s', which has "
                         "no ports", RULE_ARGS(sg, nb),
                         nb->protocol ? nb->protocol : "any");
    }

    const char *remote_id = smap_get(&nb->external_ids, SG_REMOTE_GROUP_KEY);
    if (nb->remote_group) {
        r->has_remote_group = true;
        r->remote_group = nb->remote_group->header_.uuid;
    } else if (remote_id) {
        return xasprintf(RULE_FMT"remote group %s does not exist",
                         RULE_ARGS(sg, nb), remote_id);
    }
    if (nb->remote_ip_prefix && nb->remote_ip_prefix[0]) {
        if (r->has_remote_group) {
            return xasprintf(RULE_FMT"both a remote group and a remote IP "
                             "prefix", RULE_ARGS(sg, nb));
        }
        char *error = parse_prefix(nb->remote_ip_prefix, r->ipv6, &r->prefix,
                                   &r->mask);
        if (error) {
            free(error);
            return xasprintf(RULE_FMT"invalid %s remote_ip_prefix '%s'",
                             RULE_ARGS(sg, nb), nb->ethertype,
                             nb->remote_ip_prefix);
        }
        r->has_prefix = (r->ipv6 ? !ipv6_mask_is_any(&r->mask)
                         : in6_addr_get_mapped_ipv4(&r->mask) != 0);
    }
    return NULL;
}

static int
compare_rules(const void *a_, const void *b_)
{
    const struct sg_rule *a = a_, *b = b_;
    return uuid_compare_3way(&a->uuid, &b->uuid);
}

struct conj_node {
    struct hmap_node node;
    uint32_t id;
};

static bool
conj_id_used(const struct hmap *used, uint32_t id)
{
    const struct conj_node *c;

    HMAP_FOR_EACH_WITH_HASH (c, node, hash_int(id, 0), used) {
        if (c->id == id) {
            return true;
        }
    }
    return false;
}

void
sg_rules_parse(const struct nbrec_security_group *sg, struct sg_rules *out,
               struct svec *errors)
{
    out->group = sg->header_.uuid;
    out->rules = xmalloc(sg->n_rules * sizeof *out->rules);
    out->n = 0;
    for (size_t i = 0; i < sg->n_rules; i++) {
        char *error = sg_rule_parse(sg, i, &out->rules[out->n]);
        if (error) {
            svec_add_nocopy(errors, error);
        } else {
            out->n++;
        }
    }
    qsort(out->rules, out->n, sizeof *out->rules, compare_rules);

    /* Conjunction ids from the rule UUIDs; a collision (rare) takes the
     * next free id, in UUID order, so the result depends only on the set
     * of rules. */
    struct hmap used = HMAP_INITIALIZER(&used);
    struct conj_node *nodes = xmalloc(out->n * sizeof *nodes);
    size_t n_nodes = 0;
    for (size_t i = 0; i < out->n; i++) {
        struct sg_rule *r = &out->rules[i];
        if (!r->has_remote_group) {
            continue;
        }
        uint32_t id = r->uuid.parts[0];
        while (!id || conj_id_used(&used, id)) {
            id++;
        }
        r->conj_id = id;
        nodes[n_nodes].id = id;
        hmap_insert(&used, &nodes[n_nodes].node, hash_int(id, 0));
        n_nodes++;
    }
    hmap_destroy(&used);
    free(nodes);
}

void
sg_rules_destroy(struct sg_rules *rules)
{
    free(rules->rules);
    rules->rules = NULL;
    rules->n = 0;
}

uint32_t
sg_group_id(const struct uuid *uuid)
{
    return uuid->parts[0] ? uuid->parts[0] : 1;
}

void
sg_assign_group_ids(const struct uuid *uuids, size_t n, uint32_t *ids)
{
    struct hmap used = HMAP_INITIALIZER(&used);
    struct conj_node *nodes = xmalloc(n * sizeof *nodes);

    for (size_t i = 0; i < n; i++) {
        uint32_t id = sg_group_id(&uuids[i]);
        while (!id || conj_id_used(&used, id)) {
            id++;
        }
        ids[i] = id;
        nodes[i].id = id;
        hmap_insert(&used, &nodes[i].node, hash_int(id, 0));
    }
    hmap_destroy(&used);
    free(nodes);
}

/* Ports. */

static int
compare_in6(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct in6_addr));
}

size_t
sg_port_addresses(const struct nbrec_port *port, struct in6_addr **addrsp)
{
    struct in6_addr *addrs = xmalloc(port->n_fixed_ips * sizeof *addrs);
    size_t n = 0;

    for (size_t i = 0; i < port->n_fixed_ips; i++) {
        const char *s = port->fixed_ips[i]->ip_address;
        ovs_be32 ip4;
        if (ip_parse(s, &ip4)) {
            addrs[n++] = in6_addr_mapped_ipv4(ip4);
        } else if (ipv6_parse(s, &addrs[n])) {
            n++;
        }
    }
    qsort(addrs, n, sizeof *addrs, compare_in6);
    size_t n_unique = 0;
    for (size_t i = 0; i < n; i++) {
        if (!n_unique || compare_in6(&addrs[n_unique - 1], &addrs[i])) {
            addrs[n_unique++] = addrs[i];
        }
    }
    *addrsp = addrs;
    return n_unique;
}

bool
sg_port_is_unfiltered(const struct nbrec_port *port)
{
    /* Neutron trusts every port a network service owns ("network:..."):
     * router interfaces and gateways, floating IPs, DHCP. */
    return (!port->port_security_enabled
            || (port->device_owner
                && !strncmp(port->device_owner, "network:", 8)));
}

/* The skeleton. */

/* Adds the flows of conntrack entry table 'ct_table' that let through,
 * without conntrack, what a port needs before it has an address: DHCP and
 * IPv6 neighbour discovery and multicast listener messages. */
static void
add_infrastructure(bool ingress, uint8_t ct_table, uint8_t next,
                   struct flow_list *flows)
{
    /* ICMPv6: MLD query, report, done, v2 report; RS (egress), RA
     * (ingress); NS; NA. */
    static const uint8_t nd_types[] = { 130, 131, 132, 143, 135, 136 };
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    put_goto(&ofpacts, next);

    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, IPPROTO_UDP);
    match_set_tp_src(&match, htons(ingress ? 67 : 68));
    match_set_tp_dst(&match, htons(ingress ? 68 : 67));
    flow_list_add(flows, ct_table, 110, COOKIE_STATIC, &match, &ofpacts);

    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&match, IPPROTO_UDP);
    match_set_tp_src(&match, htons(ingress ? 547 : 546));
    match_set_tp_dst(&match, htons(ingress ? 546 : 547));
    flow_list_add(flows, ct_table, 110, COOKIE_STATIC, &match, &ofpacts);

    for (size_t i = 0; i <= ARRAY_SIZE(nd_types); i++) {
        uint8_t type = (i < ARRAY_SIZE(nd_types) ? nd_types[i]
                        : ingress ? 134 : 133);
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
        match_set_nw_proto(&match, IPPROTO_ICMPV6);
        match_set_icmp_type(&match, type);
        flow_list_add(flows, ct_table, 110, COOKIE_STATIC, &match,
                      &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

/* The static flows of one direction: 'base' is sg_egress or sg_ingress,
 * 'next' where a packet goes once let through. */
static void
add_direction_skeleton(bool ingress, uint8_t base, uint8_t next,
                       struct flow_list *flows)
{
    uint8_t ct_table = base + 1, state = base + 2, verdict = base + 3;
    uint8_t peer = ingress ? T_SG_INGRESS_PEER : T_SG_EGRESS_PEER;
    uint8_t peer_net = (ingress ? T_SG_INGRESS_PEER_NET
                        : T_SG_EGRESS_PEER_NET);
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    /* Entry: a filtered VIF's packets (every packet here is a local VIF's:
     * what it sends comes from port_security, what it receives has its
     * port in reg7) are judged in its zone, its ofport; one static flow
     * for every filtered VIF, below the flows of the VIFs that are not
     * (sg_compile_port()). */
    match_init_catchall(&match);
    struct ofpact_reg_move *entry = ofpact_put_REG_MOVE(&ofpacts);
    entry->src = (ingress
                  ? (struct mf_subfield) { mf_from_id(MFF_REG0 + REG_OUTPORT),
                                           0, 32 }
                  : (struct mf_subfield) { mf_from_id(MFF_IN_PORT), 0, 16 });
    entry->dst = (struct mf_subfield) { mf_from_id(MFF_REG0 + REG_SG_PORT),
                                        0, ingress ? 32 : 16 };
    put_goto(&ofpacts, ct_table);
    flow_list_add(flows, base, 0, COOKIE_STATIC, &match, &ofpacts);
    ofpbuf_clear(&ofpacts);

    /* Into conntrack: IP; everything else (ARP) passes. */
    add_infrastructure(ingress, ct_table, next, flows);
    put_ct(&ofpacts, false, state);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    flow_list_add(flows, ct_table, 100, COOKIE_STATIC, &match, &ofpacts);
    match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
    flow_list_add(flows, ct_table, 100, COOKIE_STATIC, &match, &ofpacts);
    ofpbuf_clear(&ofpacts);
    put_goto(&ofpacts, next);
    match_init_catchall(&match);
    flow_list_add(flows, ct_table, 0, COOKIE_STATIC, &match, &ofpacts);

    /* State: invalid is dropped; the rest is judged by the rules of the
     * direction in which its connection was opened. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_ct_state_masked(&match, CS_TRACKED | CS_INVALID,
                              CS_TRACKED | CS_INVALID);
    flow_list_add(flows, state, 200, COOKIE_STATIC, &match, &ofpacts);
    for (int reply = 0; reply < 2; reply++) {
        bool rule_ingress = ingress != reply;
        ofpbuf_clear(&ofpacts);
        /* Rule direction and, cleared, the verdict. */
        put_load_bits(&ofpacts, MFF_REG0 + REG_FLAGS, SG_BIT_RULE_INGRESS, 2,
                      rule_ingress);
        put_resubmit(&ofpacts, peer);
        put_resubmit(&ofpacts, T_SG_PORT_GROUPS);
        put_goto(&ofpacts, verdict);
        match_init_catchall(&match);
        match_set_ct_state_masked(&match,
                                  CS_TRACKED | (reply ? CS_REPLY_DIR : 0),
                                  CS_TRACKED | CS_REPLY_DIR);
        flow_list_add(flows, state, 100, COOKIE_STATIC, &match, &ofpacts);
    }
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    flow_list_add(flows, state, 0, COOKIE_STATIC, &match, &ofpacts);

    /* Peer: on the packet's own network unless a router's flow says
     * otherwise (sg_compile_router_peers()); behind a router but on none
     * of its subnets: unknown. */
    ofpbuf_clear(&ofpacts);
    struct ofpact_reg_move *move = ofpact_put_REG_MOVE(&ofpacts);
    move->src = (struct mf_subfield) { mf_from_id(MFF_METADATA), 0, 32 };
    move->dst = (struct mf_subfield) { mf_from_id(MFF_REG0 + REG_SG_PEER),
                                       0, 32 };
    match_init_catchall(&match);
    flow_list_add(flows, peer, 0, COOKIE_STATIC, &match, &ofpacts);
    ofpbuf_clear(&ofpacts);
    put_load(&ofpacts, MFF_REG0 + REG_SG_PEER, 0);
    flow_list_add(flows, peer_net, 0, COOKIE_STATIC, &match, &ofpacts);

    /* Verdict: a new connection that a rule allows is committed (ct()
     * wants the match to say IPv4 or IPv6). */
    ofpbuf_clear(&ofpacts);
    put_ct(&ofpacts, true, NX_CT_RECIRC_NONE);
    put_goto(&ofpacts, next);
    for (int ipv6 = 0; ipv6 < 2; ipv6++) {
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP));
        match_set_reg_masked(&match, REG_FLAGS, SG_FLAG_ALLOW,
                             SG_FLAG_ALLOW);
        match_set_ct_state_masked(&match, CS_TRACKED | CS_NEW,
                                  CS_TRACKED | CS_NEW);
        flow_list_add(flows, verdict, 100, COOKIE_STATIC, &match, &ofpacts);
    }
    ofpbuf_clear(&ofpacts);
    put_goto(&ofpacts, next);
    match_init_catchall(&match);
    match_set_reg_masked(&match, REG_FLAGS, SG_FLAG_ALLOW, SG_FLAG_ALLOW);
    flow_list_add(flows, verdict, 90, COOKIE_STATIC, &match, &ofpacts);
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    flow_list_add(flows, verdict, 0, COOKIE_STATIC, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

void
sg_compile_skeleton(struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    add_direction_skeleton(false, T_SG_EGRESS, T_SG_EGRESS_NEXT, flows);
    add_direction_skeleton(true, T_SG_INGRESS, T_QOS_INGRESS, flows);

    /* A port without groups, a group without rules: nothing matches. */
    match_init_catchall(&match);
    flow_list_add(flows, T_SG_PORT_GROUPS, 0, COOKIE_STATIC, &match,
                  &ofpacts);
    flow_list_add(flows, T_SG_RULES, 0, COOKIE_STATIC, &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Ports. */

void
sg_compile_port(const struct sg_port *port, struct flow_list *flows)
{
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    uint32_t ofport = (OVS_FORCE uint16_t) port->ofport;
    struct match match;

    /* What a filtered port sends and receives enters its zone by the
     * skeleton's entry flows; a port that is not filtered passes by. */
    if (!port->filtered) {
        put_goto(&ofpacts, T_SG_EGRESS_NEXT);
        match_init_catchall(&match);
        match_set_in_port(&match, port->ofport);
        flow_list_add(flows, T_SG_EGRESS, 100, port->cookie, &match,
                      &ofpacts);

        ofpbuf_clear(&ofpacts);
        put_goto(&ofpacts, T_QOS_INGRESS);
        match_init_catchall(&match);
        match_set_reg(&match, REG_OUTPORT, ofport);
        flow_list_add(flows, T_SG_INGRESS, 100, port->cookie, &match,
                      &ofpacts);
    }

    /* Its groups, one after the other. */
    if (port->filtered && port->n_groups) {
        ofpbuf_clear(&ofpacts);
        for (size_t i = 0; i < port->n_groups; i++) {
            put_load(&ofpacts, MFF_REG0 + REG_SG_GROUP, port->group_ids[i]);
            put_resubmit(&ofpacts, T_SG_RULES);
        }
        match_init_catchall(&match);
        match_set_reg(&match, REG_SG_PORT, ofport);
        flow_list_add(flows, T_SG_PORT_GROUPS, 100, port->cookie, &match,
                      &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

/* Groups.
 *
 * Flows of several rules may have the same key (two rules for TCP port 22,
 * one from a prefix, one from a group): a "pending" flow collects what
 * each rule wants before the group's flows are emitted. */

struct pending {
    struct hmap_node node;
    uint16_t priority;
    struct match match;
    uint64_t cookie;                /* The first rule's. */
    size_t n_rules;                 /* Rules that want this flow. */
    struct ofpbuf ofpacts;
    bool allow;                     /* Else conjunctions. */
};

static uint32_t
pending_hash(const struct match *match, uint16_t priority)
{
    return match_hash(match, priority);
}

/* Adds rule 'cookie''s wish for 'match' at 'priority': to be let through
 * ('conj_id' 0) or to be clause 'clause' of 2 of conjunction 'conj_id'. */
static void
pending_add(struct hmap *map, uint16_t priority, const struct match *match,
            uint64_t cookie, uint32_t conj_id, uint8_t clause)
{
    uint32_t hash = pending_hash(match, priority);
    struct pending *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, hash, map) {
        if (p->priority == priority && match_equal(&p->match, match)) {
            goto found;
        }
    }
    p = xzalloc(sizeof *p);
    p->priority = priority;
    p->match = *match;
    p->cookie = cookie;
    ofpbuf_init(&p->ofpacts, 64);
    p->allow = !conj_id;
    if (p->allow) {
        put_load_bits(&p->ofpacts, MFF_REG0 + REG_FLAGS, SG_BIT_ALLOW, 1, 1);
    }
    hmap_insert(map, &p->node, hash);
found:
    p->n_rules++;
    if (conj_id) {
        put_conjunction(&p->ofpacts, conj_id, clause, 2);
    }
}

static int
compare_pending(const void *a_, const void *b_)
{
    const struct pending *const *a = a_, *const *b = b_;
    return ((*a)->priority != (*b)->priority
            ? ((*a)->priority < (*b)->priority ? -1 : 1)
            : (*a)->node.hash < (*b)->node.hash ? -1
            : (*a)->node.hash > (*b)->node.hash);
}

/* Emits the pending flows of 'map' into 'flows' and frees them.  A flow
 * that one rule wants carries its cookie, a shared one 'shared_cookie'. */
static void
pending_flush(struct hmap *map, uint8_t table_id, uint64_t shared_cookie,
              struct flow_list *flows)
{
    struct pending **all = xmalloc(hmap_count(map) * sizeof *all);
    size_t n = 0;
    struct pending *p;

    HMAP_FOR_EACH (p, node, map) {
        all[n++] = p;
    }
    qsort(all, n, sizeof *all, compare_pending);
    for (size_t i = 0; i < n; i++) {
        p = all[i];
        flow_list_add(flows, table_id, p->priority,
                      p->n_rules > 1 ? shared_cookie : p->cookie,
                      &p->match, &p->ofpacts);
        hmap_remove(map, &p->node);
        ofpbuf_uninit(&p->ofpacts);
        free(p);
    }
    free(all);
    hmap_destroy(map);
}

/* The match of every flow of rule 'r' in group 'group_id'. */
static void
rule_base_match(const struct sg_rule *r, uint32_t group_id,
                struct match *match)
{
    match_init_catchall(match);
    match_tracked_valid(match);
    match_set_dl_type(match, htons(r->ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP));
    match_set_reg(match, REG_SG_GROUP, group_id);
    match_set_reg_masked(match, REG_FLAGS,
                         r->ingress ? SG_FLAG_RULE_INGRESS : 0,
                         SG_FLAG_RULE_INGRESS);
    if (r->proto >= 0) {
        match_set_ct_nw_proto(match, r->proto);
    }
    if (r->icmp_type >= 0) {
        match_set_ct_tp_src(match, htons(r->icmp_type));
    }
    if (r->icmp_code >= 0) {
        match_set_ct_tp_dst(match, htons(r->icmp_code));
    }
    if (r->has_prefix) {
        /* The remote end: the source of what comes in, the destination of
         * what goes out (in the connection's original direction). */
        if (r->ipv6) {
            (r->ingress ? match_set_ct_ipv6_src_masked
             : match_set_ct_ipv6_dst_masked)(match, &r->prefix, &r->mask);
        } else {
            (r->ingress ? match_set_ct_nw_src_masked
             : match_set_ct_nw_dst_masked)(
                 match, in6_addr_get_mapped_ipv4(&r->prefix),
                 in6_addr_get_mapped_ipv4(&r->mask));
        }
    }
}

void
sg_compile_group(const struct sg_rules *rules, uint32_t group_id,
                 uint64_t cookie, struct flow_list *flows)
{
    struct hmap pending = HMAP_INITIALIZER(&pending);

    for (size_t i = 0; i < rules->n; i++) {
        const struct sg_rule *r = &rules->rules[i];
        struct sg_port_match ports[32];
        size_t n_ports = 1;
        struct match base;

        rule_base_match(r, group_id, &base);
        if (r->has_ports) {
            n_ports = sg_split_port_range(r->port_min, r->port_max, ports);
        }
        for (size_t j = 0; j < n_ports; j++) {
            struct match match = base;
            if (r->has_ports) {
                match_set_ct_tp_dst_masked(&match, htons(ports[j].value),
                                           htons(ports[j].mask));
            }
            if (r->has_remote_group) {
                pending_add(&pending, SG_PRIO_CONJ, &match, r->cookie,
                            r->conj_id, 1);
            } else {
                pending_add(&pending, SG_PRIO_RULE, &match, r->cookie, 0, 0);
            }
        }
        if (r->has_remote_group) {
            struct match match;
            match_init_catchall(&match);
            match_set_conj_id(&match, r->conj_id);
            match_set_reg(&match, REG_SG_GROUP, group_id);
            pending_add(&pending, SG_PRIO_CONJ, &match, r->cookie, 0, 0);
        }
    }
    pending_flush(&pending, T_SG_RULES, cookie, flows);
}

void
sg_compile_remote_address(const struct sg_rules *rules, uint32_t group_id,
                          uint64_t cookie, const struct in6_addr *addr,
                          uint16_t net, sg_in_group_cb *in_group, void *aux,
                          struct flow_list *flows)
{
    bool ipv6 = !IN6_IS_ADDR_V4MAPPED(addr);
    uint64_t stub[256 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);

    for (int ingress = 0; ingress < 2; ingress++) {
        ofpbuf_clear(&ofpacts);
        for (size_t i = 0; i < rules->n; i++) {
            const struct sg_rule *r = &rules->rules[i];
            if (r->has_remote_group && r->ingress == ingress
                && r->ipv6 == ipv6
                && in_group(&r->remote_group, addr, net, aux)) {
                put_conjunction(&ofpacts, r->conj_id, 2, 2);
            }
        }
        if (!ofpacts.size) {
            continue;
        }

        struct match match;
        match_init_catchall(&match);
        match_tracked_valid(&match);
        match_set_dl_type(&match, htons(ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP));
        match_set_reg(&match, REG_SG_GROUP, group_id);
        match_set_reg(&match, REG_SG_PEER, net);
        if (ipv6) {
            (ingress ? match_set_ct_ipv6_src
             : match_set_ct_ipv6_dst)(&match, addr);
        } else {
            (ingress ? match_set_ct_nw_src
             : match_set_ct_nw_dst)(&match, in6_addr_get_mapped_ipv4(addr));
        }
        flow_list_add(flows, T_SG_RULES, SG_PRIO_CONJ, cookie, &match,
                      &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

void
sg_compile_router_peers(uint64_t cookie, uint16_t lid,
                        const struct sg_router_iface *ifaces, size_t n,
                        struct flow_list *flows)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    for (int ingress = 0; ingress < 2; ingress++) {
        uint8_t peer = ingress ? T_SG_INGRESS_PEER : T_SG_EGRESS_PEER;
        uint8_t peer_net = (ingress ? T_SG_INGRESS_PEER_NET
                            : T_SG_EGRESS_PEER_NET);

        for (size_t i = 0; i < n; i++) {
            const struct sg_router_iface *iface = &ifaces[i];

            /* The peer's MAC is the router's on this network. */
            ofpbuf_clear(&ofpacts);
            put_load(&ofpacts, MFF_REG0 + REG_SG_PEER, lid);
            put_resubmit(&ofpacts, peer_net);
            match_init_catchall(&match);
            match_set_metadata(&match, htonll(iface->lvid));
            (ingress ? match_set_dl_src : match_set_dl_dst)(&match,
                                                            iface->mac);
            flow_list_add(flows, peer, 100, cookie, &match, &ofpacts);

            /* Its address is on this subnet of the router. */
            ofpbuf_clear(&ofpacts);
            put_load(&ofpacts, MFF_REG0 + REG_SG_PEER, iface->lvid);
            if (iface->ip) {
                match_init_catchall(&match);
                match_set_reg(&match, REG_SG_PEER, lid);
                match_set_dl_type(&match, htons(ETH_TYPE_IP));
                (ingress ? match_set_nw_src_masked : match_set_nw_dst_masked)(
                    &match, iface->ip & iface->mask, iface->mask);
                flow_list_add(flows, peer_net, 100 + ip_count_cidr_bits(
                                  iface->mask), cookie, &match, &ofpacts);
            }
            if (ipv6_addr_is_set(&iface->ip6)) {
                struct in6_addr net = ipv6_addr_bitand(&iface->ip6,
                                                       &iface->mask6);
                match_init_catchall(&match);
                match_set_reg(&match, REG_SG_PEER, lid);
                match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
                (ingress ? match_set_ipv6_src_masked
                 : match_set_ipv6_dst_masked)(&match, &net, &iface->mask6);
                flow_list_add(flows, peer_net, 100 + ipv6_count_cidr_bits(
                                  &iface->mask6), cookie, &match, &ofpacts);
            }
        }
    }
    ofpbuf_uninit(&ofpacts);
}
