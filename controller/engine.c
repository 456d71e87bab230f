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
#include "controller/engine-sg.h"
#include "controller/gateway.h"
#include "controller/nb-monitor.h"
#include "flow.h"
#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-idl.h"
#include "pipeline/flow.h"
#include "pipeline/l2.h"
#include "pipeline/l3.h"
#include "pipeline/sg.h"
#include "pipeline/services.h"
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
    struct hmapx routers;           /* "struct router_state"s that refer
                                     * to the network. */
    int n_router_refs;              /* Active routers among them. */
};

/* A router as this chassis sees it. */
struct router_state {
    struct hmap_node node;          /* In engine's 'routers'. */
    struct uuid uuid;
    uint16_t lid;                   /* Local id, 0 until first active. */
    bool active;                    /* Its flows are on this chassis. */
    enum l3_gw_role role;
    bool announced;                 /* Compiled as the active gateway. */
    struct uuid *nets;              /* Networks it refers to: its
                                     * interfaces', then its gateway's. */
    size_t n_nets;
    size_t n_iface_nets;            /* The interfaces' among them. */
};

/* A floating IP as last compiled. */
struct fip_state {
    struct hmap_node node;          /* In engine's 'fips'. */
    struct uuid uuid;
    bool local;                     /* Compiled as local. */
};

struct engine {
    struct flow_set int_flows;
    struct flow_set tun_flows;
    struct shash ex_flows;          /* Bridge name -> struct flow_set. */
    struct hmap ports;
    struct hmap nets;
    struct hmap routers;
    struct hmap fips;
    char *gateways;                 /* Signature of the gateway chassis. */
    struct ovs_list announcements;  /* "struct engine_garp"s to send. */
    struct simap lvids;             /* Network UUID -> local VLAN. */
    unsigned long *lvid_used;
    bool lvids_loaded;
    struct smap lvid_set;           /* Allocations to persist. */
    struct sset lvid_unset;         /* Releases to persist. */
    struct simap vifs;              /* iface-id -> ofport, last run. */
    unsigned int vifs_gen;          /* engine_input's, for 'vifs'. */
    char *topology;                 /* Signature of the last topology. */
    struct engine_sg *sg;           /* Security groups. */
    struct uuid_set *new_nets;      /* During a run: networks that got
                                     * their local id (alloc_lvid()). */
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
    hmap_init(&e->routers);
    hmap_init(&e->fips);
    ovs_list_init(&e->announcements);
    simap_init(&e->lvids);
    e->lvid_used = bitmap_allocate(MAX_LVID + 1);
    bitmap_set1(e->lvid_used, 0);
    smap_init(&e->lvid_set);
    sset_init(&e->lvid_unset);
    simap_init(&e->vifs);
    e->sg = engine_sg_create();
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
        hmapx_destroy(&ns->routers);
        free(ns);
    }

    struct router_state *rs;
    HMAP_FOR_EACH_POP (rs, node, &e->routers) {
        free(rs->nets);
        free(rs);
    }
    struct fip_state *fs;
    HMAP_FOR_EACH_POP (fs, node, &e->fips) {
        free(fs);
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
    free(e->topology);
    engine_sg_destroy(e->sg);
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
        hmapx_init(&ns->routers);
        hmap_insert(&e->nets, &ns->node, uuid_hash(uuid));

        char *key = xasprintf(UUID_FMT, UUID_ARGS(uuid));
        ns->lvid = simap_get(&e->lvids, key);
        free(key);
    }
    return ns;
}

static bool
net_has_locals(const struct net_state *ns)
{
    return ns && hmapx_count(&ns->locals) > 0;
}

/* A network has flows here while it has a local port or an active router
 * here has an interface on it. */
