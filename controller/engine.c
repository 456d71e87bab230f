/*
 * controller/engine: see engine.h; the modules' contract is in
 * engine-private.h.
 *
 * This file runs the modules: it owns the flow sets, the local ids and the
 * announcements they share, it declares in one table (engine_edges[])
 * which change dirties what, and engine_run() collects the input's changes
 * and hands each kind's dirty objects to its module in a fixed order:
 *
 *   1. ports: re-evaluated (location, network membership);
 *   2. routers: re-evaluated (networks, active here, gateway role);
 *   3. security groups (controller/engine-sg), for the ports concerned;
 *   4. ports' own flows, 5. networks' shared flows, 6. routers' flows,
 *   7. floating IPs' flows.
 *
 * An edge must lead to a set handled later than the change that raises it,
 * so that one pass suffices.  The one exception is a router's neighbours
 * (ENGINE_SRC_ROUTER_NETS): they are added before the routers' update, so
 * that they are updated too, and again after it, to be recompiled.
 */

#include <config.h>

#include "controller/engine.h"
#include "controller/engine-private.h"

#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "controller/bridges.h"
#include "controller/config.h"
#include "controller/engine-sg.h"
#include "dvr/gateway.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/sg.h"
#include "pipeline/services.h"
#include "pipeline/tables.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(engine);

/* The dependencies, all of them.  A change of 'source' dirties, in the
 * target set, what the function finds.  Edges of one source are walked in
 * this order.  A new kind of object (IPv6 routes, QoS, port forwarding)
 * adds a module, its set and source(s) in engine-private.h and its lines
 * here. */
