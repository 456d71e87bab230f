/*
 * controller/engine: see engine.h.
 */

#include <config.h>

#include "controller/engine.h"

#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "controller/binding.h"
#include "controller/bridges.h"
#include "controller/config.h"
#include "flow.h"
#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/flow.h"
#include "pipeline/l2.h"
#include "pipeline/tables.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(engine);

#define MAX_LVID 4094

/* What a port contributed to its network when it was last looked at. */
struct port_state {
    struct hmap_node node;          /* In engine's 'ports'. */
    struct uuid uuid;
    struct uuid net;
    enum l2_port_location loc;
    ofp_port_t ofport;              /* L2_PORT_LOCAL. */
    char *chassis;                  /* L2_PORT_REMOTE. */
};

struct net_state {
    struct hmap_node node;          /* In engine's 'nets'. */
    struct uuid uuid;
    uint16_t lvid;                  /* 0 until first active. */
    struct hmapx locals;            /* Local "struct port_state"s. */
    struct simap chassis;           /* Remote chassis -> ports there. */
};

struct engine {
    struct flow_set int_flows;
    struct flow_set tun_flows;
    struct shash ex_flows;          /* Bridge name -> struct flow_set. */
    struct hmap ports;
    struct hmap nets;
    struct simap lvids;             /* Network UUID -> local VLAN. */
    unsigned long *lvid_used;
    bool lvids_loaded;
    struct smap lvid_set;           /* Allocations to persist. */
    struct sset lvid_unset;         /* Releases to persist. */
    struct simap vifs;              /* iface-id -> ofport, last run. */
    unsigned int vifs_gen;          /* engine_input's, for 'vifs'. */
    char *topology;                 /* Signature of the last topology. */
    bool full;
    struct engine_stats stats;
};

/* A set of UUIDs, in insertion order. */
struct uuid_node {
    struct hmap_node node;
    struct uuid uuid;
};

struct uuid_set {
    struct hmap map;
    struct uuid *order;
    size_t n, allocated;
};

static void
uuid_set_init(struct uuid_set *s)
{
    hmap_init(&s->map);
    s->order = NULL;
    s->n = s->allocated = 0;
}

static void
uuid_set_destroy(struct uuid_set *s)
{
    struct uuid_node *n;

    HMAP_FOR_EACH_POP (n, node, &s->map) {
        free(n);
    }
    hmap_destroy(&s->map);
    free(s->order);
}

static bool
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

struct engine *
engine_create(void)
{
    struct engine *e = xzalloc(sizeof *e);

    flow_set_init(&e->int_flows);
    flow_set_init(&e->tun_flows);
    shash_init(&e->ex_flows);
    hmap_init(&e->ports);
    hmap_init(&e->nets);
    simap_init(&e->lvids);
    e->lvid_used = bitmap_allocate(MAX_LVID + 1);
    bitmap_set1(e->lvid_used, 0);
    smap_init(&e->lvid_set);
    sset_init(&e->lvid_unset);
    simap_init(&e->vifs);
    e->full = true;
    return e;
}

static void
port_state_free(struct port_state *ps)
{
    free(ps->chassis);
    free(ps);
}

static void
clear_states(struct engine *e)
{
    struct port_state *ps;
    struct net_state *ns;

    HMAP_FOR_EACH_POP (ps, node, &e->ports) {
        port_state_free(ps);
    }
    HMAP_FOR_EACH_POP (ns, node, &e->nets) {
        hmapx_destroy(&ns->locals);
        simap_destroy(&ns->chassis);
        free(ns);
    }
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
    flow_set_destroy(&e->int_flows);
    flow_set_destroy(&e->tun_flows);
    clear_ex_flows(e);
    shash_destroy(&e->ex_flows);
    simap_destroy(&e->lvids);
    bitmap_free(e->lvid_used);
    smap_destroy(&e->lvid_set);
    sset_destroy(&e->lvid_unset);
    simap_destroy(&e->vifs);
    free(e->topology);
    free(e);
}

void
engine_force_full(struct engine *e)
{
    e->full = true;
}

static struct port_state *
find_port_state(const struct engine *e, const struct uuid *uuid)
{
    struct port_state *ps;

    HMAP_FOR_EACH_WITH_HASH (ps, node, uuid_hash(uuid), &e->ports) {
        if (uuid_equals(&ps->uuid, uuid)) {
            return ps;
        }
    }
    return NULL;
}

