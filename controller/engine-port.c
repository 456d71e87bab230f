/*
 * controller/engine-port: the engine's ports (engine-private.h).
 *
 * A port's state is where it is (local on a br-int port, remote on a
 * chassis, or unbound) and its network; updating it withdraws its old
 * contribution from its network and makes the new one, reporting what
 * that changed for the network (ENGINE_SRC_NET_*: members, first or last
 * local port, active or not).  A port's own flows (pipeline/l2 and the
 * services' steering) are one owner, its cookie, and exist only while its
 * network is active here.
 */

#include <config.h>

#include "controller/engine-private.h"

#include <stdlib.h>
#include <string.h>

#include "controller/binding.h"
#include "controller/bridges.h"
#include "controller/config.h"
#include "controller/nb-monitor.h"
#include "flow.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/services.h"
#include "pipeline/trunk.h"
#include "util.h"
#include "uuid.h"

struct port_state *
engine_port_find(const struct engine *e, const struct uuid *uuid)
{
    struct port_state *ps;

    HMAP_FOR_EACH_WITH_HASH (ps, node, uuid_hash(uuid), &e->ports) {
        if (uuid_equals(&ps->uuid, uuid)) {
            return ps;
        }
    }
    return NULL;
}

static void
port_state_free(struct port_state *ps)
{
    free(ps->chassis);
    free(ps);
}

void
engine_port_clear(struct engine *e)
{
    struct port_state *ps;

    HMAP_FOR_EACH_POP (ps, node, &e->ports) {
        port_state_free(ps);
    }
    simap_clear(&e->subports);
}

/* The port 'uuid', or NULL.  With conditional monitoring
 * (controller/nb-monitor) a port may arrive before its network: until
 * then it is not there. */
const struct nbrec_port *
engine_port_row(const struct engine_input *in, const struct uuid *uuid)
{
    const struct nbrec_port *row = NB_GET(port, in->nb_idl, uuid);
    return row && row->network ? row : NULL;
}

/* Edge: the port of a binding whose own port, chassis or state changed
 * ("up" decides between two bindings of one port, binding_find()).  (A
 * binding is also tracked when a row it refers to changes, its Chassis or
 * its Port: that does not matter here.) */
void
engine_nb_binding_dirty_port(const struct engine *e OVS_UNUSED,
                             const struct engine_input *in OVS_UNUSED,
                             const struct engine_change *change,
                             struct uuid_set *dirty)
{
    const struct nbrec_port_binding *pb
        = CONTAINER_OF(change->row, struct nbrec_port_binding, header_);

    if (pb->port
        && (nbrec_port_binding_is_new(pb)
            || nbrec_port_binding_is_deleted(pb)
            || nbrec_port_binding_is_updated(pb,
                                             NBREC_PORT_BINDING_COL_PORT)
            || nbrec_port_binding_is_updated(
                pb, NBREC_PORT_BINDING_COL_CHASSIS)
            || nbrec_port_binding_is_updated(pb,
                                             NBREC_PORT_BINDING_COL_UP))) {
        uuid_set_add(dirty, &pb->port->header_.uuid);
    }
}

