/*
 * controller/engine: turns the NB database and this chassis' bridges into
 * desired flow sets, incrementally.
 *
 * Each run looks at what changed since the previous one (the NB IDL's
 * tracked rows, the VIFs on br-int) and recompiles only the ports and
 * networks concerned: a port's own flows, and its network's shared flows
 * (flood lists, segment translation) when its membership changed.  A
 * change of topology (patch or tunnel port numbers, configuration) or an
 * explicit request recompiles everything; both paths call the same
 * compiler and give the same flows.
 *
 * Networks get flows only while they have a local port or a router
 * active here has an interface on them ("active"); a network becoming
 * active or inactive recompiles its ports.  A router is active where one
 * of its tenant subnets has a local port and on the gateway chassis; its
 * floating IPs are compiled with it and with their ports.
 *
 * The modules (one per kind of object) and the table of what dirties what
 * are described in engine-private.h and engine.c.
 */

#ifndef CONTROLLER_ENGINE_H
#define CONTROLLER_ENGINE_H 1

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/list.h"
#include "openvswitch/shash.h"
#include "openvswitch/types.h"
#include "packets.h"

struct bridge_ports;
struct ds;
struct dvr_config;
struct flow_set;
struct ovsdb_idl;
struct ovsdb_idl_index;
struct qos_meters;
struct services_chassis;
struct smap;
struct sset;

struct engine_input {
    const struct dvr_config *cfg;
    const struct services_chassis *services; /* DHCP and metadata. */
    struct ovsdb_idl *nb_idl;
    struct ovsdb_idl_index *ports_by_network;
    struct ovsdb_idl_index *bindings_by_port;
    struct ovsdb_idl_index *fips_by_port;
    struct ovsdb_idl_index *fips_by_router;
    struct ovsdb_idl_index *pfs_by_fip;     /* Port_Forwarding.floating_ip */
    struct ovsdb_idl_index *pfs_by_port;    /* Port_Forwarding.port */
    const struct bridge_ports *ports;
    unsigned int vifs_gen;          /* Changes when ports->vifs changes. */
    unsigned int ports_gen;         /* Changes when 'ports' was computed
                                     * again; 0: unknown, compare them. */
};

struct engine_stats {
    uint64_t n_runs;
    uint64_t n_full;
    long long int last_usec;        /* Duration of the last run. */
    long long int last_full_usec;   /* Duration of the last full run. */
    uint64_t last_n_ports;          /* Ports compiled by the last run. */
    uint64_t n_errors;              /* Rows skipped for invalid values. */
};

struct engine *engine_create(void);
void engine_destroy(struct engine *);
void engine_force_full(struct engine *);
bool engine_run(struct engine *, const struct engine_input *);

struct flow_set *engine_int_flows(struct engine *);
struct flow_set *engine_tun_flows(struct engine *);
const struct shash *engine_ex_flows(const struct engine *);

/* An address to announce by gratuitous ARP on a network: a floating IP
 * that arrived on this chassis, a gateway that became active here. */
struct engine_garp {
    struct ovs_list list_node;
    uint16_t lvid;
    ovs_be32 ip;
    struct eth_addr mac;
};

/* Moves the announcements queued by the last runs to 'garps'. */
void engine_take_garps(struct engine *, struct ovs_list *garps);

/* Local VLAN allocations made or released since the last call. */
void engine_take_lvid_changes(struct engine *, struct smap *set,
                              struct sset *unset);

/* The meters the flows of engine_int_flows() use (pipeline/qos.h). */
const struct qos_meters *engine_qos_meters(const struct engine *);

const struct engine_stats *engine_get_stats(const struct engine *);
const struct engine_sg *engine_get_sg(const struct engine *);
size_t engine_n_local_ports(const struct engine *);
void engine_format_local_ports(const struct engine *, struct ds *);

#endif /* controller/engine.h */