static struct net_state *
find_net_state(const struct engine *e, const struct uuid *uuid)
{
    struct net_state *ns;

    HMAP_FOR_EACH_WITH_HASH (ns, node, uuid_hash(uuid), &e->nets) {
        if (uuid_equals(&ns->uuid, uuid)) {
            return ns;
        }
    }
    return NULL;
}

static struct net_state *
get_net_state(struct engine *e, const struct uuid *uuid)
{
    struct net_state *ns = find_net_state(e, uuid);

    if (!ns) {
        ns = xzalloc(sizeof *ns);
        ns->uuid = *uuid;
        hmapx_init(&ns->locals);
        simap_init(&ns->chassis);
        hmap_insert(&e->nets, &ns->node, uuid_hash(uuid));

        char *key = xasprintf(UUID_FMT, UUID_ARGS(uuid));
        ns->lvid = simap_get(&e->lvids, key);
        free(key);
    }
    return ns;
}

static bool
net_is_active(const struct net_state *ns)
{
    return ns && hmapx_count(&ns->locals) > 0;
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

/* Gives 'ns' a local VLAN, once, for as long as its network exists. */
static void
alloc_lvid(struct engine *e, struct net_state *ns)
{
    if (ns->lvid) {
        return;
    }
    size_t lvid = bitmap_scan(e->lvid_used, 0, 1, MAX_LVID + 1);
    if (lvid > MAX_LVID) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_ERR_RL(&rl, "network "UUID_FMT": no local VLAN left",
                    UUID_ARGS(&ns->uuid));
        return;
    }
    bitmap_set1(e->lvid_used, lvid);
    ns->lvid = lvid;

    char *key = xasprintf(UUID_FMT, UUID_ARGS(&ns->uuid));
    char *value = xasprintf("%"PRIuSIZE, lvid);
    simap_put(&e->lvids, key, lvid);
    smap_replace(&e->lvid_set, key, value);
    sset_find_and_delete(&e->lvid_unset, key);
    free(key);
    free(value);
}