static const struct engine_edge engine_edges[] = {
    /* Input: NB rows. */
    { ENGINE_SRC_NB_NETWORK, ENGINE_NET, engine_dirty_self,
      "a network's shared flows come from its row" },
    { ENGINE_SRC_NB_NETWORK, ENGINE_PORT, engine_nb_network_dirty_ports,
      "a port's flows carry its network's segment and MTU" },
    { ENGINE_SRC_NB_PORT, ENGINE_PORT, engine_dirty_self,
      "a port's flows come from its row" },
    { ENGINE_SRC_NB_PORT, ENGINE_ROUTER, engine_nb_port_dirty_router,
      "a router's flows carry its interfaces' addresses" },
    { ENGINE_SRC_NB_ROUTER, ENGINE_ROUTER, engine_dirty_self,
      "a router's flows come from its row" },
    { ENGINE_SRC_NB_FIP, ENGINE_FIP, engine_dirty_self,
      "a floating IP's flows come from its row" },
    { ENGINE_SRC_NB_FIP, ENGINE_FIP, engine_nb_fip_dirty_qos_siblings,
      "of a port's floating IPs with a QoS policy, the lowest UUID's is "
      "metered" },
    { ENGINE_SRC_NB_PF, ENGINE_FIP, engine_nb_pf_dirty_fip,
      "a floating IP's flows include its port forwardings" },
    { ENGINE_SRC_NB_SUBNET, ENGINE_ROUTER, engine_nb_subnet_dirty_routers,
      "a router's interfaces carry their subnets' CIDRs and gateways" },
    { ENGINE_SRC_NB_SUBNET, ENGINE_L2_PORT, engine_nb_subnet_dirty_ports,
      "DHCP answers carry the subnet's options" },
    { ENGINE_SRC_GATEWAYS, ENGINE_ROUTER, engine_gateways_dirty_routers,
      "a gateway's role comes from the gateway chassis and BFD" },
    { ENGINE_SRC_NB_BINDING, ENGINE_PORT, engine_nb_binding_dirty_port,
      "a port's location is its binding's chassis" },
    { ENGINE_SRC_NB_QOS, ENGINE_L2_PORT, engine_nb_qos_dirty_ports,
      "a port's QoS flows and meters come from its or its network's "
      "policy" },
    { ENGINE_SRC_NB_QOS_RULE, ENGINE_L2_PORT, engine_nb_qos_rule_dirty_ports,
      "a policy's rules are its ports' meters and DSCP mark" },
    { ENGINE_SRC_NB_QOS, ENGINE_FIP, engine_nb_qos_dirty_fips,
      "a floating IP's NAT flows and meters come from its policy" },
    { ENGINE_SRC_NB_QOS_RULE, ENGINE_FIP, engine_nb_qos_rule_dirty_fips,
      "a policy's rules are its floating IPs' meters" },
    { ENGINE_SRC_NB_QOS, ENGINE_ROUTER, engine_nb_qos_dirty_routers,
      "a router's SNAT flows and meters come from its gateway policy" },
    { ENGINE_SRC_NB_QOS_RULE, ENGINE_ROUTER, engine_nb_qos_rule_dirty_routers,
      "a gateway policy's rules are its routers' meters" },
    { ENGINE_SRC_VIF, ENGINE_PORT, engine_dirty_self,
      "a port's location is its VIF" },
    { ENGINE_SRC_VIF, ENGINE_PORT, engine_vif_dirty_subports,
      "a subport is local where its trunk's parent has its VIF" },
    { ENGINE_SRC_NB_TRUNK, ENGINE_PORT, engine_nb_trunk_dirty_ports,
      "a trunk makes its subports local with its parent" },

    /* State changes. */
    { ENGINE_SRC_PORT, ENGINE_L2_PORT, engine_dirty_self,
      "a re-evaluated port is recompiled" },
    { ENGINE_SRC_PORT, ENGINE_SG_PORT, engine_dirty_self,
      "a port's groups' flows carry its location and addresses" },
    { ENGINE_SRC_NET_LOCAL, ENGINE_ROUTER, engine_net_dirty_routers,
      "a router is active where one of its networks has a local port" },
    { ENGINE_SRC_NET_MEMBERS, ENGINE_NET, engine_dirty_self,
      "a network's flood lists, tunnels and routed flag" },
    { ENGINE_SRC_NET_STATE, ENGINE_L2_PORT, engine_net_dirty_ports,
      "a port has flows only on an active network; routed changes them" },
    { ENGINE_SRC_NET_LVID, ENGINE_SG_PORT, engine_net_dirty_ports,
      "a member's addresses count in remote groups on its network's "
      "local VLAN" },
    { ENGINE_SRC_ROUTER_NETS, ENGINE_ROUTER, engine_router_dirty_neighbors,
      "a subnet belongs to one router: the others on its networks" },

    /* Compiles. */
    { ENGINE_SRC_PORT_COMPILED, ENGINE_FIP, engine_port_dirty_fips,
      "a floating IP is NATed on its port's node" },
    { ENGINE_SRC_PORT_COMPILED, ENGINE_FIP, engine_port_dirty_floating_fip,
      "a floating IP's flows need its floating port's network active" },
    { ENGINE_SRC_ROUTER_COMPILED, ENGINE_FIP, engine_router_dirty_fips,
      "a floating IP is compiled with its router" },
    { ENGINE_SRC_PORT_COMPILED, ENGINE_FIP, engine_port_dirty_pf_fips,
      "a port forwarding is translated on its port's node" },
};

/* The NB tables whose tracked rows are input, in the order they are read
 * (it decides the order of the dirty sets, hence of local id
 * allocations). */
static const struct {
    enum engine_source source;
    const struct ovsdb_idl_table_class *table;
} engine_nb_inputs[] = {
    { ENGINE_SRC_NB_NETWORK, &nbrec_table_network },
    { ENGINE_SRC_NB_PORT, &nbrec_table_port },
    { ENGINE_SRC_NB_ROUTER, &nbrec_table_router },
    { ENGINE_SRC_NB_FIP, &nbrec_table_floating_ip },
    { ENGINE_SRC_NB_PF, &nbrec_table_port_forwarding },
    { ENGINE_SRC_NB_SUBNET, &nbrec_table_subnet },
    { ENGINE_SRC_GATEWAYS, NULL },   /* When the signature changed. */
    { ENGINE_SRC_NB_BINDING, &nbrec_table_port_binding },
    { ENGINE_SRC_NB_QOS, &nbrec_table_qos_policy },
    { ENGINE_SRC_NB_QOS_RULE, &nbrec_table_qos_rule },
    { ENGINE_SRC_NB_TRUNK, &nbrec_table_trunk },
};

