/*
 * dvr/pf: see pf.h for the contract and doc/routing.md for the design.
 *
 * Priorities: on the gateway chassis, the forwardings in l3_ext_in (100)
 * above the drop of anything else to the floating IP (95), which is above
 * a router's "no SNAT" routing (90); the replies' exemption from the
 * router's SNAT in l3_egress (60, above SNAT's 50).  On the VM's node the
 * interception in l2_lookup (105) is above the delivery to the VM (100);
 * in l3_input the translations (70) are above the source check (40, 50)
 * and the drop of the rest (65), below the TTL and the router's own
 * addresses (100 and above).
 */

#include <config.h>

#include "dvr/pf.h"

#include <string.h>

#include "lib/flow.h"            /* OVS's: ofp_to_u16(). */
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/actions.h"
#include "pipeline/tables.h"
#include "util.h"

#define PF_PRIO_FORWARD 100
#define PF_PRIO_DROP 95
#define PF_PRIO_EGRESS 60
#define PF_PRIO_INTERCEPT 105
#define PF_PRIO_NAT 70
#define PF_PRIO_NAT_DROP 65

char *
pf_parse(const struct nbrec_port_forwarding *nb, const struct l3_router *r,
         struct pf_rule *rule)
{
    const struct uuid *uuid = &nb->header_.uuid;

    memset(rule, 0, sizeof *rule);
    rule->nb = nb;
    if (!strcmp(nb->protocol, "tcp")) {
        rule->proto = IPPROTO_TCP;
    } else if (!strcmp(nb->protocol, "udp")) {
        rule->proto = IPPROTO_UDP;
    } else {
        return xasprintf("port forwarding "UUID_FMT": protocol '%s' is "
                         "neither tcp nor udp", UUID_ARGS(uuid),
                         nb->protocol);
    }
    if (nb->internal_port < 1 || nb->internal_port > 65535
        || nb->external_port < 1 || nb->external_port > 65535) {
        return xasprintf("port forwarding "UUID_FMT": ports %"PRId64" and "
                         "%"PRId64" not both in 1..65535", UUID_ARGS(uuid),
                         nb->external_port, nb->internal_port);
    }
    rule->ext_port = nb->external_port;
    rule->int_port = nb->internal_port;
    int64_t ext_end = (nb->n_external_port_end ? nb->external_port_end[0]
                       : nb->external_port);
    int64_t int_end = (nb->n_internal_port_end ? nb->internal_port_end[0]
                       : nb->internal_port);
    if (ext_end < nb->external_port || ext_end > 65535
        || int_end < nb->internal_port || int_end > 65535) {
        return xasprintf("port forwarding "UUID_FMT": port range ends "
                         "%"PRId64" and %"PRId64" not in %"PRId64"..65535 "
                         "and %"PRId64"..65535", UUID_ARGS(uuid), ext_end,
                         int_end, nb->external_port, nb->internal_port);
    }
    if (int_end != nb->internal_port
        && int_end - nb->internal_port != ext_end - nb->external_port) {
        return xasprintf("port forwarding "UUID_FMT": internal range "
                         "%"PRId64":%"PRId64" is neither one port nor as "
                         "long as external range %"PRId64":%"PRId64,
                         UUID_ARGS(uuid), nb->internal_port, int_end,
                         nb->external_port, ext_end);
    }
    if (ext_end - nb->external_port >= PF_MAX_RANGE) {
        return xasprintf("port forwarding "UUID_FMT": external range "
                         "%"PRId64":%"PRId64" is longer than %d ports",
                         UUID_ARGS(uuid), nb->external_port, ext_end,
                         PF_MAX_RANGE);
    }
    rule->ext_port_end = ext_end;
    rule->int_port_end = int_end;
    if (!nb->port) {
        return xasprintf("port forwarding "UUID_FMT": no internal port",
                         UUID_ARGS(uuid));
    }
    const struct nbrec_port *port = nb->port;
    bool found = false;
    if (ip_parse(nb->internal_ip_address, &rule->vm_ip)) {
        for (size_t i = 0; i < port->n_fixed_ips && !found; i++) {
            ovs_be32 ip;
            found = (ip_parse(port->fixed_ips[i]->ip_address, &ip)
                     && ip == rule->vm_ip);
        }
    }
    if (!found) {
        return xasprintf("port forwarding "UUID_FMT": internal address '%s' "
                         "is not an IPv4 address of port "UUID_FMT,
                         UUID_ARGS(uuid), nb->internal_ip_address,
                         UUID_ARGS(&port->header_.uuid));
    }
    if (!eth_addr_from_string(port->mac_address, &rule->vm_mac)
        || eth_addr_is_multicast(rule->vm_mac)) {
        return xasprintf("port forwarding "UUID_FMT": port "UUID_FMT" has "
                         "an invalid MAC", UUID_ARGS(uuid),
                         UUID_ARGS(&port->header_.uuid));
    }
    for (size_t i = 0; i < r->n_ifaces; i++) {
        const struct l3_iface *iface = &r->ifaces[i];
        if (l3_iface_has_ip4(iface)
            && (rule->vm_ip & iface->mask) == (iface->ip & iface->mask)
            && iface->nb->network == port->network) {
            rule->lvid = iface->lvid;
            rule->router_mac = iface->mac;
            rule->router_ip = iface->ip;
            return NULL;
        }
    }
    return xasprintf("port forwarding "UUID_FMT": internal address "IP_FMT
                     " is on none of router "UUID_FMT"'s subnets",
                     UUID_ARGS(uuid), IP_ARGS(rule->vm_ip),
                     UUID_ARGS(&r->nb->header_.uuid));
}

