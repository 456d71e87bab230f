/*
 * pipeline/l2: the L2 compiler.  Pure functions from NB rows, resolved for
 * this chassis by the caller, to flows on br-int, br-tun and br-ex.
 *
 * Contract
 *   - No I/O and no logging: a row with an invalid value produces no flow
 *     and an error string (malloc'd, naming the row and the field) that
 *     the caller logs.
 *   - A port's flows carry the port's cookie, a network's flows the
 *     network's, the skeleton COOKIE_STATIC (pipeline/tables.h), so that a
 *     change to one row replaces only that row's flows.
 *   - Flows are compiled only for networks with at least one local port
 *     ("active"); the caller decides that and calls accordingly.
 */

#ifndef PIPELINE_L2_H
#define PIPELINE_L2_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "pipeline/flow.h"

struct nbrec_network;
struct nbrec_port;
struct trunk_subport;

/* Per-bridge outputs of one compile step. */
struct l2_output {
    struct flow_list int_flows;     /* br-int. */
    struct flow_list tun_flows;     /* br-tun. */
    struct flow_list ex_flows;      /* The network's provider bridge. */
};

void l2_output_init(struct l2_output *);
void l2_output_destroy(struct l2_output *);

/* The chassis-wide ports the skeleton needs. */
struct l2_bridges {
    ofp_port_t int_patch_tun;       /* br-int's patch port to br-tun. */
    ofp_port_t tun_patch_int;       /* br-tun's patch port to br-int. */
};

/* A network as this chassis sees it. */
struct l2_network {
    const struct nbrec_network *nb;
    uint16_t lvid;                  /* Local VLAN (1..4094). */
    bool tunnelled;                 /* vxlan/geneve (else flat/vlan). */
    uint32_t vni;                   /* Tunnelled: the VNI. */
    ofp_port_t int_uplink;          /* br-int's port towards the network:
                                     * patch to br-tun or to br-ex. */
    ofp_port_t tun_patch;           /* Tunnelled: br-tun's patch to br-int. */
    ofp_port_t ex_patch;            /* Provider: br-ex's patch to br-int. */
    bool routed;                    /* A router here has an interface on
                                     * it: its ports are next hops. */
    const ofp_port_t *local_ports;  /* VIFs of the network on br-int. */
    size_t n_local_ports;
    const ofp_port_t *tunnels;      /* br-tun ports to chassis with a port
                                     * of this network. */
    size_t n_tunnels;
};

enum l2_port_location {
    L2_PORT_LOCAL,                  /* Bound on this chassis. */
    L2_PORT_REMOTE,                 /* Bound on another chassis. */
    L2_PORT_UNBOUND,                /* Not bound anywhere reachable. */
};

/* A port as this chassis sees it. */
struct l2_port {
    const struct nbrec_port *nb;
    enum l2_port_location location;
    ofp_port_t ofport;              /* Local: its br-int port. */
    ofp_port_t tunnel;              /* Remote on a tunnelled network: the
                                     * br-tun port to its chassis. */
    const struct trunk_subport *subport; /* Local subport of a trunk (its
                                     * 'ofport' is a pseudo port:
                                     * pipeline/trunk.h), else NULL. */
};

void l2_compile_skeleton(const struct l2_bridges *, struct l2_output *);
void l2_compile_ex_skeleton(ofp_port_t ex_patch, struct flow_list *);
char *l2_compile_network(const struct l2_network *, struct l2_output *)
    OVS_WARN_UNUSED_RESULT;
char *l2_compile_port(const struct l2_port *, const struct l2_network *,
                      struct l2_output *) OVS_WARN_UNUSED_RESULT;

/* Priority of the skeleton's drop of tagged frames (T_CLASSIFY): below the
 * uplinks' tagged frames (100) and a trunk's subports; a VIF's own flow
 * (100) matches untagged frames only. */
#define L2_PRIO_TAGGED 50
/* port_security: a VIF's source MAC, on to its IPv4 and ARP checks, below
 * its IPv6 sources (100). */
#define L2_PRIO_MAC_SOURCE 90
/* arp_responder: neighbour solicitations passed on unanswered. */
#define L2_PRIO_ND_PASS 105

/* Neighbour solicitations for 'ip' on the network with local VLAN 'lvid'
 * are answered in table arp_responder with an advertisement from 'mac'
 * (flags solicited and override, and router if 'router'), back to the
 * port they came from; duplicate address detection (from ::) and those
 * without a source link-layer address option are not (the skeleton
 * passes them on at L2_PRIO_ND_PASS), so that the answer always has the
 * target link-layer address option in the place of that one. */
void l2_add_nd_responder(struct flow_list *, uint64_t cookie, uint16_t lvid,
                         const struct in6_addr *ip, struct eth_addr mac,
                         bool router);
/* Priority of delivery to a port that is down (T_SG_INGRESS, above the
 * security groups' entry). */
#define L2_PRIO_PORT_DOWN 110

/* True if 'port' and its network are administratively up (Neutron's
 * admin_state_up): a local port that is not neither sends nor receives. */
bool l2_port_is_up(const struct nbrec_port *);

/* Parses 'network''s segment: whether it is tunnelled and its VNI or VLAN
 * id.  Returns an error naming the field, or NULL. */
char *l2_network_segment(const struct nbrec_network *, bool *tunnelled,
                         uint32_t *segment_id) OVS_WARN_UNUSED_RESULT;

#endif /* pipeline/l2.h */
