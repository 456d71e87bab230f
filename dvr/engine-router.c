/*
 * dvr/engine-router: the engine's routers (engine-private.h).
 *
 * A router is active on this chassis where one of its tenant networks has
 * a local port, and on its gateway chassis (dvr/gateway decides the
 * role: active, standby or remote).  Updating a router re-reads the
 * networks it refers to (its interfaces', then its gateway's) and counts
 * it among their active routers, reporting what that changed for each
 * network (ENGINE_SRC_NET_MEMBERS, ENGINE_SRC_NET_STATE); an active
 * router gets a local id.  Its flows (dvr/l3) are one owner, its
 * cookie; when this chassis becomes its active gateway, the gateway
 * address is announced.  A subnet belongs to one router: when several
 * have an interface on it, the one with the smallest UUID.
 */

#include <config.h>

#include "controller/engine-private.h"

#include <stdlib.h>
#include <string.h>

#include "controller/bridges.h"
#include "controller/config.h"
#include "controller/nb-monitor.h"
#include "dvr/gateway.h"
#include "flow.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/qos.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"

struct router_state *
engine_router_find(const struct engine *e, const struct uuid *uuid)
{
    struct router_state *rs;

    HMAP_FOR_EACH_WITH_HASH (rs, node, uuid_hash(uuid), &e->routers) {
        if (uuid_equals(&rs->uuid, uuid)) {
            return rs;
        }
    }
    return NULL;
}

void
engine_router_clear(struct engine *e)
{
    struct router_state *rs;

    HMAP_FOR_EACH_POP (rs, node, &e->routers) {
        free(rs->nets);
        free(rs);
    }
}

static void
router_withdraw(struct engine *e, struct router_state *rs)
{
    for (size_t i = 0; i < rs->n_nets; i++) {
        struct net_state *ns = engine_net_find(e, &rs->nets[i]);
        /* A network the router refers to twice counts once. */
        if (!ns || !hmapx_find_and_delete(&ns->routers, rs)) {
            continue;
        }
        if (rs->active) {
            ns->n_router_refs--;
            engine_changed(e, ENGINE_SRC_NET_MEMBERS, &ns->uuid, NULL);
            if (!ns->n_router_refs) {
                /* No longer routed, maybe no longer active. */
                engine_changed(e, ENGINE_SRC_NET_STATE, &ns->uuid, NULL);
            }
        }
    }
    free(rs->nets);
    rs->nets = NULL;
    rs->n_nets = rs->n_iface_nets = 0;
}

/* Edge: the other routers with an interface on a network where router
 * 'change->uuid' has one: which of them owns a shared subnet may
 * change. */
void
engine_router_dirty_neighbors(const struct engine *e,
                              const struct engine_input *in,
                              const struct engine_change *change,
                              struct uuid_set *dirty)
{
    const struct router_state *rs = engine_router_find(e, change->uuid);

    for (size_t i = 0; rs && i < rs->n_iface_nets; i++) {
        const struct engine_change net = {
            .source = ENGINE_SRC_NET_LOCAL,
            .uuid = &rs->nets[i],
        };
        engine_net_dirty_routers(e, in, &net, dirty);
    }
}

/* Edge: the router whose interface (or gateway port) a changed NB port
 * is, as its device_owner and device_id say (also for a deleted port). */
void
engine_nb_port_dirty_router(const struct engine *e OVS_UNUSED,
                            const struct engine_input *in OVS_UNUSED,
                            const struct engine_change *change,
                            struct uuid_set *dirty)
{
    const struct nbrec_port *port
        = CONTAINER_OF(change->row, struct nbrec_port, header_);
    struct uuid router_uuid;

    if (!strncmp(port->device_owner, "network:router", 14)
        && uuid_from_string(&router_uuid, port->device_id)) {
        uuid_set_add(dirty, &router_uuid);
    }
}

/* Edge: every router with a gateway, when the gateway chassis or their
 * liveness changed. */
