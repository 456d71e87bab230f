/*
 * dvr/l3: the router and floating-IP compiler.  Pure functions from
 * NB routers and floating IPs, resolved for this chassis by the caller,
 * to flows on br-int and br-tun (pipeline/tables.h, doc/pipeline.md).
 *
 * Routing is distributed: every chassis that hosts a port of a router's
 * subnets has the router, routes on the source node and sends the packet
 * straight to the destination's node.  A floating IP is NATed on the node
 * of its VM.  Traffic of VMs without a floating IP leaves through the
 * router's SNAT on a gateway chassis: compute chassis send it there
 * through the tunnel, choosing among the gateways in rank order by BFD
 * liveness (bundle active_backup).
 *
 * Contract
 *   - No I/O and no logging.  A router's flows carry its cookie, a
 *     floating IP's its own.  A value that cannot be compiled (a route
 *     whose next hop is on no connected subnet) is skipped and described
 *     in 'errors' for the caller to log; the rest is compiled.
 *   - IPv4 and IPv6: an interface has an IPv4 address, an IPv6 address
 *     or both (dual stack); IPv6 is routed without NAT, the next hop in
 *     xxreg3 (REG_NEXTHOP6), the hop limit decremented as IPv4's TTL.
 *     So is the external gateway's IPv6 address (routed both ways
 *     through the gateway chassis, no NAT, as Neutron does); SNAT and
 *     floating IPs need its IPv4 address.
 */

#ifndef DVR_L3_H
#define DVR_L3_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "packets.h"
#include "pipeline/flow.h"
#include "svec.h"

struct nbrec_floating_ip;
struct nbrec_port;
struct nbrec_router;

struct l3_output {
    struct flow_list int_flows;
    struct flow_list tun_flows;
    struct svec errors;             /* Skipped values, one line each. */
};

void l3_output_init(struct l3_output *);
void l3_output_destroy(struct l3_output *);

/* A router port (interface or gateway) as this chassis sees it. */
struct l3_iface {
    const struct nbrec_port *nb;
    uint16_t lvid;                  /* Its network's local VLAN. */
    uint16_t mtu;                   /* Its network's MTU. */
    bool tunnelled;                 /* Its network is vxlan/geneve... */
    uint32_t vni;                   /* ...with this VNI. */
    ovs_be32 ip;                    /* The router's IPv4 address (0 if
                                     * none)... */
    ovs_be32 mask;                  /* ...and its subnet's mask. */
    struct in6_addr ip6;            /* The router's IPv6 address (zero
                                     * if none)... */
    struct in6_addr mask6;          /* ...and its subnet's mask. */
    struct eth_addr mac;
};

/* This chassis' part in a router's external gateway. */
enum l3_gw_role {
    L3_GW_NONE,                     /* The router has no gateway. */
    L3_GW_REMOTE,                   /* Send external traffic to a gateway
                                     * chassis through the tunnel. */
    L3_GW_STANDBY,                  /* A gateway chassis, not active. */
    L3_GW_ACTIVE,                   /* The active gateway chassis. */
};

struct l3_router {
    const struct nbrec_router *nb;
    uint16_t lid;                   /* Local id: reg1 and the SNAT zone. */
    const struct l3_iface *ifaces;  /* Interfaces on tenant subnets. */
    size_t n_ifaces;
    enum l3_gw_role gw_role;
    struct l3_iface gw;             /* The gateway port, unless NONE. */
    ovs_be32 gw_nexthop;            /* The external subnet's gateway, or 0. */
    struct in6_addr gw_nexthop6;    /* The external IPv6 subnet's gateway,
                                     * or zero. */
    ofp_port_t int_patch_tun;       /* br-int -> br-tun. */
    const ofp_port_t *gw_tunnels;   /* REMOTE: br-tun ports to the gateway
                                     * chassis, best first. */
    size_t n_gw_tunnels;
    uint32_t gw_egress_meter;       /* ACTIVE, STANDBY: meter of the SNAT
                                     * (out), or 0... */
    uint32_t gw_ingress_meter;      /* ...and of the un-SNAT (in), or 0. */
};

