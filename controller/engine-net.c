/*
 * controller/engine-net: the engine's networks (engine-private.h).
 *
 * A network's state is what its ports and routers contributed: its local
 * ports (by br-int port), how many ports each remote chassis has on it,
 * the routers that refer to it and how many of those are active here.  A
 * network is active (has flows here) while it has a local port or an
 * active router refers to it; it gets its local VLAN when it first becomes
 * active and keeps it while it exists.  Its shared flows (flood lists,
 * segment translation, the provider bridge's) are one owner, its cookie.
 *
 * The ports' and routers' modules update the membership and report what
 * changed (ENGINE_SRC_NET_*); this module compiles the shared flows and
 * holds the edges that start from a network or a subnet.
 */

#include <config.h>

#include "controller/engine-private.h"

#include <stdlib.h>
#include <string.h>

#include "controller/bridges.h"
#include "flow.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "controller/nb-monitor.h"
#include "pipeline/services.h"
#include "util.h"
#include "uuid.h"

struct net_state *
engine_net_find(const struct engine *e, const struct uuid *uuid)
{
    struct net_state *ns;

    HMAP_FOR_EACH_WITH_HASH (ns, node, uuid_hash(uuid), &e->nets) {
        if (uuid_equals(&ns->uuid, uuid)) {
            return ns;
        }
    }
    return NULL;
}

struct net_state *
engine_net_get(struct engine *e, const struct uuid *uuid)
{
    struct net_state *ns = engine_net_find(e, uuid);

    if (!ns) {
        ns = xzalloc(sizeof *ns);
        ns->uuid = *uuid;
        hmapx_init(&ns->locals);
        simap_init(&ns->chassis);
        hmapx_init(&ns->routers);
        hmap_insert(&e->nets, &ns->node, uuid_hash(uuid));
        ns->lvid = engine_persisted_id(e, uuid);
    }
    return ns;
}

static void
net_state_free(struct net_state *ns)
{
    hmapx_destroy(&ns->locals);
    simap_destroy(&ns->chassis);
    hmapx_destroy(&ns->routers);
    free(ns);
}

void
engine_net_clear(struct engine *e)
{
    struct net_state *ns;

    HMAP_FOR_EACH_POP (ns, node, &e->nets) {
        net_state_free(ns);
    }
}

bool
engine_net_has_locals(const struct net_state *ns)
{
    return ns && hmapx_count(&ns->locals) > 0;
}

/* A network has flows here while it has a local port or an active router
 * here has an interface on it. */
bool
engine_net_is_active(const struct net_state *ns)
{
    return ns && (engine_net_has_locals(ns) || ns->n_router_refs > 0);
}

/* Gives 'ns' its local VLAN if it has none, and notes it for the run. */
void
engine_net_alloc_lvid(struct engine *e, struct net_state *ns)
{
    bool had = ns->lvid;

    engine_alloc_id(e, &ns->uuid, &ns->lvid);
    if (!had && ns->lvid && e->new_nets) {
        uuid_set_add(e->new_nets, &ns->uuid);
    }
}

/* Adds every port of network 'net' to 'set'. */
static void
add_ports_of_network(const struct engine_input *in,
                     const struct nbrec_network *net, struct uuid_set *set)
{
    struct nbrec_port *target
        = nbrec_port_index_init_row(in->ports_by_network);
    const struct nbrec_port *port;

    nbrec_port_index_set_network(target, net);
    NBREC_PORT_FOR_EACH_EQUAL (port, target, in->ports_by_network) {
        uuid_set_add(set, &port->header_.uuid);
    }
    nbrec_port_index_destroy_row(target);
}

static void
add_routers_of_net(const struct net_state *ns, struct uuid_set *set)
{
    struct hmapx_node *hn;

    HMAPX_FOR_EACH (hn, &ns->routers) {
        const struct router_state *rs = hn->data;
        uuid_set_add(set, &rs->uuid);
    }
}

/* Edge: the ports of the network 'change->uuid'. */
void
engine_net_dirty_ports(const struct engine *e OVS_UNUSED,
                       const struct engine_input *in,
                       const struct engine_change *change,
                       struct uuid_set *dirty)
{
    const struct nbrec_network *net = NB_GET(network, in->nb_idl,
                                             change->uuid);
    if (net) {
        add_ports_of_network(in, net, dirty);
    }
}

/* Edge: the routers that refer to the network 'change->uuid'. */
void
engine_net_dirty_routers(const struct engine *e,
                         const struct engine_input *in OVS_UNUSED,
                         const struct engine_change *change,
                         struct uuid_set *dirty)
{
    const struct net_state *ns = engine_net_find(e, change->uuid);
    if (ns) {
        add_routers_of_net(ns, dirty);
    }
}

/* Edge: the ports of a changed NB network, unless it was deleted. */
void
engine_nb_network_dirty_ports(const struct engine *e OVS_UNUSED,
                              const struct engine_input *in,
                              const struct engine_change *change,
                              struct uuid_set *dirty)
{
    const struct nbrec_network *net
        = CONTAINER_OF(change->row, struct nbrec_network, header_);
    if (!nbrec_network_is_deleted(net)) {
        add_ports_of_network(in, net, dirty);
    }
}