/* In a full run every row of these tables is dirty. */
static const struct {
    enum engine_set set;
    const struct ovsdb_idl_table_class *table;
} engine_full_inputs[] = {
    { ENGINE_NET, &nbrec_table_network },
    { ENGINE_PORT, &nbrec_table_port },
    { ENGINE_ROUTER, &nbrec_table_router },
    { ENGINE_FIP, &nbrec_table_floating_ip },
};

void
uuid_set_init(struct uuid_set *s)
{
    hmap_init(&s->map);
    s->order = NULL;
    s->n = s->allocated = 0;
}

struct uuid_node {
    struct hmap_node node;
    struct uuid uuid;
};

void
uuid_set_destroy(struct uuid_set *s)
{
    struct uuid_node *n;

    HMAP_FOR_EACH_POP (n, node, &s->map) {
        free(n);
    }
    hmap_destroy(&s->map);
    free(s->order);
}

bool
uuid_set_add(struct uuid_set *s, const struct uuid *uuid)
{
    struct uuid_node *n;

    HMAP_FOR_EACH_WITH_HASH (n, node, uuid_hash(uuid), &s->map) {
        if (uuid_equals(&n->uuid, uuid)) {
            return false;
        }
    }
    n = xmalloc(sizeof *n);
    n->uuid = *uuid;
    hmap_insert(&s->map, &n->node, uuid_hash(uuid));
    if (s->n >= s->allocated) {
        s->order = x2nrealloc(s->order, &s->allocated, sizeof *s->order);
    }
    s->order[s->n++] = *uuid;
    return true;
}

/* Walks the edges from 'source' for the object 'uuid' (NB row 'row'). */
void
engine_changed(struct engine *e, enum engine_source source,
               const struct uuid *uuid, const struct ovsdb_idl_row *row)
{
    const struct engine_change change = {
        .source = source,
        .uuid = uuid,
        .row = row,
    };

    for (size_t i = 0; i < ARRAY_SIZE(engine_edges); i++) {
        const struct engine_edge *edge = &engine_edges[i];
        if (edge->source == source) {
            edge->dirty(e, e->in, &change, &e->dirty[edge->target]);
        }
    }
}

void
engine_dirty_self(const struct engine *e OVS_UNUSED,
                  const struct engine_input *in OVS_UNUSED,
                  const struct engine_change *change, struct uuid_set *dirty)
{
    uuid_set_add(dirty, change->uuid);
}

struct engine *
engine_create(void)
{
    struct engine *e = xzalloc(sizeof *e);

    flow_set_init(&e->int_flows);
    flow_set_init(&e->tun_flows);
    shash_init(&e->ex_flows);
    hmap_init(&e->ports);
    hmap_init(&e->nets);
    hmap_init(&e->routers);
    hmap_init(&e->fips);
    ovs_list_init(&e->announcements);
    simap_init(&e->lvids);
    e->lvid_used = bitmap_allocate(MAX_LVID + 1);
    bitmap_set1(e->lvid_used, 0);
    smap_init(&e->lvid_set);
    sset_init(&e->lvid_unset);
    simap_init(&e->vifs);
    simap_init(&e->subports);
    e->sg = engine_sg_create();
    qos_meters_init(&e->qos_meters);
    e->full = true;
    return e;
}

static void
clear_states(struct engine *e)
{
    engine_port_clear(e);
    engine_net_clear(e);
    engine_router_clear(e);
    engine_fip_clear(e);
}

static void
clear_ex_flows(struct engine *e)
{
    struct shash_node *node, *next;

    SHASH_FOR_EACH_SAFE (node, next, &e->ex_flows) {
        struct flow_set *set = node->data;
        flow_set_destroy(set);
        free(set);
        shash_delete(&e->ex_flows, node);
    }
}