void
engine_gateways_dirty_routers(const struct engine *e OVS_UNUSED,
                              const struct engine_input *in,
                              const struct engine_change *change OVS_UNUSED,
                              struct uuid_set *dirty)
{
    const struct nbrec_router *router;

    NBREC_ROUTER_FOR_EACH (router, in->nb_idl) {
        if (router->gateway_port) {
            uuid_set_add(dirty, &router->header_.uuid);
        }
    }
}

/* Re-evaluates router 'uuid': the networks it refers to, whether it is
 * active here and this chassis' gateway role. */
void
engine_router_update(struct engine *e, const struct uuid *uuid)
{
    const struct engine_input *in = e->in;
    const struct nbrec_router *row
        = NB_GET(router, in->nb_idl, uuid);
    struct router_state *rs = engine_router_find(e, uuid);

    if (rs) {
        router_withdraw(e, rs);
    }
    if (!row) {
        if (rs) {
            engine_release_id(e, &rs->uuid, &rs->lid);
            hmap_remove(&e->routers, &rs->node);
            free(rs);
        }
        return;
    }
    if (!rs) {
        rs = xzalloc(sizeof *rs);
        rs->uuid = *uuid;
        hmap_insert(&e->routers, &rs->node, uuid_hash(uuid));
        rs->lid = engine_persisted_id(e, uuid);
    }

    /* Active where one of its tenant subnets has a port, and on every
     * gateway chassis if it has a gateway. */
    rs->nets = xmalloc((row->n_interfaces + 1) * sizeof *rs->nets);
    rs->active = false;
    for (size_t i = 0; i < row->n_interfaces; i++) {
        const struct nbrec_network *net = row->interfaces[i]->network;
        if (!net) {
            continue;           /* Not monitored (yet). */
        }
        rs->nets[rs->n_nets++] = net->header_.uuid;
        rs->active |= engine_net_has_locals(
            engine_net_find(e, &net->header_.uuid));
    }
    rs->n_iface_nets = rs->n_nets;
    rs->role = L3_GW_NONE;
    if (row->gateway_port && row->gateway_port->network) {
        rs->nets[rs->n_nets++] = row->gateway_port->network->header_.uuid;
        rs->role = gateway_role(in->nb_idl, in->cfg->system_id,
                                in->cfg->gateway, &in->ports->bfd_down,
                                uuid);
        rs->active |= rs->role != L3_GW_REMOTE;
    }
    if (rs->active) {
        engine_alloc_id(e, uuid, &rs->lid);
        rs->active = rs->lid != 0;
    }

    for (size_t i = 0; i < rs->n_nets; i++) {
        struct net_state *ns = engine_net_get(e, &rs->nets[i]);
        if (!hmapx_add(&ns->routers, rs) || !rs->active) {
            continue;
        }
        bool was_active = engine_net_is_active(ns);
        if (!ns->n_router_refs++) {
            if (!was_active) {
                engine_net_alloc_lvid(e, ns);
            }
            engine_changed(e, ENGINE_SRC_NET_STATE, &ns->uuid, NULL);
        }
        engine_changed(e, ENGINE_SRC_NET_MEMBERS, &ns->uuid, NULL);
    }
}

/* True if another router with a smaller UUID has an interface on
 * 'subnet' (a subnet belongs to one router; the others are skipped). */
static bool
subnet_taken(const struct engine *e, const struct engine_input *in,
             const struct nbrec_router *row, const struct nbrec_port *port,
             const struct nbrec_subnet *subnet)
{
    const struct net_state *ns
        = engine_net_find(e, &port->network->header_.uuid);
    struct hmapx_node *hn;

    HMAPX_FOR_EACH (hn, &ns->routers) {
        const struct router_state *other = hn->data;
        const struct nbrec_router *orow;

        if (uuid_compare_3way(&other->uuid, &row->header_.uuid) >= 0
            || !(orow = NB_GET(router, in->nb_idl, &other->uuid))) {
            continue;
        }
        for (size_t i = 0; i < orow->n_interfaces; i++) {
            const struct nbrec_port *op = orow->interfaces[i];
            for (size_t j = 0; j < op->n_fixed_ips; j++) {
                if (op->fixed_ips[j]->subnet == subnet) {
                    return true;
                }
            }
        }
    }
    return false;
}

