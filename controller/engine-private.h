/*
 * controller/engine-private: what the modules of controller/engine share,
 * and nothing outside them includes.
 *
 * The engine is one small runner (controller/engine.c) and one module per
 * kind of object it keeps state for:
 *   - controller/engine-net.c: networks (members, local VLAN, shared flows);
 *   - controller/engine-port.c: ports (location, their own flows);
 *   - dvr/engine-router.c: routers (active here, gateway role, flows);
 *   - dvr/engine-fip.c: floating IPs;
 *   - controller/engine-sg.c: security groups (its own header);
 *   - controller/engine-qos.c: QoS, part of the ports' own flows.
 *
 * A run works on sets of dirty objects, one per "struct engine_set" kind
 * below.  What dirties what is declared in ONE place, the table of edges in
 * controller/engine.c: when a change of some source happens (an NB row the
 * IDL tracked, a VIF, a module's state changing), engine_changed() walks
 * every edge from that source and lets its function add the objects it
 * dirties to the edge's target set.  Modules never add to another kind's
 * set themselves: they report their state changes with engine_changed().
 *
 * Contract of a module: its update function re-evaluates one object's
 * state from the input (and reports what changed); its compile function
 * replaces that object's flows (owner = its cookie) and changes no state
 * but that object's own.  Both are called for every object in a full run,
 * through the same code.  A new kind of object is a new module, its set
 * and sources here, its lines in engine_edges[] and its stage in
 * engine_run().
 */

#ifndef CONTROLLER_ENGINE_PRIVATE_H
#define CONTROLLER_ENGINE_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>

#include "controller/engine.h"
#include "dvr/l3.h"
#include "hmapx.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/shash.h"
#include "openvswitch/types.h"
#include "pipeline/services.h"
#include "openvswitch/uuid.h"
#include "pipeline/flow.h"
#include "pipeline/l2.h"
#include "pipeline/qos.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"

struct ex_bridge;
struct nbrec_network;
struct nbrec_port;
struct ovsdb_idl_row;

#define MAX_LVID 4094

/* A set of UUIDs, in insertion order. */
struct uuid_set {
    struct hmap map;
    struct uuid *order;
    size_t n, allocated;
};

void uuid_set_init(struct uuid_set *);
void uuid_set_destroy(struct uuid_set *);
bool uuid_set_add(struct uuid_set *, const struct uuid *);

/* The sets of dirty objects a run works on, in the order the run handles
 * them (engine_run() in engine.c). */
enum engine_set {
    ENGINE_PORT,                /* Ports whose location and membership are
                                 * re-evaluated. */
    ENGINE_ROUTER,              /* Routers re-evaluated and recompiled
                                 * (the neighbours added after the update:
                                 * recompiled only). */
    ENGINE_SG_PORT,             /* Ports whose security group flows are
                                 * recompiled (controller/engine-sg). */
    ENGINE_L2_PORT,             /* Ports whose own flows are recompiled. */
    ENGINE_NET,                 /* Networks whose shared flows are
                                 * recompiled. */
    ENGINE_FIP,                 /* Floating IPs recompiled. */
    ENGINE_N_SETS
};

/* The sources of changes: the edges' "from". */
enum engine_source {
    /* Input: NB rows the IDL tracked (the row is given, deleted rows
     * included), the gateway chassis, the VIFs on br-int. */
    ENGINE_SRC_NB_NETWORK,
    ENGINE_SRC_NB_PORT,
    ENGINE_SRC_NB_ROUTER,
    ENGINE_SRC_NB_FIP,
    ENGINE_SRC_NB_PF,           /* A Port_Forwarding row. */
    ENGINE_SRC_NB_SUBNET,
    ENGINE_SRC_GATEWAYS,        /* No object: the signature changed. */
    ENGINE_SRC_NB_BINDING,
    ENGINE_SRC_NB_QOS,          /* A QoS policy. */
    ENGINE_SRC_NB_QOS_RULE,     /* A QoS rule. */
    ENGINE_SRC_VIF,             /* A port's VIF appeared, moved or left. */
    ENGINE_SRC_NB_TRUNK,