void
engine_destroy(struct engine *e)
{
    if (!e) {
        return;
    }
    clear_states(e);
    hmap_destroy(&e->ports);
    hmap_destroy(&e->nets);
    hmap_destroy(&e->routers);
    hmap_destroy(&e->fips);
    struct engine_garp *g;
    LIST_FOR_EACH_POP (g, list_node, &e->announcements) {
        free(g);
    }
    free(e->gateways);
    flow_set_destroy(&e->int_flows);
    flow_set_destroy(&e->tun_flows);
    clear_ex_flows(e);
    shash_destroy(&e->ex_flows);
    simap_destroy(&e->lvids);
    bitmap_free(e->lvid_used);
    smap_destroy(&e->lvid_set);
    sset_destroy(&e->lvid_unset);
    simap_destroy(&e->vifs);
    simap_destroy(&e->subports);
    free(e->topology);
    engine_sg_destroy(e->sg);
    qos_meters_destroy(&e->qos_meters);
    free(e);
}

void
engine_force_full(struct engine *e)
{
    e->full = true;
}

static void
load_lvids(struct engine *e, const struct smap *persisted)
{
    const struct smap_node *node;

    SMAP_FOR_EACH (node, persisted) {
        struct uuid uuid;
        int lvid = atoi(node->value);
        if (uuid_from_string(&uuid, node->key) && lvid > 0
            && lvid <= MAX_LVID && !bitmap_is_set(e->lvid_used, lvid)) {
            bitmap_set1(e->lvid_used, lvid);
            simap_put(&e->lvids, node->key, lvid);
        }
    }
    e->lvids_loaded = true;
}

/* The local id persisted for 'uuid' (a network or a router), or 0. */
uint16_t
engine_persisted_id(const struct engine *e, const struct uuid *uuid)
{
    char *key = xasprintf(UUID_FMT, UUID_ARGS(uuid));
    uint16_t id = simap_get(&e->lvids, key);

    free(key);
    return id;
}

/* Gives the object 'uuid' (a network or a router) a local id in '*idp',
 * once, for as long as it exists. */
void
engine_alloc_id(struct engine *e, const struct uuid *uuid, uint16_t *idp)
{
    if (*idp) {
        return;
    }
    size_t lvid = bitmap_scan(e->lvid_used, 0, 1, MAX_LVID + 1);
    if (lvid > MAX_LVID) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_ERR_RL(&rl, UUID_FMT": no local id left", UUID_ARGS(uuid));
        return;
    }
    bitmap_set1(e->lvid_used, lvid);
    *idp = lvid;

    char *key = xasprintf(UUID_FMT, UUID_ARGS(uuid));
    char *value = xasprintf("%"PRIuSIZE, lvid);
    simap_put(&e->lvids, key, lvid);
    smap_replace(&e->lvid_set, key, value);
    sset_find_and_delete(&e->lvid_unset, key);
    free(key);
    free(value);
}

void
engine_release_id(struct engine *e, const struct uuid *uuid, uint16_t *idp)
{
    if (*idp) {
        char *key = xasprintf(UUID_FMT, UUID_ARGS(uuid));
        bitmap_set0(e->lvid_used, *idp);
        simap_find_and_delete(&e->lvids, key);
        smap_remove(&e->lvid_set, key);
        sset_add(&e->lvid_unset, key);
        free(key);
        *idp = 0;
    }
}

struct flow_set *
engine_ex_flow_set(struct engine *e, const char *bridge)
{
    struct flow_set *set = shash_find_data(&e->ex_flows, bridge);

    if (!set) {
        set = xmalloc(sizeof *set);
        flow_set_init(set);
        shash_add(&e->ex_flows, bridge, set);
    }
    return set;
}

void
engine_remove_owner_everywhere(struct engine *e, uint64_t cookie)
{
    struct shash_node *node;

    flow_set_remove_owner(&e->int_flows, cookie);
    flow_set_remove_owner(&e->tun_flows, cookie);
    SHASH_FOR_EACH (node, &e->ex_flows) {
        flow_set_remove_owner(node->data, cookie);
    }
}

void
engine_log_error(struct engine *e, char *error)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    VLOG_WARN_RL(&rl, "skipped: %s", error);
    e->stats.n_errors++;
    free(error);
}