/* Fills 'iface' for router port 'port'.  Returns false (after logging)
 * if it cannot be used. */
static bool
describe_iface(struct engine *e, const struct nbrec_port *port,
               struct l3_iface *iface)
{
    uint32_t segment;
    char *error;

    memset(iface, 0, sizeof *iface);
    if (!port->network) {
        return false;           /* Not monitored (yet). */
    }
    const struct net_state *ns
        = engine_net_find(e, &port->network->header_.uuid);
    iface->nb = port;
    error = l3_iface_parse(port, iface);
    if (!error) {
        error = l2_network_segment(port->network, &iface->tunnelled,
                                   &segment);
    }
    if (error) {
        engine_log_error(e, error);
        return false;
    }
    if (!ns || !ns->lvid) {
        return false;
    }
    iface->lvid = ns->lvid;
    iface->mtu = port->network->mtu;
    iface->vni = iface->tunnelled ? segment : 0;
    return true;
}

/* Fills 'r' for router state 'rs' ('*ifacesp' and '*tunnelsp' to be freed
 * by the caller).  Returns false if the router has no flows here. */
bool
engine_router_describe(struct engine *e, const struct router_state *rs,
                       struct l3_router *r, struct l3_iface **ifacesp,
                       ofp_port_t **tunnelsp)
{
    const struct engine_input *in = e->in;
    const struct nbrec_router *row
        = NB_GET(router, in->nb_idl, &rs->uuid);

    *ifacesp = NULL;
    *tunnelsp = NULL;
    if (!row || !rs->active) {
        return false;
    }
    memset(r, 0, sizeof *r);
    r->nb = row;
    r->lid = rs->lid;
    r->int_patch_tun = in->ports->int_patch_tun;
    *ifacesp = xmalloc(row->n_interfaces * sizeof **ifacesp);
    for (size_t i = 0; i < row->n_interfaces; i++) {
        const struct nbrec_port *port = row->interfaces[i];
        struct l3_iface *iface = &(*ifacesp)[r->n_ifaces];

        if (!describe_iface(e, port, iface)) {
            continue;
        }
        const struct nbrec_subnet *subnet = NULL;
        for (size_t j = 0; j < port->n_fixed_ips; j++) {
            if (port->fixed_ips[j]->subnet) {
                subnet = port->fixed_ips[j]->subnet;
            }
        }
        if (subnet && subnet_taken(e, in, row, port, subnet)) {
            engine_log_error(e, xasprintf(
                                 "router "UUID_FMT": subnet "UUID_FMT
                                 " already has a router; interface "
                                 UUID_FMT" skipped",
                                 UUID_ARGS(&row->header_.uuid),
                                 UUID_ARGS(&subnet->header_.uuid),
                                 UUID_ARGS(&port->header_.uuid)));
            continue;
        }
        r->n_ifaces++;
    }
    r->ifaces = *ifacesp;

    r->gw_role = L3_GW_NONE;
    if (row->gateway_port
        && describe_iface(e, row->gateway_port, &r->gw)) {
        /* An IPv4 gateway address (SNAT, floating IPs), an IPv6 one
         * (routed) or both; the default routes via the gateway_ip of the
         * subnets they are on. */
        const struct nbrec_port *gp = row->gateway_port;
        r->gw_role = rs->role;
        for (size_t j = 0; j < gp->n_fixed_ips; j++) {
            const struct nbrec_subnet *sn = gp->fixed_ips[j]->subnet;
            struct in6_addr ip6;
            ovs_be32 ip;

            if (!sn || !sn->gateway_ip) {
                continue;
            }
            if (!r->gw_nexthop && ip_parse(sn->gateway_ip, &ip)
                && l3_iface_has_ip4(&r->gw)) {
                r->gw_nexthop = ip;
            } else if (!ipv6_addr_is_set(&r->gw_nexthop6)
                       && ipv6_parse(sn->gateway_ip, &ip6)
                       && l3_iface_has_ip6(&r->gw)
                       && !ipv6_addr_is_multicast(&ip6)) {
                r->gw_nexthop6 = ip6;
            }
        }
        if (r->gw_role == L3_GW_REMOTE) {
            const struct nbrec_chassis **ranked;
            size_t n = gateway_rank(in->nb_idl, &rs->uuid, &ranked);

            *tunnelsp = xmalloc((n + 1) * sizeof **tunnelsp);
            for (size_t i = 0; i < n; i++) {
                const struct simap_node *t
                    = simap_find(&in->ports->tunnels, ranked[i]->name);
                if (t) {
                    (*tunnelsp)[r->n_gw_tunnels++] = u16_to_ofp(t->data);
                }
            }
            r->gw_tunnels = *tunnelsp;
            free(ranked);
        }
    }
    return true;
}