/* Edge: the routers on a changed subnet's network. */
void
engine_nb_subnet_dirty_routers(const struct engine *e,
                               const struct engine_input *in OVS_UNUSED,
                               const struct engine_change *change,
                               struct uuid_set *dirty)
{
    const struct nbrec_subnet *subnet
        = CONTAINER_OF(change->row, struct nbrec_subnet, header_);
    if (subnet->network) {
        const struct net_state *ns = engine_net_find(
            e, &subnet->network->header_.uuid);
        if (ns) {
            add_routers_of_net(ns, dirty);
        }
    }
}

/* Edge: the ports of a changed subnet's network, if what DHCP serves from
 * the subnet changed. */
void
engine_nb_subnet_dirty_ports(const struct engine *e OVS_UNUSED,
                             const struct engine_input *in,
                             const struct engine_change *change,
                             struct uuid_set *dirty)
{
    const struct nbrec_subnet *subnet
        = CONTAINER_OF(change->row, struct nbrec_subnet, header_);
    if (subnet->network && services_subnet_changed(subnet)) {
        add_ports_of_network(in, subnet->network, dirty);
    }
}

static int
compare_ofports(const void *a_, const void *b_)
{
    const ofp_port_t *a = a_, *b = b_;
    uint16_t a16 = ofp_to_u16(*a), b16 = ofp_to_u16(*b);

    return a16 < b16 ? -1 : a16 > b16;
}

/* Fills 'l2' for 'net' as this chassis sees it, without its member
 * lists.  Returns the provider bridge of a flat/VLAN network, if mapped. */
char *
engine_net_describe(const struct engine_input *in,
                    const struct nbrec_network *net,
                    const struct net_state *ns, struct l2_network *l2,
                    const struct ex_bridge **ebp)
{
    const struct ex_bridge *eb = NULL;
    uint32_t segment;
    char *error;

    memset(l2, 0, sizeof *l2);
    l2->nb = net;
    error = l2_network_segment(net, &l2->tunnelled, &segment);
    if (error) {
        return error;
    }
    l2->lvid = ns->lvid;
    l2->routed = ns->n_router_refs > 0;
    l2->vni = l2->tunnelled ? segment : 0;
    l2->tun_patch = in->ports->tun_patch_int;
    l2->ex_patch = OFPP_NONE;
    if (l2->tunnelled) {
        l2->int_uplink = in->ports->int_patch_tun;
    } else {
        eb = shash_find_data(&in->ports->ex_bridges,
                             net->provider_physical_network);
        l2->int_uplink = eb ? eb->int_patch : OFPP_NONE;
        l2->ex_patch = eb ? eb->ex_patch : OFPP_NONE;
    }
    if (ebp) {
        *ebp = eb;
    }
    return NULL;
}

void
engine_net_compile(struct engine *e, const struct uuid *uuid)
{
    const struct engine_input *in = e->in;
    uint64_t cookie = flow_cookie_from_uuid(uuid);
    const struct nbrec_network *row
        = NB_GET(network, in->nb_idl, uuid);
    struct net_state *ns = engine_net_find(e, uuid);
    const struct ex_bridge *eb;
    struct l2_network l2net;
    struct l2_output out;
    char *error;

    engine_remove_owner_everywhere(e, cookie);
    if (!row) {
        if (ns) {
            if (!hmapx_count(&ns->routers)) {
                engine_release_id(e, &ns->uuid, &ns->lvid);
                hmap_remove(&e->nets, &ns->node);
                net_state_free(ns);
            }
        }
        return;
    }
    if (!engine_net_is_active(ns) || !ns->lvid) {
        return;
    }
    error = engine_net_describe(in, row, ns, &l2net, &eb);
    if (error) {
        engine_log_error(e, error);
        return;
    }

    size_t n_locals = hmapx_count(&ns->locals), n_tunnels = 0;
    ofp_port_t *locals = xmalloc(n_locals * sizeof *locals);
    ofp_port_t *tunnels = xmalloc((simap_count(&ns->chassis) + 1)
                                  * sizeof *tunnels);
    struct hmapx_node *hn;
    size_t i = 0;
    HMAPX_FOR_EACH (hn, &ns->locals) {
        const struct port_state *ps = hn->data;
        locals[i++] = ps->ofport;
    }
    qsort(locals, n_locals, sizeof *locals, compare_ofports);
    struct simap_node *sn;
    SIMAP_FOR_EACH (sn, &ns->chassis) {
        const struct simap_node *t = simap_find(&in->ports->tunnels,
                                                sn->name);
        if (t) {
            tunnels[n_tunnels++] = u16_to_ofp(t->data);
        }
    }
    qsort(tunnels, n_tunnels, sizeof *tunnels, compare_ofports);
    l2net.local_ports = locals;
    l2net.n_local_ports = n_locals;
    l2net.tunnels = tunnels;
    l2net.n_tunnels = n_tunnels;

    l2_output_init(&out);
    error = l2_compile_network(&l2net, &out);
    if (error) {
        engine_log_error(e, error);
    } else {
        flow_set_replace_owner(&e->int_flows, cookie, &out.int_flows);
        flow_set_replace_owner(&e->tun_flows, cookie, &out.tun_flows);
        if (eb) {
            flow_set_replace_owner(engine_ex_flow_set(e, eb->bridge), cookie,
                                   &out.ex_flows);
        }
    }
    l2_output_destroy(&out);
    free(locals);
    free(tunnels);
}