void l3_compile_skeleton(struct l3_output *);
void l3_compile_router(const struct l3_router *, struct l3_output *);

/* The MTUs a routed network may have: IPv4's minimum, and the largest
 * whose frame length (MTU + 14) fits check_pkt_larger's 16 bits. */
#define L3_MIN_MTU 68
#define L3_MAX_MTU (UINT16_MAX - 14)

/* Parses a router port's first IPv4 fixed IP and its first IPv6 fixed IP
 * (global, not link-local) with their subnets, and checks its network's
 * MTU.  Returns an error naming the port (one without either address), or
 * NULL. */
char *l3_iface_parse(const struct nbrec_port *, struct l3_iface *)
    OVS_WARN_UNUSED_RESULT;

/* Adds to 'flows' the l3_nexthop flow that says 'ip' on network 'lvid' is
 * at 'mac' (a port's address, a floating IP, a router gateway, or a next
 * hop learned by ARP, which yields to the others but to a VIF's address on
 * an external network). */
#define L3_NEXTHOP_KNOWN 100
#define L3_NEXTHOP_LEARNED 90
#define L3_NEXTHOP_VIF_EXTERNAL 80      /* A VIF's address on an external
                                         * network yields to the learned. */
void l3_add_nexthop(struct flow_list *, uint64_t cookie, uint16_t priority,
                    uint16_t lvid, ovs_be32 ip, struct eth_addr mac);

/* The same for IPv6 address 'ip6' (matched in xxreg3). */
void l3_add_nexthop6(struct flow_list *, uint64_t cookie, uint16_t priority,
                     uint16_t lvid, const struct in6_addr *ip6,
                     struct eth_addr mac);

/* Whether 'iface' has an IPv4 or an IPv6 address. */
static inline bool
l3_iface_has_ip4(const struct l3_iface *iface)
{
    return iface->ip != htonl(0);
}

static inline bool
l3_iface_has_ip6(const struct l3_iface *iface)
{
    return ipv6_addr_is_set(&iface->ip6);
}

/* Adds to 'flows' the ARP replies for an address of the external network
 * ('ip' at 'mac', on local VLAN 'lvid'), from this node only: to local
 * requests and to those from the physical network. */
void l3_add_ext_arp_responder(struct flow_list *, uint64_t cookie,
                              uint16_t lvid, ovs_be32 ip,
                              struct eth_addr mac);

/* Adds to 'flows' the neighbour advertisements for an IPv6 address of the
 * external network ('ip6' at 'mac', on local VLAN 'lvid', with the router
 * flag), from this node only: to local solicitations and to those from
 * the physical network. */
void l3_add_ext_nd_responder(struct flow_list *, uint64_t cookie,
                             uint16_t lvid, const struct in6_addr *ip6,
                             struct eth_addr mac);

struct l3_fip {
    const struct nbrec_floating_ip *nb;
    ovs_be32 fip;                   /* The floating IP... */
    struct eth_addr mac;            /* ...and its floating port's MAC. */
    bool local;                     /* Its VM is on this chassis: */
    ovs_be32 vm_ip;                 /* its fixed IP, */
    ofp_port_t vm_ofport;           /* its br-int port (NAT zone), */
    const struct l3_router *router; /* and the router that NATs it. */
    uint16_t ext_lvid;              /* The external network's local VLAN. */
    uint32_t egress_meter;          /* Meter of what the VM sends out
                                     * through it, or 0. */
    uint32_t ingress_meter;         /* Meter of what it receives, or 0. */
};

/* A floating IP's flows: on its VM's chassis, ARP, DNAT, SNAT and its
 * routes; elsewhere only the next hop (its MAC on the external network). */
char *l3_compile_fip(const struct l3_fip *, struct l3_output *)
    OVS_WARN_UNUSED_RESULT;

#endif /* dvr/l3.h */