/* Re-evaluates port 'uuid': where it is and its network's membership. */
void
engine_port_update(struct engine *e, const struct uuid *uuid)
{
    const struct engine_input *in = e->in;
    const struct nbrec_port *row = engine_port_row(in, uuid);
    struct port_state *ps = engine_port_find(e, uuid);
    struct net_state *ns;

    /* Withdraw the old contribution. */
    if (ps && (ns = engine_net_find(e, &ps->net))) {
        bool was_active = engine_net_is_active(ns);
        if (ps->loc == L2_PORT_LOCAL) {
            hmapx_find_and_delete(&ns->locals, ps);
            if (!engine_net_has_locals(ns)) {
                engine_changed(e, ENGINE_SRC_NET_LOCAL, &ns->uuid, NULL);
            }
        } else if (ps->loc == L2_PORT_REMOTE) {
            simap_increase(&ns->chassis, ps->chassis, -1);
            if (!simap_get(&ns->chassis, ps->chassis)) {
                simap_find_and_delete(&ns->chassis, ps->chassis);
            }
        }
        engine_changed(e, ENGINE_SRC_NET_MEMBERS, &ns->uuid, NULL);
        if (was_active && !engine_net_is_active(ns)) {
            engine_changed(e, ENGINE_SRC_NET_STATE, &ns->uuid, NULL);
        }
    }
    if (!row) {
        if (ps) {
            engine_trunk_release(e, ps);
            hmap_remove(&e->ports, &ps->node);
            port_state_free(ps);
        }
        return;
    }
    if (!ps) {
        ps = xzalloc(sizeof *ps);
        ps->uuid = *uuid;
        ps->parent = OFPP_NONE;
        hmap_insert(&e->ports, &ps->node, uuid_hash(uuid));
    }

    /* Locate the port. */
    char *key = xasprintf(UUID_FMT, UUID_ARGS(uuid));
    const struct simap_node *vif = simap_find(&in->ports->vifs, key);
    free(key);
    free(ps->chassis);
    ps->chassis = NULL;
    ps->ofport = OFPP_NONE;
    if (vif) {
        engine_trunk_release(e, ps);
        ps->loc = L2_PORT_LOCAL;
        ps->ofport = u16_to_ofp(vif->data);
    } else if (engine_trunk_locate(e, row, ps)) {
        ps->loc = L2_PORT_LOCAL;    /* A subport, where its parent is. */
    } else {
        const struct nbrec_port_binding *pb
            = binding_find(in->bindings_by_port, row);
        if (pb && pb->chassis
            && strcmp(pb->chassis->name, in->cfg->system_id)) {
            ps->loc = L2_PORT_REMOTE;
            ps->chassis = xstrdup(pb->chassis->name);
        } else {
            ps->loc = L2_PORT_UNBOUND;
        }
    }

    /* Make the new contribution. */
    ps->net = row->network->header_.uuid;
    ns = engine_net_get(e, &ps->net);
    bool was_active = engine_net_is_active(ns);
    if (ps->loc == L2_PORT_LOCAL) {
        if (!engine_net_has_locals(ns)) {
            engine_changed(e, ENGINE_SRC_NET_LOCAL, &ns->uuid, NULL);
        }
        hmapx_add(&ns->locals, ps);
    } else if (ps->loc == L2_PORT_REMOTE) {
        simap_increase(&ns->chassis, ps->chassis, 1);
    }
    engine_changed(e, ENGINE_SRC_NET_MEMBERS, &ns->uuid, NULL);
    if (!was_active && engine_net_is_active(ns)) {
        engine_net_alloc_lvid(e, ns);
        engine_changed(e, ENGINE_SRC_NET_STATE, &ns->uuid, NULL);
    }
}

void
engine_port_compile(struct engine *e, const struct uuid *uuid)
{
    const struct engine_input *in = e->in;
    uint64_t cookie = flow_cookie_from_uuid(uuid);
    const struct nbrec_port *row = engine_port_row(in, uuid);
    const struct port_state *ps = engine_port_find(e, uuid);
    const struct net_state *ns = ps ? engine_net_find(e, &ps->net) : NULL;
    struct l2_network l2net;
    struct l2_output out;
    char *error;

    if (!row || !ps || !engine_net_is_active(ns) || !ns->lvid) {
        engine_remove_owner_everywhere(e, cookie);
        engine_qos_remove_port(e, cookie);
        return;
    }
    error = engine_net_describe(in, row->network, ns, &l2net, NULL);
    if (error) {
        engine_remove_owner_everywhere(e, cookie);
        engine_qos_remove_port(e, cookie);
        engine_log_error(e, error);
        return;
    }

    struct trunk_subport sp = {
        .ofport = ps->ofport,
        .parent = ps->parent,
        .vlan = ps->vlan,
    };
    struct l2_port port = {
        .nb = row,
        .location = ps->loc,
        .ofport = ps->ofport,
        .tunnel = OFPP_NONE,
        .subport = ps->subport && ps->loc == L2_PORT_LOCAL ? &sp : NULL,
    };
    if (ps->loc == L2_PORT_REMOTE) {
        const struct simap_node *t = simap_find(&in->ports->tunnels,
                                                ps->chassis);
        if (t) {
            port.tunnel = u16_to_ofp(t->data);
        } else if (l2net.tunnelled) {
            port.location = L2_PORT_UNBOUND;
        }
    }

    l2_output_init(&out);
    error = l2_compile_port(&port, &l2net, &out);
    if (!error && port.location == L2_PORT_LOCAL) {
        if (port.subport) {
            services_compile_subport(in->services, row, port.ofport,
                                     sp.parent, l2net.lvid, &out.int_flows);
        } else {
            services_compile_port(in->services, row, port.ofport,
                                  l2net.lvid, &out.int_flows);
        }
        engine_qos_compile_port(e, row, port.ofport, cookie, &out.int_flows);
    } else {
        engine_qos_remove_port(e, cookie);
    }
    if (error) {
        engine_remove_owner_everywhere(e, cookie);
        engine_qos_remove_port(e, cookie);
        engine_log_error(e, error);
    } else {
        flow_set_replace_owner(&e->int_flows, cookie, &out.int_flows);
        flow_set_replace_owner(&e->tun_flows, cookie, &out.tun_flows);
    }
    l2_output_destroy(&out);
    e->stats.last_n_ports++;
}