static bool
net_is_active(const struct net_state *ns)
{
    return ns && (net_has_locals(ns) || ns->n_router_refs > 0);
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

/* Gives the object 'uuid' (a network or a router) a local id in '*lvid',
 * once, for as long as it exists. */
static void
alloc_id(struct engine *e, const struct uuid *uuid, uint16_t *idp)
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

static void
alloc_lvid(struct engine *e, struct net_state *ns)
{
    bool had = ns->lvid;

    alloc_id(e, &ns->uuid, &ns->lvid);
    if (!had && ns->lvid && e->new_nets) {
        uuid_set_add(e->new_nets, &ns->uuid);
    }
}

static void
release_id(struct engine *e, const struct uuid *uuid, uint16_t *idp)
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
add_routers_of_net(const struct net_state *ns, struct uuid_set *set)
{
    struct hmapx_node *hn;

    HMAPX_FOR_EACH (hn, &ns->routers) {
        const struct router_state *rs = hn->data;
        uuid_set_add(set, &rs->uuid);
    }
}

/* The port 'uuid', or NULL.  With conditional monitoring
 * (controller/nb-monitor) a port may arrive before its network: until
 * then it is not there. */
static const struct nbrec_port *
get_port(const struct engine_input *in, const struct uuid *uuid)
{
    const struct nbrec_port *row = NB_GET(port, in->nb_idl, uuid);
    return row && row->network ? row : NULL;
}

static void
update_port_state(struct engine *e, const struct engine_input *in,
                  const struct uuid *uuid, struct uuid_set *dirty_nets,
                  struct uuid_set *compile, struct uuid_set *dirty_routers)
{
    const struct nbrec_port *row = get_port(in, uuid);
    struct port_state *ps = find_port_state(e, uuid);
    struct net_state *ns;

    uuid_set_add(compile, uuid);

    /* Withdraw the old contribution. */
    if (ps && (ns = find_net_state(e, &ps->net))) {
        bool was_active = net_is_active(ns);
        if (ps->loc == L2_PORT_LOCAL) {
            hmapx_find_and_delete(&ns->locals, ps);
            if (!net_has_locals(ns)) {
                add_routers_of_net(ns, dirty_routers);
            }
        } else if (ps->loc == L2_PORT_REMOTE) {
            simap_increase(&ns->chassis, ps->chassis, -1);
            if (!simap_get(&ns->chassis, ps->chassis)) {
                simap_find_and_delete(&ns->chassis, ps->chassis);
            }
        }
        uuid_set_add(dirty_nets, &ns->uuid);
        if (was_active && !net_is_active(ns)) {
            const struct nbrec_network *net
                = NB_GET(network, in->nb_idl, &ns->uuid);
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
        if (!net_has_locals(ns)) {
            add_routers_of_net(ns, dirty_routers);
        }
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
    const struct nbrec_port *row = get_port(in, uuid);
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
    if (!error && port.location == L2_PORT_LOCAL) {
        services_compile_port(in->services, row, port.ofport,
                              &out.int_flows);
    }
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
        = NB_GET(network, in->nb_idl, uuid);
    struct net_state *ns = find_net_state(e, uuid);
    const struct ex_bridge *eb;
    struct l2_network l2net;
    struct l2_output out;
    char *error;

    remove_owner_everywhere(e, cookie);
    if (!row) {
        if (ns) {
            if (!hmapx_count(&ns->routers)) {
                release_id(e, &ns->uuid, &ns->lvid);
                hmap_remove(&e->nets, &ns->node);
                hmapx_destroy(&ns->locals);
                simap_destroy(&ns->chassis);
                hmapx_destroy(&ns->routers);
                free(ns);
            }
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

/* Routers and floating IPs. */

static struct router_state *
find_router_state(const struct engine *e, const struct uuid *uuid)
{
    struct router_state *rs;

    HMAP_FOR_EACH_WITH_HASH (rs, node, uuid_hash(uuid), &e->routers) {
        if (uuid_equals(&rs->uuid, uuid)) {
            return rs;
        }
    }
    return NULL;
}

static void
router_withdraw(struct engine *e, const struct engine_input *in,
                struct router_state *rs, struct uuid_set *dirty_nets,
                struct uuid_set *compile)
{
    for (size_t i = 0; i < rs->n_nets; i++) {
        struct net_state *ns = find_net_state(e, &rs->nets[i]);
        /* A network the router refers to twice counts once. */
        if (!ns || !hmapx_find_and_delete(&ns->routers, rs)) {
            continue;
        }
        if (rs->active) {
            ns->n_router_refs--;
            uuid_set_add(dirty_nets, &ns->uuid);
            if (!ns->n_router_refs) {
                /* No longer routed, maybe no longer active. */
                const struct nbrec_network *net
                    = NB_GET(network, in->nb_idl, &ns->uuid);
                if (net) {
                    add_ports_of_network(in, net, compile);
                }
            }
        }
    }
    free(rs->nets);
    rs->nets = NULL;
    rs->n_nets = rs->n_iface_nets = 0;
}

/* Adds to 'set' the other routers with an interface on a network where
 * router 'uuid' has one: which of them owns a shared subnet may change. */
static void
add_router_neighbors(const struct engine *e, const struct uuid *uuid,
                     struct uuid_set *set)
{
    const struct router_state *rs = find_router_state(e, uuid);

    for (size_t i = 0; rs && i < rs->n_iface_nets; i++) {
        const struct net_state *ns = find_net_state(e, &rs->nets[i]);
        if (ns) {
            add_routers_of_net(ns, set);
        }
    }
}

/* Re-evaluates router 'uuid': the networks it refers to, whether it is
 * active here and this chassis' gateway role. */
static void
update_router_state(struct engine *e, const struct engine_input *in,
                    const struct uuid *uuid, struct uuid_set *dirty_nets,
                    struct uuid_set *compile)
{
    const struct nbrec_router *row
        = NB_GET(router, in->nb_idl, uuid);
    struct router_state *rs = find_router_state(e, uuid);

    if (rs) {
        router_withdraw(e, in, rs, dirty_nets, compile);
    }
    if (!row) {
        if (rs) {
            release_id(e, &rs->uuid, &rs->lid);
            hmap_remove(&e->routers, &rs->node);
            free(rs);
        }
        return;
    }
    if (!rs) {
        rs = xzalloc(sizeof *rs);
        rs->uuid = *uuid;
        hmap_insert(&e->routers, &rs->node, uuid_hash(uuid));
        char *key = xasprintf(UUID_FMT, UUID_ARGS(uuid));
        rs->lid = simap_get(&e->lvids, key);
        free(key);
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
        rs->active |= net_has_locals(find_net_state(e, &net->header_.uuid));
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
        alloc_id(e, uuid, &rs->lid);
        rs->active = rs->lid != 0;
    }

    for (size_t i = 0; i < rs->n_nets; i++) {
        struct net_state *ns = get_net_state(e, &rs->nets[i]);
        if (!hmapx_add(&ns->routers, rs) || !rs->active) {
            continue;
        }
        bool was_active = net_is_active(ns);
        if (!ns->n_router_refs++) {
            const struct nbrec_network *net
                = NB_GET(network, in->nb_idl, &ns->uuid);
            if (!was_active) {
                alloc_lvid(e, ns);
            }
            if (net) {
                add_ports_of_network(in, net, compile);
            }
        }
        uuid_set_add(dirty_nets, &ns->uuid);
    }
}

/* True if another router with a smaller UUID has an interface on
 * 'subnet' (a subnet belongs to one router; the others are skipped). */
static bool
subnet_taken(const struct engine *e, const struct engine_input *in,
             const struct nbrec_router *row, const struct nbrec_port *port,
             const struct nbrec_subnet *subnet)
{
    const struct net_state *ns = find_net_state(e,
                                                &port->network->header_.uuid);
    struct hmapx_node *hn;

    HMAPX_FOR_EACH (hn, &ns->routers) {
        const struct router_state *other = hn->data;
        const struct nbrec_router *orow;

        if (uuid_compare_3way(&other->uuid, &row->header_.uuid) >= 0
            || !(orow = NB_GET(router, in->nb_idl,
                                                  &other->uuid))) {
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
        = find_net_state(e, &port->network->header_.uuid);
    iface->nb = port;
    error = l3_iface_parse(port, iface);
    if (!error) {
        error = l2_network_segment(port->network, &iface->tunnelled,
                                   &segment);
    }
    if (error) {
        log_error(e, error);
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
static bool
describe_router(struct engine *e, const struct engine_input *in,
                const struct router_state *rs, struct l3_router *r,
                struct l3_iface **ifacesp, ofp_port_t **tunnelsp)
{
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
            log_error(e, xasprintf("router "UUID_FMT": subnet "UUID_FMT
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
        const struct nbrec_port *gp = row->gateway_port;
        r->gw_role = rs->role;
        for (size_t j = 0; j < gp->n_fixed_ips; j++) {
            const struct nbrec_subnet *sn = gp->fixed_ips[j]->subnet;
            if (sn && sn->gateway_ip && ip_parse(sn->gateway_ip,
                                                 &r->gw_nexthop)) {
                break;
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

static void
queue_garp(struct engine *e, uint16_t lvid, ovs_be32 ip, struct eth_addr mac)
{
    struct engine_garp *g = xmalloc(sizeof *g);

    g->lvid = lvid;
    g->ip = ip;
    g->mac = mac;
    ovs_list_push_back(&e->announcements, &g->list_node);
}

static void
compile_router(struct engine *e, const struct engine_input *in,
               const struct uuid *uuid)
{
    uint64_t cookie = flow_cookie_from_uuid(uuid);
    struct router_state *rs = find_router_state(e, uuid);
    struct l3_iface *ifaces = NULL;
    ofp_port_t *tunnels = NULL;
    struct l3_router r;

    if (!rs || !describe_router(e, in, rs, &r, &ifaces, &tunnels)) {
        if (rs) {
            rs->announced = false;
        }
        remove_owner_everywhere(e, cookie);
        free(ifaces);
        free(tunnels);
        return;
    }

    struct l3_output out;
    const char *error;
    size_t i;

    l3_output_init(&out);
    l3_compile_router(&r, &out);
    SVEC_FOR_EACH (i, error, &out.errors) {
        log_error(e, xstrdup(error));
    }
    /* Announce the gateway IP when this chassis becomes active. */
    bool active = r.gw_role == L3_GW_ACTIVE;
    if (active && !rs->announced) {
        queue_garp(e, r.gw.lvid, r.gw.ip, r.gw.mac);
    }
    rs->announced = active;
    flow_set_replace_owner(&e->int_flows, cookie, &out.int_flows);
    flow_set_replace_owner(&e->tun_flows, cookie, &out.tun_flows);
    l3_output_destroy(&out);
    free(ifaces);
    free(tunnels);
}

static struct fip_state *
find_fip_state(const struct engine *e, const struct uuid *uuid)
{
    struct fip_state *fs;

    HMAP_FOR_EACH_WITH_HASH (fs, node, uuid_hash(uuid), &e->fips) {
        if (uuid_equals(&fs->uuid, uuid)) {
            return fs;
        }
    }
    return NULL;
}

/* The VM address a floating IP maps to: its fixed_ip_address or the
 * port's first IPv4 address. */
static bool
fip_vm_ip(const struct nbrec_floating_ip *row, ovs_be32 *ip)
{
    if (row->fixed_ip_address && ip_parse(row->fixed_ip_address, ip)) {
        return true;
    }
    for (size_t i = 0; row->port && i < row->port->n_fixed_ips; i++) {
        if (ip_parse(row->port->fixed_ips[i]->ip_address, ip)) {
            return true;
        }
    }
    return false;
}

static void
compile_fip(struct engine *e, const struct engine_input *in,
            const struct uuid *uuid)
{
    uint64_t cookie = flow_cookie_from_uuid(uuid);
    const struct nbrec_floating_ip *row
        = NB_GET(floating_ip, in->nb_idl, uuid);
    struct fip_state *fs = find_fip_state(e, uuid);
    const struct net_state *ext;
    struct l3_iface *ifaces = NULL;
    ofp_port_t *tunnels = NULL;
    struct l3_router r;
    struct l3_fip f;

    remove_owner_everywhere(e, cookie);
    if (!row) {
        if (fs) {
            hmap_remove(&e->fips, &fs->node);
            free(fs);
        }
        return;
    }
    if (!fs) {
        fs = xzalloc(sizeof *fs);
        fs->uuid = *uuid;
        hmap_insert(&e->fips, &fs->node, uuid_hash(uuid));
    }
    if (!row->floating_network || !row->floating_port) {
        fs->local = false;      /* Not monitored (yet). */
        return;
    }
    ext = find_net_state(e, &row->floating_network->header_.uuid);
    if (!net_is_active(ext) || !ext->lvid) {
        fs->local = false;
        return;
    }

    memset(&f, 0, sizeof f);
    f.nb = row;
    f.ext_lvid = ext->lvid;
    if (!ip_parse(row->floating_ip_address, &f.fip)
        || !eth_addr_from_string(row->floating_port->mac_address, &f.mac)) {
        log_error(e, xasprintf("floating IP "UUID_FMT": invalid address or "
                               "MAC", UUID_ARGS(uuid)));
        fs->local = false;
        return;
    }
    if (row->port) {
        const struct port_state *ps = find_port_state(
            e, &row->port->header_.uuid);
        const struct router_state *rs = row->router
            ? find_router_state(e, &row->router->header_.uuid) : NULL;

        if (!fip_vm_ip(row, &f.vm_ip)) {
            log_error(e, xasprintf("floating IP "UUID_FMT": port "UUID_FMT
                                   " has no IPv4 address", UUID_ARGS(uuid),
                                   UUID_ARGS(&row->port->header_.uuid)));
        } else if (ps && ps->loc == L2_PORT_LOCAL && rs
                   && describe_router(e, in, rs, &r, &ifaces, &tunnels)) {
            f.local = true;
            f.vm_ofport = ps->ofport;
            f.router = &r;
        }
    }

    struct l3_output out;
    l3_output_init(&out);
    char *error = l3_compile_fip(&f, &out);
    if (error) {
        log_error(e, error);
        f.local = false;
    } else {
        flow_set_replace_owner(&e->int_flows, cookie, &out.int_flows);
    }
    if (f.local && !fs->local) {
        queue_garp(e, f.ext_lvid, f.fip, f.mac);
    }
    fs->local = f.local;
    l3_output_destroy(&out);
    free(ifaces);
    free(tunnels);
}

/* Adds the floating IPs of port 'port_uuid' or router 'router_uuid'. */
static void
add_fips_of(const struct engine_input *in, struct ovsdb_idl_index *index,
            bool by_port, const struct uuid *uuid, struct uuid_set *set)
{
    struct nbrec_floating_ip *target = nbrec_floating_ip_index_init_row(index);
    const struct nbrec_floating_ip *fip;

    if (by_port) {
        const struct nbrec_port *port
            = NB_GET(port, in->nb_idl, uuid);
        if (!port) {
            nbrec_floating_ip_index_destroy_row(target);
            return;
        }
        nbrec_floating_ip_index_set_port(target, port);
    } else {
        const struct nbrec_router *router
            = NB_GET(router, in->nb_idl, uuid);
        if (!router) {
            nbrec_floating_ip_index_destroy_row(target);
            return;
        }
        nbrec_floating_ip_index_set_router(target, router);
    }
    NBREC_FLOATING_IP_FOR_EACH_EQUAL (fip, target, index) {
        uuid_set_add(set, &fip->header_.uuid);
    }
    nbrec_floating_ip_index_destroy_row(target);
}

/* Adds the floating IP whose address port 'uuid' holds, if it is one: its
 * flows depend on the port's network being active here. */
static void
add_fip_of_floating_port(const struct engine_input *in,
                         const struct uuid *uuid, struct uuid_set *set)
{
    const struct nbrec_port *port = nbrec_port_get_for_uuid(in->nb_idl, uuid);
    const struct nbrec_floating_ip *fip;
    struct uuid fip_uuid;

    if (port && !strcmp(port->device_owner, "network:floatingip")
        && uuid_from_string(&fip_uuid, port->device_id)
        && (fip = nbrec_floating_ip_get_for_uuid(in->nb_idl, &fip_uuid))
        && fip->floating_port == port) {
        uuid_set_add(set, &fip_uuid);
    }
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
    struct uuid_set dirty_ports, new_nets, dirty_nets, compile;
    struct uuid_set dirty_routers, dirty_fips;
    char *topology = topology_signature(in);
    bool full = e->full || !e->topology || strcmp(topology, e->topology);
    char *gateways = gateway_signature(in->nb_idl, &in->ports->bfd_down);
    bool gateways_changed = !e->gateways || strcmp(gateways, e->gateways);

    free(e->topology);
    e->topology = topology;
    free(e->gateways);
    e->gateways = gateways;
    if (!e->lvids_loaded) {
        load_lvids(e, &in->ports->lvids);
    }

    struct simap_node *sn;
    uuid_set_init(&dirty_ports);
    uuid_set_init(&new_nets);
    e->new_nets = &new_nets;
    uuid_set_init(&dirty_nets);
    uuid_set_init(&compile);
    uuid_set_init(&dirty_routers);
    uuid_set_init(&dirty_fips);
    e->stats.last_n_ports = 0;

    if (full) {
        const struct nbrec_port *port;
        const struct nbrec_network *net;
        const struct nbrec_router *router;
        const struct nbrec_floating_ip *fip;

        clear_states(e);
        flow_set_clear(&e->int_flows);
        flow_set_clear(&e->tun_flows);
        clear_ex_flows(e);
        engine_sg_clear(e->sg);
        compile_skeleton(e, in);
        NBREC_NETWORK_FOR_EACH (net, in->nb_idl) {
            uuid_set_add(&dirty_nets, &net->header_.uuid);
        }
        NBREC_PORT_FOR_EACH (port, in->nb_idl) {
            uuid_set_add(&dirty_ports, &port->header_.uuid);
        }
        NBREC_ROUTER_FOR_EACH (router, in->nb_idl) {
            uuid_set_add(&dirty_routers, &router->header_.uuid);
        }
        NBREC_FLOATING_IP_FOR_EACH (fip, in->nb_idl) {
            uuid_set_add(&dirty_fips, &fip->header_.uuid);
        }
    } else {
        const struct nbrec_network *net;
        const struct nbrec_port *port;
        const struct nbrec_port_binding *pb;
        const struct nbrec_router *router;
        const struct nbrec_floating_ip *fip;
        const struct nbrec_subnet *subnet;

        NBREC_NETWORK_FOR_EACH_TRACKED (net, in->nb_idl) {
            uuid_set_add(&dirty_nets, &net->header_.uuid);
            if (!nbrec_network_is_deleted(net)) {
                add_ports_of_network(in, net, &dirty_ports);
            }
        }
        NBREC_PORT_FOR_EACH_TRACKED (port, in->nb_idl) {
            struct uuid router_uuid;
            uuid_set_add(&dirty_ports, &port->header_.uuid);
            if (!strncmp(port->device_owner, "network:router", 14)
                && uuid_from_string(&router_uuid, port->device_id)) {
                uuid_set_add(&dirty_routers, &router_uuid);
            }
        }
        NBREC_ROUTER_FOR_EACH_TRACKED (router, in->nb_idl) {
            uuid_set_add(&dirty_routers, &router->header_.uuid);
        }
        NBREC_FLOATING_IP_FOR_EACH_TRACKED (fip, in->nb_idl) {
            uuid_set_add(&dirty_fips, &fip->header_.uuid);
        }
        NBREC_SUBNET_FOR_EACH_TRACKED (subnet, in->nb_idl) {
            if (!subnet->network) {
                continue;
            }
            const struct net_state *ns = find_net_state(
                e, &subnet->network->header_.uuid);
            if (ns) {
                add_routers_of_net(ns, &dirty_routers);
            }
            if (services_subnet_changed(subnet)) {
                add_ports_of_network(in, subnet->network, &compile);
            }
        }
        if (gateways_changed) {
            NBREC_ROUTER_FOR_EACH (router, in->nb_idl) {
                if (router->gateway_port) {
                    uuid_set_add(&dirty_routers, &router->header_.uuid);
                }
            }
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
                          &compile, &dirty_routers);
    }
    /* The routers beside a changed one, on its networks before the change
     * (an interface removed gives its subnet back) and after. */
    size_t n_dirty_routers = dirty_routers.n;
    for (size_t i = 0; !full && i < n_dirty_routers; i++) {
        add_router_neighbors(e, &dirty_routers.order[i], &dirty_routers);
    }
    for (size_t i = 0; i < dirty_routers.n; i++) {
        update_router_state(e, in, &dirty_routers.order[i], &dirty_nets,
                            &compile);
    }
    n_dirty_routers = dirty_routers.n;
    for (size_t i = 0; !full && i < n_dirty_routers; i++) {
        add_router_neighbors(e, &dirty_routers.order[i], &dirty_routers);
    }
    /* A network that got its local id: its ports' addresses now count in
     * the remote groups that have them (engine-sg). */
    for (size_t i = 0; i < new_nets.n; i++) {
        const struct nbrec_network *net
            = NB_GET(network, in->nb_idl, &new_nets.order[i]);
        if (net) {
            add_ports_of_network(in, net, &dirty_ports);
        }
    }
    e->new_nets = NULL;
    engine_sg_run(e->sg, in, &e->lvids, dirty_ports.order, dirty_ports.n,
                  &e->int_flows);
    for (size_t i = 0; i < compile.n; i++) {
        compile_port(e, in, &compile.order[i]);
        if (!full) {
            add_fips_of(in, in->fips_by_port, true, &compile.order[i],
                        &dirty_fips);
            add_fip_of_floating_port(in, &compile.order[i], &dirty_fips);
        }
    }
    for (size_t i = 0; i < dirty_nets.n; i++) {
        compile_network(e, in, &dirty_nets.order[i]);
    }
    for (size_t i = 0; i < dirty_routers.n; i++) {
        compile_router(e, in, &dirty_routers.order[i]);
        if (!full) {
            add_fips_of(in, in->fips_by_router, false,
                        &dirty_routers.order[i], &dirty_fips);
        }
    }
    for (size_t i = 0; i < dirty_fips.n; i++) {
        compile_fip(e, in, &dirty_fips.order[i]);
    }

    uuid_set_destroy(&dirty_ports);
    uuid_set_destroy(&new_nets);
    uuid_set_destroy(&dirty_nets);
    uuid_set_destroy(&compile);
    uuid_set_destroy(&dirty_routers);
    uuid_set_destroy(&dirty_fips);

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