static void
release_lvid(struct engine *e, struct net_state *ns)
{
    if (ns->lvid) {
        char *key = xasprintf(UUID_FMT, UUID_ARGS(&ns->uuid));
        bitmap_set0(e->lvid_used, ns->lvid);
        simap_find_and_delete(&e->lvids, key);
        smap_remove(&e->lvid_set, key);
        sset_add(&e->lvid_unset, key);
        free(key);
        ns->lvid = 0;
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

/* Updates the state of port 'uuid' and its networks' membership.  Adds to
 * 'dirty_nets' the networks whose shared flows change and to 'compile'
 * the ports to recompile. */
static void
update_port_state(struct engine *e, const struct engine_input *in,
                  const struct uuid *uuid, struct uuid_set *dirty_nets,
                  struct uuid_set *compile)
{
    const struct nbrec_port *row = nbrec_port_get_for_uuid(in->nb_idl, uuid);
    struct port_state *ps = find_port_state(e, uuid);
    struct net_state *ns;

    uuid_set_add(compile, uuid);

    /* Withdraw the old contribution. */
    if (ps && (ns = find_net_state(e, &ps->net))) {
        bool was_active = net_is_active(ns);
        if (ps->loc == L2_PORT_LOCAL) {
            hmapx_find_and_delete(&ns->locals, ps);
        } else if (ps->loc == L2_PORT_REMOTE) {
            simap_increase(&ns->chassis, ps->chassis, -1);
            if (!simap_get(&ns->chassis, ps->chassis)) {
                simap_find_and_delete(&ns->chassis, ps->chassis);
            }
        }
        uuid_set_add(dirty_nets, &ns->uuid);
        if (was_active && !net_is_active(ns)) {
            const struct nbrec_network *net
                = nbrec_network_get_for_uuid(in->nb_idl, &ns->uuid);
            if (net) {
                add_ports_of_network(in, net, compile);
            }
        }
    }
    if (!row) {
        if (ps) {
            hmap_remove(&e->ports, &ps->node);
            port_state_free(ps);
        }
        return;
    }
    if (!ps) {
        ps = xzalloc(sizeof *ps);
        ps->uuid = *uuid;
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
        ps->loc = L2_PORT_LOCAL;
        ps->ofport = u16_to_ofp(vif->data);
    } else {
        const struct nbrec_port_binding *pb
            = binding_find(in->bindings_by_port, row);
        if (pb && pb->chassis && strcmp(pb->chassis->name, in->cfg->system_id)) {
            ps->loc = L2_PORT_REMOTE;
            ps->chassis = xstrdup(pb->chassis->name);
        } else {
            ps->loc = L2_PORT_UNBOUND;
        }
    }

    /* Make the new contribution. */
    ps->net = row->network->header_.uuid;
    ns = get_net_state(e, &ps->net);
    bool was_active = net_is_active(ns);
    if (ps->loc == L2_PORT_LOCAL) {
        hmapx_add(&ns->locals, ps);
    } else if (ps->loc == L2_PORT_REMOTE) {
        simap_increase(&ns->chassis, ps->chassis, 1);
    }
    uuid_set_add(dirty_nets, &ns->uuid);
    if (!was_active && net_is_active(ns)) {
        alloc_lvid(e, ns);
        add_ports_of_network(in, row->network, compile);
    }
}

static struct flow_set *
ex_flow_set(struct engine *e, const char *bridge)
{
    struct flow_set *set = shash_find_data(&e->ex_flows, bridge);

    if (!set) {
        set = xmalloc(sizeof *set);
        flow_set_init(set);
        shash_add(&e->ex_flows, bridge, set);
    }
    return set;
}

static void
remove_owner_everywhere(struct engine *e, uint64_t cookie)
{
    struct shash_node *node;

    flow_set_remove_owner(&e->int_flows, cookie);
    flow_set_remove_owner(&e->tun_flows, cookie);
    SHASH_FOR_EACH (node, &e->ex_flows) {
        flow_set_remove_owner(node->data, cookie);
    }
}

static int
compare_ofports(const void *a_, const void *b_)
{
    const ofp_port_t *a = a_, *b = b_;
    return ofp_to_u16(*a) < ofp_to_u16(*b) ? -1 : ofp_to_u16(*a) > ofp_to_u16(*b);
}

/* Fills 'l2' for 'net' as this chassis sees it, without its member
 * lists.  Returns the provider bridge of a flat/VLAN network, if mapped. */
static char *
describe_network(const struct engine_input *in, const struct nbrec_network *net,
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

static void
log_error(struct engine *e, char *error)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    VLOG_WARN_RL(&rl, "skipped: %s", error);
    e->stats.n_errors++;
    free(error);
}

static void
compile_port(struct engine *e, const struct engine_input *in,
             const struct uuid *uuid)
{
    uint64_t cookie = flow_cookie_from_uuid(uuid);
    const struct nbrec_port *row = nbrec_port_get_for_uuid(in->nb_idl, uuid);
    const struct port_state *ps = find_port_state(e, uuid);
    const struct net_state *ns = ps ? find_net_state(e, &ps->net) : NULL;
    struct l2_network l2net;
    struct l2_output out;
    char *error;

    if (!row || !ps || !net_is_active(ns) || !ns->lvid) {
        remove_owner_everywhere(e, cookie);
        return;
    }
    error = describe_network(in, row->network, ns, &l2net, NULL);
    if (error) {
        remove_owner_everywhere(e, cookie);
        log_error(e, error);
        return;
    }

    struct l2_port port = {
        .nb = row,
        .location = ps->loc,
        .ofport = ps->ofport,
        .tunnel = OFPP_NONE,
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
    if (error) {
        remove_owner_everywhere(e, cookie);
        log_error(e, error);
    } else {
        flow_set_replace_owner(&e->int_flows, cookie, &out.int_flows);
        flow_set_replace_owner(&e->tun_flows, cookie, &out.tun_flows);
    }
    l2_output_destroy(&out);
    e->stats.last_n_ports++;
}

static void
compile_network(struct engine *e, const struct engine_input *in,
                const struct uuid *uuid)
{
    uint64_t cookie = flow_cookie_from_uuid(uuid);
    const struct nbrec_network *row
        = nbrec_network_get_for_uuid(in->nb_idl, uuid);
    struct net_state *ns = find_net_state(e, uuid);
    const struct ex_bridge *eb;
    struct l2_network l2net;
    struct l2_output out;
    char *error;

    remove_owner_everywhere(e, cookie);
    if (!row) {
        if (ns) {
            release_lvid(e, ns);
            hmap_remove(&e->nets, &ns->node);
            hmapx_destroy(&ns->locals);
            simap_destroy(&ns->chassis);
            free(ns);
        }
        return;
    }
    if (!net_is_active(ns) || !ns->lvid) {
        return;
    }
    error = describe_network(in, row, ns, &l2net, &eb);
    if (error) {
        log_error(e, error);
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
        log_error(e, error);
    } else {
        flow_set_replace_owner(&e->int_flows, cookie, &out.int_flows);
        flow_set_replace_owner(&e->tun_flows, cookie, &out.tun_flows);
        if (eb) {
            flow_set_replace_owner(ex_flow_set(e, eb->bridge), cookie,
                                   &out.ex_flows);
        }
    }
    l2_output_destroy(&out);
    free(locals);
    free(tunnels);
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

    l2_output_init(&out);
    l2_compile_skeleton(&br, &out);
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
        flow_set_replace_owner(ex_flow_set(e, eb->bridge), COOKIE_STATIC,
                               &flows);
        flow_list_destroy(&flows);
    }
}

/* Runs one compile.  Returns true if it was a full one (the caller then
 * compares everything with the switches). */
bool
engine_run(struct engine *e, const struct engine_input *in)
{
    long long int start = time_usec();
    struct uuid_set dirty_ports, dirty_nets, compile;
    char *topology = topology_signature(in);
    bool full = e->full || !e->topology || strcmp(topology, e->topology);

    free(e->topology);
    e->topology = topology;
    if (!e->lvids_loaded) {
        load_lvids(e, &in->ports->lvids);
    }

    struct simap_node *sn;
    uuid_set_init(&dirty_ports);
    uuid_set_init(&dirty_nets);
    uuid_set_init(&compile);
    e->stats.last_n_ports = 0;

    if (full) {
        const struct nbrec_port *port;
        const struct nbrec_network *net;

        clear_states(e);
        flow_set_clear(&e->int_flows);
        flow_set_clear(&e->tun_flows);
        clear_ex_flows(e);
        compile_skeleton(e, in);
        NBREC_NETWORK_FOR_EACH (net, in->nb_idl) {
            uuid_set_add(&dirty_nets, &net->header_.uuid);
        }
        NBREC_PORT_FOR_EACH (port, in->nb_idl) {
            uuid_set_add(&dirty_ports, &port->header_.uuid);
        }
    } else {
        const struct nbrec_network *net;
        const struct nbrec_port *port;
        const struct nbrec_port_binding *pb;

        NBREC_NETWORK_FOR_EACH_TRACKED (net, in->nb_idl) {
            uuid_set_add(&dirty_nets, &net->header_.uuid);
            if (!nbrec_network_is_deleted(net)) {
                add_ports_of_network(in, net, &dirty_ports);
            }
        }
        NBREC_PORT_FOR_EACH_TRACKED (port, in->nb_idl) {
            uuid_set_add(&dirty_ports, &port->header_.uuid);
        }
        NBREC_PORT_BINDING_FOR_EACH_TRACKED (pb, in->nb_idl) {
            /* A binding is also tracked when a row it refers to changes
             * (its Chassis, its Port): only a change of its own port or
             * chassis matters here. */
            if (pb->port
                && (nbrec_port_binding_is_new(pb)
                    || nbrec_port_binding_is_deleted(pb)
                    || nbrec_port_binding_is_updated(
                        pb, NBREC_PORT_BINDING_COL_PORT)
                    || nbrec_port_binding_is_updated(
                        pb, NBREC_PORT_BINDING_COL_CHASSIS))) {
                uuid_set_add(&dirty_ports, &pb->port->header_.uuid);
            }
        }
    }
    if (in->vifs_gen != e->vifs_gen || full) {
        e->vifs_gen = in->vifs_gen;
        /* VIFs that appeared, moved or went away. */
        SIMAP_FOR_EACH (sn, &in->ports->vifs) {
            struct uuid uuid;
            if (simap_get(&e->vifs, sn->name) != sn->data
                && uuid_from_string(&uuid, sn->name)) {
                uuid_set_add(&dirty_ports, &uuid);
            }
        }
        SIMAP_FOR_EACH (sn, &e->vifs) {
            struct uuid uuid;
            if (!simap_contains(&in->ports->vifs, sn->name)
                && uuid_from_string(&uuid, sn->name)) {
                uuid_set_add(&dirty_ports, &uuid);
            }
        }
        simap_clear(&e->vifs);
        SIMAP_FOR_EACH (sn, &in->ports->vifs) {
            simap_put(&e->vifs, sn->name, sn->data);
        }
    }

    for (size_t i = 0; i < dirty_ports.n; i++) {
        update_port_state(e, in, &dirty_ports.order[i], &dirty_nets,
                          &compile);
    }
    for (size_t i = 0; i < compile.n; i++) {
        compile_port(e, in, &compile.order[i]);
    }
    for (size_t i = 0; i < dirty_nets.n; i++) {
        compile_network(e, in, &dirty_nets.order[i]);
    }

    uuid_set_destroy(&dirty_ports);
    uuid_set_destroy(&dirty_nets);
    uuid_set_destroy(&compile);

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