void
engine_queue_garp(struct engine *e, uint16_t lvid, ovs_be32 ip,
                  struct eth_addr mac)
{
    struct engine_garp *g = xmalloc(sizeof *g);

    g->lvid = lvid;
    g->ip = ip;
    g->mac = mac;
    ovs_list_push_back(&e->announcements, &g->list_node);
}

void
engine_take_garps(struct engine *e, struct ovs_list *garps)
{
    ovs_list_push_back_all(garps, &e->announcements);
}
/* A string that changes whenever flows compiled for the old topology
 * could be wrong for the new one. */
static char *
topology_signature(const struct engine_input *in)
{
    const struct bridge_ports *bp = in->ports;
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "%s %s %s %d %d;", in->cfg->system_id,
                  in->cfg->int_bridge, in->cfg->tun_bridge,
                  ofp_to_u16(bp->int_patch_tun),
                  ofp_to_u16(bp->tun_patch_int));
    const struct simap_node **tunnels = simap_sort(&bp->tunnels);
    for (size_t i = 0; i < simap_count(&bp->tunnels); i++) {
        ds_put_format(&s, "%s=%u,", tunnels[i]->name, tunnels[i]->data);
    }
    free(tunnels);
    const struct shash_node **ex = shash_sort(&bp->ex_bridges);
    for (size_t i = 0; i < shash_count(&bp->ex_bridges); i++) {
        const struct ex_bridge *eb = ex[i]->data;
        ds_put_format(&s, ";%s=%s:%d:%d", eb->physnet, eb->bridge,
                      ofp_to_u16(eb->int_patch), ofp_to_u16(eb->ex_patch));
    }
    free(ex);
    services_chassis_format(in->services, &s);
    return ds_steal_cstr(&s);
}

static void
compile_skeleton(struct engine *e, const struct engine_input *in)
{
    struct l2_bridges br = {
        .int_patch_tun = in->ports->int_patch_tun,
        .tun_patch_int = in->ports->tun_patch_int,
    };
    struct l2_output out;
    struct shash_node *node;

    struct l3_output l3;

    l2_output_init(&out);
    l2_compile_skeleton(&br, &out);
    l3_output_init(&l3);
    l3_compile_skeleton(&l3);
    ovs_list_push_back_all(&out.int_flows.flows, &l3.int_flows.flows);
    l3_output_destroy(&l3);
    sg_compile_skeleton(&out.int_flows);
    qos_compile_skeleton(&out.int_flows);
    services_compile_skeleton(in->services, &out.int_flows);
    flow_set_replace_owner(&e->int_flows, COOKIE_STATIC, &out.int_flows);
    flow_set_replace_owner(&e->tun_flows, COOKIE_STATIC, &out.tun_flows);
    l2_output_destroy(&out);

    SHASH_FOR_EACH (node, &in->ports->ex_bridges) {
        const struct ex_bridge *eb = node->data;
        struct flow_list flows;

        if (eb->ex_patch == OFPP_NONE) {
            continue;
        }
        flow_list_init(&flows);
        l2_compile_ex_skeleton(eb->ex_patch, &flows);
        flow_set_replace_owner(engine_ex_flow_set(e, eb->bridge),
                               COOKIE_STATIC, &flows);
        flow_list_destroy(&flows);
    }
}

/* Dirties what changed since the last run: the NB rows the IDL tracked
 * and, if 'gateways_changed', the gateway signature. */
static void
collect_nb_changes(struct engine *e, const struct engine_input *in,
                   bool gateways_changed)
{
    for (size_t i = 0; i < ARRAY_SIZE(engine_nb_inputs); i++) {
        const struct ovsdb_idl_table_class *tc = engine_nb_inputs[i].table;
        enum engine_source source = engine_nb_inputs[i].source;
        const struct ovsdb_idl_row *row;

        if (!tc) {
            if (gateways_changed) {
                engine_changed(e, source, NULL, NULL);
            }
            continue;
        }
        for (row = ovsdb_idl_track_get_first(in->nb_idl, tc); row;
             row = ovsdb_idl_track_get_next(row)) {
            engine_changed(e, source, &row->uuid, row);
        }
    }
}