    /* State changes the modules report. */
    ENGINE_SRC_PORT,            /* A port is re-evaluated. */
    ENGINE_SRC_NET_LOCAL,       /* A network got its first or lost its last
                                 * local port. */
    ENGINE_SRC_NET_MEMBERS,     /* A network's members or active routers
                                 * changed. */
    ENGINE_SRC_NET_STATE,       /* A network became active or inactive,
                                 * routed or not routed. */
    ENGINE_SRC_NET_LVID,        /* A network got its local VLAN. */
    ENGINE_SRC_ROUTER_NETS,     /* A router is (about to be) re-evaluated:
                                 * its networks' routers may change. */

    /* Compiles (incremental runs only: a full run has every object of
     * every kind dirty already). */
    ENGINE_SRC_PORT_COMPILED,
    ENGINE_SRC_ROUTER_COMPILED,
    ENGINE_N_SOURCES
};

/* One change: the object 'uuid' of 'source' (NULL for
 * ENGINE_SRC_GATEWAYS) and, for an NB input, the tracked row. */
struct engine_change {
    enum engine_source source;
    const struct uuid *uuid;
    const struct ovsdb_idl_row *row;
};

struct engine;

/* Adds to 'dirty' the objects 'change' dirties. */
typedef void engine_dirty_fn(const struct engine *,
                             const struct engine_input *,
                             const struct engine_change *,
                             struct uuid_set *dirty);

/* An edge of the dependency graph: a change of 'source' dirties the
 * objects of 'target' that 'dirty' finds, because of 'why'. */
struct engine_edge {
    enum engine_source source;
    enum engine_set target;
    engine_dirty_fn *dirty;
    const char *why;
};

/* What a port contributed to its network when it was last looked at. */
struct port_state {
    struct hmap_node node;          /* In engine's 'ports'. */
    struct uuid uuid;
    struct uuid net;
    enum l2_port_location loc;
    ofp_port_t ofport;              /* L2_PORT_LOCAL. */
    char *chassis;                  /* L2_PORT_REMOTE. */

    /* A local subport of a trunk (controller/engine-trunk.c): 'ofport' is
     * TRUNK_OFPORT(sub_id), a pseudo port (pipeline/trunk.h). */
    bool subport;
    uint16_t sub_id;                /* Local id, 0 unless a local subport;
                                     * from the pool of local VLANs. */
    ofp_port_t parent;              /* The parent's VIF. */
    uint16_t vlan;                  /* Its segmentation id. */
    struct uuid trunk;              /* The trunk that made it local. */
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
    struct uuid qos_port;           /* Its port, if it has a QoS policy
                                     * too; else all-zero. */
};

struct engine {
    struct flow_set int_flows;
    struct flow_set tun_flows;
    struct shash ex_flows;          /* Bridge name -> struct flow_set. */
    struct hmap ports;              /* "struct port_state"s. */
    struct hmap nets;               /* "struct net_state"s. */
    struct hmap routers;            /* "struct router_state"s. */
    struct hmap fips;               /* "struct fip_state"s. */
    char *gateways;                 /* Signature of the gateway chassis. */
    struct ovs_list announcements;  /* "struct engine_garp"s to send. */
    struct simap lvids;             /* Network UUID -> local VLAN. */
    unsigned long *lvid_used;
    bool lvids_loaded;
    struct smap lvid_set;           /* Allocations to persist. */
    struct sset lvid_unset;         /* Releases to persist. */
    struct simap vifs;              /* iface-id -> ofport, last run. */
    struct simap subports;          /* Local subport -> pseudo ofport. */
    unsigned int vifs_gen;          /* engine_input's, for 'vifs'. */
    char *topology;                 /* Signature of the last topology. */
    unsigned int ports_gen;         /* engine_input's, for 'topology'. */
    struct services_chassis services; /* The last run's, for 'topology'. */
    struct engine_sg *sg;           /* Security groups. */
    struct qos_meters qos_meters;   /* The VIFs' QoS meters (br-int). */
    bool full;
    struct engine_stats stats;

    /* During a run. */
    const struct engine_input *in;
    struct uuid_set *dirty;         /* ENGINE_N_SETS sets. */
    struct uuid_set *new_nets;      /* Networks that got their local id
                                     * (engine_net_alloc_lvid()). */
    bool run_full;
};

/* controller/engine.c: the runner and what the modules share. */
void engine_changed(struct engine *, enum engine_source,
                    const struct uuid *, const struct ovsdb_idl_row *);