static void
match_rule(struct match *match, const struct pf_rule *rule)
{
    match_set_dl_type(match, htons(ETH_TYPE_IP));
    match_set_nw_proto(match, rule->proto);
}

/* The gateway chassis' part: the floating IP's address and MAC, each
 * forwarding sent untranslated to its VM's node, the replies' way out. */
static void
compile_gateway(const struct pf_fip *f, const bool *skip, uint64_t cookie,
                struct l3_output *out)
{
    const struct l3_router *r = f->router;
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    if (r->gw_role == L3_GW_ACTIVE) {
        l3_add_ext_arp_responder(&out->int_flows, cookie, f->ext_lvid,
                                 f->fip, f->mac);
    }
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(f->ext_lvid));
    match_set_dl_dst(&match, f->mac);
    put_load(&ofpacts, MFF_REG0 + REG_ROUTER, r->lid);
    put_goto(&ofpacts, T_L3_EXT_IN);
    flow_list_add(&out->int_flows, T_L2_LOOKUP, 100, cookie, &match,
                  &ofpacts);

    /* Each forwarding: to its VM's MAC on its network, as a local packet
     * (l2_lookup sends it through the tunnel to the VM's node, or, if the
     * VM is here, to the interception below). */
    for (size_t i = 0; i < f->n_rules; i++) {
        const struct pf_rule *rule = &f->rules[i];
        if (skip[i]) {
            continue;
        }
        ofpbuf_clear(&ofpacts);
        put_load_bits(&ofpacts, MFF_REG0 + REG_FLAGS, 0, 1, 0);
        put_load(&ofpacts, MFF_METADATA, rule->lvid);
        put_load_mac(&ofpacts, MFF_ETH_SRC, rule->router_mac);
        put_load_mac(&ofpacts, MFF_ETH_DST, rule->vm_mac);
        put_resubmit(&ofpacts, T_L2_LOOKUP);
        for (int port = rule->ext_port; port <= rule->ext_port_end; port++) {
            match_init_catchall(&match);
            match_set_metadata(&match, htonll(f->ext_lvid));
            match_set_reg(&match, REG_ROUTER, r->lid);
            match_rule(&match, rule);
            match_set_nw_dst(&match, f->fip);
            match_set_tp_dst(&match, htons(port));
            flow_list_add(&out->int_flows, T_L3_EXT_IN, PF_PRIO_FORWARD,
                          cookie, &match, &ofpacts);
        }
    }

    /* Nothing else to the floating IP goes anywhere. */
    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(f->ext_lvid));
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst(&match, f->fip);
    flow_list_add(&out->int_flows, T_L3_EXT_IN, PF_PRIO_DROP, cookie,
                  &match, &ofpacts);

    /* The replies, translated on the VM's node and routed here, leave
     * from the floating IP's MAC, not SNATed to the router's gateway. */
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(f->ext_lvid));
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_src(&match, f->fip);
    put_parsed(&ofpacts, "dec_ttl,load:0->NXM_NX_REG%d[0]", REG_FLAGS);
    put_load_mac(&ofpacts, MFF_ETH_SRC, f->mac);
    put_goto(&ofpacts, T_L3_NEXTHOP);
    flow_list_add(&out->int_flows, T_L3_EGRESS, PF_PRIO_EGRESS, cookie,
                  &match, &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* The VM's node: the forwarded packets enter the router, are translated
 * to the VM's address and port and routed to it; its replies are
 * translated back and routed out. */
static void
compile_local(const struct pf_fip *f, const struct pf_rule *rule,
              bool vm_first, uint64_t cookie, struct l3_output *out)
{
    const struct l3_router *r = f->router;
    uint16_t zone = ZONE_FIP_BASE | ofp_to_u16(rule->vm_ofport);
    uint64_t stub[512 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    /* The first forwarding to a VM adds the interception and the drop of
     * the rest. */
    match_init_catchall(&match);
    match_set_metadata(&match, htonll(rule->lvid));
    match_set_dl_dst(&match, rule->vm_mac);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst(&match, f->fip);
    put_load(&ofpacts, MFF_REG0 + REG_ROUTER, r->lid);
    put_load(&ofpacts, MFF_REG0 + REG_ROUTER_IP, ntohl(rule->router_ip));
    put_goto(&ofpacts, T_L3_INPUT);
    if (vm_first) {
        flow_list_add(&out->int_flows, T_L2_LOOKUP, PF_PRIO_INTERCEPT,
                      cookie, &match, &ofpacts);
    }

    ofpbuf_clear(&ofpacts);
    match_init_catchall(&match);
    match_set_reg(&match, REG_ROUTER, r->lid);
    match_set_metadata(&match, htonll(rule->lvid));
    match_set_dl_dst(&match, rule->vm_mac);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst(&match, f->fip);
    if (vm_first) {
        flow_list_add(&out->int_flows, T_L3_INPUT, PF_PRIO_NAT_DROP, cookie,
                      &match, &ofpacts);
    }

    /* Each external port to its internal one: N + i to M + i, or every
     * one to M when the internal side is one port. */
    match_rule(&match, rule);
    for (int port = rule->ext_port; port <= rule->ext_port_end; port++) {
        int int_port = (rule->int_port_end == rule->int_port
                        ? rule->int_port
                        : rule->int_port + (port - rule->ext_port));
        ofpbuf_clear(&ofpacts);
        match_set_tp_dst(&match, htons(port));
        put_parsed(&ofpacts,
                   "ct(commit,zone=%d,nat(dst="IP_FMT":%d),table=%d)",
                   zone, IP_ARGS(rule->vm_ip), int_port, T_L3_ROUTE);
        flow_list_add(&out->int_flows, T_L3_INPUT, PF_PRIO_NAT, cookie,
                      &match, &ofpacts);
    }

    /* The replies, from each internal port. */
    ofpbuf_clear(&ofpacts);
    put_parsed(&ofpacts, "ct(zone=%d,nat,table=%d)", zone, T_L3_ROUTE);
    for (int port = rule->int_port; port <= rule->int_port_end; port++) {
        match_init_catchall(&match);
        match_set_reg(&match, REG_ROUTER, r->lid);
        match_set_metadata(&match, htonll(rule->lvid));
        match_rule(&match, rule);
        match_set_nw_src(&match, rule->vm_ip);
        match_set_tp_src(&match, htons(port));
        flow_list_add(&out->int_flows, T_L3_INPUT, PF_PRIO_NAT, cookie,
                      &match, &ofpacts);
    }
    ofpbuf_uninit(&ofpacts);
}

void
pf_compile(const struct pf_fip *f, struct l3_output *out)
{
    uint64_t cookie = flow_cookie_from_uuid(&f->nb->header_.uuid);
    const struct l3_router *r = f->router;
    bool *skip = xcalloc(f->n_rules ? f->n_rules : 1, sizeof *skip);

    for (size_t i = 0; i < f->n_rules; i++) {
        const struct pf_rule *rule = &f->rules[i];
        for (size_t j = 0; j < i && !skip[i]; j++) {
            const struct pf_rule *other = &f->rules[j];
            if (!skip[j] && other->proto == rule->proto
                && other->ext_port <= rule->ext_port_end
                && rule->ext_port <= other->ext_port_end) {
                skip[i] = true;
                svec_add_nocopy(&out->errors, xasprintf(
                    "port forwarding "UUID_FMT": external ports %d:%d/%s "
                    "of floating IP "UUID_FMT" overlap port forwarding "
                    UUID_FMT"'s", UUID_ARGS(&rule->nb->header_.uuid),
                    rule->ext_port, rule->ext_port_end, rule->nb->protocol,
                    UUID_ARGS(&f->nb->header_.uuid),
                    UUID_ARGS(&other->nb->header_.uuid)));
            }
        }
        if (!skip[i] && rule->local
            && ofp_to_u16(rule->vm_ofport) > ZONE_MAX_OFPORT) {
            skip[i] = true;
            svec_add_nocopy(&out->errors, xasprintf(
                "port forwarding "UUID_FMT": its port's ofport %d is too "
                "large for a conntrack zone",
                UUID_ARGS(&rule->nb->header_.uuid),
                ofp_to_u16(rule->vm_ofport)));
        }
    }

    if (r->gw_role == L3_GW_ACTIVE || r->gw_role == L3_GW_STANDBY) {
        compile_gateway(f, skip, cookie, out);
    }
    for (size_t i = 0; i < f->n_rules; i++) {
        const struct pf_rule *rule = &f->rules[i];
        if (skip[i] || !rule->local) {
            continue;
        }
        bool vm_first = true;
        for (size_t j = 0; j < i && vm_first; j++) {
            vm_first = (skip[j] || !f->rules[j].local
                        || f->rules[j].lvid != rule->lvid
                        || !eth_addr_equals(f->rules[j].vm_mac,
                                            rule->vm_mac));
        }
        compile_local(f, rule, vm_first, cookie, out);
    }
    free(skip);
}