/* Dirties the ports whose VIF appeared, moved or went away. */
static void
collect_vif_changes(struct engine *e, const struct engine_input *in)
{
    struct simap_node *sn;

    SIMAP_FOR_EACH (sn, &in->ports->vifs) {
        struct uuid uuid;
        if (simap_get(&e->vifs, sn->name) != sn->data
            && uuid_from_string(&uuid, sn->name)) {
            engine_changed(e, ENGINE_SRC_VIF, &uuid, NULL);
        }
    }
    SIMAP_FOR_EACH (sn, &e->vifs) {
        struct uuid uuid;
        if (!simap_contains(&in->ports->vifs, sn->name)
            && uuid_from_string(&uuid, sn->name)) {
            engine_changed(e, ENGINE_SRC_VIF, &uuid, NULL);
        }
    }
    simap_clear(&e->vifs);
    SIMAP_FOR_EACH (sn, &in->ports->vifs) {
        simap_put(&e->vifs, sn->name, sn->data);
    }
}

/* Raises 'source' for every object of 'set' (the first 'n'). */
static void
changed_all(struct engine *e, enum engine_source source,
            const struct uuid_set *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        engine_changed(e, source, &set->order[i], NULL);
    }
}

/* Runs one compile.  Returns true if it was a full one (the caller then
 * compares everything with the switches). */
bool
engine_run(struct engine *e, const struct engine_input *in)
{
    long long int start = time_usec();
    struct uuid_set dirty[ENGINE_N_SETS], new_nets;

    /* The signature walks every tunnel (one per chassis in the cloud): only
     * when the bridges' ports were computed again or the services
     * changed. */
    bool full = e->full || !e->topology;
    if (full || !in->ports_gen || in->ports_gen != e->ports_gen
        || !services_chassis_equal(in->services, &e->services)) {
        char *topology = topology_signature(in);
        full |= !e->topology || strcmp(topology, e->topology);
        free(e->topology);
        e->topology = topology;
        e->ports_gen = in->ports_gen;
        e->services = *in->services;
    }
    char *gateways = gateway_signature(in->nb_idl, &in->ports->bfd_down);
    bool gateways_changed = !e->gateways || strcmp(gateways, e->gateways);

    free(e->gateways);
    e->gateways = gateways;
    if (!e->lvids_loaded) {
        load_lvids(e, &in->ports->lvids);
    }

    for (size_t i = 0; i < ENGINE_N_SETS; i++) {
        uuid_set_init(&dirty[i]);
    }
    uuid_set_init(&new_nets);
    e->in = in;
    e->dirty = dirty;
    e->new_nets = &new_nets;
    e->run_full = full;
    e->stats.last_n_ports = 0;

    /* What changed. */
    if (full) {
        clear_states(e);
        flow_set_clear(&e->int_flows);
        flow_set_clear(&e->tun_flows);
        clear_ex_flows(e);
        engine_sg_clear(e->sg);
        qos_meters_clear(&e->qos_meters);
        compile_skeleton(e, in);
        for (size_t i = 0; i < ARRAY_SIZE(engine_full_inputs); i++) {
            const struct ovsdb_idl_row *row;

            for (row = ovsdb_idl_first_row(in->nb_idl,
                                           engine_full_inputs[i].table);
                 row; row = ovsdb_idl_next_row(row)) {
                uuid_set_add(&dirty[engine_full_inputs[i].set], &row->uuid);
            }
        }
    } else {
        collect_nb_changes(e, in, gateways_changed);
    }
    if (in->vifs_gen != e->vifs_gen || full) {
        e->vifs_gen = in->vifs_gen;
        collect_vif_changes(e, in);
    }

    /* 1. Ports. */
    struct uuid_set *ports = &dirty[ENGINE_PORT];
    for (size_t i = 0; i < ports->n; i++) {
        engine_changed(e, ENGINE_SRC_PORT, &ports->order[i], NULL);
        engine_port_update(e, &ports->order[i]);
    }

    /* 2. Routers, with the routers beside a changed one on its networks
     * before the change (an interface removed gives its subnet back) and
     * after. */
    struct uuid_set *routers = &dirty[ENGINE_ROUTER];
    if (!full) {
        changed_all(e, ENGINE_SRC_ROUTER_NETS, routers, routers->n);
    }
    for (size_t i = 0; i < routers->n; i++) {
        engine_router_update(e, &routers->order[i]);
    }
    if (!full) {
        changed_all(e, ENGINE_SRC_ROUTER_NETS, routers, routers->n);
    }

    /* 3. Security groups, after the networks that got their local id. */
    changed_all(e, ENGINE_SRC_NET_LVID, &new_nets, new_nets.n);
    e->new_nets = NULL;
    engine_sg_run(e->sg, in, &e->lvids, &e->subports,
                  dirty[ENGINE_SG_PORT].order,
                  dirty[ENGINE_SG_PORT].n, &e->int_flows);

    /* 4-7. Flows. */
    struct uuid_set *l2_ports = &dirty[ENGINE_L2_PORT];
    for (size_t i = 0; i < l2_ports->n; i++) {
        engine_port_compile(e, &l2_ports->order[i]);
        if (!full) {
            engine_changed(e, ENGINE_SRC_PORT_COMPILED, &l2_ports->order[i],
                           NULL);
        }
    }
    for (size_t i = 0; i < dirty[ENGINE_NET].n; i++) {
        engine_net_compile(e, &dirty[ENGINE_NET].order[i]);
    }
    for (size_t i = 0; i < routers->n; i++) {
        engine_router_compile(e, &routers->order[i]);
        if (!full) {
            engine_changed(e, ENGINE_SRC_ROUTER_COMPILED, &routers->order[i],
                           NULL);
        }
    }
    for (size_t i = 0; i < dirty[ENGINE_FIP].n; i++) {
        engine_fip_compile(e, &dirty[ENGINE_FIP].order[i]);
    }

    for (size_t i = 0; i < ENGINE_N_SETS; i++) {
        uuid_set_destroy(&dirty[i]);
    }
    uuid_set_destroy(&new_nets);
    e->in = NULL;
    e->dirty = NULL;

    e->full = false;
    e->stats.n_runs++;
    e->stats.last_usec = time_usec() - start;
    if (full) {
        e->stats.n_full++;
        e->stats.last_full_usec = e->stats.last_usec;
    }
    return full;
}
struct flow_set *
engine_int_flows(struct engine *e)
{
    return &e->int_flows;
}