void
engine_router_compile(struct engine *e, const struct uuid *uuid)
{
    uint64_t cookie = flow_cookie_from_uuid(uuid);
    struct router_state *rs = engine_router_find(e, uuid);
    struct l3_iface *ifaces = NULL;
    ofp_port_t *tunnels = NULL;
    struct l3_router r;

    if (!rs || !engine_router_describe(e, rs, &r, &ifaces, &tunnels)) {
        if (rs) {
            rs->announced = false;
        }
        qos_meters_set(&e->qos_meters, cookie, 0, 0, NULL);
        engine_remove_owner_everywhere(e, cookie);
        free(ifaces);
        free(tunnels);
        return;
    }

    struct l3_output out;
    const char *error;
    size_t i;

    /* The gateway's QoS, where the router SNATs. */
    struct qos_limits limits;
    bool qos = false;
    if ((r.gw_role == L3_GW_ACTIVE || r.gw_role == L3_GW_STANDBY)
        && r.nb->gateway_qos_policy && r.nb->enable_snat) {
        struct svec errors = SVEC_EMPTY_INITIALIZER;
        qos = qos_policy_limits(r.nb->gateway_qos_policy, &limits, &errors);
        SVEC_FOR_EACH (i, error, &errors) {
            engine_log_error(e, xstrdup(error));
        }
        svec_destroy(&errors);
        if (qos && limits.egress.kbps) {
            r.gw_egress_meter = QOS_GW_EGRESS_METER(r.lid);
        }
        if (qos && limits.ingress.kbps) {
            r.gw_ingress_meter = QOS_GW_INGRESS_METER(r.lid);
        }
    }
    qos_meters_set(&e->qos_meters, cookie, QOS_GW_EGRESS_METER(r.lid),
                   QOS_GW_INGRESS_METER(r.lid), qos ? &limits : NULL);

    l3_output_init(&out);
    l3_compile_router(&r, &out);
    SVEC_FOR_EACH (i, error, &out.errors) {
        engine_log_error(e, xstrdup(error));
    }
    /* Announce the gateway IP when this chassis becomes active. */
    bool active = r.gw_role == L3_GW_ACTIVE;
    if (active && !rs->announced && l3_iface_has_ip4(&r.gw)) {
        engine_queue_garp(e, r.gw.lvid, r.gw.ip, r.gw.mac);
    }
    rs->announced = active;
    flow_set_replace_owner(&e->int_flows, cookie, &out.int_flows);
    flow_set_replace_owner(&e->tun_flows, cookie, &out.tun_flows);
    l3_output_destroy(&out);
    free(ifaces);
    free(tunnels);
}