engine_dirty_fn engine_dirty_self;
void engine_alloc_id(struct engine *, const struct uuid *, uint16_t *idp);
void engine_release_id(struct engine *, const struct uuid *, uint16_t *idp);
uint16_t engine_persisted_id(const struct engine *, const struct uuid *);
void engine_log_error(struct engine *, char *error);
void engine_queue_garp(struct engine *, uint16_t lvid, ovs_be32 ip,
                       struct eth_addr mac);
struct flow_set *engine_ex_flow_set(struct engine *, const char *bridge);
void engine_remove_owner_everywhere(struct engine *, uint64_t cookie);

/* controller/engine-net.c: networks. */
struct net_state *engine_net_find(const struct engine *,
                                  const struct uuid *);
struct net_state *engine_net_get(struct engine *, const struct uuid *);
bool engine_net_has_locals(const struct net_state *);
bool engine_net_is_active(const struct net_state *);
void engine_net_alloc_lvid(struct engine *, struct net_state *);
char *engine_net_describe(const struct engine_input *,
                          const struct nbrec_network *,
                          const struct net_state *, struct l2_network *,
                          const struct ex_bridge **);
void engine_net_compile(struct engine *, const struct uuid *);
void engine_net_clear(struct engine *);
engine_dirty_fn engine_net_dirty_ports;
engine_dirty_fn engine_net_dirty_routers;
engine_dirty_fn engine_nb_network_dirty_ports;
engine_dirty_fn engine_nb_subnet_dirty_routers;
engine_dirty_fn engine_nb_subnet_dirty_ports;

/* controller/engine-port.c: ports. */
const struct nbrec_port *engine_port_row(const struct engine_input *,
                                         const struct uuid *);
struct port_state *engine_port_find(const struct engine *,
                                    const struct uuid *);
void engine_port_update(struct engine *, const struct uuid *);
void engine_port_compile(struct engine *, const struct uuid *);
void engine_port_clear(struct engine *);
engine_dirty_fn engine_nb_binding_dirty_port;

/* controller/engine-trunk.c: trunks' subports. */
bool engine_trunk_locate(struct engine *, const struct nbrec_port *,
                         struct port_state *);
void engine_trunk_release(struct engine *, struct port_state *);
engine_dirty_fn engine_nb_trunk_dirty_ports;
engine_dirty_fn engine_vif_dirty_subports;

/* dvr/engine-router.c: routers. */
struct router_state *engine_router_find(const struct engine *,
                                        const struct uuid *);
void engine_router_update(struct engine *, const struct uuid *);
bool engine_router_describe(struct engine *, const struct router_state *,
                            struct l3_router *, struct l3_iface **ifacesp,
                            ofp_port_t **tunnelsp);
void engine_router_compile(struct engine *, const struct uuid *);
void engine_router_clear(struct engine *);
engine_dirty_fn engine_router_dirty_neighbors;
engine_dirty_fn engine_nb_port_dirty_router;
engine_dirty_fn engine_gateways_dirty_routers;

/* dvr/engine-fip.c: floating IPs. */
void engine_fip_compile(struct engine *, const struct uuid *);
void engine_fip_clear(struct engine *);
engine_dirty_fn engine_port_dirty_fips;
engine_dirty_fn engine_port_dirty_floating_fip;
engine_dirty_fn engine_router_dirty_fips;
engine_dirty_fn engine_nb_pf_dirty_fip;
engine_dirty_fn engine_nb_fip_dirty_qos_siblings;
engine_dirty_fn engine_port_dirty_pf_fips;

/* controller/engine-qos.c: QoS. */
void engine_qos_compile_port(struct engine *, const struct nbrec_port *,
                             ofp_port_t, uint64_t cookie,
                             struct flow_list *);
void engine_qos_remove_port(struct engine *, uint64_t cookie);
engine_dirty_fn engine_nb_qos_dirty_ports;
engine_dirty_fn engine_nb_qos_rule_dirty_ports;
engine_dirty_fn engine_nb_qos_dirty_fips;
engine_dirty_fn engine_nb_qos_rule_dirty_fips;
engine_dirty_fn engine_nb_qos_dirty_routers;
engine_dirty_fn engine_nb_qos_rule_dirty_routers;

#endif /* controller/engine-private.h */