struct flow_set *
engine_tun_flows(struct engine *e)
{
    return &e->tun_flows;
}

const struct shash *
engine_ex_flows(const struct engine *e)
{
    return &e->ex_flows;
}

void
engine_take_lvid_changes(struct engine *e, struct smap *set,
                         struct sset *unset)
{
    struct smap_node *node;
    const char *name;

    SMAP_FOR_EACH (node, &e->lvid_set) {
        smap_replace(set, node->key, node->value);
    }
    SSET_FOR_EACH (name, &e->lvid_unset) {
        sset_add(unset, name);
    }
    smap_clear(&e->lvid_set);
    sset_clear(&e->lvid_unset);
}

const struct engine_stats *
engine_get_stats(const struct engine *e)
{
    return &e->stats;
}

const struct engine_sg *
engine_get_sg(const struct engine *e)
{
    return e->sg;
}

size_t
engine_n_local_ports(const struct engine *e)
{
    const struct port_state *ps;
    size_t n = 0;

    HMAP_FOR_EACH (ps, node, &e->ports) {
        n += ps->loc == L2_PORT_LOCAL;
    }
    return n;
}

void
engine_format_local_ports(const struct engine *e, struct ds *s)
{
    const struct port_state *ps;

    HMAP_FOR_EACH (ps, node, &e->ports) {
        if (ps->loc == L2_PORT_LOCAL) {
            ds_put_format(s, UUID_FMT" ofport %d network "UUID_FMT"\n",
                          UUID_ARGS(&ps->uuid), ofp_to_u16(ps->ofport),
                          UUID_ARGS(&ps->net));
        }
    }
}
