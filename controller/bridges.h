/*
 * controller/bridges: creates and repairs the bridges dvr-controller owns
 * (the integration bridge, the tunnel bridge, and each provider bridge
 * named in the bridge mappings), their patch ports, and one tunnel port
 * per remote chassis on the tunnel bridge.  Bridges it does not own are
 * never touched.
 *
 * bridges_run() writes to the local Open_vSwitch database in 'txn' (if
 * any) and reports, in 'struct bridge_ports', the OpenFlow port numbers
 * the compiler needs, as far as ovs-vswitchd has assigned them.
 */

#ifndef CONTROLLER_BRIDGES_H
#define CONTROLLER_BRIDGES_H 1

#include <stdbool.h>

#include "openvswitch/shash.h"
#include "openvswitch/types.h"
#include "smap.h"
#include "simap.h"
#include "sset.h"

struct dvr_config;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct nbrec_chassis;
struct sset;

/* A provider bridge. */
struct ex_bridge {
    char *physnet;
    char *bridge;
    ofp_port_t int_patch;           /* On br-int, to this bridge. */
    ofp_port_t ex_patch;            /* On this bridge, to br-int. */
};

struct bridge_ports {
    ofp_port_t int_patch_tun;       /* br-int -> br-tun. */
    ofp_port_t tun_patch_int;       /* br-tun -> br-int. */
    struct simap tunnels;           /* Remote chassis name -> ofport. */
    struct shash ex_bridges;        /* physnet -> struct ex_bridge. */
    struct simap vifs;              /* iface-id -> br-int ofport. */
    struct smap lvids;              /* Network UUID -> local VLAN, as
                                     * persisted in br-int external_ids. */
    struct sset bfd_down;           /* Remote chassis whose tunnel has BFD
                                     * and BFD says it is not forwarding. */
};

void bridge_ports_init(struct bridge_ports *);
void bridge_ports_destroy(struct bridge_ports *);
void bridge_ports_move(struct bridge_ports *dst, struct bridge_ports *src);

/* The remote chassis to tunnel to: name -> (encap type, IP). */
struct remote_chassis {
    const char *name;
    const char *encap_type;
    const char *encap_ip;
    bool bfd;                       /* Run BFD on the tunnel. */
};

void bridges_run(struct ovsdb_idl_txn *, struct ovsdb_idl *ovs_idl,
                 const struct dvr_config *,
                 const struct remote_chassis *, size_t n_remotes,
                 struct bridge_ports *);

/* Persists local VLAN allocations in br-int's external_ids: sets 'set'
 * (network UUID -> lvid) and removes the keys in 'unset'. */
void bridges_store_lvids(struct ovsdb_idl_txn *, struct ovsdb_idl *,
                         const struct dvr_config *, const struct smap *set,
                         const struct sset *unset);

/* Names the tables of the bridges (Flow_Table rows). */
void bridges_name_tables(struct ovsdb_idl_txn *, struct ovsdb_idl *,
                         const struct dvr_config *);

#endif /* controller/bridges.h */
